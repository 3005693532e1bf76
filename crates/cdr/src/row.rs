//! One data row: parsing its cells under a [`Plan`] into a [`Parsed`] row,
//! and adding a parsed row to the side's figures.

use chrono::FixedOffset;
use nianshen_table::{CellRef, RowView};

use crate::layout::Plan;
use crate::mapping::Role;
use crate::model::BadRow;
use crate::normalize::{
    leading_zero_lost, mask_text, normalize_number, parse_billed, parse_column_time,
    parse_duration, Billed, NumberValue, Stamp,
};
use crate::signals::FileSignals;
use crate::vocab::{is_word, Answer, Direction, Vocabulary};

/// Why an answered row cannot be matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unusable {
    NoCaller,
    NoCallee,
    MaskedCaller,
    MaskedCallee,
    DamagedCaller,
    DamagedCallee,
    NoOwnNumber,
    NoDirection,
}

/// Gives the reason texts (Chinese, English) of an unusable-row reason id,
/// such as `no_caller`, for text output.
pub fn unusable_reason(id: &str) -> Option<(&'static str, &'static str)> {
    [
        Unusable::NoCaller,
        Unusable::NoCallee,
        Unusable::MaskedCaller,
        Unusable::MaskedCallee,
        Unusable::DamagedCaller,
        Unusable::DamagedCallee,
        Unusable::NoOwnNumber,
        Unusable::NoDirection,
    ]
    .into_iter()
    .find(|u| u.id() == id)
    .map(Unusable::texts)
}

impl Unusable {
    pub(crate) fn id(self) -> &'static str {
        match self {
            Unusable::NoCaller => "no_caller",
            Unusable::NoCallee => "no_callee",
            Unusable::MaskedCaller => "masked_caller",
            Unusable::MaskedCallee => "masked_callee",
            Unusable::DamagedCaller => "scientific_caller",
            Unusable::DamagedCallee => "scientific_callee",
            Unusable::NoOwnNumber => "no_own_number",
            Unusable::NoDirection => "no_direction",
        }
    }

    pub(crate) fn texts(self) -> (&'static str, &'static str) {
        match self {
            Unusable::NoCaller => ("主叫号码为空", "caller number is empty"),
            Unusable::NoCallee => ("被叫号码为空", "callee number is empty"),
            Unusable::MaskedCaller => ("主叫号码被脱敏（如 138****1234），无法核对", "caller number is masked (e.g. 138****1234)"),
            Unusable::MaskedCallee => ("被叫/对方号码被脱敏（如 138****1234 或写成表头文字），无法核对", "callee or other-party number is masked (e.g. 138****1234 or the header text)"),
            Unusable::DamagedCaller => ("主叫号码是科学计数法（如 1.38E+10），数字已丢失", "caller number is in scientific notation (e.g. 1.38E+10): its digits are lost"),
            Unusable::DamagedCallee => ("被叫号码是科学计数法（如 1.38E+10），数字已丢失", "callee number is in scientific notation (e.g. 1.38E+10): its digits are lost"),
            Unusable::NoOwnNumber => ("按号码出具的详单没有本机号码（标题行和映射 own_number 都没有）", "per-number bill without its own number (neither in the title rows nor as own_number in the mapping)"),
            Unusable::NoDirection => ("只有对方号码，但呼叫类型（主叫/被叫）为空或无法识别", "only the other party is given and the direction (主叫/被叫) is empty or unknown"),
        }
    }
}

/// A data row after parsing, before it is added to the figures.
#[derive(Clone, Debug)]
pub(crate) struct Parsed {
    pub row: u64,
    pub caller: NumberValue,
    pub callee: NumberValue,
    pub time: Stamp,
    pub talk_secs: u32,
    /// The billed cell as written, else ceil(talk / 60) minutes; see
    /// [`crate::Record::billed_min`].
    pub billed_min: u32,
    /// `billed_min` comes from the bill's billed column.
    pub billed_read: bool,
    /// The billed cell is a duration, so `billed_min` is in seconds.
    pub billed_duration: bool,
    /// The billed cell as written when it has text that is no number.
    pub billed_garbled: Option<String>,
    pub answered: bool,
    pub conflict: bool,
    pub outbound: bool,
    pub agent: Option<String>,
    pub success: bool,
    pub masked_cells: u32,
    pub unusable: Option<Unusable>,
    pub call_id: Option<String>,
    pub bleg: Option<String>,
}

/// Context of the row being parsed.
pub(crate) struct RowCtx<'a> {
    pub plan: &'a Plan,
    pub vocab: &'a Vocabulary,
    pub signals: &'a mut FileSignals,
    pub unmask: bool,
    pub now: i64,
}

