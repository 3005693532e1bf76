//! How `cdr inspect` and `recon cdr` talk to the user: closed pipes,
//! folders given to inspect, the flags their advice names, and Chinese
//! labels in the text output.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/cdr")
        .join(name)
}

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

/// Runs the binary with its standard output closed before it writes, as
/// `| head -1` does once it has its line.
fn run_into_closed_pipe(args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("the binary ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn closed_pipe_ends_inspect_and_recon_quietly() {
    let file = fixture("bill_title_total.csv");
    let file = file.to_str().unwrap();
    let runs: [&[&str]; 3] = [
        &["cdr", "inspect", file, "--json"],
        &["cdr", "inspect", file],
        &["recon", "cdr", "--local", file, "--carrier", file, "--json"],
    ];
    for args in runs {
        let (code, err) = run_into_closed_pipe(args);

        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn folder_given_to_inspect_asks_for_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("bill_title_total.csv"), dir.path().join("a.csv")).unwrap();
    std::fs::copy(fixture("per_number_bill.csv"), dir.path().join("b.csv")).unwrap();

    let (code, out, err) = run(&["cdr", "inspect", dir.path().to_str().unwrap()]);

    assert_eq!(code, 2, "{out}");
    assert!(err.contains("文件夹"), "{err}");
    assert!(err.contains("a.csv") && err.contains("b.csv"), "{err}");
}
