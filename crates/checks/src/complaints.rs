//! 12321 complaints and administrative penalties: verification within the
//! internal target (trap 7), replies within the working-day limit, open
//! complaints and uncleared penalties, and the complaint figures the annual
//! report declares.

use chrono::{Duration, NaiveDateTime, NaiveTime};
use nianshen_case::InputKind;
use nianshen_rules::Severity;
use serde_json::json;

use crate::context::Context;
use crate::finding::Evidence;
use crate::records::{compare_complaints, AgentActivity};
use crate::seats::parse_day;
use crate::tables::{self, Sheet};

const ID: &[&str] = &["编号", "投诉编号", "工单号", "投诉单号", "id"];
const RECEIVED: &[&str] = &["受理时间", "接收时间", "投诉时间", "received"];
const VERIFIED: &[&str] = &["核验时间", "核实时间", "verified"];
const REPLIED: &[&str] = &["回复时间", "答复时间", "replied"];
const CLOSED: &[&str] = &["办结时间", "结案时间", "closed"];

const PENALTY_DATE: &[&str] = &["日期", "处罚日期", "决定日期", "date"];
const AUTHORITY: &[&str] = &["机关", "处罚机关", "作出机关", "authority"];
const DECISION: &[&str] = &["决定书文号", "文号", "处罚决定书文号", "decision"];
const STATUS: &[&str] = &["状态", "履行情况", "执行情况", "status"];

/// Penalty statuses that count as cleared.
const CLEARED: &[&str] = &[
    "已履行",
    "已缴纳",
    "已缴清",
    "已结案",
    "已完成",
    "已撤销",
    "已整改",
    "cleared",
    "paid",
    "closed",
];

/// Parses a timestamp in the common register forms; a bare date is taken
/// as midnight.
pub fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.len() == 14 && text.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDateTime::parse_from_str(text, "%Y%m%d%H%M%S").ok();
    }
    let numbers: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    let date = parse_day(text)?;
    let time = match numbers.as_slice() {
        [_, _, _, h, m, s, ..] => NaiveTime::from_hms_opt(*h, *m, *s),
        [_, _, _, h, m] => NaiveTime::from_hms_opt(*h, *m, 0),
        _ => Some(NaiveTime::MIN),
    }?;
    Some(date.and_time(time))
}

/// One complaint of the log.
#[derive(Debug)]
struct Complaint {
    id: String,
    row: u64,
    received: Option<NaiveDateTime>,
    verified: Option<NaiveDateTime>,
    replied: Option<NaiveDateTime>,
    closed: Option<NaiveDateTime>,
    /// A time cell was unreadable or out of order; timing checks skip it.
    bad: bool,
}

pub fn check(cx: &mut Context<'_>, activity: Option<&AgentActivity>) {
    let paths = cx.case.input_paths(InputKind::Complaints);
    let files = tables::files_under(&paths);
    if files.is_empty() {
        if let Some(path) = paths.first() {
            cx.input_missing("12321 投诉台账", "12321 complaint log", &path.clone());
        }
    }
    let mut complaints = Vec::new();
    let mut log_file = None;
    for file in files {
        match tables::read_sheets(&file, &[ID, RECEIVED, VERIFIED, REPLIED]) {
            Ok(sheets) => {
                log_file.get_or_insert_with(|| cx.rel(&file));
                for sheet in &sheets {
                    let read = read_complaints(cx, sheet);
                    complaints.extend(read);
                }
            }
            Err(problem) => {
                let reason = problem.message(cx.lang);
                cx.input_unreadable(&file, reason);
            }
        }
    }
    let log_file = log_file.unwrap_or_default();

    for complaint in complaints.iter().filter(|c| !c.bad) {
        verification(cx, complaint, &log_file);
        reply(cx, complaint, &log_file);
        still_open(cx, complaint, &log_file);
    }
    if log_file.is_empty() {
        penalties(cx);
        return;
    }
    figures(cx, &complaints, activity);
    penalties(cx);
}

