//! Command-line errors from clap (an unknown flag, a missing value, a
//! mistyped subcommand) in Simplified Chinese, followed by clap's own
//! English text with its usage line (in the help's language) and
//! suggestions. They are printed
//! before `--lang` is known, so both languages are shown.

use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::failure::EXIT_FAILED;

/// Prints an error of argument parsing, or the help or version clap was
/// asked for, and returns clap's exit status: 0 for help and version, 2
/// for errors.
pub fn report(err: &clap::Error) -> ExitCode {
    if let Some(zh) = chinese(err) {
        eprintln!("{zh}\n");
    }
    if let Err(e) = err.print() {
        tracing::debug!("usage text not printed: {e}");
    }
    match err.exit_code() {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::from(EXIT_FAILED),
    }
}

/// Returns the Chinese lines of an error: what is wrong, then clap's
/// suggestions. `None` for help and version output.
fn chinese(err: &clap::Error) -> Option<String> {
    let text = |kind| err.get(kind).map(value_text).unwrap_or_default();
    let arg = text(ContextKind::InvalidArg);
    let value = text(ContextKind::InvalidValue);
    let subcommand = text(ContextKind::InvalidSubcommand);
    let problem = match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => return None,
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "缺少子命令或参数，用法见下面的说明。".to_string()
        }
        ErrorKind::UnknownArgument => format!("无法识别的参数“{arg}”。"),
        ErrorKind::InvalidSubcommand => format!("无法识别的子命令“{subcommand}”。"),
        ErrorKind::InvalidValue if value.is_empty() => format!("参数 {arg} 缺少取值。"),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            format!("参数 {arg} 的值“{value}”无效。")
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}。"),
        ErrorKind::MissingSubcommand => format!("“{subcommand}”后面需要一个子命令。"),
        ErrorKind::ArgumentConflict => {
            let prior = text(ContextKind::PriorArg);
            if prior.is_empty() || prior == arg {
                format!("参数 {arg} 只能给一次，或不能与其他参数同时使用。")
            } else {
                format!("参数 {arg} 不能与 {prior} 同时使用。")
            }
        }
        ErrorKind::NoEquals => format!("参数 {arg} 的值要用等号给出，例如 {arg}=值。"),
        ErrorKind::TooManyValues => format!("参数 {arg} 多出了值“{value}”。"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("参数 {arg} 的值的个数不对。")
        }
        ErrorKind::InvalidUtf8 => "参数中有不是 UTF-8 的文字。".to_string(),
        _ => "命令行参数有误。".to_string(),
    };
    let mut lines = vec![format!("错误：{problem}")];
    for (kind, noun) in [
        (ContextKind::ValidValue, "可选的值"),
        (ContextKind::ValidSubcommand, "可用的子命令"),
    ] {
        let listed = text(kind);
        if !listed.is_empty() {
            lines.push(format!("  {noun}：{listed}"));
        }
    }
    for (kind, noun) in [
        (ContextKind::SuggestedArg, "参数"),
        (ContextKind::SuggestedSubcommand, "子命令"),
        (ContextKind::SuggestedCommand, "命令"),
        (ContextKind::SuggestedValue, "取值"),
    ] {
        let suggested = text(kind);
        if !suggested.is_empty() {
            lines.push(format!("  提示：有一个相近的{noun}：{suggested}"));
        }
    }
    lines.push("  用法：nianshen --help；各子命令的用法：nianshen 子命令 --help。".to_string());
    Some(lines.join("\n"))
}

/// Formats a context value of clap's error, a list joined with 、.
fn value_text(value: &ContextValue) -> String {
    match value {
        ContextValue::Strings(items) => items.join("、"),
        ContextValue::StyledStrs(items) => items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("、"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::Cli;

    fn error_of(args: &[&str]) -> clap::Error {
        match Cli::try_parse_from(args) {
            Ok(cli) => panic!("parsed: {cli:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn unknown_flag_named_with_suggestion() {
        let err = error_of(&["nianshen", "recon", "cdr", "--locl", "a.csv"]);

        let zh = chinese(&err).unwrap();

        assert!(zh.starts_with("错误：无法识别的参数“--locl”。"), "{zh}");
        assert!(zh.contains("提示：有一个相近的参数：--local"), "{zh}");
    }

    #[test]
    fn bad_subcommand_named_with_suggestion() {
        let err = error_of(&["nianshen", "recn"]);

        let zh = chinese(&err).unwrap();

        assert!(zh.contains("无法识别的子命令“recn”"), "{zh}");
        assert!(zh.contains("相近的子命令：recon"), "{zh}");
    }

    #[test]
    fn missing_and_invalid_values_named() {
        let missing = chinese(&error_of(&["nianshen", "check", "case", "--out"])).unwrap();
        let invalid = chinese(&error_of(&["nianshen", "--lang", "fr", "check", "case"])).unwrap();

        assert!(missing.contains("参数 --out <OUT> 缺少取值"), "{missing}");
        assert!(invalid.contains("的值“fr”无效"), "{invalid}");
        assert!(invalid.contains("可选的值：zh、en"), "{invalid}");
    }

    #[test]
    fn help_and_version_stay_as_they_are() {
        assert!(chinese(&error_of(&["nianshen", "--help"])).is_none());
        assert!(chinese(&error_of(&["nianshen", "--version"])).is_none());
    }
}
