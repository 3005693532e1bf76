//! `nianshen check` run as a user runs it: on the committed demo and clean
//! cases, on the independent sample case when it is present, and on broken
//! case folders.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn nianshen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .current_dir(workspace_root())
        .output()
        .expect("run nianshen")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Runs `check` on a case folder into a fresh temporary folder and returns
/// the exit status, findings.json and the folder.
fn check(case: &Path, extra: &[&str]) -> (Option<i32>, Value, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("out");
    let mut args = vec![
        "check",
        case.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--as-of",
        "2025-02-15",
    ];
    args.extend_from_slice(extra);
    let output = nianshen(&args);
    assert!(
        !stderr(&output).contains("panicked"),
        "panic: {}",
        stderr(&output)
    );
    let text = std::fs::read_to_string(out_dir.join("findings.json"))
        .unwrap_or_else(|e| panic!("no findings.json ({e}); stderr: {}", stderr(&output)));
    let findings: Value = serde_json::from_str(&text).unwrap();
    (output.status.code(), findings, out)
}

fn red_and_yellow(findings: &Value) -> Vec<(String, String)> {
    findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "red" || f["severity"] == "yellow")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["title"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn assert_valid_against_schema(findings: &Value) {
    let schema_text =
        std::fs::read_to_string(workspace_root().join("schema/findings.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(findings)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
}

#[test]
fn demo_case_raises_every_planted_fault() {
    let case = workspace_root().join("examples/demo-case");
    let (_, findings, _out) = check(&case, &[]);
    assert_valid_against_schema(&findings);

    let planted: Value =
        serde_json::from_str(&std::fs::read_to_string(case.join("planted.json")).unwrap()).unwrap();
    let raised: Vec<String> = red_and_yellow(&findings)
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    for fault in planted.as_array().unwrap() {
        let rule = fault["rule"].as_str().unwrap();
        assert!(
            raised.iter().any(|r| r == rule),
            "planted {rule} not raised; raised {raised:?}"
        );
    }
    assert_eq!(findings["verdict"], "red");
}

#[test]
fn clean_case_is_green() {
    let case = workspace_root().join("examples/clean-case");
    let (_, findings, _out) = check(&case, &[]);
    assert_valid_against_schema(&findings);
    assert_eq!(red_and_yellow(&findings), Vec::<(String, String)>::new());
    assert_eq!(findings["verdict"], "green");
}

#[test]
fn fail_on_red_sets_exit_status() {
    let demo = workspace_root().join("examples/demo-case");
    let clean = workspace_root().join("examples/clean-case");
    let (demo_status, _, _a) = check(&demo, &["--fail-on", "red"]);
    let (clean_status, _, _b) = check(&clean, &["--fail-on", "red"]);
    assert_eq!(demo_status, Some(1));
    assert_eq!(clean_status, Some(0));
}

#[test]
fn english_findings_with_lang_en() {
    let case = workspace_root().join("examples/demo-case");
    let (_, english, _a) = check(&case, &["--lang", "en"]);
    let (_, chinese, _b) = check(&case, &[]);
    assert_eq!(english["lang"], "en");
    let en = red_and_yellow(&english);
    let zh = red_and_yellow(&chinese);
    assert_eq!(en.len(), zh.len());
    // Field terms such as 等保 may stay in Chinese; whole titles may not.
    for ((rule, en_title), (_, zh_title)) in en.iter().zip(&zh) {
        assert_ne!(en_title, zh_title, "{rule} has no English title");
        assert!(
            en_title.chars().filter(char::is_ascii_alphabetic).count() > 5,
            "{rule}: {en_title}"
        );
    }
}

/// The independent sample case: the first checks' findings, and no red or
/// yellow finding outside its expectation.
#[test]
fn sample_case_findings_within_expectation() {
    let sample = workspace_root().join("../shared/cases/sample-b24");
    if !sample.join("case.toml").exists() {
        eprintln!("skipped: {} not present", sample.display());
        return;
    }
    let (_, findings, _out) = check(&sample, &[]);
    assert_valid_against_schema(&findings);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(sample.join("expected.json")).unwrap())
            .unwrap();
    let allowed: Vec<String> = expected["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r.as_str()
                .unwrap()
                .split('|')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let raised: Vec<String> = red_and_yellow(&findings)
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    for need in [
        "seats.insured_below_declared",
        "seats.three_way_mismatch",
        "case.site_address_mismatch",
        "complaints.late_verification",
    ] {
        assert!(
            raised.iter().any(|r| r == need),
            "{need} not raised; raised {raised:?}"
        );
    }
    let false_alarms: Vec<&String> = raised.iter().filter(|r| !allowed.contains(r)).collect();
    assert!(false_alarms.is_empty(), "false alarms: {false_alarms:?}");
}

fn assert_refused(output: &Output, names: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(has_chinese(&err), "not Chinese: {err}");
    assert!(
        err.contains(names),
        "message does not name {names:?}: {err}"
    );
}

#[test]
fn missing_case_folder_refused() {
    let output = nianshen(&[
        "check",
        "/nonexistent/case-folder",
        "--out",
        "/tmp/nianshen-never",
    ]);
    assert_refused(&output, "/nonexistent/case-folder");
}

#[test]
fn folder_without_case_toml_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let case = dir.path().join("empty-case");
    std::fs::create_dir(&case).unwrap();
    let output = nianshen(&[
        "check",
        case.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_refused(&output, "case.toml");
    assert!(stderr(&output).contains("nianshen init"));
}

#[test]
fn malformed_case_toml_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("bad");
    std::fs::create_dir(&case).unwrap();
    std::fs::write(
        case.join("case.toml"),
        "[company]\nname = \"某某\"\nuscc = [\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = nianshen(&[
        "check",
        case.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_refused(&output, "case.toml");
    assert!(
        stderr(&output).contains("第 4 行") || stderr(&output).contains("第 3 行"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unknown_rule_pack_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = nianshen(&[
        "check",
        "examples/clean-case",
        "--out",
        out.to_str().unwrap(),
        "--rules",
        "no-such-pack",
    ]);
    assert_refused(&output, "no-such-pack");
    assert!(!out.exists(), "outputs written despite the failure");
}

#[test]
fn output_inside_case_refused() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    std::fs::create_dir(&case).unwrap();
    std::fs::write(case.join("case.toml"), "[company]\nname = \"某某\"\n").unwrap();
    let out = case.join("out");
    let output = nianshen(&[
        "check",
        case.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_refused(&output, "out");
    assert!(!out.exists());
}

#[test]
fn init_writes_a_case_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("新案例");
    let output = nianshen(&["init", case.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(case.join("case.toml").is_file());
    assert!(case.join("材料/05-技术系统").is_dir());
    assert!(case.join("话单/运营商").is_dir());

    let again = nianshen(&["init", case.to_str().unwrap()]);
    assert_refused(&again, "case.toml");

    let (status, findings, _out) = check(&case, &[]);
    assert_eq!(status, Some(0));
    assert_eq!(
        findings["verdict"], "red",
        "an empty case lacks its materials"
    );
}

/// Copies a case folder so a test can change it.
fn copy_case(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_case(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn clean_copy(dir: &tempfile::TempDir) -> PathBuf {
    let case = dir.path().join("case");
    copy_case(&workspace_root().join("examples/clean-case"), &case);
    case
}

fn append_to_case_toml(case: &Path, text: &str) {
    let path = case.join("case.toml");
    let mut toml = std::fs::read_to_string(&path).unwrap();
    toml.push_str(text);
    std::fs::write(path, toml).unwrap();
}

fn rules_raised(findings: &Value) -> Vec<String> {
    red_and_yellow(findings)
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

#[test]
fn explicit_input_path_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let case = clean_copy(&dir);
    append_to_case_toml(&case, "\n[inputs]\nlocal_cdr = \"不存在的文件夹\"\n");
    let out = dir.path().join("out");
    let output = nianshen(&[
        "check",
        case.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_refused(&output, "local_cdr");
    assert!(stderr(&output).contains("不存在的文件夹"));
}

#[test]
fn period_ending_before_start_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let case = clean_copy(&dir);
    let path = case.join("case.toml");
    let toml = std::fs::read_to_string(&path)
        .unwrap()
        .replace("from = 2024-01-01", "from = 2025-06-01");
    std::fs::write(&path, toml).unwrap();
    let out = dir.path().join("out");
    let output = nianshen(&[
        "check",
        case.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_refused(&output, "2025-06-01");
}

#[test]
fn duplicate_export_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let case = clean_copy(&dir);
    let local = case.join("话单/本地");
    let first = std::fs::read_dir(&local)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::copy(&first, local.join("副本 (1).csv")).unwrap();
    let (_, findings, _out) = check(&case, &[]);
    assert_eq!(
        rules_raised(&findings),
        vec!["inputs.duplicate_file".to_string()]
    );
}

#[test]
fn unreadable_complaint_time_reported() {
    let dir = tempfile::tempdir().unwrap();
    let case = clean_copy(&dir);
    std::fs::write(
        case.join("投诉/台账.csv"),
        "编号,受理时间,核验时间,回复时间,办结时间\nTS1,2024-02-30 10:00:00,2024-03-01 09:00:00,2024-03-02 09:00:00,2024-03-03 09:00:00\nTS2,2024-05-06 10:00:00,abc,2024-05-08 09:00:00,2024-05-09 09:00:00\n",
    )
    .unwrap();
    append_to_case_toml(&case, "\n[inputs]\ncomplaints = \"投诉/台账.csv\"\n");
    let (_, findings, _out) = check(&case, &[]);
    let bad: Vec<&Value> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "inputs.bad_cell")
        .collect();
    assert_eq!(bad.len(), 2, "{bad:#?}");
    assert_eq!(bad[0]["evidence"][0]["row"], 2);
    assert_eq!(bad[0]["evidence"][0]["value"], "2024-02-30 10:00:00");
    assert_eq!(bad[1]["evidence"][0]["column"], "核验时间");
    let raised = rules_raised(&findings);
    assert!(
        !raised.contains(&"complaints.late_verification".to_string()),
        "{raised:?}"
    );
}

#[test]
fn gbk_case_toml_reads_like_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let case = clean_copy(&dir);
    let path = case.join("case.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    // Chinese Windows editors save GB18030 unless told otherwise.
    let (encoded, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    std::fs::write(&path, encoded).unwrap();
    let (_, findings, _out) = check(&case, &[]);
    assert_eq!(findings["verdict"], "green");
    assert_eq!(findings["case"]["name"], "深圳市云帆数联科技有限公司");
}

#[test]
fn rules_path_taken_from_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("my-pack.toml");
    let shown = nianshen(&["rules", "show", "cn-miit"]);
    std::fs::write(&pack, &shown.stdout).unwrap();
    let out = dir.path().join("out");
    let case = workspace_root().join("examples/clean-case");
    let output = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args([
            "check",
            case.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--as-of",
            "2025-02-15",
        ])
        .args(["--rules", "my-pack.toml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn renewal_past_last_day_is_overdue() {
    let case = workspace_root().join("examples/clean-case");
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("out");
    let output = nianshen(&[
        "check",
        case.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--as-of",
        "2027-06-01",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let findings: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("findings.json")).unwrap())
            .unwrap();
    let raised = rules_raised(&findings);
    assert!(
        raised.contains(&"schedule.renewal_overdue".to_string()),
        "{raised:?}"
    );
    assert!(
        !raised.contains(&"schedule.renewal_due".to_string()),
        "{raised:?}"
    );
}

#[test]
fn unimplemented_checks_listed() {
    let case = workspace_root().join("examples/clean-case");
    let (_, findings, _out) = check(&case, &[]);
    let note = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "checks.not_run")
        .expect("checks.not_run finding");
    assert_eq!(note["severity"], "info");
    assert!(note["detail"]
        .as_str()
        .unwrap()
        .contains("recordings.missing"));
}

/// Copies the clean case with its call records replaced by the billing
/// fixtures, which have seven matched calls compared for billing.
fn billing_case(dir: &tempfile::TempDir) -> PathBuf {
    let case = clean_copy(dir);
    for side in ["话单/本地", "话单/运营商"] {
        std::fs::remove_dir_all(case.join(side)).unwrap();
        std::fs::create_dir_all(case.join(side)).unwrap();
    }
    let fixtures = workspace_root().join("tests/fixtures/cdr");
    std::fs::copy(
        fixtures.join("billing_local.csv"),
        case.join("话单/本地/外呼.csv"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("billing_bill.csv"),
        case.join("话单/运营商/详单.csv"),
    )
    .unwrap();
    case
}

fn finding<'a>(findings: &'a Value, rule: &str) -> Option<&'a Value> {
    findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
}

#[test]
fn billing_mismatch_follows_case_increment() {
    let dir = tempfile::tempdir().unwrap();
    let case = billing_case(&dir);

    let (_, minutes, _out) = check(&case, &[]);

    assert_valid_against_schema(&minutes);
    let f = finding(&minutes, "cdr.billing_mismatch").expect("raised");
    assert_eq!(f["severity"], "yellow");
    let detail = f["detail"].as_str().unwrap();
    assert!(detail.contains("按计费方式 60/60"), "{detail}");
    assert!(
        detail.contains("有 4 通不一致，占已比对的 7 通"),
        "{detail}"
    );
    assert_eq!(minutes["metrics"]["cdr"]["classes"]["billing_differs"], 4);
    let summary = finding(&minutes, "cdr.summary").unwrap()["detail"]
        .as_str()
        .unwrap();
    assert!(summary.contains("计费不一致 4 条"), "{summary}");

    append_to_case_toml(
        &case,
        "\n[rules.override]\n\"thresholds.cdr_billing_increment\" = \"6/6\"\n",
    );
    let (_, six, _out) = check(&case, &[]);

    let detail = finding(&six, "cdr.billing_mismatch").expect("raised")["detail"]
        .as_str()
        .unwrap();
    assert!(detail.contains("按计费方式 6/6"), "{detail}");
    assert!(detail.contains("有 3 通不一致"), "{detail}");
    assert_eq!(six["metrics"]["cdr"]["billing"]["increment"], "6/6");
}

#[test]
fn billing_share_below_threshold_not_raised() {
    let dir = tempfile::tempdir().unwrap();
    let case = billing_case(&dir);
    // Four differences in seven compared calls is 57%.
    append_to_case_toml(
        &case,
        "\n[rules.override]\n\"thresholds.cdr_billing_mismatch_rate\" = 0.6\n",
    );

    let (_, findings, _out) = check(&case, &[]);

    assert!(finding(&findings, "cdr.billing_mismatch").is_none());
    assert_eq!(findings["metrics"]["cdr"]["classes"]["billing_differs"], 4);
}

#[test]
fn billing_mismatch_in_seconds_states_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let case = billing_case(&dir);
    // The billing fixture's calls, billed in seconds under 6/6, with the
    // 30 s call billed a minute.
    let bill = "主叫号码,被叫号码,开始时间,通话时长(秒),计费时长(秒)\n\
        075512345678,13800138001,20240305090004,45,48\n\
        075512345678,13800138002,20240305090512,120,120\n\
        075512345678,13800138003,20240305091027,61,66\n\
        075512345678,13800138004,20240305091541,30,60\n\
        075512345678,13800138008,20240306100016,60,60\n\
        075512345678,13800138009,20240306100549,70,72\n\
        075512345678,13800138010,20240306101022,62,66\n";
    std::fs::write(case.join("话单/运营商/详单.csv"), bill).unwrap();
    append_to_case_toml(
        &case,
        "\n[rules.override]\n\"thresholds.cdr_billing_increment\" = \"6/6\"\n",
    );

    let (_, findings, _out) = check(&case, &[]);

    assert_valid_against_schema(&findings);
    let billing = &findings["metrics"]["cdr"]["billing"];
    assert_eq!(billing["unit"], "seconds");
    assert_eq!(billing["difference_seconds"], 30);
    let detail = finding(&findings, "cdr.billing_mismatch").expect("raised")["detail"]
        .as_str()
        .unwrap();
    assert!(detail.contains("有 1 通不一致"), "{detail}");
    assert!(detail.contains("合计相差 30 秒"), "{detail}");
}

#[test]
fn billed_cells_unreadable_named() {
    let dir = tempfile::tempdir().unwrap();
    let case = billing_case(&dir);
    // Two billed cells are remarks, not amounts.
    let bill = "主叫号码,被叫号码,开始时间,通话时长(秒),计费时长\n\
        075512345678,13800138001,20240305090004,45,1\n\
        075512345678,13800138002,20240305090512,120,见附件\n\
        075512345678,13800138003,20240305091027,61,2\n\
        075512345678,13800138004,20240305091541,30,待核实\n";
    std::fs::write(case.join("话单/运营商/详单.csv"), bill).unwrap();

    let (_, findings, _out) = check(&case, &[]);

    assert_valid_against_schema(&findings);
    let f = finding(&findings, "cdr.billed_unreadable").expect("raised");
    assert_eq!(f["severity"], "yellow");
    let detail = f["detail"].as_str().unwrap();
    assert!(detail.contains("运营商话单有 2 通"), "{detail}");
    assert!(detail.contains("第 3 行"), "{detail}");
    assert!(detail.contains("“见附件”"), "{detail}");
    let evidence = &f["evidence"][0];
    assert_eq!(evidence["row"], 3);
    assert_eq!(evidence["column"], "计费时长 (#5)");
    assert!(evidence["file"].as_str().unwrap().ends_with("详单.csv"));

    let (_, english, _out) = check(&case, &["--lang", "en"]);
    let detail = finding(&english, "cdr.billed_unreadable").unwrap()["detail"]
        .as_str()
        .unwrap();
    assert!(detail.contains("2 answered carrier calls"), "{detail}");
}

#[test]
fn per_second_bill_named_in_billing_finding() {
    let dir = tempfile::tempdir().unwrap();
    let case = billing_case(&dir);
    // The billing fixture's calls, each billed its exact talk seconds.
    let bill = "主叫号码,被叫号码,开始时间,通话时长(秒),计费时长(秒)\n\
        075512345678,13800138001,20240305090004,45,45\n\
        075512345678,13800138002,20240305090512,120,120\n\
        075512345678,13800138003,20240305091027,61,61\n\
        075512345678,13800138004,20240305091541,30,30\n\
        075512345678,13800138008,20240306100016,60,60\n\
        075512345678,13800138009,20240306100549,70,70\n\
        075512345678,13800138010,20240306101022,62,62\n";
    std::fs::write(case.join("话单/运营商/详单.csv"), bill).unwrap();

    let (_, findings, _out) = check(&case, &[]);

    let f = finding(&findings, "cdr.billing_mismatch").expect("raised");
    let notes: Vec<&str> = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["note"].as_str())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("--billing 1/1")),
        "{notes:?}"
    );
}

#[test]
fn count_mismatch_names_overlapping_files() {
    let dir = tempfile::tempdir().unwrap();
    let case = billing_case(&dir);
    // The same bill saved twice under different names and with one
    // title line changed, so that the files are not byte-for-byte copies.
    let bill = std::fs::read_to_string(case.join("话单/运营商/详单.csv")).unwrap();
    let copy = bill.replacen("语音详单", "语音详单（补发）", 1);
    assert_ne!(copy, bill);
    std::fs::write(case.join("话单/运营商/详单-补发.csv"), copy).unwrap();

    let (_, findings, _out) = check(&case, &[]);

    let f = finding(&findings, "cdr.count_mismatch").expect("raised");
    let notes: Vec<&str> = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["note"].as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("在另一个文件中也有一模一样的一条")),
        "{notes:?}"
    );
}
