//! Billed columns in seconds: read from headers that name seconds, or from
//! a plain 计费时长 whose values show seconds, and compared in seconds
//! under the billing increment.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Talk seconds of the test calls: short and long, on and off the 6 s and
/// 60 s steps.
const TALKS: [u32; 8] = [45, 61, 7, 30, 90, 59, 125, 60];

/// The call whose bill charges one 6 s unit more than 6/6 gives.
const OVERCHARGED: usize = 2;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .arg("--no-cache")
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn recon(local: &Path, carrier: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "recon",
        "cdr",
        "--local",
        local.to_str().unwrap(),
        "--carrier",
        carrier.to_str().unwrap(),
        "--json",
    ];
    args.extend(extra);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("json")
}

/// Returns the seconds billed for `talk` under `first`/`next`.
fn billed(talk: u32, first: u32, next: u32) -> u32 {
    if talk <= first {
        first
    } else {
        first + (talk - first).div_ceil(next) * next
    }
}

/// Returns the bill's value of call `i` in seconds: 6/6, one call
/// overcharged.
fn bill_secs(i: usize) -> u32 {
    billed(TALKS[i], 6, 6) + if i == OVERCHARGED { 6 } else { 0 }
}

/// Writes the local records and a bill whose billed column is headed
/// `billed_header` and contains `value(i)` for call `i`.
fn write_sides(dir: &Path, billed_header: &str, value: fn(usize) -> String) -> (PathBuf, PathBuf) {
    let mut local = String::from("主叫号码,被叫号码,开始时间,通话时长\n");
    let mut bill = format!("主叫号码,被叫号码,开始时间,通话时长,{billed_header}\n");
    for (i, talk) in TALKS.iter().enumerate() {
        let start = format!("2024-03-05 10:{i:02}:15");
        let numbers = format!("075512345678,1390013{i:04}");
        local.push_str(&format!("{numbers},{start},{talk}\n"));
        bill.push_str(&format!("{numbers},{start},{talk},{}\n", value(i)));
    }
    let (l, c) = (dir.join("local.csv"), dir.join("bill.csv"));
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
fn seconds_headers_compared_in_seconds() {
    for header in [
        "计费时长(秒)",
        "计费时长（秒）",
        "计费秒数",
        "billed seconds",
        "billed_seconds",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (l, c) = write_sides(dir.path(), header, |i| bill_secs(i).to_string());

        let r = recon(&l, &c, &["--billing", "6/6"]);

        let billing = &r["billing"];
        assert_eq!(billing["unit"], "seconds", "{header}");
        assert_eq!(billing["compared"], TALKS.len(), "{header}");
        assert_eq!(billing["compared_in_seconds"], TALKS.len(), "{header}");
        assert_eq!(r["classes"]["billing_differs"], 1, "{header}");
        assert_eq!(billing["carrier_higher"], 1, "{header}");
        assert_eq!(billing["difference_seconds"], 6, "{header}");
        assert_eq!(billing["difference_minutes"], 0, "{header}");
        assert!(warning_ids(&r).is_empty(), "{header}: {}", r["warnings"]);
        let minutes: u32 = (0..TALKS.len()).map(|i| bill_secs(i).div_ceil(60)).sum();
        assert_eq!(r["carrier"]["billed_minutes"], minutes, "{header}");
        let columns = &r["carrier"]["files"][0]["columns"];
        assert!(
            columns.get("billed_seconds").is_some(),
            "{header}: {columns}"
        );
        assert!(
            columns.get("billed_minutes").is_none(),
            "{header}: {columns}"
        );
    }
}

#[test]
fn seconds_compared_under_each_increment() {
    let dir = tempfile::tempdir().unwrap();
    let (l, c) = write_sides(dir.path(), "计费时长(秒)", |i| {
        bill_secs(i).to_string()
    });

    for (increment, first, next) in [
        ("1/1", 1, 1),
        ("6/6", 6, 6),
        ("30/6", 30, 6),
        ("60/60", 60, 60),
    ] {
        let r = recon(&l, &c, &["--billing", increment]);

        let differs = (0..TALKS.len())
            .filter(|i| billed(TALKS[*i], first, next) != bill_secs(*i))
            .count();
        let apart: i64 = (0..TALKS.len())
            .map(|i| i64::from(bill_secs(i)) - i64::from(billed(TALKS[i], first, next)))
            .sum();
        assert_eq!(r["classes"]["billing_differs"], differs, "{increment}");
        assert_eq!(r["billing"]["difference_seconds"], apart, "{increment}");
        assert_eq!(r["billing"]["increment"], increment);
    }
}

#[test]
fn plain_column_of_short_calls_in_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let (l, c) = write_sides(dir.path(), "计费时长", |i| bill_secs(i).to_string());

    let r = recon(&l, &c, &["--billing", "6/6"]);

    assert_eq!(r["billing"]["unit"], "seconds");
    assert_eq!(r["classes"]["billing_differs"], 1);
    assert_eq!(r["billing"]["difference_seconds"], 6);
    assert_eq!(warning_ids(&r), ["billed_column_read_as_seconds"]);
    let warning = &r["warnings"][0];
    assert!(
        warning["message"].as_str().unwrap().contains("运营商话单"),
        "{warning}"
    );
    assert!(
        warning["message_en"].as_str().unwrap().contains("seconds"),
        "{warning}"
    );
    assert_eq!(r["carrier"]["files"][0]["billed_unit_inferred"], true);
}

