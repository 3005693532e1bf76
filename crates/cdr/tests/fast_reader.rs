//! The parallel reader of large text files against the general reader.
//! On the same file both must give the same figures, records, agents and
//! bad-row samples. The general reader runs when tamper signals are
//! counted ([`read_side`]), the parallel one when they are not and the
//! file is large ([`ScanOptions::for_matching`]).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use nianshen_cdr::{read_side, read_side_with, ReadOptions, ScanOptions, Side, Vocabulary};

fn options() -> ReadOptions {
    let pack = nianshen_rules::load("cn-miit", None, &toml::Table::new()).expect("built-in pack");
    ReadOptions::new(Vocabulary::from_pack(&pack))
}

/// Rows a file needs to be read in more than one block of the parallel
/// reader (8 MiB): about 65 bytes each.
const ROWS: usize = 150_000;

/// Writes an export of [`ROWS`] plain answered calls and, every 997th row,
/// the line `odd(i)` in addition. Agents are `A0` to `A39`.
fn write_export(path: &Path, odd: impl Fn(usize) -> String) {
    let mut text = String::from("通话ID,坐席工号,主叫号码,被叫号码,开始时间,通话时长,呼叫结果\n");
    for i in 0..ROWS {
        // 2024-03-05 00:00:00 Beijing time plus i × 7 s.
        let t = chrono::DateTime::from_timestamp(1_709_568_000 + i as i64 * 7, 0)
            .unwrap()
            .format("%Y-%m-%d %H:%M:%S");
        writeln!(
            text,
            "id{i},A{},0755{:07},139{:08},{t},{},接通",
            i % 40,
            i % 9973,
            i,
            1 + i % 300
        )
        .unwrap();
        if i % 997 == 0 {
            text.push_str(&odd(i));
            text.push('\n');
        }
    }
    std::fs::write(path, text).unwrap();
}

/// Reads `path` with both readers; returns (general, parallel). Fails when
/// the parallel reader gave up, which it shows by reading the file in one
/// piece instead of block by block.
fn read_both_ways(path: &Path) -> (Side, Side) {
    let opts = options();
    let paths = [path.to_path_buf()];
    let general = read_side(&paths, &opts).unwrap();
    let blocks = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&blocks);
    let mut scan = ScanOptions::for_matching();
    scan.progress = Some(Arc::new(move |_| {
        counted.fetch_add(1, Ordering::Relaxed);
    }));
    let parallel = read_side_with(&paths, &opts, &scan).unwrap();
    assert!(
        blocks.load(Ordering::Relaxed) > 1,
        "the file was not read in parallel blocks"
    );
    (general, parallel)
}

fn assert_same(general: &Side, parallel: &Side) {
    assert_eq!(parallel.stats, general.stats);
    assert_eq!(parallel.records, general.records);
    assert_eq!(parallel.agents, general.agents);
}

#[test]
fn wide_space_lines_are_blank() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.csv");
    let blanks = [
        "\u{3000}",
        "\u{a0}\u{a0}",
        "\u{3000},\u{3000},,",
        "\u{2003}",
    ];
    write_export(&path, |i| blanks[(i / 997) % blanks.len()].to_string());

    let (general, parallel) = read_both_ways(&path);

    assert_same(&general, &parallel);
    assert_eq!(parallel.stats.rows, ROWS as u64);
    assert_eq!(parallel.stats.unreadable_rows, 0);
}

#[test]
fn agents_trimmed_of_wide_spaces() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.csv");
    write_export(&path, |i| {
        let agent = ["A7\u{3000}", "\u{a0}A8", "\u{3000}"][(i / 997) % 3];
        format!("odd{i},{agent},075512345678,13800138000,2024-03-06 10:00:00,30,接通")
    });

    let (general, parallel) = read_both_ways(&path);

    assert_same(&general, &parallel);
    assert_eq!(
        parallel.stats.agents.len(),
        40,
        "{:?}",
        parallel.stats.agents
    );
}
