//! The call-record reconciliation: both sides side by side with their
//! difference rates, the files read, the matching, the declared figures,
//! the per-day chart and the warnings.

use nianshen_checks::finding::Report;
use nianshen_rules::Lang;
use serde_json::{Map, Value};

use super::labels::{area_title, key_label};
use super::metrics::{declared_rows, declared_table, object_table, scalar_text, MAX_ROWS};
use super::{chart, sev_class, w, Esc};
use crate::text::tr;

/// Renders the call-record reconciliation: both sides, the matching, the
/// declared figures, the per-day chart, warnings, and the rest generically.
pub(super) fn area(out: &mut String, cdr: &Map<String, Value>, report: &Report) {
    let lang = report.lang;
    w!(
        out,
        "<div class=\"area\">\n<h3>{}</h3>\n",
        Esc(&area_title("cdr", lang))
    );
    sides_table(out, cdr, report);
    matching_tiles(out, cdr, lang);
    if let Some(rows) = cdr.get("declared").and_then(declared_rows) {
        let heading = tr(
            lang,
            "申报数据与话单计算值",
            "Declared figures against the records",
        );
        declared_table(out, rows, heading, lang);
    }
    if let Some(Value::Array(days)) = cdr.get("per_day") {
        chart::per_day(out, days, lang);
    }
    if let Some(warnings) = cdr.get("warnings") {
        warnings_list(out, warnings, lang);
    }

    let known = [
        "local",
        "carrier",
        "rates",
        "matched",
        "local_only",
        "carrier_only",
        "duration_mismatch",
        "declared",
        "per_day",
        "warnings",
    ];
    let rest: Map<String, Value> = cdr
        .iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !rest.is_empty() {
        w!(out, "<h4>{}</h4>\n", tr(lang, "其他数据", "Other figures"));
        object_table(out, &rest, "cdr", lang, 0);
    }
    out.push_str("</div>\n");
}

/// Renders local and carrier figures side by side, with the difference rates.
fn sides_table(out: &mut String, cdr: &Map<String, Value>, report: &Report) {
    let lang = report.lang;
    let empty = Map::new();
    let side = |key: &str| match cdr.get(key) {
        Some(Value::Object(m)) => m,
        _ => &empty,
    };
    let (local, carrier, rates) = (side("local"), side("carrier"), side("rates"));
    if local.is_empty() && carrier.is_empty() {
        return;
    }

    let mut keys: Vec<&str> = vec![
        "files",
        "rows",
        "answered",
        "talk_seconds",
        "billed_minutes",
        "unreadable_rows",
        "unusable_rows",
    ];
    for k in local.keys().chain(carrier.keys()) {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }

    w!(
        out,
        "<table class=\"figures sides\">\n<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        tr(lang, "项目", "Figure"),
        tr(lang, "本地话单", "Own records"),
        tr(lang, "运营商话单", "Carrier bill"),
        tr(lang, "差异率", "Difference")
    );
    for key in keys {
        w!(
            out,
            "<tr><th>{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            Esc(&key_label(key, lang)),
            side_cell(local.get(key), key, lang),
            side_cell(carrier.get(key), key, lang)
        );
        rate_cell(out, rates.get(key), rate_rule(key), report);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    files_table(out, local, carrier, lang);
}

/// Formats one side's figure. A file list counts its files, and a map of
/// counts (rows by reason) lists them one per line.
fn side_cell(value: Option<&Value>, key: &str, lang: Lang) -> String {
    match value {
        Some(Value::Array(files)) => files.len().to_string(),
        Some(Value::Object(counts)) if counts.is_empty() => "0".to_string(),
        Some(Value::Object(counts)) => {
            let lines: Vec<String> = counts
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{} {}",
                        Esc(&key_label(k, lang)),
                        scalar_text(Some(v), k, lang)
                    )
                })
                .collect();
            lines.join("<br>")
        }
        other => scalar_text(other, key, lang),
    }
}

