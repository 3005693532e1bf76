//! Call records in a case: the company's export against the carrier's bill
//! (CDR 对碰), the declared operating figures against the export, and the
//! data-quality notes of both sides.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{FixedOffset, Offset};
use nianshen_case::InputKind;
use nianshen_cdr::{
    Mapping, MatchOptions, MemoryBudget, ReadOptions, ScanOptions, Side, SideStats, Vocabulary,
};
use nianshen_rules::Severity;
use serde_json::{json, Value};

use crate::context::{CheckError, Context};
use crate::finance::percent;
use crate::finding::Evidence;

/// Agent and call figures of the local export, for the seat and complaint
/// checks.
#[derive(Clone, Debug, Default)]
pub struct AgentActivity {
    /// Distinct agents with calls.
    pub agents: BTreeSet<String>,
    /// The export the agents come from, relative to the case folder.
    pub file: Option<String>,
    /// Answered outbound calls, the complaint rate's denominator.
    pub answered_outbound: u64,
}

/// Beijing time, the default zone of timestamps without one.
fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or(chrono::Utc.fix())
}

pub fn check(cx: &mut Context<'_>) -> Result<Option<AgentActivity>, CheckError> {
    let local_paths = existing(cx, InputKind::LocalCdr, "本地话单", "local call records");
    let carrier_paths = existing(cx, InputKind::CarrierCdr, "运营商话单", "carrier bills");
    if local_paths.is_empty() {
        return Ok(None);
    }

    let options = read_options(cx)?;
    let local_paths = without_duplicates(cx, &local_paths);
    let carrier_paths = without_duplicates(cx, &carrier_paths);
    mapping_notes(
        cx,
        &options,
        &[local_paths.as_slice(), carrier_paths.as_slice()].concat(),
    );
    // Both sides under one budget, so that their spilled partitions match.
    let mut scan = ScanOptions::default();
    scan.memory = Some(MemoryBudget::new(cx.memory_limit));
    let local = nianshen_cdr::read_side_with(&local_paths, &options, &scan)?;
    side_quality(cx, &local.stats, cx.t("本地", "local"));
    let activity = AgentActivity {
        agents: local.stats.agents.clone(),
        file: local_paths.first().map(|p| cx.rel(p)),
        answered_outbound: local.stats.answered_outbound,
    };
    let declared = declared_figures(cx, &local.stats);

    let mut metrics = json!({ "declared": declared });
    if !carrier_paths.is_empty() {
        let carrier = nianshen_cdr::read_side_with(&carrier_paths, &options, &scan)?;
        side_quality(cx, &carrier.stats, cx.t("运营商", "carrier"));
        let recon_value = reconcile(cx, &local, &carrier)?;
        if let (Value::Object(target), Value::Object(source)) = (&mut metrics, recon_value) {
            target.extend(source);
        }
    }
    cx.metric("cdr", metrics);
    Ok(Some(activity))
}

/// Returns the paths of an input that exist and hold files, and notes an
/// absent or empty one as not provided.
fn existing(cx: &mut Context<'_>, kind: InputKind, zh: &str, en: &str) -> Vec<PathBuf> {
    let paths = cx.case.input_paths(kind);
    let (present, absent): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .into_iter()
        .partition(|p| !crate::tables::files_under(std::slice::from_ref(p)).is_empty());
    for path in absent {
        cx.input_missing(zh, en, &path);
    }
    present
}

/// The files of one side with exact copies left out and reported: the
/// same export saved twice would count every call twice. Only files of equal
/// size are compared, so large exports are read again only when they could
/// be copies.
fn without_duplicates(cx: &mut Context<'_>, paths: &[PathBuf]) -> Vec<PathBuf> {
    let files = crate::tables::files_under(paths);
    let mut kept: Vec<(PathBuf, u64)> = Vec::new();
    for file in files {
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let copy_of = kept
            .iter()
            .filter(|(_, s)| *s == size && size > 0)
            .find(|(other, _)| nianshen_cdr::same_content(other, &file))
            .map(|(other, _)| other.clone());
        match copy_of {
            Some(original) => {
                let (file_shown, original_shown) = (cx.rel(&file), cx.rel(&original));
                cx.raise(
                    "inputs.duplicate_file",
                    &[("file", file_shown.clone()), ("same_as", original_shown)],
                    vec![Evidence::file(file_shown, String::new())],
                );
            }
            None => kept.push((file, size)),
        }
    }
    kept.into_iter().map(|(file, _)| file).collect()
}

