//! The one place where a failed command is printed for the user.

use std::process::ExitCode;

use nianshen_rules::Lang;

/// Exit status of a command that completed.
pub const EXIT_OK: u8 = 0;
/// Exit status when `--fail-on` was met.
pub const EXIT_FAIL_ON: u8 = 1;
/// Exit status when the run failed: bad input, an unreadable case.
pub const EXIT_FAILED: u8 = 2;
/// Exit status of a run ended by Ctrl-C, SIGTERM or SIGHUP.
pub const EXIT_INTERRUPTED: u8 = 130;

/// A command that could not do its work. The message is already in the
/// user's language: what is wrong, then on its own line what to do.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
        }
    }

    /// A message chosen by language.
    pub fn localized(lang: Lang, zh: impl Into<String>, en: impl Into<String>) -> Self {
        match lang {
            Lang::Zh => Failure::new(zh),
            Lang::En => Failure::new(en),
        }
    }

    /// Prints the message to stderr and returns exit status 2.
    pub fn print_and_exit_code(&self, lang: Lang) -> ExitCode {
        let prefix = match lang {
            Lang::Zh => "错误",
            Lang::En => "error",
        };
        let colon = if lang == Lang::Zh { "：" } else { ": " };
        eprintln!("{prefix}{colon}{}", self.message);
        ExitCode::from(EXIT_FAILED)
    }
}
