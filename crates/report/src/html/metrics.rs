//! The reconciliations: the call-record summary in its own layout, every
//! other area of `metrics` rendered from its JSON shape, so new figures show
//! up without a change here.

use nianshen_checks::finding::Report;
use nianshen_rules::Lang;
use serde_json::{Map, Value};

use super::{chart, sev_class, w, Esc};
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
const MAX_ROWS: usize = 100;

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
            ("cdr", Value::Object(cdr)) => cdr_area(out, cdr, report),
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
fn declared_rows(value: &Value) -> Option<&[Value]> {
    match value {
        Value::Array(rows) if rows.iter().all(|r| r.get("figure").is_some()) => Some(rows),
        _ => None,
    }
}

/// Renders the call-record reconciliation: both sides, the matching, the
/// declared figures, the per-day chart, warnings, and the rest generically.
fn cdr_area(out: &mut String, cdr: &Map<String, Value>, report: &Report) {
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
            scalar_text(local.get(key), key, lang),
            scalar_text(carrier.get(key), key, lang)
        );
        rate_cell(out, rates.get(key), rate_rule(key), report);
        out.push_str("</tr>\n");
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

/// Renders declared figures against the figures computed from the data.
fn declared_table(out: &mut String, declared: &[Value], heading: &str, lang: Lang) {
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
                let msg = m.get("message").and_then(Value::as_str).unwrap_or("");
                w!(out, "<li><code>{}</code> {}</li>\n", Esc(id), Esc(msg));
            }
            other => w!(out, "<li>{}</li>\n", scalar_text(Some(other), "", lang)),
        }
    }
    out.push_str("</ul>\n");
}

/// Renders any JSON value: objects as two-column tables, arrays of objects
/// as tables with a column per key, other arrays as lists.
fn value_html(out: &mut String, key: &str, value: &Value, lang: Lang, depth: usize) {
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
fn object_table(
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
fn scalar_text(value: Option<&Value>, key: &str, lang: Lang) -> String {
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
fn raw_text(value: Option<&Value>) -> String {
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

fn area_title(name: &str, lang: Lang) -> String {
    let known = match name {
        "cdr" => Some((
            "话单对碰（本地话单 vs 运营商二次话单）",
            "Call records: own records against the carrier bill",
        )),
        "finance" => Some((
            "财务对碰（审计收入 vs 增值税申报收入）",
            "Finance: audited revenue against VAT returns",
        )),
        "seats" => Some((
            "座席对碰（社保 vs 系统账号 vs 工位照片）",
            "Seats: insured staff, login accounts and workstation photos",
        )),
        "complaints" => Some(("投诉处理", "Complaints")),
        "schedule" => Some(("时间账", "Deadlines")),
        "materials" => Some(("材料清单", "Materials")),
        "recordings" => Some(("录音留存", "Recordings")),
        "staff" => Some(("人员", "Staff")),
        _ => None,
    };
    match known {
        Some((zh, en)) => tr(lang, zh, en).to_string(),
        None => key_label(name, lang),
    }
}

/// Returns a field name in words. Unknown names are shown as written (in
/// English with spaces for underscores), so a new field stays readable.
fn key_label(key: &str, lang: Lang) -> String {
    match label_of(key) {
        Some((zh, en)) => tr(lang, zh, en).to_string(),
        None if lang == Lang::En => key.replace('_', " "),
        None => key.to_string(),
    }
}

fn label_of(key: &str) -> Option<(&'static str, &'static str)> {
    let pair = match key {
        "files" => ("文件数", "Files"),
        "rows" => ("数据行", "Rows"),
        "answered" => ("接通（可用）", "Answered (usable)"),
        "talk_seconds" => ("通话时长（秒）", "Talk time (s)"),
        "billed_minutes" => ("计费时长（分钟）", "Billed minutes"),
        "unreadable_rows" => ("无法读取的行", "Unreadable rows"),
        "unusable_rows" => ("无法对碰的接通记录", "Unusable answered rows"),
        "matched" => ("已匹配", "Matched"),
        "local_only" => ("仅本地有", "Own records only"),
        "carrier_only" => ("仅运营商有", "Carrier bill only"),
        "duration_mismatch" => ("时长不一致", "Talk time differs"),
        "local" => ("本地", "Own records"),
        "carrier" => ("运营商", "Carrier"),
        "day" => ("日期", "Day"),
        "seats" => ("座席数", "Seats"),
        "declared_seats" => ("申报座席", "Declared seats"),
        "insured" => ("参保人数", "Insured staff"),
        "accounts" => ("系统账号", "Login accounts"),
        "photos" => ("工位照片", "Workstation photos"),
        "outbound_calls" => ("外呼总量", "Outbound calls"),
        "connection_rate" => ("接通率", "Connection rate"),
        "complaint_rate" => ("投诉率", "Complaint rate"),
        "avg_talk_seconds" => ("平均通话时长（秒）", "Average talk time (s)"),
        "conversion_rate" => ("营销成功率", "Conversion rate"),
        "complaints" => ("投诉量", "Complaints"),
        "complaint_response_rate" => ("投诉响应率", "Complaint response rate"),
        "revenue" => ("营业收入", "Revenue"),
        "audited_revenue" => ("审计报告收入", "Audited revenue"),
        "vat_declared_revenue" => ("增值税申报收入", "Revenue on VAT returns"),
        "difference" => ("差额", "Difference"),
        "difference_rate" | "diff_rate" => ("差异率", "Difference rate"),
        "rate" => ("差异率", "Difference rate"),
        "figure" => ("指标", "Figure"),
        "declared" => ("申报值", "Declared"),
        "computed" => ("计算值", "Computed"),
        "ok" => ("一致", "Agrees"),
        "id" => ("编号", "Id"),
        "message" => ("说明", "Message"),
        "count" => ("数量", "Count"),
        "received" => ("收到", "Received"),
        "verified" => ("已核实", "Verified"),
        "replied" => ("已答复", "Replied"),
        "closed" => ("已办结", "Closed"),
        "open" => ("未办结", "Open"),
        "late" => ("超时", "Late"),
        "peak_concurrent" => ("最高并发通话", "Peak concurrent calls"),
        "declared_revenue" => ("申报收入", "Declared revenue"),
        "threshold" => ("阈值", "Threshold"),
        "received_in_period" => ("期内收到投诉", "Complaints received in the period"),
        "response_rate" => ("答复率", "Response rate"),
        "insured_month" => ("参保统计月份", "Insured in month"),
        "accounts_active" => ("在用系统账号", "Active login accounts"),
        "workstations" => ("工位数", "Workstations"),
        "agents_with_calls" => ("有通话的座席", "Agents with calls"),
        "calendar" => ("日历", "Calendar"),
        "deadlines" => ("截止日期", "Deadlines"),
        "plan_day" => ("计划日 T", "Plan day T"),
        "opens" => ("开放日", "Opens"),
        "deadline" => ("截止日", "Deadline"),
        "filed" => ("已提交", "Filed"),
        "days_left" => ("剩余天数", "Days left"),
        "name" => ("名称", "Name"),
        "catalogue_items" => ("目录项", "Catalogue items"),
        "present" => ("已具备", "Present"),
        "unassigned" => ("未归类文件", "Unassigned files"),
        "as_of" => ("数据截至", "As of"),
        _ => return None,
    };
    Some(pair)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_shown_as_written() {
        assert_eq!(key_label("night_calls", Lang::Zh), "night_calls");
        assert_eq!(key_label("night_calls", Lang::En), "night calls");
        assert_eq!(key_label("carrier_only", Lang::Zh), "仅运营商有");
    }
}
