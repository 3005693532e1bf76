//! Call-record files made for these tests: encodings, delimiters, title
//! and total rows, bills made per number, archives and bad input.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/cdr")
        .join(name)
}

fn run(args: &[&str]) -> (i32, String, String) {
    // The cache of normalised records goes to a folder of the test's own.
    let cache = std::env::temp_dir().join("nianshen-test-cache");
    let out = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn inspect(name: &str) -> Value {
    let path = fixture(name);
    let (code, out, err) = run(&[
        "cdr",
        "inspect",
        path.to_str().expect("utf-8 path"),
        "--json",
    ]);
    assert_eq!(code, 0, "{name}: {err}");
    serde_json::from_str(&out).expect("json")
}

fn recon(local: &Path, carrier: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "recon",
        "cdr",
        "--local",
        local.to_str().expect("path"),
        "--carrier",
        carrier.to_str().expect("path"),
        "--json",
    ];
    args.extend(extra);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("json")
}

#[test]
fn gbk_pipe_text_named_xls() {
    let j = inspect("gbk_pipe_named.xls");
    assert_eq!(j["encoding"], "GB18030");
    assert_eq!(j["delimiter"], "|");
    assert_eq!(j["rows"], 3);
    assert_eq!(j["answered"], 2, "未接通 is not 接通");
    assert_eq!(j["samples"][1]["talk_seconds"], 65, "1分5秒");
    assert_eq!(
        j["samples"][1]["callee"], "137****7000",
        "+86 removed, masked"
    );
}

#[test]
fn utf16_tab_text() {
    let j = inspect("utf16_tab.csv");
    assert_eq!(j["encoding"], "UTF-16LE");
    assert_eq!(j["delimiter"], "\\t");
    assert_eq!(j["answered"], 1);
}

#[test]
fn title_and_total_rows() {
    let j = inspect("bill_title_total.csv");
    assert_eq!(j["header_row"], 4);
    assert_eq!(j["rows"], 3, "title, total and footer rows are no data");
    let totals = j["total_rows"].as_array().expect("totals");
    assert_eq!(totals.len(), 2);
    assert!(totals.iter().all(|t| t["stated"] == t["summed"]));
    let wrong = inspect("bill_total_wrong.csv");
    assert_eq!(wrong["total_rows"][0]["stated"], 200.0);
    assert_eq!(wrong["total_rows"][0]["summed"], 132.0);
}

#[test]
fn per_number_bill_own_number_from_title() {
    let j = inspect("per_number_bill.csv");
    assert_eq!(j["rows"], 3);
    assert_eq!(j["usable"], 2);
    assert_eq!(j["masked_numbers"], 1);
    // 被叫: the other party called the own number.
    assert_eq!(j["samples"][0]["caller"], "075*****5678");
    assert_eq!(j["samples"][0]["callee"], "138****8000");
    // 主叫: the own number called the other party.
    assert_eq!(j["samples"][1]["caller"], "138****8000");
}

#[test]
fn zip_of_bills_as_one_side() {
    let r = recon(&fixture("bill_title_total.csv"), &fixture("bills.zip"), &[]);
    assert_eq!(r["carrier"]["files"].as_array().map(Vec::len), Some(2));
    assert_eq!(r["matched"], 2);
    assert_eq!(r["local_only"], 1);
    assert_eq!(r["carrier_only"], 0);
}