/// Says which `[[mappings]]` match no call-record file and which have a
/// `time_format` that was ignored, instead of leaving them silently
/// unused.
fn mapping_notes(cx: &mut Context<'_>, options: &ReadOptions, files: &[PathBuf]) {
    let unmatched = options.unmatched_globs(files);
    for (index, entry) in cx.case.file.mappings.clone().iter().enumerate() {
        let n = index + 1;
        if unmatched.contains(&entry.files) {
            cx.input_missing(
                &format!("[[mappings]] 第 {n} 项 files 所指的话单"),
                &format!("the call records of [[mappings]] entry {n} (files)"),
                &cx.case.dir.join(&entry.files),
            );
        }
        let ignored = options
            .glob_mappings
            .get(index)
            .map_or(&[][..], |(_, m)| m.warnings.as_slice());
        let format = entry.mapping.get("time_format").and_then(|v| v.as_str());
        if let (Some(w), Some(format)) = (ignored.first(), format) {
            let reason = cx.t(w.message.clone(), w.message_en.clone());
            let row = toml_line(&cx.case.dir.join("case.toml"), "time_format", format);
            cx.bad_cell(
                &cx.case.dir.join("case.toml"),
                row,
                "time_format",
                format,
                reason,
            );
        }
    }
}

/// Finds the 1-based line of a TOML file that contains `key` and `value`
/// (1 when not found), so a finding can point at it.
fn toml_line(path: &std::path::Path, key: &str, value: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| {
            text.lines()
                .position(|l| l.trim_start().starts_with(key) && l.contains(value))
        })
        .map_or(1, |i| i as u64 + 1)
}

fn read_options(cx: &Context<'_>) -> Result<ReadOptions, CheckError> {
    let mut glob_mappings = Vec::new();
    for (index, entry) in cx.case.file.mappings.iter().enumerate() {
        let mapping = Mapping::from_table(&entry.mapping).map_err(|e| CheckError::Mapping {
            index: index + 1,
            message: e.message(cx.lang),
        })?;
        glob_mappings.push((entry.files.clone(), mapping));
    }
    Ok(ReadOptions {
        vocabulary: Vocabulary::from_pack(cx.pack),
        default_tz: beijing(),
        mapping: None,
        glob_mappings,
        glob_base: Some(cx.case.dir.clone()),
        unmask: cx.unmask,
        // The files come from the case's folders, expanded above.
        pass_over_unreadable: true,
    })
}

