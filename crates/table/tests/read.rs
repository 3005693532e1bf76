//! Reading real and generated files through the public API.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use nianshen_table::{read_table, Cell, Format, ProblemKind, TableError, TextEncoding};

fn realdata(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/realdata")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: {rel} not present");
        None
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn gbk_pipe_file_is_decoded_and_split() {
    let dir = tempfile::tempdir().unwrap();
    let text = "主叫号码|被叫号码|通话时长\r\n13800138000|075512345678|62\r\n";
    let bytes = encoding_rs::GB18030.encode(text).0;
    let p = write(dir.path(), "gbk.xls", &bytes);
    let t = read_table(&p).unwrap();
    assert_eq!(t.sources[0].encoding, Some(TextEncoding::Gb18030));
    assert_eq!(t.sources[0].delimiter, Some(b'|'));
    assert_eq!(t.rows[0].cells[0], Cell::Text("主叫号码".into()));
    assert_eq!(t.rows[1].cells[1], Cell::Text("075512345678".into()));
    assert_eq!(t.rows[1].row, 2);
}

#[test]
fn utf16_with_bom_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for u in "主叫\t被叫\n1001\t1002\n".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let p = write(dir.path(), "u16.txt", &bytes);
    let t = read_table(&p).unwrap();
    assert_eq!(t.sources[0].encoding, Some(TextEncoding::Utf16Le));
    assert_eq!(
        t.rows[1].cells,
        vec![Cell::Text("1001".into()), Cell::Text("1002".into())]
    );
}

#[test]
fn invalid_utf8_bytes_are_counted_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "a,b\n".repeat(20_000).into_bytes();
    bytes.extend_from_slice(b"x\xff,y\n");
    let p = write(dir.path(), "bad.csv", &bytes);
    let t = read_table(&p).unwrap();
    assert_eq!(t.sources[0].encoding, Some(TextEncoding::Utf8));
    assert_eq!(t.invalid_bytes, 1);
}

#[test]
fn empty_and_binary_files_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.csv", b"");
    let bom_only = write(dir.path(), "bom.csv", b"\xEF\xBB\xBF\r\n");
    let pdf = write(dir.path(), "fake.csv", b"%PDF-1.4 binary");
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let random = write(dir.path(), "random.csv", &noise);
    assert!(matches!(read_table(&empty), Err(TableError::Empty { .. })));
    assert!(matches!(
        read_table(&bom_only),
        Err(TableError::Empty { .. })
    ));
    assert!(matches!(read_table(&pdf), Err(TableError::Binary { .. })));
    let err = read_table(&random).unwrap_err();
    assert!(matches!(err, TableError::Binary { .. }), "{err:?}");
    assert!(err.message(nianshen_rules::Lang::Zh).contains("random.csv"));
    let missing = read_table(&dir.path().join("nope.csv")).unwrap_err();
    assert!(matches!(missing, TableError::NotFound { .. }));
}

#[test]
fn zip_members_are_read_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bills.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in [
        ("b.csv", "x,y\n3,4\n"),
        ("a.csv", "x,y\n1,2\n"),
        ("readme.pdf", "%PDF-1.4"),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.add_directory("folder/", opts).unwrap();
    zip.finish().unwrap();
    let t = read_table(&p).unwrap();
    assert_eq!(t.sources.len(), 2);
    assert!(t.sources[0].file.ends_with("a.csv"));
    assert_eq!(t.rows[1].cells[0], Cell::Text("1".into()));
    assert_eq!(t.skipped.len(), 1);
}

#[test]
fn truncated_record_reported_with_row() {
    let Some(p) = realdata("cdr-asterisk/asterisk-testsuite_cdrlib_buggy_truncated.csv") else {
        return;
    };
    let t = read_table(&p).unwrap();
    assert!(t.rows.is_empty());
    assert_eq!(t.problems.len(), 1);
    assert_eq!(t.problems[0].row, 1);
    assert_eq!(t.problems[0].kind, ProblemKind::UnclosedQuote);
}

#[test]
fn truncated_file_keeps_earlier_rows() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "cut.csv", b"a,b\n1,2\n3,\"unfinished");
    let t = read_table(&p).unwrap();
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.problems[0].row, 3);
}

#[test]
fn xls_exports_keep_text_cells() {
    let Some(p) = realdata("cdr-other/chinamobile_2015-05_voice.xls") else {
        return;
    };
    let t = read_table(&p).unwrap();
    assert_eq!(t.sources[0].format, Format::Xls);
    assert_eq!(t.rows.len(), 75);
    assert_eq!(t.rows[1].cells[3], Cell::Text("2分32秒".into()));
}

#[test]
fn xlsx_dates_respect_the_1904_system_and_durations() {
    let (Some(d1900), Some(d1904)) = (
        realdata("xlsx/calamine_date_serial_and_duration.xlsx"),
        realdata("xlsx/calamine_date_1904_epoch.xlsx"),
    ) else {
        return;
    };
    let a = read_table(&d1900).unwrap();
    let b = read_table(&d1904).unwrap();
    let date = |t: &nianshen_table::Table| {
        t.rows
            .iter()
            .flat_map(|r| r.cells.iter())
            .find_map(|c| match c {
                Cell::DateTime(d) => Some(*d),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(date(&a), date(&b));
    assert_eq!(date(&a).format("%Y-%m-%d").to_string(), "2021-01-01");
    let duration = a
        .rows
        .iter()
        .flat_map(|r| r.cells.iter())
        .find_map(|c| match c {
            Cell::Duration(s) => Some(*s),
            _ => None,
        })
        .unwrap();
    assert_eq!(duration.round() as i64, 255 * 3600 + 10 * 60 + 10);
}

#[test]
fn big_number_cell_keeps_digits() {
    let Some(p) = realdata("xlsx/excelize_OverflowNumericCell_13digit.xlsx") else {
        return;
    };
    let t = read_table(&p).unwrap();
    let texts: Vec<String> = t
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().map(Cell::text))
        .collect();
    assert!(texts.iter().any(|s| s == "8595602512225"), "{texts:?}");
}
