//! The real public call-record files: each is read, reconciled against
//! itself or refused as the product promises. Skipped when the shared
//! sample files are not beside the workspace.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn realdata(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/realdata")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: sample file {rel} not present");
        None
    }
}

fn mapping() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/mappings/asterisk-cdr-custom.toml")
}

/// Runs the binary; returns (exit code, stdout, stderr).
fn run(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
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

fn self_recon(file: &Path, mapping: Option<&Path>) -> Value {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "recon".as_ref(),
        "cdr".as_ref(),
        "--local".as_ref(),
        file.as_os_str(),
        "--carrier".as_ref(),
        file.as_os_str(),
        "--json".as_ref(),
    ];
    if let Some(m) = mapping {
        args.extend([
            "--local-mapping".as_ref(),
            m.as_os_str(),
            "--carrier-mapping".as_ref(),
            m.as_os_str(),
        ]);
    }
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{}: {err}", file.display());
    serde_json::from_str(&out).expect("JSON summary")
}

fn inspect(file: &Path) -> (i32, Option<Value>, String) {
    let (code, out, err) = run(&[
        "cdr".as_ref(),
        "inspect".as_ref(),
        file.as_os_str(),
        "--json".as_ref(),
    ]);
    (code, serde_json::from_str(&out).ok(), err)
}

#[test]
fn pbx_exports_self_recon_match_all() {
    let files = [
        ("cdr-asterisk/asterisk-testsuite_cdrlib_good.csv", false, 2),
        ("cdr-asterisk/bugadm_asterisk11_Master.csv", false, 89),
        ("cdr-asterisk/tejdeepsingh_pjsip_Master.csv", false, 33),
        (
            "cdr-asterisk/kelysaina_cdr_Master_custom_order.csv",
            true,
            11,
        ),
        ("cdr-freeswitch/duynguyen2599_Master.csv", false, 37),
        (
            "cdr-freeswitch/duynguyen2599_per-account_20172519.csv",
            false,
            23,
        ),
        ("cdr-freeswitch/levietcuong2602_Master.csv", false, 537),
    ];
    for (rel, mapped, answered) in files {
        let Some(f) = realdata(rel) else { continue };
        let m = mapping();
        let r = self_recon(&f, mapped.then_some(m.as_path()));
        assert_eq!(r["local"]["answered"], answered, "{rel}");
        assert_eq!(r["carrier"]["answered"], answered, "{rel}");
        assert_eq!(r["matched"], answered, "{rel}");
        assert_eq!(r["local_only"], 0, "{rel}");
        assert_eq!(r["carrier_only"], 0, "{rel}");
    }
}

#[test]
fn asterisk_without_caller_unusable() {
    let Some(f) = realdata("cdr-asterisk/asterisk-testsuite_self_test_Master.csv") else {
        return;
    };
    let r = self_recon(&f, None);
    assert_eq!(r["local"]["unusable_rows"], 2);
    assert_eq!(r["local"]["unusable_by_reason"]["no_caller"], 2);
    assert_eq!(r["matched"], 0);
    assert_eq!(r["local_only"], 0);
}

#[test]
fn freeswitch_b_legs_dropped() {
    let Some(f) = realdata("cdr-freeswitch/levietcuong2602_Master.csv") else {
        return;
    };
    let (code, json, _) = inspect(&f);
    assert_eq!(code, 0);
    let j = json.expect("json");
    assert_eq!(j["layout"], "freeswitch");
    assert_eq!(j["duplicates_removed"], 4);
    assert_eq!(j["rows"], 758);
}

