//! One-to-one matching of the two sides and the reconciliation figures.
//!
//! Within a key (caller, callee), every pair of records whose times are at
//! most the tolerance apart is a candidate. Candidates are taken in
//! ascending order of (talk times differ by more than the talk tolerance,
//! |time difference|, |talk difference|, local time, carrier time, local
//! record, carrier record) and a pair is accepted when neither record is
//! matched yet. The result is one-to-one and does not depend on the order
//! the files were given in beyond the record order used as last tie-break.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::model::{Record, Side, SideStats};

/// Matching tolerances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchOptions {
    /// Largest time difference of a pair, seconds (rule pack default 5).
    /// When either record's timestamp lacks seconds, at least
    /// [`NO_SECONDS_TOLERANCE_SECS`] is used.
    pub tolerance_secs: i64,
    /// Talk times further apart than this make a duration mismatch,
    /// seconds (default 1).
    pub talk_tolerance_secs: i64,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            tolerance_secs: 5,
            talk_tolerance_secs: 1,
        }
    }
}

/// Tolerance for records whose timestamps were written without seconds.
pub const NO_SECONDS_TOLERANCE_SECS: i64 = 60;

/// The figures of one side in the reconciliation summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SideSummary {
    pub files: Vec<crate::model::FileInfo>,
    pub rows: u64,
    pub answered: u64,
    pub talk_seconds: u64,
    pub billed_minutes: u64,
    pub unreadable_rows: u64,
    pub unusable_rows: u64,
    pub unusable_by_reason: BTreeMap<String, u64>,
    pub masked_numbers: u64,
    pub duplicates_removed: u64,
    pub disposition_talk_conflicts: u64,
    /// Total rows (合计) found below the data, with the sums above them.
    pub total_rows: Vec<crate::model::TotalRowCheck>,
}

impl SideSummary {
    fn of(s: &SideStats) -> Self {
        SideSummary {
            files: s.files.clone(),
            rows: s.rows,
            answered: s.answered,
            talk_seconds: s.talk_seconds,
            billed_minutes: s.billed_minutes,
            unreadable_rows: s.unreadable_rows,
            unusable_rows: s.unusable_rows,
            unusable_by_reason: s.unusable_by_reason.clone(),
            masked_numbers: s.masked_numbers,
            duplicates_removed: s.duplicates_removed,
            disposition_talk_conflicts: s.disposition_talk_conflicts,
            total_rows: s.total_rows.clone(),
        }
    }
}

/// Difference rates |local − carrier| / carrier; `None` when the carrier
/// figure is 0.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rates {
    pub answered: Option<f64>,
    pub talk_seconds: Option<f64>,
    pub billed_minutes: Option<f64>,
}

/// Figures of one calendar day (of each record's own time zone).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DayFigures {
    pub date: NaiveDate,
    pub local_answered: u64,
    pub local_talk_seconds: u64,
    pub carrier_answered: u64,
    pub carrier_talk_seconds: u64,
    pub matched: u64,
}

/// A note about the reconciliation, e.g. a likely time-zone offset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub id: String,
    /// The message in Chinese.
    pub message: String,
    pub message_en: String,
}

/// The reconciliation: the `recon cdr --json` summary plus the pairs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recon {
    pub local: SideSummary,
    pub carrier: SideSummary,
    pub matched: u64,
    pub local_only: u64,
    pub carrier_only: u64,
    pub duration_mismatch: u64,
    pub rates: Rates,
    pub per_day: Vec<DayFigures>,
    pub warnings: Vec<Warning>,
    pub tolerance_secs: i64,
    pub talk_tolerance_secs: i64,
    /// Matched pairs (local record index, carrier record index).
    #[serde(skip)]
    pub pairs: Vec<(u32, u32)>,
    /// Local records without a partner, by index.
    #[serde(skip)]
    pub local_unmatched: Vec<u32>,
    /// Carrier records without a partner, by index.
    #[serde(skip)]
    pub carrier_unmatched: Vec<u32>,
}

