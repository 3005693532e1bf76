//! The reconciliation's record lists and tables as CSV with a UTF-8 BOM
//! (so Excel shows the Chinese headers), written as one set (see
//! [`crate::staging`]).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use chrono::FixedOffset;

use crate::billed_unit::BilledUnit;
use crate::billing::{PairClassifier, RecordClass};
use crate::matching::{Detail, MatchOptions, Recon};
use crate::model::{Record, Side};
use crate::row::{fmt_time, show};
use crate::spill::Gathered;

/// Writes `local_only.csv`, `carrier_only.csv`, `duration_mismatch.csv`,
/// `billing_mismatch.csv`, `per_day.csv`, `per_number.csv` and
/// `per_agent.csv` into `out_dir` (created when missing). Numbers are
/// masked unless `unmask`. The tables count the billing differences of
/// the local records (by day, calling number and agent).
///
/// Errors: the folder or a file cannot be written. The lists are written
/// into a staging folder first and moved into `out_dir` once all of them
/// are complete, so on any error `out_dir` keeps the lists it had.
pub fn write_recon_csv(
    recon: &Recon,
    local: &Side,
    carrier: &Side,
    out_dir: &Path,
    unmask: bool,
) -> std::io::Result<()> {
    let _span = tracing::info_span!("write lists").entered();
    let staging = crate::staging::Staging::create(out_dir)?;
    write_lists(recon, local, carrier, staging.path(), unmask)?;
    staging.publish(out_dir)
}

/// Writes the lists of [`write_recon_csv`] into `out_dir`, which exists.
fn write_lists(
    recon: &Recon,
    local: &Side,
    carrier: &Side,
    out_dir: &Path,
    unmask: bool,
) -> std::io::Result<()> {
    let classifier = PairClassifier::new(carrier, &options_of(recon));
    let (local_files, carrier_files) = (file_names(local), file_names(carrier));
    let sides = Sides {
        local,
        carrier,
        local_files: &local_files,
        carrier_files: &carrier_files,
        unmask,
        classifier: &classifier,
    };
    let mut jobs = match &recon.detail {
        Detail::Indexed {
            local_unmatched,
            carrier_unmatched,
            differing,
        } => indexed_jobs(
            sides,
            (local_unmatched, carrier_unmatched, differing),
            out_dir,
        ),
        Detail::Gathered(g) => gathered_jobs(g, sides, out_dir),
    };
    jobs.push(Box::new(|| {
        write_csv(out_dir, "per_day.csv", &DAY_HEAD, ok_rows(per_day(recon)))
    }));
    use rayon::prelude::*;
    jobs.into_par_iter().try_for_each(|job| job())
}

/// The two sides, whether numbers are shown unmasked, and the classifier
/// of matched pairs.
#[derive(Clone, Copy)]
struct Sides<'a> {
    local: &'a Side,
    carrier: &'a Side,
    /// The names of each side's files as the lists show them, made once
    /// rather than per row.
    local_files: &'a [String],
    carrier_files: &'a [String],
    unmask: bool,
    classifier: &'a PairClassifier,
}

/// Returns the options the reconciliation ran with, as far as the classes
/// need them.
fn options_of(recon: &Recon) -> MatchOptions {
    MatchOptions {
        tolerance_secs: recon.tolerance_secs,
        talk_tolerance_secs: recon.talk_tolerance_secs,
        billing: recon.billing.increment,
    }
}

/// Writing one list, run on a thread of its own: the per-number sums walk
/// every record of both sides.
type Job<'j> = Box<dyn FnOnce() -> std::io::Result<()> + Send + 'j>;

