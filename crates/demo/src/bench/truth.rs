//! The exact figures of a benchmark data set: totals per side and the
//! counts the one-to-one matching rule must give, computed key by key while
//! the files are written.

use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

use super::{TALK_TOLERANCE_SECS, TOLERANCE_SECS};

/// Packs a key of (caller, callee): caller < 2¹⁶, callee < 2³².
pub fn key(caller: u64, callee: u64) -> u64 {
    (caller << 32) | (callee & 0xffff_ffff)
}

/// A multiplicative hasher for the integer keys: the standard SipHash is
/// several times slower and the keys are not attacker-chosen.
#[derive(Debug, Default)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (v ^ (v >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub type KeyHasher = BuildHasherDefault<FastHasher>;

/// One record of a key: time (local answer / carrier start, seconds from
/// 2024-01-01), talk seconds and its order among equal times (local row,
/// carrier creation order). Packed into 16 bytes so that a group fits a
/// cache line: the map of open keys is the generator's hot spot.
#[derive(Clone, Copy, Debug, Default)]
pub struct Record {
    pub order: u64,
    pub t: u32,
    pub talk: u16,
    pub extra: bool,
}

impl Record {
    pub fn new(t: i64, talk: i64, order: u64, extra: bool) -> Record {
        Record {
            order,
            t: t.clamp(0, i64::from(u32::MAX)) as u32,
            talk: talk.clamp(0, i64::from(u16::MAX)) as u16,
            extra,
        }
    }

    fn dt(&self, other: &Record) -> i64 {
        (i64::from(self.t) - i64::from(other.t)).abs()
    }

    fn dtalk(&self, other: &Record) -> i64 {
        (i64::from(self.talk) - i64::from(other.talk)).abs()
    }
}

/// The records of one key that may still pair. The first of each side is
/// kept inline: almost every key has one local call and its copy.
#[derive(Debug, Default)]
pub struct Group {
    first_local: Record,
    first_carrier: Record,
    /// Further records, `true` for the local side.
    more: Vec<(bool, Record)>,
    has_local: bool,
    has_carrier: bool,
    pub max_t: u32,
}

impl Group {
    pub fn add_local(&mut self, r: Record) {
        if self.has_local {
            self.more.push((true, r));
        } else {
            self.first_local = r;
            self.has_local = true;
        }
        self.max_t = self.max_t.max(r.t);
    }

    pub fn add_carrier(&mut self, r: Record) {
        if self.has_carrier {
            self.more.push((false, r));
        } else {
            self.first_carrier = r;
            self.has_carrier = true;
        }
        self.max_t = self.max_t.max(r.t);
    }

    /// Applies the matching rule to the key's records and adds the result.
    pub fn settle(&self, tally: &mut Tally) {
        if self.more.is_empty() {
            if self.has_local && self.has_carrier {
                let (l, c) = (self.first_local, self.first_carrier);
                if l.dt(&c) <= TOLERANCE_SECS {
                    tally.matched += 1;
                    if l.dtalk(&c) > TALK_TOLERANCE_SECS {
                        tally.duration_mismatch += 1;
                    }
                    if c.extra {
                        tally.extra_collisions += 1;
                    }
                }
            }
            return;
        }
        let side = |local: bool, first: Option<Record>| -> Vec<Record> {
            let more = self
                .more
                .iter()
                .filter(|(l, _)| *l == local)
                .map(|(_, r)| *r);
            first.into_iter().chain(more).collect()
        };
        let locals = side(true, self.has_local.then_some(self.first_local));
        let carriers = side(false, self.has_carrier.then_some(self.first_carrier));
        let (matched, mismatched) = match_key(&locals, &carriers);
        tally.matched += matched;
        tally.duration_mismatch += mismatched;
        tally.near_duplicates += near_duplicates(&locals);
        tally.extra_collisions += carriers
            .iter()
            .filter(|c| c.extra && locals.iter().any(|l| l.dt(c) <= TOLERANCE_SECS))
            .count() as u64;
    }
}

