//! Finding and parsing `case.toml`, and resolving input paths against the
//! default layout.

use std::path::{Path, PathBuf};

use nianshen_rules::Lang;

use crate::model::{CaseFile, PathList};

/// A case folder with its parsed `case.toml`.
#[derive(Clone, Debug)]
pub struct LoadedCase {
    /// The case folder as given (not canonicalised, so messages show the user's path).
    pub dir: PathBuf,
    pub file: CaseFile,
}

/// Why a case folder could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("case folder not found: {0}")]
    NotFound(PathBuf),
    #[error("not a folder: {0}")]
    NotADir(PathBuf),
    #[error("no case.toml in {0}")]
    NoCaseToml(PathBuf),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid case.toml {path} at line {line}: {message}")]
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl CaseError {
    /// The message for a user: what is wrong and, on its own line, what to do.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (CaseError::NotFound(p), Lang::Zh) => format!(
                "找不到案例文件夹：{}\n请检查路径是否正确；新建案例可运行 `nianshen init {}`。",
                p.display(),
                p.display()
            ),
            (CaseError::NotFound(p), Lang::En) => format!(
                "case folder not found: {}\nCheck the path; to start a new case run `nianshen init {}`.",
                p.display(),
                p.display()
            ),
            (CaseError::NotADir(p), Lang::Zh) => format!(
                "{} 不是文件夹。\n请给出案例文件夹（其中有 case.toml）的路径。",
                p.display()
            ),
            (CaseError::NotADir(p), Lang::En) => format!(
                "{} is not a folder.\nGive the path of the case folder (the one holding case.toml).",
                p.display()
            ),
            (CaseError::NoCaseToml(p), Lang::Zh) => format!(
                "文件夹 {} 中没有 case.toml。\n运行 `nianshen init {}` 生成带注释的 case.toml 模板，填好企业、许可证和申报数据后再检查。",
                p.display(),
                p.display()
            ),
            (CaseError::NoCaseToml(p), Lang::En) => format!(
                "there is no case.toml in {}.\nRun `nianshen init {}` to write a commented template, fill in the company, licence and declared figures, then check again.",
                p.display(),
                p.display()
            ),
            (CaseError::Io { path, source }, Lang::Zh) => format!(
                "无法读取 {}：{}\n请确认文件存在且当前用户有读取权限。",
                path.display(),
                source
            ),
            (CaseError::Io { path, source }, Lang::En) => format!(
                "cannot read {}: {}\nMake sure the file exists and you may read it.",
                path.display(),
                source
            ),
            (
                CaseError::Malformed {
                    path,
                    line,
                    column,
                    message,
                },
                Lang::Zh,
            ) => format!(
                "case.toml 格式错误：{}，第 {} 行第 {} 列：{}\n请对照 `nianshen init` 生成的模板修改该行（日期写作 2025-01-31，文字加英文双引号）。",
                path.display(),
                line,
                column,
                message.trim()
            ),
            (
                CaseError::Malformed {
                    path,
                    line,
                    column,
                    message,
                },
                Lang::En,
            ) => format!(
                "invalid case.toml {}, line {}, column {}: {}\nCompare the line with the template `nianshen init` writes (dates as 2025-01-31, text in double quotes).",
                path.display(),
                line,
                column,
                message.trim()
            ),
        }
    }
}

/// Loads the case folder `dir`: it must exist and hold a valid `case.toml`.
pub fn load(dir: &Path) -> Result<LoadedCase, CaseError> {
    if !dir.exists() {
        return Err(CaseError::NotFound(dir.to_path_buf()));
    }
    if !dir.is_dir() {
        return Err(CaseError::NotADir(dir.to_path_buf()));
    }

    let path = dir.join("case.toml");
    if !path.is_file() {
        return Err(CaseError::NoCaseToml(dir.to_path_buf()));
    }
    let bytes = std::fs::read(&path).map_err(|source| CaseError::Io {
        path: path.clone(),
        source,
    })?;
    let text = decode_toml_text(&bytes);

    let file: CaseFile = toml::from_str(&text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|span| line_column(&text, span.start))
            .unwrap_or((0, 0));
        CaseError::Malformed {
            path: path.clone(),
            line,
            column,
            message: e.message().to_string(),
        }
    })?;

    Ok(LoadedCase {
        dir: dir.to_path_buf(),
        file,
    })
}

/// Decodes `case.toml`: UTF-8 with or without a byte-order mark (Windows
/// Notepad writes one), else GB18030, which Chinese Windows editors save by
/// default. Bytes invalid in both are replaced, and the TOML parser then
/// reports them at their place.
fn decode_toml_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    text.into_owned()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|s| s.chars().count() + 1)
        .unwrap_or(1);
    (line, column)
}