/// Builds the list jobs of a reconciliation whose sides were held in memory.
fn indexed_jobs<'j>(
    s: Sides<'j>,
    (local_unmatched, carrier_unmatched, differing): (&'j [u32], &'j [u32], &'j [(u32, u32)]),
    out_dir: &'j Path,
) -> Vec<Job<'j>> {
    // Listed in the order of the files, as the user reads them.
    let records = move |side: &'j Side, names: &'j [String], idx: &'j [u32]| {
        let mut listed: Vec<&Record> = idx
            .iter()
            .filter_map(|i| side.records.get(*i as usize))
            .collect();
        listed.sort_unstable_by_key(|r| (r.file, r.row));
        listed
            .into_iter()
            .map(move |r| Ok(record_cells(side, names, r, s.unmask)))
    };
    vec![
        Box::new(move || {
            let rows = records(s.local, s.local_files, local_unmatched);
            write_csv(out_dir, "local_only.csv", &RECORD_HEAD, rows)
        }),
        Box::new(move || {
            let rows = records(s.carrier, s.carrier_files, carrier_unmatched);
            write_csv(out_dir, "carrier_only.csv", &RECORD_HEAD, rows)
        }),
        Box::new(move || {
            let rows = indexed_pairs(differing, s, RecordClass::DurationDiffers)
                .map(|(l, c)| Ok(mismatch_cells(l, c, s)));
            write_csv(out_dir, "duration_mismatch.csv", &MISMATCH_HEAD, rows)
        }),
        Box::new(move || {
            let rows = indexed_pairs(differing, s, RecordClass::BillingDiffers)
                .map(|(l, c)| Ok(billing_cells(l, c, s)));
            write_csv(out_dir, "billing_mismatch.csv", &billing_head(), rows)
        }),
        Box::new(move || {
            let billing =
                billing_by_caller(indexed_pairs(differing, s, RecordClass::BillingDiffers));
            let rows = per_number(s.local, s.carrier, &billing, s.unmask);
            write_csv(out_dir, "per_number.csv", &NUMBER_HEAD, ok_rows(rows))
        }),
        Box::new(move || {
            let rows = per_agent(local_unmatched, differing, s);
            write_csv(out_dir, "per_agent.csv", &AGENT_HEAD, ok_rows(rows))
        }),
    ]
}

/// Builds the list jobs of a reconciliation matched partition by partition:
/// records merged from their sorted runs on disk, tables from the sums.
fn gathered_jobs<'j>(g: &'j Gathered, s: Sides<'j>, out_dir: &'j Path) -> Vec<Job<'j>> {
    let records = move |side: &'j Side, names: &'j [String], runs: &'j crate::spill::Runs| {
        Ok::<_, std::io::Error>(
            runs.merged()?
                .map(move |item| item.map(|(r, _)| record_cells(side, names, &r, s.unmask))),
        )
    };
    vec![
        Box::new(move || {
            let rows = records(s.local, s.local_files, &g.local_only)?;
            write_csv(out_dir, "local_only.csv", &RECORD_HEAD, rows)
        }),
        Box::new(move || {
            let rows = records(s.carrier, s.carrier_files, &g.carrier_only)?;
            write_csv(out_dir, "carrier_only.csv", &RECORD_HEAD, rows)
        }),
        Box::new(move || {
            let rows = merged_pairs(&g.mismatches, move |l, c| mismatch_cells(l, c, s))?;
            write_csv(out_dir, "duration_mismatch.csv", &MISMATCH_HEAD, rows)
        }),
        Box::new(move || {
            let rows = merged_pairs(&g.billing_mismatches, move |l, c| billing_cells(l, c, s))?;
            write_csv(out_dir, "billing_mismatch.csv", &billing_head(), rows)
        }),
        Box::new(move || {
            let mut by = BTreeMap::new();
            add_number_sums(
                s.local,
                0,
                g.local_numbers.iter().map(|(k, v)| (*k, v[0], v[1])),
                &mut by,
            );
            let carrier = g.carrier_numbers.iter().map(|(k, v)| (*k, v[0], v[1]));
            add_number_sums(s.carrier, 2, carrier, &mut by);
            add_billing_sums(s.local, &g.billing_by_caller, &mut by);
            write_csv(
                out_dir,
                "per_number.csv",
                &NUMBER_HEAD,
                ok_rows(number_rows(by, s.unmask)),
            )
        }),
        Box::new(move || {
            let rows = agent_rows(&g.agents, &g.billing_by_agent, s.local);
            write_csv(out_dir, "per_agent.csv", &AGENT_HEAD, ok_rows(rows))
        }),
    ]
}