/// Writes `secs` seconds in the form `form` picks: `h:mm:ss`, `m:ss`,
/// `X分Y秒` or `X秒`.
fn as_duration(secs: u32, form: usize) -> String {
    match form % 4 {
        0 => format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60),
        1 => format!("{}:{:02}", secs / 60, secs % 60),
        2 => format!("{}分{}秒", secs / 60, secs % 60),
        _ => format!("{secs}秒"),
    }
}

#[test]
fn duration_cells_compared_in_seconds() {
    // Even under a header that states minutes, cells written as durations
    // carry their own unit.
    for header in ["计费时长", "计费时长(分钟)"] {
        let dir = tempfile::tempdir().unwrap();
        let (l, c) = write_sides(dir.path(), header, |i| as_duration(bill_secs(i), i));

        let r = recon(&l, &c, &["--billing", "6/6"]);

        assert_eq!(r["billing"]["unit"], "seconds", "{header}");
        assert_eq!(r["billing"]["compared"], TALKS.len(), "{header}");
        assert_eq!(r["classes"]["billing_differs"], 1, "{header}");
        assert_eq!(r["billing"]["difference_seconds"], 6, "{header}");
        assert_eq!(
            warning_ids(&r),
            ["billed_column_read_as_durations"],
            "{header}"
        );
        let message = r["warnings"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("{} 个计费时长", TALKS.len())),
            "{message}"
        );
        assert!(!message.contains("纯数字"), "{message}");
        let file = &r["carrier"]["files"][0];
        assert_eq!(file["billed_durations"], TALKS.len(), "{file}");
        assert!(file["columns"].get("billed_seconds").is_some(), "{file}");
    }
}

#[test]
fn plain_numbers_beside_durations_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (l, c) = write_sides(dir.path(), "计费时长", |i| match i {
        0 => bill_secs(i).to_string(),
        _ => as_duration(bill_secs(i), i),
    });

    let r = recon(&l, &c, &["--billing", "6/6"]);

    assert_eq!(r["billing"]["unit"], "seconds");
    assert_eq!(r["classes"]["billing_differs"], 1);
    assert_eq!(r["carrier"]["files"][0]["billed_plain_as_seconds"], 1);
    let warning = &r["warnings"][0];
    assert_eq!(warning["id"], "billed_column_read_as_durations");
    let (zh, en) = (
        warning["message"].as_str().unwrap(),
        warning["message_en"].as_str().unwrap(),
    );
    assert!(zh.contains("另有 1 个纯数字也按秒读取"), "{zh}");
    assert!(en.contains("1 plain number in the same column was"), "{en}");
}

#[test]
fn plain_column_in_minutes_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (l, c) = write_sides(dir.path(), "计费时长", |i| {
        TALKS[i].div_ceil(60).to_string()
    });

    let r = recon(&l, &c, &[]);

    assert_eq!(r["billing"]["unit"], "minutes");
    assert_eq!(r["billing"]["compared_in_seconds"], 0);
    assert_eq!(r["classes"]["billing_differs"], 0);
    assert!(warning_ids(&r).is_empty(), "{}", r["warnings"]);
    let file = &r["carrier"]["files"][0];
    assert!(file["columns"].get("billed_minutes").is_some(), "{file}");
    assert!(file.get("billed_unit_inferred").is_none(), "{file}");
}

