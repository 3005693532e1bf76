//! The result of reading a side: compact records for matching and the
//! figures of every row read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One usable answered call, compact: numbers are 64-bit keys (digit
/// strings by value, anything else a hash kept in [`Side::numbers`]; see
/// [`Side::number`]), times are seconds since 1970 UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub caller: u64,
    pub callee: u64,
    /// The time matched on, seconds since 1970 UTC: the answer time when
    /// the source has an answer column, else the start time. Rows with a
    /// time outside 1970–2106 are unreadable, so 32 bits hold it; see
    /// [`Record::epoch`].
    pub time: u32,
    /// Talk time, seconds.
    pub talk_secs: u32,
    /// The bill's billed cell as written, in the unit of its file's billed
    /// column ([`FileInfo::billed_unit`]): minutes, or seconds for a
    /// column read as seconds. Without a readable cell
    /// (`billed_read` false) it is ceil(talk / 60), minutes.
    pub billed_min: u32,
    /// Index into [`SideStats::files`]; a side reads at most
    /// [`MAX_FILES`] files, so that a record takes 40 bytes.
    pub file: u16,
    /// 1-based row in its file (sheet).
    pub row: u32,
    /// Agent id + 1 into [`Side::agents`], 0 when none.
    pub agent: u32,
    /// The timestamp was written without seconds.
    pub no_seconds: bool,
    /// `billed_min` was read from the bill's billed column. When false it is
    /// ceil(talk / 60) and no billing comparison is made, because the file
    /// has no such column or the cell was empty or unreadable.
    pub billed_read: bool,
}

/// Files (sheets, archive members) one side can have.
pub const MAX_FILES: usize = u16::MAX as usize;

impl Record {
    /// Returns the matched time as seconds since 1970 UTC.
    pub fn epoch(&self) -> i64 {
        i64::from(self.time)
    }
}

/// A file (or sheet, or archive member) read on a side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileInfo {
    pub path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// `asterisk`, `freeswitch`, `header` or `mapping`.
    pub layout: String,
    /// `text`, `xls` or `xlsx`.
    pub format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// 1-based header row, if the source has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_row: Option<u64>,
    /// Data rows read (no header, title, blank or total rows).
    pub rows: u64,
    /// Seconds east of UTC that timestamps without an offset were read in.
    #[serde(skip)]
    pub tz_secs: i32,
    /// Byte sequences that did not decode in the detected encoding.
    pub invalid_bytes: u64,
    /// Role -> column as read: the header text (or the layout's field
    /// name) and the 1-based column number. The billed column is listed
    /// under the unit it was read in, `billed_minutes` or `billed_seconds`.
    pub columns: BTreeMap<String, String>,
    /// The billed column's header states no seconds, but its values showed
    /// them, so it was read as seconds (see [`crate::BilledUnit`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub billed_unit_inferred: bool,
    /// Billed cells written as durations (`1:06`, `66秒`, a workbook
    /// duration). When a file has any, its column is read as seconds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub billed_durations: u64,
    /// Billed cells that are plain numbers in a column read as seconds
    /// because of its durations.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub billed_plain_as_seconds: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl FileInfo {
    /// Returns the unit the file's billed column was read in, if it has one.
    pub fn billed_unit(&self) -> Option<crate::BilledUnit> {
        if self.columns.contains_key("billed_seconds") {
            Some(crate::BilledUnit::Seconds)
        } else if self.columns.contains_key("billed_minutes") {
            Some(crate::BilledUnit::Minutes)
        } else {
            None
        }
    }
}

/// Whether a bad row could not be read at all or was read but cannot be
/// matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadRowKind {
    Unreadable,
    Unusable,
}

/// A row that could not be read or used, with its place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    pub kind: BadRowKind,
    pub file: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    pub row: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The cell's value, masked unless unmasking was asked for.
    pub value: String,
    pub reason_zh: String,
    pub reason_en: String,
}

/// A file inside a folder or an archive that was passed over because it
/// is no table (binary content, an empty file, an archive with nothing
/// readable in it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedFile {
    pub path: PathBuf,
    pub reason_zh: String,
    pub reason_en: String,
}

/// A total row (合计/总计) below the data and the sum of the rows above it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TotalRowCheck {
    pub file: PathBuf,
    pub row: u64,
    /// The column's header (or role name when headerless).
    pub column: String,
    pub stated: f64,
    pub summed: f64,
}

