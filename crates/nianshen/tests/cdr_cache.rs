//! The cache of normalised call records: a second run on unchanged files
//! gives the same summary from the cache, `--no-cache` leaves it alone, and
//! `cache clear` empties it. Every run here uses a cache folder of its own.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/cdr")
        .join(name)
}

fn run(cache_home: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .env("XDG_CACHE_HOME", cache_home)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn entries(cache_home: &Path) -> usize {
    std::fs::read_dir(cache_home.join("nianshen/records")).map_or(0, |d| d.count())
}

fn recon(cache_home: &Path, extra: &[&str]) -> String {
    let local = fixture("bill_title_total.csv");
    let carrier = fixture("bills.zip");
    let mut args = vec![
        "recon",
        "cdr",
        "--local",
        local.to_str().unwrap(),
        "--carrier",
        carrier.to_str().unwrap(),
        "--json",
    ];
    args.extend(extra);
    run(cache_home, &args)
}

#[test]
fn cached_run_same_summary() {
    let home = tempfile::tempdir().unwrap();
    let first = recon(home.path(), &[]);
    assert_eq!(entries(home.path()), 2);
    let second = recon(home.path(), &[]);
    assert_eq!(first, second);
    let uncached = recon(home.path(), &["--no-cache"]);
    assert_eq!(first, uncached);
}

#[test]
fn no_cache_and_clear() {
    let home = tempfile::tempdir().unwrap();
    recon(home.path(), &["--no-cache"]);
    assert_eq!(entries(home.path()), 0);
    recon(home.path(), &[]);
    assert_eq!(entries(home.path()), 2);
    let output = run(home.path(), &["--lang", "en", "cache", "clear"]);
    assert!(output.contains("2 entries removed"), "{output}");
    assert_eq!(entries(home.path()), 0);
}

#[test]
fn damaged_entry_read_again() {
    let home = tempfile::tempdir().unwrap();
    let first = recon(home.path(), &[]);
    for entry in std::fs::read_dir(home.path().join("nianshen/records")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    }
    assert_eq!(recon(home.path(), &[]), first);
    assert_eq!(recon(home.path(), &[]), first);
}