fn reconcile(cx: &mut Context<'_>, local: &Side, carrier: &Side) -> Result<Value, CheckError> {
    let thresholds = cx.pack.thresholds.clone();
    let options = MatchOptions {
        tolerance_secs: thresholds.cdr_match_tolerance_secs,
        talk_tolerance_secs: thresholds.cdr_talk_tolerance_secs,
        billing: thresholds.cdr_billing_increment,
    };
    let recon = nianshen_cdr::reconcile(local, carrier, &options)?;
    let value = serde_json::to_value(&recon).unwrap_or(Value::Null);

    let rate = |name: &str| value["rates"][name].as_f64();
    let side = |who: &str, name: &str| value[who][name].as_u64().unwrap_or(0).to_string();
    let rules = [
        (
            "cdr.count_mismatch",
            thresholds.cdr_count_mismatch_rate,
            &thresholds.cdr_count_rates,
        ),
        (
            "cdr.duration_mismatch",
            thresholds.cdr_duration_mismatch_rate,
            &thresholds.cdr_duration_rates,
        ),
    ];
    for (rule, threshold, measures) in rules {
        for measure in measures {
            let Some(r) = rate(measure) else { continue };
            if r >= threshold {
                // The engine's diagnoses (a time-zone offset, lost zeros,
                // overlapping files) point to the cause.
                let evidence = engine_warnings(cx, &value);
                cx.raise(
                    rule,
                    &[
                        ("measure", measure_name(cx, measure)),
                        ("local", side("local", measure)),
                        ("carrier", side("carrier", measure)),
                        ("rate", percent(r)),
                        ("threshold", percent(threshold)),
                    ],
                    evidence,
                );
            }
        }
    }

    unmatched_share(cx, &value, thresholds.cdr_count_mismatch_rate);
    billing_share(cx, &value, thresholds.cdr_billing_mismatch_rate);

    let count = |name: &str| value[name].as_u64().unwrap_or(0).to_string();
    cx.raise(
        "cdr.summary",
        &[
            ("matched", count("matched")),
            ("local_only", count("local_only")),
            ("carrier_only", count("carrier_only")),
            ("duration_mismatch", count("duration_mismatch")),
            (
                "billing_differs",
                value["classes"]["billing_differs"]
                    .as_u64()
                    .unwrap_or(0)
                    .to_string(),
            ),
            (
                "increment",
                value["billing"]["increment"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ),
        ],
        Vec::new(),
    );
    Ok(value)
}

/// Raises `cdr.billing_mismatch` when the matched calls whose billed time,
/// recomputed from the local talk time under the increment, differs from
/// the bill's reach the threshold as a share of the calls compared. The
/// warnings that the billed column looks like seconds or that the bill
/// charges per second go with it as evidence.
fn billing_share(cx: &mut Context<'_>, value: &Value, threshold: f64) {
    let billing = &value["billing"];
    let number = |v: &Value| v.as_i64().unwrap_or(0);
    let compared = number(&billing["compared"]);
    let differs = number(&value["classes"]["billing_differs"]);
    if compared <= 0 {
        return;
    }
    let share = differs as f64 / compared as f64;
    if share < threshold {
        return;
    }
    let mut evidence = Vec::new();
    for warning in value["warnings"].as_array().into_iter().flatten() {
        let id = warning["id"].as_str().unwrap_or_default();
        if !["billed_column_looks_like_seconds", "billed_per_second"].contains(&id) {
            continue;
        }
        let zh = warning["message"].as_str().unwrap_or_default();
        let en = warning["message_en"].as_str().unwrap_or(zh);
        evidence.push(Evidence::note(cx.t(zh, en)));
    }
    cx.raise(
        "cdr.billing_mismatch",
        &[
            (
                "increment",
                billing["increment"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ),
            ("count", differs.to_string()),
            ("compared", compared.to_string()),
            ("rate", percent(share)),
            ("threshold", percent(threshold)),
            (
                "carrier_higher",
                number(&billing["carrier_higher"]).to_string(),
            ),
            (
                "carrier_lower",
                number(&billing["carrier_lower"]).to_string(),
            ),
            (
                "difference_minutes",
                number(&billing["difference_minutes"]).to_string(),
            ),
            ("difference", billed_difference(cx, billing)),
        ],
        evidence,
    );
}

/// Formats the billed difference of the bill against the recomputed
/// amounts in the unit they were compared in: minutes, seconds, or both
/// when the bill's files differ.
fn billed_difference(cx: &Context<'_>, billing: &Value) -> String {
    let minutes = billing["difference_minutes"].as_i64().unwrap_or(0);
    let seconds = billing["difference_seconds"].as_i64().unwrap_or(0);
    match billing["unit"].as_str() {
        Some("seconds") => cx.t(format!("{seconds} 秒"), format!("{seconds} seconds")),
        Some("mixed") => cx.t(
            format!("{minutes} 分钟和 {seconds} 秒"),
            format!("{minutes} minutes and {seconds} seconds"),
        ),
        _ => cx.t(format!("{minutes} 分钟"), format!("{minutes} minutes")),
    }
}

/// Totals can agree while the records do not: every call shifted by an hour
/// matches nothing. Records left unmatched on either side, as a share of the
/// carrier's answered calls, count toward `cdr.count_mismatch` too, with the
/// engine's warnings (e.g. a likely time-zone offset) as evidence.
fn unmatched_share(cx: &mut Context<'_>, value: &Value, threshold: f64) {
    let number = |name: &str| value[name].as_u64().unwrap_or(0);
    let carrier = value["carrier"]["answered"].as_u64().unwrap_or(0);
    let unmatched = number("local_only") + number("carrier_only");
    if carrier == 0
        || value["rates"]["answered"]
            .as_f64()
            .is_some_and(|r| r >= threshold)
    {
        return;
    }
    let share = unmatched as f64 / carrier as f64;
    if share < threshold {
        return;
    }
    let evidence = engine_warnings(cx, value);
    cx.raise(
        "cdr.count_mismatch",
        &[
            (
                "measure",
                cx.t(
                    "逐条未能匹配的通话",
                    "calls left unmatched record by record",
                ),
            ),
            ("local", number("local_only").to_string()),
            ("carrier", number("carrier_only").to_string()),
            ("rate", percent(share)),
            ("threshold", percent(threshold)),
        ],
        evidence,
    );
}

/// Returns the reconciliation's warnings as notes of evidence, in the
/// language of the run.
fn engine_warnings(cx: &Context<'_>, value: &Value) -> Vec<Evidence> {
    value["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|warning| {
            let zh = warning["message"].as_str().unwrap_or_default();
            let en = warning["message_en"].as_str().unwrap_or(zh);
            Evidence::note(cx.t(zh, en))
        })
        .collect()
}

fn measure_name(cx: &Context<'_>, measure: &str) -> String {
    match measure {
        "answered" => cx.t("接通通话数", "answered calls"),
        "talk_seconds" => cx.t("通话秒数", "talk seconds"),
        "billed_minutes" => cx.t("计费分钟数", "billed minutes"),
        other => other.to_string(),
    }
}

/// Files passed over, unreadable rows, masked numbers, total rows that
/// disagree with the data and rows whose disposition and talk time
/// disagree.
fn side_quality(cx: &mut Context<'_>, stats: &SideStats, side: String) {
    for skipped in &stats.skipped_files {
        let reason = cx.t(skipped.reason_zh.clone(), skipped.reason_en.clone());
        cx.input_unreadable(&skipped.path, reason);
    }
    if stats.unreadable_rows > 0 {
        let evidence = stats
            .bad_rows
            .iter()
            .take(20)
            .map(|b| bad_row_evidence(cx, b))
            .collect();
        cx.raise(
            "cdr.unreadable_rows",
            &[
                ("side", side.clone()),
                ("count", stats.unreadable_rows.to_string()),
            ],
            evidence,
        );
    }
    if stats.masked_numbers > 0 {
        cx.raise(
            "cdr.masked_numbers",
            &[
                ("side", side.clone()),
                ("count", stats.masked_numbers.to_string()),
            ],
            Vec::new(),
        );
    }
    for total in &stats.total_rows {
        if (total.stated - total.summed).abs() < 0.005 {
            continue;
        }
        let file = cx.rel(&total.file);
        cx.raise(
            "cdr.total_row_mismatch",
            &[
                ("file", file.clone()),
                ("row", total.row.to_string()),
                ("column", total.column.clone()),
                ("stated", trim_number(total.stated)),
                ("summed", trim_number(total.summed)),
            ],
            vec![Evidence {
                file: Some(file),
                row: Some(total.row),
                column: Some(total.column.clone()),
                value: Some(trim_number(total.stated)),
                ..Evidence::default()
            }],
        );
    }
    if let Some((file_idx, row, text)) = &stats.billed_unreadable_first {
        billed_unreadable(cx, &side, stats, (*file_idx, *row, text));
    }
    if stats.disposition_talk_conflicts > 0 {
        cx.raise(
            "cdr.data_quality",
            &[
                ("side", side),
                ("count", stats.disposition_talk_conflicts.to_string()),
            ],
            Vec::new(),
        );
    }
}

/// Raises `cdr.billed_unreadable` for a side whose answered calls have
/// billed cells that are neither numbers nor durations, naming the first
/// one (`file_idx` into the side's files, its row and text).
fn billed_unreadable(
    cx: &mut Context<'_>,
    side: &str,
    stats: &SideStats,
    (file_idx, row, text): (u32, u64, &str),
) {
    let info = stats.files.get(file_idx as usize);
    let file = info.map_or_else(String::new, |f| cx.rel(&f.path));
    let column = info
        .and_then(|f| {
            ["billed_minutes", "billed_seconds"]
                .iter()
                .find_map(|role| f.columns.get(*role))
        })
        .cloned()
        .unwrap_or_default();
    let value = if cx.unmask {
        text.to_string()
    } else {
        nianshen_cdr::mask_text(text)
    };
    cx.raise(
        "cdr.billed_unreadable",
        &[
            ("side", side.to_string()),
            ("count", stats.billed_unreadable.to_string()),
            ("file", file.clone()),
            ("row", row.to_string()),
            ("column", column.clone()),
            ("value", value.clone()),
        ],
        vec![Evidence {
            file: Some(file),
            sheet: info.and_then(|f| f.sheet.clone()),
            row: Some(row),
            column: Some(column),
            value: Some(value),
            ..Evidence::default()
        }],
    );
}

fn bad_row_evidence(cx: &Context<'_>, bad: &nianshen_cdr::BadRow) -> Evidence {
    Evidence {
        file: Some(cx.rel(&bad.file)),
        sheet: bad.sheet.clone(),
        row: Some(bad.row),
        column: bad.column.clone(),
        value: Some(bad.value.clone()),
        note: cx.t(bad.reason_zh.clone(), bad.reason_en.clone()),
    }
}

fn trim_number(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.2}")
    }
}