/// A row that cannot be read: its column, value and reason.
pub(crate) struct Unreadable {
    pub column: Option<String>,
    pub value: String,
    pub zh: &'static str,
    pub en: &'static str,
}

/// Parses one data row.
pub(crate) fn parse(
    view: RowView<'_>,
    row: u64,
    ctx: &mut RowCtx<'_>,
) -> Result<Parsed, Unreadable> {
    let plan = ctx.plan;
    let cell = |role: Role| plan.col(role).map_or(CellRef::Empty, |c| view.get(c));
    // Text cells are borrowed; only workbook numbers and dates are formatted.
    let text = |role: Role| -> std::borrow::Cow<'_, str> {
        match cell(role) {
            CellRef::Text(t) => std::borrow::Cow::Borrowed(t),
            other => std::borrow::Cow::Owned(other.to_text()),
        }
    };

    let (start, answer, end) = parse_times(&cell, plan)?;
    let Some(time) = (if plan.has(Role::Answer) {
        answer.or(start)
    } else {
        start.or(answer)
    }) else {
        return Err(missing_time(&cell, plan));
    };
    if u32::try_from(time.epoch).is_err() {
        return Err(time_out_of_range(&cell, plan));
    }
    note_times(ctx, row, time, start, answer, end);

    let talk_secs = talk(&cell, plan, start, answer, end)?;
    let disposition = plan
        .has(Role::Disposition)
        .then(|| ctx.vocab.answer(&text(Role::Disposition)));
    let answered = match disposition {
        Some(Answer::Yes) => true,
        Some(Answer::No) => false,
        _ if plan.has(Role::Answer) => answer.is_some(),
        // A disposition column with an unknown word: talk time decides.
        _ if plan.has(Role::Disposition) => talk_secs > 0,
        // No disposition and no answer time: a bill listing billed calls only.
        _ => true,
    };
    let conflict = matches!(
        (disposition, talk_secs),
        (Some(Answer::Yes), 0) | (Some(Answer::No), 1..)
    );
    if answered {
        note_talk(ctx, row, talk_secs, answer, end);
    }

    let direction = plan
        .has(Role::Direction)
        .then(|| ctx.vocab.direction(&text(Role::Direction)))
        .flatten();
    let (caller, callee, unusable_dir) = numbers(&cell, plan, direction);
    let masked_cells = [&caller, &callee]
        .iter()
        .filter(|n| ***n == NumberValue::Masked)
        .count() as u32;
    note_numbers(ctx, row, &caller, &callee, time, talk_secs);

    // In the column's unit, which is decided once the file is read.
    let billed_cell = plan
        .billed_role()
        .and_then(|role| plan.col(role))
        .map(|c| view.get(c));
    let billed = billed_cell.and_then(parse_billed);
    let billed_read = billed.is_some();
    let billed_duration = matches!(billed, Some(Billed::Seconds(_)));
    let billed_garbled = billed_cell
        .filter(|c| billed.is_none() && !c.is_blank())
        .map(|c| c.to_text());
    let billed_min = match billed {
        Some(Billed::Plain(n) | Billed::Seconds(n)) => n,
        None => talk_secs.div_ceil(60),
    };
    let agent = plan
        .has(Role::Agent)
        .then(|| text(Role::Agent).trim().to_string())
        .filter(|a| !a.is_empty());
    let success = plan.has(Role::Outcome) && is_word(&plan.success, text(Role::Outcome).trim());
    let call_id = plan
        .has(Role::CallId)
        .then(|| text(Role::CallId).trim().to_string())
        .filter(|s| !s.is_empty());
    if let Some(id) = &call_id {
        ctx.signals.call_id(row, id);
    }
    let bleg = plan
        .bleg_col
        .map(|c| view.get(c).to_text())
        .filter(|s| !s.trim().is_empty());
    // A masked or damaged number is the more useful reason than a missing own number.
    let damaged = [
        number_problem(&caller, true),
        number_problem(&callee, false),
    ]
    .into_iter()
    .flatten()
    .find(|u| !matches!(u, Unusable::NoCaller | Unusable::NoCallee));
    let unusable = damaged
        .or(unusable_dir)
        .or_else(|| number_problem(&caller, true))
        .or_else(|| number_problem(&callee, false));

    Ok(Parsed {
        row,
        caller,
        callee,
        time,
        talk_secs,
        billed_min,
        billed_read,
        billed_duration,
        billed_garbled,
        answered,
        conflict,
        // Without a direction column every row counts as outbound.
        outbound: !plan.has(Role::Direction) || direction == Some(Direction::Outbound),
        agent,
        success,
        masked_cells,
        unusable,
        call_id,
        bleg,
    })
}

