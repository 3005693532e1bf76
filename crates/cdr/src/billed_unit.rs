//! The unit of a billed column: minutes or seconds, stated by its header
//! (the rule pack's `billed_minutes` and `billed_seconds` synonyms) or a
//! mapping, or inferred from its values.
//!
//! A column found under a `billed_minutes` synonym such as a plain 计费时长
//! is read as minutes unless its values show seconds: a billed amount in
//! minutes is about a sixtieth of the talk seconds, one in seconds is at
//! least the talk seconds. Every usable record with a read billed cell and
//! at least [`PROBE_MIN_TALK_SECS`] of talk time is a probe. When a file has
//! at least [`PROBE_MIN_RECORDS`] probes and at least 90% of them bill no
//! less than their talk seconds, its column is read as seconds, and the
//! reconciliation says so in a warning. A file with fewer probes follows
//! the probes of all the side's files whose billed column has the same
//! header and place, unless its own probes show minutes, because a bill
//! made per number often lists only a handful of calls. A column that a mapping names
//! `billed_minutes` keeps minutes.
//!
//! Cells written as durations (`1:06`, `66秒`, `1分6秒`, `2分钟`, a
//! workbook duration) carry their own unit: they are read as seconds, and a
//! file with any of them has its whole column read as seconds, whatever its
//! header or mapping states. Plain numbers in such a column are then taken
//! as seconds too, and the warning counts them.
//!
//! Records keep the bill's value as written ([`crate::Record::billed_min`]),
//! so that the unit can be decided once the whole file has been read, on
//! either reader.

use serde::{Deserialize, Serialize};

use crate::layout::Plan;
use crate::mapping::Role;
use crate::matching::Warning;
use crate::model::{FileInfo, Record, SideStats};

/// Talk time of a probe, seconds. Below it a billed value in minutes (1)
/// can reach the talk seconds too.
const PROBE_MIN_TALK_SECS: u32 = 3;

/// Probes needed before the values decide the unit.
const PROBE_MIN_RECORDS: u64 = 5;

/// The unit a billed column is read and compared in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BilledUnit {
    Minutes,
    Seconds,
}

impl BilledUnit {
    /// Returns the unit's name in the JSON output: `minutes` or `seconds`.
    pub fn name(self) -> &'static str {
        match self {
            BilledUnit::Minutes => "minutes",
            BilledUnit::Seconds => "seconds",
        }
    }

    /// Returns the role of a column in this unit.
    fn role(self) -> Role {
        match self {
            BilledUnit::Minutes => Role::BilledMinutes,
            BilledUnit::Seconds => Role::BilledSeconds,
        }
    }
}

/// The source of the unit of one file's billed column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColumnUnit {
    /// The file has no billed column.
    None,
    /// Stated by the header or a mapping.
    Stated(BilledUnit),
    /// Minutes unless the values show seconds.
    FromValues,
}

impl ColumnUnit {
    /// Returns how the billed column of a planned source is read.
    pub(crate) fn of(plan: &Plan) -> ColumnUnit {
        match plan.billed_role() {
            None => ColumnUnit::None,
            Some(Role::BilledSeconds) => ColumnUnit::Stated(BilledUnit::Seconds),
            Some(_) if plan.billed_unit_stated => ColumnUnit::Stated(BilledUnit::Minutes),
            Some(_) => ColumnUnit::FromValues,
        }
    }
}

/// Sums of one file's records that the unit of its billed column decides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BilledSums {
    /// Billed values as stored: the column read as minutes.
    minutes: u64,
    /// Billed minutes with the column read as seconds: each read value in
    /// whole minutes, rounded up as the talk time is, and the stored
    /// minutes of records without one.
    seconds_as_minutes: u64,
    /// Records that can tell the unit: see the module documentation.
    probes: u64,
    /// Probes whose billed value is at least their talk seconds.
    seconds_like: u64,
    /// Records with a read billed cell.
    read: u64,
    /// Records whose billed cell is a duration, in seconds
    /// ([`crate::normalize::Billed::Seconds`]).
    pub(crate) durations: u64,
}

