//! Working days under the holiday and 调休 lists of the default pack.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use nianshen_rules::{
    add_working_days, holidays_known, is_working_day, load, working_days_between,
};

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn working_day_cases() {
    let pack = load("cn-miit", None, &toml::Table::new()).unwrap();
    let cases = [
        ("2025-01-26", true),  // Sunday, swapped working day before 春节
        ("2025-01-27", true),  // Monday
        ("2025-01-28", false), // 除夕
        ("2025-02-03", false), // Monday inside 春节
        ("2025-02-04", false), // last day of 春节
        ("2025-02-05", true),
        ("2025-02-08", true),  // Saturday, swapped working day
        ("2025-02-09", false), // Sunday
        ("2024-02-04", true),  // Sunday, swapped
        ("2024-10-07", false), // Monday in 国庆
        ("2024-10-12", true),  // Saturday, swapped
        ("2026-02-14", true),  // Saturday, swapped
        ("2026-02-23", false), // Monday, last day of 春节
        ("2027-03-06", false), // Saturday in a year without data
        ("2027-03-08", true),
    ];
    for (date, working) in cases {
        assert_eq!(is_working_day(&pack, d(date)), working, "{date}");
    }
}

#[test]
fn add_working_days_cases() {
    let pack = load("cn-miit", None, &toml::Table::new()).unwrap();
    let cases = [
        ("2025-01-24", 1, "2025-01-26"), // Friday + 1 = the swapped Sunday
        ("2025-01-26", 1, "2025-01-27"),
        ("2025-01-27", 1, "2025-02-05"), // over the whole 春节
        ("2025-01-27", 3, "2025-02-07"),
        ("2025-01-27", 4, "2025-02-08"), // the swapped Saturday
        ("2025-02-05", -1, "2025-01-27"),
        ("2025-03-03", 0, "2025-03-03"),
        ("2024-09-27", 15, "2024-10-23"),
    ];
    for (from, n, want) in cases {
        assert_eq!(add_working_days(&pack, d(from), n), d(want), "{from} + {n}");
    }
}

#[test]
fn working_days_between_cases() {
    let pack = load("cn-miit", None, &toml::Table::new()).unwrap();
    let cases = [
        ("2025-01-27", "2025-02-05", 1),
        ("2025-01-24", "2025-02-08", 6), // 01-26, 01-27, 02-05, 02-06, 02-07, 02-08
        ("2025-02-05", "2025-01-27", -1),
        ("2025-03-03", "2025-03-03", 0),
        ("2025-03-03", "2025-03-10", 5),
        ("2024-09-27", "2024-10-23", 15),
    ];
    for (a, b, want) in cases {
        assert_eq!(working_days_between(&pack, d(a), d(b)), want, "{a} .. {b}");
    }
}

#[test]
fn holiday_data_covers_2024_to_2026() {
    let pack = load("cn-miit", None, &toml::Table::new()).unwrap();
    for year in [2024, 2025, 2026] {
        assert!(holidays_known(&pack, year), "{year}");
    }
    assert!(!holidays_known(&pack, 2027));
}