type Times = (Option<Stamp>, Option<Stamp>, Option<Stamp>);

fn parse_times<'a>(cell: &dyn Fn(Role) -> CellRef<'a>, plan: &Plan) -> Result<Times, Unreadable> {
    let mut out = [None, None, None];
    let date = Some(cell(Role::StartDate)).filter(|d| plan.has(Role::StartDate) && !d.is_blank());
    for (i, role) in [Role::Start, Role::Answer, Role::End]
        .into_iter()
        .enumerate()
    {
        let c = cell(role);
        if c.is_blank() {
            continue;
        }
        let alone = parse_column_time(c, plan.tz, plan.time_format.as_deref());
        match alone.or_else(|| on_date(date.as_ref()?, &c, plan)) {
            Some(s) => out[i] = Some(s),
            // An unparsable end time does not make the call unreadable.
            None if role == Role::End => {}
            None => {
                return Err(Unreadable {
                    column: plan.name(role).map(str::to_string),
                    value: c.to_text(),
                    zh: "时间无法识别",
                    en: "time not recognised",
                })
            }
        }
    }
    Ok((out[0], out[1], out[2]))
}

/// Parses a time of day on the day of the row's date column: the date's
/// text up to its first space or `T`, then the time.
fn on_date(date: &CellRef<'_>, time: &CellRef<'_>, plan: &Plan) -> Option<crate::normalize::Stamp> {
    let date = date.to_text();
    let day = date.trim().split([' ', 'T']).next()?;
    let both = format!("{day} {}", time.to_text().trim());
    parse_column_time(CellRef::Text(&both), plan.tz, plan.time_format.as_deref())
}

fn missing_time<'a>(cell: &dyn Fn(Role) -> CellRef<'a>, plan: &Plan) -> Unreadable {
    let role = if plan.has(Role::Start) {
        Role::Start
    } else {
        Role::Answer
    };
    Unreadable {
        column: plan.name(role).map(str::to_string),
        value: cell(role).to_text(),
        zh: "缺少通话时间",
        en: "call time missing",
    }
}

fn time_out_of_range<'a>(cell: &dyn Fn(Role) -> CellRef<'a>, plan: &Plan) -> Unreadable {
    let role = if plan.has(Role::Answer) && !cell(Role::Answer).is_blank() {
        Role::Answer
    } else {
        Role::Start
    };
    Unreadable {
        column: plan.name(role).map(str::to_string),
        value: cell(role).to_text(),
        zh: "时间不在 1970–2106 年之间，无法核对",
        en: "time outside 1970–2106, cannot be matched",
    }
}

fn talk<'a>(
    cell: &dyn Fn(Role) -> CellRef<'a>,
    plan: &Plan,
    start: Option<Stamp>,
    answer: Option<Stamp>,
    end: Option<Stamp>,
) -> Result<u32, Unreadable> {
    if plan.has(Role::TalkSeconds) {
        let c = cell(Role::TalkSeconds);
        if c.is_blank() {
            return Ok(0);
        }
        return parse_duration(c).ok_or_else(|| Unreadable {
            column: plan.name(Role::TalkSeconds).map(str::to_string),
            value: c.to_text(),
            zh: "通话时长无法识别",
            en: "talk time not recognised",
        });
    }
    let from = if plan.has(Role::Answer) {
        answer
    } else {
        start
    };
    Ok(match (from, end) {
        (Some(a), Some(e)) if e.epoch >= a.epoch => (e.epoch - a.epoch) as u32,
        _ => 0,
    })
}

/// Caller and callee; for bills made per number, from the own number, the
/// other party and the direction.
fn numbers<'a>(
    cell: &dyn Fn(Role) -> CellRef<'a>,
    plan: &Plan,
    direction: Option<Direction>,
) -> (NumberValue, NumberValue, Option<Unusable>) {
    let number = |role: Role| normalize_number(cell(role), plan.name(role));
    if !plan.is_per_number() {
        return (number(Role::Caller), number(Role::Callee), None);
    }
    let other = number(Role::OtherParty);
    // The own number: a caller column of such a bill (计费号码) gives it
    // per row; else the title rows or the mapping.
    let own = Some(number(Role::Caller))
        .filter(|n| plan.has(Role::Caller) && *n != NumberValue::Missing)
        .unwrap_or_else(|| {
            plan.own_number
                .as_deref()
                .map_or(NumberValue::Missing, |n| {
                    normalize_number(CellRef::Text(n), None)
                })
        });
    let no_own = (own == NumberValue::Missing).then_some(Unusable::NoOwnNumber);
    match direction {
        Some(Direction::Outbound) => (own, other.clone(), no_own),
        Some(Direction::Inbound) => (other, own, no_own),
        None => (own, other, Some(Unusable::NoDirection)),
    }
}

