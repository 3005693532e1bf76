//! `nianshen`: the command line. It parses arguments, builds a validated plan
//! of work and calls the library crates; everything else lives in them.

mod cli;
mod cmd;
mod failure;
mod help_zh;
mod output;
mod usage;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};
use crate::failure::EXIT_INTERRUPTED;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut command = Cli::command();
    if !help_zh::wants_english(&args) {
        command = help_zh::localize(command);
    }
    let parsed = command
        .try_get_matches_from(&args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => return usage::report(&err),
    };
    init_tracing(cli.verbose);
    let lang = cli.lang.into();
    remove_spill_on_interrupt(lang);

    let result = match cli.command {
        Command::Check(args) => cmd::check::run(args, lang),
        Command::Init(args) => cmd::init::run(args, lang),
        Command::Demo(args) => cmd::demo::run(args, lang),
        Command::Rules(args) => cmd::rules::run(args, lang),
        Command::Recon(args) => cmd::recon::run(args, lang),
        Command::Cdr(args) => cmd::inspect::run(args, lang),
        Command::Cache(args) => cmd::cache::run(args, lang),
    };

    match result {
        Ok(code) => ExitCode::from(code),
        Err(_) if nianshen_cdr::interrupt_removed_folders() => interrupted(),
        Err(failure) => failure.print_and_exit_code(lang),
    }
}

/// Leaves the end of an interrupted run to the interrupt handler, which
/// prints that the run was interrupted and ends the process. The command
/// failed because the handler removed its folders, so its error is not
/// printed.
fn interrupted() -> ExitCode {
    std::thread::sleep(std::time::Duration::from_secs(2));
    ExitCode::from(EXIT_INTERRUPTED)
}

/// On Ctrl-C, SIGTERM or SIGHUP, removes the folders records spilled to
/// and the staging folder of `recon cdr --out` before the process ends:
/// they hold call records. Without a handler (it could not be set) an
/// interrupted run may leave them in the system's temporary folder and
/// beside the output folder.
fn remove_spill_on_interrupt(lang: nianshen_rules::Lang) {
    let set = ctrlc::set_handler(move || {
        nianshen_cdr::remove_temp_folders();
        let message = match lang {
            nianshen_rules::Lang::Zh => "已中断：临时话单文件已删除。",
            nianshen_rules::Lang::En => {
                "interrupted: the temporary call-record files were removed."
            }
        };
        eprintln!("{message}");
        std::process::exit(i32::from(EXIT_INTERRUPTED));
    });
    if let Err(e) = set {
        tracing::debug!("no interrupt handler: {e}");
    }
}

/// Logs go to stderr; `-v` shows info, `-vv` debug. `RUST_LOG` overrides both.
fn init_tracing(verbose: u8) {
    // Libraries log one level above nianshen's own crates, whose targets
    // all start with `nianshen`. A workbook library's warning about a
    // theme it could not read is no message for the user.
    let default = match verbose {
        0 => "error,nianshen=warn",
        1 => "warn,nianshen=info",
        _ => "info,nianshen=debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        // Closing spans carry their timings: `-v` shows how long each
        // file took to read and the matching took.
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .init();
}
