//! Errors in the command line itself: Chinese first, then clap's English
//! with its suggestion, exit status 2.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::process::Command;

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

/// Asserts that `chinese` comes before `english` in `text`.
fn in_order(text: &str, chinese: &str, english: &str) {
    let zh = text
        .find(chinese)
        .unwrap_or_else(|| panic!("{chinese:?} missing: {text}"));
    let en = text
        .find(english)
        .unwrap_or_else(|| panic!("{english:?} missing: {text}"));
    assert!(zh < en, "Chinese after English: {text}");
}

#[test]
fn unknown_flag_in_chinese_then_english() {
    let (code, out, err) = run(&["recon", "cdr", "--locl", "a.csv", "--carrier", "b.csv"]);

    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.starts_with("错误：无法识别的参数“--locl”"), "{err}");
    in_order(
        &err,
        "有一个相近的参数：--local",
        "unexpected argument '--locl'",
    );
    assert!(
        err.contains("a similar argument exists: '--local'"),
        "{err}"
    );
}

#[test]
fn bad_subcommand_in_chinese_then_english() {
    let (code, _, err) = run(&["recn", "cdr"]);

    assert_eq!(code, 2);
    in_order(
        &err,
        "无法识别的子命令“recn”",
        "unrecognized subcommand 'recn'",
    );
    assert!(err.contains("相近的子命令：recon"), "{err}");
    assert!(
        err.contains("a similar subcommand exists: 'recon'"),
        "{err}"
    );
}

#[test]
fn missing_value_and_argument_in_chinese_then_english() {
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["recon", "cdr", "--carrier", "b.csv", "--local"],
            "参数 --local <LOCAL>... 缺少取值",
            "a value is required for '--local",
        ),
        (
            &["recon", "cdr", "--carrier", "b.csv"],
            "缺少必需的参数：--local",
            "the following required arguments were not provided",
        ),
        (
            &[
                "recon",
                "cdr",
                "--local",
                "a",
                "--carrier",
                "b",
                "--tolerance",
                "x",
            ],
            "参数 --tolerance <SECS> 的值“x”无效",
            "invalid value 'x' for '--tolerance <SECS>'",
        ),
    ];
    for (args, chinese, english) in cases {
        let (code, _, err) = run(args);

        assert_eq!(code, 2, "{args:?}: {err}");
        in_order(&err, chinese, english);
    }
}

#[test]
fn help_chinese_unless_english() {
    let (code, out, err) = run(&["--help"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("用法：nianshen"), "{out}");
    assert!(out.contains("对案例文件夹运行全部检查并写出报告"), "{out}");
    assert!(!err.contains("错误"), "{err}");

    let (code, out, _) = run(&["recon", "cdr", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--billing <A/B>"), "{out}");
    assert!(out.contains("计费方式 a/b"), "{out}");
    assert!(!out.contains("[default:"), "{out}");

    let (code, out, _) = run(&["--lang", "en", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Usage: nianshen"), "{out}");
    assert!(out.contains("Run every check on a case folder"), "{out}");

    let (code, out, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("nianshen "), "{out}");
}

#[test]
fn no_subcommand_explained_in_chinese() {
    let (code, _, err) = run(&[]);

    assert_eq!(code, 2);
    in_order(&err, "缺少子命令或参数", "用法：nianshen");
}

#[test]
fn negative_tolerance_explained() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls.csv");
    std::fs::write(
        &calls,
        "主叫号码,被叫号码,开始时间,通话时长\n075512345678,13900139000,2024-03-05 09:00:00,30\n",
    )
    .unwrap();
    let calls = calls.to_str().unwrap();

    let (code, _, err) = run(&[
        "recon",
        "cdr",
        "--local",
        calls,
        "--carrier",
        calls,
        "--tolerance",
        "-5",
        "--no-cache",
    ]);

    assert_eq!(code, 2);
    assert!(err.contains("--tolerance 不能为负数：-5"), "{err}");
}
