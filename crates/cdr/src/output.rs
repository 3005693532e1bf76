//! The reconciliation's record lists and tables as CSV with a UTF-8 BOM
//! (so Excel shows the Chinese headers), each written atomically.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use chrono::FixedOffset;

use crate::matching::Recon;
use crate::model::{Record, Side};
use crate::row::{fmt_time, show};

/// Writes `local_only.csv`, `carrier_only.csv`, `duration_mismatch.csv`,
/// `per_day.csv`, `per_number.csv` and `per_agent.csv` into `out_dir`
/// (created when missing). Numbers are masked unless `unmask`.
///
/// Errors: the folder or a file cannot be written; a file already there
/// is replaced only once its new content is complete.
pub fn write_recon_csv(
    recon: &Recon,
    local: &Side,
    carrier: &Side,
    out_dir: &Path,
    unmask: bool,
) -> std::io::Result<()> {
    let _span = tracing::info_span!("write lists").entered();
    std::fs::create_dir_all(out_dir)?;
    // Listed in the order of the files, as the user reads them.
    let records = |side: &Side, idx: &[u32]| -> Vec<Vec<String>> {
        let mut listed: Vec<&Record> = idx
            .iter()
            .filter_map(|i| side.records.get(*i as usize))
            .collect();
        listed.sort_unstable_by_key(|r| (r.file, r.row));
        listed
            .into_iter()
            .map(|r| record_cells(side, r, unmask))
            .collect()
    };
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
        Box::new(|| write_csv(out_dir, "per_day.csv", &DAY_HEAD, per_day(recon))),
        Box::new(|| {
            let rows = per_number(local, carrier, unmask);
            write_csv(out_dir, "per_number.csv", &NUMBER_HEAD, rows)
        }),
        Box::new(|| write_csv(out_dir, "per_agent.csv", &AGENT_HEAD, per_agent(recon, local))),
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

const DAY_HEAD: [&str; 6] = [
    "日期",
    "本地接通",
    "本地通话秒数",
    "运营商接通",
    "运营商通话秒数",
    "匹配",
];

const NUMBER_HEAD: [&str; 5] = [
    "主叫号码",
    "本地接通",
    "本地通话秒数",
    "运营商接通",
    "运营商通话秒数",
];

const AGENT_HEAD: [&str; 4] = ["坐席", "接通", "通话秒数", "匹配"];

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

fn mismatches(recon: &Recon, local: &Side, carrier: &Side, unmask: bool) -> Vec<Vec<String>> {
    let mut listed: Vec<(&Record, &Record)> = recon
        .pairs
        .iter()
        .filter_map(|(l, c)| {
            Some((
                local.records.get(*l as usize)?,
                carrier.records.get(*c as usize)?,
            ))
        })
        .filter(|(l, c)| {
            l.talk_secs != c.talk_secs
                && (i64::from(l.talk_secs) - i64::from(c.talk_secs)).abs()
                    > recon.talk_tolerance_secs
        })
        .collect();
    listed.sort_unstable_by_key(|(l, _)| (l.file, l.row));
    listed
        .into_iter()
        .map(|(l, c)| {
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
        .collect()
}

fn per_number(local: &Side, carrier: &Side, unmask: bool) -> Vec<Vec<String>> {
    // Summed by key first: formatting a number per record would cost more
    // than the sums themselves.
    let sums = |side: &Side, at: usize, by: &mut BTreeMap<String, [u64; 4]>| {
        let mut add = |key: u64, n: u64, talk: u64| {
            let e = by.entry(side.number(key).into_owned()).or_default();
            e[at] += n;
            e[at + 1] += talk;
        };
        if side.records.is_sorted_by_key(|r| r.caller) {
            // Records in matching order hold each caller in one run.
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
    let mut by: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    sums(local, 0, &mut by);
    sums(carrier, 2, &mut by);
    by.into_iter()
        .map(|(n, v)| {
            let mut row = vec![show(&n, unmask)];
            row.extend(v.iter().map(u64::to_string));
            row
        })
        .collect()
}

fn per_agent(recon: &Recon, local: &Side) -> Vec<Vec<String>> {
    // Summed by agent id first (0 is no agent), then named: a lookup by
    // name per record would cost more than the sums.
    let mut sums = vec![[0u64; 3]; local.agents.len() + 1];
    let slot = |r: &Record| (r.agent as usize).min(local.agents.len());
    for r in &local.records {
        let e = &mut sums[slot(r)];
        e[0] += 1;
        e[1] += u64::from(r.talk_secs);
    }
    for (l, _) in &recon.pairs {
        if let Some(r) = local.records.get(*l as usize) {
            sums[slot(r)][2] += 1;
        }
    }
    let mut by: BTreeMap<&str, [u64; 3]> = BTreeMap::new();
    for (id, v) in sums.iter().enumerate().filter(|(_, v)| v[0] > 0) {
        let name = id
            .checked_sub(1)
            .and_then(|i| local.agents.get(i))
            .map_or("", String::as_str);
        let e = by.entry(name).or_default();
        for k in 0..3 {
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

fn write_csv(dir: &Path, name: &str, head: &[&str], rows: Vec<Vec<String>>) -> std::io::Result<()> {
    let _span = tracing::debug_span!("write", file = name, rows = rows.len()).entered();
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
