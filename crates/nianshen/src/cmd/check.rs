//! `nianshen check CASE_DIR`: every check, the reports and a short summary.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use nianshen_checks::{RunOptions, Verdict};
use nianshen_rules::Lang;

use crate::cli::{CheckArgs, FailOn};
use crate::failure::{Failure, EXIT_FAIL_ON, EXIT_OK};

/// The validated work of one `check` run.
#[derive(Debug)]
struct Plan {
    case: nianshen_case::LoadedCase,
    out: PathBuf,
    options: RunOptions,
    fail_on: Option<FailOn>,
}

pub fn run(args: CheckArgs, lang: Lang) -> Result<u8, Failure> {
    let plan = plan(args, lang)?;
    let span = tracing::info_span!("check", case = %plan.case.dir.display());
    let _guard = span.enter();

    let report = nianshen_checks::run(&plan.case, &plan.options)
        .map_err(|e| Failure::new(e.message(lang)))?;
    tracing::info!(findings = report.findings.len(), verdict = ?report.verdict, "checks done");

    let outputs = nianshen_report::write_outputs(&report, &plan.out)
        .map_err(|e| Failure::new(e.message(lang)))?;
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    crate::output::print(&nianshen_report::terminal_summary(&report, &outputs, color));

    let failed = match plan.fail_on {
        Some(FailOn::Red) => report.verdict == Verdict::Red,
        Some(FailOn::Yellow) => report.verdict != Verdict::Green,
        None => false,
    };
    Ok(if failed { EXIT_FAIL_ON } else { EXIT_OK })
}

fn plan(args: CheckArgs, lang: Lang) -> Result<Plan, Failure> {
    let case = nianshen_case::load(&args.case_dir).map_err(|e| Failure::new(e.message(lang)))?;
    let out = match args.out {
        Some(out) => out,
        None => default_out(&args.case_dir),
    };
    refuse_out_inside_case(&case.dir, &out, lang)?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let options = RunOptions {
        as_of,
        rules: args.rules,
        lang,
        unmask: args.unmask,
        memory_limit: args.memory_limit,
    };
    // Load the pack now, so an unknown pack fails before any work starts.
    nianshen_checks::load_pack(&case, &options).map_err(|e| Failure::new(e.message(lang)))?;
    Ok(Plan {
        case,
        out,
        options,
        fail_on: args.fail_on,
    })
}

/// `./nianshen-out/<case folder name>`.
fn default_out(case_dir: &Path) -> PathBuf {
    let name = std::fs::canonicalize(case_dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_os_string()))
        .unwrap_or_else(|| "case".into());
    PathBuf::from("nianshen-out").join(name)
}

/// Outputs never go inside the case folder: the case is the user's
/// evidence and is only ever read.
fn refuse_out_inside_case(case_dir: &Path, out: &Path, lang: Lang) -> Result<(), Failure> {
    let Ok(case) = std::fs::canonicalize(case_dir) else {
        return Ok(());
    };
    let out_abs = absolute_lenient(out);
    if out_abs.starts_with(&case) {
        return Err(Failure::localized(
            lang,
            format!(
                "输出文件夹 {} 位于案例文件夹之内。\nnianshen 从不改动案例材料：请用 --out 指定案例文件夹以外的位置，或省略 --out 使用默认的 ./nianshen-out/。",
                out.display()
            ),
            format!(
                "the output folder {} is inside the case folder.\nnianshen never writes into the case: give --out a place outside it, or leave --out out to use ./nianshen-out/.",
                out.display()
            ),
        ));
    }
    Ok(())
}

/// The absolute form of a path that may not exist yet: its nearest existing
/// ancestor canonicalised, with the rest appended.
pub(crate) fn absolute_lenient(path: &Path) -> PathBuf {
    let base = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut existing = base.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut result = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.iter().rev() {
        result.push(name);
    }
    result
}