#[test]
fn text_summary_names_the_unit() {
    let dir = tempfile::tempdir().unwrap();
    let (l, c) = write_sides(dir.path(), "计费秒数", |i| bill_secs(i).to_string());
    let (l, c) = (l.to_str().unwrap(), c.to_str().unwrap());

    let (code, zh, err) = run(&[
        "recon",
        "cdr",
        "--local",
        l,
        "--carrier",
        c,
        "--billing",
        "6/6",
    ]);
    let (_, en, _) = run(&[
        "recon",
        "cdr",
        "--local",
        l,
        "--carrier",
        c,
        "--billing",
        "6/6",
        "--lang",
        "en",
    ]);

    assert_eq!(code, 0, "{err}");
    assert!(zh.contains("计费方式 6/6，按秒比对"), "{zh}");
    assert!(zh.contains("合计相差 6 秒"), "{zh}");
    assert!(en.contains("compared in seconds"), "{en}");
}

#[test]
fn out_lists_billed_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let (l, c) = write_sides(dir.path(), "计费时长(秒)", |i| {
        bill_secs(i).to_string()
    });
    let out = dir.path().join("out");

    recon(
        &l,
        &c,
        &["--billing", "6/6", "--out", out.to_str().unwrap()],
    );

    let text = std::fs::read_to_string(out.join("billing_mismatch.csv")).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{text}");
    let talk = TALKS[OVERCHARGED];
    let expected_tail = format!(
        ",{talk},{talk},6/6,{},{},,{}",
        billed(talk, 6, 6),
        (billed(talk, 6, 6) + 30) / 60,
        bill_secs(OVERCHARGED)
    );
    assert!(rows[0].ends_with(&expected_tail), "{text}");
}

#[test]
fn empty_billed_cells_not_a_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    // Every other billed cell empty or unreadable, the rest in minutes.
    let (l, c) = write_sides(dir.path(), "计费时长", |i| match i % 4 {
        0 => String::new(),
        1 => "见附件".to_string(),
        _ => TALKS[i].div_ceil(60).to_string(),
    });
    let (l, c) = (l.to_str().unwrap(), c.to_str().unwrap());

    let (code, zh, err) = run(&["recon", "cdr", "--local", l, "--carrier", c]);
    let (_, en, _) = run(&["recon", "cdr", "--local", l, "--carrier", c, "--lang", "en"]);

    assert_eq!(code, 0, "{err}");
    assert!(zh.contains("4 通匹配的通话"), "{zh}");
    assert!(
        !zh.contains("话单中没有计费时长列"),
        "the bill has the column: {zh}"
    );
    assert!(zh.contains("单元格为空或无法识别"), "{zh}");
    assert!(!en.contains("have no billed column"), "{en}");
    assert!(en.contains("empty or unreadable"), "{en}");
}

#[test]
fn per_second_bill_suggests_one_second_increment() {
    let dir = tempfile::tempdir().unwrap();
    // The bill charges every call its exact talk seconds.
    let (l, c) = write_sides(dir.path(), "计费时长(秒)", |i| TALKS[i].to_string());

    let r = recon(&l, &c, &[]);

    let differs = (0..TALKS.len())
        .filter(|i| billed(TALKS[*i], 60, 60) != TALKS[*i])
        .count();
    assert_eq!(r["classes"]["billing_differs"], differs);
    assert_eq!(warning_ids(&r), ["billed_per_second"]);
    let (zh, en) = (
        r["warnings"][0]["message"].as_str().unwrap(),
        r["warnings"][0]["message_en"].as_str().unwrap(),
    );
    assert!(
        zh.contains(&format!("按计费方式 60/60 有 {differs} 通计费不一致")),
        "{zh}"
    );
    assert!(zh.contains("--billing 1/1"), "{zh}");
    assert!(en.contains("bills per second (1/1)"), "{en}");

    let r = recon(&l, &c, &["--billing", "1/1"]);

    assert_eq!(r["classes"]["billing_differs"], 0);
    assert!(warning_ids(&r).is_empty(), "{}", r["warnings"]);
}

#[test]
fn unreadable_bill_has_no_billed_rate() {
    let dir = tempfile::tempdir().unwrap();
    let (l, c) = write_sides(dir.path(), "计费时长", |_| "见附件".to_string());
    let (l, c) = (l.to_str().unwrap(), c.to_str().unwrap());

    let (code, zh, err) = run(&["recon", "cdr", "--local", l, "--carrier", c]);
    let (_, en, _) = run(&["recon", "cdr", "--local", l, "--carrier", c, "--lang", "en"]);

    assert_eq!(code, 0, "{err}");
    assert!(
        zh.contains("计费时长 —（运营商话单没有可读的计费时长"),
        "{zh}"
    );
    assert!(!zh.contains("计费时长 0.00%"), "{zh}");
    assert!(
        en.contains("billed minutes — (no readable billed time"),
        "{en}"
    );
}
