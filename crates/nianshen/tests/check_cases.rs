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
