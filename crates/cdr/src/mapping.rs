//! Column mappings for layouts the reader does not recognise: in
//! `[[mappings]]` of `case.toml` or a TOML file given on the command line.
//!
//! Keys: `has_header` (default true), `header_row` (1-based), `columns`
//! (role → header name or 1-based column number), `success_values`,
//! `time_format` (strftime), `time_zone` (`+08:00` default), `own_number`.
//! A `files` key (the glob of `[[mappings]]`) is accepted and ignored here.
//!
//! A mapping adds to what the reader detects: when the file has a layout
//! the reader recognises, the mapping's keys override or add to it, column
//! by column, so a mapping may hold only `own_number` or one column.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::FixedOffset;
use serde::Serialize;

use crate::error::CdrError;

/// The role of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CallId,
    Agent,
    Caller,
    Callee,
    /// 对方号码 of bills made per number.
    OtherParty,
    Start,
    /// The date of the calls when the time columns hold only the time of
    /// day (a bill with 日期 beside 时间).
    StartDate,
    Answer,
    End,
    TalkSeconds,
    /// A billed column in minutes, or of no stated unit (read as minutes
    /// unless its values show seconds).
    BilledMinutes,
    /// A billed column in seconds.
    BilledSeconds,
    Fee,
    Disposition,
    Direction,
    Outcome,
}

const ROLES: [(Role, &str); 16] = [
    (Role::CallId, "call_id"),
    (Role::Agent, "agent"),
    (Role::Caller, "caller"),
    (Role::Callee, "callee"),
    (Role::OtherParty, "other_party"),
    (Role::Start, "start"),
    (Role::StartDate, "start_date"),
    (Role::Answer, "answer"),
    (Role::End, "end"),
    (Role::TalkSeconds, "talk_seconds"),
    (Role::BilledMinutes, "billed_minutes"),
    (Role::BilledSeconds, "billed_seconds"),
    (Role::Fee, "fee"),
    (Role::Disposition, "disposition"),
    (Role::Direction, "direction"),
    (Role::Outcome, "outcome"),
];

impl Role {
    /// The role's name as written in mappings and rule packs.
    pub fn name(self) -> &'static str {
        ROLES
            .iter()
            .find(|(r, _)| *r == self)
            .map_or("", |(_, n)| n)
    }

    /// The role with this name.
    pub fn from_name(name: &str) -> Option<Role> {
        ROLES.iter().find(|(_, n)| *n == name).map(|(r, _)| *r)
    }

    /// Every role name.
    pub fn names() -> Vec<&'static str> {
        ROLES.iter().map(|(_, n)| *n).collect()
    }

    /// Every role.
    pub fn all() -> impl Iterator<Item = Role> {
        ROLES.iter().map(|(r, _)| *r)
    }

    /// Index into per-role arrays.
    pub(crate) fn index(self) -> usize {
        ROLES.iter().position(|(r, _)| *r == self).unwrap_or(0)
    }
}

/// Number of roles, the length of per-role arrays.
pub(crate) const ROLE_COUNT: usize = ROLES.len();

/// The place of a mapped column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ColumnRef {
    /// A header cell, compared after trimming and width folding.
    Name(String),
    /// A 1-based column number.
    Index(usize),
}

/// A column mapping for one layout.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mapping {
    /// Whether the file has a header row. `None` when the mapping does not
    /// say, so a header is assumed unless the reader detects a headerless
    /// layout.
    pub has_header: Option<bool>,
    /// 1-based row of the header; found by the column names when absent.
    pub header_row: Option<u64>,
    pub columns: BTreeMap<Role, ColumnRef>,
    /// Outcome words that count as a conversion; the rule pack's when absent.
    pub success_values: Option<Vec<String>>,
    /// strftime format of the time columns, tried before the built-in forms.
    pub time_format: Option<String>,
    /// Offset of timestamps without one; the reader's default when absent.
    #[serde(skip)]
    pub time_zone: Option<FixedOffset>,
    /// The bill's own number, for bills made per number.
    pub own_number: Option<String>,
    /// Problems that do not stop reading, such as a `time_format` that
    /// cannot read a date-time (it is then ignored).
    #[serde(skip)]
    pub warnings: Vec<crate::matching::Warning>,
}

impl Mapping {
    /// Reads a mapping from a TOML table (a `[[mappings]]` entry or a whole
    /// mapping file).
    ///
    /// Errors: an unknown key or role, a value of the wrong type, a column
    /// number below 1, an unparsable time zone.
    pub fn from_table(t: &toml::Table) -> Result<Self, CdrError> {
        Self::parse(t, "(case.toml)")
    }

    /// Reads a mapping file.
    ///
    /// Errors: the file cannot be read or is not valid TOML, and the errors
    /// of [`Mapping::from_table`].
    pub fn from_file(p: &Path) -> Result<Self, CdrError> {
        let file_error = |message: String| CdrError::MappingFile {
            file: p.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(p).map_err(|e| file_error(e.to_string()))?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| file_error(e.to_string()))?;
        Self::parse(&table, &p.display().to_string())
    }

