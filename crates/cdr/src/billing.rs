//! Billing increments and the result class of every record.
//!
//! A carrier bills an answered call in units: under the increment `a/b` the
//! first `a` seconds (or less) are one unit, then every started `b` seconds
//! is one more (see [`billed_secs`]). The reconciliation recomputes the
//! billed amount of every matched call from the company's own talk time
//! and compares it with the bill's billed column.
//!
//! The comparison is made in the unit of the bill's billed column (see
//! [`crate::BilledUnit`]). A column of seconds (计费时长(秒), or a 计费时长
//! whose values show seconds) is compared in seconds, exactly under every
//! increment. A column of minutes keeps whole minutes (the reader rounds a
//! fraction half up), so the recomputed amount is compared in whole minutes
//! rounded the same way. Under 60/60 this is exact. Under a finer increment
//! such as 6/6, a difference shows only when it changes the whole minute
//! the amount rounds to.
//! NOTE: a column of billing units (so many 6-second units) has no role and
//! is read as minutes.
//!
//! Every record falls in one class: `exact`, `duration_differs`,
//! `billing_differs` (matched pairs), `local_only` or `carrier_only`. A pair
//! whose carrier record comes from a file without a billed column cannot
//! differ in billing, so it is `exact` when its talk times agree and is
//! counted as not compared.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::billed_unit::BilledUnit;
use crate::matching::{day_of, DayFigures, MatchOptions, Warning};
use crate::model::{Record, Side};

pub use nianshen_rules::BillingIncrement;

/// Returns the billed seconds of a call of `talk_secs` under `increment`:
/// 0 for no talk time, one first unit up to its length, then whole later
/// units.
pub fn billed_secs(increment: BillingIncrement, talk_secs: u32) -> u64 {
    let (first, next) = (
        u64::from(increment.first_secs),
        u64::from(increment.next_secs.max(1)),
    );
    let talk = u64::from(talk_secs);
    if talk == 0 {
        return 0;
    }
    if talk <= first {
        return first;
    }
    first + (talk - first).div_ceil(next) * next
}

/// Returns billed seconds in whole minutes, rounded half up as the reader
/// rounds a fraction of a minute in the bill's billed column.
pub fn whole_minutes(billed_secs: u64) -> u64 {
    (billed_secs + 30) / 60
}

/// The class of one record in the reconciliation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordClass {
    /// Matched, and the talk times and (where the bill has a billed
    /// column) the billed amount agree.
    Exact,
    /// Matched, but the talk times differ by more than the talk tolerance.
    DurationDiffers,
    /// Matched with agreeing talk times, but the billed amount recomputed
    /// from the local talk time differs from the bill's.
    BillingDiffers,
    /// A local record without a partner in the bill.
    LocalOnly,
    /// A bill record without a partner in the local records.
    CarrierOnly,
}

/// Record counts per class. `duration_differs` equals the reconciliation's
/// `duration_mismatch`, and `local_only` and `carrier_only` are its own
/// figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Classes {
    pub exact: u64,
    pub duration_differs: u64,
    pub billing_differs: u64,
    pub local_only: u64,
    pub carrier_only: u64,
}

/// The billing comparison: the increment, the unit and the counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BillingSummary {
    /// The increment the local talk time was billed with, e.g. `60/60`.
    pub increment: BillingIncrement,
    /// The unit the pairs were compared in: `minutes`, `seconds`, or
    /// `mixed` when the bill's files differ. `minutes` when none were
    /// compared.
    pub unit: &'static str,
    /// Matched pairs with agreeing talk times whose bill row has a billed
    /// column, so their billed amounts were compared.
    pub compared: u64,
    /// The pairs of `compared` whose bill's column is in seconds, so they
    /// were compared in seconds. The others were compared in whole minutes.
    pub compared_in_seconds: u64,
    /// Matched pairs with agreeing talk times whose bill row has no billed
    /// value, because its file has no billed column or the cell is empty
    /// or unreadable. They count as exact.
    pub not_compared: u64,
    /// Pairs where the bill charges more than the recomputed amount.
    pub carrier_higher: u64,
    /// Pairs where the bill charges less.
    pub carrier_lower: u64,
    /// Billed minutes of the bill minus the recomputed minutes, summed over
    /// the pairs compared in minutes that differ in billing.
    pub difference_minutes: i64,
    /// Billed seconds of the bill minus the recomputed seconds, summed over
    /// the pairs compared in seconds that differ in billing.
    pub difference_seconds: i64,
}

