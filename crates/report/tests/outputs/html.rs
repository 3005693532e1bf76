//! report.html: self-contained, escaped, in the report's language.

use nianshen_checks::finding::Evidence;
use nianshen_report::report_html;
use nianshen_rules::{BasisKind, Severity};
use regex::Regex;

use crate::common::{
    empty_report, english_report, finding, has_cjk, many_findings_report, red_report,
};

/// Finds anything a browser would fetch: src/href/srcset to another host or
/// scheme, CSS url() and @import, and <link>, <script>, <iframe>, <object>.
fn external_references(html: &str) -> Vec<String> {
    let patterns = [
        r#"(?i)(src|href|srcset|action|data)\s*=\s*["']?\s*([a-z][a-z0-9+.-]*:|//)"#,
        r"(?i)url\(",
        r"(?i)@import",
        r"(?i)<(link|script|iframe|object|embed|img|base)\b",
    ];
    let mut found = Vec::new();
    for pattern in patterns {
        let re = Regex::new(pattern).unwrap();
        found.extend(re.find_iter(html).map(|m| m.as_str().to_string()));
    }
    found
}

#[test]
fn html_loads_no_external_resource() {
    let mut report = red_report();
    // User data that looks like references must not read as one either.
    report.findings[0].evidence.push(Evidence {
        file: Some("//fileserver/share/话单.csv".into()),
        value: Some("url(https://evil.example/x.png) @import 'x.css'".into()),
        note: "<img src=https://evil.example/p.gif>".into(),
        ..Evidence::default()
    });
    for report in [report, empty_report(), english_report()] {
        let html = report_html(&report);
        assert_eq!(external_references(&html), Vec::<String>::new());
    }
}

#[test]
fn script_in_user_data_is_escaped() {
    let attack = "<script>alert('x')</script>";
    let mut report = red_report();
    report.case.name = format!("公司{attack}");
    report.findings[0].title = attack.into();
    report.findings[0].detail = attack.into();
    report.findings[0].evidence[0].value = Some(attack.into());
    report.findings[0].evidence[0].file = Some(format!("话单/{attack}.csv"));
    report.findings[0].basis.source = attack.into();
    report.plan[0].title = attack.into();
    report.metrics["cdr"]["warnings"][0]["message"] = attack.into();
    report.metrics["seats"]["insured_month"] = attack.into();

    let html = report_html(&report);

    assert!(
        !html.to_lowercase().contains("<script"),
        "unescaped script tag"
    );
    assert!(html.contains("&lt;script&gt;alert&#40;&#39;x&#39;)&lt;&#47;script&gt;"));
}

#[test]
fn chinese_html_has_every_section() {
    let html = report_html(&red_report());

    for label in [
        "<html lang=\"zh-CN\">",
        "深圳市某某信息科技有限公司",
        "2024-01-01 – 2024-12-31",
        "cn-miit 2025.1",
        "不可提交",
        "红灯问题",
        "黄灯问题",
        "对碰数据",
        "提示信息",
        "时间计划",
        "2024 年度年报填报截止",
        "剩 44 天",
        "怎么做",
        "话单&#47;本地&#47;2024-03.csv",
        "138****1234",
        "打码",
    ] {
        assert!(html.contains(label), "missing {label}");
    }
}

#[test]
fn verdict_lamp_counts_each_severity() {
    let html = report_html(&red_report());
    assert!(html.contains("class=\"lamp lamp-red\""));
    assert!(html.contains("<span class=\"chip chip-red\">红 <b>3</b></span>"));
    assert!(html.contains("<span class=\"chip chip-yellow\">黄 <b>2</b></span>"));
    assert!(html.contains("<span class=\"chip chip-info\">提示 <b>1</b></span>"));
    assert!(html.contains("<span class=\"chip chip-green\">绿 <b>1</b></span>"));
}

