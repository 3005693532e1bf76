//! Normalising cell values: phone numbers, timestamps, durations, amounts.
//!
//! Digits and separators (spaces, `-`, `(`, `)`, `.`, a leading `+`) make a
//! phone number, and its separators are dropped. China's `+86`/`0086`/`86`
//! prefix is removed with the area-code zero kept, and other country codes
//! become `00` + code. A value with letters is an identifier kept as written.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use nianshen_table::{normalize_header, CellRef};

/// A number cell after normalising.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NumberValue {
    /// Digits (or an identifier such as a SIP user).
    Ok(String),
    /// Empty cell.
    Missing,
    /// Placeholder text: `***`, `138****1234`, or the column's own header.
    Masked,
    /// Scientific notation (`1.38001E+10`): the digits are lost.
    Scientific,
}

/// Normalises a caller, callee or other-party cell. `header` is the
/// column's header text, which some exports write into every row instead
/// of the number.
pub fn normalize_number(cell: CellRef<'_>, header: Option<&str>) -> NumberValue {
    let text = match cell {
        CellRef::Empty => return NumberValue::Missing,
        CellRef::Number(n) if n.fract() != 0.0 || n.abs() >= 1e16 => {
            return NumberValue::Scientific
        }
        CellRef::Text(s) => s,
        other => return normalize_number_text(&other.to_text(), header),
    };
    normalize_number_text(text, header)
}

fn normalize_number_text(raw: &str, header: Option<&str>) -> NumberValue {
    let s = unwrap_excel_text(raw.trim());
    if s.is_empty() {
        return NumberValue::Missing;
    }
    if is_masked(s) {
        return NumberValue::Masked;
    }
    // A header text is never all digits, so numbers skip the comparison.
    let digits_only = s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only && header.is_some_and(|h| normalize_header(h) == normalize_header(s)) {
        return NumberValue::Masked;
    }
    if is_scientific(s) {
        return NumberValue::Scientific;
    }
    match phone_digits(without_extension(s)) {
        Some((digits, plus)) => NumberValue::Ok(strip_country(&digits, plus)),
        None => NumberValue::Ok(s.to_string()),
    }
}

/// Placeholder stars: `***`, `138****1234`. A single leading star is a
/// PBX feature code (`*97`), not a mask.
fn is_masked(s: &str) -> bool {
    let stars = s.chars().filter(|c| *c == '*' || *c == '＊').count();
    stars >= 2 || (stars == 1 && !s.starts_with(['*', '＊']))
}

/// Excel's ways of keeping digits as text: a leading apostrophe or `="…"`.
fn unwrap_excel_text(s: &str) -> &str {
    if let Some(inner) = s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        return inner.trim();
    }
    s.strip_prefix('\'').unwrap_or(s).trim()
}

/// `1.38001E+10`, `1.38E10`, `8.6E+12`.
pub fn is_scientific(s: &str) -> bool {
    let s = s.trim();
    let Some((mantissa, exp)) = s.split_once(['e', 'E']) else {
        return false;
    };
    let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    let mut parts = mantissa.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("0");
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

/// The digits of a value made of digits and separators, and whether it
/// started with `+`.
fn phone_digits(s: &str) -> Option<(String, bool)> {
    let (plus, body) = match s.strip_prefix('+').or_else(|| s.strip_prefix('＋')) {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let mut digits = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '(' | ')' | '.' | '\u{3000}' => {}
            _ => return None,
        }
    }
    (!digits.is_empty()).then_some((digits, plus))
}

/// A Chinese mobile number: 11 digits, `1`, then 3–9.
pub fn is_mobile(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}

fn strip_country(d: &str, plus: bool) -> String {
    let china = |rest: &str| {
        if is_mobile(rest) || rest.starts_with('0') {
            rest.to_string()
        } else {
            format!("0{rest}")
        }
    };
    if plus {
        return match d.strip_prefix("86") {
            Some(rest) if !rest.is_empty() => china(rest),
            _ => format!("00{d}"),
        };
    }
    if let Some(rest) = d.strip_prefix("0086").filter(|r| !r.is_empty()) {
        return china(rest);
    }
    // 86 without + or 00: a mobile (13 digits) or a landline whose
    // area-code zero went with the country code (12 or 13 digits,
    // 8675585166601 for 0755-85166601).
    if (12..=13).contains(&d.len()) && d.starts_with("86") && !d[2..].starts_with('0') {
        let rest = &d[2..];
        // 1 and then 3–9 begins a mobile number, 10 Beijing's area code.
        let mobile_like =
            rest.starts_with('1') && matches!(rest.as_bytes().get(1), Some(b'3'..=b'9'));
        if is_mobile(rest) || !mobile_like {
            return china(rest);
        }
    }
    d.to_string()
}

