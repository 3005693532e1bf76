//! Reports built by hand, shaped like what the checks produce: a red case
//! with every area of figures, an English one, an empty one and one with
//! hundreds of findings.

use chrono::NaiveDate;
use nianshen_checks::finding::{
    BasisOut, CaseSummary, Deadline, Evidence, Finding, PackRef, PlannedStep, Report, Verdict,
    SCHEMA_VERSION,
};
use nianshen_rules::{BasisKind, Lang, Severity};
use serde_json::{json, Map, Value};

pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

pub fn finding(rule: &str, severity: Severity, title: &str, kind: BasisKind) -> Finding {
    Finding {
        rule: rule.into(),
        severity,
        title: title.into(),
        detail: format!("{title}：详见证据。"),
        evidence: vec![Evidence::note("见下表")],
        suggestion: "核对原始数据后更正申报表。".into(),
        basis: BasisOut {
            kind,
            source: "产品默认阈值 3%，无公开法规出处".into(),
        },
    }
}

fn red_findings() -> Vec<Finding> {
    let mut count = finding(
        "cdr.count_mismatch",
        Severity::Red,
        "本地话单接通数与运营商话单相差 4.21%",
        BasisKind::ProductDefault,
    );
    count.detail = "本地接通 12,480 通，运营商 11,976 通，差异率 4.21%，超过 3% 阈值。\n差异集中在 3 月 5 日至 3 月 9 日。".into();
    count.evidence = vec![
        Evidence {
            file: Some("话单/本地/2024-03.csv".into()),
            row: Some(1822),
            column: Some("主叫号码".into()),
            value: Some("138****1234".into()),
            note: "运营商话单中没有这通电话".into(),
            ..Evidence::default()
        },
        Evidence {
            file: Some("话单/运营商/移动二次话单.xls".into()),
            sheet: Some("语音明细".into()),
            row: Some(15),
            value: Some("010-6****321".into()),
            note: "本地话单中没有这通电话".into(),
            ..Evidence::default()
        },
    ];

    let mut seats = finding(
        "seats.insured_below_declared",
        Severity::Red,
        "申报座席 10 个，参保仅 3 人",
        BasisKind::RegulatorNotice,
    );
    seats.basis.source = "《电信业务经营许可管理办法》第三十五条".into();
    seats.evidence = vec![Evidence::file("人员/社保名单.xlsx", "2024-12 参保 3 人")];

    let mut address = finding(
        "case.site_address_mismatch",
        Severity::Red,
        "职场地址与许可证登记地址不一致",
        BasisKind::Statute,
    );
    address.basis.source = "《电信业务经营许可管理办法》第二十八条".into();
    vec![count, seats, address]
}

fn other_findings() -> Vec<Finding> {
    vec![
        finding(
            "complaints.late_verification",
            Severity::Yellow,
            "2 件 12321 投诉超过 24 小时才核实",
            BasisKind::IndustryPractice,
        ),
        finding(
            "schedule.due_soon",
            Severity::Yellow,
            "年报填报将于 44 天后截止",
            BasisKind::RegulatorNotice,
        ),
        finding(
            "materials.unassigned",
            Severity::Info,
            "3 个文件未归入任何材料类别",
            BasisKind::ProductDefault,
        ),
        finding(
            "seats.talk_hours",
            Severity::Green,
            "座席通话时长利用率正常",
            BasisKind::ProductDefault,
        ),
    ]
}

fn per_day() -> Vec<Value> {
    (1..=31)
        .map(|d| {
            let local = 380 + (d * 7) % 40;
            let carrier = if (5..=9).contains(&d) {
                local - 90
            } else {
                local
            };
            json!({
                "day": format!("2024-03-{d:02}"),
                "local_answered": local,
                "carrier_answered": carrier,
                "local_talk_seconds": local * 95,
                "carrier_talk_seconds": carrier * 95,
            })
        })
        .collect()
}

pub fn cdr_metrics() -> Value {
    let side = |rows: u64, answered: u64, talk: u64| {
        json!({
            "files": 3, "rows": rows, "answered": answered, "talk_seconds": talk,
            "billed_minutes": talk / 55, "unreadable_rows": 2, "unusable_rows": 17
        })
    };
    json!({
        "local": side(20311, 12480, 1185600),
        "carrier": side(19870, 11976, 1137720),
        "matched": 11890,
        "local_only": 590,
        "carrier_only": 86,
        "duration_mismatch": 41,
        "rates": {"answered": 0.042084, "talk_seconds": 0.042084, "billed_minutes": null},
        "per_day": per_day(),
        "warnings": [{"id": "time_zone_offset", "message": "运营商话单疑似比本地话单晚 8 小时"}],
        "declared": [
            {"figure": "seats", "name": "座席数", "declared": "10", "computed": "9", "ok": false},
            {"figure": "connection_rate", "name": "接通率", "declared": "0.6523", "computed": "0.6523", "ok": true}
        ],
        "peak_concurrent": 9
    })
}

fn metrics() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("cdr".into(), cdr_metrics());
    m.insert(
        "finance".into(),
        json!({"declared_revenue": 3200000.0, "audited_revenue": 3200000.0,
               "vat_declared_revenue": 3010000.0, "rate": 0.059375, "threshold": 0.05}),
    );
    m.insert(
        "seats".into(),
        json!({"declared": 10, "insured": 3, "insured_month": "2024-12", "accounts_active": 9,
               "photos": 8, "workstations": 10, "agents_with_calls": 9}),
    );
    m.insert(
        "complaints".into(),
        json!({"received_in_period": 14, "replied": 13, "response_rate": 0.928571,
               "complaint_rate": 0.000125, "declared": [
                   {"figure": "complaints", "name": "投诉量", "declared": "12", "computed": "14", "ok": false}
               ]}),
    );
    m.insert(
        "schedule".into(),
        json!({"calendar": "regulation", "as_of": "2025-02-15", "plan_day": "2025-03-31",
               "deadlines": [{"id": "annual_report", "name": "2024 年度年报", "opens": "2025-01-10",
                              "deadline": "2025-03-31", "filed": null, "days_left": 44}]}),
    );
    m
}