#[test]
fn bad_input_rejected_naming_file() {
    let cases = ["empty.csv", "binary.csv", "no-such-file.csv"];
    for name in cases {
        let path = fixture(name);
        let (code, _, err) = run(&["cdr", "inspect", path.to_str().expect("path")]);
        assert_eq!(code, 2, "{name}");
        assert!(err.contains(name), "{name}: {err}");
        assert!(err.contains("错误"), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}");
    }
    let path = fixture("binary.csv");
    let (code, _, err) = run(&[
        "recon",
        "cdr",
        "--local",
        path.to_str().expect("path"),
        "--carrier",
        path.to_str().expect("path"),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("binary.csv"), "{err}");
}

#[test]
fn unmappable_columns_listed_with_mapping() {
    let path = fixture("unmappable.csv");
    let (code, _, err) = run(&["cdr", "inspect", path.to_str().expect("path")]);
    assert_eq!(code, 2);
    for want in [
        "from",
        "138****8000",
        "start = \"when\"",
        "caller = \"from\"",
        "talk_seconds = \"secs\"",
    ] {
        assert!(err.contains(want), "{want} missing: {err}");
    }
    assert!(
        !err.contains("13800138000"),
        "numbers are masked in messages"
    );
}

#[test]
fn mapping_file_reads_unmappable_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mapping = dir.path().join("m.toml");
    std::fs::write(&mapping, "[columns]\ncaller = \"from\"\ncallee = \"to\"\nstart = \"when\"\ntalk_seconds = \"secs\"\n").expect("write");
    let path = fixture("unmappable.csv");
    let r = recon(
        &path,
        &path,
        &[
            "--local-mapping",
            mapping.to_str().expect("p"),
            "--carrier-mapping",
            mapping.to_str().expect("p"),
        ],
    );
    assert_eq!(r["matched"], 2);
}

#[test]
fn out_writes_masked_bom_csvs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    recon(
        &fixture("bill_title_total.csv"),
        &fixture("bills.zip"),
        &["--out", out.to_str().expect("p")],
    );
    for name in [
        "local_only.csv",
        "carrier_only.csv",
        "duration_mismatch.csv",
        "billing_mismatch.csv",
        "per_day.csv",
        "per_number.csv",
        "per_agent.csv",
    ] {
        let bytes = std::fs::read(out.join(name)).expect(name);
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "{name} has a BOM");
    }
    let local_only = std::fs::read_to_string(out.join("local_only.csv")).expect("read");
    assert!(local_only.contains("136****6000"), "{local_only}");
    assert!(!local_only.contains("13600136000"));
}

#[test]
fn whole_hour_shift_warned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut local = String::from("主叫号码,被叫号码,开始时间,通话时长\n");
    let mut carrier = local.clone();
    for i in 0..20 {
        local.push_str(&format!(
            "075512345678,1380013{i:04},2024-03-05 10:{i:02}:07,{}\n",
            30 + i
        ));
        carrier.push_str(&format!(
            "075512345678,1380013{i:04},2024-03-05 02:{i:02}:07,{}\n",
            30 + i
        ));
    }
    let (l, c) = (dir.path().join("l.csv"), dir.path().join("c.csv"));
    std::fs::write(&l, local).expect("write");
    std::fs::write(&c, carrier).expect("write");
    let r = recon(&l, &c, &[]);
    assert_eq!(r["matched"], 0);
    assert_eq!(r["warnings"][0]["id"], "likely_tz_offset");
    let message = r["warnings"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("--carrier-tz +00:00"), "{message}");
    assert!(
        !message.contains("+16:00"),
        "no offset outside -12..+14 h: {message}"
    );
    let fixed = recon(&l, &c, &["--carrier-tz", "+00:00"]);
    assert_eq!(fixed["matched"], 20);
}

/// Returns the figures that matching decides, which the billing increment
/// must not change.
fn match_figures(r: &Value) -> [Value; 4] {
    ["matched", "local_only", "carrier_only", "duration_mismatch"].map(|k| r[k].clone())
}

