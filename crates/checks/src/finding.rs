//! Findings, the verdict and the whole result of a check run, in the shape
//! `findings.json` publishes (schema version [`SCHEMA_VERSION`]).

use chrono::NaiveDate;
use nianshen_rules::{Basis, BasisKind, Lang, RuleDef, RulePack, Severity};
use serde::Serialize;

/// The `findings.json` format version. Bump it (and note it in CHANGELOG.md)
/// when a field is renamed or removed; adding fields keeps it.
pub const SCHEMA_VERSION: u32 = 1;

/// One piece of evidence behind a finding: a file with an optional place in
/// it, or a figure.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Evidence {
    /// Path relative to the case folder where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1-based row in the file or sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The value found (phone and ID numbers masked unless `--unmask`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What this evidence shows, in the run's language.
    pub note: String,
}

impl Evidence {
    /// Evidence that is only a sentence, e.g. "申报座席 10，参保 3 人".
    pub fn note(note: impl Into<String>) -> Self {
        Evidence {
            note: note.into(),
            ..Evidence::default()
        }
    }

    /// Evidence naming a file.
    pub fn file(file: impl Into<String>, note: impl Into<String>) -> Self {
        Evidence {
            file: Some(file.into()),
            note: note.into(),
            ..Evidence::default()
        }
    }
}

/// The basis as published: its kind and source text in the run's language.
#[derive(Clone, Debug, Serialize)]
pub struct BasisOut {
    pub kind: BasisKind,
    pub source: String,
}

/// One finding of a check.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub detail: String,
    pub evidence: Vec<Evidence>,
    pub suggestion: String,
    pub basis: BasisOut,
}

/// Builds findings from rule-pack texts in one language.
#[derive(Clone, Copy, Debug)]
pub struct FindingMaker<'a> {
    pub pack: &'a RulePack,
    pub lang: Lang,
}

impl FindingMaker<'_> {
    /// A finding of `rule` at its default severity, with `vars` filled into
    /// the pack's detail and suggestion templates.
    pub fn make(&self, rule: &str, vars: &[(&str, String)], evidence: Vec<Evidence>) -> Finding {
        let def = self.pack.rule(rule);
        self.make_with(rule, &def, def.severity, vars, evidence)
    }

    /// As [`FindingMaker::make`] at a given severity (e.g. a missing optional
    /// material is yellow where a required one is red).
    pub fn make_at(
        &self,
        rule: &str,
        severity: Severity,
        vars: &[(&str, String)],
        evidence: Vec<Evidence>,
    ) -> Finding {
        let def = self.pack.rule(rule);
        self.make_with(rule, &def, severity, vars, evidence)
    }

    fn make_with(
        &self,
        rule: &str,
        def: &RuleDef,
        severity: Severity,
        vars: &[(&str, String)],
        evidence: Vec<Evidence>,
    ) -> Finding {
        Finding {
            rule: rule.to_string(),
            severity,
            title: def.title.render(self.lang, vars),
            detail: def.detail.render(self.lang, vars),
            evidence,
            suggestion: def.suggestion.render(self.lang, vars),
            basis: basis_out(&def.basis, self.lang),
        }
    }

    /// Picks the Chinese or English string.
    pub fn t<'s>(&self, zh: &'s str, en: &'s str) -> &'s str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

fn basis_out(basis: &Basis, lang: Lang) -> BasisOut {
    BasisOut {
        kind: basis.kind,
        source: basis.source.get(lang).to_string(),
    }
}

/// The verdict: any red → 不可提交; only yellow → 整改后提交; else 可提交.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Red,
    Yellow,
    Green,
}

impl Verdict {
    pub fn of(findings: &[Finding]) -> Verdict {
        let worst = findings.iter().map(|f| f.severity).max();
        match worst {
            Some(Severity::Red) => Verdict::Red,
            Some(Severity::Yellow) => Verdict::Yellow,
            _ => Verdict::Green,
        }
    }

    /// 不可提交 / 整改后提交 / 可提交.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Verdict::Red, Lang::Zh) => "不可提交",
            (Verdict::Yellow, Lang::Zh) => "整改后提交",
            (Verdict::Green, Lang::Zh) => "可提交",
            (Verdict::Red, Lang::En) => "do not submit",
            (Verdict::Yellow, Lang::En) => "submit after corrections",
            (Verdict::Green, Lang::En) => "ready to submit",
        }
    }
}

/// The rule pack a run used.
#[derive(Clone, Debug, Serialize)]
pub struct PackRef {
    pub name: String,
    pub version: String,
}

/// A dated step of the plan.
#[derive(Clone, Debug, Serialize)]
pub struct PlannedStep {
    pub id: String,
    pub date: NaiveDate,
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// `plan` for the 90-day plan, `post_approval` for the steps after approval.
    pub phase: String,
    pub remind_days_before: i64,
}

/// Everything a run found: what `findings.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub as_of: NaiveDate,
    pub lang: Lang,
    pub rule_pack: PackRef,
    pub case: CaseSummary,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    /// Figures of each reconciliation, keyed by area (`cdr`, `finance`, `seats`, `complaints`, `schedule`).
    pub metrics: serde_json::Map<String, serde_json::Value>,
    pub plan: Vec<PlannedStep>,
}

/// Who and what the run was about.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CaseSummary {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_from: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_to: Option<NaiveDate>,
    /// The next deadline the schedule check found, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_deadline: Option<Deadline>,
}

/// A deadline with its name.
#[derive(Clone, Debug, Serialize)]
pub struct Deadline {
    pub id: String,
    pub date: NaiveDate,
    pub title: String,
    pub days_left: i64,
}
