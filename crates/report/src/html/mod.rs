//! `report.html`: one self-contained, printable page. Styles are inline,
//! charts are inline SVG, and nothing is loaded from anywhere else, so the
//! file opens the same on an intranet machine without network. Every text
//! from the case goes through [`Esc`].

mod chart;
mod escape;
mod findings;
mod metrics;
mod plan;

use std::path::Path;

use nianshen_checks::finding::{Report, Verdict};
use nianshen_rules::{Lang, Severity};

use crate::error::ReportError;
use crate::text::{days_left, tr};
use crate::write_file;
pub(crate) use escape::{Esc, EscLines};

/// Appends formatted text to a `String`. `fmt::Write` for `String` never
/// returns an error, so the result is dropped.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = write!($out, $($arg)*);
    }};
}
pub(crate) use w;

const STYLE: &str = include_str!("report.css");

/// Renders the whole `report.html` page in the report's language.
pub fn report_html(report: &Report) -> String {
    let lang = report.lang;
    let mut out = String::with_capacity(64 * 1024);

    head(&mut out, report);
    masthead(&mut out, report);
    summary(&mut out, report);
    toc(&mut out, lang);
    findings::section(&mut out, report, Severity::Red);
    findings::section(&mut out, report, Severity::Yellow);
    metrics::section(&mut out, report);
    findings::collapsed_section(&mut out, report);
    plan::section(&mut out, report);
    footer(&mut out, report);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Writes `report.html`: the [`crate::Output`] writer of that file.
pub(crate) fn write_report_html(report: &Report, path: &Path) -> Result<(), ReportError> {
    write_file(path, report_html(report).as_bytes())
}

fn head(out: &mut String, report: &Report) {
    let lang = report.lang;
    let html_lang = tr(lang, "zh-CN", "en");
    w!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body class=\"lang-{}\">\n<main class=\"report\">\n",
        tr(lang, "年审差异分析报告", "Licence review difference report"),
        Esc(case_name(report)),
        tr(lang, "zh", "en")
    );
}

fn masthead(out: &mut String, report: &Report) {
    let lang = report.lang;
    let period = match (report.case.period_from, report.case.period_to) {
        (Some(from), Some(to)) => format!("{from} – {to}"),
        (Some(from), None) => format!("{from} –"),
        (None, Some(to)) => format!("– {to}"),
        (None, None) => tr(lang, "未填写", "not given").to_string(),
    };
    w!(
        out,
        "<header class=\"masthead\">\n<div class=\"doc-kind\">{}</div>\n<h1>{}</h1>\n<dl class=\"facts\">\n",
        tr(lang, "年审差异分析报告 · B24 国内呼叫中心业务", "Licence review difference report · B24 domestic call centre"),
        Esc(case_name(report))
    );
    fact(out, tr(lang, "审查期间", "Period under review"), &period);
    fact(
        out,
        tr(lang, "数据截至", "As of"),
        &report.as_of.to_string(),
    );
    let pack = format!("{} {}", report.rule_pack.name, report.rule_pack.version);
    fact(out, tr(lang, "规则包", "Rule pack"), &pack);
    out.push_str("</dl>\n</header>\n");
}

fn fact(out: &mut String, label: &str, value: &str) {
    w!(
        out,
        "<div><dt>{}</dt><dd>{}</dd></div>\n",
        Esc(label),
        Esc(value)
    );
}

/// Renders the verdict lamp with its counts, the next deadline beside it and
/// the items to fix below.
fn summary(out: &mut String, report: &Report) {
    let lang = report.lang;
    let (class, bulb) = match report.verdict {
        Verdict::Red => ("red", Severity::Red.label(lang)),
        Verdict::Yellow => ("yellow", Severity::Yellow.label(lang)),
        Verdict::Green => ("green", Severity::Green.label(lang)),
    };
    w!(
        out,
        "<section class=\"summary\" id=\"summary\">\n<div class=\"lamp lamp-{class}\">\n\
         <div class=\"bulb\" aria-hidden=\"true\">{bulb}</div>\n<div>\n\
         <div class=\"verdict-kind\">{}</div>\n<div class=\"verdict\">{}</div>\n<div class=\"counts\">",
        tr(lang, "结论", "Verdict"),
        Esc(report.verdict.label(lang))
    );
    for sev in [
        Severity::Red,
        Severity::Yellow,
        Severity::Green,
        Severity::Info,
    ] {
        let n = count(report, sev);
        if sev == Severity::Green && n == 0 {
            continue;
        }
        w!(
            out,
            "<span class=\"chip chip-{}\">{} <b>{n}</b></span>",
            sev_class(sev),
            sev.label(lang)
        );
    }
    out.push_str("</div>\n</div>\n</div>\n");
    next_deadline(out, report);
    top_items(out, report);
    out.push_str("</section>\n");
}

/// Maximum items listed on the first page, which shows what will fail.
const MAX_TOP_ITEMS: usize = 10;

