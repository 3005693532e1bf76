//! `nianshen demo` run as a user runs it: the real binary writing real
//! folders, then the files read back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn nianshen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(args)
        .output()
        .expect("run nianshen")
}

fn demo(dir: &Path, extra: &[&str]) {
    let mut args = vec!["demo", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = nianshen(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Collects every file under `dir` by relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    let names_a: Vec<&String> = ta.keys().collect();
    let names_b: Vec<&String> = tb.keys().collect();
    assert_eq!(
        names_a,
        names_b,
        "{} and {} hold different files",
        a.display(),
        b.display()
    );
    for (name, bytes) in &ta {
        assert!(
            bytes == &tb[name],
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> PathBuf {
    workspace().join("examples").join(name)
}

#[test]
fn demo_same_seed_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    demo(&a, &["--seed", "7"]);
    demo(&b, &["--seed", "7"]);
    assert_same_tree(&a, &b);
    let default = tree(&example("demo-case"));
    assert_ne!(tree(&a).get("case.toml"), default.get("case.toml"));
}

#[test]
fn examples_equal_fresh_generation() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, extra) in [("demo-case", vec![]), ("clean-case", vec!["--clean"])] {
        let fresh = tmp.path().join(name);
        demo(&fresh, &extra);
        assert_same_tree(&example(name), &fresh);
    }
}

#[test]
fn demo_plants_required_traps() {
    let (d, c) = (example("demo-case"), example("clean-case"));
    let planted: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(d.join("planted.json")).unwrap()).unwrap();
    let traps: Vec<u64> = planted.iter().filter_map(|p| p["trap"].as_u64()).collect();
    assert_eq!(traps, vec![1, 2, 3, 5, 7, 10]);
    for p in &planted {
        assert!(p["rule"].as_str().unwrap().contains('.'));
        assert!(!p["description"].as_str().unwrap().is_empty());
    }
    assert_eq!(
        std::fs::read_to_string(c.join("planted.json")).unwrap(),
        "[]\n"
    );

    // Trap 5 removes exactly the 等保 report.
    let dengbao = |dir: &Path| {
        tree(dir)
            .keys()
            .filter(|k| k.starts_with("材料/05-技术系统/") && k.contains("等保"))
            .count()
    };
    assert_eq!((dengbao(&d), dengbao(&c)), (0, 1));
}

#[test]
fn demo_rejects_foreign_folder() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("我的笔记.txt"), "keep me").unwrap();
    let out = nianshen(&["demo", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("不是空的"), "{err}");
    assert!(err.contains("我的笔记.txt"), "{err}");
    assert_eq!(tree(tmp.path()).len(), 1);

    let out = nianshen(&["--lang", "en", "demo", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}

#[test]
fn demo_replaces_earlier_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("case");
    demo(&dir, &["--clean"]);
    demo(&dir, &[]);
    assert_same_tree(&dir, &example("demo-case"));
}

#[test]
fn demo_calls_writes_bench_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bench");
    demo(&dir, &["--calls", "5000", "--seed", "3"]);
    let files: Vec<String> = tree(&dir).into_keys().collect();
    assert_eq!(files, vec!["carrier.csv", "local.csv", "truth.json"]);
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap();
    assert_eq!(truth["local"]["rows"], 5000);
    let local = std::fs::read_to_string(dir.join("local.csv")).unwrap();
    assert_eq!(local.lines().count(), 5001);
    assert!(local.starts_with(
        "call_id,agent_id,caller,callee,start_time,answer_time,end_time,duration_s,disposition\n"
    ));
    let carrier = std::fs::read_to_string(dir.join("carrier.csv")).unwrap();
    assert!(carrier.starts_with("主叫号码,被叫号码,开始时间,通话时长,计费时长,费用\n"));
    assert_eq!(
        carrier.lines().count() as u64 - 1,
        truth["carrier"]["rows"].as_u64().unwrap()
    );
}
