//! The terminal summary.

use std::path::PathBuf;

use nianshen_report::terminal_summary;

use crate::common::{empty_report, english_report, many_findings_report, red_report};

fn outputs() -> Vec<PathBuf> {
    vec![
        PathBuf::from("nianshen-out/客户A/findings.json"),
        PathBuf::from("nianshen-out/客户A/report.html"),
    ]
}

#[test]
fn chinese_summary_lists_verdict_items_deadline_and_files() {
    let text = terminal_summary(&red_report(), &outputs(), false);

    let want = [
        "年审检查：深圳市某某信息科技有限公司（2024-01-01 至 2024-12-31），截至 2025-02-15",
        "结论：[红] 不可提交",
        "红灯 3 项：",
        "  [红] cdr.count_mismatch  本地话单接通数与运营商话单相差 4.21%",
        "黄灯 2 项：",
        "  [黄] complaints.late_verification  2 件 12321 投诉超过 24 小时才核实",
        "合计：红 3 项，黄 2 项，绿 1 项，提示 1 项",
        "下一截止：2025-03-31 2024 年度年报填报截止（剩 44 天）",
        "报告文件：",
        "  nianshen-out/客户A/report.html",
    ];
    for line in want {
        assert!(
            text.lines().any(|l| l == line),
            "missing line {line:?} in\n{text}"
        );
    }
    assert!(!text.contains('\x1b'));
    assert!(
        !text.contains("materials.unassigned"),
        "info items stay in the report"
    );
}

#[test]
fn english_summary_uses_english_words() {
    let text = terminal_summary(&english_report(), &outputs(), false);

    assert!(text.contains("Verdict: [red] do not submit"), "{text}");
    assert!(text.contains("red items: 3"), "{text}");
    assert!(
        text.contains("Counts: 3 red, 2 yellow, 1 green, 1 info"),
        "{text}"
    );
    assert!(text.contains("(3 days overdue)"), "{text}");
    assert!(text.contains("Reports:"), "{text}");
}

#[test]
fn colour_only_when_asked() {
    let text = terminal_summary(&red_report(), &outputs(), true);
    assert!(text.contains("\x1b[1;31m[红]\x1b[0m"));
}

#[test]
fn green_summary_says_ready() {
    let text = terminal_summary(&empty_report(), &[], false);
    assert!(text.contains("结论：[绿] 可提交"), "{text}");
    assert!(text.contains("下一截止：未找到"), "{text}");
    assert!(!text.contains("报告文件"), "{text}");
}

#[test]
fn long_lists_are_cut_short() {
    let text = terminal_summary(&many_findings_report(400), &outputs(), false);

    assert!(text.contains("红灯 100 项："), "{text}");
    assert!(text.contains("  …另有 90 项，见 report.html"), "{text}");
    assert!(text.lines().count() < 40, "{text}");
}