/// Yields the rows of a list of pairs from their sorted runs on disk.
fn merged_pairs<'r>(
    runs: &'r crate::spill::Runs,
    cells: impl Fn(&Record, &Record) -> Vec<String> + 'r,
) -> std::io::Result<impl Iterator<Item = std::io::Result<Vec<String>>> + 'r> {
    Ok(runs.merged()?.map(move |item| {
        let (l, c) = item?;
        let c = c.ok_or_else(|| std::io::Error::other("pair without a partner"))?;
        Ok(cells(&l, &c))
    }))
}

/// Rows made in memory, as the rows [`write_csv`] takes.
fn ok_rows(rows: Vec<Vec<String>>) -> impl Iterator<Item = std::io::Result<Vec<String>>> {
    rows.into_iter().map(Ok)
}

const RECORD_HEAD: [&str; 8] = [
    "文件",
    "行号",
    "主叫号码",
    "被叫号码",
    "时间",
    "通话时长(秒)",
    "计费时长(分钟)",
    "坐席",
];

const DAY_HEAD: [&str; 7] = [
    "日期",
    "本地接通",
    "本地通话秒数",
    "运营商接通",
    "运营商通话秒数",
    "匹配",
    "计费不一致",
];

const NUMBER_HEAD: [&str; 6] = [
    "主叫号码",
    "本地接通",
    "本地通话秒数",
    "运营商接通",
    "运营商通话秒数",
    "计费不一致",
];

const AGENT_HEAD: [&str; 5] = ["坐席", "接通", "通话秒数", "匹配", "计费不一致"];

fn per_day(recon: &Recon) -> Vec<Vec<String>> {
    recon
        .per_day
        .iter()
        .map(|d| {
            vec![
                d.date.to_string(),
                d.local_answered.to_string(),
                d.local_talk_seconds.to_string(),
                d.carrier_answered.to_string(),
                d.carrier_talk_seconds.to_string(),
                d.matched.to_string(),
                d.billing_differs.to_string(),
            ]
        })
        .collect()
}

/// The columns `billing_mismatch.csv` adds to those of
/// `duration_mismatch.csv`.
const BILLING_EXTRA_HEAD: [&str; 5] = [
    "计费方式",
    "按本地时长应计费(秒)",
    "按本地时长应计费(分钟)",
    "运营商计费时长(分钟)",
    "运营商计费时长(秒)",
];

fn billing_head() -> Vec<&'static str> {
    MISMATCH_HEAD
        .iter()
        .chain(&BILLING_EXTRA_HEAD)
        .copied()
        .collect()
}

const MISMATCH_HEAD: [&str; 9] = [
    "本地文件",
    "本地行号",
    "运营商文件",
    "运营商行号",
    "主叫号码",
    "被叫号码",
    "本地时间",
    "本地通话时长(秒)",
    "运营商通话时长(秒)",
];

fn tz_of(side: &Side, r: &Record) -> FixedOffset {
    let secs = side
        .stats
        .files
        .get(r.file as usize)
        .map_or(8 * 3600, |f| f.tz_secs);
    FixedOffset::east_opt(secs).unwrap_or_else(crate::read::beijing)
}

/// Returns each file's name as the lists show it: its path, and its sheet
/// in brackets.
fn file_names(side: &Side) -> Vec<String> {
    let name = |f: &crate::model::FileInfo| match &f.sheet {
        Some(s) => format!("{} [{s}]", f.path.display()),
        None => f.path.display().to_string(),
    };
    side.stats.files.iter().map(name).collect()
}

fn file_of(names: &[String], r: &Record) -> String {
    names.get(r.file as usize).cloned().unwrap_or_default()
}