#[test]
fn every_record_class_is_counted() {
    let r = recon(
        &fixture("billing_local.csv"),
        &fixture("billing_bill.csv"),
        &[],
    );

    assert_eq!(
        r["classes"],
        serde_json::json!({
            "exact": 3,
            "duration_differs": 1,
            "billing_differs": 4,
            "local_only": 1,
            "carrier_only": 1,
        })
    );
    assert_eq!(r["classes"]["duration_differs"], r["duration_mismatch"]);
    assert_eq!(r["billing"]["increment"], "60/60");
    assert_eq!(r["billing"]["compared"], 7);
    assert_eq!(r["billing"]["not_compared"], 0);
    assert_eq!(r["billing"]["carrier_higher"], 2);
    assert_eq!(r["billing"]["carrier_lower"], 2);
    let per_day: Vec<&Value> = r["per_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["billing_differs"])
        .collect();
    assert_eq!(per_day, [2, 2]);
}

#[test]
fn billing_increment_changes_only_the_billing_classes() {
    let (l, c) = (fixture("billing_local.csv"), fixture("billing_bill.csv"));
    let minutes = recon(&l, &c, &[]);

    let six = recon(&l, &c, &["--billing", "6/6"]);

    // 61 s and 62 s bill 66 s under 6/6, 1.1 minutes as the bill states; 70 s
    // bills 72 s, 1.2 minutes, where the bill charges 2 minutes.
    assert_eq!(six["billing"]["increment"], "6/6");
    assert_eq!(six["classes"]["billing_differs"], 3);
    assert_eq!(six["classes"]["exact"], 4);
    assert_eq!(six["billing"]["carrier_lower"], 0);
    assert_eq!(match_figures(&six), match_figures(&minutes));
    assert_eq!(six["rates"], minutes["rates"]);
    assert_eq!(six["carrier"], minutes["carrier"]);
}

#[test]
fn malformed_billing_increment_rejected_in_chinese() {
    let (l, c) = (fixture("billing_local.csv"), fixture("billing_bill.csv"));
    for bad in ["6-6", "0/6", "6/", "60/60/60", "一分钟"] {
        let (code, out, err) = run(&[
            "recon",
            "cdr",
            "--local",
            l.to_str().unwrap(),
            "--carrier",
            c.to_str().unwrap(),
            "--billing",
            bad,
            "--json",
        ]);

        assert_eq!(code, 2, "{bad}: {out}");
        assert!(out.is_empty(), "{bad}: {out}");
        assert!(err.contains("不是计费方式"), "{bad}: {err}");
        assert!(err.contains("--billing 60/60"), "{bad}: {err}");
    }
}

#[test]
fn out_lists_billing_differences_masked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    recon(
        &fixture("billing_local.csv"),
        &fixture("billing_bill.csv"),
        &["--out", out.to_str().expect("p")],
    );

    let bytes = std::fs::read(out.join("billing_mismatch.csv")).expect("written");
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(bytes).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    let local_rows: Vec<&str> = rows
        .iter()
        .map(|r| r.split(',').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(local_rows, ["4", "5", "8", "10"], "{text}");
    assert!(text.contains("138****8003"), "{text}");
    assert!(!text.contains("13800138003"), "{text}");
    // A bill in minutes leaves the column of billed seconds empty.
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with(",运营商计费时长(分钟),运营商计费时长(秒)"),
        "{text}"
    );
    assert!(rows[0].ends_with(",61,61,60/60,120,2,1,"), "{text}");

    let per_agent = std::fs::read_to_string(out.join("per_agent.csv")).unwrap();
    assert!(per_agent.contains("计费不一致"), "{per_agent}");
    assert!(per_agent.contains("A01,5,387,5,2"), "{per_agent}");
    assert!(per_agent.contains("A02,4,211,3,2"), "{per_agent}");
}

#[test]
fn bill_without_billed_column_has_no_billing_differences() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bill = std::fs::read_to_string(fixture("billing_bill.csv")).unwrap();
    // The same bill with the billed column (the fifth) cut out.
    let cut: String = bill
        .lines()
        .map(|line| {
            let mut cells: Vec<&str> = line.split(',').collect();
            if cells.len() > 4 {
                cells.remove(4);
            }
            cells.join(",") + "\n"
        })
        .collect();
    let carrier = dir.path().join("bill.csv");
    std::fs::write(&carrier, cut).unwrap();

    let r = recon(&fixture("billing_local.csv"), &carrier, &[]);

    assert_eq!(r["classes"]["billing_differs"], 0);
    assert_eq!(r["classes"]["exact"], 7);
    assert_eq!(r["billing"]["compared"], 0);
    assert_eq!(r["billing"]["not_compared"], 7);
    assert_eq!(r["duration_mismatch"], 1);
}

