//! Advice on a side that gave nothing to match: every row unreadable, no
//! answered call, or answered calls none of which can be matched. Without
//! it a reconciliation of such a side shows only a difference rate of "—".

use crate::matching::Warning;
use crate::model::SideStats;

/// Names of a side in a warning.
#[derive(Clone, Copy, Debug)]
pub struct SideName<'a> {
    /// `本地` or `运营商`.
    pub zh: &'a str,
    /// `local` or `carrier`.
    pub en: &'a str,
    /// The option or place that gives this side a mapping, e.g.
    /// `--local-mapping` or `[[mappings]] in case.toml`.
    pub mapping_flag: &'a str,
}

/// Warns when a side read rows but has no usable answered record, naming
/// the likely cause and the mapping key that fixes it, or when its files
/// have no data row at all. Returns `None` when the side has usable
/// records or no files.
pub fn no_usable_rows(side: SideName<'_>, stats: &SideStats) -> Option<Warning> {
    let (zh, en) = (side.zh, side.en);
    let flag = side.mapping_flag;
    if stats.rows == 0 && !stats.files.is_empty() {
        let files: Vec<String> = stats
            .files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect();
        let list = files.join(", ");
        return Some(Warning {
            id: "no_data_rows".to_string(),
            message: format!("{zh}话单 {list} 只有表头（或标题），没有一行数据。请确认导出时选对了时间段和范围，再重新导出。"),
            message_en: format!("the {en} files {list} have a header (or titles) but no data row. Check the period and scope chosen for the export and export again."),
        });
    }
    if stats.rows == 0 || stats.answered > 0 {
        return None;
    }
    let rows = stats.rows;
    let (id, message, message_en) = if stats.unreadable_rows >= rows {
        (
            "no_readable_rows",
            format!("{zh}话单的 {rows} 行都无法读取，没有可核对的通话。请用 nianshen cdr inspect 查看原因；若时间列没有识别出来，请在映射文件（{flag}）的 [columns] 中指明 start，或写 time_format。"),
            format!("none of the {rows} {en} rows could be read, so nothing can be matched. Run nianshen cdr inspect to see why; if the time column was not recognised, name start under [columns] of a mapping ({flag}) or give time_format."),
        )
    } else if stats.answered_all == 0 {
        (
            "no_answered_rows",
            format!("{zh}话单读到 {rows} 行，但没有一行是接通的通话。请确认接通状态列（disposition）和通话时长列识别正确；必要时在映射文件（{flag}）中指明。"),
            format!("the {rows} {en} rows hold no answered call. Check that the disposition and talk-time columns were recognised; name them in a mapping ({flag}) if not."),
        )
    } else {
        let (why_zh, why_en) = unusable_advice(stats, flag);
        (
            "no_usable_rows",
            format!(
                "{zh}话单有 {} 通接通的通话，但没有一通可以核对：{why_zh}",
                stats.answered_all
            ),
            format!(
                "the {en} side has {} answered calls but none can be matched: {why_en}",
                stats.answered_all
            ),
        )
    };
    Some(Warning {
        id: id.to_string(),
        message,
        message_en,
    })
}

/// Warns when files of a side have answered calls but neither a talk-time
/// column nor an end time to compute talk time from. Their calls count 0
/// seconds, so every matched call differs in duration.
pub fn no_talk_time(side: SideName<'_>, stats: &SideStats) -> Option<Warning> {
    if stats.answered_all == 0 {
        return None;
    }
    let files: Vec<String> = stats
        .files
        .iter()
        .filter(|f| f.rows > 0)
        .filter(|f| !f.columns.contains_key("talk_seconds") && !f.columns.contains_key("end"))
        .map(|f| f.path.display().to_string())
        .collect();
    if files.is_empty() {
        return None;
    }
    let (zh, en, flag) = (side.zh, side.en, side.mapping_flag);
    let list = files.join(", ");
    Some(Warning {
        id: "no_talk_time".to_string(),
        message: format!("{zh}话单 {list} 没有通话时长列，也没有挂机时间可以推算，其中的通话都按 0 秒计，时长比对不可信。请在映射文件（{flag}）的 [columns] 中指明 talk_seconds，例如 talk_seconds = \"持续时间\"。"),
        message_en: format!("the {en} files {list} have no talk-time column and no end time to compute it from, so their calls count 0 seconds and the talk-time comparison cannot be trusted. Name talk_seconds under [columns] of a mapping ({flag}), e.g. talk_seconds = \"持续时间\"."),
    })
}

