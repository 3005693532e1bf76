//! The rule pack: every deadline rule, threshold, catalogue item, plan step,
//! rule id, severity, basis and text that the checks use.
//!
//! Two packs are embedded: `cn-miit` (the regulation in force, the default)
//! and `whitepaper` (the review calendar consultants teach). A user's pack is
//! a TOML file of the same shape; `[rules.override]` in `case.toml` changes
//! single values by dotted key before the pack is checked.

mod load;
mod pack;

pub use load::{builtin_names, builtin_text, load, RulesError};
pub use pack::*;

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
