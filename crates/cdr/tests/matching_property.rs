//! The matcher against a brute-force statement of the matching rule, on
//! many small random pairs of files full of near-duplicate keys and quick
//! redials: the figures must agree exactly.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::Path;

use nianshen_cdr::{
    read_side, read_side_with, reconcile, MatchOptions, MemoryBudget, ReadOptions, ScanOptions,
    Vocabulary,
};

/// splitmix64: small, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Copy, Debug)]
struct Call {
    caller: u64,
    callee: u64,
    time: i64,
    talk: i64,
    row: usize,
}

/// 2024-01-01 00:00:00 +08:00.
const BASE: i64 = 1_704_038_400;

fn stamp(t: i64, compact: bool) -> String {
    let dt = chrono::DateTime::from_timestamp(t + 8 * 3600, 0)
        .expect("valid time")
        .naive_utc();
    if compact {
        dt.format("%Y%m%d%H%M%S").to_string()
    } else {
        dt.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

fn number(n: u64) -> String {
    format!("1380013{n:04}")
}

/// Writes a random case; returns the answered local and all carrier calls.
fn write_case(rng: &mut Rng, dir: &Path) -> (Vec<Call>, Vec<Call>) {
    let mut local_csv = String::from(
        "call_id,agent_id,caller,callee,start_time,answer_time,end_time,duration_s,disposition\n",
    );
    let mut carrier_csv = String::from("主叫号码,被叫号码,开始时间,通话时长,计费时长,费用\n");
    let (mut local, mut carrier) = (Vec::new(), Vec::new());
    let n = rng.below(14);
    let mut prev: Option<Call> = None;
    for i in 0..n {
        let redial = prev.filter(|_| rng.below(3) == 0);
        let (caller, callee, time) = match redial {
            Some(p) => (
                p.caller,
                p.callee,
                p.time + p.talk + 1 + rng.below(8) as i64,
            ),
            None => (rng.below(2), rng.below(2), BASE + rng.below(40) as i64),
        };
        let answered = rng.below(5) != 0;
        let talk = if answered { rng.below(12) as i64 } else { 0 };
        let row = i as usize + 2;
        let disp = if answered { "ANSWERED" } else { "NO ANSWER" };
        let answer = if answered {
            stamp(time, false)
        } else {
            String::new()
        };
        let _ = writeln!(
            local_csv,
            "id{i},A1,{},{},{},{answer},{},{talk},{disp}",
            number(caller),
            number(callee),
            stamp(time - 3, false),
            stamp(time + talk, false)
        );
        let call = Call {
            caller,
            callee,
            time,
            talk,
            row,
        };
        if answered {
            local.push(call);
            prev = Some(call);
        }
    }
    let mut rows: Vec<(i64, u64, u64, i64)> = Vec::new();
    for c in &local {
        if rng.below(6) == 0 {
            continue;
        }
        let skew = rng.below(9) as i64 - 4;
        let talk = if rng.below(5) == 0 {
            c.talk + rng.below(5) as i64
        } else {
            c.talk
        };
        rows.push((c.time + skew, c.caller, c.callee, talk));
        if rng.below(4) == 0 {
            // A near twin with another talk time: the pair whose talk
            // times agree must win even when it is further apart in time.
            rows.push((
                c.time + rng.below(5) as i64 - 2,
                c.caller,
                c.callee,
                c.talk + 3,
            ));
        }
    }
    for _ in 0..rng.below(4) {
        rows.push((
            BASE + rng.below(40) as i64,
            rng.below(2),
            rng.below(2),
            rng.below(12) as i64,
        ));
    }
    rows.sort();
    for (i, (t, caller, callee, talk)) in rows.into_iter().enumerate() {
        let _ = writeln!(
            carrier_csv,
            "{},{},{},{talk},{},0.10",
            number(caller),
            number(callee),
            stamp(t, true),
            (talk + 59) / 60
        );
        carrier.push(Call {
            caller,
            callee,
            time: t,
            talk,
            row: i + 2,
        });
    }
    std::fs::write(dir.join("local.csv"), local_csv).expect("write local");
    std::fs::write(dir.join("carrier.csv"), carrier_csv).expect("write carrier");
    (local, carrier)
}

/// The rule stated as plainly as possible: every candidate pair, sorted,
/// taken greedily. Returns (matched, duration mismatches).
fn brute_force(
    local: &[Call],
    carrier: &[Call],
    tolerance: i64,
    talk_tolerance: i64,
) -> (u64, u64) {
    let mut candidates = Vec::new();
    for (li, l) in local.iter().enumerate() {
        for (ci, c) in carrier.iter().enumerate() {
            let dt = (l.time - c.time).abs();
            if l.caller == c.caller && l.callee == c.callee && dt <= tolerance {
                let dtalk = (l.talk - c.talk).abs();
                candidates.push((
                    dtalk > talk_tolerance,
                    dt,
                    dtalk,
                    l.time,
                    c.time,
                    l.row,
                    c.row,
                    li,
                    ci,
                ));
            }
        }
    }
    candidates.sort();
    let (mut used_l, mut used_c) = (vec![false; local.len()], vec![false; carrier.len()]);
    let (mut matched, mut mismatched) = (0, 0);
    for (differs, .., li, ci) in candidates {
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

#[test]
fn matching_equals_brute_force() {
    let pack = nianshen_rules::load("cn-miit", None, &toml::Table::new()).expect("built-in pack");
    let opts = ReadOptions::new(Vocabulary::from_pack(&pack));
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Rng(20240305);
    let mut spilled_cases = 0;
    for case in 0..300 {
        let (local, carrier) = write_case(&mut rng, dir.path());
        let tolerance = [5, 2, 0][case % 3];
        let match_opts = MatchOptions {
            tolerance_secs: tolerance,
            talk_tolerance_secs: 1,
            ..MatchOptions::default()
        };
        let (l_path, c_path) = (dir.path().join("local.csv"), dir.path().join("carrier.csv"));
        let l = read_side(std::slice::from_ref(&l_path), &opts).expect("local side");
        let c = read_side(std::slice::from_ref(&c_path), &opts).expect("carrier side");
        let r = reconcile(&l, &c, &match_opts).expect("in memory");
        let (matched, mismatched) = brute_force(&local, &carrier, tolerance, 1);
        let got = (r.matched, r.duration_mismatch, r.local_only, r.carrier_only);
        let want = (
            matched,
            mismatched,
            local.len() as u64 - matched,
            carrier.len() as u64 - matched,
        );
        assert_eq!(got, want, "case {case} (tolerance {tolerance})");
        let k = r.classes;
        assert_eq!(
            (k.duration_differs, k.local_only, k.carrier_only),
            (r.duration_mismatch, r.local_only, r.carrier_only),
            "case {case}: classes agree with the figures"
        );
        assert_eq!(
            k.exact + k.duration_differs + k.billing_differs,
            r.matched,
            "case {case}: every matched record has one class"
        );

        // The same sides spilled to disk (a budget of a few records) give
        // the same summary.
        let mut scan = ScanOptions::default();
        scan.memory = Some(MemoryBudget::new(100));
        let ls = read_side_with(&[l_path], &opts, &scan).expect("local side");
        let cs = read_side_with(&[c_path], &opts, &scan).expect("carrier side");
        spilled_cases += usize::from(ls.is_spilled());
        let rs = reconcile(&ls, &cs, &match_opts).expect("spilled");
        assert_eq!(
            serde_json::to_value(&rs).unwrap(),
            serde_json::to_value(&r).unwrap(),
            "case {case} spilled"
        );
    }
    assert!(spilled_cases > 100, "{spilled_cases} cases spilled");
}
