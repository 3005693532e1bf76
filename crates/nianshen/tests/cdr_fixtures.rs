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