/// Returns a phone number without an extension written after it
/// (`0755-85166601转801`, `…ext.801`, `…#801`): the carrier bills the
/// number, the extension is the company's own.
fn without_extension(s: &str) -> &str {
    for marker in ["转", "ext.", "ext", "EXT", "Ext", "分机", "#"] {
        let Some(i) = s.rfind(marker) else {
            continue;
        };
        let (head, tail) = (s[..i].trim_end(), s[i + marker.len()..].trim());
        let head_digits = head.bytes().filter(u8::is_ascii_digit).count();
        if head_digits >= 7
            && (1..=6).contains(&tail.len())
            && tail.bytes().all(|b| b.is_ascii_digit())
        {
            return head.trim_end_matches(['-', ' ', '(', '（']);
        }
    }
    s
}

/// True for digits that look like a landline whose area-code zero was lost
/// (`755…` instead of `0755…`), e.g. after a round trip through Excel.
pub fn leading_zero_lost(d: &str) -> bool {
    (10..=11).contains(&d.len())
        && d.bytes().all(|b| b.is_ascii_digit())
        && (b'2'..=b'9').contains(&d.as_bytes()[0])
}

/// Masks a phone or ID number for output: `138****1234`,
/// `440***********123X`. Short extensions stay as they are, and so does
/// anything that is neither made of digits and separators nor an ID
/// number (identifiers, timestamps).
pub fn mask_number(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
    if !is_id_number(s) && (digits < 5 || phone_digits(s).is_none()) {
        return s.to_string();
    }
    keep_ends(&chars)
}

/// Masks every phone and ID number inside a free text, such as a row that
/// could not be read or a cell with a name beside the number. A whole
/// value is masked as [`mask_number`] does, else each run of 7 or more
/// digits (with an ID number's trailing `X`).
pub fn mask_text(s: &str) -> String {
    let whole = mask_number(s.trim());
    if whole != s.trim() {
        return whole;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run == 0 {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut end = i + run;
        // 17 digits and X is an 18-character ID, 14 and X a 15-character one.
        if matches!(run, 14 | 17) && matches!(chars.get(end), Some('X' | 'x')) {
            end += 1;
        }
        let token = &chars[i..end];
        if run >= 7 {
            out.push_str(&keep_ends(token));
        } else {
            out.extend(token);
        }
        i = end;
    }
    out
}

/// Tells a Chinese resident ID number: 15 digits, or 17 digits and a
/// check character (a digit or `X`).
fn is_id_number(s: &str) -> bool {
    let b = s.as_bytes();
    match b.len() {
        15 => b.iter().all(u8::is_ascii_digit),
        18 => b[..17].iter().all(u8::is_ascii_digit) && matches!(b[17], b'0'..=b'9' | b'X' | b'x'),
        _ => false,
    }
}

/// Keeps the first 3 and last 4 characters (1 and 1 of short values) and
/// stars the rest.
fn keep_ends(chars: &[char]) -> String {
    let n = chars.len();
    if n < 3 {
        return "*".repeat(n);
    }
    let (keep_head, keep_tail) = if n >= 7 { (3, 4) } else { (1, 1) };
    let head: String = chars[..keep_head].iter().collect();
    let tail: String = chars[n - keep_tail..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(n - keep_head - keep_tail))
}

/// A parsed timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Seconds since 1970-01-01 UTC.
    pub epoch: i64,
    /// False when the written form had no seconds (`2024/3/5 14:23`).
    pub has_seconds: bool,
    /// The written form, to spot files that mix forms.
    pub form: TimeForm,
}

/// The written forms of timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeForm {
    Dashed,
    Slashed,
    Dotted,
    Chinese,
    Iso,
    Compact,
    EpochSeconds,
    EpochMillis,
    Workbook,
    Custom,
}