/// Lists the red, then yellow, titles, each linking to its finding.
fn top_items(out: &mut String, report: &Report) {
    let lang = report.lang;
    let mut items: Vec<(usize, &nianshen_checks::finding::Finding)> = Vec::new();
    for sev in [Severity::Red, Severity::Yellow] {
        let of_sev = report.findings.iter().enumerate();
        items.extend(of_sev.filter(|(_, f)| f.severity == sev));
    }
    if items.is_empty() {
        return;
    }
    w!(
        out,
        "<div class=\"top-items\">\n<h3>{}</h3>\n<ol>\n",
        tr(lang, "需要处理的问题", "What must be fixed")
    );
    for (index, f) in items.iter().take(MAX_TOP_ITEMS) {
        w!(
            out,
            "<li><span class=\"tag tag-{}\">{}</span> <a href=\"#f{index}\">{}</a></li>\n",
            sev_class(f.severity),
            f.severity.label(lang),
            Esc(&f.title)
        );
    }
    out.push_str("</ol>\n");
    let rest = items.len().saturating_sub(MAX_TOP_ITEMS);
    if rest > 0 {
        let more = match lang {
            Lang::Zh => format!("另有 {rest} 项，见下文。"),
            Lang::En => format!("{rest} more below."),
        };
        w!(out, "<p class=\"more\">{}</p>\n", Esc(&more));
    }
    out.push_str("</div>\n");
}

fn next_deadline(out: &mut String, report: &Report) {
    let lang = report.lang;
    w!(
        out,
        "<div class=\"deadline\">\n<div class=\"label\">{}</div>\n",
        tr(lang, "下一截止", "Next deadline")
    );
    match &report.case.next_deadline {
        Some(d) => {
            let urgent = if d.days_left < 0 {
                " overdue"
            } else if d.days_left <= 30 {
                " soon"
            } else {
                ""
            };
            w!(
                out,
                "<div class=\"date\">{}</div>\n<div class=\"title\">{}</div>\n<div class=\"left{urgent}\">{}</div>\n",
                d.date,
                Esc(&d.title),
                Esc(&days_left(lang, d.days_left))
            );
        }
        None => w!(
            out,
            "<div class=\"title\">{}</div>\n",
            tr(lang, "未找到下一截止日期", "No upcoming deadline found")
        ),
    }
    out.push_str("</div>\n");
}

fn toc(out: &mut String, lang: Lang) {
    let links = [
        ("red", tr(lang, "红灯问题", "Red items")),
        ("yellow", tr(lang, "黄灯问题", "Yellow items")),
        ("recon", tr(lang, "对碰数据", "Reconciliations")),
        ("info", tr(lang, "提示信息", "Information")),
        ("plan", tr(lang, "时间计划", "Plan")),
    ];
    w!(
        out,
        "<nav class=\"toc\"><span>{}</span>",
        tr(lang, "目录", "Contents")
    );
    for (id, label) in links {
        w!(out, "<a href=\"#{id}\">{label}</a>");
    }
    out.push_str("</nav>\n");
}

fn footer(out: &mut String, report: &Report) {
    let lang = report.lang;
    w!(
        out,
        "<footer class=\"footer\">\n<p>{}</p>\n<p>{}</p>\n<p>{} nianshen {} · {} {} {} · {} {}</p>\n</footer>\n",
        tr(
            lang,
            "隐私：本报告中的电话号码和身份证号默认打码显示（如 138****1234），只有运行时指定 --unmask 才显示完整号码。未打码的报告含个人信息，请勿外传。",
            "Privacy: phone and ID numbers in this report are masked by default (e.g. 138****1234); only a run with --unmask shows them in full. An unmasked report holds personal information: do not pass it on."
        ),
        tr(
            lang,
            "阈值、日期和检查项来自规则包；标注“产品默认”或“行业惯例”的阈值没有公开法规依据，可在 case.toml 的 [rules.override] 中调整。",
            "Thresholds, dates and checks come from the rule pack; thresholds marked product default or industry practice have no published legal source and can be changed under [rules.override] in case.toml."
        ),
        tr(lang, "生成工具", "Made with"),
        env!("CARGO_PKG_VERSION"),
        tr(lang, "规则包", "rule pack"),
        Esc(&report.rule_pack.name),
        Esc(&report.rule_pack.version),
        tr(lang, "数据截至", "as of"),
        report.as_of
    );
}

/// Returns the company name, or a placeholder when the case has none.
fn case_name(report: &Report) -> &str {
    match report.case.name.trim() {
        "" => tr(report.lang, "（未填写公司名称）", "(no company name given)"),
        name => name,
    }
}

pub(crate) fn count(report: &Report, sev: Severity) -> usize {
    report.findings.iter().filter(|f| f.severity == sev).count()
}

/// Returns the CSS class suffix of a lamp.
pub(crate) fn sev_class(sev: Severity) -> &'static str {
    match sev {
        Severity::Red => "red",
        Severity::Yellow => "yellow",
        Severity::Green => "green",
        Severity::Info => "info",
    }
}
