//! A carrier bill as an `.xlsx` workbook, built at test time. Its start
//! times are date serials in the 1904 or the 1900 date system, and its talk
//! times are `[h]:mm:ss` durations (one is an `h:mm:ss` clock time). Phone
//! numbers are number cells or text cells, because a fixed line keeps its
//! leading zero only as text. A merged title row sits above a Chinese
//! header. `cdr inspect` reads the bill, and `recon cdr` reconciles it
//! against a CSV that writes the same calls as plain text.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

/// A phone number cell as carrier exports store them.
#[derive(Clone, Copy)]
enum Phone {
    /// A number cell: `13800138000` stored as a double.
    Number(u64),
    /// A text cell, as a fixed line must be to keep its area-code zero.
    Text(&'static str),
}

impl Phone {
    fn digits(self) -> String {
        match self {
            Phone::Number(n) => n.to_string(),
            Phone::Text(t) => t.to_string(),
        }
    }
}

/// Number formats of the workbook. Each variant's value is the cell's style
/// index (`s="…"`) into `cellXfs` of [`STYLES`].
#[derive(Clone, Copy)]
#[repr(u8)]
enum Style {
    General = 0,
    /// Custom `yyyy-mm-dd hh:mm:ss`, escaped as LibreOffice writes it.
    DateTime = 1,
    /// Built-in 22 (`m/d/yy h:mm`): the value has seconds, the display
    /// hides them.
    DateTimeNoSeconds = 2,
    /// Built-in 46 (`[h]:mm:ss`), as Excel writes it: no `numFmt` element.
    DurationBuiltIn = 3,
    /// Custom `[hh]:mm:ss`, as LibreOffice writes it.
    DurationCustom = 4,
    /// Built-in 1 (`0`): a long number shown with all its digits.
    WholeNumber = 5,
    /// Built-in 49 (`@`): text.
    Text = 6,
    /// Built-in 21 (`h:mm:ss`), Excel's default time format: a talk time
    /// shown as a clock, decoded as a time on day 0 of the date system.
    DurationClock = 7,
    /// Custom `yyyy"年"m"月"d"日" h:mm:ss`: quoted Chinese literals.
    DateTimeChinese = 8,
}

/// How a start time is stored.
#[derive(Clone, Copy)]
enum StartCell {
    /// A date serial in the workbook's date system, with this format.
    Serial(Style),
    /// An ISO 8601 text of type `t="d"`, as openpyxl writes in ISO mode:
    /// the date system does not apply to it.
    Iso,
}

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd\ hh:mm:ss"/><numFmt numFmtId="165" formatCode="[hh]:mm:ss"/><numFmt numFmtId="166" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\ h:mm:ss"/></numFmts><fonts count="1"><font><sz val="11"/><name val="宋体"/><charset val="134"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="9"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="46" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#;

/// One answered call as both sides record it, with the styles the bill
/// gives its cells.
struct Call {
    caller: Phone,
    callee: Phone,
    /// Local time, `YYYY-MM-DD HH:MM:SS`.
    start: &'static str,
    start_cell: StartCell,
    talk_secs: u32,
    talk_style: Style,
}

/// The calls of the bill. A leap day and the last second of a year show a
/// date system that is a day off. One talk time is over an hour, and start
/// and talk times come in each of the formats seen in real workbooks.
const CALLS: [Call; 5] = [
    Call {
        caller: Phone::Number(13_800_138_000),
        callee: Phone::Text("075523103451"),
        start: "2024-03-05 14:23:11",
        start_cell: StartCell::Serial(Style::DateTime),
        talk_secs: 152,
        talk_style: Style::DurationBuiltIn,
    },
    Call {
        caller: Phone::Number(13_800_138_000),
        callee: Phone::Number(13_912_345_678),
        start: "2024-03-05 15:00:07",
        start_cell: StartCell::Serial(Style::DateTimeNoSeconds),
        talk_secs: 3723,
        talk_style: Style::DurationCustom,
    },
    Call {
        caller: Phone::Text("075523103451"),
        callee: Phone::Number(13_800_138_000),
        start: "2024-02-29 23:59:58",
        start_cell: StartCell::Serial(Style::DateTimeChinese),
        talk_secs: 45,
        talk_style: Style::DurationBuiltIn,
    },
    Call {
        caller: Phone::Number(13_800_138_000),
        callee: Phone::Text("02167891234"),
        start: "2024-12-31 23:59:59",
        start_cell: StartCell::Serial(Style::DateTime),
        talk_secs: 61,
        talk_style: Style::DurationClock,
    },
    Call {
        caller: Phone::Number(13_800_138_000),
        callee: Phone::Number(13_700_137_000),
        start: "2024-03-06 09:05:30",
        start_cell: StartCell::Iso,
        talk_secs: 600,
        talk_style: Style::DurationBuiltIn,
    },
];

/// The workbook's date system and how its `date1904` attribute is spelt.
#[derive(Clone, Copy, Debug)]
enum DateSystem {
    /// Day 1 is 1900-01-01 (Excel on Windows); no attribute.
    D1900,
    /// Day 0 is 1904-01-01, with the attribute as given. Excel writes `"1"`
    /// and LibreOffice `"true"`. With `"0"` the workbook claims the 1900
    /// system although its serials count from 1904.
    D1904(&'static str),
}

impl DateSystem {
    fn epoch(self) -> NaiveDateTime {
        let day = match self {
            // Serial 60 is Excel's 1900-02-29, so from March 1900 on the
            // serials count from 1899-12-30.
            DateSystem::D1900 => NaiveDate::from_ymd_opt(1899, 12, 30),
            DateSystem::D1904(_) => NaiveDate::from_ymd_opt(1904, 1, 1),
        };
        day.unwrap().and_hms_opt(0, 0, 0).unwrap()
    }