fn plan() -> Vec<PlannedStep> {
    let step = |id: &str, d: &str, title: &str, phase: &str| PlannedStep {
        id: id.into(),
        date: date(d),
        title: title.into(),
        detail: String::new(),
        phase: phase.into(),
        remind_days_before: 3,
    };
    let mut audit = step("t-90", "2024-12-31", "内部审计，锁定差异账目", "plan");
    audit.detail = "财务、话单、人员三方核对。".into();
    vec![
        audit,
        step("t-60", "2025-01-30", "调取运营商话单并对碰", "plan"),
        step("t-30", "2025-03-01", "预填报，模拟飞行检查", "plan"),
        step("t-7", "2025-03-24", "提交年报", "plan"),
        step(
            "stamp",
            "2025-04-30",
            "到省通信管理局加盖年检章",
            "post_approval",
        ),
    ]
}

/// Builds a red case with findings of every lamp, every area of figures and a plan.
pub fn red_report() -> Report {
    let mut findings = red_findings();
    findings.extend(other_findings());
    Report {
        schema_version: SCHEMA_VERSION,
        as_of: date("2025-02-15"),
        lang: Lang::Zh,
        rule_pack: PackRef {
            name: "cn-miit".into(),
            version: "2025.1".into(),
        },
        case: CaseSummary {
            name: "深圳市某某信息科技有限公司".into(),
            period_from: Some(date("2024-01-01")),
            period_to: Some(date("2024-12-31")),
            next_deadline: Some(Deadline {
                id: "annual_report".into(),
                date: date("2025-03-31"),
                title: "2024 年度年报填报截止".into(),
                days_left: 44,
            }),
        },
        verdict: Verdict::Red,
        findings,
        metrics: metrics(),
        plan: plan(),
    }
}

/// Builds a green case with no findings, no figures and no plan.
pub fn empty_report() -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        as_of: date("2025-02-15"),
        lang: Lang::Zh,
        rule_pack: PackRef {
            name: "whitepaper".into(),
            version: "1".into(),
        },
        case: CaseSummary {
            name: "某某科技".into(),
            ..CaseSummary::default()
        },
        verdict: Verdict::Green,
        findings: Vec::new(),
        metrics: Map::new(),
        plan: Vec::new(),
    }
}

/// Builds a case with `n` findings spread over the lamps, some with long evidence.
pub fn many_findings_report(n: usize) -> Report {
    let lamps = [
        Severity::Red,
        Severity::Yellow,
        Severity::Info,
        Severity::Yellow,
    ];
    let findings: Vec<Finding> = (0..n)
        .map(|i| {
            let sev = lamps[i % lamps.len()];
            let mut f = finding(
                &format!("cdr.repeat_calls_{i}"),
                sev,
                &format!("第 {i} 号被叫 24 小时内被呼叫 7 次"),
                BasisKind::IndustryPractice,
            );
            f.evidence = (0..(i % 5) * 30)
                .map(|row| Evidence {
                    file: Some("话单/本地/2024全年.csv".into()),
                    row: Some(row as u64 + 2),
                    value: Some("139****0000".into()),
                    note: "重复呼叫".into(),
                    ..Evidence::default()
                })
                .collect();
            f
        })
        .collect();
    Report {
        verdict: Verdict::of(&findings),
        findings,
        ..red_report()
    }
}

/// Builds an English case with English data, so no Chinese may appear anywhere.
pub fn english_report() -> Report {
    let mut report = red_report();
    report.lang = Lang::En;
    report.case.name = "Example Information Technology Co., Ltd.".into();
    report.case.next_deadline = Some(Deadline {
        id: "annual_report".into(),
        date: date("2025-03-31"),
        title: "Annual report for 2024 closes".into(),
        days_left: -3,
    });

    for f in &mut report.findings {
        f.title = format!("English title of {}", f.rule);
        f.detail = "Own records 12,480 answered, carrier 11,976.".into();
        f.suggestion = "Check the raw records and correct the declaration.".into();
        f.basis.source = "Product default threshold".into();
        for e in &mut f.evidence {
            e.file = e.file.as_ref().map(|_| "cdr/local/2024-03.csv".to_string());
            e.sheet = e.sheet.as_ref().map(|_| "Voice".to_string());
            e.column = e.column.as_ref().map(|_| "caller".to_string());
            e.note = "not in the carrier bill".into();
        }
    }

    for step in &mut report.plan {
        step.title = format!("Step {}", step.id);
        step.detail = String::new();
    }

    let mut cdr = cdr_metrics();
    cdr["warnings"] =
        json!([{"id": "time_zone_offset", "message": "carrier times look 8 hours late"}]);
    cdr["declared"] = json!([{"figure": "seats", "name": "Seats", "declared": "10", "computed": "9", "ok": false}]);
    report.metrics.insert("cdr".into(), cdr);

    report.metrics.insert(
        "complaints".into(),
        json!({"received_in_period": 14, "replied": 13, "response_rate": 0.928571}),
    );
    report.metrics.insert(
        "schedule".into(),
        json!({"calendar": "regulation", "deadlines": [{"id": "annual_report", "name": "Annual report", "days_left": -3}]}),
    );
    report
}

/// Returns true when `text` contains a CJK ideograph or CJK punctuation.
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
    })
}