impl BilledSums {
    /// Adds a usable record.
    pub(crate) fn add(&mut self, r: &Record) {
        let billed = u64::from(r.billed_min);
        self.minutes += billed;
        if !r.billed_read {
            self.seconds_as_minutes += billed;
            return;
        }
        self.seconds_as_minutes += billed.div_ceil(60);
        self.read += 1;
        if r.talk_secs >= PROBE_MIN_TALK_SECS {
            self.probes += 1;
            self.seconds_like += u64::from(r.billed_min >= r.talk_secs);
        }
    }

    /// Adds the sums of another block of the same file.
    pub(crate) fn absorb(&mut self, o: &BilledSums) {
        self.minutes += o.minutes;
        self.seconds_as_minutes += o.seconds_as_minutes;
        self.probes += o.probes;
        self.seconds_like += o.seconds_like;
        self.read += o.read;
        self.durations += o.durations;
    }

    /// Returns whether the values show a column of seconds.
    fn looks_like_seconds(&self) -> bool {
        self.probes >= PROBE_MIN_RECORDS && self.mostly_seconds_like()
    }

    /// Returns whether at least 90% of the probes bill no less than their
    /// talk seconds; true without probes.
    fn mostly_seconds_like(&self) -> bool {
        self.seconds_like * 10 >= self.probes * 9
    }

    /// Returns the billed minutes of the records with the column in `unit`.
    fn total_minutes(&self, unit: Option<BilledUnit>) -> u64 {
        match unit {
            Some(BilledUnit::Seconds) => self.seconds_as_minutes,
            _ => self.minutes,
        }
    }
}

/// Decides the unit of each file's billed column from `units` (by file
/// index) and the files' sums, notes it in the files' columns, and returns
/// the side's billed minutes.
pub(crate) fn resolve(files: &mut [FileInfo], units: &[ColumnUnit], sums: &[BilledSums]) -> u64 {
    let pooled = pooled_by_column(files, units, sums);
    let mut total = 0;
    for (i, file) in files.iter_mut().enumerate() {
        let sums = sums.get(i).copied().unwrap_or_default();
        // With too few probes of its own, a file follows the other files
        // of its layout.
        let seconds = if sums.probes >= PROBE_MIN_RECORDS {
            sums.looks_like_seconds()
        } else {
            pooled
                .get(&minutes_column(file))
                .is_some_and(BilledSums::looks_like_seconds)
                && sums.mostly_seconds_like()
        };
        let unit = match units.get(i).copied().unwrap_or(ColumnUnit::None) {
            ColumnUnit::None => None,
            // Cells written as durations carry their unit, whatever the
            // header or mapping states. Plain numbers beside them are then
            // read as seconds too.
            _ if sums.durations > 0 => {
                move_column(file, Role::BilledMinutes, BilledUnit::Seconds.role());
                file.billed_durations = sums.durations;
                file.billed_plain_as_seconds = sums.read - sums.durations;
                Some(BilledUnit::Seconds)
            }
            ColumnUnit::Stated(unit) => Some(unit),
            ColumnUnit::FromValues if seconds => {
                move_column(file, Role::BilledMinutes, BilledUnit::Seconds.role());
                file.billed_unit_inferred = true;
                Some(BilledUnit::Seconds)
            }
            ColumnUnit::FromValues => Some(BilledUnit::Minutes),
        };
        total += sums.total_minutes(unit);
    }
    total
}

/// Adds up the sums of the files whose unit comes from their values, by
/// their billed column as listed (header and place, e.g. `计费时长 (#5)`).
fn pooled_by_column(
    files: &[FileInfo],
    units: &[ColumnUnit],
    sums: &[BilledSums],
) -> std::collections::HashMap<String, BilledSums> {
    let mut pooled: std::collections::HashMap<String, BilledSums> = Default::default();
    for (i, file) in files.iter().enumerate() {
        if units.get(i) == Some(&ColumnUnit::FromValues) {
            let own = sums.get(i).copied().unwrap_or_default();
            pooled.entry(minutes_column(file)).or_default().absorb(&own);
        }
    }
    pooled
}

/// Returns how a file lists its billed column read as minutes; empty when
/// it has none.
fn minutes_column(file: &FileInfo) -> String {
    file.columns
        .get(Role::BilledMinutes.name())
        .cloned()
        .unwrap_or_default()
}

