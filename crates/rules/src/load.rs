//! Loading a pack by built-in name or path: reading the TOML, laying it over
//! its base pack, applying dotted-key overrides, reading it into the data
//! model and validating it.

use std::path::{Path, PathBuf};

use crate::error::{RulesError, ShapeKind};
use crate::keys::{format_key, line_column, locate, split_unquoted};
use crate::overrides::{apply_overrides, merge, OverrideError};
use crate::pack::RulePack;
use crate::validate::validate;

const CN_MIIT: &str = include_str!("../packs/cn-miit.toml");
const WHITEPAPER: &str = include_str!("../packs/whitepaper.toml");

/// How many packs a chain of `base` references may hold before it is
/// treated as a mistake.
const MAX_BASE_DEPTH: usize = 8;

/// The names of the built-in packs; the first is the default.
pub fn builtin_names() -> &'static [&'static str] {
    &["cn-miit", "whitepaper"]
}

/// The TOML text of a built-in pack, exactly as embedded (with comments).
pub fn builtin_text(name: &str) -> Option<&'static str> {
    match name {
        "cn-miit" => Some(CN_MIIT),
        "whitepaper" => Some(WHITEPAPER),
        _ => None,
    }
}

/// One pack file's text and where it came from.
#[derive(Debug)]
struct Source {
    /// The built-in name or the file's path, for messages.
    origin: String,
    text: String,
    /// The folder a relative `base` of this pack is taken against.
    dir: Option<PathBuf>,
}

impl Source {
    /// Opens `spec`: a built-in name, else a path (relative paths taken
    /// against `dir`).
    fn open(spec: &str, dir: Option<&Path>) -> Result<Source, RulesError> {
        if let Some(text) = builtin_text(spec) {
            return Ok(Source {
                origin: spec.to_string(),
                text: text.to_string(),
                dir: None,
            });
        }
        let path = match dir {
            Some(dir) if Path::new(spec).is_relative() => dir.join(spec),
            _ => PathBuf::from(spec),
        };
        if !path.is_file() {
            return Err(RulesError::Unknown(spec.to_string()));
        }
        let text = std::fs::read_to_string(&path).map_err(|source| RulesError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Source {
            origin: path.display().to_string(),
            text,
            dir: path.parent().map(Path::to_path_buf),
        })
    }

    /// Parses the text as a TOML table; a syntax error names line and column.
    fn table(&self) -> Result<toml::Table, RulesError> {
        toml::from_str(&self.text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_column(&self.text, span.start));
            RulesError::Syntax {
                origin: self.origin.clone(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })
    }
}

/// Reads a pack's table and lays its base packs under it, without overrides.
/// `spec` is a built-in name or a path (relative paths taken against `base`).
pub fn resolve(spec: &str, base: Option<&Path>) -> Result<toml::Table, RulesError> {
    let source = Source::open(spec, base)?;
    resolve_source(&source)
}

fn resolve_source(source: &Source) -> Result<toml::Table, RulesError> {
    let mut chain = vec![source.origin.clone()];
    let mut layers = vec![source.table()?];
    let mut current_dir = source.dir.clone();
    while let Some(base_spec) = base_of(layers.last()) {
        let base = Source::open(&base_spec, current_dir.as_deref())?;
        if chain.contains(&base.origin) || chain.len() >= MAX_BASE_DEPTH {
            chain.push(base.origin);
            return Err(RulesError::BaseLoop {
                origin: source.origin.clone(),
                chain,
            });
        }
        layers.push(base.table()?);
        chain.push(base.origin);
        current_dir = base.dir;
    }

    // Lay each pack over the one it extends, starting from the deepest base.
    let mut merged = layers.pop().unwrap_or_default();
    while let Some(top) = layers.pop() {
        merge(&mut merged, top);
    }
    Ok(merged)
}

/// The `[pack] base` a pack table names, if any.
fn base_of(table: Option<&toml::Table>) -> Option<String> {
    table?
        .get("pack")?
        .get("base")?
        .as_str()
        .map(str::to_string)
}

/// Loads a pack without validating it: resolves its base, applies
/// `overrides` (dotted keys such as `thresholds.cdr_count_mismatch_rate` or
/// `rules."cdr.count_mismatch".severity`, each of which must exist) and reads
/// it into the data model. `rules check` uses it to list every problem.
pub fn load_unchecked(
    spec: &str,
    base: Option<&Path>,
    overrides: &toml::Table,
) -> Result<RulePack, RulesError> {
    let source = Source::open(spec, base)?;
    let mut table = resolve_source(&source)?;
    apply_overrides(&mut table, overrides).map_err(|e| match e {
        OverrideError::BadKey(key) => RulesError::OverrideKey { key },
        OverrideError::NotFound(key) => RulesError::OverrideMissing {
            origin: source.origin.clone(),
            key,
        },
    })?;
    deserialize(table, &source)
}

/// Loads a pack: `spec` is a built-in name or a path (relative paths are
/// taken against `base`, e.g. the case folder). `overrides` maps dotted keys
/// such as `thresholds.cdr_count_mismatch_rate` to new values.
///
/// Errors: the pack is unknown or unreadable, is not TOML, has a key or value
/// that does not fit the format, an override names no existing key, or the
/// pack fails [`validate`] (all its problems are listed).
pub fn load(
    spec: &str,
    base: Option<&Path>,
    overrides: &toml::Table,
) -> Result<RulePack, RulesError> {
    let pack = load_unchecked(spec, base, overrides)?;
    let problems = validate(&pack);
    if !problems.is_empty() {
        let origin = Source::open(spec, base).map_or_else(|_| spec.to_string(), |s| s.origin);
        tracing::debug!(%origin, count = problems.len(), "rule pack rejected by validation");
        return Err(RulesError::Problems { origin, problems });
    }
    tracing::debug!(
        name = %pack.pack.name,
        version = %pack.pack.version,
        overrides = overrides.len(),
        "rule pack loaded"
    );
    Ok(pack)
}

/// Reads a resolved table into the data model. A shape error names the
/// dotted key, and its line when the key is written in the pack's own file.
fn deserialize(table: toml::Table, source: &Source) -> Result<RulePack, RulesError> {
    let probe = table.clone();
    toml::Value::Table(table)
        .try_into::<RulePack>()
        .map_err(|e| shape_error(&e, &probe, source))
}

fn shape_error(error: &toml::de::Error, table: &toml::Table, source: &Source) -> RulesError {
    let detail = error.message().trim().to_string();
    let full = error.to_string();
    // The parser appends the path of the failing table as "in `a.b.c`".
    let path = full
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("in `")?.strip_suffix('`'))
        .unwrap_or("");
    let mut segments = split_unquoted(table, path);

    let kind = if detail.starts_with("unknown field") {
        ShapeKind::UnknownKey
    } else if detail.starts_with("missing field") {
        ShapeKind::MissingKey
    } else if detail.starts_with("invalid type") {
        ShapeKind::WrongType
    } else {
        ShapeKind::BadValue
    };
    if matches!(kind, ShapeKind::UnknownKey | ShapeKind::MissingKey) {
        if let Some(field) = detail.split('`').nth(1) {
            segments.push(field.to_string());
        }
    }

    let (line, column) = locate(&source.text, &segments).unzip();
    RulesError::Shape {
        origin: source.origin.clone(),
        key: format_key(&segments),
        line,
        column,
        kind,
        detail,
    }
}
