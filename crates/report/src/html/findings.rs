//! The findings: red and yellow ones in full, green and information ones
//! collapsed.

use nianshen_checks::finding::{Evidence, Finding, Report};
use nianshen_rules::{BasisKind, Lang, Severity};

use super::{count, sev_class, w, Esc, EscLines};
use crate::text::tr;

/// Evidence rows shown per finding. `findings.json` keeps them all.
const MAX_EVIDENCE_ROWS: usize = 50;

/// Renders the section of red or yellow findings, each in full.
pub(super) fn section(out: &mut String, report: &Report, sev: Severity) {
    let lang = report.lang;
    let (id, heading, lead, none) = match sev {
        Severity::Red => (
            "red",
            tr(lang, "红灯问题", "Red items"),
            tr(
                lang,
                "每一项都会导致不可提交或触发飞行检查，须在提交前解决。",
                "Each of these blocks submission or invites an on-site inspection: resolve them before submitting.",
            ),
            tr(lang, "没有红灯问题。", "No red items."),
        ),
        _ => (
            "yellow",
            tr(lang, "黄灯问题", "Yellow items"),
            tr(
                lang,
                "整改后即可提交；不整改会在审查中被指出。",
                "Correct these before submitting; left as they are, the review will point them out.",
            ),
            tr(lang, "没有黄灯问题。", "No yellow items."),
        ),
    };

    w!(
        out,
        "<section class=\"page\" id=\"{id}\">\n<h2><span class=\"dot dot-{id}\"></span>{heading} <small>{}</small></h2>\n<p class=\"lead\">{lead}</p>\n",
        items_count(lang, count(report, sev))
    );
    let mut any = false;
    for (index, f) in report.findings.iter().enumerate() {
        if f.severity == sev {
            finding_card(out, index, f, lang);
            any = true;
        }
    }
    if !any {
        w!(out, "<p class=\"empty\">{none}</p>\n");
    }
    out.push_str("</section>\n");
}