/// Returns a warning per side with calls that two of its files both list,
/// naming the first pair. Each side comes with the words that name its
/// files in Chinese and English.
pub(crate) fn repeats_across_files(sides: &[(&str, &str, &SideStats)]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for (files_zh, files_en, stats) in sides {
        let Some((fa, ra, fb, rb)) = stats.repeated_across_files_first else {
            continue;
        };
        let count = stats.repeated_across_files;
        let name = |i: u32| {
            stats
                .files
                .get(i as usize)
                .map_or(String::new(), |f| f.path.display().to_string())
        };
        let (a, b) = (name(fa), name(fb));
        warnings.push(Warning {
            id: "records_in_several_files".to_string(),
            message: format!("{files_zh}中有 {count} 通通话在另一个文件中也有一模一样的一条（主叫、被叫、开始时间和通话时长都相同），例如 {a} 第 {ra} 行和 {b} 第 {rb} 行。多半是导出的时间段有重叠，或同一批数据存进了两个文件；这些通话都计入了，会多出未匹配的记录。请检查各文件的时间段，去掉重复的部分后重新运行。"),
            message_en: format!("{count} calls in {files_en} have an identical copy in another file (same caller, callee, start time and talk time), e.g. {a} row {ra} and {b} row {rb}. Most likely the exported periods overlap or one batch was saved into two files; every copy was counted, which adds unmatched records. Check the periods of the files, remove the overlap and run again."),
        });
    }
    warnings
}

/// Carrier-only records above which [`zero_lost`] is not checked.
const ZERO_CHECK_MAX_CARRIER: usize = 1 << 20;

/// Local-only records [`zero_lost`] looks at.
const ZERO_CHECK_LOCAL_SAMPLE: usize = 100_000;

/// Warns when many calls found on one side only would find a partner on
/// the other if a leading zero were dropped from a number (`0755…`
/// against `755…`). Then one side lost its area-code zeros, as when Excel
/// stored the numbers as numbers. `local_only` and `carrier_only` index
/// the sides' unmatched records. The warning needs at least 3 such calls,
/// and a fifth of the local calls left unmatched.
pub(crate) fn zero_lost(
    local: &crate::model::Side,
    carrier: &crate::model::Side,
    local_only: &[u32],
    carrier_only: &[u32],
) -> Option<Warning> {
    use crate::numkey::without_leading_zero as drop_zero;
    let key = |r: &crate::model::Record| (r.caller, r.callee);
    let dropped = |(a, b): (u64, u64)| (drop_zero(a), drop_zero(b));
    let records = |side: &'_ crate::model::Side, only: &'_ [u32]| -> Vec<(u64, u64)> {
        only.iter()
            .filter_map(|i| side.records.get(*i as usize))
            .map(key)
            .collect()
    };

    // The carrier's unmatched keys go into two sets of about 50 MB at the
    // cap, so above it the check is left out. A sample of the local side
    // is enough.
    if carrier_only.len() > ZERO_CHECK_MAX_CARRIER {
        return None;
    }
    let local_only = &local_only[..local_only.len().min(ZERO_CHECK_LOCAL_SAMPLE)];
    let (l, c) = (records(local, local_only), records(carrier, carrier_only));
    if l.len() < 3 || c.is_empty() {
        return None;
    }

    let exact: std::collections::HashSet<(u64, u64)> = c.iter().copied().collect();
    let loose: std::collections::HashSet<(u64, u64)> = c.iter().map(|k| dropped(*k)).collect();
    let (mut hits, mut local_has_zero) = (0u64, 0u64);
    // NOTE: only the keys are compared, not the times.
    for k in &l {
        if exact.contains(k) || !loose.contains(&dropped(*k)) {
            continue;
        }
        hits += 1;
        local_has_zero += u64::from(dropped(*k) != *k);
    }
    if hits < 3 || hits * 5 < l.len() as u64 {
        return None;
    }

    let (lost_zh, lost_en) = if local_has_zero * 2 >= hits {
        ("运营商话单", "the carrier's bill")
    } else {
        ("本地话单", "the local records")
    };
    Some(Warning {
        id: "leading_zero_lost".to_string(),
        message: format!("有 {hits} 通仅本地有的通话，去掉号码开头的 0 后能在仅运营商有的记录中找到同样的号码：{lost_zh}的号码很可能丢了开头的 0（常见于 Excel 把号码存成数字）。请把号码列设为文本后重新导出，再重新运行。"),
        message_en: format!("{hits} calls found only locally have the same numbers as calls found only in the bill once a leading 0 is dropped: the numbers in {lost_en} most likely lost their leading 0 (as when Excel stores them as numbers). Export again with the number columns as text and run again."),
    })
}