/// The kinds of evidence a case names under `[inputs]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    Materials,
    LocalCdr,
    CarrierCdr,
    Roster,
    Accounts,
    Training,
    ContractsLabour,
    Photos,
    Complaints,
    Penalties,
    Recordings,
    Contracts,
    Payments,
}

impl InputKind {
    /// The kind named by its `[inputs]` key, e.g. `contracts_labour`.
    pub fn from_key(key: &str) -> Option<InputKind> {
        let kind = match key {
            "materials" => InputKind::Materials,
            "local_cdr" => InputKind::LocalCdr,
            "carrier_cdr" => InputKind::CarrierCdr,
            "roster" => InputKind::Roster,
            "accounts" => InputKind::Accounts,
            "training" => InputKind::Training,
            "contracts_labour" => InputKind::ContractsLabour,
            "photos" => InputKind::Photos,
            "complaints" => InputKind::Complaints,
            "penalties" => InputKind::Penalties,
            "recordings" => InputKind::Recordings,
            "contracts" => InputKind::Contracts,
            "payments" => InputKind::Payments,
            _ => return None,
        };
        Some(kind)
    }

    /// The path of this input in the default layout, relative to the case folder.
    pub fn default_path(self) -> &'static str {
        match self {
            InputKind::Materials => "材料",
            InputKind::LocalCdr => "话单/本地",
            InputKind::CarrierCdr => "话单/运营商",
            InputKind::Roster => "人员/社保名单.xlsx",
            InputKind::Accounts => "人员/系统账号.csv",
            InputKind::Training => "人员/培训记录.xlsx",
            InputKind::ContractsLabour => "人员/劳动合同",
            InputKind::Photos => "职场/工位照片",
            InputKind::Complaints => "投诉/投诉台账.xlsx",
            InputKind::Penalties => "投诉/行政处罚.xlsx",
            InputKind::Recordings => "录音",
            InputKind::Contracts => "合同",
            InputKind::Payments => "财务/收款流水",
        }
    }
}

impl LoadedCase {
    /// The paths of one kind of input, resolved against the case folder.
    /// Paths that do not exist are returned too: the caller reports them.
    pub fn input_paths(&self, kind: InputKind) -> Vec<PathBuf> {
        let inputs = &self.file.inputs;
        let given: Option<&PathList> = match kind {
            InputKind::Materials => inputs.materials.as_ref(),
            InputKind::LocalCdr => inputs.local_cdr.as_ref(),
            InputKind::CarrierCdr => inputs.carrier_cdr.as_ref(),
            InputKind::Roster => inputs.roster.as_ref(),
            InputKind::Accounts => inputs.accounts.as_ref(),
            InputKind::Training => inputs.training.as_ref(),
            InputKind::ContractsLabour => inputs.contracts_labour.as_ref(),
            InputKind::Photos => inputs.photos.as_ref(),
            InputKind::Complaints => inputs.complaints.as_ref(),
            InputKind::Penalties => inputs.penalties.as_ref(),
            InputKind::Recordings => inputs.recordings.as_ref(),
            InputKind::Contracts => inputs.contracts.as_ref(),
            InputKind::Payments => inputs.payments.as_ref(),
        };
        match given {
            Some(list) => list.paths().iter().map(|p| self.dir.join(p)).collect(),
            None => vec![self.dir.join(kind.default_path())],
        }
    }

    /// Whether `[inputs]` names this kind explicitly (a missing explicit
    /// input is an error; a missing default one only means "not provided").
    pub fn input_is_explicit(&self, kind: InputKind) -> bool {
        let inputs = &self.file.inputs;
        match kind {
            InputKind::Materials => inputs.materials.is_some(),
            InputKind::LocalCdr => inputs.local_cdr.is_some(),
            InputKind::CarrierCdr => inputs.carrier_cdr.is_some(),
            InputKind::Roster => inputs.roster.is_some(),
            InputKind::Accounts => inputs.accounts.is_some(),
            InputKind::Training => inputs.training.is_some(),
            InputKind::ContractsLabour => inputs.contracts_labour.is_some(),
            InputKind::Photos => inputs.photos.is_some(),
            InputKind::Complaints => inputs.complaints.is_some(),
            InputKind::Penalties => inputs.penalties.is_some(),
            InputKind::Recordings => inputs.recordings.is_some(),
            InputKind::Contracts => inputs.contracts.is_some(),
            InputKind::Payments => inputs.payments.is_some(),
        }
    }
}
