//! User packs and overrides: inheritance, and a message that names the key
//! or line for every kind of mistake.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use nianshen_rules::{
    builtin_text, load, load_unchecked, Calendar, Lang, ProblemKind, RulesError, Severity,
    ShapeKind,
};

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn no_overrides() -> toml::Table {
    toml::Table::new()
}

fn overrides(text: &str) -> toml::Table {
    toml::from_str(text).unwrap()
}

const HEADER: &str = "[pack]\nname = \"mine\"\nbase = \"cn-miit\"\nversion = \"1\"\nschema = 1\ntitle = { zh = \"我的\", en = \"mine\" }\n";

#[test]
fn typo_key_names_the_dotted_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "mine.toml",
        &format!("{HEADER}\n[schedule]\ndue_soon_dayz = 10\n"),
    );
    let err = load(path.to_str().unwrap(), None, &no_overrides()).unwrap_err();
    let RulesError::Shape {
        key, line, kind, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(key, "schedule.due_soon_dayz");
    assert_eq!(*line, Some(9));
    assert_eq!(*kind, ShapeKind::UnknownKey);
    let zh = err.message(Lang::Zh);
    assert!(
        zh.contains("schedule.due_soon_dayz") && zh.contains("第 9 行"),
        "{zh}"
    );
    assert!(err.message(Lang::En).contains("line 9"));
}

#[test]
fn wrong_type_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "mine.toml",
        &format!("{HEADER}\n[thresholds]\ncdr_count_mismatch_rate = \"3%\"\n"),
    );
    let err = load(path.to_str().unwrap(), None, &no_overrides()).unwrap_err();
    let RulesError::Shape {
        key, kind, line, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(key, "thresholds.cdr_count_mismatch_rate");
    assert_eq!(*kind, ShapeKind::WrongType);
    assert_eq!(*line, Some(9));
}

#[test]
fn bad_severity_word_names_the_quoted_rule_key() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}\n[rules.\"cdr.count_mismatch\"]\nseverity = \"yelow\"\n");
    let path = write(dir.path(), "mine.toml", &text);
    let err = load(path.to_str().unwrap(), None, &no_overrides()).unwrap_err();
    let RulesError::Shape {
        key, kind, line, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(key, "rules.\"cdr.count_mismatch\".severity");
    assert_eq!(*kind, ShapeKind::BadValue);
    assert_eq!(*line, Some(9));
}

#[test]
fn bad_regex_is_a_problem_at_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "mine.toml",
        &format!("{HEADER}\n[patterns]\nmaterial_name = '(?P<short>[^_]+'\n"),
    );
    let err = load(path.to_str().unwrap(), None, &no_overrides()).unwrap_err();
    let RulesError::Problems { problems, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(problems.iter().any(
        |p| p.key == "patterns.material_name" && matches!(p.kind, ProblemKind::BadRegex { .. })
    ));
    assert!(err.message(Lang::Zh).contains("patterns.material_name"));
}

#[test]
fn missing_rule_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let full = builtin_text("cn-miit").unwrap();
    let start = full.find("[rules.\"cdr.cross_border\"]").unwrap();
    let end = start + full[start..].find("[rules.\"cdr.outside_hours\"]").unwrap();
    let text = format!("{}{}", &full[..start], &full[end..]);
    let path = write(dir.path(), "full.toml", &text);
    let err = load(path.to_str().unwrap(), None, &no_overrides()).unwrap_err();
    let RulesError::Problems { problems, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].key, "rules.\"cdr.cross_border\"");
    assert_eq!(problems[0].kind, ProblemKind::RuleMissing);
    assert!(err.message(Lang::En).contains("rules.\"cdr.cross_border\""));
}

#[test]
fn syntax_error_gives_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "mine.toml",
        &format!("{HEADER}\n[schedule]\nstamp_days = = 3\n"),
    );
    let err = load(path.to_str().unwrap(), None, &no_overrides()).unwrap_err();
    let RulesError::Syntax { line, column, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*line, *column), (9, 14));
    assert!(err.message(Lang::Zh).contains("第 9 行第 14 列"));
}

#[test]
fn overrides_plain_quoted_and_nested_apply() {
    let o = overrides(
        "\"thresholds.cdr_count_mismatch_rate\" = 0.02\n\
         'rules.\"cdr.count_mismatch\".severity' = \"yellow\"\n\
         schedule.due_soon_days = 45\n\
         \"catalogue.audit_report.required\" = false\n",
    );
    let pack = load("cn-miit", None, &o).unwrap();
    assert_eq!(pack.thresholds.cdr_count_mismatch_rate, 0.02);
    assert_eq!(pack.rule("cdr.count_mismatch").severity, Severity::Yellow);
    assert_eq!(pack.schedule.due_soon_days, 45);
    let audit = pack
        .catalogue
        .iter()
        .find(|i| i.id == "audit_report")
        .unwrap();
    assert!(!audit.required);
}