/// Gives the fix for the most common reason answered rows were unusable.
fn unusable_advice(stats: &SideStats, flag: &str) -> (String, String) {
    let top = stats
        .unusable_by_reason
        .iter()
        .max_by_key(|(_, n)| **n)
        .map_or("", |(id, _)| id.as_str());
    match top {
        "no_own_number" => (
            format!("这是按号码出具的详单，却没有本机号码。请在映射文件（{flag}）中写 own_number = \"本机号码\"。"),
            format!("this is a bill made per number without its own number. Add own_number = \"the number\" to a mapping ({flag})."),
        ),
        "masked_caller" | "masked_callee" => (
            "号码被打码（如 138****1234），无法逐条核对。请向系统厂商或运营商索取不打码的话单。".to_string(),
            "the numbers are masked (e.g. 138****1234) and cannot be matched. Ask the vendor or carrier for unmasked records.".to_string(),
        ),
        "scientific_caller" | "scientific_callee" => (
            "号码被存成了科学计数法（如 1.38E+10），数字已丢失。请从系统重新导出，号码列设为文本。".to_string(),
            "the numbers were saved in scientific notation (e.g. 1.38E+10) and their digits are lost. Export again with the number columns as text.".to_string(),
        ),
        _ => (
            format!("缺少主叫或被叫号码。请在映射文件（{flag}）的 [columns] 中指明 caller 和 callee；按号码出具的详单请指明 other_party（对方号码）和 direction（呼叫类型），并写 own_number = \"本机号码\"。"),
            format!("the caller or callee number is missing. Name caller and callee under [columns] of a mapping ({flag}); for a bill made per number name other_party and direction and add own_number = \"the number\"."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCAL: SideName<'static> = SideName {
        zh: "本地",
        en: "local",
        mapping_flag: "--local-mapping",
    };

    #[test]
    fn no_numbers_suggests_columns() {
        let mut stats = SideStats {
            rows: 74,
            answered_all: 74,
            unusable_rows: 74,
            ..SideStats::default()
        };
        stats.unusable_by_reason.insert("no_caller".into(), 74);

        let w = no_usable_rows(LOCAL, &stats).unwrap();

        assert_eq!(w.id, "no_usable_rows");
        for want in ["other_party", "caller", "own_number", "--local-mapping"] {
            assert!(w.message.contains(want), "{want}: {}", w.message);
        }
    }

    #[test]
    fn missing_own_number_is_named() {
        let mut stats = SideStats {
            rows: 3,
            answered_all: 3,
            ..SideStats::default()
        };
        stats.unusable_by_reason.insert("no_own_number".into(), 3);

        let w = no_usable_rows(LOCAL, &stats).unwrap();

        assert!(w.message.contains("own_number"), "{}", w.message);
    }

    #[test]
    fn usable_or_empty_side_needs_none() {
        let usable = SideStats {
            rows: 3,
            answered: 1,
            ..SideStats::default()
        };

        assert!(no_usable_rows(LOCAL, &usable).is_none());
        assert!(no_usable_rows(LOCAL, &SideStats::default()).is_none());
    }
}
