//! Benchmark call records: `local.csv`, `carrier.csv` and `truth.json` in
//! the layout of the shared benchmark generator, for any number of calls.
//!
//! Rows are written as they are drawn, through large buffers, so memory
//! stays flat whatever the size. Every draw is a hash of (seed, call,
//! salt), so the files depend only on the seed and the count.
//!
//! The carrier side is the answered calls seen from the switch (start =
//! answer time ± 3 s), minus 1 % missing, with 0.3 % talk times changed by
//! 2–30 s and 0.22 % extra rows. Quick redials (a second call to the same
//! number seconds after a very short one) make near-duplicate keys on
//! purpose. The expected one-to-one counts are exact because the generator
//! applies the matching rule itself, key by key, while it writes: all
//! records of a key that could still pair are kept together until no later
//! record can come within the tolerance of them.

mod format;
mod truth;

use std::collections::{BinaryHeap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::DemoError;
use crate::rng::{mix, unit};

pub use truth::{BenchTruth, Expected};
use truth::{Group, Tally};

/// Start-time tolerance of the matching rule, seconds.
pub const TOLERANCE_SECS: i64 = 5;
/// Talk-time tolerance: pairs further apart are duration mismatches.
pub const TALK_TOLERANCE_SECS: i64 = 1;
/// Calls between two sweeps of finished keys and flushes of carrier rows.
const SWEEP_EVERY: u64 = 1 << 12;
/// Number of the company's trunk numbers (callers).
const CALLERS: u64 = 300;
const SECS_PER_DAY: i64 = 86_400;
const DAYS: u64 = 366;

// Salts of the per-call draws.
const S_CALLER: u64 = 1;
const S_AGENT: u64 = 2;
const S_HOT: u64 = 3;
const S_CALLEE: u64 = 4;
const S_DISP: u64 = 5;
const S_RING: u64 = 6;
const S_SHORT: u64 = 7;
const S_TALK: u64 = 8;
const S_REDIAL: u64 = 10;
const S_REDIAL_GAP: u64 = 11;
const S_ID1: u64 = 20;
const S_ID2: u64 = 21;
const S_MISSING: u64 = 30;
const S_SKEW: u64 = 31;
const S_DURCHG: u64 = 32;
const S_DURAMT: u64 = 33;
const S_DURSIGN: u64 = 34;
const S_EXTRA: u64 = 40;
const S_EXTRA_CALLER: u64 = 41;
const S_EXTRA_HOT: u64 = 42;
const S_EXTRA_CALLEE: u64 = 43;
const S_EXTRA_T: u64 = 44;
const S_EXTRA_SHORT: u64 = 45;
const S_EXTRA_TALK: u64 = 46;

/// The end state of a local call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    Answered,
    NoAnswer,
    Busy,
    Failed,
}

impl Disposition {
    fn word(self) -> &'static [u8] {
        match self {
            Disposition::Answered => b"ANSWERED",
            Disposition::NoAnswer => b"NO ANSWER",
            Disposition::Busy => b"BUSY",
            Disposition::Failed => b"FAILED",
        }
    }
}

/// One local call, times in seconds from 2024-01-01 00:00 local time.
#[derive(Clone, Copy, Debug)]
pub struct LocalCall {
    pub index: u64,
    pub agent: u64,
    pub caller: u64,
    pub callee: u64,
    pub start: i64,
    pub ring: i64,
    pub talk: i64,
    pub disposition: Disposition,
}

/// One carrier row; `seq` orders rows with equal start times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CarrierRow {
    pub t: i64,
    pub seq: u64,
    pub caller: u64,
    pub callee: u64,
    pub talk: i64,
}

/// The draws of one seed and count.
#[derive(Clone, Copy, Debug)]
struct Model {
    seed: u64,
    n: u64,
    hot: u64,
}

impl Model {
    fn u(&self, i: u64, salt: u64) -> f64 {
        unit(mix(self.seed, i, salt))
    }

    fn h(&self, i: u64, salt: u64) -> u64 {
        mix(self.seed, i, salt)
    }

    /// Start of call `i` before any redial: calls march through the 366
    /// days of 2024, 5 % between 08:00 and 09:00, 85 % in office hours and
    /// 10 % in the evening until 21:00; never decreasing with `i`.
    fn natural_start(&self, i: u64) -> i64 {
        let scaled = u128::from(i) * u128::from(DAYS);
        let n = u128::from(self.n.max(1));
        let day = (scaled / n) as i64;
        let f = (scaled % n) as f64 / n as f64;
        let secs = if f < 0.05 {
            8.0 * 3600.0 + f / 0.05 * 3600.0
        } else if f < 0.90 {
            9.0 * 3600.0 + (f - 0.05) / 0.85 * 9.0 * 3600.0
        } else {
            18.0 * 3600.0 + (f - 0.90) / 0.10 * 3.0 * 3600.0
        };
        day * SECS_PER_DAY + secs as i64
    }