/// Reads the complaints of one sheet. A time cell that is filled but cannot
/// be read, or that lies before the complaint's receipt, is reported and
/// leaves that complaint out of the timing checks.
fn read_complaints(cx: &mut Context<'_>, sheet: &Sheet) -> Vec<Complaint> {
    let id = sheet.col(ID);
    let columns = [
        sheet.col(RECEIVED),
        sheet.col(VERIFIED),
        sheet.col(REPLIED),
        sheet.col(CLOSED),
    ];
    let mut complaints = Vec::new();
    for row in &sheet.rows {
        let mut times = [None; 4];
        let mut bad = false;
        for (slot, column) in times.iter_mut().zip(columns) {
            let Some(c) = column else { continue };
            let text = row.get(c);
            *slot = parse_datetime(text);
            if slot.is_none() && !text.is_empty() {
                let reason = cx.t("不是有效的日期时间", "not a valid date and time");
                cx.bad_cell(&sheet.file, row.row, sheet.header(c), text, reason);
                bad = true;
            }
        }
        let [received, verified, replied, closed] = times;
        if let Some(start) = received {
            for (time, column) in [
                (verified, columns[1]),
                (replied, columns[2]),
                (closed, columns[3]),
            ] {
                let (Some(time), Some(c)) = (time, column) else {
                    continue;
                };
                if time < start {
                    let reason = cx.t("早于受理时间", "earlier than the time received");
                    cx.bad_cell(&sheet.file, row.row, sheet.header(c), row.get(c), reason);
                    bad = true;
                }
            }
        }
        complaints.push(Complaint {
            id: id
                .map(|c| row.get(c).to_string())
                .unwrap_or_else(|| format!("#{}", row.row)),
            row: row.row,
            received,
            verified,
            replied,
            closed,
            bad,
        });
    }
    complaints
}

fn evidence(file: &str, complaint: &Complaint, column: &str, value: String) -> Vec<Evidence> {
    vec![Evidence {
        file: Some(file.to_string()),
        row: Some(complaint.row),
        column: Some(column.to_string()),
        value: Some(value),
        note: complaint.id.clone(),
        ..Evidence::default()
    }]
}

/// "Now" for open items: the end of the as-of day.
fn now(cx: &Context<'_>) -> NaiveDateTime {
    cx.as_of.and_time(NaiveTime::MIN) + Duration::days(1)
}

fn verification(cx: &mut Context<'_>, complaint: &Complaint, file: &str) {
    let Some(received) = complaint.received else {
        return;
    };
    let limit = cx.pack.thresholds.complaint_verification_hours;
    let until = complaint.verified.unwrap_or_else(|| now(cx));
    let hours = (until - received).num_minutes() as f64 / 60.0;
    if hours <= limit as f64 {
        return;
    }
    let value = complaint
        .verified
        .map(|v| v.to_string())
        .unwrap_or_else(|| cx.t("未核验", "not verified"));
    cx.raise(
        "complaints.late_verification",
        &[
            ("id", complaint.id.clone()),
            ("hours", format!("{hours:.1}")),
            ("limit", limit.to_string()),
        ],
        evidence(file, complaint, "核验时间", value),
    );
}

fn reply(cx: &mut Context<'_>, complaint: &Complaint, file: &str) {
    let Some(received) = complaint.received else {
        return;
    };
    let limit = cx.pack.thresholds.complaint_reply_working_days;
    let until = complaint.replied.map(|r| r.date()).unwrap_or(cx.as_of);
    let days = nianshen_rules::working_days_between(cx.pack, received.date(), until);
    if days <= limit {
        return;
    }
    let value = complaint
        .replied
        .map(|v| v.to_string())
        .unwrap_or_else(|| cx.t("未回复", "no reply"));
    cx.raise(
        "complaints.reply_overdue",
        &[
            ("id", complaint.id.clone()),
            ("working_days", days.to_string()),
            ("limit", limit.to_string()),
        ],
        evidence(file, complaint, "回复时间", value),
    );
}

