//! findings.json against the shipped JSON Schema.

use nianshen_checks::finding::SCHEMA_VERSION;
use nianshen_report::{findings_json, write_outputs, FINDINGS_SCHEMA};
use serde_json::{json, Value};

use crate::common::{empty_report, english_report, many_findings_report, red_report};

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(FINDINGS_SCHEMA).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn errors(doc: &Value) -> Vec<String> {
    validator()
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn sample() -> Value {
    serde_json::from_str(&findings_json(&red_report()).unwrap()).unwrap()
}

#[test]
fn every_sample_report_is_valid() {
    for report in [
        red_report(),
        empty_report(),
        english_report(),
        many_findings_report(300),
    ] {
        let doc: Value = serde_json::from_str(&findings_json(&report).unwrap()).unwrap();
        assert_eq!(errors(&doc), Vec::<String>::new());
    }
}

#[test]
fn written_findings_json_is_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write_outputs(&red_report(), &out).unwrap();

    let text = std::fs::read_to_string(out.join("findings.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();

    assert_eq!(errors(&doc), Vec::<String>::new());
    assert!(text.ends_with("}\n"));
}

#[test]
fn schema_version_matches_the_code() {
    let schema: Value = serde_json::from_str(FINDINGS_SCHEMA).unwrap();
    let constant = &schema["properties"]["schema_version"]["const"];
    assert_eq!(constant, &json!(SCHEMA_VERSION));
}

#[test]
fn broken_documents_are_rejected() {
    type Breakage = fn(&mut Value);
    let cases: &[(&str, Breakage)] = &[
        ("verdict missing", |d| {
            d.as_object_mut().unwrap().remove("verdict");
        }),
        ("unknown verdict", |d| d["verdict"] = json!("orange")),
        ("bad severity", |d| {
            d["findings"][0]["severity"] = json!("critical")
        }),
        ("bad basis kind", |d| {
            d["findings"][0]["basis"]["kind"] = json!("rumour")
        }),
        ("evidence without note", |d| {
            d["findings"][0]["evidence"][0]
                .as_object_mut()
                .unwrap()
                .remove("note");
        }),
        ("row zero", |d| {
            d["findings"][0]["evidence"][0]["row"] = json!(0)
        }),
        ("date not ISO", |d| d["as_of"] = json!("2025/02/15")),
        ("unknown field", |d| {
            d["findings"][0]["colour"] = json!("red")
        }),
        ("plan phase unknown", |d| {
            d["plan"][0]["phase"] = json!("someday")
        }),
        ("cdr side incomplete", |d| {
            d["metrics"]["cdr"]["local"]
                .as_object_mut()
                .unwrap()
                .remove("answered");
        }),
        ("cdr rate as text", |d| {
            d["metrics"]["cdr"]["rates"]["answered"] = json!("4%")
        }),
        ("wrong schema version", |d| d["schema_version"] = json!(2)),
    ];
    for (what, breakage) in cases {
        let mut doc = sample();
        breakage(&mut doc);
        assert!(!errors(&doc).is_empty(), "{what} was accepted");
    }
}

#[test]
fn cdr_with_declared_figures_only_is_valid() {
    // Without carrier bills the checks publish only the declared figures.
    let mut doc = sample();
    doc["metrics"]["cdr"] = json!({"declared": [
        {"figure": "seats", "name": "座席数", "declared": "10", "computed": "9", "ok": false}
    ]});
    assert_eq!(errors(&doc), Vec::<String>::new());
}

#[test]
fn every_property_is_described_in_both_languages() {
    let schema: Value = serde_json::from_str(FINDINGS_SCHEMA).unwrap();
    let mut missing = Vec::new();
    walk_properties(&schema, "", &mut missing);
    assert_eq!(missing, Vec::<String>::new());
}

/// Collects properties whose description is absent or lacks either
/// language (Chinese, then " / ", then English).
fn walk_properties(node: &Value, path: &str, missing: &mut Vec<String>) {
    let Value::Object(map) = node else { return };
    if let Some(Value::Object(props)) = map.get("properties") {
        for (name, prop) in props {
            let here = format!("{path}/{name}");
            let desc = prop["description"].as_str().unwrap_or("");
            let bilingual = desc.split_once(" / ").is_some_and(|(zh, en)| {
                crate::common::has_cjk(zh) && en.chars().any(|c| c.is_ascii_alphabetic())
            });
            if !bilingual {
                missing.push(here.clone());
            }
            walk_properties(prop, &here, missing);
        }
    }
    for (key, child) in map {
        if key != "properties" {
            walk_properties(child, path, missing);
        }
    }
}