impl TimeForm {
    /// Names the form in words, in Chinese and in English.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            TimeForm::Dashed => ("2024-03-05 14:23:11 式", "2024-03-05 14:23:11 style"),
            TimeForm::Slashed => ("2024/3/5 14:23 式", "2024/3/5 14:23 style"),
            TimeForm::Dotted => ("2024.03.05 14:23 式", "2024.03.05 14:23 style"),
            TimeForm::Chinese => ("2024年3月5日 14时23分 式", "2024年3月5日 14时23分 style"),
            TimeForm::Iso => (
                "ISO 8601 式（2024-03-05T14:23:11）",
                "ISO 8601 (2024-03-05T14:23:11)",
            ),
            TimeForm::Compact => ("20240305142311 式", "20240305142311 style"),
            TimeForm::EpochSeconds => ("Unix 时间戳（秒）", "Unix time in seconds"),
            TimeForm::EpochMillis => ("Unix 时间戳（毫秒）", "Unix time in milliseconds"),
            TimeForm::Workbook => ("Excel 日期或序列号", "Excel dates or serial numbers"),
            TimeForm::Custom => ("映射中的 time_format", "the mapping's time_format"),
        }
    }
}

/// Parses a time cell. `tz` is the offset of timestamps that carry none;
/// `format` a mapping's strftime format, tried first.
pub fn parse_time(cell: CellRef<'_>, tz: FixedOffset, format: Option<&str>) -> Option<Stamp> {
    match cell {
        CellRef::Empty | CellRef::Bool(_) | CellRef::Duration(_) => None,
        CellRef::DateTime(naive) => local(naive, tz, true, TimeForm::Workbook),
        CellRef::Number(n) => parse_time_number(n, tz),
        CellRef::Text(s) => {
            let s = s.trim();
            if let Some(fmt) = format {
                if let Some((naive, offset)) = parse_with_format(s, fmt) {
                    let secs = fmt.contains("%S") || fmt.contains("%T");
                    return local(naive, offset.unwrap_or(tz), secs, TimeForm::Custom);
                }
            }
            parse_time_text(s, tz)
        }
    }
}

/// Parses `text` with a mapping's strftime `format`, returning the local
/// date-time and, when the format reads an offset (`%z`, `%:z`), that
/// offset.
pub(crate) fn parse_with_format(
    text: &str,
    format: &str,
) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
    if format.contains('z') && format.contains('%') {
        if let Ok(t) = chrono::DateTime::parse_from_str(text, format) {
            return Some((t.naive_local(), Some(*t.offset())));
        }
    }
    NaiveDateTime::parse_from_str(text, format)
        .ok()
        .map(|naive| (naive, None))
}

/// Parses a cell of a column already known to hold times: as
/// [`parse_time`], and also an Excel serial written as text (`45352.5`,
/// from a workbook saved as CSV) between 1990 and 2100. Elsewhere such a
/// number may be an amount or a count, so only a time column reads it.
pub(crate) fn parse_column_time(
    cell: CellRef<'_>,
    tz: FixedOffset,
    format: Option<&str>,
) -> Option<Stamp> {
    parse_time(cell, tz, format).or_else(|| match cell {
        CellRef::Text(s) => text_serial(s.trim(), tz),
        _ => None,
    })
}

/// Serials of 1990-01-01 and 2100-01-01.
const PLAUSIBLE_SERIALS: std::ops::Range<f64> = 32_874.0..73_051.0;

fn text_serial(s: &str, tz: FixedOffset) -> Option<Stamp> {
    let plain = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.bytes().filter(|b| *b == b'.').count() <= 1;
    let n: f64 = s.parse().ok().filter(|_| plain)?;
    if !PLAUSIBLE_SERIALS.contains(&n) {
        return None;
    }
    parse_time_number(n, tz)
}

fn local(
    naive: NaiveDateTime,
    tz: FixedOffset,
    has_seconds: bool,
    form: TimeForm,
) -> Option<Stamp> {
    let epoch = tz.from_local_datetime(&naive).single()?.timestamp();
    Some(Stamp {
        epoch,
        has_seconds,
        form,
    })
}

