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
fn total_sums_written_durations() {
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
fn total_written_as_duration_read() {
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

const GOOD: &str =
    "主叫号码,被叫号码,开始时间,通话时长\n13800138000,13900139000,2024-03-01 10:00:00,65\n";

/// Bytes that are no text: NUL bytes among others.
fn binary() -> Vec<u8> {
    (0..4096u32).map(|i| (i * 7 % 256) as u8).collect()
}

fn zip_of(path: &Path, members: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    for (name, bytes) in members {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, bytes).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn folder_binary_and_empty_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("话单.csv"), GOOD.as_bytes());
    write(&dir.path().join("乱码.csv"), &binary());
    write(&dir.path().join("空.csv"), b"");

    let side = read_side(&[dir.path().to_path_buf()], &options()).unwrap();

    assert_eq!(side.stats.files.len(), 1);
    let skipped: Vec<(String, &str)> = side
        .stats
        .skipped_files
        .iter()
        .map(|s| {
            let name = s.path.file_name().unwrap().to_string_lossy().into_owned();
            (name, s.reason_zh.as_str())
        })
        .collect();
    assert_eq!(
        skipped,
        [
            (
                "乱码.csv".to_string(),
                "不是表格，内容是二进制数据（含有 NUL 字节）"
            ),
            ("空.csv".to_string(), "文件是空的"),
        ]
    );
}

#[test]
fn unreadable_archive_in_folder_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("话单.csv"), GOOD.as_bytes());
    zip_of(
        &dir.path().join("坏.zip"),
        &[("乱码.csv", &binary()), ("空.csv", b"")],
    );

    let side = read_side(&[dir.path().to_path_buf()], &options()).unwrap();

    assert_eq!(side.stats.rows, 1);
    let skipped: Vec<String> = side
        .stats
        .skipped_files
        .iter()
        .map(|s| s.path.to_string_lossy().into_owned())
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].ends_with("坏.zip/乱码.csv"), "{skipped:?}");
    assert!(skipped[1].ends_with("坏.zip/空.csv"), "{skipped:?}");
}

#[test]
fn empty_archive_member_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("bills.zip");
    zip_of(&archive, &[("话单.csv", GOOD.as_bytes()), ("空.csv", b"")]);

    let side = read_side(&[archive], &options()).unwrap();

    assert_eq!(side.stats.rows, 1);
    assert_eq!(side.stats.skipped_files.len(), 1);
    assert_eq!(side.stats.skipped_files[0].reason_en, "the file is empty");
}

#[test]
fn named_files_skipped_when_requested() {
    let dir = tempfile::tempdir().unwrap();
    let (good, bad) = (dir.path().join("话单.csv"), dir.path().join("乱码.csv"));
    write(&good, GOOD.as_bytes());
    write(&bad, &binary());
    let mut opts = options();

    let strict = read_side(&[good.clone(), bad.clone()], &opts);
    opts.pass_over_unreadable = true;
    let lenient = read_side(&[good, bad.clone()], &opts).unwrap();
    let nothing = read_side(&[bad], &opts);

    assert!(strict.is_err(), "a named file must be readable by default");
    assert_eq!(lenient.stats.rows, 1);
    assert_eq!(lenient.stats.skipped_files.len(), 1);
    assert!(nothing.is_err(), "a side with nothing readable fails");
}

#[test]
fn cut_off_last_line_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cut.csv");
    write(
        &file,
        format!("{GOOD}13800138000,13900139001,2024-03-01 11:00:00,45\n13800138000,1390013")
            .as_bytes(),
    );

    let side = read_side(&[file], &options()).unwrap();

    assert_eq!(side.stats.rows, 3);
    assert_eq!(side.stats.unreadable_rows, 1);
    let bad = &side.stats.bad_rows[0];
    assert_eq!(bad.row, 4);
    assert!(bad.reason_zh.contains("截断"), "{}", bad.reason_zh);
    assert_eq!(bad.value, "138****8000,1390013");
}

#[test]
fn text_serial_time_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("saved-from-excel.csv");
    write(
        &file,
        "主叫号码,被叫号码,开始时间,通话时长\n13800138000,13900139000,45352.5,30\n".as_bytes(),
    );

    let side = read_side(&[file], &options()).unwrap();

    assert_eq!(side.stats.unreadable_rows, 0);
    // 2024-03-01 12:00:00 +08:00
    assert_eq!(side.records[0].time, 1_709_265_600);
}
