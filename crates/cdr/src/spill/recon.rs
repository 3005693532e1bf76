//! Matching sides of which at least one spilled: one partition of each at
//! a time, with the rule and figures of the in-memory path.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;

use super::runs::Runs;
use super::{part_of, SpillDir, Spilled};
use crate::billing::{classify_pairs, PairClassifier, RecordClass, Sums};
use crate::error::CdrError;
use crate::matching::{
    assemble, day_of, day_offset, match_sorted, sort_records, DaySums, Detail, MatchOptions,
    Outcome, Recon,
};
use crate::model::{Record, Side};
use crate::tally::FastHash;

/// One side's records, partition by partition, for matching.
enum Parts<'a> {
    Disk(&'a Spilled),
    /// Held in memory: record indices grouped by partition.
    Memory {
        records: std::borrow::Cow<'a, [Record]>,
        order: Vec<u32>,
        starts: Vec<usize>,
    },
}

impl<'a> Parts<'a> {
    fn of(side: &'a Side, area: &SpillDir) -> io::Result<Self> {
        match &side.spilled {
            Some(s) if s.parts.len() == area.parts as usize => Ok(Parts::Disk(s)),
            // Spilled under another budget: partitioned anew in memory.
            Some(s) => {
                let mut all = Vec::new();
                for p in 0..s.parts.len() {
                    all.extend(s.load(p)?);
                }
                Ok(Parts::in_memory(std::borrow::Cow::Owned(all), area.parts))
            }
            None => Ok(Parts::in_memory(
                std::borrow::Cow::Borrowed(&side.records),
                area.parts,
            )),
        }
    }

    /// Groups records by partition with a counting sort of their indices.
    fn in_memory(records: std::borrow::Cow<'a, [Record]>, parts: u32) -> Self {
        // At most MAX_PARTS (256) partitions, so a byte fits each one.
        let of: Vec<u8> = records.iter().map(|r| part_of(r, parts) as u8).collect();
        let mut starts = vec![0usize; parts as usize + 1];
        for p in &of {
            starts[*p as usize + 1] += 1;
        }
        for p in 0..parts as usize {
            starts[p + 1] += starts[p];
        }
        let mut next = starts.clone();
        let mut order = vec![0u32; records.len()];
        for (i, p) in of.iter().enumerate() {
            order[next[*p as usize]] = i as u32;
            next[*p as usize] += 1;
        }
        Parts::Memory {
            records,
            order,
            starts,
        }
    }

    /// Returns the records of partition `p`, in no particular order.
    fn load(&self, p: usize) -> io::Result<Vec<Record>> {
        match self {
            Parts::Disk(s) => s.load(p),
            Parts::Memory {
                records,
                order,
                starts,
            } => Ok(order[starts[p]..starts[p + 1]]
                .iter()
                .map(|i| records[*i as usize])
                .collect()),
        }
    }

    /// Returns the earliest and latest record time.
    fn times(&self) -> Option<(u32, u32)> {
        match self {
            Parts::Disk(s) => s.times,
            Parts::Memory { records, .. } => {
                let lo = records.iter().map(|r| r.time).min()?;
                let hi = records.iter().map(|r| r.time).max()?;
                Some((lo, hi))
            }
        }
    }
}

/// Matches two sides of which at least one spilled, one partition at a
/// time; see the module documentation.
pub(crate) fn reconcile(
    local: &Side,
    carrier: &Side,
    opts: &MatchOptions,
) -> Result<Recon, CdrError> {
    let Some(area) = local
        .spilled
        .as_ref()
        .or(carrier.spilled.as_ref())
        .map(|s| Arc::clone(&s.area))
    else {
        return Err(CdrError::Spill {
            dir: std::env::temp_dir(),
            source: io::Error::other("neither side spilled"),
        });
    };
    let fail = |e| area.error(e);
    let ls = Parts::of(local, &area).map_err(fail)?;
    let cs = Parts::of(carrier, &area).map_err(fail)?;
    let day_offset = day_offset(local, carrier);
    let mut fold = Fold::new(
        local,
        carrier,
        &area,
        opts,
        (day_offset, day_range(&ls, &cs, day_offset)),
    )
    .map_err(fail)?;
    each_partition(&ls, &cs, area.parts, |l, c| {
        let (pairs, mismatched) = match_sorted(l, c, opts);
        fold.add(l, c, &pairs, mismatched)
    })
    .map_err(fail)?;

    let warnings = if crate::tzcheck::worth_checking(local, carrier, fold.matched) {
        let mut counts = [0; 26];
        each_partition(&ls, &cs, area.parts, |l, c| {
            crate::tzcheck::count_shifts(l, c, opts, &mut counts);
            Ok(())
        })
        .map_err(fail)?;
        crate::tzcheck::from_counts(local, carrier, &counts, fold.matched)
    } else {
        Vec::new()
    };
    let (matched, mismatched) = (fold.matched, fold.mismatched);
    let (days, classes, gathered) = fold.finish().map_err(fail)?;
    let outcome = Outcome {
        matched,
        mismatched,
        per_day: days.into_figures(),
        warnings,
        classes,
        detail: Detail::Gathered(Arc::new(gathered)),
    };
    Ok(assemble(&local.stats, &carrier.stats, opts, outcome))
}