#[test]
fn unsourced_basis_gets_a_note() {
    let note = "此项无公开法规条文依据，为产品默认做法或行业惯例";
    let mut report = red_report();
    report.findings = vec![
        finding(
            "cdr.count_mismatch",
            Severity::Red,
            "A",
            BasisKind::ProductDefault,
        ),
        finding(
            "cdr.outside_hours",
            Severity::Yellow,
            "B",
            BasisKind::IndustryPractice,
        ),
        finding("case.uscc_invalid", Severity::Red, "C", BasisKind::Statute),
        finding(
            "complaints.open",
            Severity::Red,
            "D",
            BasisKind::RegulatorNotice,
        ),
    ];

    let html = report_html(&report);

    assert_eq!(html.matches(note).count(), 2);
}

#[test]
fn english_html_has_no_chinese() {
    let html = report_html(&english_report());

    for label in [
        "<html lang=\"en\">",
        "do not submit",
        "Red items",
        "Yellow items",
        "Reconciliations",
        "Next deadline",
        "3 days overdue",
        "What to do",
        "No published legal text",
        "Own records",
        "Carrier bill",
        "Declared figures against the records",
        "carrier times look 8 hours late",
        "masked",
    ] {
        assert!(html.contains(label), "missing {label}");
    }
    let cjk: String = html.chars().filter(|c| has_cjk(&c.to_string())).collect();
    assert!(cjk.is_empty(), "Chinese text in the English report: {cjk}");
}

#[test]
fn cdr_figures_and_per_day_chart() {
    let html = report_html(&red_report());

    assert!(html.contains("<svg class=\"per-day\""));
    assert_eq!(html.matches("<polyline").count(), 2);
    // 5 to 9 March differ: five marks and five rows under the chart.
    assert_eq!(html.matches("<rect class=\"diff\"").count(), 5);
    assert!(html.contains("<td class=\"num\">12,480</td><td class=\"num\">11,976</td>"));
    assert!(html.contains("<td class=\"num cell-red\">4.21%</td>"));
    assert!(html.contains("运营商话单疑似比本地话单晚 8 小时"));
    assert!(html.contains("<td class=\"file\">话单&#47;运营商&#47;移动二次话单.xls</td>"));
    assert!(html.contains("masked 12<br>missing_number 5"));
    assert!(html.contains("<th>接通率</th><td class=\"num\">0.6523</td>"));
    // Figures of other areas, rendered from their shape.
    assert!(html.contains("5.94%"), "finance rate as a percentage");
    assert!(html.contains("<th>参保人数</th><td class=\"num\">3</td>"));
    assert!(
        html.contains("0.0125%"),
        "a small complaint rate keeps its digits"
    );
}

#[test]
fn empty_case_renders_every_section() {
    let html = report_html(&empty_report());

    assert!(html.contains("可提交"));
    assert!(html.contains("本次运行没有对碰数据"));
    assert!(html.contains("没有红灯问题"));
    assert!(html.contains("没有计划步骤"));
    assert!(html.contains("未找到下一截止日期"));
    assert!(!html.contains("<svg"));
}

#[test]
fn hundreds_of_findings_render() {
    let report = many_findings_report(400);
    let html = report_html(&report);

    assert_eq!(html.matches("<article class=\"finding").count(), 300);
    assert_eq!(html.matches("<details class=\"folded\">").count(), 100);
    assert!(html.contains("第 399 号被叫"));
    // 120 rows of evidence: 50 shown, the rest pointed to.
    assert!(html.contains("另有 70 条证据未列出"));
    assert!(html.len() < 8 * 1024 * 1024, "{} bytes", html.len());
}

#[test]
fn html_blocks_are_balanced() {
    for report in [red_report(), empty_report(), many_findings_report(50)] {
        let html = report_html(&report);
        for tag in [
            "section", "article", "table", "details", "svg", "div", "tr", "figure",
        ] {
            let open = Regex::new(&format!("<{tag}[ >]")).unwrap();
            let opened = open.find_iter(&html).count();
            let closed = html.matches(&format!("</{tag}>")).count();
            assert_eq!(opened, closed, "<{tag}>");
        }
    }
}

#[test]
fn html_is_deterministic() {
    assert_eq!(report_html(&red_report()), report_html(&red_report()));
}