fn record_cells(side: &Side, names: &[String], r: &Record, unmask: bool) -> Vec<String> {
    vec![
        file_of(names, r),
        r.row.to_string(),
        show(&side.number(r.caller), unmask),
        show(&side.number(r.callee), unmask),
        fmt_time(r.epoch(), tz_of(side, r)),
        r.talk_secs.to_string(),
        side.billed_minutes(r).to_string(),
        side.agent(r).unwrap_or("").to_string(),
    ]
}

/// Yields the differing pairs of one class, as records, in the order of
/// the local files.
fn indexed_pairs<'a>(
    differing: &'a [(u32, u32)],
    s: Sides<'a>,
    class: RecordClass,
) -> impl Iterator<Item = (&'a Record, &'a Record)> + 'a {
    let mut listed: Vec<(&Record, &Record)> = differing
        .iter()
        .filter_map(|(l, c)| {
            Some((
                s.local.records.get(*l as usize)?,
                s.carrier.records.get(*c as usize)?,
            ))
        })
        .filter(|(l, c)| s.classifier.class(l, c) == class)
        .collect();
    listed.sort_unstable_by_key(|(l, _)| (l.file, l.row));
    listed.into_iter()
}

/// Returns the billing differences per local caller key.
fn billing_by_caller<'a>(
    pairs: impl Iterator<Item = (&'a Record, &'a Record)>,
) -> HashMap<u64, u64, crate::tally::FastHash> {
    let mut by = HashMap::default();
    for (l, _) in pairs {
        *by.entry(l.caller).or_default() += 1;
    }
    by
}

fn billing_cells(l: &Record, c: &Record, s: Sides<'_>) -> Vec<String> {
    let mut row = mismatch_cells(l, c, s);
    row.push(s.classifier.increment().to_string());
    match s.classifier.billed(l, c) {
        Some(b) => {
            // The bill's amount goes in the column of its unit.
            let (minutes, seconds) = match b.unit {
                BilledUnit::Minutes => (b.carrier.to_string(), String::new()),
                BilledUnit::Seconds => (String::new(), b.carrier.to_string()),
            };
            row.extend([
                b.recomputed_secs.to_string(),
                b.recomputed_minutes.to_string(),
                minutes,
                seconds,
            ]);
        }
        None => row.extend([String::new(), String::new(), String::new(), String::new()]),
    }
    row
}

fn mismatch_cells(l: &Record, c: &Record, s: Sides<'_>) -> Vec<String> {
    let (local, unmask) = (s.local, s.unmask);
    vec![
        file_of(s.local_files, l),
        l.row.to_string(),
        file_of(s.carrier_files, c),
        c.row.to_string(),
        show(&local.number(l.caller), unmask),
        show(&local.number(l.callee), unmask),
        fmt_time(l.epoch(), tz_of(local, l)),
        l.talk_secs.to_string(),
        c.talk_secs.to_string(),
    ]
}

/// Sums of a table row per number: local records and talk seconds, then
/// the carrier's, then the local billing differences.
type NumberRow = [u64; 5];

/// Adds per-caller sums `(key, records, talk seconds)` of a side at
/// column `at` (0 local, 2 carrier), by the number each key stands for.
fn add_number_sums(
    side: &Side,
    at: usize,
    sums: impl Iterator<Item = (u64, u64, u64)>,
    by: &mut BTreeMap<String, NumberRow>,
) {
    for (key, n, talk) in sums {
        let e = by.entry(side.number(key).into_owned()).or_default();
        e[at] += n;
        e[at + 1] += talk;
    }
}

/// Adds the billing differences per local caller key.
fn add_billing_sums(
    local: &Side,
    billing: &HashMap<u64, u64, crate::tally::FastHash>,
    by: &mut BTreeMap<String, NumberRow>,
) {
    for (key, n) in billing {
        by.entry(local.number(*key).into_owned()).or_default()[4] += n;
    }
}

fn number_rows(by: BTreeMap<String, NumberRow>, unmask: bool) -> Vec<Vec<String>> {
    by.into_iter()
        .map(|(n, v)| {
            let mut row = vec![show(&n, unmask)];
            row.extend(v.iter().map(u64::to_string));
            row
        })
        .collect()
}

