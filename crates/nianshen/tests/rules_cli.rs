//! `nianshen rules`: the real binary on built-in packs and pack files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn nianshen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const HEADER: &str = "[pack]\nname = \"mine\"\nbase = \"whitepaper\"\nversion = \"9\"\nschema = 1\ntitle = { zh = \"我的\", en = \"mine\" }\n";

#[test]
fn show_prints_default_pack() {
    let out = nianshen(&["rules", "show"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("name = \"cn-miit\""));
    assert!(text.contains("# "), "comments kept");
}

#[test]
fn show_file_resolves_base() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "mine.toml", HEADER);
    let out = nianshen(&["rules", "show", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("calendar = \"whitepaper\""));
    assert!(text.contains("cdr.count_mismatch"));
    assert!(!text.contains("base = "));

    // What show prints is itself a pack that checks clean.
    let copy = write(dir.path(), "copy.toml", &text);
    let out = nianshen(&["rules", "check", &copy]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn check_sound_pack_says_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "mine.toml", HEADER);
    let out = nianshen(&["rules", "check", &path]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("有效") && text.contains("mine") && text.contains("版本 9"),
        "{text}"
    );
}

#[test]
fn check_lists_problems_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}\n[thresholds]\ncdr_count_mismatch_rate = 3.0\n\n[patterns]\nlicence_number = '(B2'\n");
    let path = write(dir.path(), "mine.toml", &text);

    let out = nianshen(&["rules", "check", &path]);
    assert_eq!(out.status.code(), Some(2));
    let zh = stdout(&out);
    assert!(
        zh.contains("thresholds.cdr_count_mismatch_rate") && zh.contains("超出合理范围"),
        "{zh}"
    );
    assert!(
        zh.contains("patterns.licence_number") && zh.contains("2 处问题"),
        "{zh}"
    );

    let out = nianshen(&["--lang", "en", "rules", "check", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("is outside the sane range"));
}

#[test]
fn check_misspelt_key_names_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "mine.toml",
        &format!("{HEADER}\n[schedule]\ndue_son_days = 3\n"),
    );
    let out = nianshen(&["rules", "check", &path]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("schedule.due_son_days") && err.contains("第 9 行"),
        "{err}"
    );
}

#[test]
fn diff_of_the_builtin_packs_lists_the_calendar() {
    let out = nianshen(&["rules", "diff", "cn-miit", "whitepaper"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("schedule.calendar: \"regulation\" → \"whitepaper\""),
        "{text}"
    );
    assert!(text.contains("pack.base: （无） → \"cn-miit\""), "{text}");
}

#[test]
fn unknown_pack_fails_with_name() {
    let out = nianshen(&["rules", "show", "no-such-pack"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such-pack"));
}