/// The billed amounts of one matched pair with agreeing talk times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BilledPair {
    /// The unit of the bill's billed column, which the pair is compared in.
    pub unit: BilledUnit,
    /// Seconds billed for the local talk time under the increment.
    pub recomputed_secs: u64,
    /// The same in whole minutes, rounded half up.
    pub recomputed_minutes: u64,
    /// The bill's billed cell, in `unit`.
    pub carrier: u64,
}

impl BilledPair {
    /// Returns the bill's amount minus the recomputed one, in `unit`.
    pub fn difference(&self) -> i64 {
        let recomputed = match self.unit {
            BilledUnit::Minutes => self.recomputed_minutes,
            BilledUnit::Seconds => self.recomputed_secs,
        };
        self.carrier as i64 - recomputed as i64
    }

    /// Returns whether the bill disagrees with the recomputed amount.
    pub fn differs(&self) -> bool {
        self.difference() != 0
    }
}

/// A classifier of matched pairs: the talk tolerance and increment of the
/// reconciliation, and which bill files have a billed column.
#[derive(Clone, Debug)]
pub struct PairClassifier {
    increment: BillingIncrement,
    talk_tolerance_secs: i64,
    /// The unit of the billed column, by [`Record::file`] of the carrier
    /// side; `None` for a file without one.
    billed_column: Vec<Option<BilledUnit>>,
}

impl PairClassifier {
    /// Creates a classifier for pairs of `carrier`'s records under `opts`.
    pub fn new(carrier: &Side, opts: &MatchOptions) -> Self {
        PairClassifier {
            increment: opts.billing,
            talk_tolerance_secs: opts.talk_tolerance_secs,
            billed_column: carrier
                .stats
                .files
                .iter()
                .map(crate::model::FileInfo::billed_unit)
                .collect(),
        }
    }

    /// Returns the increment pairs are billed with.
    pub fn increment(&self) -> BillingIncrement {
        self.increment
    }

    /// Returns whether the talk times of a pair differ beyond the tolerance.
    pub fn talk_differs(&self, l: &Record, c: &Record) -> bool {
        (i64::from(l.talk_secs) - i64::from(c.talk_secs)).abs() > self.talk_tolerance_secs
    }

    /// Returns the billed amounts of a pair when its bill row has a billed
    /// column.
    pub fn billed(&self, l: &Record, c: &Record) -> Option<BilledPair> {
        let unit = self.billed_column.get(c.file as usize).copied().flatten()?;
        // An empty or unreadable billed cell is not compared, because the
        // record's minutes then come from its talk time and always agree.
        if !c.billed_read {
            return None;
        }
        let secs = billed_secs(self.increment, l.talk_secs);
        Some(BilledPair {
            unit,
            recomputed_secs: secs,
            recomputed_minutes: whole_minutes(secs),
            carrier: u64::from(c.billed_min),
        })
    }

    /// Returns the class of a matched pair.
    pub fn class(&self, l: &Record, c: &Record) -> RecordClass {
        if self.talk_differs(l, c) {
            RecordClass::DurationDiffers
        } else if self.billed(l, c).is_some_and(|b| b.differs()) {
            RecordClass::BillingDiffers
        } else {
            RecordClass::Exact
        }
    }
}

