//! A memory budget small enough to spill records to disk changes no
//! output: `recon cdr` gives the same summary and the same `--out` lists,
//! `check` the same findings, and the spill folder is gone afterwards.
//! Every run gets a temporary folder (TMPDIR) of its own to look into.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn nianshen(tmp: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .env("TMPDIR", tmp)
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .output()
        .expect("the binary runs")
}

fn succeed(tmp: &Path, args: &[&str]) -> Output {
    let out = nianshen(tmp, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Writes benchmark call records with `calls` calls into `dir`.
fn demo_calls(dir: &Path, calls: u64) -> (PathBuf, PathBuf) {
    let calls = calls.to_string();
    succeed(dir, &["demo", dir.to_str().unwrap(), "--calls", &calls]);
    (dir.join("local.csv"), dir.join("carrier.csv"))
}

/// Lists what a run left in its own temporary folder, besides the cache.
fn leftovers(tmp: &Path) -> Vec<String> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "cache")
        .collect()
}

/// Runs `args` with a temporary folder of its own inside `dir`, and checks
/// that the run left nothing in it.
fn succeed_leaving_nothing(dir: &Path, args: &[&str]) -> Output {
    let spill_tmp = dir.join("tmp");
    std::fs::create_dir(&spill_tmp).unwrap();
    let out = succeed(&spill_tmp, args);
    assert_eq!(
        leftovers(&spill_tmp),
        Vec::<String>::new(),
        "spill folder left"
    );
    out
}

/// A `recon cdr` run: its JSON summary, its `--out` files by name, and
/// whether it spilled.
struct Run {
    json: String,
    lists: Vec<(String, Vec<u8>)>,
    spilled: bool,
}

fn recon(work: &Path, local: &Path, carrier: &Path, extra: &[&str]) -> Run {
    let tmp = tempfile::tempdir_in(work).unwrap();
    let out_dir = tmp.path().join("out");
    let mut args = vec![
        "-v",
        "recon",
        "cdr",
        "--local",
        local.to_str().unwrap(),
        "--carrier",
        carrier.to_str().unwrap(),
        "--json",
        "--no-cache",
        "--out",
        out_dir.to_str().unwrap(),
    ];
    args.extend(extra);
    let out = succeed_leaving_nothing(tmp.path(), &args);

    let mut lists: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    lists.sort();
    Run {
        json: String::from_utf8(out.stdout).unwrap(),
        lists,
        spilled: String::from_utf8_lossy(&out.stderr).contains("records spill to disk"),
    }
}

fn assert_same(a: &Run, b: &Run) {
    assert_eq!(a.json, b.json);
    let names = |r: &Run| r.lists.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(a), names(b));
    assert_eq!(a.lists.len(), 7, "{:?}", names(a));
    for ((name, x), (_, y)) in a.lists.iter().zip(&b.lists) {
        assert!(x == y, "{name} differs");
    }
}

#[test]
fn spilled_recon_matches_in_memory_recon() {
    let work = tempfile::tempdir().unwrap();
    // 40,000 calls: the local export (about 5 MB) is read in parallel
    // blocks, the carrier bill row by row, so both ways of spilling run.
    let (local, carrier) = demo_calls(work.path(), 40_000);
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.path().join("truth.json")).unwrap()).unwrap();

    let memory = recon(work.path(), &local, &carrier, &[]);
    assert!(!memory.spilled, "the default budget holds 40,000 calls");
    let summary: serde_json::Value = serde_json::from_str(&memory.json).unwrap();
    for key in ["matched", "local_only", "carrier_only", "duration_mismatch"] {
        assert_eq!(summary[key], truth["expected_one_to_one"][key], "{key}");
    }

    // 64 KiB: a few hundred records a side, some 200 partitions; 1 MiB:
    // a few thousand records a side, the fewest partitions.
    for limit in ["64K", "1M"] {
        let spilled = recon(work.path(), &local, &carrier, &["--memory-limit", limit]);
        assert!(spilled.spilled, "--memory-limit {limit} spills");
        assert_same(&memory, &spilled);
    }
}

#[test]
fn spilled_recon_warns_of_tz_offset() {
    let work = tempfile::tempdir().unwrap();
    let (local, carrier) = demo_calls(work.path(), 3_000);
    // The carrier's times read an hour off: almost nothing matches as is.
    let shifted = ["--carrier-tz", "+09:00"];
    let memory = recon(work.path(), &local, &carrier, &shifted);
    assert!(memory.json.contains("likely_tz_offset"), "{}", memory.json);
    let args = [&shifted[..], &["--memory-limit", "16K"]].concat();
    let spilled = recon(work.path(), &local, &carrier, &args);
    assert!(spilled.spilled);
    assert_same(&memory, &spilled);
}

