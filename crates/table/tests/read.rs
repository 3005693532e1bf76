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
fn cr_only_line_ends_split() {
    let dir = tempfile::tempdir().unwrap();
    let text = "主叫号码;被叫号码;通话时长\r13800138000;075512345678;62\r13800138001;075512345679;\"a\rb\"\r";
    let bytes = encoding_rs::GB18030.encode(text).0;
    let p = write(dir.path(), "mac.csv", &bytes);

    let t = read_table(&p).unwrap();

    assert_eq!(t.sources[0].delimiter, Some(b';'));
    assert_eq!(t.rows.len(), 3);
    assert_eq!(t.rows[1].cells[2], Cell::Text("62".into()));
    assert_eq!(t.rows[2].row, 3);
    assert_eq!(t.rows[2].cells[2], Cell::Text("a\nb".into()));
}

#[test]
fn utf8_mark_before_gbk_body_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(
        &encoding_rs::GB18030
            .encode("主叫号码\t被叫号码\n13800138000\t075512345678\n")
            .0,
    );
    let p = write(dir.path(), "marked.txt", &bytes);

    let t = read_table(&p).unwrap();

    assert_eq!(t.sources[0].encoding, Some(TextEncoding::Gb18030));
    assert_eq!(t.rows[0].cells[0], Cell::Text("主叫号码".into()));
    assert_eq!(t.rows[1].cells[1], Cell::Text("075512345678".into()));
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
fn stray_quote_keeps_later_rows() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "remark.txt",
        "主叫|被叫|备注\n1|2|ok\n3|4|\"客户挂断\n5|6|x\n7|8|y\n".as_bytes(),
    );

    let t = read_table(&p).unwrap();

    assert!(t.problems.is_empty(), "{:?}", t.problems);
    let rows: Vec<u64> = t.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, [1, 2, 3, 4, 5]);
    assert_eq!(t.rows[2].cells[2], Cell::Text("\"客户挂断".into()));
    assert_eq!(t.rows[3].cells[0], Cell::Text("5".into()));
    assert_eq!(t.rows[4].cells[2], Cell::Text("y".into()));
}

#[test]
fn stray_quote_paired_later_reported() {
    let dir = tempfile::tempdir().unwrap();
    // The stray quote pairs with the next one, which merges lines 3 and 4.
    let p = write(
        dir.path(),
        "remark.txt",
        "主叫|被叫|备注\n1|2|ok\n3|4|\"客户挂断\n5|6|\"quoted|ok\"\n7|8|x\n".as_bytes(),
    );

    let t = read_table(&p).unwrap();

    // Lines 3 and 4 are one record, and the odd quote count is reported.
    assert_eq!(t.rows.len(), 3);
    assert_eq!(t.problems.len(), 1);
    assert_eq!(t.problems[0].kind, ProblemKind::UnclosedQuote);
}

#[test]
fn row_wider_than_a_worksheet_reported() {
    let dir = tempfile::tempdir().unwrap();
    let wide = ",".repeat(20_000);
    let p = write(
        dir.path(),
        "wide.csv",
        format!("a,b\n1,2\n{wide}\n3,4\n").as_bytes(),
    );

    let t = read_table(&p).unwrap();

    assert_eq!(t.rows.len(), 3);
    assert_eq!(t.problems.len(), 1);
    assert_eq!(
        (t.problems[0].row, t.problems[0].kind),
        (3, ProblemKind::TooManyFields)
    );
}

#[test]
fn line_without_breaks_fails_early() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"a,b\n".to_vec();
    bytes.resize(9 << 20, b'0');
    let p = write(dir.path(), "no-breaks.csv", &bytes);

    let err = read_table(&p).unwrap_err();

    assert!(
        matches!(err, nianshen_table::TableError::Text { row: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn short_unterminated_last_line_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "cut.csv",
        b"caller,callee,start,secs\n13800138000,13900139000,2024-03-01 10:00:00,30\n13800138000,1390013",
    );

    let t = read_table(&p).unwrap();

    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.problems.len(), 1);
    assert_eq!(
        (t.problems[0].row, t.problems[0].kind),
        (3, ProblemKind::CutOff)
    );
}

#[test]
fn whole_unterminated_last_line_read() {
    let dir = tempfile::tempdir().unwrap();
    let whole = write(dir.path(), "whole.csv", b"a,b,c\n1,2,3\n4,5,6");
    let short_with_break = write(dir.path(), "short.csv", b"a,b,c\n1,2,3\n4,5\n");

    for p in [whole, short_with_break] {
        let t = read_table(&p).unwrap();

        assert_eq!(t.rows.len(), 3, "{}", p.display());
        assert!(t.problems.is_empty(), "{}", p.display());
    }
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

/// A compound file whose allocation table links the directory sector to
/// itself: a reader following the chain without a limit never stops.
fn cyclic_compound_file() -> Vec<u8> {
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    header[24..26].copy_from_slice(&0x3Eu16.to_le_bytes());
    header[26..28].copy_from_slice(&3u16.to_le_bytes());
    header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    header[30..32].copy_from_slice(&9u16.to_le_bytes());
    header[32..34].copy_from_slice(&6u16.to_le_bytes());
    header[44..48].copy_from_slice(&1u32.to_le_bytes());
    header[48..52].copy_from_slice(&1u32.to_le_bytes());
    header[56..60].copy_from_slice(&4096u32.to_le_bytes());
    header[60..64].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    header[68..72].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    for i in 0..109 {
        let id: u32 = if i == 0 { 0 } else { 0xFFFF_FFFF };
        header[76 + 4 * i..80 + 4 * i].copy_from_slice(&id.to_le_bytes());
    }
    let mut fat = vec![0xFFu8; 512];
    fat[..4].copy_from_slice(&0xFFFF_FFFDu32.to_le_bytes());
    fat[4..8].copy_from_slice(&1u32.to_le_bytes());
    let mut file = header;
    file.extend_from_slice(&fat);
    file.extend_from_slice(&[0u8; 512]);
    file
}

#[test]
fn cyclic_xls_rejected_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "loop.xls", &cyclic_compound_file());
    let err = read_table(&p).unwrap_err();
    assert!(matches!(err, TableError::Workbook { .. }), "{err:?}");
}

#[test]
fn xlsx_with_far_cell_stays_small() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("far.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>主叫号码</t></is></c><c r="B1"><v>13800138000</v></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#,
        ),
    ];
    for (name, body) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();

    let t = read_table(&p).unwrap();

    assert_eq!(t.sources[0].format, Format::Xlsx);
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[0].cells[1].text(), "13800138000");
    assert_eq!(t.rows[1].row, 1_048_576);
    assert_eq!(t.rows[1].cells.len(), 16_384);
}

#[test]
fn row_after_blank_line_keeps_its_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blank.csv");
    std::fs::write(&path, "a,b,c\n1,2,3\n\n4,5,6\n7,8,9\n").unwrap();
    let table = nianshen_table::read_table(&path).unwrap();
    let rows: Vec<u64> = table.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![1, 2, 4, 5]);
}
