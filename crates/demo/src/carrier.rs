//! The carrier's bill (运营商二次话单): answered calls only, seen from the
//! switch, so start times are the local answer time give or take a few
//! seconds, a few calls are missing, a few talk times differ by a second and
//! a few calls made outside the call-centre system appear.

use chrono::{Datelike, Duration, NaiveDateTime};

use crate::calls::{self, Call};
use crate::rng::Rng;

/// Fee per started minute of an outbound call, in fen.
pub const FEN_PER_MINUTE: u64 = 12;
/// Share of answered calls the bill misses in the clean case.
const MISSING_SHARE: f64 = 0.005;
/// Share of answered calls whose billed talk time is one second off.
const OFF_BY_ONE_SHARE: f64 = 0.003;
/// Extra rows (calls from desk phones outside the system), per answered call.
const EXTRA_SHARE: f64 = 0.001;
/// With the planted gap, the share of November's answered calls missing.
pub const GAP_SHARE: f64 = 0.14;

/// One bill row.
#[derive(Clone, Debug)]
pub struct BillRow {
    pub caller: String,
    pub callee: String,
    pub start: NaiveDateTime,
    pub talk: u32,
}

impl BillRow {
    /// Billed minutes: every started minute.
    pub fn billed_minutes(&self) -> u64 {
        u64::from(self.talk).div_ceil(60)
    }

    /// Fee in fen; calls into the company's lines are free for it.
    pub fn fee_fen(&self, trunks: &[String]) -> u64 {
        if trunks.contains(&self.callee) {
            0
        } else {
            self.billed_minutes() * FEN_PER_MINUTE
        }
    }
}

/// Derives the bill for the covered months, sorted by start time. With `gap`, a
/// further [`GAP_SHARE`] of November's calls is missing (the planted
/// `cdr.count_mismatch`).
pub fn bill(calls: &[Call], trunks: &[String], seed: u64, gap: bool) -> Vec<BillRow> {
    let mut rng = Rng::new(seed, 4);
    let mut gap_rng = Rng::new(seed, 5);
    let mut rows = Vec::new();
    for call in calls {
        let Some(answer) = call.answer else { continue };
        let missing = rng.chance(MISSING_SHARE);
        let skew = rng.range(-3, 3);
        let off = rng.chance(OFF_BY_ONE_SHARE);
        let in_gap = gap && answer.month() == 11 && gap_rng.chance(GAP_SHARE);
        if missing || in_gap {
            continue;
        }
        let talk = match (off, call.talk) {
            (true, t) if t > 5 => t - 1,
            (true, t) => t + 1,
            (false, t) => t,
        };
        rows.push(BillRow {
            caller: call.caller.clone(),
            callee: call.callee.clone(),
            start: answer + Duration::seconds(skew),
            talk,
        });
    }
    let answered = calls.iter().filter(|c| c.answered()).count();
    let extras = (answered as f64 * EXTRA_SHARE).round() as usize;
    rows.extend(extra_rows(&mut rng, calls, trunks, extras));
    rows.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.callee.cmp(&b.callee)));
    rows
}

/// Calls from a supervisor's desk phone on a trunk line, at times when
/// agents were calling too.
fn extra_rows(rng: &mut Rng, calls: &[Call], trunks: &[String], n: usize) -> Vec<BillRow> {
    (0..n)
        .filter_map(|_| {
            let anchor = rng.pick(calls)?;
            Some(BillRow {
                caller: rng.pick(trunks)?.clone(),
                callee: calls::mobile(rng),
                start: anchor.start + Duration::seconds(rng.range(30, 600)),
                talk: rng.range(20, 240) as u32,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::World;

    #[test]
    fn clean_bill_differs_under_one_percent() {
        let w = World::new(2024);
        let calls = calls::generate(&w, 2024);
        let rows = bill(&calls, &w.trunks, 2024, false);
        let local: Vec<&Call> = calls.iter().filter(|c| c.answered()).collect();
        let l_n = local.len() as f64;
        let c_n = rows.len() as f64;
        assert!((l_n - c_n).abs() / c_n < 0.01, "{l_n} vs {c_n}");
        let l_t: f64 = local.iter().map(|c| f64::from(c.talk)).sum();
        let c_t: f64 = rows.iter().map(|r| f64::from(r.talk)).sum();
        assert!((l_t - c_t).abs() / c_t < 0.01, "{l_t} vs {c_t}");
        for pair in rows.windows(2) {
            assert!(pair[0].start <= pair[1].start);
        }
    }

    #[test]
    fn gap_exceeds_three_percent() {
        let w = World::new(2024);
        let calls = calls::generate(&w, 2024);
        let rows = bill(&calls, &w.trunks, 2024, true);
        let l_n = calls.iter().filter(|c| c.answered()).count() as f64;
        let c_n = rows.len() as f64;
        assert!((l_n - c_n) / c_n > 0.04, "{l_n} vs {c_n}");
    }
}