#[test]
fn freeswitch_per_account_copies_dropped() {
    let (Some(master), Some(copy)) = (
        realdata("cdr-freeswitch/duynguyen2599_Master.csv"),
        realdata("cdr-freeswitch/duynguyen2599_per-account_20172519.csv"),
    ) else {
        return;
    };
    let (code, out, err) = run(&[
        "recon".as_ref(),
        "cdr".as_ref(),
        "--local".as_ref(),
        master.as_os_str(),
        copy.as_os_str(),
        "--carrier".as_ref(),
        master.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(r["local"]["duplicates_removed"], 27);
    assert_eq!(r["local"]["answered"], r["carrier"]["answered"]);
    assert_eq!(r["local_only"], 0);
}

#[test]
fn carrier_xls_rows_and_masks() {
    let cases = [
        ("cdr-other/chinamobile_2015-05_voice.xls", 74, 0),
        (
            "cdr-other/chinaunicom_voice_detail_anonymized.xls",
            106,
            106,
        ),
    ];
    for (rel, rows, masked) in cases {
        let Some(f) = realdata(rel) else { continue };
        let (code, json, err) = inspect(&f);
        assert_eq!(code, 0, "{rel}: {err}");
        let j = json.expect("json");
        assert_eq!(j["rows"], rows, "{rel}");
        assert_eq!(j["masked_numbers"], masked, "{rel}");
        assert_eq!(
            j["unreadable_rows"], 0,
            "{rel}: every duration and time parsed"
        );
    }
    if let Some(f) = realdata("cdr-other/chinaunicom_voice_detail_anonymized.xls") {
        let j = inspect(&f).1.expect("json");
        let reasons = &j["unusable_by_reason"];
        let masked = reasons["masked_caller"].as_u64().unwrap_or(0)
            + reasons["masked_callee"].as_u64().unwrap_or(0);
        assert_eq!(masked, 106, "{reasons}");
        assert!(j["mapping"]["other_party"]
            .as_str()
            .unwrap_or("")
            .contains("对方号码"));
    }
}

#[test]
fn non_call_records_rejected() {
    let cases = [
        ("cdr-asterisk/asterisk-testsuite_CELMaster1.csv", "CEL"),
        ("cdr-other/alipay_bill_GBK_preamble.csv", "收付款"),
        (
            "cdr-other/easyexcel_demo_utf8bom_chinese_header.csv",
            "字符串标题",
        ),
    ];
    for (rel, says) in cases {
        let Some(f) = realdata(rel) else { continue };
        let (code, _, err) = inspect(&f);
        assert_eq!(code, 2, "{rel}");
        assert!(err.contains("不是话单"), "{rel}: {err}");
        assert!(err.contains(says), "{rel}: {err}");
        assert!(!err.contains("panicked"), "{rel}");
    }
}

#[test]
fn truncated_asterisk_reports_row() {
    let Some(f) = realdata("cdr-asterisk/asterisk-testsuite_cdrlib_buggy_truncated.csv") else {
        return;
    };
    let (code, json, err) = inspect(&f);
    assert_eq!(code, 0, "{err}");
    let j = json.expect("json");
    assert_eq!(j["unreadable_rows"], 1);
    assert_eq!(j["unreadable"][0]["row"], 1);
    assert!(j["unreadable"][0]["reason_zh"]
        .as_str()
        .unwrap_or("")
        .contains("引号"));
}

#[test]
fn custom_order_without_mapping_suggests_one() {
    let Some(f) = realdata("cdr-asterisk/kelysaina_cdr_Master_custom_order.csv") else {
        return;
    };
    let (code, _, err) = inspect(&f);
    assert_eq!(code, 2);
    assert!(err.contains("has_header = false"), "{err}");
    assert!(err.contains("[columns]"), "{err}");
}

#[test]
fn own_number_mapping_keeps_xls_columns() {
    let Some(f) = realdata("cdr-other/chinamobile_2015-05_voice.xls") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let m = dir.path().join("m.toml");
    std::fs::write(&m, "own_number = \"13800138000\"\n").expect("write");

    let (code, out, err) = run(&[
        "cdr".as_ref(),
        "inspect".as_ref(),
        f.as_os_str(),
        "--mapping".as_ref(),
        m.as_os_str(),
        "--json".as_ref(),
    ]);

    assert_eq!(code, 0, "{err}");
    let j: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(j["unreadable_rows"], 0);
    assert_eq!(j["rows"], 74);
    for role in ["start", "talk_seconds", "direction"] {
        assert!(j["mapping"][role].is_string(), "{role}: {}", j["mapping"]);
    }
}

#[test]
fn suggested_mappings_give_roles_only_to_fitting_columns() {
    if let Some(f) = realdata("cdr-asterisk/kelysaina_cdr_Master_custom_order.csv") {
        let (code, _, err) = inspect(&f);
        assert_eq!(code, 2);
        assert!(!err.contains("\ncaller = 3"), "dst is no caller: {err}");
        assert!(
            err.contains("# caller = ") && err.contains("# callee = "),
            "{err}"
        );
        assert!(err.contains("start = 9"), "{err}");
    }
    if let Some(f) = realdata("xlsx/htsec_mixed_text_number_codes_yyyymmdd_int.xlsx") {
        let (code, _, err) = inspect(&f);
        assert_eq!(code, 2);
        assert!(!err.contains("start = \"股东账号\""), "{err}");
        assert!(!err.contains("callee = \"成交日期\""), "{err}");
    }
}