/// Calls `f` with each partition of both sides in matching order. The next
/// partition is read on a thread of its own meanwhile, so that reading
/// overlaps matching, and at most two partitions are in memory at once.
fn each_partition(
    ls: &Parts<'_>,
    cs: &Parts<'_>,
    parts: u32,
    mut f: impl FnMut(&[Record], &[Record]) -> io::Result<()>,
) -> io::Result<()> {
    type Loaded = io::Result<(Vec<Record>, Vec<Record>)>;
    std::thread::scope(|scope| {
        // A rendezvous channel: the reader waits with one partition until
        // the last one is done.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Loaded>(0);
        scope.spawn(move || {
            for p in 0..parts as usize {
                let loaded = ls.load(p).and_then(|l| Ok((l, cs.load(p)?)));
                let failed = loaded.is_err();
                if tx.send(loaded).is_err() || failed {
                    break;
                }
            }
        });
        let mut seen = 0;
        for loaded in rx {
            let _span = tracing::debug_span!("partition", p = seen).entered();
            let (mut l, mut c) = loaded?;
            sort_records(&mut l);
            sort_records(&mut c);
            f(&l, &c)?;
            seen += 1;
        }
        if seen < parts as usize {
            return Err(io::Error::other("partition reader stopped early"));
        }
        Ok(())
    })
}

/// Returns the days the records of both sides fall on, roughly: days
/// outside it still count.
fn day_range(ls: &Parts<'_>, cs: &Parts<'_>, day_offset: i64) -> Option<(i64, i64)> {
    let times: Vec<(u32, u32)> = [ls.times(), cs.times()].into_iter().flatten().collect();
    let lo = times.iter().map(|t| t.0).min()?;
    let hi = times.iter().map(|t| t.1).max()?;
    Some((
        (i64::from(lo) + day_offset).div_euclid(86_400),
        (i64::from(hi) + day_offset).div_euclid(86_400),
    ))
}

/// Record and talk-second sums per caller key.
type NumberSums = HashMap<u64, [u64; 2], FastHash>;

/// The records and sums behind the lists and tables of `--out`, gathered
/// from a reconciliation matched partition by partition.
#[derive(Debug)]
pub(crate) struct Gathered {
    /// Local records without a partner.
    pub(crate) local_only: Runs,
    /// Carrier records without a partner.
    pub(crate) carrier_only: Runs,
    /// Matched pairs whose talk times differ: local, then carrier record.
    pub(crate) mismatches: Runs,
    /// Matched pairs whose billing differs: local, then carrier record.
    pub(crate) billing_mismatches: Runs,
    /// Billing differences per local caller key.
    pub(crate) billing_by_caller: HashMap<u64, u64, FastHash>,
    /// Billing differences per local agent id + 1 (0: no agent).
    pub(crate) billing_by_agent: Vec<u64>,
    pub(crate) local_numbers: NumberSums,
    pub(crate) carrier_numbers: NumberSums,
    /// Local records, talk seconds and matched records per agent id + 1
    /// (0: no agent).
    pub(crate) agents: Vec<[u64; 3]>,
}

/// The running figures of a spilled reconciliation.
struct Fold<'s> {
    local: &'s Side,
    opts: MatchOptions,
    classifier: PairClassifier,
    classes: Sums,
    /// Seconds east of UTC whose days the per-day figures count.
    day_offset: i64,
    matched: u64,
    mismatched: u64,
    /// Local sums per day, then both sides' once finished.
    days: DaySums,
    /// Carrier sums per day, summed apart so that each side's sums are
    /// made on a thread of its own.
    carrier_days: DaySums,
    gathered: Gathered,
}