/// Applies the one-to-one rule: candidates (same key, times at most the tolerance
/// apart) taken in ascending order of (talk times differ, |time difference|,
/// |talk difference|, local time, carrier time, local order, carrier
/// order); a pair is accepted when neither record is taken yet. Returns
/// (matched, matched with differing talk times).
pub fn match_key(locals: &[Record], carriers: &[Record]) -> (u64, u64) {
    let mut candidates = Vec::new();
    for (li, l) in locals.iter().enumerate() {
        for (ci, c) in carriers.iter().enumerate() {
            let dt = l.dt(c);
            if dt <= TOLERANCE_SECS {
                let dtalk = l.dtalk(c);
                candidates.push((
                    dtalk > TALK_TOLERANCE_SECS,
                    dt,
                    dtalk,
                    l.t,
                    c.t,
                    l.order,
                    c.order,
                    li,
                    ci,
                ));
            }
        }
    }
    candidates.sort_unstable();
    let mut used_l = vec![false; locals.len()];
    let mut used_c = vec![false; carriers.len()];
    let (mut matched, mut mismatched) = (0, 0);
    for (differs, _, _, _, _, _, _, li, ci) in candidates {
        if used_l[li] || used_c[ci] {
            continue;
        }
        used_l[li] = true;
        used_c[ci] = true;
        matched += 1;
        mismatched += u64::from(differs);
    }
    (matched, mismatched)
}

/// Local records with another record of the same key answered within 10 s.
fn near_duplicates(locals: &[Record]) -> u64 {
    locals
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            locals
                .iter()
                .enumerate()
                .any(|(j, b)| *i != j && a.dt(b) <= 2 * TOLERANCE_SECS)
        })
        .count() as u64
}

/// Running totals.
#[derive(Debug, Default)]
pub struct Tally {
    pub local_rows: u64,
    local_answered: u64,
    local_talk: u64,
    local_billed: u64,
    carrier_rows: u64,
    carrier_talk: u64,
    carrier_billed: u64,
    pub missing_in_carrier: u64,
    pub extra_in_carrier: u64,
    pub duration_changed: u64,
    pub quick_redials: u64,
    answered_quick_redials: u64,
    matched: u64,
    duration_mismatch: u64,
    near_duplicates: u64,
    extra_collisions: u64,
}

impl Tally {
    pub fn add_local_answered(&mut self, talk: i64, redial: bool) {
        let talk = talk.max(0) as u64;
        self.local_answered += 1;
        self.local_talk += talk;
        self.local_billed += talk.div_ceil(60);
        self.answered_quick_redials += u64::from(redial);
    }

    pub fn add_carrier(&mut self, talk: i64) {
        let talk = talk.max(0) as u64;
        self.carrier_rows += 1;
        self.carrier_talk += talk;
        self.carrier_billed += talk.div_ceil(60);
    }

    pub fn into_truth(
        self,
        seed: u64,
        calls: u64,
        (local_bytes, carrier_bytes): (u64, u64),
    ) -> BenchTruth {
        BenchTruth {
            generator: "nianshen demo".into(),
            calls,
            seed,
            local: LocalTotals {
                rows: self.local_rows,
                answered: self.local_answered,
                talk_s: self.local_talk,
                billed_min: self.local_billed,
            },
            carrier: CarrierTotals {
                rows: self.carrier_rows,
                talk_s: self.carrier_talk,
                billed_min: self.carrier_billed,
                fee_yuan: self.carrier_billed as f64 / 10.0,
            },
            perturbations: Perturbations {
                missing_in_carrier: self.missing_in_carrier,
                extra_in_carrier: self.extra_in_carrier,
                duration_changed: self.duration_changed,
            },
            expected_one_to_one: Expected {
                matched: self.matched,
                local_only: self.local_answered - self.matched,
                carrier_only: self.carrier_rows - self.matched,
                duration_mismatch: self.duration_mismatch,
            },
            hazards: Hazards {
                quick_redials: self.quick_redials,
                answered_quick_redials: self.answered_quick_redials,
                answered_calls_with_same_key_answered_within_10s: self.near_duplicates,
                extra_rows_within_5s_of_same_key_local_answered: self.extra_collisions,
            },
            files: Files {
                local_csv: local_bytes,
                carrier_csv: carrier_bytes,
            },
        }
    }
}

