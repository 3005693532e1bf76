//! Saying what a source that is not readable call records looks like, and
//! proposing a mapping when it may be call records in an unknown layout.

use chrono::{FixedOffset, Offset};
use nianshen_table::{Cell, CellRef, SourceInfo};

use crate::error::CdrError;
use crate::layout::BufferedRow;
use crate::normalize::{is_mobile, mask_text, normalize_number, parse_time, NumberValue, TimeForm};
use crate::vocab::{Answer, Vocabulary};

/// Asterisk CEL event names: a channel event log, not call records.
const CEL_EVENTS: [&str; 12] = [
    "CHAN_START",
    "CHAN_END",
    "ANSWER",
    "HANGUP",
    "BRIDGE_START",
    "BRIDGE_END",
    "BRIDGE_ENTER",
    "BRIDGE_EXIT",
    "APP_START",
    "APP_END",
    "LINKEDID_END",
    "PARK_START",
];

/// Header words of other tables users keep beside their call records.
const KINDS: [(&[&str], &str, &str); 3] = [
    (
        &[
            "交易", "金额", "收/支", "收支", "付款", "收款", "商户", "订单",
        ],
        "收付款流水或账单（如支付宝、微信支付、银行流水导出）",
        "a payment statement (e.g. an Alipay, WeChat Pay or bank export)",
    ),
    (&["姓名", "身份证", "社保"], "人员名单", "a staff list"),
    (&["投诉"], "投诉台账", "a complaint log"),
];

/// The kinds of value found in a column, judged from a sample of rows.
/// `time` and `phone` are loose, because they only decide whether a table
/// may be call records. `date_time` and `phone_number` are strict, so a
/// proposed mapping names a column only when its values clearly fit.
#[derive(Clone, Copy, Debug, Default)]
struct ColumnGuess {
    time: bool,
    phone: bool,
    date_time: bool,
    phone_number: bool,
    direction: bool,
    disposition: bool,
    integer: bool,
}

/// Seconds since 1970 of 1990-01-01 and 2100-01-01: call times outside
/// them are no call times.
const PLAUSIBLE_EPOCHS: std::ops::Range<i64> = 631_152_000..4_102_444_800;

