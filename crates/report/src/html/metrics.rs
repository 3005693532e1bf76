//! The reconciliation section: the call records in their own layout (see
//! `cdr`), every other area of `metrics` rendered from its JSON shape, so
//! new figures show up without a change here.

use nianshen_checks::finding::Report;
use nianshen_rules::Lang;
use serde_json::{Map, Value};

use super::labels::{area_title, key_label};
use super::{cdr, w, Esc};
use crate::text::{percent, plain_number, tr};

/// Areas shown first, in this order. Any other area follows by name.
const AREA_ORDER: &[&str] = &[
    "cdr",
    "finance",
    "seats",
    "complaints",
    "schedule",
    "materials",
];

/// Maximum rows of a generic table or list. findings.json has the rest.
pub(super) const MAX_ROWS: usize = 100;

/// Nesting depth rendered as tables. Deeper values are shown as JSON text.
const MAX_DEPTH: usize = 4;

/// Renders the reconciliation section.
pub(super) fn section(out: &mut String, report: &Report) {
    let lang = report.lang;
    w!(
        out,
        "<section class=\"page\" id=\"recon\">\n<h2>{}</h2>\n",
        tr(lang, "对碰数据", "Reconciliations")
    );
    if report.metrics.is_empty() {
        w!(
            out,
            "<p class=\"empty\">{}</p>\n",
            tr(
                lang,
                "本次运行没有对碰数据：案例中缺少话单、财务或人员材料，或相应检查未运行。",
                "This run has no reconciliation figures: the case lacks call records, finance or staff files, or those checks did not run."
            )
        );
    }

    let mut areas: Vec<(&String, &Value)> = report.metrics.iter().collect();
    areas.sort_by_key(|(name, _)| {
        let rank = AREA_ORDER.iter().position(|a| a == name);
        (rank.unwrap_or(AREA_ORDER.len()), name.to_string())
    });
    for (name, value) in areas {
        match (name.as_str(), value) {
            ("cdr", Value::Object(cdr)) => cdr::area(out, cdr, report),
            _ => generic_area(out, name, value, lang),
        }
    }
    out.push_str("</section>\n");
}

/// Renders an area from its shape. A `declared` list of figure rows, as the
/// complaints area has, gets the same table as the call records' one.
fn generic_area(out: &mut String, name: &str, value: &Value, lang: Lang) {
    w!(
        out,
        "<div class=\"area\">\n<h3>{}</h3>\n",
        Esc(&area_title(name, lang))
    );
    match value {
        Value::Object(map) => {
            let declared = map.get("declared").and_then(declared_rows);
            let rest: Map<String, Value> = map
                .iter()
                .filter(|(k, _)| declared.is_none() || k.as_str() != "declared")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            object_table(out, &rest, name, lang, 0);
            if let Some(rows) = declared {
                let heading = tr(
                    lang,
                    "申报数据与计算值",
                    "Declared figures against computed ones",
                );
                declared_table(out, rows, heading, lang);
            }
        }
        other => value_html(out, name, other, lang, 0),
    }
    out.push_str("</div>\n");
}

/// Returns the rows of a declared-vs-computed list, when `value` is one.
pub(super) fn declared_rows(value: &Value) -> Option<&[Value]> {
    match value {
        Value::Array(rows) if rows.iter().all(|r| r.get("figure").is_some()) => Some(rows),
        _ => None,
    }
}

