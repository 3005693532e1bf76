//! The reconciliation's record lists and tables as CSV with a UTF-8 BOM
//! (so Excel shows the Chinese headers), each written atomically.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use chrono::FixedOffset;

use crate::billing::{PairClassifier, RecordClass};
use crate::matching::{MatchOptions, Recon};
use crate::model::{Record, Side};
use crate::row::{fmt_time, show};

/// Writes `local_only.csv`, `carrier_only.csv`, `duration_mismatch.csv`,
/// `billing_mismatch.csv`, `per_day.csv`, `per_number.csv` and
/// `per_agent.csv` into `out_dir` (created when missing). Numbers are
/// masked unless `unmask`. The tables count the billing differences of
/// the local records (by day, calling number and agent).
///
/// Errors: the folder or a file cannot be written; a file already there
/// is replaced only once its new content is complete.
pub fn write_recon_csv<'a>(
    recon: &'a Recon,
    local: &'a Side,
    carrier: &'a Side,
    out_dir: &Path,
    unmask: bool,
) -> std::io::Result<()> {
    let _span = tracing::info_span!("write lists").entered();
    std::fs::create_dir_all(out_dir)?;
    // Listed in the order of the files, as the user reads them.
    // Rows are made as they are written, not held: at 10⁸ calls the lists
    // run to hundreds of thousands of rows each.
    let records = |side: &'a Side, idx: &'a [u32]| {
        let mut listed: Vec<&Record> = idx
            .iter()
            .filter_map(|i| side.records.get(*i as usize))
            .collect();
        listed.sort_unstable_by_key(|r| (r.file, r.row));
        listed
            .into_iter()
            .map(move |r| record_cells(side, r, unmask))
    };
    let classifier = PairClassifier::new(carrier, &options_of(recon));
    let differing = BillingCounts::of(recon, &classifier, local, carrier);
    // Each list is made and written on its own thread: the per-number
    // sums walk every record of both sides.
    type Job<'j> = Box<dyn FnOnce() -> std::io::Result<()> + Send + 'j>;
    let jobs: Vec<Job<'_>> = vec![
        Box::new(|| {
            let rows = records(local, &recon.local_unmatched);
            write_csv(out_dir, "local_only.csv", &RECORD_HEAD, rows)
        }),
        Box::new(|| {
            let rows = records(carrier, &recon.carrier_unmatched);
            write_csv(out_dir, "carrier_only.csv", &RECORD_HEAD, rows)
        }),
        Box::new(|| {
            let rows = mismatches(recon, local, carrier, unmask);
            write_csv(out_dir, "duration_mismatch.csv", &MISMATCH_HEAD, rows)
        }),
        Box::new(|| {
            let rows = billing_mismatches(recon, &classifier, local, carrier, unmask);
            write_csv(out_dir, "billing_mismatch.csv", &BILLING_HEAD, rows)
        }),
        Box::new(|| write_csv(out_dir, "per_day.csv", &DAY_HEAD, per_day(recon))),
        Box::new(|| {
            let rows = per_number(local, carrier, &differing, unmask);
            write_csv(out_dir, "per_number.csv", &NUMBER_HEAD, rows)
        }),
        Box::new(|| {
            let rows = per_agent(recon, local, &differing);
            write_csv(out_dir, "per_agent.csv", &AGENT_HEAD, rows)
        }),
    ];
    use rayon::prelude::*;
    jobs.into_par_iter().try_for_each(|job| job())
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

const BILLING_HEAD: [&str; 13] = [
    "本地文件",
    "本地行号",
    "运营商文件",
    "运营商行号",
    "主叫号码",
    "被叫号码",
    "本地时间",
    "本地通话时长(秒)",
    "运营商通话时长(秒)",
    "计费方式",
    "按本地时长应计费(秒)",
    "按本地时长应计费(分钟)",
    "运营商计费时长(分钟)",
];

/// Returns the options the reconciliation ran with, as far as the classes
/// need them.
fn options_of(recon: &Recon) -> MatchOptions {
    MatchOptions {
        tolerance_secs: recon.tolerance_secs,
        talk_tolerance_secs: recon.talk_tolerance_secs,
        billing: recon.billing.increment,
    }
}

