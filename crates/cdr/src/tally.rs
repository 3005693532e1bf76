//! The running figures of a side, or of one block of a file read in
//! parallel: counters, bad-row samples, the usable answered records and the
//! tables their agents and non-digit numbers refer to.
//!
//! Blocks are tallied apart and folded into the side in file order
//! ([`Tally::absorb`]), which gives the same figures, samples and record
//! order as reading the rows one after another.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use crate::billed_unit::{BilledSums, ColumnUnit};
use crate::model::{BadRow, BadRowKind, Record, SideStats};
use crate::normalize::NumberValue;
use crate::numkey::OtherNumbers;
use crate::row::{self, Parsed, Unusable};

/// Bad-row samples kept per side.
pub(crate) const BAD_ROW_SAMPLES: usize = 200;

/// Counters and records of a side or a block.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    pub rows: u64,
    pub answered: u64,
    pub talk_seconds: u64,
    /// Billed sums per file index, whose unit is decided once the side
    /// is read.
    pub billed: Vec<BilledSums>,
    pub unreadable_rows: u64,
    pub unusable_rows: u64,
    pub unusable_by_reason: BTreeMap<String, u64>,
    pub masked_numbers: u64,
    /// Usable records whose billed cell is text that is no number, and
    /// the first of them (file index, row, cell).
    pub billed_unreadable: u64,
    pub billed_unreadable_first: Option<(u32, u64, String)>,
    pub outbound_attempts: u64,
    pub answered_outbound: u64,
    pub answered_all: u64,
    pub talk_seconds_all: u64,
    pub conversions: u64,
    pub conflicts: u64,
    pub bad_rows: Vec<BadRow>,
    pub records: Vec<Record>,
    pub numbers: OtherNumbers,
    /// Agents in order of first appearance.
    pub agents: Vec<String>,
    agent_ids: HashMap<String, u32, BuildHasherDefault<Fnv>>,
    /// Data rows per file index.
    pub file_rows: Vec<u64>,
}

/// FNV-1a: agent ids are short and looked up once per row, where the
/// default hasher's resistance to chosen keys costs more than it gives.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A hasher for integer keys (number keys, ids): one multiply, as the
/// keys come from files, not from someone choosing collisions.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 ^= self.0 >> 29;
    }
}

/// Builds [`IntHasher`]s.
pub(crate) type FastHash = BuildHasherDefault<IntHasher>;

/// The place of a row (file, sheet), for bad-row samples.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Origin<'a> {
    pub file_idx: u32,
    pub path: &'a Path,
    pub sheet: &'a Option<String>,
    pub unmask: bool,
}

impl Tally {
    /// Counts one data row of a file.
    pub(crate) fn count_row(&mut self, file_idx: u32) {
        self.rows += 1;
        let i = file_idx as usize;
        if self.file_rows.len() <= i {
            self.file_rows.resize(i + 1, 0);
        }
        self.file_rows[i] += 1;
    }

    /// Keeps a bad-row sample while there is room.
    pub(crate) fn push_bad(&mut self, bad: BadRow) {
        if self.bad_rows.len() < BAD_ROW_SAMPLES {
            self.bad_rows.push(bad);
        }
    }

    /// Counts a row that could not be read.
    pub(crate) fn unreadable(&mut self, at: Origin<'_>, row: u64, u: &row::Unreadable) {
        self.count_row(at.file_idx);
        self.unreadable_rows += 1;
        if self.bad_rows.len() < BAD_ROW_SAMPLES {
            self.push_bad(row::bad_row(at.path, at.sheet, row, u, at.unmask));
        }
    }

    /// Returns the id + 1 of an agent, interned in order of first appearance.
    pub(crate) fn agent_id(&mut self, agent: &str) -> u32 {
        if let Some(id) = self.agent_ids.get(agent) {
            return *id + 1;
        }
        let id = self.agents.len() as u32;
        self.agents.push(agent.to_string());
        self.agent_ids.insert(agent.to_string(), id);
        id + 1
    }

