//! Validation of a pack beyond its shape: each broken value is reported at
//! its dotted key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use nianshen_rules::{load, validate, MonthDay, RulePack};

type Mutation = fn(&mut RulePack);

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn broken_values_are_reported_at_their_key() {
    let cases: &[(&str, Mutation)] = &[
        ("catalogue", |p| {
            p.catalogue[1].id = p.catalogue[0].id.clone()
        }),
        ("catalogue.business_licence.category", |p| {
            p.catalogue[0].category = 8
        }),
        ("catalogue.business_licence.folder", |p| {
            p.catalogue[0].folder = "02-主体资格".into()
        }),
        ("catalogue.legal_representative_id.folder", |p| {
            p.catalogue[1].folder = "01-其他".into()
        }),
        ("catalogue.legal_representative_id.synonyms", |p| {
            p.catalogue[1].synonyms.push("营业执照".into())
        }),
        ("catalogue.business_licence.types", |p| {
            p.catalogue[0].types = vec![".PDF".into()]
        }),
        ("plan", |p| p.plan.swap(0, 1)),
        ("post_approval", |p| {
            p.post_approval[1].id = p.post_approval[0].id.clone()
        }),
        ("holidays.off", |p| p.holidays.off.push(date("2025-03-01"))),
        ("holidays.work", |p| {
            p.holidays.work.push(date("2025-03-03"))
        }),
        ("words.answered", |p| p.words.answered.push("未接通".into())),
        ("words.outbound", |p| p.words.outbound.push("in".into())),
        ("words.success", |p| p.words.success.clear()),
        // Roles are checked in name order, so the later role (caller) is reported.
        ("headers.caller", |p| {
            p.headers.get_mut("agent").unwrap().push("主叫号码".into())
        }),
        ("headers", |p| {
            p.headers.insert("calller".into(), vec!["x".into()]);
        }),
        ("rules.\"cdr.count_mismatc\"", |p| {
            let rule = p.rules.remove("cdr.count_mismatch").unwrap();
            p.rules.insert("cdr.count_mismatc".into(), rule);
        }),
        ("rules.\"cdr.count_mismatch\".title.en", |p| {
            p.rules
                .get_mut("cdr.count_mismatch")
                .unwrap()
                .title
                .en
                .clear();
        }),
        ("thresholds.cdr_count_mismatch_rate", |p| {
            p.thresholds.cdr_count_mismatch_rate = f64::NAN
        }),
        ("thresholds.revenue_mismatch_rate", |p| {
            p.thresholds.revenue_mismatch_rate = 0.0
        }),
        ("thresholds.cdr_duration_rates", |p| {
            p.thresholds.cdr_duration_rates = vec!["minutes".into()]
        }),
        ("thresholds.cdr_match_tolerance_no_seconds_secs", |p| {
            p.thresholds.cdr_match_tolerance_no_seconds_secs = 2;
        }),
        ("thresholds.repeat_calls_per_5min", |p| {
            p.thresholds.repeat_calls_per_5min = 9
        }),
        ("precision.complaint_rate", |p| {
            p.precision.complaint_rate = 20
        }),
        ("schedule.whitepaper.congested_months", |p| {
            p.schedule.whitepaper.recommended_months.push(5)
        }),
        ("schedule.whitepaper.review_years", |p| {
            p.schedule.whitepaper.review_years = vec![4, 1]
        }),
        ("schedule.annual_report.opens", |p| {
            p.schedule.annual_report.opens = MonthDay::try_from("04-01".to_string()).unwrap();
        }),
        ("schedule.annual_report.years.2024.opens", |p| {
            p.schedule.annual_report.years[0].opens = date("2025-04-01");
        }),
        ("schedule.number_report.prefixes", |p| {
            p.schedule.number_report.prefixes.push("9x".into())
        }),
        ("patterns.material_name", |p| {
            p.patterns.material_name = "^(?P<short>.+)_(?P<date>\\d{8})$".into()
        }),
        ("patterns.licence_number", |p| {
            p.patterns.licence_number = "B2-[".into()
        }),
        ("pack.version", |p| p.pack.version = " ".into()),
    ];
    let clean = load("cn-miit", None, &toml::Table::new()).unwrap();
    for (key, mutate) in cases {
        let mut pack = clean.clone();
        mutate(&mut pack);
        let problems = validate(&pack);
        assert!(
            problems.iter().any(|p| p.key == *key),
            "expected a problem at {key}, got {problems:?}"
        );
    }
}

#[test]
fn both_bracket_widths_of_one_header_are_allowed() {
    let mut pack = load("cn-miit", None, &toml::Table::new()).unwrap();
    let talk = pack.headers.get_mut("talk_seconds").unwrap();
    talk.push("通话时长（分）".into());
    talk.push("通话时长(分)".into());
    assert_eq!(validate(&pack), vec![]);
}
