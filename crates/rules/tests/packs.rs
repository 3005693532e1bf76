//! The built-in packs: they load, validate, carry every rule id and the
//! values the product's specification names.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use nianshen_rules::{
    builtin_names, builtin_text, load, validate, BasisKind, BillingIncrement, Calendar, RulePack,
    Severity,
};

fn builtin(name: &str) -> RulePack {
    load(name, None, &toml::Table::new()).unwrap()
}

/// The rule table of the specification plus the ids the checks add.
const IDS: &[&str] = &[
    "schedule.overdue",
    "schedule.due_soon",
    "schedule.congested_month",
    "schedule.renewal_due",
    "case.uscc_invalid",
    "case.licence_number_invalid",
    "case.site_address_mismatch",
    "case.capital_change_in_window",
    "case.change_not_filed",
    "materials.missing",
    "materials.too_large",
    "materials.not_pdf",
    "materials.unreadable",
    "materials.expired",
    "materials.bad_name",
    "materials.no_text_layer",
    "materials.unsigned",
    "materials.dengbao_missing",
    "finance.revenue_zero",
    "finance.revenue_mismatch",
    "finance.personal_account",
    "seats.insured_below_declared",
    "seats.three_way_mismatch",
    "seats.uninsured_agents",
    "seats.photo_duplicate",
    "seats.photo_stale",
    "staff.contract_missing",
    "staff.officer_missing",
    "staff.training_missing",
    "cdr.count_mismatch",
    "cdr.duration_mismatch",
    "cdr.declared_mismatch",
    "cdr.tamper_suspected",
    "cdr.concurrency_exceeds_seats",
    "cdr.cross_border",
    "cdr.outside_hours",
    "cdr.repeat_calls",
    "cdr.unreadable_rows",
    "cdr.masked_numbers",
    "cdr.total_row_mismatch",
    "recordings.missing",
    "recordings.retention_short",
    "complaints.late_verification",
    "complaints.reply_overdue",
    "complaints.open",
    "complaints.penalty",
    "complaints.declared_mismatch",
    "contracts.no_call_centre_wording",
    "materials.unassigned",
    "inputs.missing",
    "inputs.unreadable",
    "cdr.data_quality",
    "cdr.billed_unreadable",
    "cdr.summary",
    "cdr.billing_mismatch",
    "schedule.window",
    "schedule.renewal_overdue",
    "case.category_not_b24",
    "case.facts_missing",
    "inputs.bad_cell",
    "inputs.duplicate_file",
    "checks.not_run",
];

#[test]
fn builtin_packs_load_and_validate_clean() {
    for name in builtin_names() {
        let pack = builtin(name);
        assert_eq!(validate(&pack), vec![], "pack {name}");
        assert_eq!(pack.pack.name, *name);
    }
}

#[test]
fn every_rule_id_is_in_both_packs() {
    for name in builtin_names() {
        let pack = builtin(name);
        for id in IDS {
            assert!(pack.rules.contains_key(*id), "{name} lacks {id}");
        }
        assert_eq!(pack.rules.len(), IDS.len(), "{name} has extra rules");
    }
}

#[test]
fn default_severities_follow_the_rule_table() {
    let pack = builtin("cn-miit");
    let cases = [
        ("schedule.overdue", Severity::Red),
        ("schedule.due_soon", Severity::Yellow),
        ("schedule.renewal_due", Severity::Yellow),
        ("schedule.renewal_overdue", Severity::Red),
        ("materials.bad_name", Severity::Yellow),
        ("cdr.outside_hours", Severity::Yellow),
        ("cdr.unreadable_rows", Severity::Yellow),
        ("complaints.late_verification", Severity::Yellow),
        ("complaints.reply_overdue", Severity::Red),
        ("inputs.unreadable", Severity::Yellow),
        ("inputs.missing", Severity::Yellow),
        ("cdr.summary", Severity::Info),
        ("cdr.billing_mismatch", Severity::Yellow),
        ("case.category_not_b24", Severity::Red),
    ];
    for (id, severity) in cases {
        assert_eq!(pack.rule(id).severity, severity, "{id}");
    }
}

