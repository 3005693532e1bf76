//! Comparing two packs value by value, by dotted key.

use crate::keys::format_key;
use crate::pack::RulePack;

/// One value that differs between two packs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The dotted key, e.g. `schedule.calendar` or
    /// `rules."cdr.count_mismatch".severity`. Items of `catalogue`, `plan`
    /// and `post_approval` are named by id: `catalogue.audit_report.required`.
    pub key: String,
    /// The value in the first pack as TOML, `None` when absent there.
    pub old: Option<String>,
    /// The value in the second pack as TOML, `None` when absent there.
    pub new: Option<String>,
}

/// Lists every value that differs from `a` to `b`, in key order (arrays of items
/// with ids in the first pack's order, then items only in the second).
pub fn diff(a: &RulePack, b: &RulePack) -> Vec<Difference> {
    let mut out = Vec::new();
    // A pack always converts to a TOML value because every field is a string,
    // number, date, array or table. If that ever failed, the pack compares as empty.
    let a = toml::Value::try_from(a).unwrap_or(toml::Value::Table(toml::Table::new()));
    let b = toml::Value::try_from(b).unwrap_or(toml::Value::Table(toml::Table::new()));
    walk(&mut Vec::new(), Some(&a), Some(&b), &mut out);
    out
}

fn walk(
    path: &mut Vec<String>,
    a: Option<&toml::Value>,
    b: Option<&toml::Value>,
    out: &mut Vec<Difference>,
) {
    match (a, b) {
        (Some(toml::Value::Table(ta)), Some(toml::Value::Table(tb))) => {
            let mut keys: Vec<&String> = ta.keys().chain(tb.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                path.push(k.clone());
                walk(path, ta.get(k), tb.get(k), out);
                path.pop();
            }
        }
        (Some(toml::Value::Array(xa)), Some(toml::Value::Array(xb)))
            if has_ids(xa) && has_ids(xb) =>
        {
            walk_items(path, xa, xb, out);
        }
        (a, b) if a != b => out.push(Difference {
            key: format_key(path),
            old: a.map(render),
            new: b.map(render),
        }),
        _ => {}
    }
}

/// Arrays of tables that each carry a string `id` are compared item by item.
fn has_ids(items: &[toml::Value]) -> bool {
    !items.is_empty() && items.iter().all(|i| id_of(i).is_some())
}

fn id_of(item: &toml::Value) -> Option<&str> {
    item.get("id")?.as_str()
}

fn walk_items(
    path: &mut Vec<String>,
    a: &[toml::Value],
    b: &[toml::Value],
    out: &mut Vec<Difference>,
) {
    let find =
        |items: &'_ [toml::Value], id: &str| items.iter().find(|i| id_of(i) == Some(id)).cloned();
    let mut ids: Vec<&str> = a.iter().filter_map(id_of).collect();
    for id in b.iter().filter_map(id_of) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    for id in ids {
        path.push(id.to_string());
        walk(path, find(a, id).as_ref(), find(b, id).as_ref(), out);
        path.pop();
    }
}

/// Renders a value as it would be written in a pack.
fn render(value: &toml::Value) -> String {
    value.to_string()
}