    /// Draws a callee: 35 % from a pool of returning customers, else practically unique.
    fn callee(&self, i: u64, hot_salt: u64, callee_salt: u64, hot_share: f64) -> u64 {
        if self.u(i, hot_salt) < hot_share {
            self.h(i, callee_salt) % self.hot
        } else {
            100_000_000 + self.h(i, callee_salt) % 900_000_000
        }
    }

    /// Draws the talk seconds of an answered call: 10 % hang up within 10 s, the rest
    /// a long-tailed conversation of at most two hours.
    fn talk(&self, i: u64, short_salt: u64, talk_salt: u64) -> i64 {
        if self.u(i, short_salt) < 0.10 {
            (self.h(i, talk_salt) % 11) as i64
        } else {
            (11.0 - (1.0 - self.u(i, talk_salt)).ln() * 170.0).min(7200.0) as i64
        }
    }

    /// Call `i` as drawn, before redials.
    fn call(&self, i: u64) -> LocalCall {
        let d = self.u(i, S_DISP);
        let disposition = match d {
            d if d < 0.45 => Disposition::Answered,
            d if d < 0.75 => Disposition::NoAnswer,
            d if d < 0.90 => Disposition::Busy,
            _ => Disposition::Failed,
        };
        let r = self.h(i, S_RING);
        let ring = match disposition {
            Disposition::Answered => 2 + r % 25,
            Disposition::NoAnswer => 30 + r % 31,
            Disposition::Busy => 1 + r % 5,
            Disposition::Failed => r % 4,
        } as i64;
        let talk = match disposition {
            Disposition::Answered => self.talk(i, S_SHORT, S_TALK),
            _ => 0,
        };
        LocalCall {
            index: i,
            agent: self.h(i, S_AGENT) % 500,
            caller: self.h(i, S_CALLER) % CALLERS,
            callee: self.callee(i, S_HOT, S_CALLEE, 0.35),
            start: self.natural_start(i),
            ring,
            talk,
            disposition,
        }
    }

    /// Turns an odd call after a very short answered one, half the time,
    /// into a redial of the same number 1–8 s after the first call ended.
    fn redial(&self, call: &mut LocalCall, prev: &LocalCall) -> bool {
        let eligible = call.index % 2 == 1
            && prev.disposition == Disposition::Answered
            && prev.talk <= 5
            && self.u(call.index, S_REDIAL) < 0.5;
        if eligible {
            call.agent = prev.agent;
            call.caller = prev.caller;
            call.callee = prev.callee;
            call.start = prev.start
                + prev.ring
                + prev.talk
                + 1
                + (self.h(call.index, S_REDIAL_GAP) % 8) as i64;
        }
        eligible
    }

    /// Returns the carrier's copy of an answered call and whether its talk
    /// time was changed, or `None` when the copy is missing.
    fn carrier_copy(&self, call: &LocalCall) -> Option<(CarrierRow, bool)> {
        let i = call.index;
        if self.u(i, S_MISSING) < 0.01 {
            return None;
        }
        let skew = (self.h(i, S_SKEW) % 7) as i64 - 3;
        let changed = self.u(i, S_DURCHG) < 0.003;
        let mut talk = call.talk;
        if changed {
            let amount = 2 + (self.h(i, S_DURAMT) % 29) as i64;
            talk = if self.u(i, S_DURSIGN) < 0.5 && talk >= amount {
                talk - amount
            } else {
                talk + amount
            };
        }
        let row = CarrierRow {
            t: call.start + call.ring + skew,
            seq: 2 * i,
            caller: call.caller,
            callee: call.callee,
            talk,
        };
        Some((row, changed))
    }

    /// Draws the extra carrier row of call `i`, if any (calls the local system never
    /// recorded), about 0.22 % of calls.
    fn extra(&self, i: u64) -> Option<CarrierRow> {
        if self.u(i, S_EXTRA) >= 0.0022 {
            return None;
        }
        Some(CarrierRow {
            t: self.natural_start(i) + 30 + (self.h(i, S_EXTRA_T) % 600) as i64,
            seq: 2 * i + 1,
            caller: self.h(i, S_EXTRA_CALLER) % CALLERS,
            callee: self.callee(i, S_EXTRA_HOT, S_EXTRA_CALLEE, 0.5),
            talk: self.talk(i, S_EXTRA_SHORT, S_EXTRA_TALK),
        })
    }
}

