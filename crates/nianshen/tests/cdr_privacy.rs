//! Phone and ID numbers stay masked in everything `cdr inspect` and
//! `recon cdr` print, whatever column or message they turn up in.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

/// Runs the binary; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

const ID_X: &str = "44030119900101123X";

#[test]
fn inspect_masks_ids_ending_in_x() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "ids.csv",
        &format!(
            "主叫号码,被叫号码,开始时间,通话时长\n{ID_X},13900139000,2024-03-01 10:00:00,30\n13800138000,13900139000,坏 {ID_X},30\n"
        ),
    );

    let (code, text, err) = run(&["cdr", "inspect", &file]);
    let (json_code, json, _) = run(&["cdr", "inspect", &file, "--json"]);

    assert_eq!((code, json_code), (0, 0), "{err}");
    for out in [&text, &json] {
        assert!(!out.contains(ID_X), "{out}");
        assert!(out.contains("440***********123X"), "{out}");
    }
}

#[test]
fn column_listing_masks_ids() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "unknown.csv",
        &format!("aaa,bbb,ccc,ddd\n13800138000,{ID_X},2024-03-01 10:00:00,30\n"),
    );

    let (code, _, err) = run(&["cdr", "inspect", &file]);

    assert_eq!(code, 2);
    assert!(err.contains("440***********123X"), "{err}");
    assert!(!err.contains(ID_X), "{err}");
    assert!(!err.contains("13800138000"), "{err}");
}

#[test]
fn unmask_shows_id_numbers_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "ids.csv",
        &format!(
            "主叫号码,被叫号码,开始时间,通话时长\n{ID_X},13900139000,2024-03-01 10:00:00,30\n"
        ),
    );

    let (code, json, err) = run(&["cdr", "inspect", &file, "--json", "--unmask"]);

    assert_eq!(code, 0, "{err}");
    assert!(json.contains(ID_X), "{json}");
}
