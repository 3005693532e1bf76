//! `cdr inspect`: how one file is read, with normalised sample rows and
//! tamper signals.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::CdrError;
use crate::model::{BadRow, BadRowKind, FileInfo, TotalRowCheck};
use crate::read::{read_side, ReadOptions};
use crate::row::{fmt_time, show};
use crate::signals::Signal;

/// Normalised sample rows shown.
const SAMPLES: usize = 5;

/// The description of how a file is read, serialised as `cdr inspect --json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Inspection {
    pub file: PathBuf,
    /// `text`, `xls` or `xlsx` (of the first source read).
    pub format: String,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    /// `asterisk`, `freeswitch`, `header` or `mapping`.
    pub layout: String,
    pub header_row: Option<u64>,
    /// Role → column as read.
    pub mapping: BTreeMap<String, String>,
    /// Data rows read (header, title, blank and total rows left out).
    pub rows: u64,
    pub answered: u64,
    /// Answered rows that can be matched.
    pub usable: u64,
    pub unusable_rows: u64,
    pub unusable_by_reason: BTreeMap<String, u64>,
    pub masked_numbers: u64,
    pub unreadable_rows: u64,
    /// Samples of unreadable rows with row and reason.
    pub unreadable: Vec<BadRow>,
    pub signals: Vec<Signal>,
    /// The first usable records, normalised (numbers masked unless asked).
    pub samples: Vec<SampleRecord>,
    pub total_rows: Vec<TotalRowCheck>,
    pub duplicates_removed: u64,
    pub disposition_talk_conflicts: u64,
    /// Every source read (sheets, archive members).
    pub sources: Vec<FileInfo>,
    /// Archive members passed over, with the reason.
    pub skipped_files: Vec<crate::model::SkippedFile>,
    /// Notes about the reading, such as a mapping's ignored `time_format`.
    pub warnings: Vec<crate::matching::Warning>,
}

/// A normalised record as the matcher uses it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SampleRecord {
    pub row: u64,
    pub caller: String,
    pub callee: String,
    pub time: String,
    pub talk_seconds: u32,
    pub billed_minutes: u32,
    /// The billed cell as read, in `billed_unit`. It is absent when the
    /// file has no billed column or the cell was empty or unreadable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billed: Option<u32>,
    /// The unit of the file's billed column, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billed_unit: Option<crate::BilledUnit>,
}

/// The inspected file as a side in the advice's messages.
const INSPECTED: crate::advice::SideName<'static> = crate::advice::SideName {
    zh: "该",
    en: "inspected",
    mapping_flag: "--mapping",
};

/// Reads one file and describes it.
///
/// Errors: those of [`read_side`] (not call records, unmappable columns,
/// unreadable file).
pub fn inspect(path: &Path, opts: &ReadOptions) -> Result<Inspection, CdrError> {
    let side = read_side(&[path.to_path_buf()], opts)?;
    let stats = &side.stats;
    let first = stats.files.first();
    let zero_share = opts.vocabulary.seconds_zero_share;
    let mut signals: Vec<Signal> = Vec::new();
    for s in side.signals.iter().flat_map(|f| f.finish(zero_share)) {
        match signals.iter_mut().find(|x| x.id == s.id) {
            Some(x) => x.count += s.count,
            None => signals.push(s),
        }
    }
    // Records are kept in matching order; the samples are the first rows.
    let mut first_rows: Vec<&crate::model::Record> = side.records.iter().collect();
    first_rows.sort_by_key(|r| (r.file, r.row));
    let samples = first_rows
        .into_iter()
        .take(SAMPLES)
        .map(|r| {
            let tz = chrono::FixedOffset::east_opt(
                stats
                    .files
                    .get(r.file as usize)
                    .map_or(8 * 3600, |f| f.tz_secs),
            )
            .unwrap_or_else(crate::read::beijing);
            SampleRecord {
                row: u64::from(r.row),
                caller: show(&side.number(r.caller), opts.unmask),
                callee: show(&side.number(r.callee), opts.unmask),
                time: fmt_time(r.epoch(), tz),
                talk_seconds: r.talk_secs,
                billed_minutes: side.billed_minutes(r),
                billed: r.billed_read.then_some(r.billed_min),
                billed_unit: stats
                    .files
                    .get(r.file as usize)
                    .and_then(crate::model::FileInfo::billed_unit),
            }
        })
        .collect();
    Ok(Inspection {
        file: path.to_path_buf(),
        format: first.map_or(String::new(), |f| f.format.clone()),
        encoding: first.and_then(|f| f.encoding.clone()),
        delimiter: first.and_then(|f| f.delimiter.clone()),
        layout: first.map_or(String::new(), |f| f.layout.clone()),
        header_row: first.and_then(|f| f.header_row),
        mapping: first.map_or_else(BTreeMap::new, |f| f.columns.clone()),
        rows: stats.rows,
        answered: stats.answered_all,
        usable: stats.answered,
        unusable_rows: stats.unusable_rows,
        unusable_by_reason: stats.unusable_by_reason.clone(),
        masked_numbers: stats.masked_numbers,
        unreadable_rows: stats.unreadable_rows,
        unreadable: stats
            .bad_rows
            .iter()
            .filter(|b| b.kind == BadRowKind::Unreadable)
            .cloned()
            .collect(),
        signals,
        samples,
        total_rows: stats.total_rows.clone(),
        duplicates_removed: stats.duplicates_removed,
        disposition_talk_conflicts: stats.disposition_talk_conflicts,
        sources: stats.files.clone(),
        skipped_files: stats.skipped_files.clone(),
        warnings: opts
            .mapping_warnings()
            .into_iter()
            .chain(crate::billed_unit::inferred_warnings(&[(
                "该文件",
                "the file",
                stats,
            )]))
            .chain(crate::billed_unit::unreadable_warnings(&[(
                "该文件",
                "the file",
                stats,
            )]))
            .chain(crate::advice::no_usable_rows(INSPECTED, stats))
            .chain(crate::advice::no_talk_time(INSPECTED, stats))
            .collect(),
    })
}
