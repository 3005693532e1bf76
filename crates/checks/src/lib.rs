//! Every check of the review, run over a loaded case folder.
//!
//! [`run`] loads the rule pack the case names, runs each area's checks in
//! turn (deadlines, case facts, materials, finance, seats and staff, call
//! records, complaints) and returns a [`Report`]: the findings, the verdict,
//! the figures of each reconciliation and the dated plan. A check whose input
//! is absent says so as information; only an unusable case or rule pack
//! fails the run.

mod complaints;
mod context;
mod facts;
mod finance;
pub mod finding;
mod materials;
mod plan;
mod records;
mod schedule;
mod seats;
mod tables;
mod text;

use chrono::NaiveDate;
use nianshen_case::LoadedCase;
use nianshen_rules::{Lang, RulePack};

pub use crate::context::CheckError;
use crate::context::Context;
pub use crate::finding::{Finding, Report, Verdict};

/// Settings of a run besides the case itself.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// "Today" for every date rule.
    pub as_of: NaiveDate,
    /// A rule pack given on the command line; it wins over `case.toml`.
    pub rules: Option<String>,
    pub lang: Lang,
    /// Write phone and ID numbers unmasked.
    pub unmask: bool,
}

/// Loads the rule pack for `case`: `options.rules`, else `[rules] pack`,
/// else the default, with `[rules.override]` applied.
pub fn load_pack(case: &LoadedCase, options: &RunOptions) -> Result<RulePack, CheckError> {
    let spec = options
        .rules
        .clone()
        .or_else(|| case.file.rules.pack.clone())
        .unwrap_or_else(|| nianshen_rules::builtin_names()[0].to_string());
    let pack = nianshen_rules::load(&spec, Some(&case.dir), &case.file.rules.overrides)?;
    Ok(pack)
}

/// Runs every check on `case` and returns the report.
pub fn run(case: &LoadedCase, options: &RunOptions) -> Result<Report, CheckError> {
    let pack = load_pack(case, options)?;
    let mut cx = Context::new(case, &pack, options);

    let deadlines = schedule::check(&mut cx);
    facts::check(&mut cx, &deadlines);
    let catalogue = materials::check(&mut cx);
    finance::check(&mut cx);
    let agents = records::check(&mut cx)?;
    seats::check(&mut cx, &catalogue, agents.as_ref());
    complaints::check(&mut cx, agents.as_ref());
    let steps = plan::steps(&cx, &deadlines);

    Ok(cx.into_report(deadlines.next, steps))
}
