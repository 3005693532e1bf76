//! How `cdr inspect` and `recon cdr` talk to the user: closed pipes,
//! folders given to inspect, the flags their advice names, and Chinese
//! labels in the text output.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/cdr")
        .join(name)
}

/// Runs the binary; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `recon cdr --json` on the two sides and returns the summary.
fn recon_json(local: &Path, carrier: &Path) -> serde_json::Value {
    let (code, json, err) = run(&[
        "recon",
        "cdr",
        "--local",
        local.to_str().unwrap(),
        "--carrier",
        carrier.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&json).unwrap()
}

/// Returns the Chinese message of the summary's warning `id`.
fn warning_message(summary: &serde_json::Value, id: &str) -> String {
    let warning = summary["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == id);
    let Some(warning) = warning else {
        panic!("no warning {id}: {}", summary["warnings"]);
    };
    warning["message"].as_str().unwrap().to_string()
}

/// Runs the binary with its standard output closed before it writes, as
/// `| head -1` does once it has its line.
fn run_into_closed_pipe(args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("the binary ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn closed_pipe_ends_inspect_and_recon_quietly() {
    let file = fixture("bill_title_total.csv");
    let file = file.to_str().unwrap();
    let runs: [&[&str]; 3] = [
        &["cdr", "inspect", file, "--json"],
        &["cdr", "inspect", file],
        &["recon", "cdr", "--local", file, "--carrier", file, "--json"],
    ];
    for args in runs {
        let (code, err) = run_into_closed_pipe(args);

        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn folder_given_to_inspect_asks_for_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("bill_title_total.csv"), dir.path().join("a.csv")).unwrap();
    std::fs::copy(fixture("per_number_bill.csv"), dir.path().join("b.csv")).unwrap();

    let (code, out, err) = run(&["cdr", "inspect", dir.path().to_str().unwrap()]);

    assert_eq!(code, 2, "{out}");
    assert!(err.contains("文件夹"), "{err}");
    assert!(err.contains("a.csv"), "{err}");
    assert!(err.contains("b.csv"), "{err}");
}

#[test]
fn recon_lists_skipped_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("bill_title_total.csv"), dir.path().join("a.csv")).unwrap();
    std::fs::copy(fixture("binary.csv"), dir.path().join("乱码.csv")).unwrap();
    std::fs::write(dir.path().join("空.csv"), b"").unwrap();
    let folder = dir.path().to_str().unwrap();

    let (code, text, err) = run(&["recon", "cdr", "--local", folder, "--carrier", folder]);
    let (_, json, _) = run(&[
        "recon",
        "cdr",
        "--local",
        folder,
        "--carrier",
        folder,
        "--json",
    ]);

    assert_eq!(code, 0, "{err}");
    assert!(text.contains("本地：已跳过"), "{text}");
    assert!(
        text.contains("乱码.csv") && text.contains("空.csv"),
        "{text}"
    );
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        j["local"]["skipped_files"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(j["carrier"]["skipped_files"][1]["reason_zh"], "文件是空的");
}

/// Runs `check` on a demo case with extra files in its local call-record
/// folder; returns the findings' (rule, detail) pairs.
fn check_demo_with(extra: &[(&str, &[u8])]) -> Vec<(String, String)> {
    check_demo_with_toml(extra, "")
}

/// As [`check_demo_with`], with `toml` appended to the case's case.toml.
fn check_demo_with_toml(extra: &[(&str, &[u8])], toml: &str) -> Vec<(String, String)> {
    let text = check_demo_json(extra, toml);
    let findings: serde_json::Value = serde_json::from_str(&text).unwrap();
    findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Runs `check` as [`check_demo_with_toml`] does; returns findings.json.
fn check_demo_json(extra: &[(&str, &[u8])], toml: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    let (code, _, err) = run(&["demo", case.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");

    for (name, bytes) in extra {
        std::fs::write(case.join("话单/本地").join(name), bytes).unwrap();
    }
    let case_toml = case.join("case.toml");
    let text = std::fs::read_to_string(&case_toml).unwrap();
    std::fs::write(&case_toml, format!("{text}\n{toml}")).unwrap();

    let out = dir.path().join("out");
    let (_, _, err) = run(&[
        "check",
        case.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2025-02-15",
    ]);
    std::fs::read_to_string(out.join("findings.json"))
        .unwrap_or_else(|e| panic!("no findings.json ({e}): {err}"))
}

#[test]
fn check_reports_unreadable_files() {
    let binary = std::fs::read(fixture("binary.csv")).unwrap();

    let findings = check_demo_with(&[("乱码.csv", &binary), ("空.csv", b"")]);

    let unreadable: Vec<&String> = findings
        .iter()
        .filter(|(rule, _)| rule == "inputs.unreadable")
        .map(|(_, detail)| detail)
        .collect();
    assert_eq!(unreadable.len(), 2, "{findings:?}");
    assert!(unreadable[0].contains("乱码.csv"), "{unreadable:?}");
    assert!(unreadable[1].contains("空.csv"), "{unreadable:?}");
    assert!(findings.iter().any(|(rule, _)| rule == "cdr.summary"));
}

#[test]
fn unreadable_rows_finding_names_the_side_once() {
    let bad_row = "主叫号码,被叫号码,开始时间,通话时长\n02112345678,13900139000,不是时间,30\n";

    let findings = check_demo_with(&[("补录.csv", bad_row.as_bytes())]);

    let detail = findings
        .iter()
        .find(|(rule, _)| rule == "cdr.unreadable_rows")
        .map(|(_, d)| d.clone())
        .unwrap_or_default();
    assert!(
        detail.starts_with("本地话单有 1 行无法读取"),
        "{findings:?}"
    );
}

#[test]
fn recon_warns_side_without_usable_rows() {
    let dir = tempfile::tempdir().unwrap();
    let bill = dir.path().join("bill.csv");
    std::fs::write(
        &bill,
        "对方号码,呼叫类型,开始时间,通话时长\n13900139000,主叫,2024-03-01 10:00:00,30\n",
    )
    .unwrap();
    let good = fixture("bill_title_total.csv");
    let (bill, good) = (bill.to_str().unwrap(), good.to_str().unwrap());

    let (code, json, err) = run(&["recon", "cdr", "--local", good, "--carrier", bill, "--json"]);
    let (_, text, _) = run(&["recon", "cdr", "--local", good, "--carrier", bill]);

    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    let warning = j["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == "no_usable_rows")
        .expect("a warning about the carrier side");
    let message = warning["message"].as_str().unwrap();
    assert!(message.contains("own_number"), "{message}");
    assert!(message.contains("--carrier-mapping"), "{message}");
    assert!(
        text.contains("运营商话单有 1 通接通的通话，但没有一通可以核对"),
        "{text}"
    );
}

#[test]
fn advice_names_running_command_flag() {
    let file = fixture("unmappable.csv");
    let file = file.to_str().unwrap();

    let (inspect_code, _, inspect_err) = run(&["cdr", "inspect", file]);
    let (recon_code, _, recon_err) = run(&["recon", "cdr", "--local", file, "--carrier", file]);

    assert_eq!((inspect_code, recon_code), (2, 2));
    assert!(inspect_err.contains("用 --mapping 指定"), "{inspect_err}");
    assert!(!inspect_err.contains("--local-mapping"), "{inspect_err}");
    assert!(recon_err.contains("--local-mapping"), "{recon_err}");
}

#[test]
fn inspect_text_labels_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("signals.csv");
    std::fs::write(
        &file,
        "主叫号码,被叫号码,开始时间,应答时间,结束时间,通话时长\n\
         ,13900139000,2024-03-01 10:00:00,2024-03-01 10:00:05,2024-03-01 10:01:05,60\n\
         13800138000,13900139001,2024-03-01 11:00:00,2024-03-01 11:00:05,2024-03-01 10:59:05,60\n\
         13800138000,13900139002,1709280000,1709280005,1709280065,60\n\
         13800138000,13900139003,2024-03-01 12:00:00,2024-03-01 12:00:05,2024-03-01 12:01:05,60\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();

    let (code, text, err) = run(&["cdr", "inspect", file]);
    let (_, json, _) = run(&["cdr", "inspect", file, "--json"]);

    assert_eq!(code, 0, "{err}");
    for english in [
        "no_caller",
        "talk_vs_answer_end",
        "mixed_time_formats",
        "EpochSeconds",
        "talk 60 s",
        "format: text",
    ] {
        assert!(!text.contains(english), "{english} in\n{text}");
    }
    for chinese in [
        "无法核对（主叫号码为空）",
        "通话时长与“挂机时间 − 应答时间”不符",
        "通话时长 60 秒，挂机 − 应答 -60 秒",
        "Unix 时间戳（秒）",
    ] {
        assert!(text.contains(chinese), "{chinese} missing in\n{text}");
    }
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ids: Vec<&str> = j["signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(ids.contains(&"talk_vs_answer_end"), "{ids:?}");
    assert!(ids.contains(&"mixed_time_formats"), "{ids:?}");
}

#[test]
fn inspect_text_counts_freeswitch_b_legs_dropped() {
    let a = "1000,1000,2000,default,2021-04-14 17:27:30,2021-04-14 17:27:32,2021-04-14 17:28:32,62,60,NORMAL_CLEARING,uuid-a,uuid-b,,,";
    let b = "1000,1000,2000,default,2021-04-14 17:27:30,2021-04-14 17:27:32,2021-04-14 17:28:32,62,60,NORMAL_CLEARING,uuid-b,,,,";
    let c = "1000,1000,2001,default,2021-04-14 18:00:00,2021-04-14 18:00:02,2021-04-14 18:01:02,62,60,NORMAL_CLEARING,uuid-c,,,,";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Master.csv");
    std::fs::write(&file, format!("{a}\n{b}\n{c}\n")).unwrap();

    let (code, text, err) = run(&["cdr", "inspect", file.to_str().unwrap()]);

    assert_eq!(code, 0, "{err}");
    assert!(text.contains("3 行中 1 行为 FreeSWITCH B 腿"), "{text}");
}

#[test]
fn check_notes_unused_mappings() {
    let extra =
        "主叫号码,被叫号码,开始时间,通话时长\n02112345678,13900139000,2024-03-01 10:00:00,30\n";
    let mappings = r#"
[[mappings]]
files = "话单/本地/不存在的*.csv"
own_number = "13800138000"

[[mappings]]
files = "话单/本地/补录.csv"
time_format = "%Y-%q"
"#;

    let findings = check_demo_with_toml(&[("补录.csv", extra.as_bytes())], mappings);

    let detail = |rule: &str| -> Vec<&String> {
        findings
            .iter()
            .filter(|(r, _)| r == rule)
            .map(|(_, d)| d)
            .collect()
    };
    let missing = detail("inputs.missing");
    assert!(
        missing
            .iter()
            .any(|d| d.contains("[[mappings]] 第 1 项") && d.contains("不存在的*.csv")),
        "{findings:?}"
    );
    let bad = detail("inputs.bad_cell");
    assert!(
        bad.iter()
            .any(|d| d.contains("case.toml") && d.contains("%Y-%q")),
        "{findings:?}"
    );
    assert!(
        !missing.iter().any(|d| d.contains("第 2 项")),
        "the second mapping matches a file: {findings:?}"
    );
}

#[test]
fn ignored_time_format_warned_by_inspect_and_recon() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("m.toml");
    std::fs::write(&mapping, "time_format = \"yyyy-MM-dd HH:mm:ss\"\n").unwrap();
    let (file, mapping) = (
        fixture("bill_title_total.csv"),
        mapping.to_str().unwrap().to_string(),
    );
    let file = file.to_str().unwrap();

    let (code, text, err) = run(&["cdr", "inspect", file, "--mapping", &mapping]);
    let (_, json, _) = run(&[
        "recon",
        "cdr",
        "--local",
        file,
        "--carrier",
        file,
        "--local-mapping",
        &mapping,
        "--carrier-mapping",
        &mapping,
        "--json",
    ]);

    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("注意：映射") && text.contains("time_format"),
        "{text}"
    );
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ids: Vec<&str> = j["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["mapping_time_format_ignored"],
        "one warning for one file"
    );
}

#[test]
fn check_evidence_masks_id_numbers() {
    let bad_row =
        "主叫号码,被叫号码,开始时间,通话时长\n02112345678,13900139000,44030119900101123X,30\n";

    let json = check_demo_json(&[("补录.csv", bad_row.as_bytes())], "");

    assert!(json.contains("440***********123X"), "the bad cell is shown");
    assert!(!json.contains("44030119900101123X"), "but masked");
}

#[test]
fn out_inside_input_folder_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(
        fixture("billing_local.csv"),
        input.join("billing_local.csv"),
    )
    .unwrap();
    let bill = fixture("billing_bill.csv");
    let inside = input.join("out");
    let (code, _, err) = run(&[
        "recon",
        "cdr",
        "--local",
        input.to_str().unwrap(),
        "--carrier",
        bill.to_str().unwrap(),
        "--out",
        inside.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("位于输入文件夹"), "{err}");
    assert!(!inside.exists());

    let outside = dir.path().join("out");
    let (code, _, err) = run(&[
        "recon",
        "cdr",
        "--local",
        input.to_str().unwrap(),
        "--carrier",
        bill.to_str().unwrap(),
        "--out",
        outside.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(outside.join("local_only.csv").exists());
}

#[test]
fn duplicate_export_read_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(fixture("billing_local.csv"), input.join("a.csv")).unwrap();
    let bill = fixture("billing_bill.csv");
    let json = |local: &Path| -> serde_json::Value {
        let (code, out, err) = run(&[
            "recon",
            "cdr",
            "--local",
            local.to_str().unwrap(),
            "--carrier",
            bill.to_str().unwrap(),
            "--json",
            "--no-cache",
        ]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let once = json(&input);
    std::fs::copy(fixture("billing_local.csv"), input.join("a (copy).csv")).unwrap();
    let twice = json(&input);

    assert_eq!(twice["local"]["answered"], once["local"]["answered"]);
    assert_eq!(twice["matched"], once["matched"]);
    let skipped = twice["local"]["skipped_files"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0]["reason_zh"]
        .as_str()
        .unwrap()
        .contains("内容完全相同"));
}

#[test]
fn inspect_shows_billed_cells() {
    let dir = tempfile::tempdir().unwrap();
    let bill = dir.path().join("bill.csv");
    std::fs::write(
        &bill,
        "主叫号码,被叫号码,开始时间,通话时长,计费时长\n\
         13800138000,13900139000,2024-03-05 09:00:00,30,见附件\n\
         13800138000,13900139001,2024-03-05 09:05:00,66,2\n",
    )
    .unwrap();
    let bill = bill.to_str().unwrap();

    let (code, zh, err) = run(&["cdr", "inspect", bill]);
    let (_, json, _) = run(&["cdr", "inspect", bill, "--json"]);

    assert_eq!(code, 0, "{err}");
    assert!(
        zh.contains("第 2 行：") && zh.contains("计费时长未读到"),
        "{zh}"
    );
    assert!(zh.contains("通话 66 秒，计费 2 分钟"), "{zh}");
    assert!(zh.contains("“见附件”"), "{zh}");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let samples = value["samples"].as_array().unwrap();
    assert!(samples[0].get("billed").is_none(), "{}", samples[0]);
    assert_eq!(samples[1]["billed"], 2);
    assert_eq!(samples[1]["billed_unit"], "minutes");
}

#[test]
fn inspect_advises_when_no_row_usable() {
    let dir = tempfile::tempdir().unwrap();
    // A monthly bill of one phone without any number column.
    let bill = dir.path().join("语音通信.csv");
    std::fs::write(
        &bill,
        "通话起始时间,通话时长,呼叫类型,通话费\n\
         2015-05-31 18:02:11,2分32秒,主叫,0.30\n\
         2015-05-30 09:15:40,9秒,被叫,0.00\n",
    )
    .unwrap();
    let bill = bill.to_str().unwrap();

    let (code, zh, err) = run(&["cdr", "inspect", bill]);
    let (_, en, _) = run(&["cdr", "inspect", bill, "--lang", "en"]);

    assert_eq!(code, 0, "{err}");
    assert!(zh.contains("没有一通可以核对"), "{zh}");
    assert!(zh.contains("own_number"), "{zh}");
    assert!(zh.contains("--mapping"), "{zh}");
    assert!(en.contains("none can be matched"), "{en}");
}

#[test]
fn rows_after_subtotal_read() {
    let dir = tempfile::tempdir().unwrap();
    let bill = dir.path().join("bill.csv");
    std::fs::write(
        &bill,
        "主叫号码,被叫号码,开始时间,通话时长\n\
         075512345678,13900139001,2024-03-05 09:00:00,30\n\
         075512345678,13900139002,2024-03-05 09:05:00,40\n\
         小计,,,70\n\
         075512345678,13900139003,2024-03-06 09:00:00,50\n\
         075512345678,13900139004,2024-03-06 09:05:00,60\n\
         小计,,,110\n\
         合计,,,180\n\
         制表人：张三,,,\n",
    )
    .unwrap();

    let (code, json, err) = run(&["cdr", "inspect", bill.to_str().unwrap(), "--json"]);

    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(j["rows"], 4, "{j}");
    assert_eq!(j["answered"], 4);
    assert_eq!(
        j["unreadable_rows"], 0,
        "the note below the table is no call"
    );
    let totals = j["total_rows"].as_array().unwrap();
    assert_eq!(totals.len(), 3);
    for t in totals {
        assert_eq!(t["stated"], t["summed"], "{t}");
    }
}

#[test]
fn missing_talk_time_warned() {
    let dir = tempfile::tempdir().unwrap();
    let (local, bill) = (dir.path().join("local.csv"), dir.path().join("bill.csv"));
    let rows = "075512345678,13900139001,2024-03-05 09:00:00,30\n\
                075512345678,13900139002,2024-03-05 09:05:00,40\n";
    std::fs::write(
        &local,
        format!("主叫号码,被叫号码,开始时间,持续时间\n{rows}"),
    )
    .unwrap();
    std::fs::write(
        &bill,
        format!("主叫号码,被叫号码,开始时间,时间长度\n{rows}"),
    )
    .unwrap();

    let j = recon_json(&local, &bill);

    assert_eq!(j["local"]["talk_seconds"], 70, "持续时间 is talk time");
    let warnings: Vec<&serde_json::Value> = j["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["id"] == "no_talk_time")
        .collect();
    assert_eq!(warnings.len(), 1, "{}", j["warnings"]);
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(message.starts_with("运营商话单"), "{message}");
    assert!(message.contains("bill.csv"), "{message}");
    assert!(message.contains("--carrier-mapping"), "{message}");
}

#[test]
fn unrecognised_member_listed_as_passed_over() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("bills.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    let members = [
        (
            "3月.csv",
            "主叫号码,被叫号码,开始时间,通话时长\n075512345678,13900139001,2024-03-05 09:00:00,30\n",
        ),
        (
            "4月.csv",
            "号码A,号码B,时刻,秒数\n075512345678,13900139002,2024-04-05 09:00:00,40\n",
        ),
    ];
    for (name, body) in members {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    let archive = archive.to_str().unwrap();

    let (code, json, err) = run(&[
        "recon",
        "cdr",
        "--local",
        archive,
        "--carrier",
        archive,
        "--json",
    ]);
    let (_, text, _) = run(&["recon", "cdr", "--local", archive, "--carrier", archive]);

    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    let skipped = j["carrier"]["skipped_files"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0]["path"].as_str().unwrap().ends_with("4月.csv"));
    assert!(skipped[0]["reason_zh"]
        .as_str()
        .unwrap()
        .contains("列无法识别"));
    assert!(
        text.contains("已跳过") && text.contains("4月.csv"),
        "{text}"
    );
}

#[test]
fn overlapping_exports_warned() {
    let dir = tempfile::tempdir().unwrap();
    let bills = dir.path().join("bills");
    std::fs::create_dir(&bills).unwrap();
    let head = "主叫号码,被叫号码,开始时间,通话时长\n";
    let call = |i: u32| format!("075512345678,1390013900{i},2024-03-0{i} 09:00:00,3{i}\n");
    // Days 1-3 and 3-5: day 3 is in both exports.
    let first: String = (1..=3).map(call).collect();
    let second: String = (3..=5).map(call).collect();
    std::fs::write(bills.join("1.csv"), format!("{head}{first}")).unwrap();
    std::fs::write(bills.join("2.csv"), format!("{head}{second}")).unwrap();
    let local = dir.path().join("local.csv");
    std::fs::write(
        &local,
        format!("{head}{}", (1..=5).map(call).collect::<String>()),
    )
    .unwrap();

    let j = recon_json(&local, &bills);

    assert_eq!(j["carrier_only"], 1);
    let message = warning_message(&j, "records_in_several_files");
    assert!(message.contains("有 1 通通话"), "{message}");
    assert!(
        message.contains("1.csv 第 4 行") && message.contains("2.csv 第 2 行"),
        "{message}"
    );
}

#[test]
fn billed_number_column_is_own_number() {
    let dir = tempfile::tempdir().unwrap();
    let bill = dir.path().join("详单.txt");
    std::fs::write(
        &bill,
        "计费号码|对方号码|呼叫类型|起始时间|通话时长\n\
         075512345678|13900139001|主叫|2024-03-05 09:00:00|30\n\
         075512345678|13900139002|被叫|2024-03-05 09:05:00|40\n",
    )
    .unwrap();

    let (code, json, err) = run(&[
        "cdr",
        "inspect",
        bill.to_str().unwrap(),
        "--json",
        "--unmask",
    ]);

    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(j["usable"], 2, "{j}");
    assert_eq!(j["samples"][0]["caller"], "075512345678");
    assert_eq!(j["samples"][0]["callee"], "13900139001");
    // 被叫: the other party called the own number.
    assert_eq!(j["samples"][1]["caller"], "13900139002");
    assert_eq!(j["samples"][1]["callee"], "075512345678");
}

#[test]
fn negative_billing_increment_explained() {
    let calls = fixture("bill_title_total.csv");
    let calls = calls.to_str().unwrap();

    let (code, _, err) = run(&[
        "recon",
        "cdr",
        "--local",
        calls,
        "--carrier",
        calls,
        "--billing",
        "-6/6",
    ]);

    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--billing 的值“-6/6”不是计费方式"), "{err}");
}

#[test]
fn status_column_decides_answered() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls.csv");
    std::fs::write(
        &calls,
        "主叫,被叫,开始时间,通话时长,状态\n\
         075512345678,13900139001,2024-03-05 09:00:00,30,接通\n\
         075512345678,13900139002,2024-03-05 09:05:00,0,未接\n",
    )
    .unwrap();

    let (code, json, err) = run(&["cdr", "inspect", calls.to_str().unwrap(), "--json"]);

    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(j["rows"], 2);
    assert_eq!(j["answered"], 1);
}

#[test]
fn lost_leading_zeros_named() {
    let dir = tempfile::tempdir().unwrap();
    let (local, bill) = (dir.path().join("local.csv"), dir.path().join("bill.csv"));
    let head = "主叫号码,被叫号码,开始时间,通话时长\n";
    let rows = |caller: &str| -> String {
        (1..=5)
            .map(|i| format!("{caller},1390013900{i},2024-03-05 09:0{i}:00,3{i}\n"))
            .collect()
    };
    std::fs::write(&local, format!("{head}{}", rows("075512345678"))).unwrap();
    // The bill went through Excel: the landline lost its zero.
    std::fs::write(&bill, format!("{head}{}", rows("75512345678"))).unwrap();

    let j = recon_json(&local, &bill);

    assert_eq!(j["matched"], 0);
    let message = warning_message(&j, "leading_zero_lost");
    assert!(message.contains("有 5 通"), "{message}");
    assert!(
        message.contains("运营商话单的号码很可能丢了开头的 0"),
        "{message}"
    );
}

#[test]
fn header_only_file_warned() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "主叫号码,被叫号码,开始时间,通话时长\n").unwrap();
    let good = fixture("bill_title_total.csv");

    let (code, text, err) = run(&[
        "recon",
        "cdr",
        "--local",
        empty.to_str().unwrap(),
        "--carrier",
        good.to_str().unwrap(),
    ]);

    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("本地话单") && text.contains("只有表头"),
        "{text}"
    );
}