#[test]
fn billing_increment_override_and_bad_value() {
    let pack = load(
        "cn-miit",
        None,
        &overrides("\"thresholds.cdr_billing_increment\" = \"6/6\"\n"),
    )
    .unwrap();
    assert_eq!(pack.thresholds.cdr_billing_increment.to_string(), "6/6");

    for bad in ["6-6", "0/6", "60/", "60/60/60", "1.5/6", "7200/60"] {
        let err = load(
            "cn-miit",
            None,
            &overrides(&format!(
                "\"thresholds.cdr_billing_increment\" = \"{bad}\"\n"
            )),
        )
        .unwrap_err();
        let RulesError::Shape { key, kind, .. } = &err else {
            panic!("{bad}: {err:?}")
        };
        assert_eq!(key, "thresholds.cdr_billing_increment", "{bad}");
        assert_eq!(*kind, ShapeKind::BadValue, "{bad}");
        assert!(err.message(Lang::Zh).contains("规则包"), "{bad}");
    }
}

#[test]
fn misspelt_override_key_is_rejected_with_its_name() {
    let err = load(
        "cn-miit",
        None,
        &overrides("\"thresholds.cdr_count_mismatch_rat\" = 0.02\n"),
    )
    .unwrap_err();
    let RulesError::OverrideMissing { key, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(key, "thresholds.cdr_count_mismatch_rat");
    assert!(err
        .message(Lang::Zh)
        .contains("thresholds.cdr_count_mismatch_rat"));

    let err = load(
        "cn-miit",
        None,
        &overrides("'rules.\"cdr.count_mismatch.severity' = \"red\"\n"),
    )
    .unwrap_err();
    assert!(matches!(err, RulesError::OverrideKey { .. }), "{err:?}");
}

#[test]
fn bad_override_value_rejected() {
    let err = load(
        "cn-miit",
        None,
        &overrides("\"schedule.due_soon_days\" = \"soon\"\n"),
    )
    .unwrap_err();
    assert!(
        matches!(&err, RulesError::Shape { key, .. } if key == "schedule.due_soon_days"),
        "{err:?}"
    );

    let err = load(
        "cn-miit",
        None,
        &overrides("\"thresholds.revenue_mismatch_rate\" = 5.0\n"),
    )
    .unwrap_err();
    let RulesError::Problems { problems, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(problems[0].key, "thresholds.revenue_mismatch_rate");
}

#[test]
fn unfilled_placeholder_is_problem() {
    let o = overrides("'rules.\"cdr.summary\".detail.zh' = \"共 {total} 条\"\n");
    let err = load("cn-miit", None, &o).unwrap_err();
    let RulesError::Problems { problems, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(problems[0].key, "rules.\"cdr.summary\".detail.zh");
    assert!(
        matches!(&problems[0].kind, ProblemKind::PlaceholderUnknown { name, .. } if name == "total")
    );
}

#[test]
fn user_pack_inherits_base() {
    let dir = tempfile::tempdir().unwrap();
    let text = HEADER.replace("base = \"cn-miit\"", "base = \"whitepaper\"")
        + "\n[schedule.number_report]\nprefixes = [\"95\"]\n";
    let path = write(dir.path(), "mine.toml", &text);
    let pack = load(path.to_str().unwrap(), None, &no_overrides()).unwrap();
    assert_eq!(pack.pack.name, "mine");
    assert_eq!(pack.schedule.calendar, Calendar::Whitepaper);
    assert_eq!(pack.schedule.number_report.prefixes, ["95"]);
    assert_eq!(
        pack.rules.len(),
        load("cn-miit", None, &no_overrides()).unwrap().rules.len()
    );
}

#[test]
fn relative_paths_resolve_against_folders() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("packs")).unwrap();
    write(
        dir.path(),
        "packs/parent.toml",
        &HEADER.replace("\"mine\"", "\"parent\""),
    );
    let child = HEADER
        .replace("\"mine\"", "\"child\"")
        .replace("base = \"cn-miit\"", "base = \"parent.toml\"")
        + "\n[thresholds]\ncdr_match_tolerance_secs = 7\n";
    write(dir.path(), "packs/child.toml", &child);
    let pack = load("packs/child.toml", Some(dir.path()), &no_overrides()).unwrap();
    assert_eq!(pack.pack.name, "child");
    assert_eq!(pack.thresholds.cdr_match_tolerance_secs, 7);
}

#[test]
fn base_loop_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.toml",
        &HEADER.replace("base = \"cn-miit\"", "base = \"b.toml\""),
    );
    write(
        dir.path(),
        "b.toml",
        &HEADER.replace("base = \"cn-miit\"", "base = \"a.toml\""),
    );
    let err = load("a.toml", Some(dir.path()), &no_overrides()).unwrap_err();
    assert!(matches!(err, RulesError::BaseLoop { .. }), "{err:?}");
}

#[test]
fn unknown_pack_and_unknown_base_are_named() {
    let err = load("no-such-pack", None, &no_overrides()).unwrap_err();
    assert!(err.message(Lang::Zh).contains("no-such-pack"));
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "mine.toml",
        &HEADER.replace("base = \"cn-miit\"", "base = \"cn-mit\""),
    );
    let err = load(path.to_str().unwrap(), None, &no_overrides()).unwrap_err();
    assert!(
        matches!(&err, RulesError::Unknown(name) if name == "cn-mit"),
        "{err:?}"
    );
}

#[test]
fn serialised_pack_loads_back_unchanged() {
    let pack = load("whitepaper", None, &no_overrides()).unwrap();
    let text = toml::to_string_pretty(&pack).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "copy.toml", &text);
    let again = load_unchecked(path.to_str().unwrap(), None, &no_overrides()).unwrap();
    assert_eq!(again, pack);
}