fn parse_time_number(n: f64, tz: FixedOffset) -> Option<Stamp> {
    let absolute = |epoch: i64, form| {
        Some(Stamp {
            epoch,
            has_seconds: true,
            form,
        })
    };
    if (20_000.0..80_000.0).contains(&n) {
        // An Excel serial without a date format: days since 1899-12-30.
        let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
        let naive = base + chrono::Duration::milliseconds((n * 86_400_000.0).round() as i64);
        return local(naive, tz, true, TimeForm::Workbook);
    }
    if (1e9..1e10).contains(&n) {
        return absolute(n as i64, TimeForm::EpochSeconds);
    }
    if (1e12..1e13).contains(&n) {
        return absolute((n / 1000.0) as i64, TimeForm::EpochMillis);
    }
    if (1e13..1e14).contains(&n) && n.fract() == 0.0 {
        return parse_time_text(&format!("{}", n as i64), tz);
    }
    None
}

fn parse_time_text(s: &str, tz: FixedOffset) -> Option<Stamp> {
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return parse_digits(s, tz);
    }
    if let Some((int, frac)) = s.split_once('.') {
        if int.len() == 10
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
        {
            let epoch: i64 = int.parse().ok()?;
            return Some(Stamp {
                epoch,
                has_seconds: true,
                form: TimeForm::EpochSeconds,
            });
        }
    }
    parse_calendar(s, tz)
}

fn parse_digits(s: &str, tz: FixedOffset) -> Option<Stamp> {
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    match s.len() {
        14 | 12 => {
            let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(4..6)?, num(6..8)?)?;
            let sec = if s.len() == 14 { num(12..14)? } else { 0 };
            let naive = date.and_hms_opt(num(8..10)?, num(10..12)?, sec)?;
            local(naive, tz, s.len() == 14, TimeForm::Compact)
        }
        10 => Some(Stamp {
            epoch: s.parse().ok()?,
            has_seconds: true,
            form: TimeForm::EpochSeconds,
        }),
        13 => Some(Stamp {
            epoch: s.parse::<i64>().ok()? / 1000,
            has_seconds: true,
            form: TimeForm::EpochMillis,
        }),
        _ => None,
    }
}

/// A small cursor over the bytes of a timestamp.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn number(&mut self, max_len: usize) -> Option<u32> {
        let rest = &self.s[self.pos..];
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 || len > max_len {
            return None;
        }
        self.pos += len;
        rest[..len].parse().ok()
    }

    fn eat(&mut self, options: &[&str]) -> Option<&'a str> {
        let rest = &self.s[self.pos..];
        let hit = options.iter().find(|o| rest.starts_with(**o))?;
        self.pos += hit.len();
        Some(&self.s[self.pos - hit.len()..self.pos])
    }

    fn skip_spaces(&mut self) -> usize {
        let rest = &self.s[self.pos..];
        let n = rest.len() - rest.trim_start().len();
        self.pos += n;
        n
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }
}

/// `2024-03-05 14:23:11`, `2024/3/5 14:23`, `2024年3月5日 14时23分`,
/// `2024-03-05T14:23:11.250+08:00`, `2024-03-05T06:23:11Z`.
fn parse_calendar(s: &str, tz: FixedOffset) -> Option<Stamp> {
    let mut c = Cursor { s, pos: 0 };
    let year = c.number(4)?;
    let sep = c.eat(&["-", "/", ".", "年"])?;
    let month = c.number(2)?;
    c.eat(&["-", "/", ".", "月"])?;
    let day = c.number(2)?;
    // 2024年12月2日9时7分3秒 needs no space after the day.
    let ri = c.eat(&["日"]).is_some();
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let t = c.eat(&["T"]).is_some();
    if !t && c.skip_spaces() == 0 && !ri {
        return None;
    }
    let hour = c.number(2)?;
    c.eat(&[":", "时", "點", "点"])?;
    let minute = c.number(2)?;
    let mut second = 0;
    let mut has_seconds = false;
    if c.eat(&[":", "分"]).is_some() {
        if let Some(sec) = c.number(2) {
            second = sec;
            has_seconds = true;
            if c.eat(&[".", ","]).is_some() {
                c.number(9)?;
            }
            c.eat(&["秒"]);
        }
    }
    let naive = date.and_hms_opt(hour, minute, second)?;
    let form = match (t, sep) {
        (true, _) => TimeForm::Iso,
        (_, "/") => TimeForm::Slashed,
        (_, ".") => TimeForm::Dotted,
        (_, "年") => TimeForm::Chinese,
        _ => TimeForm::Dashed,
    };
    c.skip_spaces();
    let rest = c.rest();
    if rest.is_empty() {
        return local(naive, tz, has_seconds, form);
    }
    let offset = crate::mapping::parse_offset(rest)?;
    local(naive, offset, has_seconds, form)
}

