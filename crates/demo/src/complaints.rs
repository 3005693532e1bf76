//! The 12321 complaint log of 2024: every complaint verified within the
//! 24-hour internal target, replied to within days and closed — except the
//! one that trap 7 verifies late.

use chrono::{Datelike, Duration, NaiveDateTime, NaiveTime, Weekday};

use crate::rng::Rng;
use crate::world::ymd;

/// Hours after receipt at which the late complaint of trap 7 is verified.
pub const LATE_VERIFICATION_HOURS: i64 = 30;

const RESULTS: &[&str] = &[
    "已核实，已向用户致歉并将号码加入免打扰名单",
    "已核实，系用户误解，已电话说明并获用户认可",
    "已核实，已停止对该号码外呼并对坐席进行提醒",
    "已核实，已按用户要求删除其联系方式",
];

/// One row of the log.
#[derive(Clone, Debug)]
pub struct Complaint {
    pub id: String,
    pub received: NaiveDateTime,
    pub verified: NaiveDateTime,
    pub replied: NaiveDateTime,
    pub closed: NaiveDateTime,
    pub result: &'static str,
}

/// Nine complaints spread over 2024; with `late`, the fourth is verified
/// [`LATE_VERIFICATION_HOURS`] after receipt.
pub fn generate(seed: u64, late: bool) -> Vec<Complaint> {
    let mut rng = Rng::new(seed, 3);
    let months = [1u32, 3, 4, 6, 7, 9, 10, 11, 12];
    months
        .iter()
        .enumerate()
        .map(|(i, &month)| {
            let received = received_at(&mut rng, month);
            let verified = if late && i == 3 {
                received + Duration::hours(LATE_VERIFICATION_HOURS) + Duration::minutes(17)
            } else {
                received + Duration::minutes(rng.range(90, 20 * 60))
            };
            // A written reply within three days, closed the day after.
            let replied = verified + Duration::minutes(rng.range(20 * 60, 72 * 60));
            let closed = replied + Duration::minutes(rng.range(12 * 60, 30 * 60));
            Complaint {
                id: format!(
                    "TS{}{:02}{:03}",
                    received.year(),
                    month,
                    rng.range(101, 899)
                ),
                received,
                verified,
                replied,
                closed,
                result: rng.pick(RESULTS).copied().unwrap_or(""),
            }
        })
        .collect()
}

/// Draws a working-day time between 09:00 and 17:00 in the first 18 days of
/// `month`, so the case closes well inside the year.
fn received_at(rng: &mut Rng, month: u32) -> NaiveDateTime {
    loop {
        let day = ymd((2024, month, rng.range(2, 18) as u32));
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) || (month == 10 && day.day() <= 7) {
            continue;
        }
        let secs = rng.range(9 * 3600, 17 * 3600) as u32;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or_default();
        return day.and_time(time);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_log_meets_every_deadline() {
        for c in generate(1, false) {
            assert!(c.verified - c.received < Duration::hours(24), "{}", c.id);
            assert!(c.received < c.verified);
            assert!(c.verified < c.replied);
            assert!(c.replied < c.closed);
            assert!(c.replied - c.received < Duration::days(5));
            assert_eq!(c.received.year(), 2024);
        }
    }

    #[test]
    fn late_log_has_one_late_verification() {
        let late: Vec<_> = generate(1, true)
            .into_iter()
            .filter(|c| c.verified - c.received >= Duration::hours(24))
            .collect();
        assert_eq!(late.len(), 1);
        assert!(late[0].verified - late[0].received >= Duration::hours(30));
    }
}
