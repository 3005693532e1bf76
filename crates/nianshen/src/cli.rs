//! Command-line arguments. The doc comments are the English help, shown
//! with `--lang en`; the Chinese help, the default, is in
//! `crate::help_zh`. The messages of each command follow `--lang`. Errors
//! in the arguments are printed in Chinese, then in clap's English (see
//! `crate::usage`).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use nianshen_rules::Lang;

/// 年审 nianshen: prepares a B24 call-centre licence review from the
/// company's own materials folder.
#[derive(Debug, Parser)]
#[command(name = "nianshen", version, about)]
pub struct Cli {
    /// Language of messages and reports: zh (Simplified Chinese) or en.
    #[arg(long, global = true, value_enum, default_value = "zh")]
    pub lang: LangArg,

    /// Log more to stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(arg: LangArg) -> Lang {
        match arg {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every check on a case folder and write the reports.
    Check(CheckArgs),
    /// Create a new case folder with a commented case.toml and the category folders.
    Init(InitArgs),
    /// Write a realistic synthetic case (with planted faults) or large call-record files.
    Demo(DemoArgs),
    /// Show, validate and compare rule packs.
    Rules(RulesArgs),
    /// Reconcile data sets alone (call records: `recon cdr`).
    Recon(ReconArgs),
    /// Call-record tools (`cdr inspect FILE`).
    Cdr(CdrArgs),
    /// Manage the cache of normalised call records (`cache clear`).
    Cache(CacheArgs),
}

#[derive(Debug, Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub command: CacheCommand,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Empty the cache of normalised call records.
    Clear,
}

/// Which severity makes `check` exit with status 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Red,
    Yellow,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The case folder (the one holding case.toml).
    pub case_dir: PathBuf,
    /// Output folder [default: ./nianshen-out/<case folder name>]; never inside the case folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The day the run treats as today, YYYY-MM-DD [default: the system date].
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    pub as_of: Option<NaiveDate>,
    /// Rule pack: a built-in name (cn-miit, whitepaper) or a TOML file; overrides case.toml's [rules] pack.
    #[arg(long, value_name = "NAME|FILE")]
    pub rules: Option<String>,
    /// Exit with status 1 when a finding of this severity (or worse) is raised.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Write phone and ID numbers unmasked in the outputs.
    #[arg(long)]
    pub unmask: bool,
    /// Memory for call records, as in `recon cdr --memory-limit`.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory_limit)]
    pub memory_limit: Option<u64>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The new case folder; it may exist but must not hold a case.toml.
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the case folder (or, with --calls, the call-record files).
    pub dir: PathBuf,
    /// Plant no faults: a case that passes every check.
    #[arg(long)]
    pub clean: bool,
    /// Write only a local export and a carrier bill with this many calls, for benchmarks.
    #[arg(long, value_name = "N")]
    pub calls: Option<u64>,
    /// Seed of the random generator; the same seed writes the same files.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: RulesCommand,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print a rule pack as TOML (built-in name or file) [default: cn-miit].
    Show {
        #[arg(value_name = "NAME|FILE")]
        pack: Option<String>,
    },
    /// Validate a rule-pack file and list every problem found.
    Check { file: PathBuf },
    /// List the differences between two packs (names or files).
    Diff { a: String, b: String },
}

#[derive(Debug, Args)]
pub struct ReconArgs {
    #[command(subcommand)]
    pub command: ReconCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReconCommand {
    /// Reconcile the company's call records with the carrier's bill, record by record.
    Cdr(ReconCdrArgs),
}

#[derive(Debug, Args)]
pub struct ReconCdrArgs {
    /// The company's own call records: files, folders or ZIP archives.
    #[arg(long, required = true, num_args = 1..)]
    pub local: Vec<PathBuf>,
    /// The carrier's bills: files, folders or ZIP archives.
    #[arg(long, required = true, num_args = 1..)]
    pub carrier: Vec<PathBuf>,
    /// Mapping (TOML) for the local files' columns.
    #[arg(long, value_name = "FILE")]
    pub local_mapping: Option<PathBuf>,
    /// Mapping (TOML) for the carrier files' columns.
    #[arg(long, value_name = "FILE")]
    pub carrier_mapping: Option<PathBuf>,
    /// Largest start-time difference of a matched pair, in seconds [default: from the rule pack, 5].
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub tolerance: Option<i64>,
    /// Time zone of local timestamps without one, e.g. +08:00.
    #[arg(long, value_name = "±HH:MM", allow_hyphen_values = true)]
    pub local_tz: Option<String>,
    /// Time zone of carrier timestamps without one, e.g. +08:00.
    #[arg(long, value_name = "±HH:MM", allow_hyphen_values = true)]
    pub carrier_tz: Option<String>,
    /// Billing increment a/b in seconds: the first a seconds are one unit, then every started b seconds, e.g. 60/60 (whole minutes), 6/6, 1/1 or 30/6 [default: from the rule pack, 60/60].
    #[arg(long, value_name = "A/B", allow_hyphen_values = true)]
    pub billing: Option<String>,
    /// Rule pack for words, header synonyms and tolerances.
    #[arg(long, value_name = "NAME|FILE", default_value = "cn-miit")]
    pub rules: String,
    /// Do not read or write the cache of normalised records.
    #[arg(long)]
    pub no_cache: bool,
    /// Write unmatched and differing records and the tables as CSV (UTF-8 with BOM) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write phone numbers unmasked.
    #[arg(long)]
    pub unmask: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Memory the call records may take, e.g. 2G, 512M, 1500MiB (K, M, G count in 1024s) [default: a quarter of physical memory, at least 512 MiB, at most 4 GiB]. When the records of both sides outgrow seven eighths of it, one side's records spill, partitioned, to a private temporary folder (TMPDIR). The folder is removed at the end, and the figures stay the same.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory_limit)]
    pub memory_limit: Option<u64>,
}

#[derive(Debug, Args)]
pub struct CdrArgs {
    #[command(subcommand)]
    pub command: CdrCommand,
}

#[derive(Debug, Subcommand)]
pub enum CdrCommand {
    /// Show how a call-record file is read: encoding, delimiter, header, mapping, sample rows, signals.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    pub file: PathBuf,
    /// Mapping (TOML) for the file's columns.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Rule pack for words and header synonyms.
    #[arg(long, value_name = "NAME|FILE", default_value = "cn-miit")]
    pub rules: String,
    /// Write phone numbers unmasked in the sample rows.
    #[arg(long)]
    pub unmask: bool,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Parses `--memory-limit`: a size such as 2G, 512M or 1500MiB.
fn parse_memory_limit(text: &str) -> Result<u64, String> {
    nianshen_cdr::parse_size(text).ok_or_else(|| {
        format!(
            "“{text}”不是有效的内存大小，请写作 2G、512M 或 1500MiB（K、M、G 按 1024 进位，须大于 0）。\n{text:?} is not a valid memory size: write it as 2G, 512M or 1500MiB (K, M, G count in 1024s; more than 0)."
        )
    })
}

/// Parses `--as-of`: a real calendar day between 2000 and 2099, so a typo
/// such as 0000-01-01 cannot move every deadline by centuries.
fn parse_as_of(text: &str) -> Result<NaiveDate, String> {
    let invalid = || {
        format!(
            "“{text}”不是有效日期，请写作 2025-02-15（年-月-日）。\n{text:?} is not a valid date: write it as 2025-02-15."
        )
    };
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| invalid())?;
    if !(2000..=2099).contains(&chrono::Datelike::year(&date)) {
        return Err(invalid());
    }
    Ok(date)
}