/// Parses a duration cell to whole seconds: a number of seconds,
/// `hh:mm:ss`, `mm:ss`, `2分32秒`, `1小时2分`, a workbook duration, or a
/// workbook time without a date.
pub fn parse_duration(cell: CellRef<'_>) -> Option<u32> {
    let secs = match cell {
        CellRef::Number(n) => n,
        CellRef::Duration(d) => d,
        CellRef::DateTime(d) => time_without_date(d)?,
        CellRef::Text(s) => parse_duration_text(s.trim())?,
        _ => return None,
    };
    (0.0..4e9).contains(&secs).then(|| secs.round() as u32)
}

/// Converts a workbook time cell without a date to seconds. Such a cell is
/// a talk time formatted as a clock (`h:mm:ss`, Excel's default time
/// format) rather than as a duration (`[h]:mm:ss`). Its serial is below one
/// day, which calamine 0.38 decodes to day 0 of the date system: 1899-12-31
/// (Excel shows "1900-01-00") or 1904-01-01. A real calendar date is no
/// talk time.
fn time_without_date(d: NaiveDateTime) -> Option<f64> {
    let day_zero = [
        NaiveDate::from_ymd_opt(1899, 12, 31),
        NaiveDate::from_ymd_opt(1904, 1, 1),
    ];
    if !day_zero.contains(&Some(d.date())) {
        return None;
    }
    let midnight = d.date().and_time(chrono::NaiveTime::MIN);
    Some((d - midnight).num_milliseconds() as f64 / 1000.0)
}

fn parse_duration_text(s: &str) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.parse::<f64>() {
        return Some(n);
    }
    if let Some(n) = without_thousands(s).and_then(|t| t.parse::<f64>().ok()) {
        return Some(n);
    }
    if s.contains(':') {
        let parts: Vec<&str> = s.split(':').collect();
        if parts.len() > 3 {
            return None;
        }
        let mut total = 0.0;
        for p in parts {
            total = total * 60.0 + p.trim().parse::<f64>().ok()?;
        }
        return Some(total);
    }
    parse_unit_duration(s)
}

/// Returns `2,900` as `2900`: digits in groups of three after the first,
/// with an optional fraction. None for anything else (`1,2` is no number).
fn without_thousands(s: &str) -> Option<String> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut groups = int.split(',');
    let first = groups.next()?;
    let first_ok = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
    let rest: Vec<&str> = groups.collect();
    let rest_ok = !rest.is_empty()
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if !first_ok || !rest_ok || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut out = int.replace(',', "");
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

/// `2分32秒`, `1小时`, `5分钟`, `1h2m3s`.
fn parse_unit_duration(s: &str) -> Option<f64> {
    let units: [(&str, f64); 9] = [
        ("小时", 3600.0),
        ("时", 3600.0),
        ("h", 3600.0),
        ("分钟", 60.0),
        ("分", 60.0),
        ("m", 60.0),
        ("秒钟", 1.0),
        ("秒", 1.0),
        ("s", 1.0),
    ];
    let mut rest = s.trim();
    let mut total = 0.0;
    let mut any = false;
    while !rest.is_empty() {
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if len == 0 {
            return None;
        }
        let value: f64 = rest[..len].parse().ok()?;
        rest = rest[len..].trim_start();
        let (unit, factor) = units.iter().find(|(u, _)| rest.starts_with(u))?;
        total += value * factor;
        rest = rest[unit.len()..].trim_start();
        any = true;
    }
    any.then_some(total)
}

