//! Call records: reading every real layout (Asterisk `Master.csv`,
//! FreeSWITCH `mod_cdr_csv`, headered exports and carrier bills in CSV, TXT,
//! XLS, XLSX or ZIP, mapped by header synonyms or a mapping), normalising
//! numbers, times and durations, one-to-one matching of the company's
//! records with the carrier's bill, and the reconciliation figures.
//!
//! Stages: [`read_side`] (read and normalise) → [`reconcile`] (match,
//! count, and put every record in a [`RecordClass`], billed amounts
//! recomputed under a [`BillingIncrement`]) → [`write_recon_csv`] (record
//! lists); [`inspect`] describes how a single file is read. Under a
//! [`MemoryBudget`] the records of a side that outgrows it spill to disk in
//! partitions, matched one at a time.

mod advice;
mod billed_unit;
mod billing;
mod cache;
mod describe;
mod error;
mod fast;
mod inspect;
mod layout;
mod mapping;
mod matching;
mod model;
mod normalize;
mod numkey;
mod output;
mod read;
mod row;
mod signals;
mod spill;
mod staging;
mod tally;
mod tzcheck;
mod vocab;

pub use advice::{no_talk_time, no_usable_rows, SideName};
pub use billed_unit::BilledUnit;
pub use billing::{
    billed_secs, whole_minutes, BilledPair, BillingIncrement, BillingSummary, Classes,
    PairClassifier, RecordClass,
};
pub use cache::RecordCache;
pub use error::CdrError;
pub use inspect::{inspect, Inspection, SampleRecord};
pub use mapping::{parse_offset, ColumnRef, Mapping, Role};
pub use matching::{
    reconcile, DayFigures, MatchOptions, Rates, Recon, SideSummary, Warning,
    NO_SECONDS_TOLERANCE_SECS,
};
pub use model::{
    BadRow, BadRowKind, FileInfo, Record, Side, SideStats, SkippedFile, TotalRowCheck, MAX_FILES,
};
pub use normalize::{
    mask_number, mask_text, normalize_number, parse_duration, parse_time, NumberValue, Stamp,
    TimeForm,
};
pub use output::write_recon_csv;
pub use read::{
    beijing, read_side, read_side_with, same_content, Progress, ReadOptions, ScanOptions,
};
pub use row::unusable_reason;
pub use signals::{signal_label, FileSignals, SampleRow, Signal};
pub use spill::{
    default_memory_limit, interrupt_removed_folders, parse_size, remove_temp_folders, MemoryBudget,
};
pub use vocab::{Answer, Direction, Vocabulary};
