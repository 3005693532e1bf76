//! Loading a pack by built-in name or path, with dotted-key overrides.

use std::path::{Path, PathBuf};

use crate::pack::{Lang, RulePack};

const CN_MIIT: &str = include_str!("../packs/cn-miit.toml");
const WHITEPAPER: &str = include_str!("../packs/whitepaper.toml");

/// The names of the built-in packs; the first is the default.
pub fn builtin_names() -> &'static [&'static str] {
    &["cn-miit", "whitepaper"]
}

/// The TOML text of a built-in pack.
pub fn builtin_text(name: &str) -> Option<&'static str> {
    match name {
        "cn-miit" => Some(CN_MIIT),
        "whitepaper" => Some(WHITEPAPER),
        _ => None,
    }
}

/// Why a pack could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("unknown rule pack {0:?}")]
    Unknown(String),
    #[error("cannot read rule pack {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid rule pack {origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl RulesError {
    /// The message for a user: what is wrong and, on its own line, what to do.
    pub fn message(&self, lang: Lang) -> String {
        let names = builtin_names().join("、");
        match (self, lang) {
            (RulesError::Unknown(name), Lang::Zh) => format!(
                "未知的规则包“{name}”：既不是内置规则包，也不是存在的文件。\n内置规则包有：{names}；自定义规则包请给出 .toml 文件的路径（可用 `nianshen rules show cn-miit` 导出一份作为起点）。"
            ),
            (RulesError::Unknown(name), Lang::En) => format!(
                "unknown rule pack {name:?}: neither a built-in pack nor an existing file.\nBuilt-in packs: {names}; for your own pack give the path of a .toml file (`nianshen rules show cn-miit` prints one to start from)."
            ),
            (RulesError::Io { path, source }, Lang::Zh) => format!(
                "无法读取规则包 {}：{source}\n请确认文件存在且可读。",
                path.display()
            ),
            (RulesError::Io { path, source }, Lang::En) => format!(
                "cannot read rule pack {}: {source}\nMake sure the file exists and is readable.",
                path.display()
            ),
            (RulesError::Invalid { origin, message }, Lang::Zh) => format!(
                "规则包 {origin} 无效：{message}\n请用 `nianshen rules check 文件` 逐项检查，并对照 `nianshen rules show cn-miit` 的写法修改。"
            ),
            (RulesError::Invalid { origin, message }, Lang::En) => format!(
                "invalid rule pack {origin}: {message}\nRun `nianshen rules check FILE` and compare with `nianshen rules show cn-miit`."
            ),
        }
    }
}

/// Loads a pack: `spec` is a built-in name or a path (relative paths are
/// taken against `base`, e.g. the case folder). `overrides` maps dotted keys
/// such as `thresholds.cdr_count_mismatch_rate` to new values.
pub fn load(
    spec: &str,
    base: Option<&Path>,
    overrides: &toml::Table,
) -> Result<RulePack, RulesError> {
    let (origin, text) = match builtin_text(spec) {
        Some(text) => (spec.to_string(), text.to_string()),
        None => {
            let path = match base {
                Some(base) if Path::new(spec).is_relative() => base.join(spec),
                _ => PathBuf::from(spec),
            };
            if !path.is_file() {
                return Err(RulesError::Unknown(spec.to_string()));
            }
            let text = std::fs::read_to_string(&path).map_err(|source| RulesError::Io {
                path: path.clone(),
                source,
            })?;
            (path.display().to_string(), text)
        }
    };

    let mut value: toml::Table = toml::from_str(&text).map_err(|e| RulesError::Invalid {
        origin: origin.clone(),
        message: e.to_string(),
    })?;
    if let Some(base_name) = value
        .get("pack")
        .and_then(|p| p.get("base"))
        .and_then(|b| b.as_str())
    {
        let base_text =
            builtin_text(base_name).ok_or_else(|| RulesError::Unknown(base_name.to_string()))?;
        let mut merged: toml::Table =
            toml::from_str(base_text).map_err(|e| RulesError::Invalid {
                origin: base_name.to_string(),
                message: e.to_string(),
            })?;
        merge(&mut merged, value);
        value = merged;
    }
    for (key, new) in overrides {
        apply_override(&mut value, key, new.clone()).map_err(|message| RulesError::Invalid {
            origin: origin.clone(),
            message,
        })?;
    }

    let pack: RulePack = value
        .try_into()
        .map_err(|e: toml::de::Error| RulesError::Invalid {
            origin: origin.clone(),
            message: e.to_string(),
        })?;
    Ok(pack)
}

/// Sets the value at a dotted key. Only existing keys may be overridden, so
/// a misspelt key is an error instead of a silent no-op.
fn apply_override(table: &mut toml::Table, key: &str, new: toml::Value) -> Result<(), String> {
    let mut parts = key.split('.').peekable();
    let mut current = table;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return match current.get_mut(part) {
                Some(slot) => {
                    *slot = new;
                    Ok(())
                }
                None => Err(format!("override key {key:?} does not exist in the pack")),
            };
        }
        current = match current.get_mut(part) {
            Some(toml::Value::Table(t)) => t,
            _ => return Err(format!("override key {key:?} does not exist in the pack")),
        };
    }
    Err(format!("empty override key {key:?}"))
}

/// Deep merge: tables merge key by key, everything else replaces.
fn merge(base: &mut toml::Table, top: toml::Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(t)) => merge(b, t),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}
