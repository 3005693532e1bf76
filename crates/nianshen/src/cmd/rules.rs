//! `nianshen rules`: show a pack, validate a pack file, compare two packs.

use std::io::Write;

use nianshen_rules::{
    builtin_names, builtin_text, diff, load_unchecked, validate, Difference, Lang, RulePack,
    RulesError,
};

use crate::cli::{RulesArgs, RulesCommand};
use crate::failure::{Failure, EXIT_FAILED, EXIT_OK};

/// Runs a `rules` subcommand. Exit status 0 when done, 2 when the pack could
/// not be read or (`check`) has problems.
pub fn run(args: RulesArgs, lang: Lang) -> Result<u8, Failure> {
    match args.command {
        RulesCommand::Show { pack } => show(pack.as_deref(), lang),
        RulesCommand::Check { file } => check(&file.to_string_lossy(), lang),
        RulesCommand::Diff { a, b } => compare(&a, &b, lang),
    }
}

/// Prints a built-in pack as embedded (with its comments), or a pack file
/// resolved with its base packs.
fn show(spec: Option<&str>, lang: Lang) -> Result<u8, Failure> {
    let spec = spec.unwrap_or(builtin_names()[0]);
    if let Some(text) = builtin_text(spec) {
        emit(text, lang)?;
        return Ok(EXIT_OK);
    }

    let mut pack = read(spec, lang)?;
    // The base is merged in already; naming it again would only repeat it.
    let base = pack.pack.base.take();
    let body = toml::to_string_pretty(&pack).map_err(|e| {
        Failure::localized(
            lang,
            format!("无法输出规则包 {spec}：{e}\n请用 `nianshen rules check {spec}` 检查该文件。"),
            format!("cannot print rule pack {spec}: {e}\nRun `nianshen rules check {spec}` on it."),
        )
    })?;
    let header = match (base, lang) {
        (Some(base), Lang::Zh) => format!("# {spec}，已并入基础规则包 {base}\n\n"),
        (Some(base), Lang::En) => format!("# {spec}, resolved with its base pack {base}\n\n"),
        (None, _) => String::new(),
    };
    emit(&format!("{header}{body}"), lang)?;
    Ok(EXIT_OK)
}

/// Lists every problem of a pack file; exit 2 when there is one.
fn check(spec: &str, lang: Lang) -> Result<u8, Failure> {
    let pack = read(spec, lang)?;
    let problems = validate(&pack);
    if problems.is_empty() {
        emit(&valid_line(spec, &pack, lang), lang)?;
        return Ok(EXIT_OK);
    }

    let error = RulesError::Problems {
        origin: spec.to_string(),
        problems,
    };
    emit(&error.message(lang), lang)?;
    Ok(EXIT_FAILED)
}

fn valid_line(spec: &str, pack: &RulePack, lang: Lang) -> String {
    let (name, version) = (&pack.pack.name, &pack.pack.version);
    let (rules, items, steps) = (pack.rules.len(), pack.catalogue.len(), pack.plan.len());
    match lang {
        Lang::Zh => format!(
            "规则包 {spec} 有效：名称 {name}，版本 {version}，规则 {rules} 条，材料目录 {items} 项，计划 {steps} 步。"
        ),
        Lang::En => format!(
            "rule pack {spec} is valid: name {name}, version {version}, {rules} rules, {items} catalogue items, {steps} plan steps."
        ),
    }
}

/// Prints every value that differs from pack `a` to pack `b`.
fn compare(a: &str, b: &str, lang: Lang) -> Result<u8, Failure> {
    let differences = diff(&read(a, lang)?, &read(b, lang)?);
    let mut out = match (differences.len(), lang) {
        (0, Lang::Zh) => format!("{a} 与 {b} 没有差异。"),
        (0, Lang::En) => format!("{a} and {b} do not differ."),
        (n, Lang::Zh) => format!("{a} → {b}：{n} 处不同"),
        (n, Lang::En) => format!("{a} -> {b}: {n} differences"),
    };
    for d in &differences {
        out.push('\n');
        out.push_str(&difference_line(d, lang));
    }
    emit(&out, lang)?;
    Ok(EXIT_OK)
}

fn difference_line(d: &Difference, lang: Lang) -> String {
    let absent = match lang {
        Lang::Zh => "（无）",
        Lang::En => "(absent)",
    };
    let old = d.old.as_deref().unwrap_or(absent);
    let new = d.new.as_deref().unwrap_or(absent);
    format!("  {}: {old} → {new}", d.key)
}

/// Reads a pack (built-in name or file) without rejecting it for problems,
/// so `check` can list them and `show`/`diff` work on a pack being edited.
fn read(spec: &str, lang: Lang) -> Result<RulePack, Failure> {
    load_unchecked(spec, None, &toml::Table::new()).map_err(|e| Failure::new(e.message(lang)))
}

/// Writes to stdout; a closed pipe (e.g. `| head`) ends the output quietly.
fn emit(text: &str, lang: Lang) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                stdout.write_all(b"\n")
            }
        })
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::localized(
            lang,
            format!("无法写到标准输出：{e}\n请检查输出重定向的目标。"),
            format!("cannot write to standard output: {e}\nCheck where the output is redirected."),
        )),
    }
}
