//! The rule pack: every deadline rule, threshold, catalogue item, plan step,
//! rule id, severity, basis and text that the checks use.
//!
//! Two packs are embedded: `cn-miit` (the regulation in force, the default)
//! and `whitepaper` (the review calendar consultants teach). A user's pack is
//! a TOML file of the same shape; `[rules.override]` in `case.toml` changes
//! single values by dotted key before the pack is checked.
//!
//! A pack may extend another with `[pack] base = "cn-miit"`: the base is read
//! first and the pack's own values laid over it (tables merge, arrays and
//! single values replace). [`load`] rejects a pack that [`validate`] finds
//! problems in; [`diff`] compares two packs by dotted key.

mod diff;
mod error;
mod ids;
mod keys;
mod load;
mod overrides;
mod pack;
mod validate;
mod workdays;

pub use diff::{diff, Difference};
pub use error::{RulesError, ShapeKind};
pub use ids::{placeholders, rule_ids, CDR_RATES, HEADER_ROLES};
pub use keys::{format_key, parse_key};
pub use load::{builtin_names, builtin_text, load, load_unchecked, resolve};
pub use pack::*;
pub use validate::{validate, Problem, ProblemKind};
pub use workdays::{add_working_days, holidays_known, is_working_day, working_days_between};

/// The format version of rule-pack files this crate reads.
pub const SCHEMA_VERSION: u32 = 1;

impl RulePack {
    /// The rule with this id. Every id a check uses exists in a pack that
    /// passed [`load`], so a missing id is a programming error caught by tests;
    /// it falls back to an empty rule instead of panicking.
    pub fn rule(&self, id: &str) -> RuleDef {
        self.rules.get(id).cloned().unwrap_or_else(|| RuleDef {
            severity: Severity::Info,
            basis: Basis {
                kind: BasisKind::ProductDefault,
                source: Text::default(),
            },
            title: Text {
                zh: id.to_string(),
                en: id.to_string(),
            },
            detail: Text::default(),
            suggestion: Text::default(),
        })
    }
}