/// Matches the usable answered records of two sides one to one and
/// computes the figures.
pub fn reconcile(local: &Side, carrier: &Side, opts: &MatchOptions) -> Recon {
    let _span = tracing::info_span!("match").entered();
    let pairs = match_records(local, carrier, opts);
    let mut local_matched = vec![false; local.records.len()];
    let mut carrier_matched = vec![false; carrier.records.len()];
    let mut mismatched = 0u64;
    for (l, c) in &pairs {
        local_matched[*l as usize] = true;
        carrier_matched[*c as usize] = true;
        let (lr, cr) = (&local.records[*l as usize], &carrier.records[*c as usize]);
        if (i64::from(lr.talk_secs) - i64::from(cr.talk_secs)).abs() > opts.talk_tolerance_secs {
            mismatched += 1;
        }
    }
    let unmatched = |flags: &[bool]| -> Vec<u32> {
        flags
            .iter()
            .enumerate()
            .filter(|(_, m)| !**m)
            .map(|(i, _)| i as u32)
            .collect()
    };
    let (ls, cs) = (&local.stats, &carrier.stats);
    let recon = Recon {
        local: SideSummary::of(ls),
        carrier: SideSummary::of(cs),
        matched: pairs.len() as u64,
        local_only: ls.answered - pairs.len() as u64,
        carrier_only: cs.answered - pairs.len() as u64,
        duration_mismatch: mismatched,
        rates: Rates {
            answered: rate(ls.answered, cs.answered),
            talk_seconds: rate(ls.talk_seconds, cs.talk_seconds),
            billed_minutes: rate(ls.billed_minutes, cs.billed_minutes),
        },
        per_day: per_day(local, carrier, &pairs),
        warnings: crate::tzcheck::warnings(local, carrier, opts, pairs.len() as u64),
        tolerance_secs: opts.tolerance_secs,
        talk_tolerance_secs: opts.talk_tolerance_secs,
        local_unmatched: unmatched(&local_matched),
        carrier_unmatched: unmatched(&carrier_matched),
        pairs,
    };
    tracing::info!(
        matched = recon.matched,
        local_only = recon.local_only,
        carrier_only = recon.carrier_only,
        "matched"
    );
    recon
}

fn rate(l: u64, c: u64) -> Option<f64> {
    (c > 0).then(|| (l as f64 - c as f64).abs() / c as f64)
}

/// Record indices of both sides under one key: the local side's ids of
/// caller and callee, packed into one integer.
pub(crate) type Groups = HashMap<u64, (Vec<u32>, Vec<u32>)>;

fn key(caller: u32, callee: u32) -> u64 {
    (u64::from(caller) << 32) | u64::from(callee)
}

/// Groups the records of both sides by key: (local indices, carrier
/// indices). Carrier numbers are translated to local number ids once per
/// distinct number, so records are grouped by integers, not strings.
pub(crate) fn group(local: &Side, carrier: &Side) -> Groups {
    let mut groups: Groups = HashMap::new();
    for (i, r) in local.records.iter().enumerate() {
        groups
            .entry(key(r.caller, r.callee))
            .or_default()
            .0
            .push(i as u32);
    }

    let local_ids: HashMap<&str, u32> = local
        .numbers
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect();
    let to_local: Vec<Option<u32>> = carrier
        .numbers
        .iter()
        .map(|n| local_ids.get(n.as_str()).copied())
        .collect();
    let translate = |id: u32| to_local.get(id as usize).copied().flatten();
    for (i, r) in carrier.records.iter().enumerate() {
        let (Some(caller), Some(callee)) = (translate(r.caller), translate(r.callee)) else {
            continue;
        };
        if let Some(g) = groups.get_mut(&key(caller, callee)) {
            g.1.push(i as u32);
        }
    }
    groups
}

/// Returns the tolerance of one pair.
pub(crate) fn pair_tolerance(l: &Record, c: &Record, opts: &MatchOptions) -> i64 {
    if l.no_seconds || c.no_seconds {
        opts.tolerance_secs.max(NO_SECONDS_TOLERANCE_SECS)
    } else {
        opts.tolerance_secs
    }
}