/// The classes, billing summary and per-day billing differences that
/// [`classify_pairs`] finds over all pairs.
pub(crate) struct Classified {
    pub classes: Classes,
    pub billing: BillingSummary,
    /// Pairs that differ in billing per day of the local record (days since
    /// 1970 in the one zone of the per-day figures).
    days: BTreeMap<i64, u64>,
    /// Compared pairs whose bill row has at least [`SECONDS_PROBE_SECS`]
    /// of talk time, and how many of them have billed "minutes" at or
    /// above those talk seconds.
    long_pairs: u64,
    seconds_like: u64,
    /// Pairs compared in seconds that differ in billing, and how many of
    /// them the bill charges exactly the bill's own talk seconds.
    differing_in_seconds: u64,
    per_second_like: u64,
}

/// Talk time of a bill row from which a billed column holding minutes is
/// always far below the talk seconds.
const SECONDS_PROBE_SECS: u32 = 120;

/// Long pairs needed before the billed column's unit is judged.
const SECONDS_PROBE_MIN_PAIRS: u64 = 10;

/// Counts of classified pairs, per chunk of pairs or partition, merged
/// afterwards.
#[derive(Debug, Default)]
pub(crate) struct Sums {
    /// The pairs whose talk time or billing differs, in pair order.
    pub differing: Vec<(u32, u32)>,
    exact: u64,
    duration_differs: u64,
    billing_differs: u64,
    compared: u64,
    compared_in_seconds: u64,
    not_compared: u64,
    carrier_higher: u64,
    carrier_lower: u64,
    difference_minutes: i64,
    difference_seconds: i64,
    days: BTreeMap<i64, u64>,
    long_pairs: u64,
    seconds_like: u64,
    differing_in_seconds: u64,
    per_second_like: u64,
}

impl Sums {
    pub(crate) fn add(&mut self, mut o: Sums) {
        self.differing.append(&mut o.differing);
        self.exact += o.exact;
        self.duration_differs += o.duration_differs;
        self.billing_differs += o.billing_differs;
        self.compared += o.compared;
        self.compared_in_seconds += o.compared_in_seconds;
        self.not_compared += o.not_compared;
        self.carrier_higher += o.carrier_higher;
        self.carrier_lower += o.carrier_lower;
        self.difference_minutes += o.difference_minutes;
        self.difference_seconds += o.difference_seconds;
        for (day, n) in o.days {
            *self.days.entry(day).or_default() += n;
        }
        self.long_pairs += o.long_pairs;
        self.seconds_like += o.seconds_like;
        self.differing_in_seconds += o.differing_in_seconds;
        self.per_second_like += o.per_second_like;
    }
}

/// Classifies the matched pairs (indices into `l` and `c`) and counts
/// the classes, in parallel. The billing differences are counted per day
/// at `day_offset` seconds east of UTC.
pub(crate) fn classify_pairs(
    classifier: &PairClassifier,
    l: &[Record],
    c: &[Record],
    pairs: &[(u32, u32)],
    day_offset: i64,
) -> Sums {
    use rayon::prelude::*;
    pairs
        .par_chunks(1 << 16)
        .map(|chunk| {
            let mut s = Sums::default();
            for (li, ci) in chunk {
                let (Some(a), Some(b)) = (l.get(*li as usize), c.get(*ci as usize)) else {
                    continue;
                };
                let before = s.duration_differs + s.billing_differs;
                count_pair(classifier, a, b, day_offset, &mut s);
                if s.duration_differs + s.billing_differs > before {
                    s.differing.push((*li, *ci));
                }
            }
            s
        })
        .reduce(Sums::default, |mut a, b| {
            a.add(b);
            a
        })
}

impl Classified {
    /// Puts the counts of every pair together with the reconciliation's
    /// `local_only` and `carrier_only`.
    pub(crate) fn new(
        sums: Sums,
        increment: BillingIncrement,
        local_only: u64,
        carrier_only: u64,
    ) -> Self {
        Classified {
            classes: Classes {
                exact: sums.exact,
                duration_differs: sums.duration_differs,
                billing_differs: sums.billing_differs,
                local_only,
                carrier_only,
            },
            billing: BillingSummary {
                increment,
                unit: compared_unit(sums.compared, sums.compared_in_seconds),
                compared: sums.compared,
                compared_in_seconds: sums.compared_in_seconds,
                not_compared: sums.not_compared,
                carrier_higher: sums.carrier_higher,
                carrier_lower: sums.carrier_lower,
                difference_minutes: sums.difference_minutes,
                difference_seconds: sums.difference_seconds,
            },
            days: sums.days,
            long_pairs: sums.long_pairs,
            seconds_like: sums.seconds_like,
            differing_in_seconds: sums.differing_in_seconds,
            per_second_like: sums.per_second_like,
        }
    }
}

