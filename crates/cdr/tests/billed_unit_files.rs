//! The unit of a plain 计费时长 column across the files of one side. Bills
//! made per number come as many files of one layout, some with only a few
//! calls, and all of them must be read in the same unit.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::Path;

use nianshen_cdr::{read_side, BilledUnit, ReadOptions, Vocabulary};

fn options() -> ReadOptions {
    let pack = nianshen_rules::load("cn-miit", None, &toml::Table::new()).expect("built-in pack");
    ReadOptions::new(Vocabulary::from_pack(&pack))
}

/// Writes the bill of one number with `calls` calls billed 6/6 in seconds
/// under a plain 计费时长; returns the billed seconds of each call.
fn write_bill(dir: &Path, number: u32, calls: u32) -> Vec<u32> {
    let mut text = String::from("主叫号码,被叫号码,开始时间,通话时长,计费时长\n");
    let mut billed = Vec::new();
    for i in 0..calls {
        let talk = 7 + (number * 31 + i * 53) % 290;
        let secs = talk.div_ceil(6) * 6;
        writeln!(
            text,
            "07551234{number:04},139{i:08},2024-03-05 10:{:02}:{:02},{talk},{secs}",
            i / 60,
            i % 60
        )
        .unwrap();
        billed.push(secs);
    }
    std::fs::write(dir.join(format!("07551234{number:04}.csv")), text).unwrap();
    billed
}

#[test]
fn small_bills_take_the_unit_of_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let mut billed = Vec::new();
    for number in 0..6 {
        // Two numbers had only three calls each: too few to tell the unit
        // from their own values.
        let calls = if number < 4 { 40 } else { 3 };
        billed.extend(write_bill(dir.path(), number, calls));
    }

    let side = read_side(&[dir.path().to_path_buf()], &options()).unwrap();

    for file in &side.stats.files {
        assert_eq!(
            file.billed_unit(),
            Some(BilledUnit::Seconds),
            "{}",
            file.path.display()
        );
    }
    let minutes: u64 = billed.iter().map(|s| u64::from(s.div_ceil(60))).sum();
    assert_eq!(side.stats.billed_minutes, minutes);
}

#[test]
fn small_minutes_bill_keeps_minutes() {
    let dir = tempfile::tempdir().unwrap();
    for number in 0..4 {
        write_bill(dir.path(), number, 40);
    }
    // A bill of the same layout whose few values are clearly minutes.
    std::fs::write(
        dir.path().join("minutes.csv"),
        "主叫号码,被叫号码,开始时间,通话时长,计费时长\n\
         075512349999,13900000001,2024-03-05 11:00:00,61,2\n\
         075512349999,13900000002,2024-03-05 11:05:00,150,3\n",
    )
    .unwrap();

    let side = read_side(&[dir.path().to_path_buf()], &options()).unwrap();

    let file = side
        .stats
        .files
        .iter()
        .find(|f| f.path.ends_with("minutes.csv"))
        .unwrap();
    assert_eq!(file.billed_unit(), Some(BilledUnit::Minutes));
    assert!(!file.billed_unit_inferred);
}