#[test]
fn unreadable_billed_cells_not_compared() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bill = std::fs::read_to_string(fixture("billing_bill.csv")).unwrap();
    // The same bill with every billed cell (the fifth) emptied or garbled.
    let blanked: String = bill
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
            if i > 0 && cells.len() > 4 {
                cells[4] = if i % 2 == 0 {
                    String::new()
                } else {
                    "9:99".to_string()
                };
            }
            cells.join(",") + "\n"
        })
        .collect();
    let carrier = dir.path().join("bill.csv");
    std::fs::write(&carrier, blanked).unwrap();

    let r = recon(&fixture("billing_local.csv"), &carrier, &[]);

    assert_eq!(r["classes"]["billing_differs"], 0);
    assert_eq!(r["billing"]["compared"], 0);
    assert_eq!(r["billing"]["not_compared"], 7);
    assert_eq!(r["duration_mismatch"], 1);
}

/// Writes twelve calls of two minutes and more to a local file and a bill
/// whose 计费时长 column contains seconds billed under 6/6. Returns their
/// paths.
fn bill_in_seconds(dir: &Path) -> (PathBuf, PathBuf) {
    let mut local = String::from("主叫号码,被叫号码,开始时间,通话时长\n");
    let mut bill = String::from("主叫号码,被叫号码,开始时间,通话时长,计费时长\n");
    for i in 0..12 {
        let talk: u32 = 125 + i * 7;
        let start = format!("2024-03-05 11:{i:02}:07");
        local.push_str(&format!("075512345678,1380013{i:04},{start},{talk}\n"));
        let billed = talk.div_ceil(6) * 6;
        bill.push_str(&format!(
            "075512345678,1380013{i:04},{start},{talk},{billed}\n"
        ));
    }
    let (l, c) = (dir.join("l.csv"), dir.join("c.csv"));
    std::fs::write(&l, local).unwrap();
    std::fs::write(&c, bill).unwrap();
    (l, c)
}

fn warning_ids(r: &Value) -> Vec<&str> {
    r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["id"].as_str())
        .collect()
}

#[test]
fn billed_column_holding_seconds_read_as_seconds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (l, c) = bill_in_seconds(dir.path());

    let minutes = recon(&l, &c, &[]);
    let six = recon(&l, &c, &["--billing", "6/6"]);

    // Under 60/60 every call bills whole minutes, which the 6/6 bill is below.
    assert_eq!(minutes["classes"]["billing_differs"], 12);
    assert_eq!(minutes["billing"]["carrier_lower"], 12);
    assert_eq!(six["classes"]["billing_differs"], 0);
    assert_eq!(six["classes"]["exact"], 12);
    assert_eq!(six["billing"]["unit"], "seconds");
    assert_eq!(six["billing"]["compared_in_seconds"], 12);
    assert_eq!(warning_ids(&six), ["billed_column_read_as_seconds"]);
    let message = six["warnings"][0]["message"].as_str().unwrap();
    assert!(message.contains("已按秒读取"), "{message}");
    assert!(message.contains("c.csv"), "{message}");
    assert_eq!(
        six["carrier"]["files"][0]["columns"]["billed_seconds"],
        "计费时长 (#5)"
    );
}

#[test]
fn billed_column_mapped_as_minutes_is_warned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (l, c) = bill_in_seconds(dir.path());
    let mapping = dir.path().join("bill.toml");
    std::fs::write(&mapping, "columns = { billed_minutes = \"计费时长\" }\n").unwrap();

    let r = recon(&l, &c, &["--carrier-mapping", mapping.to_str().unwrap()]);

    assert_eq!(r["billing"]["unit"], "minutes");
    assert_eq!(r["classes"]["billing_differs"], 12);
    assert_eq!(warning_ids(&r), ["billed_column_looks_like_seconds"]);
    let message = r["warnings"][0]["message"].as_str().unwrap();
    assert!(message.contains("很可能是秒"), "{message}");
    assert!(message.contains("billed_seconds"), "{message}");
}