/// Renders declared figures against the figures computed from the data.
pub(super) fn declared_table(out: &mut String, declared: &[Value], heading: &str, lang: Lang) {
    if declared.is_empty() {
        return;
    }
    w!(
        out,
        "<h4>{}</h4>\n<table class=\"figures\">\n<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        Esc(heading),
        tr(lang, "指标", "Figure"),
        tr(lang, "申报值", "Declared"),
        tr(lang, "计算值", "Computed"),
        tr(lang, "结果", "Result")
    );
    for item in declared.iter().take(MAX_ROWS) {
        let figure = item.get("figure").and_then(Value::as_str).unwrap_or("");
        let label = match item.get("name").and_then(Value::as_str) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => key_label(figure, lang),
        };
        let (class, verdict) = match item.get("ok").and_then(Value::as_bool) {
            Some(true) => ("cell-green", tr(lang, "一致", "agrees")),
            Some(false) => ("cell-red", tr(lang, "不一致", "differs")),
            None => ("", ""),
        };
        w!(
            out,
            "<tr><th>{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{class}\">{verdict}</td></tr>\n",
            Esc(&label),
            raw_text(item.get("declared")),
            raw_text(item.get("computed"))
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Renders any JSON value: objects as two-column tables, arrays of objects
/// as tables with a column per key, other arrays as lists.
pub(super) fn value_html(out: &mut String, key: &str, value: &Value, lang: Lang, depth: usize) {
    match value {
        Value::Object(m) if depth < MAX_DEPTH => object_table(out, m, key, lang, depth),
        Value::Array(items) if depth < MAX_DEPTH && items.iter().all(Value::is_object) => {
            array_table(out, items, lang, depth)
        }
        Value::Array(items) if depth < MAX_DEPTH => {
            let texts: Vec<String> = items
                .iter()
                .take(MAX_ROWS)
                .map(|v| scalar_text(Some(v), key, lang))
                .collect();
            out.push_str(&texts.join(", "));
        }
        other => out.push_str(&scalar_text(Some(other), key, lang)),
    }
}

/// Renders an object as a two-column table. `parent` is the object's own
/// key, because the members of a `rates` object are rates whatever their
/// names.
pub(super) fn object_table(
    out: &mut String,
    map: &Map<String, Value>,
    parent: &str,
    lang: Lang,
    depth: usize,
) {
    out.push_str("<table class=\"figures kv\">\n<tbody>\n");
    for (k, v) in map.iter().take(MAX_ROWS) {
        let num = if v.is_number() { " class=\"num\"" } else { "" };
        let format_key = if parent == "rates" {
            "rate"
        } else {
            k.as_str()
        };
        w!(out, "<tr><th>{}</th><td{num}>", Esc(&key_label(k, lang)));
        value_html(out, format_key, v, lang, depth + 1);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn array_table(out: &mut String, items: &[Value], lang: Lang, depth: usize) {
    if items.is_empty() {
        out.push('—');
        return;
    }
    let mut columns: Vec<&str> = Vec::new();
    for item in items.iter().take(MAX_ROWS) {
        if let Value::Object(m) = item {
            for k in m.keys() {
                if !columns.contains(&k.as_str()) {
                    columns.push(k);
                }
            }
        }
    }

    out.push_str("<table class=\"figures\">\n<thead><tr>");
    for c in &columns {
        w!(out, "<th>{}</th>", Esc(&key_label(c, lang)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for item in items.iter().take(MAX_ROWS) {
        out.push_str("<tr>");
        for c in &columns {
            let cell = item.get(*c).unwrap_or(&Value::Null);
            let num = if cell.is_number() {
                " class=\"num\""
            } else {
                ""
            };
            w!(out, "<td{num}>");
            value_html(out, c, cell, lang, depth + 1);
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    more_rows(out, items.len(), lang);
}

fn more_rows(out: &mut String, total: usize, lang: Lang) {
    let rest = total.saturating_sub(MAX_ROWS);
    if rest > 0 {
        let text = match lang {
            Lang::Zh => format!("另有 {rest} 行未列出，见 findings.json。"),
            Lang::En => format!("{rest} more rows in findings.json."),
        };
        w!(out, "<p class=\"more\">{}</p>\n", Esc(&text));
    }
}

/// Formats a scalar as escaped text: rates (by their key) as percentages,
/// other numbers grouped, booleans as words, null as a dash, and anything
/// nested beyond [`MAX_DEPTH`] as compact JSON.
pub(super) fn scalar_text(value: Option<&Value>, key: &str, lang: Lang) -> String {
    match value {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::Bool(b)) => match b {
            true => tr(lang, "是", "yes").to_string(),
            false => tr(lang, "否", "no").to_string(),
        },
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if is_rate_key(key) => percent(x),
            // A threshold beside a rate is a fraction too. A threshold in
            // days or calls is a whole number and stays as it is.
            Some(x) if key.ends_with("threshold") && x > 0.0 && x < 1.0 => percent(x),
            Some(x) => plain_number(x),
            None => n.to_string(),
        },
        Some(Value::String(s)) => Esc(s).to_string(),
        Some(other) => Esc(&other.to_string()).to_string(),
    }
}

/// Formats declared and computed figures as written, so the precision they
/// were compared at stays visible (a rate 0.6523, not 65.23%).
pub(super) fn raw_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(plain_number)
            .unwrap_or_else(|| n.to_string()),
        Some(Value::String(s)) => Esc(s).to_string(),
        Some(other) => Esc(&other.to_string()).to_string(),
    }
}

fn is_rate_key(key: &str) -> bool {
    key == "rate" || key.ends_with("_rate") || key.ends_with("_pct")
}