/// Returns the unit of the billing comparison, from the pairs compared and
/// those of them compared in seconds.
fn compared_unit(compared: u64, in_seconds: u64) -> &'static str {
    match in_seconds {
        0 => BilledUnit::Minutes.name(),
        n if n == compared => BilledUnit::Seconds.name(),
        _ => "mixed",
    }
}

fn count_pair(classifier: &PairClassifier, l: &Record, c: &Record, day_offset: i64, s: &mut Sums) {
    if classifier.talk_differs(l, c) {
        s.duration_differs += 1;
        return;
    }
    let Some(billed) = classifier.billed(l, c) else {
        s.not_compared += 1;
        s.exact += 1;
        return;
    };
    s.compared += 1;
    let in_minutes = billed.unit == BilledUnit::Minutes;
    s.compared_in_seconds += u64::from(!in_minutes);
    if in_minutes && c.talk_secs >= SECONDS_PROBE_SECS {
        s.long_pairs += 1;
        s.seconds_like += u64::from(billed.carrier >= u64::from(c.talk_secs));
    }
    let diff = billed.difference();
    if diff == 0 {
        s.exact += 1;
        return;
    }
    s.billing_differs += 1;
    if !in_minutes {
        s.differing_in_seconds += 1;
        s.per_second_like += u64::from(billed.carrier == u64::from(c.talk_secs));
    }
    if diff > 0 {
        s.carrier_higher += 1;
    } else {
        s.carrier_lower += 1;
    }
    if in_minutes {
        s.difference_minutes += diff;
    } else {
        s.difference_seconds += diff;
    }
    *s.days.entry(day_of(day_offset, l)).or_default() += 1;
}

impl Classified {
    /// Adds the billing differences per day to the day figures (by the
    /// local record's day, which has a row since it contains the record).
    pub(crate) fn add_to_days(&self, days: &mut [DayFigures]) {
        for (day, n) in &self.days {
            let Some(date) = chrono::DateTime::from_timestamp(day.saturating_mul(86_400), 0)
                .map(|t| t.date_naive())
            else {
                continue;
            };
            if let Ok(i) = days.binary_search_by_key(&date, |d| d.date) {
                days[i].billing_differs += n;
            }
        }
    }