/// Yields the matched pairs whose talk time or billing differs, as
/// records.
fn pair_records<'a>(
    recon: &'a Recon,
    local: &'a Side,
    carrier: &'a Side,
) -> impl Iterator<Item = (&'a Record, &'a Record)> + 'a {
    recon.differing.iter().filter_map(|(l, c)| {
        Some((
            local.records.get(*l as usize)?,
            carrier.records.get(*c as usize)?,
        ))
    })
}

/// Yields pairs in the order of the local files.
fn in_file_order<'a>(
    pairs: impl Iterator<Item = (&'a Record, &'a Record)>,
) -> impl Iterator<Item = (&'a Record, &'a Record)> {
    let mut listed: Vec<_> = pairs.collect();
    listed.sort_unstable_by_key(|(l, _)| (l.file, l.row));
    listed.into_iter()
}

/// Yields the rows of `billing_mismatch.csv` one by one, because under an
/// increment the bill does not use, nearly every pair differs.
fn billing_mismatches<'a>(
    recon: &'a Recon,
    classifier: &'a PairClassifier,
    local: &'a Side,
    carrier: &'a Side,
    unmask: bool,
) -> impl Iterator<Item = Vec<String>> + 'a {
    let increment = classifier.increment().to_string();
    in_file_order(pair_records(recon, local, carrier))
        .filter(|(l, c)| classifier.class(l, c) == RecordClass::BillingDiffers)
        .filter_map(move |(l, c)| {
            let billed = classifier.billed(l, c)?;
            Some(vec![
                file_of(local, l),
                l.row.to_string(),
                file_of(carrier, c),
                c.row.to_string(),
                show(&local.number(l.caller), unmask),
                show(&local.number(l.callee), unmask),
                fmt_time(l.epoch(), tz_of(local, l)),
                l.talk_secs.to_string(),
                c.talk_secs.to_string(),
                increment.clone(),
                billed.recomputed_secs.to_string(),
                billed.recomputed_minutes.to_string(),
                billed.carrier_minutes.to_string(),
            ])
        })
}

/// Billing differences of the local records by calling-number key and
/// by agent slot (0 no agent, else [`Record::agent`]), for the tables.
struct BillingCounts {
    by_caller: HashMap<u64, u64>,
    by_agent: Vec<u64>,
}

impl BillingCounts {
    fn of(recon: &Recon, classifier: &PairClassifier, local: &Side, carrier: &Side) -> Self {
        let mut counts = BillingCounts {
            by_caller: HashMap::new(),
            by_agent: vec![0; local.agents.len() + 1],
        };
        for (l, _) in pair_records(recon, local, carrier)
            .filter(|(l, c)| classifier.class(l, c) == RecordClass::BillingDiffers)
        {
            *counts.by_caller.entry(l.caller).or_default() += 1;
            counts.by_agent[(l.agent as usize).min(local.agents.len())] += 1;
        }
        counts
    }
}

fn tz_of(side: &Side, r: &Record) -> FixedOffset {
    let secs = side
        .stats
        .files
        .get(r.file as usize)
        .map_or(8 * 3600, |f| f.tz_secs);
    FixedOffset::east_opt(secs).unwrap_or_else(crate::read::beijing)
}

fn file_of(side: &Side, r: &Record) -> String {
    side.stats
        .files
        .get(r.file as usize)
        .map_or(String::new(), |f| match &f.sheet {
            Some(s) => format!("{} [{s}]", f.path.display()),
            None => f.path.display().to_string(),
        })
}

fn record_cells(side: &Side, r: &Record, unmask: bool) -> Vec<String> {
    vec![
        file_of(side, r),
        r.row.to_string(),
        show(&side.number(r.caller), unmask),
        show(&side.number(r.callee), unmask),
        fmt_time(r.epoch(), tz_of(side, r)),
        r.talk_secs.to_string(),
        r.billed_min.to_string(),
        side.agent(r).unwrap_or("").to_string(),
    ]
}

