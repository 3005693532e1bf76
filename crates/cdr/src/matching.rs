//! One-to-one matching of the two sides and the reconciliation figures.
//!
//! Within a key (caller, callee), every pair of records whose times are at
//! most the tolerance apart is a candidate. Candidates are taken in
//! ascending order of (talk times differ by more than the talk tolerance,
//! |time difference|, |talk difference|, local time, carrier time, local
//! record, carrier record) and a pair is accepted when neither record is
//! matched yet. The result is one-to-one and does not depend on the order
//! the files were given in beyond the record order used as last tie-break.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use serde::Serialize;

use crate::billing::{BillingIncrement, BillingSummary, Classes, Classified, Sums};
use crate::error::CdrError;
use crate::model::{Record, Side, SideStats};

/// Matching tolerances and the billing increment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchOptions {
    /// Largest time difference of a pair, seconds (rule pack default 5).
    /// When either record's timestamp lacks seconds, at least
    /// [`NO_SECONDS_TOLERANCE_SECS`] is used.
    pub tolerance_secs: i64,
    /// Talk times further apart than this make a duration mismatch,
    /// seconds (default 1).
    pub talk_tolerance_secs: i64,
    /// The carrier's billing increment, to recompute billed amounts from
    /// the local talk time (rule pack default 60/60). It changes no match.
    pub billing: BillingIncrement,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            tolerance_secs: 5,
            talk_tolerance_secs: 1,
            billing: BillingIncrement::PER_MINUTE,
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
    /// Files in folders and archive members passed over, with the reason.
    pub skipped_files: Vec<crate::model::SkippedFile>,
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
            skipped_files: s.skipped_files.clone(),
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

/// Figures of one calendar day, in the one time zone of both sides (see
/// `day_offset`: the carrier's, Beijing by default).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DayFigures {
    pub date: NaiveDate,
    pub local_answered: u64,
    pub local_talk_seconds: u64,
    pub carrier_answered: u64,
    pub carrier_talk_seconds: u64,
    pub matched: u64,
    /// Matched local records of the day whose billing differs.
    pub billing_differs: u64,
}

/// A note about the reconciliation, e.g. a likely time-zone offset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub id: String,
    /// The message in Chinese.
    pub message: String,
    pub message_en: String,
}

/// The reconciliation: the `recon cdr --json` summary plus the records
/// behind its lists.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recon {
    pub local: SideSummary,
    pub carrier: SideSummary,
    pub matched: u64,
    pub local_only: u64,
    pub carrier_only: u64,
    pub duration_mismatch: u64,
    /// Records per result class.
    pub classes: Classes,
    /// The billing comparison: increment, unit and counts.
    pub billing: BillingSummary,
    pub rates: Rates,
    pub per_day: Vec<DayFigures>,
    pub warnings: Vec<Warning>,
    pub tolerance_secs: i64,
    pub talk_tolerance_secs: i64,
    /// The records behind the figures, for the lists of `--out`.
    #[serde(skip)]
    pub(crate) detail: Detail,
}

/// The source of the record lists of a reconciliation.
#[derive(Clone, Debug)]
pub(crate) enum Detail {
    /// Indices into the sides' records, which were held in memory.
    Indexed {
        /// Local records without a partner.
        local_unmatched: Vec<u32>,
        /// Carrier records without a partner.
        carrier_unmatched: Vec<u32>,
        /// Matched pairs whose talk time or billing differs.
        differing: Vec<(u32, u32)>,
    },
    /// Gathered partition by partition from records spilled to disk.
    Gathered(Arc<crate::spill::Gathered>),
}

