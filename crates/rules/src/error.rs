//! Errors of loading a pack, each with a message for the user in either
//! language.

use std::path::PathBuf;

use crate::load::builtin_names;
use crate::pack::Lang;
use crate::validate::Problem;

/// The kind of a shape error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeKind {
    /// A key the pack format does not have (often a typo).
    UnknownKey,
    /// A key the pack format requires is absent.
    MissingKey,
    /// A value of the wrong type, e.g. text where a number belongs.
    WrongType,
    /// A value outside its allowed words, e.g. severity `yelow`.
    BadValue,
}

/// An error that stops a pack from loading.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// Neither a built-in pack nor an existing file.
    #[error("unknown rule pack {0:?}")]
    Unknown(String),
    /// The file exists but could not be read.
    #[error("cannot read rule pack {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Any other reason, described in English.
    #[error("invalid rule pack {origin}: {message}")]
    Invalid { origin: String, message: String },
    /// The file is not valid TOML. `line` and `column` are 1-based.
    #[error("rule pack {origin} is not valid TOML at line {line}, column {column}: {message}")]
    Syntax {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A key or value does not fit the pack format. `key` is dotted;
    /// `line`/`column` point into `origin` when the key is written there.
    #[error("rule pack {origin}: {key}: {detail}")]
    Shape {
        origin: String,
        key: String,
        line: Option<usize>,
        column: Option<usize>,
        kind: ShapeKind,
        /// The parser's own English description.
        detail: String,
    },
    /// An override key that is not a TOML key.
    #[error("override key {key:?} is not a valid dotted key")]
    OverrideKey { key: String },
    /// An override key that names nothing in the pack.
    #[error("override key {key:?} does not exist in rule pack {origin}")]
    OverrideMissing { origin: String, key: String },
    /// Packs that extend each other in a circle.
    #[error("rule pack {origin}: base packs form a loop: {}", chain.join(" -> "))]
    BaseLoop { origin: String, chain: Vec<String> },
    /// The pack has the right shape but fails validation.
    #[error("rule pack {origin} has {} problems", problems.len())]
    Problems {
        origin: String,
        problems: Vec<Problem>,
    },
}