    /// Adds a parsed row to the figures.
    pub(crate) fn apply(&mut self, at: Origin<'_>, p: Parsed) {
        self.count_row(at.file_idx);
        self.masked_numbers += u64::from(p.masked_cells);
        self.conflicts += u64::from(p.conflict);
        self.conversions += u64::from(p.success);
        if p.outbound {
            self.outbound_attempts += 1;
            self.answered_outbound += u64::from(p.answered);
        }
        let agent = p.agent.as_deref().map_or(0, |a| self.agent_id(a));
        if !p.answered {
            return;
        }
        self.answered_all += 1;
        self.talk_seconds_all += u64::from(p.talk_secs);
        if let Some(why) = p.unusable {
            self.unusable(at, &p, why);
            return;
        }
        let (NumberValue::Ok(caller), NumberValue::Ok(callee)) = (&p.caller, &p.callee) else {
            return;
        };
        let caller = self.numbers.key(caller);
        let callee = self.numbers.key(callee);
        self.push_record(Record {
            caller,
            callee,
            // The row parser leaves only times that fit.
            time: u32::try_from(p.time.epoch).unwrap_or(u32::MAX),
            talk_secs: p.talk_secs,
            billed_min: p.billed_min,
            file: u16::try_from(at.file_idx).unwrap_or(u16::MAX),
            row: u32::try_from(p.row).unwrap_or(u32::MAX),
            agent,
            no_seconds: !p.time.has_seconds,
            billed_read: p.billed_read,
        });
        if p.billed_duration {
            self.billed_duration(at.file_idx);
        }
        if let Some(text) = &p.billed_garbled {
            self.billed_unreadable(at.file_idx, p.row, text);
        }
    }

    /// Counts a usable record, just pushed, whose billed cell is a
    /// duration in seconds.
    pub(crate) fn billed_duration(&mut self, file_idx: u32) {
        if let Some(sums) = self.billed.get_mut(file_idx as usize) {
            sums.durations += 1;
        }
    }

    /// Counts a usable record whose billed cell is text that is no number.
    pub(crate) fn billed_unreadable(&mut self, file_idx: u32, row: u64, text: &str) {
        self.billed_unreadable += 1;
        if self.billed_unreadable_first.is_none() {
            self.billed_unreadable_first = Some((file_idx, row, text.to_string()));
        }
    }

    /// Adds a usable answered record to the figures.
    pub(crate) fn push_record(&mut self, r: Record) {
        self.answered += 1;
        self.talk_seconds += u64::from(r.talk_secs);
        let file = usize::from(r.file);
        if self.billed.len() <= file {
            self.billed.resize(file + 1, BilledSums::default());
        }
        self.billed[file].add(&r);
        self.records.push(r);
    }

    fn unusable(&mut self, at: Origin<'_>, p: &Parsed, why: Unusable) {
        self.unusable_rows += 1;
        *self
            .unusable_by_reason
            .entry(why.id().to_string())
            .or_default() += 1;
        if self.bad_rows.len() >= BAD_ROW_SAMPLES {
            return;
        }
        let (zh, en) = why.texts();
        let value = match (&p.caller, &p.callee) {
            (NumberValue::Ok(a), _) if why.id().ends_with("callee") => row::show(a, at.unmask),
            (_, NumberValue::Ok(b)) => row::show(b, at.unmask),
            _ => String::new(),
        };
        self.push_bad(BadRow {
            kind: BadRowKind::Unusable,
            file: at.path.to_path_buf(),
            sheet: at.sheet.clone(),
            row: p.row,
            column: None,
            value,
            reason_zh: zh.to_string(),
            reason_en: en.to_string(),
        });
    }

    /// Folds the tally of the next block (or file) into this one: counters
    /// add up, samples and records follow on, and the block's agent and
    /// number ids are re-keyed into this tally's tables.
    /// Numbers the agents of the records held as `into` numbers them
    /// (adding any it lacks), for records that leave this tally before it
    /// is absorbed into `into`.
    pub(crate) fn number_agents_as(&mut self, into: &mut Tally) {
        let map: Vec<u32> = self.agents.iter().map(|a| into.agent_id(a)).collect();
        for r in &mut self.records {
            if r.agent > 0 {
                r.agent = map[(r.agent - 1) as usize];
            }
        }
    }