impl PartialEq for Detail {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Detail::Indexed {
                    local_unmatched: a,
                    carrier_unmatched: b,
                    differing: c,
                },
                Detail::Indexed {
                    local_unmatched: x,
                    carrier_unmatched: y,
                    differing: z,
                },
            ) => a == x && b == y && c == z,
            // Lists on disk are the same only when they are the same files.
            (Detail::Gathered(a), Detail::Gathered(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// The figures of a reconciliation besides each side's own.
pub(crate) struct Outcome {
    pub matched: u64,
    pub mismatched: u64,
    pub per_day: Vec<DayFigures>,
    pub warnings: Vec<Warning>,
    /// The classes of the matched pairs (without their list of differing
    /// pairs, which is in `detail`).
    pub classes: Sums,
    pub detail: Detail,
}

/// Matches the usable answered records of two sides one to one and
/// computes the figures. Records are expected in the order [`crate::read_side`]
/// leaves them (by caller, callee, time, file, row); other orders are
/// sorted on a copy first. Keys are matched in parallel, each key alone.
///
/// When either side spilled its records to disk (see
/// [`crate::MemoryBudget`]), both are matched partition by partition
/// instead, with the same rule and the same figures.
///
/// Errors: a spilled partition that cannot be read back, or a list that
/// cannot be written to the spill folder.
pub fn reconcile(local: &Side, carrier: &Side, opts: &MatchOptions) -> Result<Recon, CdrError> {
    let _span = tracing::info_span!("match").entered();
    let recon = if local.is_spilled() || carrier.is_spilled() {
        crate::spill::reconcile(local, carrier, opts)?
    } else {
        reconcile_in_memory(local, carrier, opts)
    };
    tracing::info!(
        matched = recon.matched,
        local_only = recon.local_only,
        carrier_only = recon.carrier_only,
        billing_differs = recon.classes.billing_differs,
        "matched"
    );
    Ok(recon)
}

/// [`reconcile`] of two sides held in memory whole.
fn reconcile_in_memory(local: &Side, carrier: &Side, opts: &MatchOptions) -> Recon {
    let ((ls, lperm), (cs, cperm)) =
        rayon::join(|| ordered(&local.records), || ordered(&carrier.records));
    let (mut pairs, mismatched) = {
        let _span = tracing::debug_span!("pair").entered();
        match_sorted(&ls, &cs, opts)
    };
    let _span = tracing::debug_span!("figures").entered();
    if lperm.is_some() || cperm.is_some() {
        let back = |perm: &Option<Vec<u32>>, i: u32| perm.as_ref().map_or(i, |p| p[i as usize]);
        for (l, c) in &mut pairs {
            *l = back(&lperm, *l);
            *c = back(&cperm, *c);
        }
    }
    let mut local_matched = vec![false; local.records.len()];
    let mut carrier_matched = vec![false; carrier.records.len()];
    for (l, c) in &pairs {
        local_matched[*l as usize] = true;
        carrier_matched[*c as usize] = true;
    }
    let unmatched = |flags: &[bool]| -> Vec<u32> {
        use rayon::prelude::*;
        flags
            .par_iter()
            .enumerate()
            .filter(|(_, m)| !**m)
            .map(|(i, _)| i as u32)
            .collect()
    };
    let matched = pairs.len() as u64;
    let classifier = crate::billing::PairClassifier::new(carrier, opts);
    let day_offset = day_offset(local, carrier);
    let (mut classes, per_day) = rayon::join(
        || {
            crate::billing::classify_pairs(
                &classifier,
                &local.records,
                &carrier.records,
                &pairs,
                day_offset,
            )
        },
        || per_day(local, carrier, &local_matched, day_offset),
    );
    // Freed before the lists are made: at 10⁸ calls the pairs alone take
    // hundreds of megabytes.
    drop(pairs);
    let (local_unmatched, carrier_unmatched) =
        rayon::join(|| unmatched(&local_matched), || unmatched(&carrier_matched));
    drop((local_matched, carrier_matched));
    let differing = std::mem::take(&mut classes.differing);
    let mut warnings = crate::tzcheck::warnings(local, carrier, &ls, &cs, opts, matched);
    warnings.extend(crate::advice::zero_lost(
        local,
        carrier,
        &local_unmatched,
        &carrier_unmatched,
    ));
    let outcome = Outcome {
        matched,
        mismatched,
        per_day,
        warnings,
        classes,
        detail: Detail::Indexed {
            local_unmatched,
            carrier_unmatched,
            differing,
        },
    };
    assemble(&local.stats, &carrier.stats, opts, outcome)
}

/// Puts the summary of a reconciliation together.
pub(crate) fn assemble(lst: &SideStats, cst: &SideStats, opts: &MatchOptions, o: Outcome) -> Recon {
    let (local_only, carrier_only) = (
        lst.answered.saturating_sub(o.matched),
        cst.answered.saturating_sub(o.matched),
    );
    let classified = Classified::new(o.classes, opts.billing, local_only, carrier_only);
    let mut per_day = o.per_day;
    classified.add_to_days(&mut per_day);
    let mut warnings = o.warnings;
    let sides = [
        ("本地话单", "the local files", lst),
        ("运营商话单", "the carrier's files", cst),
    ];
    warnings.extend(crate::billed_unit::inferred_warnings(&sides));
    warnings.extend(crate::billed_unit::unreadable_warnings(&sides));
    warnings.extend(crate::advice::repeats_across_files(&sides));
    warnings.extend(classified.warnings());
    Recon {
        local: SideSummary::of(lst),
        carrier: SideSummary::of(cst),
        matched: o.matched,
        local_only,
        carrier_only,
        duration_mismatch: o.mismatched,
        classes: classified.classes,
        billing: classified.billing,
        rates: Rates {
            answered: rate(lst.answered, cst.answered),
            talk_seconds: rate(lst.talk_seconds, cst.talk_seconds),
            billed_minutes: rate(lst.billed_minutes, cst.billed_minutes),
        },
        per_day,
        warnings,
        tolerance_secs: opts.tolerance_secs,
        talk_tolerance_secs: opts.talk_tolerance_secs,
        detail: o.detail,
    }
}

fn rate(l: u64, c: u64) -> Option<f64> {
    (c > 0).then(|| (l as f64 - c as f64).abs() / c as f64)
}

/// Returns the sort key of the matching order: key, then time, then place.
pub(crate) fn order_key(r: &Record) -> (u64, u64, u32, u16, u32) {
    (r.caller, r.callee, r.time, r.file, r.row)
}

/// Sorts records into matching order (in parallel for large sides).
pub(crate) fn sort_records(records: &mut [Record]) {
    use rayon::prelude::*;
    let _span = tracing::info_span!("sort", records = records.len()).entered();
    // By key alone first (one 128-bit comparison), then the few records
    // of each key by time and place.
    records.par_sort_unstable_by_key(|r| (u128::from(r.caller) << 64) | u128::from(r.callee));
    let cuts = group_cuts(records, rayon::current_num_threads() * 8);
    let mut slices: Vec<&mut [Record]> = Vec::with_capacity(cuts.len());
    let mut rest = records;
    let mut from = 0;
    for to in cuts {
        let (head, tail) = rest.split_at_mut(to - from);
        slices.push(head);
        rest = tail;
        from = to;
    }
    slices.into_par_iter().for_each(|s| {
        for group in s.chunk_by_mut(|a, b| key(a) == key(b)) {
            if group.len() > 1 {
                group.sort_unstable_by_key(order_key);
            }
        }
    });
}

/// Returns the ends of about `n` stretches of `records` that never split a key.
fn group_cuts(records: &[Record], n: usize) -> Vec<usize> {
    let step = records.len().div_ceil(n.max(1)).max(1);
    let mut cuts = Vec::new();
    let mut to = 0;
    while to < records.len() {
        to = (to + step).min(records.len());
        let k = key(&records[to - 1]);
        to += records[to..].partition_point(|r| key(r) == k);
        cuts.push(to);
    }
    cuts
}

/// Returns the records in matching order: borrowed when they already are,
/// else a sorted copy with the original index of each.
fn ordered(records: &[Record]) -> (Cow<'_, [Record]>, Option<Vec<u32>>) {
    if records.is_sorted_by_key(order_key) {
        return (Cow::Borrowed(records), None);
    }
    let mut perm: Vec<u32> = (0..records.len() as u32).collect();
    perm.sort_by_key(|i| order_key(&records[*i as usize]));
    let sorted = perm.iter().map(|i| records[*i as usize]).collect();
    (Cow::Owned(sorted), Some(perm))
}

/// Returns the key of a record.
fn key(r: &Record) -> (u64, u64) {
    (r.caller, r.callee)
}

/// Calls `f` for every key present on both sides with the records of
/// each side under it and the index of the first of them.
pub(crate) fn for_each_group(
    ls: &[Record],
    cs: &[Record],
    mut f: impl FnMut(&[Record], usize, &[Record], usize),
) {
    let (mut i, mut j) = (0, 0);
    while i < ls.len() && j < cs.len() {
        let (lk, ck) = (key(&ls[i]), key(&cs[j]));
        if lk < ck {
            i += run_len(&ls[i..], lk);
        } else if ck < lk {
            j += run_len(&cs[j..], ck);
        } else {
            let ln = run_len(&ls[i..], lk);
            let cn = run_len(&cs[j..], ck);
            f(&ls[i..i + ln], i, &cs[j..j + cn], j);
            i += ln;
            j += cn;
        }
    }
}

/// Returns how many records at the start of `rs` have key `k`. Keys hold
/// a few records each, so a scan beats a binary search over the rest of
/// the side, whose first steps land far away in memory.
fn run_len(rs: &[Record], k: (u64, u64)) -> usize {
    rs.iter().take_while(|r| key(r) == k).count()
}

/// Returns the tolerance of one pair.
pub(crate) fn pair_tolerance(l: &Record, c: &Record, opts: &MatchOptions) -> i64 {
    if l.no_seconds || c.no_seconds {
        opts.tolerance_secs.max(NO_SECONDS_TOLERANCE_SECS)
    } else {
        opts.tolerance_secs
    }
}

/// Matches two sides in matching order: the pairs (by index) and how many
/// of them differ in talk time. The local side is cut into slices at key
/// boundaries, each matched on its own thread with the carrier records of
/// the same keys.
pub(crate) fn match_sorted(
    ls: &[Record],
    cs: &[Record],
    opts: &MatchOptions,
) -> (Vec<(u32, u32)>, u64) {
    use rayon::prelude::*;
    let slices = slices(ls, rayon::current_num_threads() * 8);
    let parts: Vec<(Vec<(u32, u32)>, u64)> = slices
        .par_iter()
        .map(|&(from, to)| {
            let (lfrom, lto) = (key(&ls[from]), key(&ls[to - 1]));
            let cfrom = cs.partition_point(|r| key(r) < lfrom);
            let cto = cs.partition_point(|r| key(r) <= lto);
            let mut pairs = Vec::new();
            let mut mismatched = 0;
            for_each_group(&ls[from..to], &cs[cfrom..cto], |l, lo, c, co| {
                mismatched += match_key(l, from + lo, c, cfrom + co, opts, &mut pairs);
            });
            (pairs, mismatched)
        })
        .collect();
    let mut pairs = Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum());
    let mut mismatched = 0;
    for (p, m) in parts {
        pairs.extend(p);
        mismatched += m;
    }
    (pairs, mismatched)
}

/// Cuts `ls` into about `n` slices (from, to) that never split a key.
fn slices(ls: &[Record], n: usize) -> Vec<(usize, usize)> {
    let step = ls.len().div_ceil(n.max(1)).max(1);
    let mut out = Vec::new();
    let mut from = 0;
    while from < ls.len() {
        let mut to = (from + step).min(ls.len());
        if to < ls.len() {
            let k = key(&ls[to - 1]);
            to += ls[to..].partition_point(|r| key(r) == k);
        }
        out.push((from, to));
        from = to;
    }
    out
}

/// Sort key of a candidate pair; see the module documentation.
type Candidate = (bool, i64, i64, i64, i64, u32, u32);

/// Matches the records of one key (each side sorted by time; `lo` and `co`
/// are the indices of their first records). Returns the number of pairs
/// whose talk times differ by more than the talk tolerance.
fn match_key(
    ls: &[Record],
    lo: usize,
    cs: &[Record],
    co: usize,
    opts: &MatchOptions,
    out: &mut Vec<(u32, u32)>,
) -> u64 {
    let differ = |l: &Record, c: &Record| {
        (i64::from(l.talk_secs) - i64::from(c.talk_secs)).abs() > opts.talk_tolerance_secs
    };
    if let ([l], [c]) = (ls, cs) {
        // The common case: one call, one bill row.
        if (l.epoch() - c.epoch()).abs() > pair_tolerance(l, c, opts) {
            return 0;
        }
        out.push((lo as u32, co as u32));
        return u64::from(differ(l, c));
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    let widest = opts.tolerance_secs.max(NO_SECONDS_TOLERANCE_SECS);
    for (i, l) in ls.iter().enumerate() {
        let from = cs.partition_point(|c| c.epoch() < l.epoch() - widest);
        for (j, c) in cs.iter().enumerate().skip(from) {
            if c.epoch() > l.epoch() + widest {
                break;
            }
            let dt = (l.epoch() - c.epoch()).abs();
            if dt > pair_tolerance(l, c, opts) {
                continue;
            }
            let dtalk = (i64::from(l.talk_secs) - i64::from(c.talk_secs)).abs();
            candidates.push((
                dtalk > opts.talk_tolerance_secs,
                dt,
                dtalk,
                l.epoch(),
                c.epoch(),
                (lo + i) as u32,
                (co + j) as u32,
            ));
        }
    }
    candidates.sort_unstable();
    let mut used_l = vec![false; ls.len()];
    let mut used_c = vec![false; cs.len()];
    let mut mismatched = 0;
    for (differs, .., li, ci) in candidates {
        let (i, j) = (li as usize - lo, ci as usize - co);
        if used_l[i] || used_c[j] {
            continue;
        }
        used_l[i] = true;
        used_c[j] = true;
        mismatched += u64::from(differs);
        out.push((li, ci));
    }
    mismatched
}

/// Returns the offset, seconds east of UTC, whose calendar days the
/// per-day figures of both sides are counted in. It is the time zone of
/// the carrier's first file (`--carrier-tz`, a mapping's `time_zone`, else
/// Beijing), or of the local side's first file when the carrier has none.
/// Both sides use one zone, so that a day's local and carrier figures
/// cover the same hours when the sides were written in different zones.
/// NOTE: carrier files read in different zones are counted in the first
/// one's.
pub(crate) fn day_offset(local: &Side, carrier: &Side) -> i64 {
    carrier
        .stats
        .files
        .first()
        .or(local.stats.files.first())
        .map_or(8 * 3600, |f| i64::from(f.tz_secs))
}

/// Returns the calendar day of a record as days since 1970, at `offset`
/// seconds east of UTC (see [`day_offset`]).
pub(crate) fn day_of(offset: i64, r: &Record) -> i64 {
    (r.epoch() + offset).div_euclid(86_400)
}

/// Sums per day: answered and talk seconds of each side, and matched.
#[derive(Default)]
pub(crate) struct DaySums {
    dense: Vec<[u64; 5]>,
    first: i64,
    sparse: HashMap<i64, [u64; 5]>,
}

/// Days at most this far apart are summed in an array, not a map.
const DENSE_DAYS: i64 = 100_000;

impl DaySums {
    /// Sums whose days `first..=last` (when given) are kept in an array;
    /// days outside it still count, in a map.
    pub(crate) fn new(range: Option<(i64, i64)>) -> Self {
        let Some((first, last)) = range else {
            return DaySums::default();
        };
        if last < first || last - first >= DENSE_DAYS {
            return DaySums::default();
        }
        DaySums {
            dense: vec![[0; 5]; (last - first + 1) as usize],
            first,
            sparse: HashMap::new(),
        }
    }

    fn at(&mut self, day: i64) -> &mut [u64; 5] {
        let i = day - self.first;
        if !self.dense.is_empty() && (0..self.dense.len() as i64).contains(&i) {
            return &mut self.dense[i as usize];
        }
        self.sparse.entry(day).or_default()
    }

    /// Counts a local record of `day`.
    pub(crate) fn add_local(&mut self, day: i64, talk_secs: u32, matched: bool) {
        let e = self.at(day);
        e[0] += 1;
        e[1] += u64::from(talk_secs);
        e[4] += u64::from(matched);
    }

    /// Adds the sums of `other` (of any day range) to these.
    pub(crate) fn absorb(&mut self, other: DaySums) {
        let first = other.first;
        let dense = other
            .dense
            .into_iter()
            .enumerate()
            .map(move |(i, v)| (first + i as i64, v));
        for (day, v) in dense.chain(other.sparse) {
            if v.iter().all(|n| *n == 0) {
                continue;
            }
            let e = self.at(day);
            for k in 0..5 {
                e[k] += v[k];
            }
        }
    }

    /// Counts a carrier record of `day`.
    pub(crate) fn add_carrier(&mut self, day: i64, talk_secs: u32) {
        let e = self.at(day);
        e[2] += 1;
        e[3] += u64::from(talk_secs);
    }

    /// Returns the figures of every day with records, in date order.
    pub(crate) fn into_figures(self) -> Vec<DayFigures> {
        let first = self.first;
        let mut out: Vec<DayFigures> = self
            .dense
            .into_iter()
            .enumerate()
            .map(move |(i, v)| (first + i as i64, v))
            .filter(|(_, v)| v[0] + v[2] > 0)
            .chain(self.sparse)
            .filter_map(|(day, v)| day_figures(day, v))
            .collect();
        out.sort_by_key(|d| d.date);
        out
    }
}

/// Sums of one side per day: records, talk seconds, matched records.
type SideDays = BTreeMap<i64, [u64; 3]>;

/// Sums a side per calendar day (days since 1970 at `offset` seconds east
/// of UTC), in parallel. `matched`, when given, flags the side's matched
/// records.
fn day_sums(side: &Side, matched: Option<&[bool]>, offset: i64) -> SideDays {
    use rayon::prelude::*;
    let day = |r: &Record| day_of(offset, r);
    let records = &side.records;
    let Some((first, last)) = records
        .par_iter()
        .map(|r| (day(r), day(r)))
        .reduce_with(|a, b| (a.0.min(b.0), a.1.max(b.1)))
    else {
        return SideDays::new();
    };
    let is_matched = |i: usize| matched.is_some_and(|m| m.get(i).copied().unwrap_or(false));
    const CHUNK: usize = 1 << 16;
    if last - first >= DENSE_DAYS {
        let mut sums = SideDays::new();
        for (i, r) in records.iter().enumerate() {
            let e = sums.entry(day(r)).or_default();
            e[0] += 1;
            e[1] += u64::from(r.talk_secs);
            e[2] += u64::from(is_matched(i));
        }
        return sums;
    }
    let width = (last - first + 1) as usize;
    let dense = records
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(k, chunk)| {
            let mut v = vec![[0u64; 3]; width];
            for (j, r) in chunk.iter().enumerate() {
                let e = &mut v[(day(r) - first) as usize];
                e[0] += 1;
                e[1] += u64::from(r.talk_secs);
                e[2] += u64::from(is_matched(k * CHUNK + j));
            }
            v
        })
        .reduce_with(|mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                for k in 0..3 {
                    x[k] += y[k];
                }
            }
            a
        })
        .unwrap_or_default();
    dense
        .into_iter()
        .enumerate()
        .filter(|(_, v)| v[0] > 0)
        .map(|(i, v)| (first + i as i64, v))
        .collect()
}

