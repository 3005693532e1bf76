//! Mappings that hold only some keys add to what the reader detects
//! instead of replacing it.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use nianshen_cdr::{read_side, Mapping, ReadOptions, Vocabulary};

fn options(mapping: &str) -> ReadOptions {
    let pack = nianshen_rules::load("cn-miit", None, &toml::Table::new()).expect("built-in pack");
    let mut opts = ReadOptions::new(Vocabulary::from_pack(&pack));
    let table: toml::Table = toml::from_str(mapping).unwrap();
    opts.mapping = Some(Mapping::from_table(&table).unwrap());
    opts
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const PER_NUMBER: &str = "对方号码,呼叫类型,开始时间,通话时长\n\
    13900139000,主叫,2024-03-01 10:00:00,30\n\
    075512345678,被叫,2024-03-01 11:00:00,1分5秒\n";

#[test]
fn own_number_mapping_keeps_detection() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bill.csv", PER_NUMBER);

    let side = read_side(&[file], &options(r#"own_number = "13800138000""#)).unwrap();

    assert_eq!(side.stats.unreadable_rows, 0);
    assert_eq!(
        side.stats.answered, 2,
        "{:?}",
        side.stats.unusable_by_reason
    );
    let columns = &side.stats.files[0].columns;
    for role in ["other_party", "direction", "start", "talk_seconds"] {
        assert!(columns.contains_key(role), "{role} lost: {columns:?}");
    }
    let mut calls: Vec<(String, String)> = side
        .records
        .iter()
        .map(|r| (side.number(r.caller).into(), side.number(r.callee).into()))
        .collect();
    calls.sort();
    assert_eq!(
        calls,
        [
            ("075512345678".to_string(), "13800138000".to_string()),
            ("13800138000".to_string(), "13900139000".to_string()),
        ]
    );
}

#[test]
fn one_column_mapping_adds_to_detection() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "export.csv",
        "主叫号码,对端,开始时间,通话时长\n13800138000,13900139000,2024-03-01 10:00:00,30\n",
    );

    let side = read_side(&[file], &options("[columns]\ncallee = \"对端\"")).unwrap();

    assert_eq!(
        side.stats.answered, 1,
        "{:?}",
        side.stats.unusable_by_reason
    );
    assert_eq!(side.stats.talk_seconds, 30);
    assert_eq!(side.stats.files[0].layout, "mapping");
}

#[test]
fn mapped_column_replaces_detected_role() {
    let dir = tempfile::tempdir().unwrap();
    // The export calls its callee column 主叫号码 by mistake.
    let file = write(
        dir.path(),
        "export.csv",
        "坐席号码,主叫号码,开始时间,通话时长\n13800138000,13900139000,2024-03-01 10:00:00,30\n",
    );

    let side = read_side(
        &[file],
        &options("[columns]\ncaller = \"坐席号码\"\ncallee = \"主叫号码\""),
    )
    .unwrap();

    assert_eq!(side.number(side.records[0].caller), "13800138000");
    assert_eq!(side.number(side.records[0].callee), "13900139000");
}
