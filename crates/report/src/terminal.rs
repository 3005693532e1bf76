//! The short summary printed after a check run: verdict, red and yellow
//! items, counts, the next deadline and where the files are.

use std::fmt::Write as _;
use std::path::PathBuf;

use nianshen_checks::finding::{Finding, Report, Verdict};
use nianshen_rules::{Lang, Severity};

use crate::text::{days_left, tr};

/// Maximum items listed per lamp. The report lists the rest.
const MAX_ITEMS_PER_LAMP: usize = 10;

/// Builds the summary in the report's language. `outputs` are the files
/// written, as returned by [`crate::write_outputs`]. `color` adds ANSI
/// colours to the lamps, so the caller sets it only for a terminal.
pub fn terminal_summary(report: &Report, outputs: &[PathBuf], color: bool) -> String {
    let lang = report.lang;
    let mut out = String::new();

    heading(&mut out, report);
    let verdict_sev = verdict_severity(report.verdict);
    let _ = writeln!(
        out,
        "{}{} {}",
        tr(lang, "结论：", "Verdict: "),
        lamp(verdict_sev, lang, color),
        report.verdict.label(lang)
    );

    for sev in [Severity::Red, Severity::Yellow] {
        items(&mut out, report, sev, color);
    }
    counts(&mut out, report);
    not_checked(&mut out, report);
    deadline(&mut out, report);

    if !outputs.is_empty() {
        let _ = writeln!(out, "{}", tr(lang, "报告文件：", "Reports:"));
        for path in outputs {
            let _ = writeln!(out, "  {}", path.display());
        }
    }
    out
}

fn heading(out: &mut String, report: &Report) {
    let lang = report.lang;
    let name = one_line(&report.case.name);
    let period = match (report.case.period_from, report.case.period_to) {
        (Some(from), Some(to)) => match lang {
            Lang::Zh => format!("（{from} 至 {to}）"),
            Lang::En => format!(" ({from} to {to})"),
        },
        _ => String::new(),
    };
    let _ = match lang {
        Lang::Zh => writeln!(out, "年审检查：{name}{period}，截至 {}", report.as_of),
        Lang::En => writeln!(out, "Review check: {name}{period}, as of {}", report.as_of),
    };
}

/// Lists one line per finding of `sev`, at most [`MAX_ITEMS_PER_LAMP`].
fn items(out: &mut String, report: &Report, sev: Severity, color: bool) {
    let lang = report.lang;
    let found: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.severity == sev)
        .collect();
    if found.is_empty() {
        return;
    }

    let _ = match lang {
        Lang::Zh => writeln!(out, "{}灯 {} 项：", sev.label(lang), found.len()),
        Lang::En => writeln!(out, "{} items: {}", sev.label(lang), found.len()),
    };
    for f in found.iter().take(MAX_ITEMS_PER_LAMP) {
        let _ = writeln!(
            out,
            "  {} {}  {}",
            lamp(sev, lang, color),
            one_line(&f.rule),
            one_line(&f.title)
        );
    }
    let rest = found.len().saturating_sub(MAX_ITEMS_PER_LAMP);
    if rest > 0 {
        let _ = match lang {
            Lang::Zh => writeln!(out, "  …另有 {rest} 项，见 report.html"),
            Lang::En => writeln!(out, "  … {rest} more in report.html"),
        };
    }
}

fn counts(out: &mut String, report: &Report) {
    let n = |sev: Severity| report.findings.iter().filter(|f| f.severity == sev).count();
    let (red, yellow, green, info) = (
        n(Severity::Red),
        n(Severity::Yellow),
        n(Severity::Green),
        n(Severity::Info),
    );
    let _ = match report.lang {
        Lang::Zh => writeln!(
            out,
            "合计：红 {red} 项，黄 {yellow} 项，绿 {green} 项，提示 {info} 项"
        ),
        Lang::En => writeln!(
            out,
            "Counts: {red} red, {yellow} yellow, {green} green, {info} info"
        ),
    };
}

/// The checks this version does not run, so a green verdict is read for
/// what it covers.
fn not_checked(out: &mut String, report: &Report) {
    for finding in report
        .findings
        .iter()
        .filter(|f| f.rule == "checks.not_run")
    {
        let _ = writeln!(
            out,
            "{}{}",
            tr(report.lang, "注意：", "Note: "),
            one_line(&finding.title)
        );
    }
}

fn deadline(out: &mut String, report: &Report) {
    let lang = report.lang;
    let Some(d) = &report.case.next_deadline else {
        let _ = writeln!(
            out,
            "{}",
            tr(lang, "下一截止：未找到", "Next deadline: none found")
        );
        return;
    };
    let _ = match lang {
        Lang::Zh => writeln!(
            out,
            "下一截止：{} {}（{}）",
            d.date,
            one_line(&d.title),
            days_left(lang, d.days_left)
        ),
        Lang::En => writeln!(
            out,
            "Next deadline: {} {} ({})",
            d.date,
            one_line(&d.title),
            days_left(lang, d.days_left)
        ),
    };
}

fn verdict_severity(verdict: Verdict) -> Severity {
    match verdict {
        Verdict::Red => Severity::Red,
        Verdict::Yellow => Severity::Yellow,
        Verdict::Green => Severity::Green,
    }
}

/// Formats a lamp as `[红]`, in the lamp's colour when `color` is set.
fn lamp(sev: Severity, lang: Lang, color: bool) -> String {
    let text = format!("[{}]", sev.label(lang));
    if !color {
        return text;
    }
    let code = match sev {
        Severity::Red => "1;31",
        Severity::Yellow => "1;33",
        Severity::Green => "1;32",
        Severity::Info => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Puts a text from the rule pack or the data on one line and replaces
/// control characters, such as a stray escape sequence in a file name.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_removes_newlines_and_escape_sequences() {
        assert_eq!(one_line("话单\n差异\x1b[2J"), "话单 差异 [2J");
    }

    #[test]
    fn lamp_is_plain_without_colour() {
        assert_eq!(lamp(Severity::Red, Lang::Zh, false), "[红]");
        assert_eq!(
            lamp(Severity::Yellow, Lang::En, true),
            "\x1b[1;33m[yellow]\x1b[0m"
        );
    }
}
