//! Combining pack tables: a pack over its base, and `[rules.override]`
//! values over a pack.

use crate::keys::{format_key, parse_key};

/// Lays `top` over `base`: tables merge key by key, arrays and single values
/// replace as a whole (so a pack that lists `prefixes` lists all of them).
pub fn merge(base: &mut toml::Table, top: toml::Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(t)) => merge(b, t),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// An override that could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideError {
    /// The key is not a TOML key (e.g. an unbalanced quote).
    BadKey(String),
    /// The key names nothing in the pack.
    NotFound(String),
}

/// Applies every override. Keys may be dotted with quoted segments
/// (`rules."cdr.count_mismatch".severity`), nested tables (as TOML reads an
/// unquoted dotted key in `case.toml`), or both. Each must name a value that
/// exists, so a misspelt key is an error instead of a silent no-op. Items of
/// `catalogue`, `plan` and `post_approval` are addressed by their `id` (or by
/// 0-based index): `catalogue.audit_report.required`.
pub fn apply_overrides(
    pack: &mut toml::Table,
    overrides: &toml::Table,
) -> Result<(), OverrideError> {
    let mut leaves = Vec::new();
    for (key, value) in overrides {
        let segments = parse_key(key).ok_or_else(|| OverrideError::BadKey(key.clone()))?;
        flatten(segments, value, &mut leaves);
    }
    for (segments, value) in leaves {
        if !set_in_table(pack, &segments, value) {
            return Err(OverrideError::NotFound(format_key(&segments)));
        }
    }
    Ok(())
}

/// Splits nested override tables into one (path, value) per leaf.
fn flatten(prefix: Vec<String>, value: &toml::Value, out: &mut Vec<(Vec<String>, toml::Value)>) {
    match value {
        toml::Value::Table(table) => {
            for (key, inner) in table {
                let mut path = prefix.clone();
                path.push(key.clone());
                flatten(path, inner, out);
            }
        }
        other => out.push((prefix, other.clone())),
    }
}

/// Sets the value at `segments` below `table`; false when the path does not
/// exist. A segment that is not a key may be joined with the following ones,
/// so `rules.cdr.count_mismatch.severity` still finds the rule.
fn set_in_table(table: &mut toml::Table, segments: &[String], value: toml::Value) -> bool {
    for n in 1..=segments.len() {
        let key = segments[..n].join(".");
        if let Some(slot) = table.get_mut(&key) {
            let rest = &segments[n..];
            if rest.is_empty() {
                *slot = value;
                return true;
            }
            return set_in_value(slot, rest, value);
        }
    }
    false
}

fn set_in_value(slot: &mut toml::Value, segments: &[String], value: toml::Value) -> bool {
    match slot {
        toml::Value::Table(table) => set_in_table(table, segments, value),
        toml::Value::Array(items) => {
            let Some((first, rest)) = segments.split_first() else {
                return false;
            };
            let Some(item) = find_item(items, first) else {
                return false;
            };
            if rest.is_empty() {
                *item = value;
                return true;
            }
            set_in_value(item, rest, value)
        }
        _ => false,
    }
}

/// The array item whose `id` is `segment`, else the item at that index.
fn find_item<'a>(items: &'a mut [toml::Value], segment: &str) -> Option<&'a mut toml::Value> {
    let by_id = items
        .iter()
        .position(|item| item.get("id").and_then(|id| id.as_str()) == Some(segment));
    let index = by_id.or_else(|| segment.parse::<usize>().ok())?;
    items.get_mut(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn merge_replaces_arrays_and_merges_tables() {
        let mut base = table("a = [1, 2]\n[t]\nx = 1\ny = 2\n");
        merge(&mut base, table("a = [3]\n[t]\ny = 5\n"));
        assert_eq!(base, table("a = [3]\n[t]\nx = 1\ny = 5\n"));
    }

    #[test]
    fn overrides_by_quoted_nested_and_id_keys() {
        let mut pack = table(
            "[rules.\"cdr.x\"]\nseverity = \"red\"\n[th]\nrate = 0.03\n[[catalogue]]\nid = \"a\"\nrequired = true\n",
        );
        let overrides = table(
            "'rules.\"cdr.x\".severity' = \"yellow\"\nth.rate = 0.05\n\"catalogue.a.required\" = false\n",
        );
        apply_overrides(&mut pack, &overrides).unwrap();
        assert_eq!(pack["rules"]["cdr.x"]["severity"].as_str(), Some("yellow"));
        assert_eq!(pack["th"]["rate"].as_float(), Some(0.05));
        assert_eq!(pack["catalogue"][0]["required"].as_bool(), Some(false));
    }

    #[test]
    fn unquoted_rule_id_is_found_by_joining_segments() {
        let mut pack = table("[rules.\"cdr.x\"]\nseverity = \"red\"\n");
        let overrides = table("rules.cdr.x.severity = \"info\"\n");
        apply_overrides(&mut pack, &overrides).unwrap();
        assert_eq!(pack["rules"]["cdr.x"]["severity"].as_str(), Some("info"));
    }

    #[test]
    fn misspelt_or_malformed_keys_are_rejected() {
        let mut pack = table("[th]\nrate = 0.03\n");
        let err = apply_overrides(&mut pack, &table("\"th.rat\" = 1\n")).unwrap_err();
        assert_eq!(err, OverrideError::NotFound("th.rat".into()));
        let err = apply_overrides(&mut pack, &table("'th.\"rate' = 1\n")).unwrap_err();
        assert_eq!(err, OverrideError::BadKey("th.\"rate".into()));
    }
}
