//! Spotting a time-zone mistake: when few records match but many would at
//! a whole-hour shift, one side's timestamps were read in the wrong zone.

use chrono::FixedOffset;

use crate::matching::{for_each_group, pair_tolerance, MatchOptions, Warning};
use crate::model::{Record, Side};

/// Sides smaller than this are too small to show an offset.
const MIN_RECORDS: u64 = 10;

/// Local records that find a carrier record of their key under each
/// whole-hour shift of the local side, in the order of [`shift_hours`].
pub(crate) type ShiftCounts = [u64; 26];

/// Returns the whole-hour shifts of the local side to try: −12…+14 h
/// without 0.
fn shift_hours() -> impl Iterator<Item = i64> {
    (-12..=14).filter(|h| *h != 0)
}

/// Warnings about the reconciliation as a whole; `ls` and `cs` are the
/// sides' records in matching order.
pub(crate) fn warnings(
    local: &Side,
    carrier: &Side,
    ls: &[Record],
    cs: &[Record],
    opts: &MatchOptions,
    matched: u64,
) -> Vec<Warning> {
    if !worth_checking(local, carrier, matched) {
        return Vec::new();
    }
    let mut counts = [0; 26];
    count_shifts(ls, cs, opts, &mut counts);
    from_counts(local, carrier, &counts, matched)
}

/// Returns whether so few records matched that a time-zone shift is
/// worth looking for.
pub(crate) fn worth_checking(local: &Side, carrier: &Side, matched: u64) -> bool {
    let smaller = local.stats.answered.min(carrier.stats.answered);
    smaller >= MIN_RECORDS && matched * 2 < smaller
}

/// Adds, for every shift, the local records of `ls` that find a carrier
/// record of the same key in `cs` (both in matching order). Counts of
/// disjoint sets of keys add up.
pub(crate) fn count_shifts(
    ls: &[Record],
    cs: &[Record],
    opts: &MatchOptions,
    counts: &mut ShiftCounts,
) {
    for (k, hours) in shift_hours().enumerate() {
        let shift = hours * 3600;
        let mut count = 0u64;
        for_each_group(ls, cs, |group_l, _, group_c, _| {
            for l in group_l {
                let hit = group_c
                    .iter()
                    .any(|c| (l.epoch() + shift - c.epoch()).abs() <= pair_tolerance(l, c, opts));
                count += u64::from(hit);
            }
        });
        counts[k] += count;
    }
}

/// Returns the warning when one shift (the first of the best) would match
/// far more records than matched.
pub(crate) fn from_counts(
    local: &Side,
    carrier: &Side,
    counts: &ShiftCounts,
    matched: u64,
) -> Vec<Warning> {
    let smaller = local.stats.answered.min(carrier.stats.answered);
    let mut best: Option<(i64, u64)> = None;
    for (hours, &count) in shift_hours().zip(counts) {
        if best.is_none_or(|(_, b)| count > b) {
            best = Some((hours, count));
        }
    }
    match best {
        Some((hours, count)) if count > matched * 2 && count * 2 > smaller => {
            vec![tz_warning(local, carrier, hours, count, matched)]
        }
        _ => Vec::new(),
    }
}

fn tz_warning(local: &Side, carrier: &Side, hours: i64, count: u64, matched: u64) -> Warning {
    let offset = |side: &Side| i64::from(side.stats.files.first().map_or(8 * 3600, |f| f.tz_secs));
    // Local epoch = naive − offset: moving it by +h hours means its real
    // offset is h hours smaller; for the carrier side, h hours larger.
    let flags: Vec<String> = [
        ("--local-tz", offset(local) - hours * 3600),
        ("--carrier-tz", offset(carrier) + hours * 3600),
    ]
    .into_iter()
    .filter(|(_, secs)| (-12 * 3600..=14 * 3600).contains(secs))
    .filter_map(|(flag, secs)| Some(format!("{flag} {}", FixedOffset::east_opt(secs as i32)?)))
    .collect();
    let zh_flags = flags.join("（或 ") + &"）".repeat(flags.len().saturating_sub(1));
    let en_flags = flags.join(" (or ") + &")".repeat(flags.len().saturating_sub(1));
    Warning {
        id: "likely_tz_offset".to_string(),
        message: format!(
            "只有 {matched} 条记录对上，但把本地话单时间移动 {hours:+} 小时后有 {count} 条能对上：两边的时区很可能不一致。\n请确认两边导出时的时区，重新运行时加上 {zh_flags}。"
        ),
        message_en: format!(
            "only {matched} records matched, but {count} would match with the local times moved by {hours:+} h: the sides' time zones likely differ.\nCheck the time zone of each export and run again with {en_flags}."
        ),
    }
}