/// Writes 400 calls over two days as a PBX in UTC and a bill in Beijing
/// time would list them; returns (local, carrier).
fn sides_in_two_zones(dir: &Path) -> (PathBuf, PathBuf) {
    let head = "主叫号码,被叫号码,开始时间,通话时长\n";
    let (mut local, mut bill) = (String::from(head), String::from(head));
    let stamp = |epoch: i64| {
        chrono::DateTime::from_timestamp(epoch, 0)
            .unwrap()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    // 2024-03-05 00:00:00 UTC, then a call every 7 minutes 12 seconds.
    let first = 1_709_596_800;
    for i in 0..400i64 {
        let at = first + i * 432;
        let numbers = format!("075512345678,139{i:08}");
        local.push_str(&format!("{numbers},{},{}\n", stamp(at), 20 + i % 90));
        bill.push_str(&format!(
            "{numbers},{},{}\n",
            stamp(at + 8 * 3600),
            20 + i % 90
        ));
    }
    let (l, c) = (dir.join("pbx-utc.csv"), dir.join("bill-beijing.csv"));
    std::fs::write(&l, local).unwrap();
    std::fs::write(&c, bill).unwrap();
    (l, c)
}

#[test]
fn per_day_in_bill_time_zone() {
    let work = tempfile::tempdir().unwrap();
    let (local, carrier) = sides_in_two_zones(work.path());
    let utc = ["--local-tz", "+00:00"];

    let memory = recon(work.path(), &local, &carrier, &utc);
    let args = [&utc[..], &["--memory-limit", "16K"]].concat();
    let spilled = recon(work.path(), &local, &carrier, &args);

    let summary: serde_json::Value = serde_json::from_str(&memory.json).unwrap();
    assert_eq!(summary["matched"], 400);
    let days = summary["per_day"].as_array().unwrap();
    let dates: Vec<&str> = days.iter().map(|d| d["date"].as_str().unwrap()).collect();
    // Two UTC days from 00:00 are 08:00 on 03-05 to 08:00 on 03-07 in Beijing.
    assert_eq!(dates, ["2024-03-05", "2024-03-06", "2024-03-07"]);
    for day in days {
        assert_eq!(day["local_answered"], day["carrier_answered"], "{day}");
        assert_eq!(day["local_answered"], day["matched"], "{day}");
        assert_eq!(
            day["local_talk_seconds"], day["carrier_talk_seconds"],
            "{day}"
        );
    }
    // 08:00 to midnight on 03-05 in Beijing: a call every 432 s for 16 h.
    assert_eq!(days[0]["carrier_answered"], 134);
    assert!(spilled.spilled);
    assert_same(&memory, &spilled);
}

#[test]
fn bad_memory_limit_is_refused_in_chinese() {
    let work = tempfile::tempdir().unwrap();
    for bad in ["0", "lots", "2X", "-1G", "1.5.2G"] {
        let flag = format!("--memory-limit={bad}");
        let out = nianshen(
            work.path(),
            &[
                "recon",
                "cdr",
                "--local",
                "a.csv",
                "--carrier",
                "b.csv",
                &flag,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("不是有效的内存大小"), "{bad}: {err}");
    }
}

#[test]
fn spilled_check_same_findings() {
    let work = tempfile::tempdir().unwrap();
    let case = work.path().join("case");
    succeed(work.path(), &["demo", case.to_str().unwrap()]);
    let findings = |extra: &[&str]| {
        let tmp = tempfile::tempdir_in(work.path()).unwrap();
        let out = tmp.path().join("out");
        let mut args = vec![
            "-v",
            "check",
            case.to_str().unwrap(),
            "--as-of",
            "2025-03-01",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        let run = succeed_leaving_nothing(tmp.path(), &args);
        let spilled = String::from_utf8_lossy(&run.stderr).contains("records spill to disk");
        (
            std::fs::read_to_string(out.join("findings.json")).unwrap(),
            spilled,
        )
    };
    let (memory, spilled) = findings(&[]);
    assert!(!spilled);
    let (tiny, spilled) = findings(&["--memory-limit", "4K"]);
    assert!(spilled, "--memory-limit 4K spills");
    assert_eq!(memory, tiny);
}

#[test]
fn unwritable_spill_folder_fails_cleanly() {
    let work = tempfile::tempdir().unwrap();
    let (local, carrier) = demo_calls(work.path(), 2_000);
    let missing = work.path().join("no-such-folder");
    let out = nianshen(
        &missing,
        &[
            "recon",
            "cdr",
            "--local",
            local.to_str().unwrap(),
            "--carrier",
            carrier.to_str().unwrap(),
            "--no-cache",
            "--memory-limit",
            "16K",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("临时文件夹"), "{err}");
    assert!(err.contains("--memory-limit"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Interrupted while its records are spilled, a run removes the spill
/// folder before it ends (exit status 130).
#[cfg(unix)]
#[test]
fn interrupted_run_removes_spill_folder() {
    let work = tempfile::tempdir().unwrap();
    let (local, carrier) = demo_calls(work.path(), 300_000);
    let tmp = tempfile::tempdir_in(work.path()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args([
            "recon",
            "cdr",
            "--local",
            local.to_str().unwrap(),
            "--carrier",
            carrier.to_str().unwrap(),
            "--no-cache",
            "--memory-limit",
            "64K",
            "--out",
            work.path().join("out").to_str().unwrap(),
        ])
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    let spilling = |t: &Path| {
        leftovers(t)
            .iter()
            .any(|n| n.starts_with("nianshen-spill-"))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !spilling(tmp.path()) {
        if child.try_wait().unwrap().is_some() {
            // Finished before a folder was seen: nothing to interrupt.
            eprintln!("skipped: the run ended before its spill folder was seen");
            return;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("no spill folder within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }

    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr).contains("已中断"));
    assert!(!spilling(tmp.path()), "{:?}", leftovers(tmp.path()));
}