fn number_problem(n: &NumberValue, caller: bool) -> Option<Unusable> {
    match (n, caller) {
        (NumberValue::Ok(_), _) => None,
        (NumberValue::Missing, true) => Some(Unusable::NoCaller),
        (NumberValue::Missing, false) => Some(Unusable::NoCallee),
        (NumberValue::Masked, true) => Some(Unusable::MaskedCaller),
        (NumberValue::Masked, false) => Some(Unusable::MaskedCallee),
        (NumberValue::Scientific, true) => Some(Unusable::DamagedCaller),
        (NumberValue::Scientific, false) => Some(Unusable::DamagedCallee),
    }
}

fn note_times(
    ctx: &mut RowCtx<'_>,
    row: u64,
    time: Stamp,
    start: Option<Stamp>,
    answer: Option<Stamp>,
    end: Option<Stamp>,
) {
    let offset = ctx.plan.tz.local_minus_utc() as i64;
    ctx.signals.stamp(
        row,
        time.form,
        time.has_seconds,
        (time.epoch + offset).rem_euclid(60),
    );
    if let (Some(s), Some(e)) = (start.or(answer), end) {
        if e.epoch < s.epoch {
            let tz = ctx.plan.tz;
            ctx.signals.hit_texts("end_before_start", row, || {
                let (from, to) = (fmt_time(s.epoch, tz), fmt_time(e.epoch, tz));
                (
                    format!("start {from}, end {to}"),
                    format!("开始 {from}，挂机 {to}"),
                )
            });
        }
    }
    if time.epoch > ctx.now + 86_400 {
        ctx.signals
            .hit("future_time", row, || fmt_time(time.epoch, ctx.plan.tz));
    }
}

fn note_talk(ctx: &mut RowCtx<'_>, row: u64, talk: u32, answer: Option<Stamp>, end: Option<Stamp>) {
    if !ctx.plan.has(Role::TalkSeconds) {
        return;
    }
    if let (Some(a), Some(e)) = (answer, end) {
        let span = e.epoch - a.epoch;
        if (span - i64::from(talk)).abs() > 1 {
            ctx.signals.hit_texts("talk_vs_answer_end", row, || {
                (
                    format!("talk {talk} s, end - answer {span} s"),
                    format!("通话时长 {talk} 秒，挂机 − 应答 {span} 秒"),
                )
            });
        }
    }
}

fn note_numbers(
    ctx: &mut RowCtx<'_>,
    row: u64,
    caller: &NumberValue,
    callee: &NumberValue,
    time: Stamp,
    talk: u32,
) {
    let unmask = ctx.unmask;
    for n in [caller, callee] {
        match n {
            NumberValue::Scientific => ctx.signals.hit("scientific_notation", row, String::new),
            NumberValue::Ok(d) if leading_zero_lost(d) => {
                ctx.signals
                    .hit("leading_zero_lost", row, || show(d, unmask));
            }
            _ => {}
        }
    }
    let key = (caller, callee, time.epoch, talk);
    ctx.signals.identity(row, key, || match (caller, callee) {
        (NumberValue::Ok(a), NumberValue::Ok(b)) => {
            format!("{} → {}", show(a, unmask), show(b, unmask))
        }
        _ => String::new(),
    });
}

/// Formats a number or cell value for output, its phone and ID numbers
/// masked unless unmasking was requested.
pub(crate) fn show(n: &str, unmask: bool) -> String {
    if unmask {
        n.to_string()
    } else {
        mask_text(n)
    }
}

/// `YYYY-MM-DD HH:MM:SS` in the given offset.
pub(crate) fn fmt_time(epoch: i64, tz: FixedOffset) -> String {
    use chrono::{Datelike, Timelike};
    // Written field by field: a format string is parsed again on every
    // call, and the lists write one of these per row.
    chrono::DateTime::from_timestamp(epoch, 0)
        .map(|t| {
            let t = t.with_timezone(&tz);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_default()
}

/// A bad-row entry for an unreadable row.
pub(crate) fn bad_row(
    file: &std::path::Path,
    sheet: &Option<String>,
    row: u64,
    u: &Unreadable,
    unmask: bool,
) -> BadRow {
    BadRow {
        kind: crate::model::BadRowKind::Unreadable,
        file: file.to_path_buf(),
        sheet: sheet.clone(),
        row,
        column: u.column.clone(),
        value: show(u.value.trim(), unmask),
        reason_zh: u.zh.to_string(),
        reason_en: u.en.to_string(),
    }
}