fn match_records(local: &Side, carrier: &Side, opts: &MatchOptions) -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    let mut keys: Vec<_> = group(local, carrier)
        .into_iter()
        .filter(|(_, (_, c))| !c.is_empty())
        .collect();
    // Key order only affects the order of the pairs list, not the pairs.
    keys.sort_unstable_by_key(|(k, _)| *k);
    for (_, (ls, cs)) in keys {
        match_key(&ls, &cs, local, carrier, opts, &mut pairs);
    }
    pairs
}

/// Sort key of a candidate pair; see the module documentation.
type Candidate = (bool, i64, i64, i64, i64, u32, u32);

fn match_key(
    ls: &[u32],
    cs: &[u32],
    local: &Side,
    carrier: &Side,
    opts: &MatchOptions,
    out: &mut Vec<(u32, u32)>,
) {
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut cs_sorted: Vec<u32> = cs.to_vec();
    cs_sorted.sort_unstable_by_key(|c| carrier.records[*c as usize].time);
    let widest = opts.tolerance_secs.max(NO_SECONDS_TOLERANCE_SECS);
    for &li in ls {
        let l = &local.records[li as usize];
        let from =
            cs_sorted.partition_point(|c| carrier.records[*c as usize].time < l.time - widest);
        for &ci in &cs_sorted[from..] {
            let c = &carrier.records[ci as usize];
            if c.time > l.time + widest {
                break;
            }
            let dt = (l.time - c.time).abs();
            if dt > pair_tolerance(l, c, opts) {
                continue;
            }
            let dtalk = (i64::from(l.talk_secs) - i64::from(c.talk_secs)).abs();
            candidates.push((
                dtalk > opts.talk_tolerance_secs,
                dt,
                dtalk,
                l.time,
                c.time,
                li,
                ci,
            ));
        }
    }
    candidates.sort_unstable();
    let mut used_l: std::collections::HashSet<u32> = std::collections::HashSet::new();
    let mut used_c: std::collections::HashSet<u32> = std::collections::HashSet::new();
    for (.., li, ci) in candidates {
        if used_l.contains(&li) || used_c.contains(&ci) {
            continue;
        }
        used_l.insert(li);
        used_c.insert(ci);
        out.push((li, ci));
    }
}

fn day_of(side: &Side, r: &Record) -> Option<NaiveDate> {
    let secs = side
        .stats
        .files
        .get(r.file as usize)
        .map_or(8 * 3600, |f| f.tz_secs);
    let tz = FixedOffset::east_opt(secs)?;
    Some(
        DateTime::from_timestamp(r.time, 0)?
            .with_timezone(&tz)
            .date_naive(),
    )
}

fn per_day(local: &Side, carrier: &Side, pairs: &[(u32, u32)]) -> Vec<DayFigures> {
    let mut days: BTreeMap<NaiveDate, DayFigures> = BTreeMap::new();
    fn entry(days: &mut BTreeMap<NaiveDate, DayFigures>, d: NaiveDate) -> &mut DayFigures {
        days.entry(d).or_insert(DayFigures {
            date: d,
            local_answered: 0,
            local_talk_seconds: 0,
            carrier_answered: 0,
            carrier_talk_seconds: 0,
            matched: 0,
        })
    }
    for r in &local.records {
        if let Some(d) = day_of(local, r) {
            let e = entry(&mut days, d);
            e.local_answered += 1;
            e.local_talk_seconds += u64::from(r.talk_secs);
        }
    }
    for r in &carrier.records {
        if let Some(d) = day_of(carrier, r) {
            let e = entry(&mut days, d);
            e.carrier_answered += 1;
            e.carrier_talk_seconds += u64::from(r.talk_secs);
        }
    }
    for (l, _) in pairs {
        if let Some(d) = local
            .records
            .get(*l as usize)
            .and_then(|r| day_of(local, r))
        {
            entry(&mut days, d).matched += 1;
        }
    }
    days.into_values().collect()
}