/// The open files and the state that keeps the truth exact.
struct Writer {
    local: BufWriter<File>,
    carrier: BufWriter<File>,
    line: Vec<u8>,
    fmt: format::Formatter,
    /// Carrier rows not yet written, smallest start first.
    pending: BinaryHeap<std::cmp::Reverse<CarrierRow>>,
    /// Records of keys that may still pair, by (caller, callee).
    groups: HashMap<u64, Group, truth::KeyHasher>,
    tally: Tally,
}

/// Writes the three files into `dir` (which exists and may be written).
pub fn write(dir: &Path, seed: u64, n: u64) -> Result<BenchTruth, DemoError> {
    let model = Model {
        seed,
        n,
        hot: (n / 20).max(1000),
    };
    let open = |name: &str| -> Result<BufWriter<File>, DemoError> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(|e| DemoError::io(&path, e))?;
        Ok(BufWriter::with_capacity(1 << 20, file))
    };
    let mut w = Writer {
        local: open("local.csv")?,
        carrier: open("carrier.csv")?,
        line: Vec::with_capacity(256),
        fmt: format::Formatter::new(),
        pending: BinaryHeap::new(),
        groups: HashMap::with_hasher(truth::KeyHasher::default()),
        tally: Tally::default(),
    };
    let io = |name: &str| {
        let path = dir.join(name);
        move |e: std::io::Error| DemoError::io(path, e)
    };
    w.local
        .write_all(format::LOCAL_HEADER)
        .map_err(io("local.csv"))?;
    w.carrier
        .write_all(format::CARRIER_HEADER.as_bytes())
        .map_err(io("carrier.csv"))?;

    run(&model, &mut w).map_err(io("carrier.csv"))?;

    w.local.flush().map_err(io("local.csv"))?;
    w.carrier.flush().map_err(io("carrier.csv"))?;
    let sizes = (
        file_size(&dir.join("local.csv"))?,
        file_size(&dir.join("carrier.csv"))?,
    );
    let truth = w.tally.into_truth(seed, n, sizes);
    let text = truth
        .to_json()
        .map_err(|e| DemoError::encode("truth.json", e))?;
    let path = dir.join("truth.json");
    std::fs::write(&path, text).map_err(|e| DemoError::io(&path, e))?;
    Ok(truth)
}

fn file_size(path: &Path) -> Result<u64, DemoError> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| DemoError::io(path, e))
}

/// Draws and writes every call, then drains what is left.
fn run(model: &Model, w: &mut Writer) -> std::io::Result<()> {
    let mut prev: Option<LocalCall> = None;
    for i in 0..model.n {
        // No record of call i or later starts before the previous call's
        // natural start minus the 3 s skew, so anything older is final.
        if i % SWEEP_EVERY == 0 {
            if let Some(p) = prev {
                let floor = model.natural_start(p.index) - 10;
                w.sweep(floor);
                w.flush_carrier(floor)?;
            }
        }
        let mut call = model.call(i);
        let redial = prev.is_some_and(|p| model.redial(&mut call, &p));
        w.local_call(model, &call, redial)?;
        if let Some(extra) = model.extra(i) {
            w.carrier_row(extra, true);
            w.tally.extra_in_carrier += 1;
        }
        prev = Some(call);
    }
    w.sweep(i64::MAX);
    w.flush_carrier(i64::MAX)
}

impl Writer {
    fn local_call(&mut self, model: &Model, call: &LocalCall, redial: bool) -> std::io::Result<()> {
        let id = (model.h(call.index, S_ID1), model.h(call.index, S_ID2));
        self.line.clear();
        self.fmt.local_line(&mut self.line, call, id);
        self.local.write_all(&self.line)?;
        self.tally.local_rows += 1;
        if redial {
            self.tally.quick_redials += 1;
        }
        if call.disposition != Disposition::Answered {
            return Ok(());
        }
        self.tally.add_local_answered(call.talk, redial);
        let key = truth::key(call.caller, call.callee);
        let t = call.start + call.ring;
        let record = truth::Record::new(t, call.talk, call.index, false);
        self.groups.entry(key).or_default().add_local(record);
        if let Some((row, changed)) = model.carrier_copy(call) {
            if changed {
                self.tally.duration_changed += 1;
            }
            self.carrier_row(row, false);
        } else {
            self.tally.missing_in_carrier += 1;
        }
        Ok(())
    }

    fn carrier_row(&mut self, row: CarrierRow, extra: bool) {
        self.tally.add_carrier(row.talk);
        let key = truth::key(row.caller, row.callee);
        let record = truth::Record::new(row.t, row.talk, row.seq, extra);
        self.groups.entry(key).or_default().add_carrier(record);
        self.pending.push(std::cmp::Reverse(row));
    }

