//! Fast text of the benchmark rows: timestamps from per-day tables and
//! two-digit lookups, integers and hex by hand, no allocation per row.

use chrono::{Days, NaiveDate};

use super::{CarrierRow, LocalCall, SECS_PER_DAY};

pub const LOCAL_HEADER: &[u8] =
    b"call_id,agent_id,caller,callee,start_time,answer_time,end_time,duration_s,disposition\n";
pub const CARRIER_HEADER: &str = "主叫号码,被叫号码,开始时间,通话时长,计费时长,费用\n";

/// Days covered by the tables: 2024 and a margin into 2025 for calls that
/// end after midnight of the last day.
const TABLE_DAYS: usize = 370;
const HEX: &[u8; 16] = b"0123456789abcdef";
/// Second digits of mainland mobile numbers (13x, 15x, 17x, 18x, 19x).
const MOBILE_SECOND: [u8; 5] = [b'3', b'5', b'7', b'8', b'9'];

/// Precomputed date texts.
#[derive(Debug)]
pub struct Formatter {
    /// `YYYY-MM-DD ` per day from 2024-01-01.
    dashed: Vec<[u8; 11]>,
    /// `YYYYMMDD` per day.
    compact: Vec<[u8; 8]>,
}

impl Formatter {
    pub fn new() -> Formatter {
        let base = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
        let mut dashed = Vec::with_capacity(TABLE_DAYS);
        let mut compact = Vec::with_capacity(TABLE_DAYS);
        for d in 0..TABLE_DAYS {
            let day = base.checked_add_days(Days::new(d as u64)).unwrap_or(base);
            let mut a = [b' '; 11];
            a[..10].copy_from_slice(day.format("%Y-%m-%d").to_string().as_bytes());
            let mut b = [b'0'; 8];
            b.copy_from_slice(day.format("%Y%m%d").to_string().as_bytes());
            dashed.push(a);
            compact.push(b);
        }
        Formatter { dashed, compact }
    }

    /// `YYYY-MM-DD HH:MM:SS`.
    fn dashed_time(&self, out: &mut Vec<u8>, secs: i64) {
        let (day, rest) = split(secs);
        out.extend_from_slice(
            self.dashed
                .get(day)
                .or(self.dashed.last())
                .map_or(&[][..], |d| &d[..]),
        );
        two(out, rest / 3600);
        out.push(b':');
        two(out, rest / 60 % 60);
        out.push(b':');
        two(out, rest % 60);
    }

    /// `YYYYMMDDHHMMSS`.
    fn compact_time(&self, out: &mut Vec<u8>, secs: i64) {
        let (day, rest) = split(secs);
        out.extend_from_slice(
            self.compact
                .get(day)
                .or(self.compact.last())
                .map_or(&[][..], |d| &d[..]),
        );
        two(out, rest / 3600);
        two(out, rest / 60 % 60);
        two(out, rest % 60);
    }

    pub fn local_line(&self, out: &mut Vec<u8>, c: &LocalCall, id: (u64, u64)) {
        uuid(out, id);
        out.extend_from_slice(b",A");
        pad4(out, c.agent + 1);
        out.push(b',');
        caller(out, c.caller);
        out.push(b',');
        callee(out, c.callee);
        out.push(b',');
        self.dashed_time(out, c.start);
        out.push(b',');
        if c.disposition == super::Disposition::Answered {
            self.dashed_time(out, c.start + c.ring);
        }
        out.push(b',');
        self.dashed_time(out, c.start + c.ring + c.talk);
        out.push(b',');
        int(out, c.talk.max(0) as u64);
        out.push(b',');
        out.extend_from_slice(c.disposition.word());
        out.push(b'\n');
    }

    pub fn carrier_line(&self, out: &mut Vec<u8>, r: &CarrierRow) {
        caller(out, r.caller);
        out.push(b',');
        callee(out, r.callee);
        out.push(b',');
        self.compact_time(out, r.t);
        out.push(b',');
        let talk = r.talk.max(0) as u64;
        int(out, talk);
        out.push(b',');
        let billed = talk.div_ceil(60);
        int(out, billed);
        out.push(b',');
        // 0.10 yuan per billed minute.
        int(out, billed / 10);
        out.push(b'.');
        out.push(b'0' + (billed % 10) as u8);
        out.extend_from_slice(b"0\n");
    }
}