/// Parses a cell of a column that a total row (合计) adds up: talk time
/// with the duration parser the rows use (`65`, `1分23秒`, `00:01:23`),
/// billed cells as [`parse_billed`] reads them, fees as amounts.
pub(crate) fn parse_summable(role: crate::mapping::Role, cell: CellRef<'_>) -> Option<f64> {
    use crate::mapping::Role;
    match role {
        Role::TalkSeconds => parse_duration(cell)
            .map(f64::from)
            .or_else(|| parse_amount(cell)),
        Role::BilledMinutes | Role::BilledSeconds => parse_billed(cell).map(|b| match b {
            Billed::Plain(n) | Billed::Seconds(n) => f64::from(n),
        }),
        _ => parse_amount(cell),
    }
}

/// A billed cell as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Billed {
    /// A plain number, in the unit of its column (minutes or seconds).
    Plain(u32),
    /// A duration written with its own units (`1:06`, `66秒`, `1分6秒`,
    /// `2分钟`, a workbook duration), in seconds.
    Seconds(u32),
}

/// Parses a billed cell: a plain amount (`2`, `2.0`, `1,234`), or a
/// duration that carries its units. Returns None for an empty cell, text
/// that is neither, or a value outside 0 to 4×10⁹.
pub fn parse_billed(cell: CellRef<'_>) -> Option<Billed> {
    let in_range = |v: f64| (0.0..4e9).contains(&v).then(|| v.round() as u32);
    match cell {
        CellRef::Number(n) => in_range(n).map(Billed::Plain),
        CellRef::Duration(_) | CellRef::DateTime(_) => parse_duration(cell).map(Billed::Seconds),
        CellRef::Text(s) => {
            let s = s.trim();
            if s.contains([':', '：', '秒', '分', '时'])
                || s.ends_with(['s', 'S', 'm', 'M', 'h', 'H'])
            {
                let s = s.replace('：', ":");
                parse_duration_text(&s)
                    .and_then(in_range)
                    .map(Billed::Seconds)
            } else {
                parse_amount(CellRef::Text(s))
                    .and_then(in_range)
                    .map(Billed::Plain)
            }
        }
        _ => None,
    }
}