impl<'s> Fold<'s> {
    fn new(
        local: &'s Side,
        carrier: &'s Side,
        area: &Arc<SpillDir>,
        opts: &MatchOptions,
        (day_offset, days): (i64, Option<(i64, i64)>),
    ) -> io::Result<Self> {
        Ok(Fold {
            local,
            opts: *opts,
            classifier: PairClassifier::new(carrier, opts),
            classes: Sums::default(),
            day_offset,
            matched: 0,
            mismatched: 0,
            days: DaySums::new(days),
            carrier_days: DaySums::new(days),
            gathered: Gathered {
                local_only: Runs::create(area, "local-only", 1)?,
                carrier_only: Runs::create(area, "carrier-only", 1)?,
                mismatches: Runs::create(area, "mismatches", 2)?,
                billing_mismatches: Runs::create(area, "billing-mismatches", 2)?,
                billing_by_caller: HashMap::default(),
                billing_by_agent: vec![0; local.agents.len() + 1],
                local_numbers: NumberSums::default(),
                carrier_numbers: NumberSums::default(),
                agents: vec![[0; 3]; local.agents.len() + 1],
            },
        })
    }

    /// Folds in one partition: its records in matching order and their
    /// pairs (indices into them).
    fn add(
        &mut self,
        l: &[Record],
        c: &[Record],
        pairs: &[(u32, u32)],
        mismatched: u64,
    ) -> io::Result<()> {
        self.matched += pairs.len() as u64;
        self.mismatched += mismatched;
        let mut local_matched = vec![false; l.len()];
        let mut carrier_matched = vec![false; c.len()];
        let mut differing = Vec::new();
        let talk_tolerance = self.opts.talk_tolerance_secs;
        for &(i, j) in pairs {
            let (a, b) = (l[i as usize], c[j as usize]);
            local_matched[i as usize] = true;
            carrier_matched[j as usize] = true;
            let dtalk = (i64::from(a.talk_secs) - i64::from(b.talk_secs)).abs();
            if a.talk_secs != b.talk_secs && dtalk > talk_tolerance {
                differing.push((a, b));
            }
        }

        let mut classes = classify_pairs(&self.classifier, l, c, pairs, self.day_offset);
        let mut billing = Vec::new();
        for (i, j) in std::mem::take(&mut classes.differing) {
            let (a, b) = (l[i as usize], c[j as usize]);
            if self.classifier.class(&a, &b) == RecordClass::BillingDiffers {
                *self.gathered.billing_by_caller.entry(a.caller).or_default() += 1;
                let slot = (a.agent as usize).min(self.local.agents.len());
                self.gathered.billing_by_agent[slot] += 1;
                billing.push((a, b));
            }
        }
        self.classes.add(classes);

        // The sides' sums are made on two threads, because a partition
        // contains millions of records at 10⁸ calls.
        let last_agent = self.local.agents.len();
        let g = &mut self.gathered;
        let (agents, local_numbers, carrier_numbers) =
            (&mut g.agents, &mut g.local_numbers, &mut g.carrier_numbers);
        let (days, carrier_days) = (&mut self.days, &mut self.carrier_days);
        let day_offset = self.day_offset;
        let local_matched_ref = &local_matched;
        rayon::join(
            || {
                for (r, m) in l.iter().zip(local_matched_ref) {
                    days.add_local(day_of(day_offset, r), r.talk_secs, *m);
                    let e = &mut agents[(r.agent as usize).min(last_agent)];
                    e[0] += 1;
                    e[1] += u64::from(r.talk_secs);
                    e[2] += u64::from(*m);
                }
                add_numbers(local_numbers, l);
            },
            || {
                for r in c {
                    carrier_days.add_carrier(day_of(day_offset, r), r.talk_secs);
                }
                add_numbers(carrier_numbers, c);
            },
        );

        let unmatched = |records: &[Record], matched: &[bool]| -> Vec<Record> {
            records
                .iter()
                .zip(matched)
                .filter(|(_, m)| !**m)
                .map(|(r, _)| *r)
                .collect()
        };
        let g = &mut self.gathered;
        g.local_only.push(&mut unmatched(l, &local_matched))?;
        g.carrier_only.push(&mut unmatched(c, &carrier_matched))?;
        g.mismatches.push_pairs(&mut differing)?;
        g.billing_mismatches.push_pairs(&mut billing)
    }

    fn finish(mut self) -> io::Result<(DaySums, Sums, Gathered)> {
        self.days.absorb(self.carrier_days);
        self.gathered.local_only.close()?;
        self.gathered.carrier_only.close()?;
        self.gathered.mismatches.close()?;
        self.gathered.billing_mismatches.close()?;
        Ok((self.days, self.classes, self.gathered))
    }
}

/// Adds records in matching order (each caller's in one stretch) to the
/// per-caller sums.
fn add_numbers(sums: &mut NumberSums, records: &[Record]) {
    for run in records.chunk_by(|a, b| a.caller == b.caller) {
        let e = sums.entry(run[0].caller).or_default();
        e[0] += run.len() as u64;
        e[1] += run.iter().map(|r| u64::from(r.talk_secs)).sum::<u64>();
    }
}
