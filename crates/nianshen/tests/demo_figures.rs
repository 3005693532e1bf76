//! The clean demo case declares exactly the figures its own call records
//! give, by the definitions the review uses, so a correct check finds
//! nothing to say about them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Local export rows: (agent, answered, outbound, talk seconds, outcome).
fn local_rows(dir: &Path) -> Vec<(String, bool, bool, u64, String)> {
    let mut rows = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir.join("话单/本地"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let text = text.strip_prefix('\u{feff}').expect("UTF-8 with BOM");
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let (agent, talk, result, direction, outcome) = (
            col("坐席工号"),
            col("通话时长(秒)"),
            col("呼叫结果"),
            col("呼叫方向"),
            col("营销结果"),
        );
        for line in lines {
            // The export has no quoted fields: a plain split is exact.
            let f: Vec<&str> = line.split(',').collect();
            rows.push((
                f[agent].to_string(),
                f[result] == "已接通",
                f[direction] == "呼出",
                f[talk].parse().unwrap(),
                f[outcome].to_string(),
            ));
        }
    }
    rows
}

/// `case.toml` as plain TOML values. (Read without the case model so this
/// test judges the demo's figures alone.)
fn case_toml(dir: &Path) -> toml::Table {
    std::fs::read_to_string(dir.join("case.toml"))
        .unwrap()
        .parse()
        .unwrap()
}

fn num(t: &toml::Table, table: &str, key: &str) -> f64 {
    match &t[table][key] {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(f) => *f,
        other => panic!("{table}.{key} is {other:?}"),
    }
}

fn round(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (x * scale).round() / scale
}

#[test]
fn clean_declares_export_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("clean");
    let out = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(["demo", dir.to_str().unwrap(), "--clean", "--seed", "5"])
        .output()
        .unwrap();
    assert!(out.status.success());

    let case = case_toml(&dir);
    let d = |key: &str| num(&case, "declared", key);
    let rows = local_rows(&dir);
    let agents: BTreeSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let outbound = rows.iter().filter(|r| r.2).count() as f64;
    let answered_out = rows.iter().filter(|r| r.1 && r.2).count() as f64;
    let answered: Vec<_> = rows.iter().filter(|r| r.1).collect();
    let talk: u64 = answered.iter().map(|r| r.3).sum();
    let successes = rows.iter().filter(|r| r.1 && r.2 && r.4 == "成交").count() as f64;

    let seats = agents.len() as f64;
    assert_eq!(d("seats"), seats);
    assert_eq!(d("outbound_calls"), outbound);
    assert_eq!(d("connection_rate"), round(answered_out / outbound, 4));
    assert_eq!(
        d("avg_talk_seconds"),
        round(talk as f64 / answered.len() as f64, 1)
    );
    assert_eq!(d("conversion_rate"), round(successes / answered_out, 4));
    assert_eq!(
        d("complaint_rate"),
        round(d("complaints") / answered_out, 6)
    );
    assert_eq!(d("complaint_response_rate"), 1.0);

    // Seats agree with the site, the photos and the accounts still open.
    let site = &case["sites"][0];
    assert_eq!(site["workstations"].as_integer(), Some(seats as i64));
    let photos = std::fs::read_dir(dir.join("职场/工位照片"))
        .unwrap()
        .count();
    assert_eq!(photos as f64, seats);
    let accounts = std::fs::read_to_string(dir.join("人员/系统账号.csv")).unwrap();
    let open = accounts
        .lines()
        .skip(1)
        .filter(|l| l.ends_with(','))
        .count();
    assert_eq!(open as f64, seats);

    // Money and places agree too.
    let (audited, vat) = (
        num(&case, "finance", "audited_revenue"),
        num(&case, "finance", "vat_declared_revenue"),
    );
    assert_eq!(d("revenue"), audited);
    assert!(audited > 0.0);
    assert!((audited - vat).abs() / audited < 0.05);
    let registered = case["licence"]["registered_sites"].as_array().unwrap();
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0].as_str(), site["address"].as_str());
    assert!(!case.contains_key("changes"));
}

#[test]
fn identifiers_have_valid_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let out = Command::new(env!("CARGO_BIN_EXE_nianshen"))
        .args(["demo", dir.to_str().unwrap(), "--seed", "11"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let case = case_toml(&dir);
    let uscc = case["company"]["uscc"].as_str().unwrap();
    assert_eq!(nianshen_demo::uscc_check(&uscc[..17]), uscc.chars().nth(17));
    let number = case["licence"]["number"].as_str().unwrap();
    assert!(
        number.starts_with("粤B2-2022") && number.chars().count() == 12,
        "{number}"
    );
}

#[test]
fn examples_load_with_case_model() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for name in ["demo-case", "clean-case"] {
        let case = nianshen_case::load(&examples.join(name)).unwrap().file;
        assert_eq!(case.rules.pack.as_deref(), Some("cn-miit"));
        assert_eq!(case.filings.len(), 1);
        assert!(case.declared.seats.is_some());
    }
}
