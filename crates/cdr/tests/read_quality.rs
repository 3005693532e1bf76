//! What reading a side reports about its inputs beside the records: total
//! rows, files passed over, cut-off files and warnings.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;

use nianshen_cdr::{read_side, ReadOptions, Vocabulary};

fn options() -> ReadOptions {
    let pack = nianshen_rules::load("cn-miit", None, &toml::Table::new()).expect("built-in pack");
    ReadOptions::new(Vocabulary::from_pack(&pack))
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn total_row_sums_talk_times_written_as_durations() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bill.csv");
    write(
        &file,
        "主叫号码,被叫号码,开始时间,通话时长\n\
         13800138000,13900139000,2024-03-01 10:00:00,65\n\
         13800138000,13900139001,2024-03-01 11:00:00,1分23秒\n\
         13800138000,13900139002,2024-03-01 12:00:00,00:01:00\n\
         合计,,,208\n"
            .as_bytes(),
    );

    let side = read_side(&[file], &options()).unwrap();

    let total = &side.stats.total_rows[0];
    assert_eq!((total.stated, total.summed), (208.0, 208.0));
}

#[test]
fn total_row_written_as_a_duration_is_read_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bill.csv");
    write(
        &file,
        "主叫号码,被叫号码,开始时间,通话时长\n\
         13800138000,13900139000,2024-03-01 10:00:00,65\n\
         13800138000,13900139001,2024-03-01 11:00:00,1分23秒\n\
         合计,,,2分28秒\n"
            .as_bytes(),
    );

    let side = read_side(&[file], &options()).unwrap();

    let total = &side.stats.total_rows[0];
    assert_eq!((total.stated, total.summed), (148.0, 148.0));
}