/// Lists a file's column under another role.
fn move_column(file: &mut FileInfo, from: Role, to: Role) {
    if let Some(column) = file.columns.remove(from.name()) {
        file.columns.insert(to.name().to_string(), column);
    }
}

/// Returns the warnings about billed columns read as seconds because of
/// their values: values at least the talk seconds, or cells written as
/// durations. Each side with such files gets one warning of each kind.
/// Each side comes with the words that name its files in Chinese and
/// English, e.g. 运营商话单 and the carrier's files.
pub(crate) fn inferred_warnings(sides: &[(&str, &str, &SideStats)]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for (files_zh, files_en, stats) in sides {
        let list = |keep: fn(&FileInfo) -> bool| {
            let files: Vec<String> = stats
                .files
                .iter()
                .filter(|f| keep(f))
                .map(|f| {
                    let column = f
                        .columns
                        .get(Role::BilledSeconds.name())
                        .map_or("", String::as_str);
                    format!("{} [{column}]", f.path.display())
                })
                .collect();
            files.join(", ")
        };
        let durations = list(|f| f.billed_durations > 0);
        if !durations.is_empty() {
            warnings.push(durations_warning(files_zh, files_en, stats, &durations));
        }
        let list = list(|f| f.billed_unit_inferred);
        if list.is_empty() {
            continue;
        }
        warnings.push(Warning {
            id: "billed_column_read_as_seconds".to_string(),
            message: format!(
                "{files_zh}中计费时长列的数值不小于同一行的通话秒数，已按秒读取：{list}。计费按秒比对，计费分钟数按每通向上取整到整分钟计。如果该列其实是分钟，请在映射的 columns 中写 billed_minutes = \"列名\"。"
            ),
            message_en: format!(
                "the values of the billed column in {files_en} are at least the talk seconds of their rows, so the column was read as seconds: {list}. Billing is compared in seconds, and billed minutes count each call rounded up to whole minutes. If the column holds minutes, name it in the mapping's columns as billed_minutes = \"column\"."
            ),
        });
    }
    warnings
}

/// Returns the warning about the files in `list` whose billed cells are
/// written as durations, with the count of plain numbers among them.
fn durations_warning(files_zh: &str, files_en: &str, stats: &SideStats, list: &str) -> Warning {
    let durations: u64 = stats.files.iter().map(|f| f.billed_durations).sum();
    let plain: u64 = stats.files.iter().map(|f| f.billed_plain_as_seconds).sum();
    let (plain_zh, plain_en) = if plain > 0 {
        (
            format!("同一列中另有 {plain} 个纯数字也按秒读取；如果它们是分钟，请把该列统一导出为纯数字后重新运行。"),
            format!(
                " {plain} {} in the same column {} read as seconds too; if {} minutes, export the column as plain numbers throughout and run again.",
                if plain == 1 { "plain number" } else { "plain numbers" },
                if plain == 1 { "was" } else { "were" },
                if plain == 1 { "it is" } else { "they are" },
            ),
        )
    } else {
        (String::new(), String::new())
    };
    Warning {
        id: "billed_column_read_as_durations".to_string(),
        message: format!(
            "{files_zh}中有 {durations} 个计费时长写成时长（如 1:06、66秒、1分6秒），已按秒读取：{list}。计费按秒比对，计费分钟数按每通向上取整到整分钟计。{plain_zh}"
        ),
        message_en: format!(
            "{durations} billed cells in {files_en} are written as durations (e.g. 1:06, 66秒, 1分6秒), so they were read as seconds: {list}. Billing is compared in seconds, and billed minutes count each call rounded up to whole minutes.{plain_en}"
        ),
    }
}