    fn workbook_pr(self) -> String {
        match self {
            DateSystem::D1900 => "<workbookPr/>".to_string(),
            DateSystem::D1904(flag) => format!(r#"<workbookPr date1904="{flag}"/>"#),
        }
    }
}

fn start_time(call: &Call) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(call.start, "%Y-%m-%d %H:%M:%S").unwrap()
}

/// Formats a number as Excel stores it, with 15 significant digits, so a
/// time of day is a few microseconds off the exact second.
fn excel_number(x: f64) -> String {
    let whole_digits = x.abs().log10().floor() as i32 + 1;
    let decimals = (15 - whole_digits).clamp(0, 20) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Rows of cells, shared strings gathered as Excel does.
struct Sheet {
    strings: Vec<String>,
    rows: String,
}

impl Sheet {
    fn text(&mut self, r: &str, s: Style, t: &str) -> String {
        let i = self.strings.iter().position(|x| x == t).unwrap_or_else(|| {
            self.strings.push(t.to_string());
            self.strings.len() - 1
        });
        format!(r#"<c r="{r}" s="{}" t="s"><v>{i}</v></c>"#, s as u8)
    }

    fn number(r: &str, s: Style, v: &str) -> String {
        format!(r#"<c r="{r}" s="{}"><v>{v}</v></c>"#, s as u8)
    }

    /// Writes a phone cell. A number cell gets the number format `style`.
    fn phone(&mut self, r: &str, p: Phone, style: Style) -> String {
        match p {
            Phone::Number(n) => Self::number(r, style, &n.to_string()),
            Phone::Text(t) => self.text(r, Style::Text, t),
        }
    }

    fn row(&mut self, n: usize, cells: &[String]) {
        self.rows.push_str(&format!(
            r#"<row r="{n}" spans="1:6">{}</row>"#,
            cells.concat()
        ));
    }
}

fn start_cell(r: &str, call: &Call, system: DateSystem) -> String {
    let start = start_time(call);
    match call.start_cell {
        StartCell::Serial(style) => {
            let serial = (start - system.epoch()).num_seconds() as f64 / 86_400.0;
            Sheet::number(r, style, &excel_number(serial))
        }
        StartCell::Iso => format!(
            r#"<c r="{r}" s="{}" t="d"><v>{}</v></c>"#,
            Style::DateTime as u8,
            start.format("%Y-%m-%dT%H:%M:%S")
        ),
    }
}

fn sheet_xml(system: DateSystem) -> (String, Vec<String>) {
    let mut sheet = Sheet {
        strings: Vec::new(),
        rows: String::new(),
    };
    let title = sheet.text("A1", Style::General, "中国电信 通话详单（2024年）");
    sheet.row(1, &[title]);
    let header: Vec<String> = [
        "序号",
        "主叫号码",
        "被叫号码",
        "开始时间",
        "通话时长",
        "通话地点",
    ]
    .iter()
    .zip('A'..)
    .map(|(h, col)| sheet.text(&format!("{col}2"), Style::General, h))
    .collect();
    sheet.row(2, &header);
    for (i, call) in CALLS.iter().enumerate() {
        let n = i + 3;
        let talk = f64::from(call.talk_secs) / 86_400.0;
        let cells = [
            Sheet::number(&format!("A{n}"), Style::General, &(i + 1).to_string()),
            // Exports mix number cells with the `0` format and without one.
            sheet.phone(&format!("B{n}"), call.caller, Style::WholeNumber),
            sheet.phone(&format!("C{n}"), call.callee, Style::General),
            start_cell(&format!("D{n}"), call, system),
            Sheet::number(&format!("E{n}"), call.talk_style, &excel_number(talk)),
            sheet.text(&format!("F{n}"), Style::General, "深圳"),
        ];
        sheet.row(n, &cells);
    }
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><dimension ref="A1:F{}"/><sheetData>{}</sheetData><mergeCells count="1"><mergeCell ref="A1:F1"/></mergeCells></worksheet>"#,
        CALLS.len() + 2,
        sheet.rows
    );
    (xml, sheet.strings)
}

fn shared_strings_xml(strings: &[String]) -> String {
    let items: String = strings
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">{items}</sst>"#,
        n = strings.len()
    )
}

/// Writes the bill as an `.xlsx` workbook in `system`.
fn write_bill(path: &Path, system: DateSystem) {
    let (sheet, strings) = sheet_xml(system);
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{}<sheets><sheet name="通话详单" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        system.workbook_pr()
    );
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        ("xl/workbook.xml", workbook),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.to_string(),
        ),
        ("xl/styles.xml", STYLES.to_string()),
        ("xl/sharedStrings.xml", shared_strings_xml(&strings)),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// Writes the same calls as the company's own export: plain text times and
/// talk times in seconds.
fn write_local_csv(path: &Path) {
    let mut text = String::from("主叫号码,被叫号码,开始时间,通话时长\n");
    for call in &CALLS {
        text.push_str(&format!(
            "{},{},{},{}\n",
            call.caller.digits(),
            call.callee.digits(),
            call.start,
            call.talk_secs
        ));
    }
    std::fs::write(path, text).unwrap();
}

/// Runs the binary with a cache folder inside `dir` and returns the JSON on
/// stdout. A non-zero exit fails the test.
fn run_json(dir: &Path, args: &[&std::ffi::OsStr]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .arg("--json")
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .output()
        .expect("the binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn inspect(dir: &Path, file: &Path) -> Value {
    run_json(
        dir,
        &[
            "cdr".as_ref(),
            "inspect".as_ref(),
            file.as_os_str(),
            "--unmask".as_ref(),
        ],
    )
}

fn recon(dir: &Path, local: &Path, carrier: &Path) -> Value {
    run_json(
        dir,
        &[
            "recon".as_ref(),
            "cdr".as_ref(),
            "--local".as_ref(),
            local.as_os_str(),
            "--carrier".as_ref(),
            carrier.as_os_str(),
        ],
    )
}

fn bill(dir: &Path, name: &str, system: DateSystem) -> PathBuf {
    let path = dir.join(name);
    write_bill(&path, system);
    path
}

/// Collects the samples `cdr inspect` shows as (caller, callee, time, talk
/// seconds).
fn samples(j: &Value) -> Vec<(String, String, String, u64)> {
    j["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|s| {
            (
                s["caller"].as_str().unwrap_or("").to_string(),
                s["callee"].as_str().unwrap_or("").to_string(),
                s["time"].as_str().unwrap_or("").to_string(),
                s["talk_seconds"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn expected_samples() -> Vec<(String, String, String, u64)> {
    CALLS
        .iter()
        .map(|c| {
            (
                c.caller.digits(),
                c.callee.digits(),
                c.start.to_string(),
                u64::from(c.talk_secs),
            )
        })
        .collect()
}

#[test]
fn xlsx_1904_bill_reads_times_durations_and_numbers() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["1", "true"] {
        let file = bill(
            dir.path(),
            &format!("bill-1904-{flag}.xlsx"),
            DateSystem::D1904(flag),
        );

        let j = inspect(dir.path(), &file);

        assert_eq!(j["format"], "xlsx", "date1904={flag}");
        assert_eq!(j["header_row"], 2, "the title row is no header");
        assert_eq!(j["rows"], CALLS.len(), "date1904={flag}");
        assert_eq!(j["usable"], CALLS.len(), "date1904={flag}");
        assert_eq!(j["unreadable_rows"], 0, "date1904={flag}");
        assert_eq!(j["masked_numbers"], 0, "date1904={flag}");
        // Times as written, not 1462 days (4 years and a day) earlier;
        // talk times in seconds, not dates; the fixed line keeps its zero
        // and the mobile number all its digits.
        assert_eq!(samples(&j), expected_samples(), "date1904={flag}");
    }
}

#[test]
fn xlsx_1900_twin_gives_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("local.csv");
    write_local_csv(&local);
    let b1900 = bill(dir.path(), "bill-1900.xlsx", DateSystem::D1900);
    let b1904 = bill(dir.path(), "bill-1904.xlsx", DateSystem::D1904("1"));

    let (i1900, i1904) = (inspect(dir.path(), &b1900), inspect(dir.path(), &b1904));
    let (r1900, r1904) = (
        recon(dir.path(), &local, &b1900),
        recon(dir.path(), &local, &b1904),
    );

    assert_eq!(samples(&i1900), expected_samples());
    assert_eq!(samples(&i1900), samples(&i1904));
    assert_eq!(r1900["matched"], CALLS.len());
    assert_eq!(r1900["duration_mismatch"], 0);
    for key in [
        "matched",
        "local_only",
        "carrier_only",
        "duration_mismatch",
        "rates",
    ] {
        assert_eq!(r1900[key], r1904[key], "{key}");
    }
    assert_eq!(r1900["carrier"]["answered"], r1904["carrier"]["answered"]);
    assert_eq!(
        r1900["carrier"]["talk_seconds"],
        r1904["carrier"]["talk_seconds"]
    );
}

#[test]
fn xlsx_1904_bill_reconciles_with_plain_text_export() {
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("local.csv");
    write_local_csv(&local);
    let carrier = bill(dir.path(), "bill-1904.xlsx", DateSystem::D1904("1"));

    let r = recon(dir.path(), &local, &carrier);

    assert_eq!(r["matched"], CALLS.len());
    assert_eq!(r["local_only"], 0);
    assert_eq!(r["carrier_only"], 0);
    assert_eq!(r["duration_mismatch"], 0);
    let talk: u32 = CALLS.iter().map(|c| c.talk_secs).sum();
    assert_eq!(r["carrier"]["talk_seconds"], talk);
    assert_eq!(r["local"]["talk_seconds"], talk);
}

#[test]
fn unflagged_1904_serials_read_four_years_early() {
    // The workbook contains 1904 serials but does not set the flag. Read in
    // the 1900 system they fall 1462 days earlier and match nothing, so the
    // figures of the other tests depend on the flag.
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("local.csv");
    write_local_csv(&local);
    let path = dir.path().join("unflagged.xlsx");
    write_bill(&path, DateSystem::D1904("0"));

    let j = inspect(dir.path(), &path);
    let r = recon(dir.path(), &local, &path);

    let first = start_time(&CALLS[0]) - chrono::Duration::days(1462);
    assert_eq!(
        j["samples"][0]["time"],
        first.format("%Y-%m-%d %H:%M:%S").to_string()
    );
    // Only the ISO text cell carries its own date.
    let iso = CALLS
        .iter()
        .filter(|c| matches!(c.start_cell, StartCell::Iso))
        .count();
    assert_eq!(r["matched"], iso);
    assert_eq!(r["carrier_only"], CALLS.len() - iso);
}