fn split(secs: i64) -> (usize, i64) {
    let secs = secs.max(0);
    ((secs / SECS_PER_DAY) as usize, secs % SECS_PER_DAY)
}

fn two(out: &mut Vec<u8>, v: i64) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

fn pad4(out: &mut Vec<u8>, v: u64) {
    for div in [1000, 100, 10, 1] {
        out.push(b'0' + (v / div % 10) as u8);
    }
}

/// Decimal digits of `v`.
pub fn int(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn hex(out: &mut Vec<u8>, v: u64, digits: u32) {
    for k in (0..digits).rev() {
        out.push(HEX[((v >> (4 * k)) & 15) as usize]);
    }
}

/// 32 hex digits in the 8-4-4-4-12 grouping of a UUID.
fn uuid(out: &mut Vec<u8>, (a, b): (u64, u64)) {
    hex(out, a >> 32, 8);
    out.push(b'-');
    hex(out, (a >> 16) & 0xffff, 4);
    out.push(b'-');
    hex(out, a & 0xffff, 4);
    out.push(b'-');
    hex(out, b >> 48, 4);
    out.push(b'-');
    hex(out, b & 0xffff_ffff_ffff, 12);
}

/// Trunk number `c` (< 300): 0755 and eight digits, distinct per `c`.
pub fn caller(out: &mut Vec<u8>, c: u64) {
    out.extend_from_slice(b"0755");
    let v = 26_000_000 + c * 3_371;
    for div in [10_000_000, 1_000_000, 100_000, 10_000, 1000, 100, 10, 1] {
        out.push(b'0' + (v / div % 10) as u8);
    }
}

/// Mobile number of customer `j` (< 10⁹): 1, a second digit, and nine
/// digits from a bijection of `j`, so distinct customers get distinct numbers.
pub fn callee(out: &mut Vec<u8>, j: u64) {
    out.push(b'1');
    out.push(MOBILE_SECOND[(j % 5) as usize]);
    let v = (j % 1_000_000_000) * 48_271 % 1_000_000_000;
    for div in [
        100_000_000,
        10_000_000,
        1_000_000,
        100_000,
        10_000,
        1000,
        100,
        10,
        1,
    ] {
        out.push(b'0' + (v / div % 10) as u8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::Disposition;

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn times_and_numbers_format() {
        let f = Formatter::new();
        let secs = 59 * SECS_PER_DAY + 13 * 3600 + 5 * 60 + 9; // 2024-02-29 13:05:09
        assert_eq!(text(|o| f.dashed_time(o, secs)), "2024-02-29 13:05:09");
        assert_eq!(text(|o| f.compact_time(o, secs)), "20240229130509");
        assert_eq!(text(|o| int(o, 0)), "0");
        assert_eq!(text(|o| int(o, 7200)), "7200");
        assert_eq!(text(|o| caller(o, 0)), "075526000000");
        assert_eq!(text(|o| callee(o, 1)).len(), 11);
        assert_eq!(
            text(|o| uuid(o, (u64::MAX, 0))),
            "ffffffff-ffff-ffff-0000-000000000000"
        );
    }

    #[test]
    fn lines_have_the_expected_columns() {
        let f = Formatter::new();
        let call = LocalCall {
            index: 0,
            agent: 6,
            caller: 1,
            callee: 2,
            start: 9 * 3600,
            ring: 3,
            talk: 61,
            disposition: Disposition::Answered,
        };
        let line = text(|o| f.local_line(o, &call, (1, 2)));
        let cols: Vec<&str> = line.trim_end().split(',').collect();
        assert_eq!(cols.len(), 9);
        assert_eq!(cols[1], "A0007");
        assert_eq!(cols[4], "2024-01-01 09:00:00");
        assert_eq!(cols[5], "2024-01-01 09:00:03");
        assert_eq!(cols[6], "2024-01-01 09:01:04");
        assert_eq!(cols[7], "61");
        let missed = LocalCall {
            disposition: Disposition::Busy,
            talk: 0,
            ..call
        };
        let line = text(|o| f.local_line(o, &missed, (1, 2)));
        assert_eq!(line.trim_end().split(',').nth(5), Some(""));

        let row = CarrierRow {
            t: 9 * 3600,
            seq: 0,
            caller: 1,
            callee: 2,
            talk: 61,
        };
        let line = text(|o| f.carrier_line(o, &row));
        assert!(line.ends_with(",20240101090000,61,2,0.20\n"), "{line}");
    }
}