/// The figures of one side. `answered`, `talk_seconds` and `billed_minutes`
/// count usable answered records (those matched on); the `_all` figures
/// and the outbound figures count every row read, for declared figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SideStats {
    pub files: Vec<FileInfo>,
    /// Data rows read.
    pub rows: u64,
    /// Usable answered records.
    pub answered: u64,
    pub talk_seconds: u64,
    pub billed_minutes: u64,
    /// Rows that could not be read (bad time, cut-off row…).
    pub unreadable_rows: u64,
    /// Answered rows that cannot be matched (number missing, masked…).
    pub unusable_rows: u64,
    /// Unusable rows by reason id (`no_caller`, `masked_callee`…).
    pub unusable_by_reason: BTreeMap<String, u64>,
    /// Number cells holding placeholders such as `138****1234`.
    pub masked_numbers: u64,
    /// Usable answered records whose billed cell has text that is no
    /// number or duration (`约两分钟`): their billing is not compared.
    #[serde(default)]
    pub billed_unreadable: u64,
    /// The first of them: file index, row and the cell as written.
    #[serde(default)]
    pub billed_unreadable_first: Option<(u32, u64, String)>,
    /// Usable records that another file of the side has too (same numbers,
    /// start second and talk time), as when two exports overlap.
    #[serde(default)]
    pub repeated_across_files: u64,
    /// The first such pair: file index and row of each copy.
    #[serde(default)]
    pub repeated_across_files_first: Option<(u32, u64, u32, u64)>,
    /// Samples of unreadable and unusable rows (at most 200).
    pub bad_rows: Vec<BadRow>,
    pub total_rows: Vec<TotalRowCheck>,
    /// Rows with direction outbound. When a file has no direction column,
    /// every row of it counts as outbound: a call-centre export without
    /// one is taken to list the centre's own calls.
    pub outbound_attempts: u64,
    /// Answered rows among the outbound attempts.
    pub answered_outbound: u64,
    /// Answered rows, usable or not.
    pub answered_all: u64,
    /// Talk seconds of all answered rows.
    pub talk_seconds_all: u64,
    /// Distinct agents with at least one row.
    pub agents: BTreeSet<String>,
    /// Rows whose outcome is a success word.
    pub conversions: u64,
    pub has_outcome_column: bool,
    /// Rows whose disposition and talk time disagree (answered with 0 s,
    /// or not answered with talk time); counted, not reclassified.
    pub disposition_talk_conflicts: u64,
    /// FreeSWITCH B-legs and per-account copies left out.
    pub duplicates_removed: u64,
    /// Files in folders and archive members passed over, with the reason.
    pub skipped_files: Vec<SkippedFile>,
}

/// Everything read from one side's files.
#[derive(Clone, Debug, Default)]
pub struct Side {
    pub stats: SideStats,
    /// Usable answered records in matching order: by caller, callee,
    /// time, file and row. Empty when the side spilled its records to
    /// disk ([`Side::is_spilled`]).
    pub records: Vec<Record>,
    /// Normalised numbers that are not plain digit strings (SIP users,
    /// more than 17 digits), by the records' hashed keys.
    pub numbers: std::collections::HashMap<u64, String>,
    /// Agent ids as written, indexed by `Record::agent - 1`.
    pub agents: Vec<String>,
    /// Tamper signals per file, same order as `stats.files`.
    pub signals: Vec<crate::signals::FileSignals>,
    /// The records written to disk, partitioned, when they outgrew the
    /// memory budget.
    pub(crate) spilled: Option<crate::spill::Spilled>,
}

impl Side {
    /// The normalised number a record key stands for.
    pub fn number(&self, key: u64) -> std::borrow::Cow<'_, str> {
        crate::numkey::key_text(key, &self.numbers)
    }

    /// Returns whether the records were spilled to disk rather than held in
    /// [`Side::records`].
    pub fn is_spilled(&self) -> bool {
        self.spilled.is_some()
    }

    /// Returns the billed minutes of a record: the bill's value when its
    /// column is in minutes, whole minutes rounded up when it is in
    /// seconds (as the reader sums them).
    pub fn billed_minutes(&self, r: &Record) -> u32 {
        // Most records without a billed cell skip the look-up of the unit.
        if !r.billed_read {
            return r.billed_min;
        }
        let unit = self
            .stats
            .files
            .get(usize::from(r.file))
            .and_then(FileInfo::billed_unit);
        match unit {
            Some(crate::BilledUnit::Seconds) => r.billed_min.div_ceil(60),
            _ => r.billed_min,
        }
    }

    /// The agent of a record, if any.
    pub fn agent(&self, r: &Record) -> Option<&str> {
        let i = r.agent.checked_sub(1)?;
        self.agents.get(i as usize).map(String::as_str)
    }
}