    fn parse(t: &toml::Table, origin: &str) -> Result<Self, CdrError> {
        let bad = |key: &str, value: &toml::Value, zh: &str, en: &str| CdrError::Mapping {
            origin: origin.to_string(),
            key: key.to_string(),
            value: value.to_string(),
            reason_zh: zh.to_string(),
            reason_en: en.to_string(),
        };
        let mut m = Mapping {
            has_header: None,
            header_row: None,
            columns: BTreeMap::new(),
            success_values: None,
            time_format: None,
            time_zone: None,
            own_number: None,
            warnings: Vec::new(),
        };
        for (key, value) in t {
            match key.as_str() {
                "files" => {}
                "has_header" => {
                    m.has_header = Some(value.as_bool().ok_or_else(|| {
                        bad(key, value, "应为 true 或 false", "expected true or false")
                    })?)
                }
                "header_row" => {
                    let n = value.as_integer().filter(|n| *n >= 1);
                    m.header_row = Some(n.ok_or_else(|| {
                        bad(
                            key,
                            value,
                            "应为从 1 开始的行号",
                            "expected a row number from 1",
                        )
                    })? as u64);
                }
                "columns" => m.columns = parse_columns(value, origin)?,
                "success_values" => {
                    m.success_values = Some(strings(value).ok_or_else(|| {
                        bad(key, value, "应为字符串列表", "expected a list of strings")
                    })?)
                }
                "time_format" => {
                    let format = string(value).ok_or_else(|| {
                        bad(
                            key,
                            value,
                            "应为 strftime 格式字符串",
                            "expected a strftime format",
                        )
                    })?;
                    if reads_date_times(&format) {
                        m.time_format = Some(format);
                    } else {
                        m.warnings.push(time_format_warning(origin, &format));
                    }
                }
                "time_zone" => {
                    let tz = string(value).and_then(|s| parse_offset(&s));
                    m.time_zone = Some(tz.ok_or_else(|| {
                        bad(
                            key,
                            value,
                            "应为 ±HH:MM 形式的时区，例如 +08:00",
                            "expected ±HH:MM, e.g. +08:00",
                        )
                    })?);
                }
                "own_number" => {
                    m.own_number = Some(string(value).ok_or_else(|| {
                        bad(
                            key,
                            value,
                            "应为号码字符串",
                            "expected the number as a string",
                        )
                    })?)
                }
                _ => return Err(bad(key, value, "未知的键", "unknown key")),
            }
        }
        Ok(m)
    }
}

fn parse_columns(value: &toml::Value, origin: &str) -> Result<BTreeMap<Role, ColumnRef>, CdrError> {
    let bad = |key: &str, value: &toml::Value, zh: &str, en: &str| CdrError::Mapping {
        origin: origin.to_string(),
        key: key.to_string(),
        value: value.to_string(),
        reason_zh: zh.to_string(),
        reason_en: en.to_string(),
    };
    let table = value.as_table().ok_or_else(|| {
        bad(
            "columns",
            value,
            "应为“角色 = 列”的表",
            "expected a table of role = column",
        )
    })?;
    let mut columns = BTreeMap::new();
    for (name, v) in table {
        let key = format!("columns.{name}");
        let role = Role::from_name(name)
            .ok_or_else(|| bad(&key, v, "未知的列角色", "unknown column role"))?;
        let column = match v {
            toml::Value::String(s) => ColumnRef::Name(s.clone()),
            toml::Value::Integer(n) if *n >= 1 => ColumnRef::Index(*n as usize),
            _ => {
                return Err(bad(
                    &key,
                    v,
                    "应为表头名称或从 1 开始的列号",
                    "expected a header name or a column number from 1",
                ))
            }
        };
        // One column cannot hold two roles: the later would silently
        // replace the earlier.
        let same = |c: &ColumnRef| match (c, &column) {
            (ColumnRef::Name(a), ColumnRef::Name(b)) => {
                nianshen_table::normalize_header(a) == nianshen_table::normalize_header(b)
            }
            (a, b) => a == b,
        };
        if let Some((other, _)) = columns.iter().find(|(_, c)| same(c)) {
            let other: &Role = other;
            return Err(bad(
                &key,
                v,
                &format!("这一列已经指定给 {}，同一列不能有两个角色", other.name()),
                &format!(
                    "that column is already given to {}; a column holds one role",
                    other.name()
                ),
            ));
        }
        columns.insert(role, column);
    }
    Ok(columns)
}