    pub(crate) fn absorb(&mut self, mut other: Tally) {
        self.add_counts(&other);
        for (reason, n) in std::mem::take(&mut other.unusable_by_reason) {
            *self.unusable_by_reason.entry(reason).or_default() += n;
        }
        for bad in other.bad_rows.drain(..) {
            self.push_bad(bad);
        }
        for (i, n) in other.file_rows.iter().enumerate() {
            if self.file_rows.len() <= i {
                self.file_rows.resize(i + 1, 0);
            }
            self.file_rows[i] += n;
        }
        for (i, sums) in other.billed.iter().enumerate() {
            if self.billed.len() <= i {
                self.billed.resize(i + 1, BilledSums::default());
            }
            self.billed[i].absorb(sums);
        }
        let agent_map: Vec<u32> = other.agents.iter().map(|a| self.agent_id(a)).collect();
        self.numbers.absorb(std::mem::take(&mut other.numbers));
        let remap = |r: &mut Record| {
            if r.agent > 0 {
                r.agent = agent_map[(r.agent - 1) as usize];
            }
        };
        if self.records.is_empty() {
            // Taken over, not copied: a whole file's records would
            // otherwise be held twice for a moment.
            self.records = std::mem::take(&mut other.records);
            self.records.iter_mut().for_each(remap);
            return;
        }
        self.records.reserve(other.records.len());
        for mut r in other.records.drain(..) {
            remap(&mut r);
            self.records.push(r);
        }
    }

    fn add_counts(&mut self, o: &Tally) {
        self.rows += o.rows;
        self.answered += o.answered;
        self.talk_seconds += o.talk_seconds;
        self.unreadable_rows += o.unreadable_rows;
        self.unusable_rows += o.unusable_rows;
        self.masked_numbers += o.masked_numbers;
        self.billed_unreadable += o.billed_unreadable;
        if self.billed_unreadable_first.is_none() {
            self.billed_unreadable_first = o.billed_unreadable_first.clone();
        }
        self.outbound_attempts += o.outbound_attempts;
        self.answered_outbound += o.answered_outbound;
        self.answered_all += o.answered_all;
        self.talk_seconds_all += o.talk_seconds_all;
        self.conversions += o.conversions;
        self.conflicts += o.conflicts;
    }

    /// Moves every row number on by `base` (a block counts its lines
    /// from 1).
    pub(crate) fn shift_rows(&mut self, base: u64) {
        if base == 0 {
            return;
        }
        for r in &mut self.records {
            r.row = u32::try_from(u64::from(r.row) + base).unwrap_or(u32::MAX);
        }
        if let Some((_, row, _)) = &mut self.billed_unreadable_first {
            *row += base;
        }
        for b in &mut self.bad_rows {
            b.row += base;
        }
    }

    /// Writes the counters into a side's figures (files and total rows
    /// are kept by the reader), deciding the unit of each file's billed
    /// column from `units` (by file index) and the values read.
    pub(crate) fn fill(&self, stats: &mut SideStats, units: &[ColumnUnit]) {
        stats.rows = self.rows;
        stats.answered = self.answered;
        stats.talk_seconds = self.talk_seconds;
        stats.billed_minutes = crate::billed_unit::resolve(&mut stats.files, units, &self.billed);
        stats.unreadable_rows = self.unreadable_rows;
        stats.unusable_rows = self.unusable_rows;
        stats.unusable_by_reason = self.unusable_by_reason.clone();
        stats.masked_numbers = self.masked_numbers;
        stats.billed_unreadable = self.billed_unreadable;
        stats.billed_unreadable_first = self.billed_unreadable_first.clone();
        stats.bad_rows = self.bad_rows.clone();
        stats.outbound_attempts = self.outbound_attempts;
        stats.answered_outbound = self.answered_outbound;
        stats.answered_all = self.answered_all;
        stats.talk_seconds_all = self.talk_seconds_all;
        stats.agents = self.agents.iter().cloned().collect();
        stats.conversions = self.conversions;
        stats.disposition_talk_conflicts = self.conflicts;
        for (file, n) in stats.files.iter_mut().zip(&self.file_rows) {
            file.rows = *n;
        }
    }
}
