//! Reading a side from folders with case-level glob mappings, the way the
//! checks read a case folder.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;

use nianshen_cdr::{read_side, CdrError, Mapping, ReadOptions, Vocabulary};

fn options() -> ReadOptions {
    let pack = nianshen_rules::load("cn-miit", None, &toml::Table::new()).expect("built-in pack");
    ReadOptions::new(Vocabulary::from_pack(&pack))
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn glob_mapping_applies_to_matching_files() {
    let case = tempfile::tempdir().unwrap();
    let folder = case.path().join("话单/本地");
    write(&folder.join("a/export.csv"), "who,whom,at,len,res\n13800138000,13900139000,2024-03-05 09:00:00,30,接通\n13800138000,13900139001,2024-03-05 09:05:00,0,未接通\n");
    write(
        &folder.join("b/export.csv"),
        "who,whom,at,len,res\n13800138000,13900139002,2024-03-05 10:00:00,42,接通\n",
    );
    write(&folder.join("说明.pdf"), "%PDF-1.4\n");
    let table: toml::Table = toml::from_str(
        r#"
        files = "话单/本地/**/*.csv"
        columns = { caller = "who", callee = "whom", start = "at", talk_seconds = "len", disposition = "res" }
        "#,
    )
    .unwrap();
    let mut opts = options();
    opts.glob_mappings = vec![(
        "话单/本地/**/*.csv".to_string(),
        Mapping::from_table(&table).unwrap(),
    )];
    opts.glob_base = Some(case.path().to_path_buf());

    let side = read_side(&[folder], &opts).expect("side");

    assert_eq!(side.stats.files.len(), 2, "the PDF is passed over");
    assert_eq!(side.stats.rows, 3);
    assert_eq!(side.stats.answered, 2);
    assert_eq!(side.stats.talk_seconds, 72);
    assert!(side.stats.files.iter().all(|f| f.layout == "mapping"));
}

#[test]
fn files_outside_the_glob_need_their_own_layout() {
    let case = tempfile::tempdir().unwrap();
    let file = case.path().join("other/export.csv");
    write(
        &file,
        "who,whom,at,len\n13800138000,13900139000,2024-03-05 09:00:00,30\n",
    );
    let table: toml::Table =
        toml::from_str(r#"columns = { caller = "who", callee = "whom", start = "at" }"#).unwrap();
    let mut opts = options();
    opts.glob_mappings = vec![(
        "话单/本地/*.csv".to_string(),
        Mapping::from_table(&table).unwrap(),
    )];
    opts.glob_base = Some(case.path().to_path_buf());

    let err = read_side(&[file], &opts).unwrap_err();

    assert!(matches!(err, CdrError::Unmapped { .. }), "{err:?}");
}

#[test]
fn folder_without_tables_rejected() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("scan.pdf"), "%PDF-1.4\n");

    let err = read_side(&[dir.path().to_path_buf()], &options()).unwrap_err();

    assert!(matches!(err, CdrError::NoFiles { .. }), "{err:?}");
}

#[test]
fn outcome_and_direction_feed_declared_figures() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    write(
        &file,
        "坐席工号,主叫号码,被叫号码,呼叫时间,接通时间,通话时长(秒),呼叫结果,呼叫方向,营销结果\n\
         A1,075512345678,13800138000,2024-03-05 09:00:00,2024-03-05 09:00:10,60,已接通,呼出,成交\n\
         A1,075512345678,13800138001,2024-03-05 09:05:00,,0,未接通,呼出,\n\
         A2,13800138002,075512345678,2024-03-05 09:06:00,2024-03-05 09:06:05,40,已接通,呼入,未成交\n\
         A2,075512345678,13800138003,2024-03-05 09:09:00,,25,忙,呼出,\n",
    );

    let side = read_side(&[file], &options()).expect("side");
    let s = &side.stats;

    assert_eq!(s.outbound_attempts, 3);
    assert_eq!(s.answered_outbound, 1);
    assert_eq!(s.answered_all, 2);
    assert_eq!(s.talk_seconds_all, 100);
    assert_eq!(s.agents.len(), 2);
    assert_eq!(s.conversions, 1);
    assert!(s.has_outcome_column);
    assert_eq!(s.disposition_talk_conflicts, 1, "忙 with 25 s of talk");
}