#[test]
fn unpublished_thresholds_are_not_presented_as_law() {
    let pack = builtin("cn-miit");
    for id in [
        "cdr.count_mismatch",
        "cdr.duration_mismatch",
        "cdr.billing_mismatch",
        "finance.revenue_mismatch",
        "complaints.late_verification",
    ] {
        assert_eq!(pack.rule(id).basis.kind, BasisKind::ProductDefault, "{id}");
    }
    let retention = pack.rule("recordings.retention_short").basis;
    assert_eq!(retention.kind, BasisKind::RegulatorNotice);
    assert!(retention
        .source
        .zh
        .contains("关于加强呼叫中心业务管理的通知"));
}

#[test]
fn regulation_pack_holds_the_specified_values() {
    let p = builtin("cn-miit");
    assert_eq!(p.schedule.calendar, Calendar::Regulation);
    assert_eq!(p.thresholds.cdr_count_rates, ["answered"]);
    assert_eq!(p.thresholds.cdr_duration_rates, ["talk_seconds"]);
    assert_eq!(p.thresholds.material_max_bytes, 31_457_280);
    assert_eq!(p.thresholds.permitted_hours, [8, 21]);
    assert_eq!(
        p.thresholds.cdr_billing_increment,
        BillingIncrement::PER_MINUTE
    );
    assert_eq!(p.precision.complaint_rate, 6);
    assert_eq!(p.schedule.licence.renewal_lead_days, 90);
    let y2024 = &p.schedule.annual_report.years[0];
    assert_eq!(
        (y2024.year, y2024.opens.to_string()),
        (2024, "2025-01-10".to_string())
    );
    let folders: Vec<&str> = p.catalogue.iter().map(|i| i.folder.as_str()).collect();
    for f in [
        "01-主体资格",
        "02-许可证",
        "03-财务审计",
        "04-业务数据",
        "05-技术系统",
        "06-人力资源",
        "07-合规承诺",
    ] {
        assert!(folders.contains(&f), "{f}");
    }
    let offsets: Vec<i64> = p.plan.iter().map(|s| s.offset_days).collect();
    assert_eq!(offsets, [-90, -75, -60, -45, -30, -15, -7, 0, 1, 15]);
}

#[test]
fn word_lists_hold_specified_words() {
    let w = builtin("cn-miit").words;
    for word in ["ANSWERED", "接通", "已接通", "成功", "应答"] {
        assert!(w.answered.iter().any(|x| x == word), "{word}");
    }
    for word in [
        "NO ANSWER",
        "BUSY",
        "FAILED",
        "CONGESTION",
        "未接通",
        "未接",
        "无应答",
        "忙",
        "失败",
    ] {
        assert!(w.not_answered.iter().any(|x| x == word), "{word}");
    }
    for word in ["呼出", "外呼", "主叫", "outbound", "OUT"] {
        assert!(w.outbound.iter().any(|x| x == word), "{word}");
    }
    for word in ["呼入", "被叫", "inbound", "IN"] {
        assert!(w.inbound.iter().any(|x| x == word), "{word}");
    }
    assert!(!w.answered.iter().any(|x| w.not_answered.contains(x)));
}

#[test]
fn headers_cover_bracket_widths_and_bills() {
    let h = builtin("cn-miit").headers;
    let has = |role: &str, header: &str| h.get(role).is_some_and(|l| l.iter().any(|x| x == header));
    assert!(has("talk_seconds", "通话时长（秒）"));
    assert!(has("talk_seconds", "通话时长(秒)"));
    assert!(has("other_party", "对方号码"));
    assert!(has("direction", "通话类型"));
    assert!(has("start", "起始时间"));
    assert!(has("billed_minutes", "计费时长"));
    assert!(has("fee", "总话费"));
    assert!(has("caller", "caller_id_number"));
}