/// Renders green and information findings, each folded into one line that opens.
pub(super) fn collapsed_section(out: &mut String, report: &Report) {
    let lang = report.lang;
    let n = count(report, Severity::Green) + count(report, Severity::Info);
    w!(
        out,
        "<section id=\"info\">\n<h2><span class=\"dot dot-info\"></span>{} <small>{}</small></h2>\n",
        tr(lang, "提示信息", "Information"),
        items_count(lang, n)
    );
    if n == 0 {
        w!(
            out,
            "<p class=\"empty\">{}</p>\n",
            tr(lang, "没有提示信息。", "No information items.")
        );
    }
    let folded = report
        .findings
        .iter()
        .filter(|f| matches!(f.severity, Severity::Green | Severity::Info));
    for f in folded {
        w!(
            out,
            "<details class=\"folded\">\n<summary><span class=\"tag tag-{}\">{}</span> <code>{}</code> {}</summary>\n",
            sev_class(f.severity),
            f.severity.label(lang),
            Esc(&f.rule),
            Esc(&f.title)
        );
        finding_body(out, f, lang);
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

fn items_count(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("{n} 项"),
        Lang::En if n == 1 => "1 item".to_string(),
        Lang::En => format!("{n} items"),
    }
}

/// Renders a finding in full. `index` is its place in the report and names
/// the anchor that the summary links to.
fn finding_card(out: &mut String, index: usize, f: &Finding, lang: Lang) {
    let class = sev_class(f.severity);
    w!(
        out,
        "<article class=\"finding finding-{class}\" id=\"f{index}\">\n<header><span class=\"tag tag-{class}\">{}</span><code class=\"rule\">{}</code></header>\n<h3>{}</h3>\n",
        f.severity.label(lang),
        Esc(&f.rule),
        Esc(&f.title)
    );
    finding_body(out, f, lang);
    out.push_str("</article>\n");
}

/// Renders the detail, evidence, suggestion and basis of a finding.
fn finding_body(out: &mut String, f: &Finding, lang: Lang) {
    if !f.detail.is_empty() {
        w!(out, "<p class=\"detail\">{}</p>\n", EscLines(&f.detail));
    }
    evidence_table(out, &f.evidence, lang);
    if !f.suggestion.is_empty() {
        w!(
            out,
            "<div class=\"suggestion\"><b>{}</b><span>{}</span></div>\n",
            tr(lang, "怎么做", "What to do"),
            EscLines(&f.suggestion)
        );
    }
    basis(out, f, lang);
}

fn basis(out: &mut String, f: &Finding, lang: Lang) {
    let kind = &f.basis.kind;
    let (label, unsourced) = match kind {
        BasisKind::Statute => (tr(lang, "法律法规", "Statute"), false),
        BasisKind::RegulatorNotice => (tr(lang, "监管文件", "Regulator notice"), false),
        BasisKind::IndustryPractice => (tr(lang, "行业惯例", "Industry practice"), true),
        BasisKind::ProductDefault => (tr(lang, "产品默认", "Product default"), true),
    };
    w!(
        out,
        "<div class=\"basis\"><b>{}</b><span class=\"kind{}\">{label}</span><span>{}</span>",
        tr(lang, "依据", "Basis"),
        if unsourced { " unsourced" } else { "" },
        EscLines(&f.basis.source)
    );
    if unsourced {
        w!(
            out,
            "<div class=\"basis-note\">{}</div>",
            tr(
                lang,
                "此项无公开法规条文依据，为产品默认做法或行业惯例",
                "No published legal text behind this rule: it is a product default or industry practice"
            )
        );
    }
    out.push_str("</div>\n");
}

/// Renders the evidence as a table with only the columns that some row fills.
fn evidence_table(out: &mut String, evidence: &[Evidence], lang: Lang) {
    if evidence.is_empty() {
        return;
    }
    let has = |get: fn(&Evidence) -> bool| evidence.iter().any(get);
    let columns = [
        (has(|e| e.file.is_some()), tr(lang, "文件", "File")),
        (has(|e| e.sheet.is_some()), tr(lang, "工作表", "Sheet")),
        (has(|e| e.row.is_some()), tr(lang, "行", "Row")),
        (has(|e| e.column.is_some()), tr(lang, "列", "Column")),
        (has(|e| e.value.is_some()), tr(lang, "值", "Value")),
        (true, tr(lang, "说明", "Note")),
    ];

    out.push_str("<table class=\"evidence\">\n<thead><tr>");
    for (shown, label) in columns {
        if shown {
            w!(out, "<th>{label}</th>");
        }
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for e in evidence.iter().take(MAX_EVIDENCE_ROWS) {
        evidence_row(out, e, &columns);
    }
    out.push_str("</tbody>\n</table>\n");

    let rest = evidence.len().saturating_sub(MAX_EVIDENCE_ROWS);
    if rest > 0 {
        let more = match lang {
            Lang::Zh => format!("另有 {rest} 条证据未列出，完整列表见 findings.json。"),
            Lang::En => format!("{rest} more pieces of evidence are listed in findings.json."),
        };
        w!(out, "<p class=\"more\">{}</p>\n", Esc(&more));
    }
}

fn evidence_row(out: &mut String, e: &Evidence, columns: &[(bool, &str); 6]) {
    let row = e.row.map(|r| r.to_string());
    let cells = [
        e.file.as_deref(),
        e.sheet.as_deref(),
        row.as_deref(),
        e.column.as_deref(),
        e.value.as_deref(),
        Some(e.note.as_str()),
    ];
    out.push_str("<tr>");
    for (i, ((shown, _), cell)) in columns.iter().zip(cells).enumerate() {
        if *shown {
            let class = match i {
                0 => " class=\"file\"",
                2 => " class=\"row\"",
                _ => "",
            };
            w!(out, "<td{class}>{}</td>", Esc(cell.unwrap_or("")));
        }
    }
    out.push_str("</tr>\n");
}