/// Parses an amount or a count: digits with an optional fraction, a
/// currency sign, thousands separators or a unit after it.
pub fn parse_amount(cell: CellRef<'_>) -> Option<f64> {
    match cell {
        CellRef::Number(n) => Some(n),
        CellRef::Text(s) => {
            let cleaned: String = s
                .trim()
                .trim_start_matches(['¥', '￥', '$'])
                .trim_end_matches(['元', '分', '钟'])
                .chars()
                .filter(|c| *c != ',')
                .collect();
            cleaned.trim().parse().ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NumberValue {
        normalize_number(CellRef::Text(s), Some("对方号码"))
    }

    fn ok(s: &str) -> NumberValue {
        NumberValue::Ok(s.to_string())
    }

    #[test]
    fn phone_numbers_normalise() {
        let cases = [
            ("138 0013 8000", ok("13800138000")),
            ("+86 138-0013-8000", ok("13800138000")),
            ("008613800138000", ok("13800138000")),
            ("8613800138000", ok("13800138000")),
            ("+86 755 8888 9999", ok("075588889999")),
            ("(0755) 8888-9999", ok("075588889999")),
            ("+8420006", ok("008420006")),
            ("+1 (415) 555-0100", ok("0014155550100")),
            ("client1", ok("client1")),
            ("  100 ", ok("100")),
            ("'075512345678", ok("075512345678")),
            ("=\"075512345678\"", ok("075512345678")),
            ("13800138000\t", ok("13800138000")),
            ("138****1234", NumberValue::Masked),
            ("*97", ok("*97")),
            ("***", NumberValue::Masked),
            ("对方号码", NumberValue::Masked),
            ("1.38001E+10", NumberValue::Scientific),
            ("", NumberValue::Missing),
            // 86 without + or 00, landlines too.
            ("8675585166601", ok("075585166601")),
            ("861012345678", ok("01012345678")),
            ("86138001380001", ok("86138001380001")),
            // Extensions written after the number.
            ("0755-85166601转801", ok("075585166601")),
            ("075585166601 ext.12", ok("075585166601")),
            ("075585166601#801", ok("075585166601")),
            ("*97#1", ok("*97#1")),
        ];
        for (raw, want) in cases {
            assert_eq!(n(raw), want, "{raw:?}");
        }
        assert_eq!(
            normalize_number(CellRef::Number(13800138000.0), None),
            ok("13800138000")
        );
        assert_eq!(
            normalize_number(CellRef::Number(1.5), None),
            NumberValue::Scientific
        );
    }

    #[test]
    fn numbers_are_masked_for_output() {
        let cases = [
            ("13800138000", "138****8000"),
            ("075512345678", "075*****5678"),
            ("100", "100"),
            ("client1", "client1"),
            ("95123", "9***3"),
            ("2023-07-26 01:51:32", "2023-07-26 01:51:32"),
            ("+86 138 0013 8000", "+86**********8000"),
            ("44030119900101123X", "440***********123X"),
            ("44030119900101123x", "440***********123x"),
            ("440301900101123", "440********1123"),
            ("44030119900101123", "440**********1123"),
        ];
        for (raw, want) in cases {
            assert_eq!(mask_number(raw), want, "{raw}");
        }
    }

    #[test]
    fn numbers_inside_text_are_masked() {
        let cases = [
            (
                "1,44030119900101123X,2024-03-01 10:00:00",
                "1,440***********123X,2024-03-01 10:00:00",
            ),
            ("张三 13800138000", "张三 138****8000"),
            ("sip:13800138000@pbx", "sip:138****8000@pbx"),
            ("2024-03-01 10:00:00", "2024-03-01 10:00:00"),
            ("44030119900101123X", "440***********123X"),
            ("单价 16839.15 元", "单价 16839.15 元"),
        ];
        for (raw, want) in cases {
            assert_eq!(mask_text(raw), want, "{raw}");
        }
    }

    #[test]
    fn timestamps_parse_in_every_common_form() {
        let tz = FixedOffset::east_opt(8 * 3600).unwrap();
        // 2024-03-05 14:23:11 +08:00
        let want = 1_709_619_791;
        let cases: [(&str, i64, bool); 13] = [
            ("2024-03-05 14:23:11", want, true),
            ("2024/3/5 14:23:11", want, true),
            ("2024/3/5 14:23", want - 11, false),
            ("20240305142311", want, true),
            ("2024年3月5日 14时23分11秒", want, true),
            ("2024年3月5日14时23分11秒", want, true),
            ("2024年03月05日 14:23:11", want, true),
            ("2024-03-05T14:23:11", want, true),
            ("2024-03-05T06:23:11Z", want, true),
            ("2024-03-05T14:23:11.250+08:00", want, true),
            ("1709619791", want, true),
            ("1709619791000", want, true),
            ("1709619791.513823", want, true),
        ];
        for (text, epoch, secs) in cases {
            let got = parse_time(CellRef::Text(text), tz, None).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((got.epoch, got.has_seconds), (epoch, secs), "{text}");
        }
        let serial = 45356.0 + (14.0 * 3600.0 + 23.0 * 60.0 + 11.0) / 86400.0;
        assert_eq!(
            parse_time(CellRef::Number(serial), tz, None).map(|s| s.epoch),
            Some(want)
        );
        for bad in [
            "",
            "14:23:11",
            "2024-13-05 10:00:00",
            "yesterday",
            "2024-03-05",
        ] {
            assert_eq!(parse_time(CellRef::Text(bad), tz, None), None, "{bad}");
        }
        let custom = parse_time(
            CellRef::Text("05.03.2024 14:23:11"),
            tz,
            Some("%d.%m.%Y %H:%M:%S"),
        );
        assert_eq!(custom.map(|s| s.epoch), Some(want));
    }

    #[test]
    fn text_serials_read_in_time_columns() {
        let tz = FixedOffset::east_opt(8 * 3600).unwrap();
        // 2024-03-02 12:00:00 +08:00
        let noon = 1_709_352_000;
        assert_eq!(
            parse_column_time(CellRef::Text("45353.5"), tz, None).map(|s| s.epoch),
            Some(noon)
        );
        assert_eq!(
            parse_column_time(CellRef::Text("45353"), tz, None).map(|s| s.epoch),
            Some(noon - 12 * 3600)
        );
        assert_eq!(parse_time(CellRef::Text("45353.5"), tz, None), None);
        for implausible in ["1234.5", "99999.5", "4.5.6", "-45353.5", "45353,5"] {
            assert_eq!(
                parse_column_time(CellRef::Text(implausible), tz, None),
                None,
                "{implausible}"
            );
        }
    }

    #[test]
    fn durations_parse_in_every_common_form() {
        let cases = [
            ("152", Some(152)),
            ("2分32秒", Some(152)),
            ("9秒", Some(9)),
            ("1小时2分3秒", Some(3723)),
            ("5分钟", Some(300)),
            ("00:02:32", Some(152)),
            ("2,900", Some(2900)),
            ("1,2", None),
            ("2:32", Some(152)),
            ("12.6", Some(13)),
            ("abc", None),
            ("", None),
            ("-5", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration(CellRef::Text(text)), want, "{text}");
        }
        assert_eq!(parse_duration(CellRef::Duration(151.6)), Some(152));
    }

    #[test]
    fn time_format_offset_applies() {
        let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
        let cell = CellRef::Text("20240305142311+0000");

        let stamp = parse_time(cell, beijing, Some("%Y%m%d%H%M%S%z")).unwrap();
        let without = parse_time(
            CellRef::Text("20240305142311"),
            beijing,
            Some("%Y%m%d%H%M%S"),
        )
        .unwrap();

        assert_eq!(stamp.epoch - without.epoch, 8 * 3600);
    }

    #[test]
    fn billed_cells_keep_their_units() {
        let cases = [
            ("2", Some(Billed::Plain(2))),
            (" 1,234 ", Some(Billed::Plain(1234))),
            ("2.4", Some(Billed::Plain(2))),
            ("1:06", Some(Billed::Seconds(66))),
            ("00:01:06", Some(Billed::Seconds(66))),
            ("0：01：06", Some(Billed::Seconds(66))),
            ("66秒", Some(Billed::Seconds(66))),
            ("1分6秒", Some(Billed::Seconds(66))),
            ("2分钟", Some(Billed::Seconds(120))),
            ("2分", Some(Billed::Seconds(120))),
            ("66s", Some(Billed::Seconds(66))),
            ("-3", None),
            ("1:xx", None),
            ("约两分钟", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_billed(CellRef::Text(text)), want, "{text}");
        }
        assert_eq!(parse_billed(CellRef::Number(3.0)), Some(Billed::Plain(3)));
        assert_eq!(
            parse_billed(CellRef::Duration(66.2)),
            Some(Billed::Seconds(66))
        );
    }

    #[test]
    fn clock_time_cells_are_talk_times() {
        let at = |(y, mo, d): (i32, u32, u32), (h, mi, s, ms): (u32, u32, u32, u32)| {
            let day = NaiveDate::from_ymd_opt(y, mo, d).unwrap();
            CellRef::DateTime(day.and_hms_milli_opt(h, mi, s, ms).unwrap())
        };
        let cases = [
            // 1900 date system: day 0 decodes as 1899-12-31.
            (at((1899, 12, 31), (1, 2, 3, 0)), Some(3723)),
            (at((1899, 12, 31), (0, 2, 31, 600)), Some(152)),
            // 1904 date system: day 0 is 1904-01-01.
            (at((1904, 1, 1), (0, 2, 32, 0)), Some(152)),
            (at((1904, 1, 1), (0, 0, 0, 0)), Some(0)),
            // A real date is a point in time, not a talk time.
            (at((2024, 3, 5), (0, 2, 32, 0)), None),
            (at((1904, 1, 2), (0, 2, 32, 0)), None),
            (at((1899, 12, 30), (0, 2, 32, 0)), None),
        ];
        for (cell, want) in cases {
            assert_eq!(parse_duration(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn amounts_parse_with_currency_signs() {
        assert_eq!(parse_amount(CellRef::Text("¥1,234.50")), Some(1234.5));
        assert_eq!(parse_amount(CellRef::Text("0.60")), Some(0.6));
        assert_eq!(parse_amount(CellRef::Text("x")), None);
    }

    #[test]
    fn lost_leading_zeros_are_spotted() {
        assert!(leading_zero_lost("7551234567"));
        assert!(!leading_zero_lost("13800138000"));
        assert!(!leading_zero_lost("075512345678"));
    }
}