    /// Settles every key whose records all lie before `floor`.
    fn sweep(&mut self, floor: i64) {
        let tally = &mut self.tally;
        self.groups.retain(|_, g| {
            if i64::from(g.max_t) < floor {
                g.settle(tally);
                false
            } else {
                true
            }
        });
    }

    /// Writes the carrier rows that start before `floor`, in time order.
    fn flush_carrier(&mut self, floor: i64) -> std::io::Result<()> {
        while let Some(std::cmp::Reverse(row)) = self.pending.peek().copied() {
            if row.t >= floor {
                break;
            }
            self.pending.pop();
            self.line.clear();
            self.fmt.carrier_line(&mut self.line, &row);
            self.carrier.write_all(&self.line)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use chrono::NaiveDateTime;
    use truth::{match_key, Record};

    fn secs(text: &str, fmt: &str) -> i64 {
        let base = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        (NaiveDateTime::parse_from_str(text, fmt).unwrap() - base).num_seconds()
    }

    type Sides = BTreeMap<(String, String), (Vec<Record>, Vec<Record>)>;

    /// Reads both files back and applies the rule to whole keys, the way
    /// the reference implementation does.
    fn reread(dir: &Path) -> (Sides, u64) {
        let mut sides: Sides = BTreeMap::new();
        let mut local = csv::Reader::from_path(dir.join("local.csv")).unwrap();
        let mut answered = 0;
        for (row, rec) in local.records().enumerate() {
            let rec = rec.unwrap();
            if &rec[8] != "ANSWERED" {
                continue;
            }
            answered += 1;
            let t = secs(&rec[5], "%Y-%m-%d %H:%M:%S");
            let r = Record::new(t, rec[7].parse().unwrap(), row as u64, false);
            sides
                .entry((rec[2].to_string(), rec[3].to_string()))
                .or_default()
                .0
                .push(r);
        }
        let mut carrier = csv::Reader::from_path(dir.join("carrier.csv")).unwrap();
        for (row, rec) in carrier.records().enumerate() {
            let rec = rec.unwrap();
            let t = secs(&rec[2], "%Y%m%d%H%M%S");
            let r = Record::new(t, rec[3].parse().unwrap(), row as u64, false);
            sides
                .entry((rec[0].to_string(), rec[1].to_string()))
                .or_default()
                .1
                .push(r);
        }
        (sides, answered)
    }

    #[test]
    fn truth_matches_rule_on_written_files() {
        for (seed, n) in [(1, 20_000), (2, 3_000), (3, 7)] {
            let tmp = tempfile::tempdir().unwrap();
            let truth = write(tmp.path(), seed, n).unwrap();
            let (sides, answered) = reread(tmp.path());
            let (mut matched, mut mismatched, mut carrier_rows) = (0, 0, 0);
            for (l, c) in sides.values() {
                let (m, mm) = match_key(l, c);
                matched += m;
                mismatched += mm;
                carrier_rows += c.len() as u64;
            }
            let e = &truth.expected_one_to_one;
            assert_eq!(truth.local.answered, answered, "seed {seed}");
            assert_eq!(truth.carrier.rows, carrier_rows, "seed {seed}");
            assert_eq!(
                (e.matched, e.duration_mismatch),
                (matched, mismatched),
                "seed {seed}"
            );
            assert_eq!(e.local_only, answered - matched);
            assert_eq!(e.carrier_only, carrier_rows - matched);
        }
    }

    #[test]
    fn data_set_has_differences_and_hazards() {
        let tmp = tempfile::tempdir().unwrap();
        let truth = write(tmp.path(), 9, 50_000).unwrap();
        assert_eq!(truth.local.rows, 50_000);
        assert!(truth.perturbations.missing_in_carrier > 100);
        assert!(truth.perturbations.extra_in_carrier > 50);
        assert!(truth.perturbations.duration_changed > 20);
        assert!(truth.hazards.answered_quick_redials > 50);
        assert!(
            truth
                .hazards
                .answered_calls_with_same_key_answered_within_10s
                > 0
        );
    }

    #[test]
    fn files_sorted_and_deterministic() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        write(a.path(), 5, 5_000).unwrap();
        write(b.path(), 5, 5_000).unwrap();
        for name in ["local.csv", "carrier.csv", "truth.json"] {
            let x = std::fs::read(a.path().join(name)).unwrap();
            let y = std::fs::read(b.path().join(name)).unwrap();
            assert!(x == y, "{name} differs");
        }
        let text = std::fs::read_to_string(a.path().join("carrier.csv")).unwrap();
        let times: Vec<&str> = text
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(2))
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }
}