/// `truth.json`, in the shape of the shared generator's (without timings,
/// so equal seeds give equal files).
#[derive(Clone, Debug, Serialize)]
pub struct BenchTruth {
    pub generator: String,
    pub calls: u64,
    pub seed: u64,
    pub local: LocalTotals,
    pub carrier: CarrierTotals,
    pub perturbations: Perturbations,
    pub expected_one_to_one: Expected,
    pub hazards: Hazards,
    pub files: Files,
}

impl BenchTruth {
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct LocalTotals {
    pub rows: u64,
    pub answered: u64,
    pub talk_s: u64,
    pub billed_min: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CarrierTotals {
    pub rows: u64,
    pub talk_s: u64,
    pub billed_min: u64,
    pub fee_yuan: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Perturbations {
    pub missing_in_carrier: u64,
    pub extra_in_carrier: u64,
    pub duration_changed: u64,
}

/// The counts a one-to-one reconciliation must report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Expected {
    pub matched: u64,
    pub local_only: u64,
    pub carrier_only: u64,
    pub duration_mismatch: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Hazards {
    pub quick_redials: u64,
    pub answered_quick_redials: u64,
    pub answered_calls_with_same_key_answered_within_10s: u64,
    pub extra_rows_within_5s_of_same_key_local_answered: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Files {
    #[serde(rename = "local.csv")]
    pub local_csv: u64,
    #[serde(rename = "carrier.csv")]
    pub carrier_csv: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(t: i64, talk: i64, order: u64) -> Record {
        Record::new(t, talk, order, false)
    }

    #[test]
    fn matching_rule_case_table() {
        // (locals, carriers, matched, mismatched)
        let cases: Vec<(Vec<Record>, Vec<Record>, u64, u64)> = vec![
            (vec![r(100, 30, 1)], vec![r(103, 30, 1)], 1, 0),
            (vec![r(100, 30, 1)], vec![r(106, 30, 1)], 0, 0),
            (vec![r(100, 30, 1)], vec![r(95, 40, 1)], 1, 1),
            // Agreeing talk wins over a closer time.
            (
                vec![r(100, 30, 1)],
                vec![r(100, 50, 1), r(104, 30, 2)],
                1,
                0,
            ),
            // A quick redial: two locals, two carriers crossing in time.
            (
                vec![r(100, 3, 1), r(104, 20, 2)],
                vec![r(103, 3, 1), r(101, 20, 2)],
                2,
                0,
            ),
            // One carrier row, two locals: one-to-one leaves one local over.
            (vec![r(100, 3, 1), r(102, 3, 2)], vec![r(101, 3, 1)], 1, 0),
            // Greedy order decides which pair takes the shared record.
            (
                vec![r(100, 3, 1), r(106, 3, 2)],
                vec![r(103, 3, 1), r(109, 9, 2)],
                2,
                1,
            ),
        ];
        for (i, (l, c, m, mm)) in cases.into_iter().enumerate() {
            assert_eq!(match_key(&l, &c), (m, mm), "case {i}");
        }
    }

    #[test]
    fn fast_path_matches_general_rule() {
        let mut fast = Tally::default();
        let mut g = Group::default();
        g.add_local(r(100, 30, 1));
        g.add_carrier(r(102, 33, 1));
        g.settle(&mut fast);
        assert_eq!((fast.matched, fast.duration_mismatch), (1, 1));
        assert_eq!(match_key(&[r(100, 30, 1)], &[r(102, 33, 1)]), (1, 1));
    }
}