fn per_day(local: &Side, carrier: &Side, local_matched: &[bool], offset: i64) -> Vec<DayFigures> {
    let (l, c) = rayon::join(
        || day_sums(local, Some(local_matched), offset),
        || day_sums(carrier, None, offset),
    );
    let mut days: BTreeMap<i64, [u64; 5]> = BTreeMap::new();
    for (day, v) in l {
        let e = days.entry(day).or_default();
        e[0] = v[0];
        e[1] = v[1];
        e[4] = v[2];
    }
    for (day, v) in c {
        let e = days.entry(day).or_default();
        e[2] = v[0];
        e[3] = v[1];
    }
    days.into_iter()
        .filter_map(|(day, v)| day_figures(day, v))
        .collect()
}

/// Returns the figures of a day (days since 1970) from its sums: local
/// records and talk seconds, the carrier's, then matched records. `None`
/// for a day no date can hold.
fn day_figures(day: i64, v: [u64; 5]) -> Option<DayFigures> {
    let date = DateTime::from_timestamp(day.checked_mul(86_400)?, 0)?.date_naive();
    Some(DayFigures {
        date,
        local_answered: v[0],
        local_talk_seconds: v[1],
        carrier_answered: v[2],
        carrier_talk_seconds: v[3],
        matched: v[4],
        billing_differs: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_records_are_in_matching_order() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            seed >> 33
        };
        let mut records: Vec<Record> = (0..5000)
            .map(|i| Record {
                caller: next() % 50,
                callee: next() % 50,
                time: (next() % 100) as u32,
                talk_secs: 0,
                billed_min: 0,
                file: (next() % 2) as u16,
                row: i,
                agent: 0,
                no_seconds: false,
                billed_read: false,
            })
            .collect();
        let mut expected = records.clone();
        expected.sort_by_key(|r| (r.caller, r.callee, r.time, r.file, r.row));
        sort_records(&mut records);
        assert_eq!(records, expected);
    }
}
