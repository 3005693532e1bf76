//! Working days under the State Council's yearly holiday schedule: weekdays
//! are working days unless listed as days off, and weekend days listed as
//! swapped working days (调休) are working days too.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::pack::RulePack;

/// Returns whether `date` is a working day under the pack's holiday lists. Years the
/// pack has no data for count Monday to Friday only.
pub fn is_working_day(pack: &RulePack, date: NaiveDate) -> bool {
    if pack.holidays.work.contains(&date) {
        return true;
    }
    if pack.holidays.off.contains(&date) {
        return false;
    }
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Returns whether the pack lists any holiday data for `year`. Without it,
/// working days in that year only skip weekends.
pub fn holidays_known(pack: &RulePack, year: i32) -> bool {
    let h = &pack.holidays;
    h.off.iter().chain(&h.work).any(|d| d.year() == year)
}

/// The date `n` working days after `date` (before it when `n` is negative);
/// `date` itself is not counted, and `n = 0` gives `date`. E.g. a 12321
/// complaint received on `date` must be answered by
/// `add_working_days(pack, date, 15)`. Saturates at the calendar's ends.
pub fn add_working_days(pack: &RulePack, date: NaiveDate, n: i64) -> NaiveDate {
    let mut current = date;
    let mut left = n.unsigned_abs();
    while left > 0 {
        let next = if n > 0 {
            current.checked_add_days(Days::new(1))
        } else {
            current.checked_sub_days(Days::new(1))
        };
        let Some(next) = next else {
            return current;
        };
        current = next;
        if is_working_day(pack, current) {
            left -= 1;
        }
    }
    current
}

/// Counts the working days `d` with `a < d <= b`, or its negative when
/// `b` is before `a`. A reply on the next working day after receipt took 1.
pub fn working_days_between(pack: &RulePack, a: NaiveDate, b: NaiveDate) -> i64 {
    let (from, to, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
    let count = from
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| is_working_day(pack, *d))
        .count();
    sign * i64::try_from(count).unwrap_or(i64::MAX)
}
