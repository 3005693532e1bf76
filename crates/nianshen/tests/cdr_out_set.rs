//! `recon cdr --out DIR` writes its lists as one set: a run that fails or
//! is interrupted while writing leaves DIR as it was and no staging folder
//! beside it.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const LISTS: [&str; 7] = [
    "local_only.csv",
    "carrier_only.csv",
    "duration_mismatch.csv",
    "billing_mismatch.csv",
    "per_day.csv",
    "per_number.csv",
    "per_agent.csv",
];

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_nianshen")
}

/// Writes `calls` local calls and a bill of the first ten of them into
/// `dir`; returns (local, carrier).
fn sides(dir: &Path, calls: u32) -> (PathBuf, PathBuf) {
    let mut local = String::from("主叫号码,被叫号码,开始时间,通话时长,坐席工号\n");
    let mut bill = String::from("主叫号码,被叫号码,开始时间,通话时长\n");
    for i in 0..calls {
        let row = format!(
            "075512345678,139{i:08},2024-03-05 {:02}:{:02}:{:02},{}",
            8 + (i / 3600) % 12,
            (i / 60) % 60,
            i % 60,
            30 + i % 200
        );
        local.push_str(&format!("{row},A{}\n", i % 7));
        if i < 10 {
            bill.push_str(&format!("{row}\n"));
        }
    }
    let (l, c) = (dir.join(format!("local-{calls}.csv")), dir.join("bill.csv"));
    std::fs::write(&l, local).unwrap();
    std::fs::write(&c, bill).unwrap();
    (l, c)
}

fn recon_args<'a>(local: &'a Path, carrier: &'a Path, out: &'a Path) -> Vec<&'a str> {
    vec![
        "recon",
        "cdr",
        "--no-cache",
        "--local",
        local.to_str().unwrap(),
        "--carrier",
        carrier.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]
}

/// Runs the binary; returns (exit code, stderr).
fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(binary()).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Returns every file under `dir` with its bytes.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// Returns the staging folders left in `dir`.
fn staging_folders(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("nianshen-staging"))
        .collect()
}

#[test]
fn normal_run_leaves_no_staging() {
    let dir = tempfile::tempdir().unwrap();
    let (l, c) = sides(dir.path(), 40);
    let out = dir.path().join("out");

    let (code, err) = run(&recon_args(&l, &c, &out));

    assert_eq!(code, 0, "{err}");
    let written = contents(&out);
    assert_eq!(written.len(), LISTS.len(), "{:?}", written.keys());
    for name in LISTS {
        assert!(written.contains_key(name), "{name} missing");
    }
    assert!(staging_folders(dir.path()).is_empty());
    assert!(staging_folders(&out).is_empty());
}

/// Runs the binary through `sh` with files limited to `limit_kib` KiB and
/// SIGXFSZ ignored, so that a write past the limit fails with EFBIG as on
/// a full disk instead of ending the process.
#[cfg(unix)]
fn run_with_file_limit(args: &[&str], limit_kib: u32) -> (i32, String) {
    // dash and POSIX sh count `ulimit -f` in 512-byte blocks.
    let script = format!(
        "trap '' XFSZ; ulimit -f {}; exec \"$0\" \"$@\"",
        limit_kib * 2
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(binary())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn failed_write_keeps_old_lists() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (small, c) = sides(dir.path(), 40);
    let (code, err) = run(&recon_args(&small, &c, &out));
    assert_eq!(code, 0, "{err}");
    let before = contents(&out);
    // local_only.csv of 6000 calls is several hundred KiB, the other
    // lists a few KiB at most, so the limit fails the set part way.
    let (large, _) = sides(dir.path(), 6000);
    assert!(std::fs::metadata(&large).unwrap().len() > 256 << 10);

    let (code, err) = run_with_file_limit(&recon_args(&large, &c, &out), 64);

    assert_eq!(code, 2, "{err}");
    assert!(err.contains("无法写入输出文件夹"), "{err}");
    assert!(err.contains("文件夹保持原样"), "{err}");
    assert_eq!(contents(&out), before);
    assert!(
        staging_folders(dir.path()).is_empty(),
        "{:?}",
        staging_folders(dir.path())
    );
    assert!(staging_folders(&out).is_empty());
}

#[test]
fn folder_in_the_way_keeps_old_lists() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (l, c) = sides(dir.path(), 40);
    let (code, err) = run(&recon_args(&l, &c, &out));
    assert_eq!(code, 0, "{err}");
    std::fs::remove_file(out.join("per_number.csv")).unwrap();
    std::fs::create_dir(out.join("per_number.csv")).unwrap();
    let before = contents(&out);
    let (changed, _) = sides(dir.path(), 50);

    let (code, err) = run(&recon_args(&changed, &c, &out));

    assert_eq!(code, 2, "{err}");
    assert!(err.contains("同名位置已被一个文件夹占用"), "{err}");
    assert!(err.contains("per_number.csv"), "{err}");
    assert_eq!(contents(&out), before);
    assert!(out.join("per_number.csv").is_dir());
    assert!(staging_folders(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn sigterm_removes_staging_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // Large enough that writing local_only.csv takes a while.
    let (l, c) = sides(dir.path(), 300_000);
    let mut child = Command::new(binary())
        .args(recon_args(&l, &c, &out))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let staging = dir
        .path()
        .join(format!(".out.nianshen-staging-{}", child.id()));

    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = false;
    while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
        if staging.exists() {
            seen = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    if !seen {
        let _ = child.kill();
        panic!("the staging folder was not seen while the run wrote its lists");
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait_with_output().unwrap();

    assert!(killed.success());
    // 130 from the interrupt handler; 0 only if the run ended just before
    // the signal came.
    let code = status.status.code();
    assert!(matches!(code, Some(130) | Some(0)), "{status:?}");
    assert!(!staging.exists());
    // An interrupt waits for lists being moved in, so the folder is absent
    // or contains the whole set.
    if out.exists() {
        assert_eq!(contents(&out).len(), LISTS.len());
    } else {
        assert_eq!(code, Some(130));
    }
}

/// The lists are written into an output folder that the user may write
/// to, inside a parent folder that the user may not write to (such as a
/// home folder under /home).
#[cfg(unix)]
#[test]
fn read_only_parent_still_gets_lists() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let (l, c) = sides(dir.path(), 40);
    let parent = dir.path().join("home");
    let out = parent.join("user");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = parent.join("probe");
    if std::fs::create_dir(&probe).is_ok() {
        // The superuser may write anywhere: nothing to test.
        std::fs::remove_dir(&probe).unwrap();
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
        println!("skipped: folder permissions are not enforced for this user");
        return;
    }

    let (code, err) = run(&recon_args(&l, &c, &out));
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();

    assert_eq!(code, 0, "{err}");
    assert_eq!(contents(&out).len(), LISTS.len());
    assert!(staging_folders(&out).is_empty());
    assert!(staging_folders(&parent).is_empty());
}