/// Tells whether a strftime format reads back a date-time it wrote: false
/// for unknown `%` codes and for formats without a date or a time of day.
/// An offset (`%z`, or `%Z` written as one) is read with the time.
fn reads_date_times(format: &str) -> bool {
    use chrono::format::{Item, StrftimeItems};
    use std::fmt::Write;
    let items: Vec<Item<'_>> = StrftimeItems::new(format).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return false;
    }
    let Some(sample) = chrono::FixedOffset::east_opt(8 * 3600).and_then(|tz| {
        chrono::NaiveDate::from_ymd_opt(2024, 3, 5)
            .and_then(|d| d.and_hms_opt(14, 23, 11))
            .and_then(|t| t.and_local_timezone(tz).single())
    }) else {
        return false;
    };
    let mut written = String::new();
    if write!(written, "{}", sample.format_with_items(items.iter())).is_err() {
        return false;
    }
    crate::normalize::parse_with_format(&written, format).is_some()
}

fn time_format_warning(origin: &str, format: &str) -> crate::matching::Warning {
    crate::matching::Warning {
        id: "mapping_time_format_ignored".to_string(),
        message: format!("映射 {origin} 的 time_format “{format}” 读不出日期和时间（应为 strftime 格式，如 %Y-%m-%d %H:%M:%S），已忽略，改用内置的时间识别。"),
        message_en: format!("the time_format {format:?} of mapping {origin} cannot read a date and time (a strftime format is expected, e.g. %Y-%m-%d %H:%M:%S); it was ignored and the built-in time forms are used."),
    }
}

fn string(v: &toml::Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn strings(v: &toml::Value) -> Option<Vec<String>> {
    v.as_array()?.iter().map(string).collect()
}

/// Parses `±HH:MM`, `±HHMM` or `±HH` (also `UTC+8`-less forms like `+8`).
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    let s = s
        .strip_prefix("UTC")
        .or_else(|| s.strip_prefix("GMT"))
        .unwrap_or(s);
    if s == "Z" || s.is_empty() {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, s.get(1..)?),
        b'-' => (-1, s.get(1..)?),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => (rest.get(..2)?, rest.get(2..)?),
        None => (rest, "0"),
    };
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_read_names_and_numbers() {
        let t: toml::Table = toml::from_str(
            r#"
            files = "话单/*.csv"
            has_header = false
            columns = { caller = 2, callee = "被叫", start = 9 }
            success_values = ["成交"]
            time_zone = "+07:00"
            "#,
        )
        .unwrap();
        let m = Mapping::from_table(&t).unwrap();
        assert_eq!(m.has_header, Some(false));
        assert_eq!(m.columns[&Role::Caller], ColumnRef::Index(2));
        assert_eq!(m.columns[&Role::Callee], ColumnRef::Name("被叫".into()));
        assert_eq!(m.time_zone, FixedOffset::east_opt(7 * 3600));
    }

    #[test]
    fn bad_mappings_name_the_key() {
        let cases = [
            r#"columns = { talker = 1 }"#,
            r#"columns = { caller = 0 }"#,
            r#"time_zone = "Beijing""#,
            r#"colums = {}"#,
        ];
        for text in cases {
            let t: toml::Table = toml::from_str(text).unwrap();
            let err = Mapping::from_table(&t).unwrap_err();
            assert!(matches!(err, CdrError::Mapping { .. }), "{text}");
        }
    }

    #[test]
    fn column_given_two_roles_rejected() {
        for text in [
            "[columns]\nstart = 3\ncallee = 3",
            "[columns]\ncaller = \"主叫\"\ncallee = \"主叫\"",
        ] {
            let t: toml::Table = toml::from_str(text).unwrap();

            let err = Mapping::from_table(&t).unwrap_err();

            let message = err.message(nianshen_rules::Lang::Zh);
            assert!(message.contains("同一列不能有两个角色"), "{message}");
        }
    }

    #[test]
    fn unusable_time_format_ignored_with_warning() {
        for (format, works) in [
            ("%d.%m.%Y %H:%M:%S", true),
            ("%Y%m%d %H%M", true),
            ("%Y-%q", false),
            ("%H:%M:%S", false),
            ("yyyy-MM-dd HH:mm:ss", false),
            ("%Y%m%d%H%M%S%z", true),
            ("%Y-%m-%d %H:%M:%S %:z", true),
            ("%z", false),
            ("%Y-%m-%d %H:%M:%S %Z", true),
        ] {
            let t: toml::Table = toml::from_str(&format!("time_format = {format:?}")).unwrap();

            let m = Mapping::from_table(&t).unwrap();

            assert_eq!(m.time_format.is_some(), works, "{format}");
            assert_eq!(m.warnings.len(), usize::from(!works), "{format}");
        }
    }

    #[test]
    fn offsets_parse_in_common_forms() {
        let cases = [
            ("+08:00", 8 * 3600),
            ("-0530", -(5 * 3600 + 1800)),
            ("+8", 8 * 3600),
            ("Z", 0),
            ("UTC+09:00", 9 * 3600),
        ];
        for (s, secs) in cases {
            assert_eq!(
                parse_offset(s).map(|o| o.local_minus_utc()),
                Some(secs),
                "{s}"
            );
        }
        assert_eq!(parse_offset("8"), None);
        assert_eq!(parse_offset("+25:00"), None);
        assert_eq!(parse_offset("+８0"), None);
    }
}