/// Returns a warning per side whose usable records have billed cells that
/// are text but neither a number nor a duration (`约两分钟`): those calls are not compared on
/// billing, and the first such cell is named.
pub(crate) fn unreadable_warnings(sides: &[(&str, &str, &SideStats)]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for (files_zh, files_en, stats) in sides {
        let Some((file, row, text)) = &stats.billed_unreadable_first else {
            continue;
        };
        let count = stats.billed_unreadable;
        let place = stats.files.get(*file as usize).map_or(String::new(), |f| {
            let column = [Role::BilledMinutes, Role::BilledSeconds]
                .iter()
                .find_map(|r| f.columns.get(r.name()))
                .map_or("", String::as_str);
            format!("{} [{column}]", f.path.display())
        });
        let value = crate::normalize::mask_text(text);
        warnings.push(Warning {
            id: "billed_cells_unreadable".to_string(),
            message: format!(
                "{files_zh}有 {count} 通通话的计费时长既不是数字也不是时长，例如 {place} 第 {row} 行的“{value}”；这些通话没有比对计费。请把该列导出为纯数字（分钟或秒）或时长（如 0:01:06）后重新运行。"
            ),
            message_en: format!(
                "{count} {} in {files_en} {} a billed cell that is neither a number nor a duration, e.g. \"{value}\" in {place}, row {row}; their billing was not compared. Export the column as plain numbers (minutes or seconds) or durations (e.g. 0:01:06) and run again.",
                if count == 1 { "call" } else { "calls" },
                if count == 1 { "has" } else { "have" },
            ),
        });
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(talk_secs: u32, billed: u32, billed_read: bool) -> Record {
        Record {
            caller: 1,
            callee: 2,
            time: 0,
            talk_secs,
            billed_min: billed,
            file: 0,
            row: 1,
            agent: 0,
            no_seconds: false,
            billed_read,
        }
    }

    fn sums(rows: &[(u32, u32)]) -> BilledSums {
        let mut s = BilledSums::default();
        for (talk, billed) in rows {
            s.add(&record(*talk, *billed, true));
        }
        s
    }

    #[test]
    fn minutes_and_seconds_columns_told_apart() {
        let minutes = sums(&[(45, 1), (61, 2), (120, 2), (5, 1), (300, 5), (59, 1)]);
        let six_six = sums(&[(45, 48), (61, 66), (120, 120), (5, 6), (300, 300), (59, 60)]);
        let sixty = sums(&[
            (45, 60),
            (61, 120),
            (120, 120),
            (5, 60),
            (300, 300),
            (59, 60),
        ]);

        assert!(!minutes.looks_like_seconds());
        assert!(six_six.looks_like_seconds());
        assert!(sixty.looks_like_seconds());
    }

    #[test]
    fn few_or_mixed_probes_stay_minutes() {
        let few = sums(&[(45, 60), (61, 120), (120, 120), (5, 60)]);
        let short = sums(&[(1, 1), (2, 2), (0, 1), (1, 60), (2, 60), (1, 6)]);
        let mixed = sums(&[(45, 60), (61, 120), (120, 2), (5, 60), (300, 300), (59, 1)]);

        assert!(!few.looks_like_seconds(), "four probes");
        assert!(!short.looks_like_seconds(), "talk under the probe length");
        assert!(!mixed.looks_like_seconds(), "a third below the talk time");
    }

    #[test]
    fn minutes_of_a_seconds_column_round_up() {
        let mut s = sums(&[(45, 48), (61, 66), (120, 120)]);
        // No readable billed cell: the stored value is ceil(talk / 60).
        s.add(&record(70, 2, false));

        assert_eq!(s.total_minutes(Some(BilledUnit::Seconds)), 1 + 2 + 2 + 2);
        assert_eq!(
            s.total_minutes(Some(BilledUnit::Minutes)),
            48 + 66 + 120 + 2
        );
    }

    /// Reads `text` as one file with the general reader and on the parallel
    /// path in small blocks; returns both sides.
    fn read_both_ways(text: &str) -> (crate::Side, crate::Side) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bill.csv");
        std::fs::write(&path, text).unwrap();
        let opts = crate::ReadOptions::new(crate::vocab::tests::vocabulary());
        let paths = [path];
        let general = crate::read_side(&paths, &opts).unwrap();
        let scan = crate::ScanOptions {
            threads: 3,
            block_bytes: 1000,
            min_parallel_bytes: 0,
            ..crate::ScanOptions::for_matching()
        };
        let fast = crate::read_side_with(&paths, &opts, &scan).unwrap();
        (general, fast)
    }

    /// Returns a bill of `rows` calls whose billed column, headed `header`,
    /// contains seconds under 6/6. Every 50th cell is a fraction, every
    /// 70th empty.
    fn bill_text(header: &str, rows: u32) -> String {
        let mut text = format!("主叫号码,被叫号码,开始时间,通话时长,{header}\n");
        for i in 0..rows {
            let talk = 1 + (i * 37) % 400;
            let billed = match i {
                _ if i % 70 == 0 => String::new(),
                _ if i % 50 == 0 => format!("{}.4", talk.div_ceil(6) * 6),
                _ => (talk.div_ceil(6) * 6).to_string(),
            };
            text.push_str(&format!(
                "075512345678,139{:08},2024-03-05 {:02}:{:02}:{:02},{talk},{billed}\n",
                i,
                8 + i / 3600,
                (i / 60) % 60,
                i % 60
            ));
        }
        text
    }

    #[test]
    fn both_readers_decide_the_unit_alike() {
        for header in ["计费时长", "计费时长(秒)"] {
            let (general, fast) = read_both_ways(&bill_text(header, 3000));

            assert_eq!(fast.stats, general.stats, "{header}");
            assert_eq!(fast.records, general.records, "{header}");
            let file = &general.stats.files[0];
            assert_eq!(file.billed_unit(), Some(BilledUnit::Seconds), "{header}");
            assert_eq!(file.billed_unit_inferred, header == "计费时长", "{header}");
            let minutes: u64 = general
                .records
                .iter()
                .map(|r| u64::from(general.billed_minutes(r)))
                .sum();
            assert_eq!(general.stats.billed_minutes, minutes, "{header}");
        }
    }

    #[test]
    fn seconds_column_wins_unless_mapped_away() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bill.csv");
        let mut text = String::from("主叫号码,被叫号码,开始时间,通话时长,计费时长,计费秒数\n");
        for i in 0..6 {
            text.push_str(&format!(
                "075512345678,1390000000{i},2024-03-05 10:0{i}:00,61,2,66\n"
            ));
        }
        std::fs::write(&path, text).unwrap();
        let paths = [path];
        let mut opts = crate::ReadOptions::new(crate::vocab::tests::vocabulary());

        let detected = crate::read_side(&paths, &opts).unwrap();
        let table: toml::Table =
            toml::from_str("columns = { billed_minutes = \"计费时长\" }").unwrap();
        opts.mapping = Some(crate::Mapping::from_table(&table).unwrap());
        let mapped = crate::read_side(&paths, &opts).unwrap();

        let file = &detected.stats.files[0];
        assert_eq!(file.billed_unit(), Some(BilledUnit::Seconds));
        assert!(
            !file.columns.contains_key("billed_minutes"),
            "{:?}",
            file.columns
        );
        assert_eq!(detected.records[0].billed_min, 66);
        assert_eq!(detected.stats.billed_minutes, 6 * 2);
        let file = &mapped.stats.files[0];
        assert_eq!(file.billed_unit(), Some(BilledUnit::Minutes));
        assert!(!file.billed_unit_inferred);
        assert_eq!(mapped.records[0].billed_min, 2);
    }

    #[test]
    fn mapped_minutes_column_not_inferred() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bill.csv");
        std::fs::write(&path, bill_text("费用计", 60)).unwrap();
        let mut opts = crate::ReadOptions::new(crate::vocab::tests::vocabulary());
        let table: toml::Table =
            toml::from_str("columns = { billed_minutes = \"费用计\" }").unwrap();
        opts.mapping = Some(crate::Mapping::from_table(&table).unwrap());

        let side = crate::read_side(&[path], &opts).unwrap();

        let file = &side.stats.files[0];
        assert_eq!(file.billed_unit(), Some(BilledUnit::Minutes));
        assert!(!file.billed_unit_inferred);
    }

    #[test]
    fn blocks_add_up_to_the_whole_file() {
        let rows = [(45, 48), (61, 66), (120, 120), (5, 6), (300, 300)];
        let whole = sums(&rows);
        let mut first = sums(&rows[..2]);
        first.absorb(&sums(&rows[2..]));

        assert_eq!(first, whole);
    }
}