/// Tells a written date with a time of day, or a workbook date-time cell.
/// Bare numbers (epoch seconds, serials) do not count, because account
/// numbers and amounts look the same.
fn is_date_time(v: CellRef<'_>, tz: FixedOffset) -> bool {
    let written = matches!(v, CellRef::DateTime(_))
        || matches!(v, CellRef::Text(t) if !t.trim().bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    written
        && parse_time(v, tz, None).is_some_and(|s| {
            PLAUSIBLE_EPOCHS.contains(&s.epoch)
                && !matches!(s.form, TimeForm::EpochSeconds | TimeForm::EpochMillis)
        })
}

/// Tells a value that is clearly a phone number: a Chinese mobile, a number
/// with its area code, a 400/800 service number or an international
/// number. Short digit strings (extensions, counts, codes) do not count.
fn is_phone_number(v: CellRef<'_>) -> bool {
    // `1690325492.2` (an Asterisk unique id) is a decimal, not a number
    // written with dots.
    let text = v.to_text();
    if text.contains('.') && text.trim().parse::<f64>().is_ok() {
        return false;
    }
    let NumberValue::Ok(d) = normalize_number(v, None) else {
        return false;
    };
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    is_mobile(&d)
        || (d.starts_with("00") && (8..=17).contains(&d.len()))
        || (d.starts_with('0') && (10..=12).contains(&d.len()))
        || ((d.starts_with("400") || d.starts_with("800")) && d.len() == 10)
}

/// Builds the rejection of a table whose header names no call-record columns.
pub(crate) fn not_call_records(
    rows: &[BufferedRow],
    info: &SourceInfo,
    vocab: &Vocabulary,
    tz: FixedOffset,
) -> CdrError {
    let (zh, en) = looks_like(rows, vocab, tz);
    CdrError::NotCallRecords {
        file: info.file.clone(),
        sheet: info.sheet.clone(),
        looks_like_zh: zh,
        looks_like_en: en,
    }
}

/// Builds the rejection of a source with neither a known header nor a known
/// headerless layout. It is `Unmapped` (with a mapping to start from) when
/// the values contain times and numbers or directions, else `NotCallRecords`.
pub(crate) fn reject(
    rows: &[BufferedRow],
    info: &SourceInfo,
    vocab: &Vocabulary,
    tz: FixedOffset,
) -> CdrError {
    if is_cel(rows) {
        return CdrError::NotCallRecords {
            file: info.file.clone(),
            sheet: info.sheet.clone(),
            looks_like_zh: "这是 Asterisk 的 CEL 通道事件日志（每行一个事件，如 CHAN_START、ANSWER、HANGUP），不是每通电话一行的话单；请改用 cdr-csv 的 Master.csv".to_string(),
            looks_like_en: "an Asterisk CEL channel event log (one event per row, e.g. CHAN_START, ANSWER, HANGUP), not one row per call; use cdr-csv's Master.csv instead".to_string(),
        };
    }
    let header = header_like(rows);
    let data: Vec<&BufferedRow> = rows
        .iter()
        .skip(header.map_or(0, |i| i + 1))
        .take(30)
        .collect();
    let guesses = guess_columns(&data, vocab, tz);
    let timed = guesses.iter().any(|g| g.time);
    let who = guesses.iter().any(|g| g.phone || g.direction);
    if !(timed && who) {
        return not_call_records(rows, info, vocab, tz);
    }
    let names: Option<Vec<String>> = header.map(|i| rows[i].1.iter().map(Cell::text).collect());
    CdrError::Unmapped {
        file: info.file.clone(),
        sheet: info.sheet.clone(),
        columns: columns_seen(&data, names.as_deref(), guesses.len()),
        suggestion: suggest_mapping(&guesses, names.as_deref(), header.map(|i| rows[i].0)),
    }
}

fn is_cel(rows: &[BufferedRow]) -> bool {
    let sample: Vec<&BufferedRow> = rows.iter().take(10).collect();
    !sample.is_empty()
        && sample.iter().all(|(_, cells)| {
            cells.len() >= 15
                && CEL_EVENTS.contains(&cells[0].text().trim())
                && cells.get(1).is_some_and(|c| {
                    let t = c.text();
                    t.len() >= 10 && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                })
        })
}

/// Finds the first row that looks like a header: at least two non-blank cells,
/// all text that is neither a number nor a time.
fn header_like(rows: &[BufferedRow]) -> Option<usize> {
    let tz = chrono::Utc.fix();
    rows.iter().take(40).position(|(_, cells)| {
        let filled: Vec<&Cell> = cells.iter().filter(|c| !c.as_ref().is_blank()).collect();
        filled.len() >= 2
            && filled.iter().all(|c| match c.as_ref() {
                CellRef::Text(t) => {
                    let t = t.trim();
                    t.parse::<f64>().is_err() && parse_time(CellRef::Text(t), tz, None).is_none()
                }
                _ => false,
            })
    })
}

fn looks_like(rows: &[BufferedRow], vocab: &Vocabulary, tz: FixedOffset) -> (String, String) {
    let Some(h) = header_like(rows) else {
        let width = rows.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
        return (
            format!("没有可识别的表头，共 {width} 列，其中找不到时间列和号码列"),
            format!("no recognisable header, {width} columns, none of them times and numbers"),
        );
    };
    let names: Vec<String> = rows[h]
        .1
        .iter()
        .map(|c| c.text().trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let joined = names.join(" ");
    let (kind_zh, kind_en) = KINDS
        .iter()
        .find(|(words, _, _)| words.iter().any(|w| joined.contains(w)))
        .map_or(
            ("一张普通表格", "an ordinary table"),
            |(_, zh, en)| (*zh, *en),
        );
    let data: Vec<&BufferedRow> = rows.iter().skip(h + 1).take(30).collect();
    let timed = guess_columns(&data, vocab, tz).iter().any(|g| g.time);
    let (why_zh, why_en) = if timed {
        (
            "有时间列，但没有电话号码列，也没有呼叫方向（主叫/被叫）列",
            "it has a time column but no phone-number column and no call-direction column",
        )
    } else {
        ("没有通话时间列", "it has no call-time column")
    };
    (
        format!("看起来是{kind_zh}，列为：{}；{why_zh}", names.join("、")),
        format!(
            "looks like {kind_en} with the columns {}; {why_en}",
            names.join(", ")
        ),
    )
}

fn guess_columns(data: &[&BufferedRow], vocab: &Vocabulary, tz: FixedOffset) -> Vec<ColumnGuess> {
    let width = data.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    (0..width)
        .map(|col| {
            let values: Vec<CellRef<'_>> = data
                .iter()
                .filter_map(|(_, cells)| cells.get(col).map(Cell::as_ref))
                .filter(|c| !c.is_blank())
                .collect();
            let share = |f: &dyn Fn(CellRef<'_>) -> bool| {
                !values.is_empty()
                    && values.iter().filter(|v| f(**v)).count() * 10 >= values.len() * 6
            };
            ColumnGuess {
                time: share(&|v| parse_time(v, tz, None).is_some()),
                date_time: share(&|v| is_date_time(v, tz)),
                phone_number: share(&is_phone_number),
                phone: share(&|v| {
                    let t = v.to_text();
                    let t = t.trim().trim_start_matches('+');
                    (3..=16).contains(&t.len())
                        && t.bytes()
                            .all(|b| b.is_ascii_digit() || b == b'-' || b == b' ')
                }),
                direction: share(&|v| vocab.direction(&v.to_text()).is_some()),
                disposition: share(&|v| vocab.answer(&v.to_text()) != Answer::Unknown),
                integer: share(&|v| {
                    let t = v.to_text();
                    !t.is_empty() && t.len() <= 6 && t.bytes().all(|b| b.is_ascii_digit())
                }) && values
                    .iter()
                    .any(|v| v.to_text().bytes().any(|b| b != b'0')),
            }
        })
        .collect()
}

/// `3 (被叫): 1380****000 | 1390****111` lines, values masked.
fn columns_seen(data: &[&BufferedRow], names: Option<&[String]>, width: usize) -> Vec<String> {
    (0..width)
        .map(|col| {
            let samples: Vec<String> = data
                .iter()
                .filter_map(|(_, cells)| cells.get(col))
                .map(|c| mask_text(c.text().trim()))
                .filter(|t| !t.is_empty())
                .take(3)
                .collect();
            let name = names
                .and_then(|n| n.get(col))
                .map_or(String::new(), |n| format!(" ({n})"));
            format!("{}{name}: {}", col + 1, samples.join(" | "))
        })
        .collect()
}

/// Proposes a mapping from the kinds of value in the columns. A role is
/// only given to a column whose values clearly fit it: written date-times
/// become start/answer/end, the first two columns of phone numbers caller
/// and callee, and so on. The roles no column clearly fits are left as
/// commented placeholders for the user to fill in.
fn suggest_mapping(
    guesses: &[ColumnGuess],
    names: Option<&[String]>,
    header_row: Option<u64>,
) -> String {
    let reference = |col: usize| match names.and_then(|n| n.get(col)) {
        Some(name) if !name.trim().is_empty() => format!("{name:?}"),
        _ => (col + 1).to_string(),
    };
    let mut lines = vec![match header_row {
        Some(row) => format!("has_header = true\nheader_row = {row}"),
        None => "has_header = false".to_string(),
    }];
    lines.push("[columns]".to_string());

    let (roles, open) = fitting_roles(guesses);
    for (role, col) in roles {
        lines.push(format!("{role} = {}", reference(col)));
    }

    if !open.is_empty() {
        lines.push(
            "# 下列角色无法从数据判断，请填上列号（从 1 开始）或表头名称，再去掉行首的 #"
                .to_string(),
        );
        lines.push("# Roles the data does not tell: fill in a column number (from 1) or header name and remove the #".to_string());
        let phones = columns_where(guesses, |g| g.phone_number && !g.date_time);
        if let [col] = phones.as_slice() {
            lines.push(format!(
                "# 第 {} 列像电话号码：主叫填 caller，被叫填 callee，按号码出具的详单填 other_party 并写 own_number / column {} holds phone numbers: caller, callee, or other_party with own_number",
                col + 1,
                col + 1
            ));
        }
        for role in open {
            lines.push(format!("# {role} = "));
        }
    }
    lines.push(
        "# 其他角色 / other roles: call_id, agent, billed_minutes, billed_seconds, fee, outcome; time_format, time_zone, own_number".to_string(),
    );
    lines.join("\n")
}

/// Lists the 0-based columns whose guess passes `fits`.
fn columns_where(guesses: &[ColumnGuess], fits: fn(&ColumnGuess) -> bool) -> Vec<usize> {
    guesses
        .iter()
        .enumerate()
        .filter(|(_, g)| fits(g))
        .map(|(i, _)| i)
        .collect()
}

/// Gives roles to the columns that clearly fit them, in mapping order,
/// and names the main roles that no column fits.
fn fitting_roles(guesses: &[ColumnGuess]) -> (Vec<(&'static str, usize)>, Vec<&'static str>) {
    let times = columns_where(guesses, |g| g.date_time);
    let phones = columns_where(guesses, |g| g.phone_number && !g.date_time);
    let ints = columns_where(guesses, |g| g.integer && !g.phone && !g.time);
    let mut roles: Vec<(&'static str, usize)> = Vec::new();
    let mut open: Vec<&'static str> = Vec::new();

    let time_roles: &[&'static str] = match times.len() {
        0 => &[],
        1 => &["start"],
        2 => &["start", "end"],
        _ => &["start", "answer", "end"],
    };
    roles.extend(time_roles.iter().copied().zip(times.iter().copied()));
    if times.is_empty() {
        open.push("start");
    }

    // One number column alone could be the caller, the callee or the
    // other party of a per-number bill: only the user can tell.
    if phones.len() >= 2 {
        roles.extend(["caller", "callee"].into_iter().zip(phones.iter().copied()));
    } else {
        open.extend(["caller", "callee"]);
    }

    match ints.get(1).or(ints.first()) {
        Some(col) if !times.is_empty() => roles.push(("talk_seconds", *col)),
        _ => open.push("talk_seconds"),
    }

    for (i, g) in guesses.iter().enumerate() {
        if g.disposition {
            roles.push(("disposition", i));
        } else if g.direction {
            roles.push(("direction", i));
        }
    }
    (roles, open)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: u64, cells: &[&str]) -> BufferedRow {
        (n, cells.iter().map(|c| Cell::Text(c.to_string())).collect())
    }

    #[test]
    fn suggested_mapping_names_roles() {
        let rows = [
            row(1, &["from", "to", "when", "secs"]),
            row(
                2,
                &["13800138000", "13900139000", "2024-03-05 14:23:11", "62"],
            ),
            row(
                3,
                &["13800138000", "13700137000", "2024-03-05 14:30:00", "5"],
            ),
        ];
        let tz = crate::read::beijing();
        let guesses = guess_columns(
            &rows.iter().skip(1).collect::<Vec<_>>(),
            &crate::vocab::tests::vocabulary(),
            tz,
        );
        let names: Vec<String> = ["from", "to", "when", "secs"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let text = suggest_mapping(&guesses, Some(&names), Some(1));
        for want in [
            "start = \"when\"",
            "caller = \"from\"",
            "callee = \"to\"",
            "talk_seconds = \"secs\"",
        ] {
            assert!(text.contains(want), "{want} missing in\n{text}");
        }
    }

    fn suggestion(rows: &[BufferedRow], header_row: Option<u64>) -> String {
        let tz = crate::read::beijing();
        let skip = usize::from(header_row.is_some());
        let data: Vec<&BufferedRow> = rows.iter().skip(skip).collect();
        let guesses = guess_columns(&data, &crate::vocab::tests::vocabulary(), tz);
        let names: Option<Vec<String>> =
            header_row.map(|_| rows[0].1.iter().map(Cell::text).collect());
        suggest_mapping(&guesses, names.as_deref(), header_row)
    }

    #[test]
    fn single_number_column_left_open() {
        // An Asterisk custom export: SIP user, extension, times, unique id.
        let rows = [
            row(
                1,
                &[
                    "client1",
                    "6789",
                    "2023-07-26 01:51:32",
                    "31",
                    "13",
                    "1690325492.2",
                ],
            ),
            row(
                2,
                &[
                    "client2",
                    "1234",
                    "2023-07-26 01:52:11",
                    "30",
                    "0",
                    "1690325531.5",
                ],
            ),
            row(
                3,
                &[
                    "client2",
                    "1234",
                    "2023-07-26 01:54:19",
                    "17",
                    "13",
                    "1690325659.8",
                ],
            ),
        ];

        let text = suggestion(&rows, None);

        assert!(text.contains("start = 3"), "{text}");
        assert!(!text.lines().any(|l| l.starts_with("caller")), "{text}");
        assert!(text.contains("# caller = "), "{text}");
        assert!(text.contains("# callee = "), "{text}");
    }

    #[test]
    fn account_numbers_and_integer_dates_get_no_role() {
        let rows = [
            row(1, &["成交日期", "成交时间", "股东账号", "资金账号"]),
            row(2, &["20220119", "11:01:07", "A123456789", "1234567899"]),
            row(3, &["20220112", "10:51:44", "1234567890", "1234567899"]),
            row(4, &["20220119", "13:59:35", "1234567890", "1234567899"]),
        ];

        let text = suggestion(&rows, Some(1));

        let roles: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains(" = "))
            .filter(|l| !l.starts_with("has_header") && !l.starts_with("header_row"))
            .collect();
        assert_eq!(roles, Vec::<&str>::new(), "{text}");
        assert!(text.contains("# start = "), "{text}");
    }
}