impl RulesError {
    /// The message for a user: what is wrong and, on its own line, what to do.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.message_zh(),
            Lang::En => self.message_en(),
        }
    }

    fn message_zh(&self) -> String {
        let names = builtin_names().join("、");
        match self {
            RulesError::Unknown(name) => format!(
                "未知的规则包“{name}”：既不是内置规则包，也不是存在的文件。\n内置规则包有：{names}；自定义规则包请给出 .toml 文件的路径（可用 `nianshen rules show cn-miit` 导出一份作为起点）。"
            ),
            RulesError::Io { path, source } => format!(
                "无法读取规则包 {}：{source}\n请确认文件存在且可读。",
                path.display()
            ),
            RulesError::Invalid { origin, message } => format!(
                "规则包 {origin} 无效：{message}\n请用 `nianshen rules check 文件` 逐项检查，并对照 `nianshen rules show cn-miit` 的写法修改。"
            ),
            RulesError::Syntax { origin, line, column, message } => format!(
                "规则包 {origin} 第 {line} 行第 {column} 列不是有效的 TOML：{message}\n请检查该处的引号、括号、等号和逗号。"
            ),
            RulesError::Shape { origin, key, line, column, kind, detail } => {
                let at = place_zh(*line, *column);
                let what = match kind {
                    ShapeKind::UnknownKey => "是规则包格式中没有的键（可能拼错了）",
                    ShapeKind::MissingKey => "缺失，这是必填的键",
                    ShapeKind::WrongType => "的值类型不对",
                    ShapeKind::BadValue => "的值不在允许的取值之内",
                };
                format!(
                    "规则包 {origin} 中的 {key}{at}{what}（{detail}）。\n请对照 `nianshen rules show cn-miit` 中同名的键修改。"
                )
            }
            RulesError::OverrideKey { key } => format!(
                "规则覆盖项的键“{key}”写法不对。\n键用点分隔，含点的规则编号要加引号，例如 'rules.\"cdr.count_mismatch\".severity' = \"yellow\"。"
            ),
            RulesError::OverrideMissing { origin, key } => format!(
                "规则覆盖项“{key}”在规则包 {origin} 中不存在。\n请检查拼写；可用 `nianshen rules show` 查看全部键。"
            ),
            RulesError::BaseLoop { origin, chain } => format!(
                "规则包 {origin} 的 base 互相引用，形成循环：{}。\n请让其中一个规则包不再指定 base。",
                chain.join(" → ")
            ),
            RulesError::Problems { origin, problems } => {
                let list = problem_list(problems, Lang::Zh);
                format!(
                    "规则包 {origin} 有 {} 处问题：\n{list}\n请逐项修改后用 `nianshen rules check 文件` 复查。",
                    problems.len()
                )
            }
        }
    }

    fn message_en(&self) -> String {
        let names = builtin_names().join(", ");
        match self {
            RulesError::Unknown(name) => format!(
                "unknown rule pack {name:?}: neither a built-in pack nor an existing file.\nBuilt-in packs: {names}; for your own pack give the path of a .toml file (`nianshen rules show cn-miit` prints one to start from)."
            ),
            RulesError::Io { path, source } => format!(
                "cannot read rule pack {}: {source}\nMake sure the file exists and is readable.",
                path.display()
            ),
            RulesError::Invalid { origin, message } => format!(
                "invalid rule pack {origin}: {message}\nRun `nianshen rules check FILE` and compare with `nianshen rules show cn-miit`."
            ),
            RulesError::Syntax { origin, line, column, message } => format!(
                "rule pack {origin} is not valid TOML at line {line}, column {column}: {message}\nCheck the quotes, brackets, equals signs and commas there."
            ),
            RulesError::Shape { origin, key, line, column, kind, detail } => {
                let at = place_en(*line, *column);
                let what = match kind {
                    ShapeKind::UnknownKey => "is not a key of the pack format (a typo?)",
                    ShapeKind::MissingKey => "is missing; it is required",
                    ShapeKind::WrongType => "has a value of the wrong type",
                    ShapeKind::BadValue => "has a value that is not allowed",
                };
                format!(
                    "rule pack {origin}: {key}{at} {what} ({detail}).\nCompare with the same key in `nianshen rules show cn-miit`."
                )
            }
            RulesError::OverrideKey { key } => format!(
                "the override key {key:?} is not a valid dotted key.\nSeparate keys with dots and quote rule ids that hold dots, e.g. 'rules.\"cdr.count_mismatch\".severity' = \"yellow\"."
            ),
            RulesError::OverrideMissing { origin, key } => format!(
                "the override key {key:?} does not exist in rule pack {origin}.\nCheck the spelling; `nianshen rules show` lists every key."
            ),
            RulesError::BaseLoop { origin, chain } => format!(
                "the base packs of rule pack {origin} form a loop: {}.\nRemove the base of one of them.",
                chain.join(" -> ")
            ),
            RulesError::Problems { origin, problems } => {
                let list = problem_list(problems, Lang::En);
                format!(
                    "rule pack {origin} has {} problems:\n{list}\nFix each of them and recheck with `nianshen rules check FILE`.",
                    problems.len()
                )
            }
        }
    }
}

fn place_zh(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("（第 {l} 行第 {c} 列）"),
        (Some(l), None) => format!("（第 {l} 行）"),
        _ => String::new(),
    }
}

fn place_en(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
        (Some(l), None) => format!(" (line {l})"),
        _ => String::new(),
    }
}

fn problem_list(problems: &[Problem], lang: Lang) -> String {
    problems
        .iter()
        .map(|p| format!("  - {}", p.message(lang)))
        .collect::<Vec<_>>()
        .join("\n")
}