/// Lists the files each side read, when the summary names them: where the
/// figures come from and how each file was read.
fn files_table(
    out: &mut String,
    local: &Map<String, Value>,
    carrier: &Map<String, Value>,
    lang: Lang,
) {
    let list = |side: &Map<String, Value>| match side.get("files") {
        Some(Value::Array(files)) => files.clone(),
        _ => Vec::new(),
    };
    let sides = [
        (tr(lang, "本地", "Own"), list(local)),
        (tr(lang, "运营商", "Carrier"), list(carrier)),
    ];
    if sides.iter().all(|(_, files)| files.is_empty()) {
        return;
    }

    w!(
        out,
        "<h4>{}</h4>\n<table class=\"figures files\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        tr(lang, "读取的文件", "Files read"),
        tr(lang, "一方", "Side"),
        tr(lang, "文件", "File"),
        tr(lang, "工作表", "Sheet"),
        tr(lang, "格式", "Layout"),
        tr(lang, "编码", "Encoding"),
        tr(lang, "数据行", "Rows")
    );
    for (side, files) in &sides {
        for file in files.iter().take(MAX_ROWS) {
            let text = |k: &str| file.get(k).and_then(Value::as_str).unwrap_or("");
            let layout = [text("layout"), text("format")]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            w!(
                out,
                "<tr><td>{side}</td><td class=\"file\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n",
                Esc(text("path")),
                Esc(text("sheet")),
                Esc(&layout),
                Esc(text("encoding")),
                scalar_text(file.get("rows"), "rows", lang)
            );
        }
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Returns the rule that judges a difference rate, so the cell can take its lamp.
fn rate_rule(key: &str) -> Option<&'static str> {
    match key {
        "answered" => Some("cdr.count_mismatch"),
        "talk_seconds" => Some("cdr.duration_mismatch"),
        _ => None,
    }
}

fn rate_cell(out: &mut String, rate: Option<&Value>, rule: Option<&str>, report: &Report) {
    let Some(rate) = rate else {
        out.push_str("<td class=\"num\"></td>");
        return;
    };
    let lamp = rule
        .and_then(|r| report.findings.iter().find(|f| f.rule == r))
        .map(|f| format!(" cell-{}", sev_class(f.severity)))
        .unwrap_or_default();
    w!(
        out,
        "<td class=\"num{lamp}\">{}</td>",
        scalar_text(Some(rate), "rate", report.lang)
    );
}

fn matching_tiles(out: &mut String, cdr: &Map<String, Value>, lang: Lang) {
    let keys = ["matched", "local_only", "carrier_only", "duration_mismatch"];
    if !keys.iter().any(|k| cdr.contains_key(*k)) {
        return;
    }
    out.push_str("<div class=\"tiles\">\n");
    for key in keys {
        if let Some(v) = cdr.get(key) {
            let alert = if key != "matched" && v.as_f64().is_some_and(|x| x > 0.0) {
                " alert"
            } else {
                ""
            };
            w!(
                out,
                "<div class=\"tile{alert}\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div>\n",
                scalar_text(Some(v), key, lang),
                Esc(&key_label(key, lang))
            );
        }
    }
    out.push_str("</div>\n");
}

fn warnings_list(out: &mut String, warnings: &Value, lang: Lang) {
    let Value::Array(items) = warnings else {
        return;
    };
    if items.is_empty() {
        return;
    }
    w!(
        out,
        "<h4>{}</h4>\n<ul class=\"warnings\">\n",
        tr(lang, "对碰提醒", "Reconciliation warnings")
    );
    for item in items.iter().take(MAX_ROWS) {
        match item {
            Value::Object(m) => {
                let id = m.get("id").and_then(Value::as_str).unwrap_or("");
                // The English text, where the summary carries one, sits
                // beside the Chinese `message`.
                let english = m.get("message_en").and_then(Value::as_str);
                let chinese = m.get("message").and_then(Value::as_str).unwrap_or("");
                let msg = match (lang, english) {
                    (Lang::En, Some(en)) if !en.is_empty() => en,
                    _ => chinese,
                };
                w!(out, "<li><code>{}</code> {}</li>\n", Esc(id), Esc(msg));
            }
            other => w!(out, "<li>{}</li>\n", scalar_text(Some(other), "", lang)),
        }
    }
    out.push_str("</ul>\n");
}