fn per_number(
    local: &Side,
    carrier: &Side,
    billing: &HashMap<u64, u64, crate::tally::FastHash>,
    unmask: bool,
) -> Vec<Vec<String>> {
    // Summed by key first: formatting a number per record would cost more
    // than the sums themselves.
    let sums = |side: &Side, at: usize, by: &mut BTreeMap<String, NumberRow>| {
        if side.records.is_sorted_by_key(|r| r.caller) {
            // Records in matching order hold each caller in one run.
            let runs = side
                .records
                .chunk_by(|a, b| a.caller == b.caller)
                .map(|run| {
                    let talk = run.iter().map(|r| u64::from(r.talk_secs)).sum();
                    (run[0].caller, run.len() as u64, talk)
                });
            add_number_sums(side, at, runs, by);
            return;
        }
        let mut keyed: HashMap<u64, (u64, u64), crate::tally::FastHash> = HashMap::default();
        for r in &side.records {
            let e = keyed.entry(r.caller).or_default();
            e.0 += 1;
            e.1 += u64::from(r.talk_secs);
        }
        add_number_sums(side, at, keyed.into_iter().map(|(k, (n, t))| (k, n, t)), by);
    };
    let mut by: BTreeMap<String, NumberRow> = BTreeMap::new();
    sums(local, 0, &mut by);
    sums(carrier, 2, &mut by);
    add_billing_sums(local, billing, &mut by);
    number_rows(by, unmask)
}

fn per_agent(local_unmatched: &[u32], differing: &[(u32, u32)], s: Sides<'_>) -> Vec<Vec<String>> {
    // Summed by agent id first (0 is no agent), then named: a lookup by
    // name per record would cost more than the sums.
    let local = s.local;
    let mut sums = vec![[0u64; 3]; local.agents.len() + 1];
    let slot = |r: &Record| (r.agent as usize).min(local.agents.len());
    for r in &local.records {
        let e = &mut sums[slot(r)];
        e[0] += 1;
        e[1] += u64::from(r.talk_secs);
        // Matched: every record but the unmatched ones.
        e[2] += 1;
    }
    for r in local_unmatched
        .iter()
        .filter_map(|l| local.records.get(*l as usize))
    {
        sums[slot(r)][2] -= 1;
    }
    let mut billing = vec![0u64; local.agents.len() + 1];
    for (l, _) in indexed_pairs(differing, s, RecordClass::BillingDiffers) {
        billing[slot(l)] += 1;
    }
    agent_rows(&sums, &billing, local)
}

/// Builds the per-agent table from sums by agent id + 1 (records, talk
/// seconds, matched) and the billing differences by the same ids.
fn agent_rows(sums: &[[u64; 3]], billing: &[u64], local: &Side) -> Vec<Vec<String>> {
    let mut by: BTreeMap<&str, [u64; 4]> = BTreeMap::new();
    for (id, v) in sums.iter().enumerate().filter(|(_, v)| v[0] > 0) {
        let name = id
            .checked_sub(1)
            .and_then(|i| local.agents.get(i))
            .map_or("", String::as_str);
        let e = by.entry(name).or_default();
        for k in 0..3 {
            e[k] += v[k];
        }
        e[3] += billing.get(id).copied().unwrap_or(0);
    }
    by.into_iter()
        .map(|(a, v)| {
            let mut row = vec![a.to_string()];
            row.extend(v.iter().map(u64::to_string));
            row
        })
        .collect()
}

/// Writes a list into the staging folder `dir`. A row that fails to come
/// (a run on disk that cannot be read) fails the whole set.
fn write_csv(
    dir: &Path,
    name: &str,
    head: &[&str],
    rows: impl Iterator<Item = std::io::Result<Vec<String>>>,
) -> std::io::Result<()> {
    let _span = tracing::debug_span!("write", file = name).entered();
    let mut file = std::fs::File::create(dir.join(name))?;
    file.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    w.write_record(head)?;
    for row in rows {
        w.write_record(&row?)?;
    }
    w.flush()?;
    Ok(())
}
