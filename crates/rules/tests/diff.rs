//! Comparing packs by dotted key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use nianshen_rules::{diff, load, Difference};

#[test]
fn cn_miit_against_whitepaper_lists_the_calendar() {
    let a = load("cn-miit", None, &toml::Table::new()).unwrap();
    let b = load("whitepaper", None, &toml::Table::new()).unwrap();
    let differences = diff(&a, &b);
    assert!(differences.contains(&Difference {
        key: "schedule.calendar".into(),
        old: Some("\"regulation\"".into()),
        new: Some("\"whitepaper\"".into()),
    }));
    assert!(differences.iter().any(|d| d.key == "pack.name"));
    assert!(differences
        .iter()
        .any(|d| d.key == "rules.\"schedule.overdue\".basis.kind"));
    assert!(!differences.iter().any(|d| d.key.starts_with("catalogue")));
}

#[test]
fn identical_packs_have_no_differences() {
    let a = load("cn-miit", None, &toml::Table::new()).unwrap();
    assert_eq!(diff(&a, &a), vec![]);
}

#[test]
fn catalogue_items_are_compared_by_id() {
    let a = load("cn-miit", None, &toml::Table::new()).unwrap();
    let o: toml::Table = toml::from_str("\"catalogue.audit_report.required\" = false\n").unwrap();
    let b = load("cn-miit", None, &o).unwrap();
    assert_eq!(
        diff(&a, &b),
        vec![Difference {
            key: "catalogue.audit_report.required".into(),
            old: Some("true".into()),
            new: Some("false".into()),
        }]
    );
}