    /// Returns a warning when a billed column compared in minutes looks like
    /// seconds: a column of minutes is never at or above the talk seconds
    /// of calls of two minutes and more, a column of seconds always is.
    /// The reader infers seconds from the values on its own unless a
    /// mapping names the column `billed_minutes`, so this mostly catches
    /// such a mapping.
    ///
    /// Also returns a warning when most pairs that differ in seconds are
    /// billed exactly their talk seconds: the contract then bills per
    /// second (1/1) rather than the increment assumed.
    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let (long, like) = (self.long_pairs, self.seconds_like);
        if long >= SECONDS_PROBE_MIN_PAIRS && like * 10 >= long * 9 {
            warnings.push(self.seconds_warning());
        }
        let (differing, per_second) = (self.differing_in_seconds, self.per_second_like);
        let increment = self.billing.increment;
        let is_per_second = increment.first_secs <= 1 && increment.next_secs <= 1;
        // A small bill needs half its compared calls to differ.
        let enough = SECONDS_PROBE_MIN_PAIRS
            .min(self.billing.compared / 2)
            .max(1);
        if !is_per_second && differing >= enough && per_second * 10 >= differing * 9 {
            warnings.push(Warning {
                id: "billed_per_second".to_string(),
                message: format!(
                    "按计费方式 {increment} 有 {differing} 通计费不一致，其中 {per_second} 通运营商的计费秒数正好等于通话秒数，合同很可能按秒计费（1/1）。请核对与运营商的合同；如果按秒计费，用 `--billing 1/1` 重新运行，或在 case.toml 的 [rules.override] 中写 \"thresholds.cdr_billing_increment\" = \"1/1\"。"
                ),
                message_en: format!(
                    "{differing} calls differ in billing under the increment {increment}, and for {per_second} of them the bill charges exactly the talk seconds, so the contract most likely bills per second (1/1). Check the carrier contract; if it bills per second, run again with `--billing 1/1` or set \"thresholds.cdr_billing_increment\" = \"1/1\" under [rules.override] in case.toml."
                ),
            });
        }
        warnings
    }

    /// Returns the warning that a billed column compared in minutes looks
    /// like seconds.
    fn seconds_warning(&self) -> Warning {
        let (long, like) = (self.long_pairs, self.seconds_like);
        Warning {
            id: "billed_column_looks_like_seconds".to_string(),
            message: format!(
                "运营商话单的计费时长列按分钟读取，但在 {long} 通两分钟以上的通话中有 {like} 通的计费数值不小于通话秒数，这一列很可能是秒。按分钟比对的计费结果不可信；如果该列是秒，请在映射的 columns 中把它写成 billed_seconds = \"列名\"（而不是 billed_minutes），再重新运行。"
            ),
            message_en: format!(
                "the carrier's billed column is read as minutes, but in {like} of {long} calls of two minutes or more its value is at least the talk seconds, so it most likely holds seconds. The billing comparison in minutes cannot be trusted; if the column holds seconds, name it in the mapping's columns as billed_seconds = \"column\" (not billed_minutes) and run again."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(text: &str) -> BillingIncrement {
        BillingIncrement::parse(text).unwrap_or_default()
    }

    #[test]
    fn increments_bill_first_unit_then_started_units() {
        let cases = [
            ("60/60", 0, 0),
            ("60/60", 1, 60),
            ("60/60", 60, 60),
            ("60/60", 61, 120),
            ("60/60", 3600, 3600),
            ("6/6", 1, 6),
            ("6/6", 6, 6),
            ("6/6", 7, 12),
            ("6/6", 61, 66),
            ("1/1", 0, 0),
            ("1/1", 1, 1),
            ("1/1", 59, 59),
            ("30/6", 0, 0),
            ("30/6", 1, 30),
            ("30/6", 30, 30),
            ("30/6", 31, 36),
            ("30/6", 36, 36),
            ("30/6", 37, 42),
            ("30/6", 61, 66),
        ];
        for (text, talk, want) in cases {
            assert_eq!(billed_secs(inc(text), talk), want, "{text} at {talk} s");
        }
    }

    #[test]
    fn billed_seconds_never_fall_below_talk_time() {
        for text in ["60/60", "6/6", "1/1", "30/6", "6/60", "45/15"] {
            let i = inc(text);
            let mut last = 0;
            for talk in 0..5000u32 {
                let b = billed_secs(i, talk);
                assert!(b >= u64::from(talk), "{text} at {talk}: {b}");
                assert!(b >= last, "{text} is monotone at {talk}");
                assert!(
                    talk == 0 || b < u64::from(talk) + u64::from(i.first_secs.max(i.next_secs)),
                    "{text} bills at most one unit more at {talk}"
                );
                last = b;
            }
        }
    }

    #[test]
    fn longest_call_does_not_overflow() {
        let b = billed_secs(inc("1/3600"), u32::MAX);
        assert!(b >= u64::from(u32::MAX));
    }

    #[test]
    fn whole_minutes_round_half_up() {
        let cases = [
            (0, 0),
            (29, 0),
            (30, 1),
            (60, 1),
            (66, 1),
            (89, 1),
            (90, 2),
            (120, 2),
        ];
        for (secs, want) in cases {
            assert_eq!(whole_minutes(secs), want, "{secs}");
        }
    }
}