/// Rounds to `places` decimals as an integer count of the last place, so
/// two figures compare exactly "at the precision declared".
fn at_precision(x: f64, places: u32) -> i64 {
    (x * 10f64.powi(places as i32)).round() as i64
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// Declared operating figures against the ones computed from the export.
/// Counts compare exactly; rates and averages at the pack's precision.
fn declared_figures(cx: &mut Context<'_>, stats: &SideStats) -> Vec<Value> {
    let declared = cx.case.file.declared.clone();
    let precision = cx.pack.precision.clone();
    let mut rows = Vec::new();

    let counts = [
        (
            "seats",
            cx.t("座席数", "seats"),
            // An export without an agent column cannot count seats.
            declared
                .seats
                .map(u64::from)
                .filter(|_| !stats.agents.is_empty()),
            stats.agents.len() as u64,
        ),
        (
            "outbound_calls",
            cx.t("外呼总量", "outbound calls"),
            declared.outbound_calls,
            stats.outbound_attempts,
        ),
    ];
    for (id, name, stated, computed) in counts {
        let Some(stated) = stated else { continue };
        compare(
            cx,
            &mut rows,
            "cdr.declared_mismatch",
            id,
            name,
            stated.to_string(),
            computed.to_string(),
            stated == computed,
        );
    }

    let conversion = stats
        .has_outcome_column
        .then(|| ratio(stats.conversions, stats.answered_outbound))
        .flatten();
    let rates = [
        (
            "connection_rate",
            cx.t("接通率", "connection rate"),
            declared.connection_rate,
            ratio(stats.answered_outbound, stats.outbound_attempts),
            precision.connection_rate,
        ),
        (
            "avg_talk_seconds",
            cx.t("平均通话时长（秒）", "average talk time (s)"),
            declared.avg_talk_seconds,
            ratio(stats.talk_seconds_all, stats.answered_all),
            precision.avg_talk_seconds,
        ),
        (
            "conversion_rate",
            cx.t("营销转化率", "conversion rate"),
            declared.conversion_rate,
            conversion,
            precision.conversion_rate,
        ),
    ];
    compare_rates(cx, &mut rows, "cdr.declared_mismatch", rates);
    rows
}

/// Records one declared-vs-computed row and raises `rule` when they differ.
#[allow(clippy::too_many_arguments)]
fn compare(
    cx: &mut Context<'_>,
    rows: &mut Vec<Value>,
    rule: &str,
    id: &str,
    name: String,
    declared: String,
    computed: String,
    ok: bool,
) {
    rows.push(
        json!({ "figure": id, "name": name, "declared": declared, "computed": computed, "ok": ok }),
    );
    if !ok {
        cx.raise_at(
            rule,
            Severity::Red,
            &[
                ("figure", name),
                ("declared", declared),
                ("computed", computed),
            ],
            vec![Evidence {
                file: Some("case.toml".into()),
                column: Some(format!("declared.{id}")),
                ..Evidence::default()
            }],
        );
    }
}

/// A declared rate or average: id, name, declared, computed, decimal places.
type RateFigure = (&'static str, String, Option<f64>, Option<f64>, u32);

/// Compares declared rates with computed ones at their precision, skipping
/// those where either side is absent.
fn compare_rates<const N: usize>(
    cx: &mut Context<'_>,
    rows: &mut Vec<Value>,
    rule: &str,
    rates: [RateFigure; N],
) {
    for (id, name, stated, computed, places) in rates {
        let (Some(stated), Some(computed)) = (stated, computed) else {
            continue;
        };
        let ok = at_precision(stated, places) == at_precision(computed, places);
        let shown = format!("{:.*}", places as usize, computed);
        compare(cx, rows, rule, id, name, stated.to_string(), shown, ok);
    }
}

/// Compares the complaint figures of the annual report with the log: the
/// count exactly, the response and complaint rates at the pack's precision.
pub fn compare_complaints(
    cx: &mut Context<'_>,
    count: u64,
    response_rate: Option<f64>,
    complaint_rate: Option<f64>,
) -> Vec<Value> {
    let declared = cx.case.file.declared.clone();
    let precision = cx.pack.precision.clone();
    let rule = "complaints.declared_mismatch";
    let mut rows = Vec::new();
    if let Some(stated) = declared.complaints {
        let name = cx.t("用户投诉数", "user complaints");
        compare(
            cx,
            &mut rows,
            rule,
            "complaints",
            name,
            stated.to_string(),
            count.to_string(),
            stated == count,
        );
    }
    let rates = [
        (
            "complaint_response_rate",
            cx.t("投诉响应率", "complaint response rate"),
            declared.complaint_response_rate,
            response_rate,
            precision.complaint_response_rate,
        ),
        (
            "complaint_rate",
            cx.t("投诉率", "complaint rate"),
            declared.complaint_rate,
            complaint_rate,
            precision.complaint_rate,
        ),
    ];
    compare_rates(cx, &mut rows, rule, rates);
    rows
}