fn still_open(cx: &mut Context<'_>, complaint: &Complaint, file: &str) {
    if complaint.closed.is_some() || complaint.received.is_none() {
        return;
    }
    cx.raise(
        "complaints.open",
        &[("id", complaint.id.clone())],
        evidence(file, complaint, "办结时间", cx.t("未办结", "not closed")),
    );
}

fn in_period(cx: &Context<'_>, at: NaiveDateTime) -> bool {
    match cx.case.file.period {
        Some(p) => at.date() >= p.from && at.date() <= p.to,
        None => at.date() <= cx.as_of,
    }
}

/// Compares the complaint count, response rate and complaint rate with the
/// declared figures.
fn figures(cx: &mut Context<'_>, complaints: &[Complaint], activity: Option<&AgentActivity>) {
    let received: Vec<&Complaint> = complaints
        .iter()
        .filter(|c| c.received.is_some_and(|r| in_period(cx, r)))
        .collect();
    let replied = received.iter().filter(|c| c.replied.is_some()).count() as u64;
    let count = received.len() as u64;
    let response_rate = (count > 0).then(|| replied as f64 / count as f64);
    let complaint_rate = activity
        .filter(|a| a.answered_outbound > 0)
        .map(|a| count as f64 / a.answered_outbound as f64);

    let rows = compare_complaints(cx, count, response_rate, complaint_rate);
    cx.metric(
        "complaints",
        json!({
            "received_in_period": count,
            "replied": replied,
            "response_rate": response_rate,
            "complaint_rate": complaint_rate,
            "declared": rows,
        }),
    );
}

fn penalties(cx: &mut Context<'_>) {
    let paths = cx.case.input_paths(InputKind::Penalties);
    for file in tables::files_under(&paths) {
        let sheets = match tables::read_sheets(&file, &[PENALTY_DATE, AUTHORITY, DECISION, STATUS])
        {
            Ok(sheets) => sheets,
            Err(problem) => {
                let reason = problem.message(cx.lang);
                cx.input_unreadable(&file, reason);
                continue;
            }
        };
        let shown = cx.rel(&file);
        for sheet in &sheets {
            let authority = sheet.col(AUTHORITY);
            let decision = sheet.col(DECISION);
            let status = sheet.col(STATUS);
            for row in &sheet.rows {
                let state = status.map(|c| row.get(c)).unwrap_or("");
                if CLEARED.iter().any(|w| state.eq_ignore_ascii_case(w)) {
                    continue;
                }
                let decision_no = decision.map(|c| row.get(c)).unwrap_or("").to_string();
                cx.raise_at(
                    "complaints.penalty",
                    Severity::Red,
                    &[
                        ("decision", decision_no.clone()),
                        (
                            "authority",
                            authority.map(|c| row.get(c)).unwrap_or("").to_string(),
                        ),
                        (
                            "status",
                            if state.is_empty() {
                                cx.t("未注明", "not stated")
                            } else {
                                state.to_string()
                            },
                        ),
                    ],
                    vec![Evidence {
                        file: Some(shown.clone()),
                        row: Some(row.row),
                        value: Some(decision_no),
                        ..Evidence::default()
                    }],
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_datetime;

    #[test]
    fn datetime_forms() {
        let expected = "2024-06-17 10:30:00";
        for text in [
            "2024-06-17 10:30:00",
            "2024/6/17 10:30",
            "20240617103000",
            "2024-06-17T10:30:00",
        ] {
            assert_eq!(
                parse_datetime(text).map(|d| d.to_string()).as_deref(),
                Some(expected),
                "{text}"
            );
        }
        assert_eq!(
            parse_datetime("2024-06-17")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2024-06-17 00:00:00")
        );
        assert_eq!(parse_datetime(""), None);
    }
}
