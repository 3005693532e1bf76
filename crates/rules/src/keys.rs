//! Dotted keys such as `rules."cdr.count_mismatch".severity`: parsing them
//! with TOML's own key grammar, writing them back, and finding where a key
//! sits in a pack file.

/// Splits a dotted key into its segments with TOML's key grammar, so quoted
/// segments may hold dots: `rules."cdr.count_mismatch".severity` gives
/// `rules`, `cdr.count_mismatch`, `severity`. `None` when it is no key.
pub fn parse_key(key: &str) -> Option<Vec<String>> {
    // A key on its own is not a document. Giving it a value and reading the
    // nesting back splits it exactly as TOML would.
    let doc = format!("{key} = 0");
    let mut table: toml::Table = toml::from_str(&doc).ok()?;
    let mut segments = Vec::new();
    loop {
        if table.len() != 1 {
            return None;
        }
        let (name, value) = table.into_iter().next()?;
        segments.push(name);
        match value {
            toml::Value::Table(inner) => table = inner,
            toml::Value::Integer(0) => return Some(segments),
            _ => return None,
        }
    }
}

/// Writes segments as a dotted key, quoting those that are not bare keys.
pub fn format_key<S: AsRef<str>>(segments: &[S]) -> String {
    segments
        .iter()
        .map(|s| quote_segment(s.as_ref()))
        .collect::<Vec<_>>()
        .join(".")
}

fn quote_segment(segment: &str) -> String {
    let bare = !segment.is_empty()
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        segment.to_string()
    } else {
        let escaped = segment.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    }
}

/// Turns a path that was joined with dots without quoting (as serde error
/// messages write it) back into segments, using the table to tell a dot
/// inside a key (`cdr.count_mismatch`) from a dot between keys.
pub fn split_unquoted(table: &toml::Table, path: &str) -> Vec<String> {
    let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    let mut segments = Vec::new();
    let mut current = Some(table);
    let mut i = 0;
    while i < parts.len() {
        let found = current.and_then(|t| {
            (i + 1..=parts.len())
                .map(|end| parts[i..end].join("."))
                .find(|k| t.contains_key(k))
                .map(|k| (k.clone(), t.get(&k)))
        });
        match found {
            Some((key, value)) => {
                i += key.split('.').count();
                segments.push(key);
                current = value.and_then(|v| v.as_table());
            }
            None => {
                segments.push(parts[i].to_string());
                current = None;
                i += 1;
            }
        }
    }
    segments
}

/// The line and column (1-based, in characters) where the deepest existing
/// segment of `segments` is written in `text`, if the text is TOML and contains it.
pub fn locate(text: &str, segments: &[String]) -> Option<(usize, usize)> {
    let root = toml::de::DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let mut span = None;
    for segment in segments {
        let Some((key, value)) = table.get_key_value(segment.as_str()) else {
            break;
        };
        span = Some(key.span());
        match value.get_ref() {
            toml::de::DeValue::Table(inner) => table = inner,
            _ => break,
        }
    }
    span.map(|s| line_column(text, s.start))
}

/// The 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_key_cases() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            (
                "thresholds.cdr_count_mismatch_rate",
                Some(&["thresholds", "cdr_count_mismatch_rate"]),
            ),
            (
                "rules.\"cdr.count_mismatch\".severity",
                Some(&["rules", "cdr.count_mismatch", "severity"]),
            ),
            (
                "rules.'cdr.count_mismatch'.severity",
                Some(&["rules", "cdr.count_mismatch", "severity"]),
            ),
            (
                " schedule . due_soon_days ",
                Some(&["schedule", "due_soon_days"]),
            ),
            ("words", Some(&["words"])),
            ("", None),
            ("a..b", None),
            ("a = 1\nb", None),
            ("a.\"b", None),
        ];
        for (key, want) in cases {
            let got = parse_key(key);
            let want = want.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(got, want, "key {key:?}");
        }
    }

    #[test]
    fn format_key_quotes_dotted_segments() {
        assert_eq!(
            format_key(&["rules", "cdr.count_mismatch", "severity"]),
            "rules.\"cdr.count_mismatch\".severity"
        );
        assert_eq!(format_key(&["a", "中文"]), "a.\"中文\"");
    }

    #[test]
    fn split_unquoted_uses_the_table() {
        let table: toml::Table =
            toml::from_str("[rules.\"cdr.count_mismatch\"]\nseverity = \"red\"").unwrap();
        assert_eq!(
            split_unquoted(&table, "rules.cdr.count_mismatch.severity"),
            ["rules", "cdr.count_mismatch", "severity"]
        );
        assert_eq!(split_unquoted(&table, "rules.x.y"), ["rules", "x", "y"]);
    }

    #[test]
    fn locate_finds_line_and_column() {
        let text = "[pack]\nname = \"x\"\n\n[schedule]\n  due_soon_dayz = 3\n";
        let segments = vec!["schedule".to_string(), "due_soon_dayz".to_string()];
        assert_eq!(locate(text, &segments), Some((5, 3)));
        assert_eq!(line_column("ab\n中文x", 9), (2, 3));
    }
}
