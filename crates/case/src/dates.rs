//! Dates in `case.toml`: a TOML date (`2025-01-31`, unquoted) or a quoted
//! string in the same form. serde's date types read only strings, while
//! users write TOML's own date literal, so both are accepted here.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum DateInput {
    Toml(toml::value::Datetime),
    Text(String),
}

fn to_date<E: serde::de::Error>(input: DateInput) -> Result<NaiveDate, E> {
    let text = match input {
        DateInput::Toml(dt) => match (dt.date, dt.time) {
            (Some(date), _) => format!("{:04}-{:02}-{:02}", date.year, date.month, date.day),
            (None, _) => {
                return Err(E::custom(
                    "expected a date such as 2025-01-31, found a time",
                ))
            }
        },
        DateInput::Text(text) => text,
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| E::custom(format!("invalid date {text:?}: write it as 2025-01-31")))
}

/// Deserialises a required date.
pub fn required<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    to_date(DateInput::deserialize(deserializer)?)
}

/// Deserialises an optional date.
pub fn optional<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<DateInput>::deserialize(deserializer)? {
        Some(input) => to_date(input).map(Some),
        None => Ok(None),
    }
}

/// Writes a date as `YYYY-MM-DD` text.
pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&date.format("%Y-%m-%d"))
}

/// Writes an optional date as `YYYY-MM-DD` text.
pub fn serialize_optional<S: Serializer>(
    date: &Option<NaiveDate>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.collect_str(&date.format("%Y-%m-%d")),
        None => serializer.serialize_none(),
    }
}
