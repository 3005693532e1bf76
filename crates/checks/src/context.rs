//! The state a run carries from check to check: the case, the pack, "today",
//! the findings so far and the published figures.

use std::path::Path;

use chrono::NaiveDate;
use nianshen_case::LoadedCase;
use nianshen_rules::{Lang, RulePack, Severity};
use serde_json::{Map, Value};

use crate::finding::{
    CaseSummary, Deadline, Evidence, Finding, FindingMaker, PackRef, PlannedStep, Report, Verdict,
    SCHEMA_VERSION,
};
use crate::RunOptions;

/// A failure that stops the run (exit status 2). Problems in single files
/// become findings instead.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Rules(#[from] nianshen_rules::RulesError),
    #[error(transparent)]
    Cdr(#[from] nianshen_cdr::CdrError),
    #[error("invalid [[mappings]] entry {index}: {message}")]
    Mapping { index: usize, message: String },
    #[error("[inputs] {key} names {path}, which does not exist")]
    InputNotFound {
        key: String,
        path: std::path::PathBuf,
    },
    #[error("invalid case.toml: {message_en}")]
    InvalidCase {
        message_zh: String,
        message_en: String,
    },
}

impl CheckError {
    /// The message for a user: what is wrong and, on its own line, what to do.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            CheckError::Rules(e) => e.message(lang),
            CheckError::Cdr(e) => e.message(lang),
            CheckError::InputNotFound { key, path } => match lang {
                Lang::Zh => format!(
                    "case.toml 的 [inputs] {key} 指向 {}，但该路径不存在。\n请改正路径（相对案例文件夹），或删去这一行以使用默认目录。",
                    path.display()
                ),
                Lang::En => format!(
                    "[inputs] {key} in case.toml names {}, which does not exist.\nCorrect the path (relative to the case folder), or delete the line to use the default folder.",
                    path.display()
                ),
            },
            CheckError::InvalidCase {
                message_zh,
                message_en,
            } => match lang {
                Lang::Zh => format!("case.toml 有误：{message_zh}"),
                Lang::En => format!("case.toml is invalid: {message_en}"),
            },
            CheckError::Mapping { index, message } => match lang {
                Lang::Zh => format!(
                    "case.toml 中第 {index} 个 [[mappings]] 无效：{message}\n请对照说明修改：files 为相对案例文件夹的通配路径，columns 把角色（caller、callee、start 等）对应到表头名或从 1 开始的列号。"
                ),
                Lang::En => format!(
                    "[[mappings]] entry {index} in case.toml is invalid: {message}\nfiles is a glob relative to the case folder; columns maps roles (caller, callee, start, …) to header names or 1-based column numbers."
                ),
            },
        }
    }
}

/// The running state of one check run.
pub struct Context<'a> {
    pub case: &'a LoadedCase,
    pub pack: &'a RulePack,
    pub lang: Lang,
    pub as_of: NaiveDate,
    pub unmask: bool,
    /// Memory budget of the call records, bytes.
    pub memory_limit: u64,
    findings: Vec<Finding>,
    metrics: Map<String, Value>,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("case", &self.case.dir)
            .field("as_of", &self.as_of)
            .field("findings", &self.findings.len())
            .finish()
    }
}

impl<'a> Context<'a> {
    pub fn new(case: &'a LoadedCase, pack: &'a RulePack, options: &RunOptions) -> Self {
        Context {
            case,
            pack,
            lang: options.lang,
            as_of: options.as_of,
            unmask: options.unmask,
            memory_limit: options
                .memory_limit
                .unwrap_or_else(nianshen_cdr::default_memory_limit),
            findings: Vec::new(),
            metrics: Map::new(),
        }
    }

    pub fn maker(&self) -> FindingMaker<'a> {
        FindingMaker {
            pack: self.pack,
            lang: self.lang,
        }
    }

    /// Picks the Chinese or English text.
    pub fn t(&self, zh: impl Into<String>, en: impl Into<String>) -> String {
        match self.lang {
            Lang::Zh => zh.into(),
            Lang::En => en.into(),
        }
    }

    /// Adds a finding of `rule` at its default severity.
    pub fn raise(&mut self, rule: &str, vars: &[(&str, String)], evidence: Vec<Evidence>) {
        let finding = self.maker().make(rule, vars, evidence);
        self.findings.push(finding);
    }

    /// Adds a finding of `rule` at a given severity.
    pub fn raise_at(
        &mut self,
        rule: &str,
        severity: Severity,
        vars: &[(&str, String)],
        evidence: Vec<Evidence>,
    ) {
        let finding = self.maker().make_at(rule, severity, vars, evidence);
        self.findings.push(finding);
    }

    /// Publishes the figures of one area under `metrics.<area>`.
    pub fn metric(&mut self, area: &str, value: Value) {
        self.metrics.insert(area.to_string(), value);
    }

    /// Formats a path as the user knows it: relative to the case folder when it is inside it.
    pub fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.case.dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// Notes that an input of the default layout is absent.
    pub fn input_missing(&mut self, input_zh: &str, input_en: &str, path: &Path) {
        let input = self.t(input_zh, input_en);
        let shown = self.rel(path);
        self.raise(
            "inputs.missing",
            &[("input", input), ("path", shown.clone())],
            vec![Evidence::file(shown, String::new())],
        );
    }

    /// Notes a cell that could not be read, with its place and value.
    pub fn bad_cell(&mut self, file: &Path, row: u64, column: &str, value: &str, reason: String) {
        let shown = self.rel(file);
        self.raise(
            "inputs.bad_cell",
            &[
                ("file", shown.clone()),
                ("row", row.to_string()),
                ("column", column.to_string()),
                ("value", value.to_string()),
                ("reason", reason.clone()),
            ],
            vec![Evidence {
                file: Some(shown),
                row: Some(row),
                column: Some(column.to_string()),
                value: Some(value.to_string()),
                note: reason,
                ..Evidence::default()
            }],
        );
    }

    /// Notes a file that could not be read; the checks that need it are skipped.
    pub fn input_unreadable(&mut self, path: &Path, reason: String) {
        let shown = self.rel(path);
        self.raise(
            "inputs.unreadable",
            &[("file", shown.clone()), ("reason", reason.clone())],
            vec![Evidence::file(shown, reason)],
        );
    }

    /// Ends the run: orders findings (most serious first, then by rule id)
    /// and builds the report.
    pub fn into_report(self, next: Option<Deadline>, plan: Vec<PlannedStep>) -> Report {
        let mut findings = self.findings;
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.rule.cmp(&b.rule))
        });
        let verdict = Verdict::of(&findings);

        let file = &self.case.file;
        let name = file
            .company
            .name
            .clone()
            .or_else(|| file.company.short_name.clone())
            .unwrap_or_else(|| {
                self.case
                    .dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });

        Report {
            schema_version: SCHEMA_VERSION,
            as_of: self.as_of,
            lang: self.lang,
            rule_pack: PackRef {
                name: self.pack.pack.name.clone(),
                version: self.pack.pack.version.clone(),
            },
            case: CaseSummary {
                name,
                period_from: file.period.map(|p| p.from),
                period_to: file.period.map(|p| p.to),
                next_deadline: next,
            },
            verdict,
            findings,
            metrics: self.metrics,
            plan,
        }
    }
}