#[test]
fn whitepaper_differs_only_where_it_says() {
    let miit = builtin("cn-miit");
    let wp = builtin("whitepaper");
    assert_eq!(wp.schedule.calendar, Calendar::Whitepaper);
    assert_eq!(wp.pack.base.as_deref(), Some("cn-miit"));
    assert_eq!(wp.catalogue, miit.catalogue);
    assert_eq!(wp.thresholds, miit.thresholds);
    assert_eq!(wp.holidays, miit.holidays);
    assert_eq!(wp.schedule.whitepaper.review_years, [1, 4, 7]);
    assert!(builtin_text("whitepaper").unwrap().len() < builtin_text("cn-miit").unwrap().len() / 4);
}

#[test]
fn licence_number_pattern_cases() {
    let re = regex::Regex::new(&builtin("cn-miit").patterns.licence_number).unwrap();
    let cases = [
        ("B2-20190123", true),
        ("粤B2-20190123", true),
        ("京B2-20090203", true),
        ("粤B2-2019012", false),
        ("B1-20190123", false),
        ("粤粤B2-20190123", false),
        ("XB2-20190123", false),
        ("b2-20190123", false),
    ];
    for (number, ok) in cases {
        assert_eq!(re.is_match(number), ok, "{number}");
    }
}

#[test]
fn material_name_pattern_cases() {
    let re = regex::Regex::new(&builtin("cn-miit").patterns.material_name).unwrap();
    let cases = [
        (
            "某某科技_营业执照_20250110.pdf",
            Some(("某某科技", "营业执照", "20250110")),
        ),
        (
            "某某科技-营业执照-20250110.pdf",
            Some(("某某科技", "营业执照", "20250110")),
        ),
        (
            "某某科技+营业执照+20250110.PDF",
            Some(("某某科技", "营业执照", "20250110")),
        ),
        (
            "某某科技_营业执照_20250110.jpg",
            Some(("某某科技", "营业执照", "20250110")),
        ),
        ("营业执照.pdf", None),
        ("某某科技_营业执照_2025011.pdf", None),
        ("某某科技_营业执照.pdf", None),
    ];
    for (name, want) in cases {
        let got = re.captures(name).map(|c| {
            (
                c["short"].to_string(),
                c["kind"].to_string(),
                c["date"].to_string(),
            )
        });
        let want = want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()));
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn sample_materials_all_assigned() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/cases/sample-b24/材料");
    if !dir.is_dir() {
        println!("skipped: {} not found", dir.display());
        return;
    }
    let pack = builtin("cn-miit");
    let re = regex::Regex::new(&pack.patterns.material_name).unwrap();
    let mut seen = 0;
    for folder in std::fs::read_dir(&dir).unwrap() {
        let folder = folder.unwrap();
        let folder_name = folder.file_name().to_string_lossy().to_string();
        for file in std::fs::read_dir(folder.path()).unwrap() {
            let name = file.unwrap().file_name().to_string_lossy().to_string();
            let caps = re
                .captures(&name)
                .unwrap_or_else(|| panic!("{name} does not match"));
            let kind = &caps["kind"];
            let item = pack
                .catalogue
                .iter()
                .find(|i| i.name.zh == kind || i.synonyms.iter().any(|s| s == kind))
                .unwrap_or_else(|| panic!("{name}: no catalogue item for {kind}"));
            assert_eq!(item.folder, folder_name, "{name}");
            seen += 1;
        }
    }
    assert!(seen > 0);
}

#[test]
fn billing_increments_read_as_written() {
    let cases = [
        ("60/60", Some((60, 60))),
        ("6/6", Some((6, 6))),
        ("1/1", Some((1, 1))),
        ("30/6", Some((30, 6))),
        (" 30 / 6 ", Some((30, 6))),
        ("3600/3600", Some((3600, 3600))),
        ("3601/60", None),
        ("0/60", None),
        ("60/0", None),
        ("60", None),
        ("60/60/60", None),
        ("+6/6", None),
        ("-6/6", None),
        ("6.0/6", None),
        ("a/b", None),
        ("", None),
    ];
    for (text, want) in cases {
        let got = BillingIncrement::parse(text).map(|i| (i.first_secs, i.next_secs));
        assert_eq!(got, want, "{text:?}");
    }
    assert_eq!(BillingIncrement::parse("30/6").unwrap().to_string(), "30/6");
}