fn mismatches<'a>(
    recon: &'a Recon,
    local: &'a Side,
    carrier: &'a Side,
    unmask: bool,
) -> impl Iterator<Item = Vec<String>> + 'a {
    in_file_order(pair_records(recon, local, carrier))
        .filter(|(l, c)| {
            l.talk_secs != c.talk_secs
                && (i64::from(l.talk_secs) - i64::from(c.talk_secs)).abs()
                    > recon.talk_tolerance_secs
        })
        .map(move |(l, c)| {
            vec![
                file_of(local, l),
                l.row.to_string(),
                file_of(carrier, c),
                c.row.to_string(),
                show(&local.number(l.caller), unmask),
                show(&local.number(l.callee), unmask),
                fmt_time(l.epoch(), tz_of(local, l)),
                l.talk_secs.to_string(),
                c.talk_secs.to_string(),
            ]
        })
}

fn per_number(
    local: &Side,
    carrier: &Side,
    billing: &BillingCounts,
    unmask: bool,
) -> Vec<Vec<String>> {
    // Summed by key first: formatting a number per record would cost more
    // than the sums themselves.
    let sums = |side: &Side, at: usize, by: &mut BTreeMap<String, [u64; 5]>| {
        let mut add = |key: u64, n: u64, talk: u64| {
            let e = by.entry(side.number(key).into_owned()).or_default();
            e[at] += n;
            e[at + 1] += talk;
        };
        if side.records.is_sorted_by_key(|r| r.caller) {
            // In matching order, each caller's records form one run.
            for run in side.records.chunk_by(|a, b| a.caller == b.caller) {
                let talk = run.iter().map(|r| u64::from(r.talk_secs)).sum();
                add(run[0].caller, run.len() as u64, talk);
            }
            return;
        }
        let mut keyed: HashMap<u64, (u64, u64), crate::tally::FastHash> = HashMap::default();
        for r in &side.records {
            let e = keyed.entry(r.caller).or_default();
            e.0 += 1;
            e.1 += u64::from(r.talk_secs);
        }
        for (key, (n, talk)) in keyed {
            add(key, n, talk);
        }
    };
    let mut by: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    sums(local, 0, &mut by);
    sums(carrier, 2, &mut by);
    for (key, n) in &billing.by_caller {
        by.entry(local.number(*key).into_owned()).or_default()[4] += n;
    }
    by.into_iter()
        .map(|(n, v)| {
            let mut row = vec![show(&n, unmask)];
            row.extend(v.iter().map(u64::to_string));
            row
        })
        .collect()
}

fn per_agent(recon: &Recon, local: &Side, billing: &BillingCounts) -> Vec<Vec<String>> {
    // Summed by agent id first (0 is no agent), then named: a lookup by
    // name per record would cost more than the sums.
    let mut sums = vec![[0u64; 4]; local.agents.len() + 1];
    let slot = |r: &Record| (r.agent as usize).min(local.agents.len());
    for r in &local.records {
        let e = &mut sums[slot(r)];
        e[0] += 1;
        e[1] += u64::from(r.talk_secs);
    }
    // Matched: every record but the unmatched ones.
    for e in &mut sums {
        e[2] = e[0];
    }
    for r in recon
        .local_unmatched
        .iter()
        .filter_map(|l| local.records.get(*l as usize))
    {
        sums[slot(r)][2] -= 1;
    }
    for (slot, n) in billing.by_agent.iter().enumerate() {
        if let Some(e) = sums.get_mut(slot) {
            e[3] += n;
        }
    }
    let mut by: BTreeMap<&str, [u64; 4]> = BTreeMap::new();
    for (id, v) in sums.iter().enumerate().filter(|(_, v)| v[0] > 0) {
        let name = id
            .checked_sub(1)
            .and_then(|i| local.agents.get(i))
            .map_or("", String::as_str);
        let e = by.entry(name).or_default();
        for k in 0..4 {
            e[k] += v[k];
        }
    }
    by.into_iter()
        .map(|(a, v)| {
            let mut row = vec![a.to_string()];
            row.extend(v.iter().map(u64::to_string));
            row
        })
        .collect()
}

fn write_csv(
    dir: &Path,
    name: &str,
    head: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> std::io::Result<()> {
    let _span = tracing::debug_span!("write", file = name).entered();
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all("\u{feff}".as_bytes())?;
    {
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(tmp.as_file_mut()));
        w.write_record(head)?;
        for row in rows {
            w.write_record(&row)?;
        }
        w.flush()?;
    }
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}
