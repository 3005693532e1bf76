//! Reading one side: expanding folders and archives, deciding each
//! source's layout from its first rows, then streaming the rest.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::FixedOffset;
use globset::{Glob, GlobMatcher};
use nianshen_table::{CellRef, Event, Flow, RowView, SourceInfo, TableError};

use crate::billed_unit::ColumnUnit;
use crate::error::CdrError;
use crate::layout::{plan, BufferedRow, LayoutKind, Plan, SNIFF_ROWS};
use crate::mapping::{Mapping, Role};
use crate::model::{FileInfo, Side, SkippedFile, TotalRowCheck};
use crate::normalize::parse_summable;
use crate::row::{self, Parsed, RowCtx};
use crate::signals::FileSignals;
use crate::spill::{MemoryBudget, SideSpill};
use crate::tally::{Origin, Tally};
use crate::vocab::Vocabulary;

/// How to read a side.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    pub vocabulary: Vocabulary,
    /// Offset of timestamps that carry none (default +08:00, Beijing).
    pub default_tz: FixedOffset,
    /// A mapping for every file of the side (a `--*-mapping` file).
    pub mapping: Option<Mapping>,
    /// `[[mappings]]` of a case: glob (relative to `glob_base`) and mapping;
    /// the first glob that matches a file applies.
    pub glob_mappings: Vec<(String, Mapping)>,
    pub glob_base: Option<PathBuf>,
    /// Write phone numbers unmasked in bad-row samples and signals.
    pub unmask: bool,
    /// Treat files named one by one as found in a folder: one that is no
    /// table or is empty is passed over into
    /// [`crate::SideStats::skipped_files`] instead of stopping the read.
    /// For callers that expand folders themselves (the checks of a case).
    /// Default false: a file named on the command line must be readable.
    pub pass_over_unreadable: bool,
}

impl ReadOptions {
    /// Options with a vocabulary and Beijing time, no mapping.
    pub fn new(vocabulary: Vocabulary) -> Self {
        ReadOptions {
            vocabulary,
            default_tz: beijing(),
            mapping: None,
            glob_mappings: Vec::new(),
            glob_base: None,
            unmask: false,
            pass_over_unreadable: false,
        }
    }
}

impl ReadOptions {
    /// Lists the globs of `glob_mappings` that match none of `files`. A
    /// mapping that never applies most often has a typo in its `files`.
    pub fn unmatched_globs(&self, files: &[PathBuf]) -> Vec<String> {
        let Ok(globs) = compile_globs(self) else {
            return Vec::new();
        };
        globs
            .iter()
            .zip(&self.glob_mappings)
            .filter(|((matcher, _), _)| {
                !files.iter().any(|f| {
                    let rel = match &self.glob_base {
                        Some(base) => relative_to(f, base),
                        None => f.clone(),
                    };
                    matcher.is_match(&rel)
                })
            })
            .map(|(_, (glob, _))| glob.clone())
            .collect()
    }

    /// Collects the warnings of the mappings in use, such as an ignored
    /// `time_format`.
    pub fn mapping_warnings(&self) -> Vec<crate::matching::Warning> {
        self.mapping
            .iter()
            .chain(self.glob_mappings.iter().map(|(_, m)| m))
            .flat_map(|m| m.warnings.iter().cloned())
            .collect()
    }
}

/// The roles whose column a total row (合计) may sum.
const SUMMED_ROLES: [Role; 4] = [
    Role::TalkSeconds,
    Role::BilledMinutes,
    Role::BilledSeconds,
    Role::Fee,
];

/// UTC+08:00.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or(chrono::Utc.fix())
}

use chrono::Offset;

/// A callback told how many more input bytes have been read.
pub type Progress = std::sync::Arc<dyn Fn(u64) + Send + Sync>;

/// How much a side's reading computes, on how many threads, and whom it
/// tells of its progress.
#[derive(Clone)]
pub struct ScanOptions {
    /// Count tamper signals ([`Side::signals`]). They need every row in
    /// reading order, so with signals on every file takes the general,
    /// one-thread reader. Default on.
    pub signals: bool,
    /// Threads for large text files; 0 (the default) uses every core.
    pub threads: usize,
    /// Bytes per block of the parallel reader.
    pub(crate) block_bytes: u64,
    /// Files smaller than this are read row by row.
    pub(crate) min_parallel_bytes: u64,
    /// Called with the bytes of each block or file read (default none).
    pub progress: Option<Progress>,
    /// The memory budget: records beyond a side's share of it spill to
    /// disk (see [`MemoryBudget`]). Default none: records stay in memory.
    /// Read both sides of a reconciliation with clones of one budget.
    pub memory: Option<MemoryBudget>,
}

impl std::fmt::Debug for ScanOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanOptions")
            .field("signals", &self.signals)
            .field("threads", &self.threads)
            .field("progress", &self.progress.is_some())
            .field(
                "memory",
                &self.memory.as_ref().map(MemoryBudget::limit_bytes),
            )
            .finish()
    }
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            signals: true,
            threads: 0,
            block_bytes: 8 << 20,
            min_parallel_bytes: 4 << 20,
            progress: None,
            memory: None,
        }
    }
}

impl ScanOptions {
    /// Records and figures only, on every core: what matching needs.
    pub fn for_matching() -> Self {
        ScanOptions {
            signals: false,
            ..ScanOptions::default()
        }
    }

    fn thread_count(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
    }
}

/// Reads files, folders (recursively, in name order) and ZIP archives as
/// one side, with tamper signals; see [`read_side_with`].
///
/// Errors: a path that is missing or unreadable, a file that is not call
/// records or whose columns cannot be mapped, a folder without any table.
/// Files found inside a folder or an archive that are no tables (PDFs,
/// images, empty files) are passed over and listed in
/// [`crate::SideStats::skipped_files`].
pub fn read_side(paths: &[PathBuf], opts: &ReadOptions) -> Result<Side, CdrError> {
    read_side_with(paths, opts, &ScanOptions::default())
}

/// Reads one side as [`read_side`] does, computing what `scan` requests.
/// Without signals, large UTF-8 text files are read in parallel blocks;
/// the figures and records are the same either way. With a memory budget,
/// records beyond the side's share of it spill to disk
/// ([`Side::is_spilled`]); otherwise they stay in memory, 40 bytes per
/// usable answered call.
///
/// Errors: as [`read_side`].
pub fn read_side_with(
    paths: &[PathBuf],
    opts: &ReadOptions,
    scan: &ScanOptions,
) -> Result<Side, CdrError> {
    let globs = compile_globs(opts)?;
    let mut side = SideBuilder::new(opts);
    side.scan = scan.clone();
    side.spill = scan.memory.clone().map(|b| SideSpill::new(b, paths));
    for path in paths {
        if path.is_dir() {
            let files = walk(path)?;
            let before = side.side.stats.files.len() + side.copies;
            for f in &files {
                if !side.skip_copy(f) {
                    side.read_found(f, mapping_for(f, opts, &globs))?;
                }
            }
            if side.side.stats.files.len() + side.copies == before {
                return Err(CdrError::NoFiles { path: path.clone() });
            }
        } else if side.skip_copy(path) {
            continue;
        } else if opts.pass_over_unreadable {
            side.read_found(path, mapping_for(path, opts, &globs))?;
        } else {
            side.read_file(path, mapping_for(path, opts, &globs))?;
        }
    }
    if side.side.stats.files.is_empty() {
        if let Some(first) = paths.first() {
            return Err(CdrError::NoFiles {
                path: first.clone(),
            });
        }
    }
    side.finish()
}

fn compile_globs(opts: &ReadOptions) -> Result<Vec<(GlobMatcher, &Mapping)>, CdrError> {
    opts.glob_mappings
        .iter()
        .map(|(glob, m)| {
            let g = Glob::new(glob).map_err(|e| CdrError::Mapping {
                origin: "[[mappings]]".to_string(),
                key: "files".to_string(),
                value: glob.clone(),
                reason_zh: format!("通配符无效：{e}"),
                reason_en: format!("invalid glob: {e}"),
            })?;
            Ok((g.compile_matcher(), m))
        })
        .collect()
}

fn mapping_for<'a>(
    file: &Path,
    opts: &'a ReadOptions,
    globs: &[(GlobMatcher, &'a Mapping)],
) -> Option<&'a Mapping> {
    if let Some(m) = &opts.mapping {
        return Some(m);
    }
    let rel = match &opts.glob_base {
        Some(base) => relative_to(file, base),
        None => file.to_path_buf(),
    };
    globs
        .iter()
        .find(|(g, _)| g.is_match(&rel))
        .map(|(_, m)| *m)
}

/// Returns `file` relative to `base`, comparing canonical paths when one
/// of them is relative and the other absolute.
fn relative_to(file: &Path, base: &Path) -> PathBuf {
    if let Ok(rel) = file.strip_prefix(base) {
        return rel.to_path_buf();
    }
    match (file.canonicalize(), base.canonicalize()) {
        (Ok(f), Ok(b)) => f
            .strip_prefix(&b)
            .map_or_else(|_| file.to_path_buf(), Path::to_path_buf),
        _ => file.to_path_buf(),
    }
}

/// Lists every regular file under `dir` in name order, leaving hidden files out.
pub(crate) fn walk(dir: &Path) -> Result<Vec<PathBuf>, CdrError> {
    let io = |source| {
        CdrError::Table(TableError::Io {
            file: dir.to_path_buf(),
            source,
        })
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    let mut files = Vec::new();
    for p in entries {
        if p.is_dir() {
            files.extend(walk(&p)?);
        } else if p.is_file() {
            files.push(p);
        }
    }
    Ok(files)
}

/// The side being read.
struct SideBuilder<'o> {
    opts: &'o ReadOptions,
    side: Side,
    tally: Tally,
    /// FreeSWITCH rows held back until the side is complete, to drop
    /// B-legs and per-account copies (file index, row).
    pending_fs: Vec<(u32, Parsed)>,
    now: i64,
    scan: ScanOptions,
    /// The spill of records beyond the memory budget, when there is one.
    spill: Option<SideSpill>,
    /// Bytes of the files started so far.
    bytes_seen: u64,
    /// A spill that failed inside a row callback, reported once the file
    /// stops.
    spill_error: Option<CdrError>,
    /// The files read so far with their sizes, to pass over exact copies.
    files_read: Vec<(PathBuf, u64)>,
    /// Files passed over as copies of a file read before.
    copies: usize,
    /// Each file's billed-column unit as its header states it, or left to its
    /// values, by file index.
    billed_units: Vec<ColumnUnit>,
}

/// State of the source being streamed.
enum Phase {
    Sniffing(Vec<BufferedRow>),
    Reading(Box<Plan>),
    Done,
}

struct SourceState {
    info: SourceInfo,
    phase: Phase,
    file_idx: Option<u32>,
    /// A total row has been read: rows that cannot be read after it are
    /// notes below the table (制表人, 说明) rather than calls.
    after_total: bool,
    /// Sums of the summed columns over all rows, and since the last total
    /// row (a 小计 covers the rows above it, a final 合计 all rows).
    sums: HashMap<usize, f64>,
    sums_since_total: HashMap<usize, f64>,
}

impl<'o> SideBuilder<'o> {
    fn new(opts: &'o ReadOptions) -> Self {
        SideBuilder {
            opts,
            side: Side::default(),
            tally: Tally::default(),
            pending_fs: Vec::new(),
            now: chrono::Utc::now().timestamp(),
            scan: ScanOptions::default(),
            spill: None,
            bytes_seen: 0,
            spill_error: None,
            files_read: Vec::new(),
            copies: 0,
            billed_units: Vec::new(),
        }
    }

    /// Passes over, and lists, a file whose bytes equal those of a file
    /// read before: the same export saved twice would count every call
    /// twice. Only files of equal size are compared.
    fn skip_copy(&mut self, path: &Path) -> bool {
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        let original = self
            .files_read
            .iter()
            .filter(|(_, s)| *s == size && size > 0)
            .find(|(other, _)| same_content(other, path))
            .map(|(other, _)| other.clone());
        let Some(original) = original else {
            self.files_read.push((path.to_path_buf(), size));
            return false;
        };
        self.copies += 1;
        self.side.stats.skipped_files.push(SkippedFile {
            path: path.to_path_buf(),
            reason_zh: format!(
                "与 {} 内容完全相同（同一份导出存了两次），已跳过，以免通话计两次",
                original.display()
            ),
            reason_en: format!(
                "the same bytes as {} (one export saved twice), passed over so that no call counts twice",
                original.display()
            ),
        });
        true
    }

    /// Spills the records held once they outgrow the side's share of the
    /// memory budget.
    fn keep_within_budget(&mut self) -> Result<(), CdrError> {
        let held = self.tally.records.len();
        match &mut self.spill {
            Some(s) if held > 0 => {
                if s.due(held) {
                    s.spill(&mut self.tally.records, self.bytes_seen)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Reads a file found in a folder: one that is no table, or an archive
    /// with nothing readable in it, is listed as skipped instead of
    /// stopping the read.
    fn read_found(&mut self, path: &Path, mapping: Option<&Mapping>) -> Result<(), CdrError> {
        let skipped_before = self.side.stats.skipped_files.len();
        match self.read_file(path, mapping) {
            Err(CdrError::Table(
                e @ (TableError::Binary { .. }
                | TableError::Empty { .. }
                | TableError::Archive { .. }),
            )) => {
                tracing::info!(file = %path.display(), "not a table, passed over: {e}");
                self.skip(path, &e);
                Ok(())
            }
            // An archive whose members were all passed over, each listed.
            Err(CdrError::NoFiles { .. })
                if self.side.stats.skipped_files.len() > skipped_before =>
            {
                Ok(())
            }
            other => other,
        }
    }

    /// Lists a file or archive member as passed over.
    fn skip(&mut self, path: &Path, reason: &TableError) {
        self.side.stats.skipped_files.push(SkippedFile {
            path: path.to_path_buf(),
            reason_zh: reason.reason(nianshen_rules::Lang::Zh),
            reason_en: reason.reason(nianshen_rules::Lang::En),
        });
    }

    /// Reads one file: every source in it that is call records.
    fn read_file(&mut self, path: &Path, mapping: Option<&Mapping>) -> Result<(), CdrError> {
        let _span = tracing::info_span!("read", file = %path.display()).entered();
        if self.side.stats.files.len() >= crate::model::MAX_FILES {
            return Err(CdrError::TooManyFiles {
                path: path.to_path_buf(),
                limit: crate::model::MAX_FILES,
            });
        }
        self.bytes_seen += std::fs::metadata(path).map_or(0, |m| m.len());
        if !self.scan.signals && self.read_fast(path, mapping)? {
            return self.keep_within_budget();
        }
        if let Some(progress) = &self.scan.progress {
            progress(std::fs::metadata(path).map_or(0, |m| m.len()));
        }
        let mut current: Option<SourceState> = None;
        let mut rejections: Vec<CdrError> = Vec::new();
        let mut accepted = 0usize;
        nianshen_table::stream(path, &mut |event| match event {
            Event::Source(info) => {
                if let Some(state) = current.take() {
                    self.end_source(state, mapping, &mut rejections, &mut accepted, 0);
                }
                current = Some(SourceState {
                    info: info.clone(),
                    phase: Phase::Sniffing(Vec::new()),
                    file_idx: None,
                    after_total: false,
                    sums: HashMap::new(),
                    sums_since_total: HashMap::new(),
                });
                Flow::Continue(())
            }
            Event::Row { row, cells } => match current.as_mut() {
                Some(state) => {
                    self.on_row(state, mapping, row, cells, &mut rejections, &mut accepted)
                }
                None => Flow::Continue(()),
            },
            Event::Problem(p) => {
                if let Some(state) = current.as_mut() {
                    self.on_problem(state, mapping, &p, &mut rejections, &mut accepted);
                }
                Flow::Continue(())
            }
            Event::End { invalid_bytes } => {
                if let Some(state) = current.take() {
                    self.end_source(
                        state,
                        mapping,
                        &mut rejections,
                        &mut accepted,
                        invalid_bytes,
                    );
                }
                Flow::Continue(())
            }
            Event::Skipped { file, reason } => {
                tracing::info!(file = %file.display(), "archive member passed over: {reason}");
                self.skip(&file, &reason);
                Flow::Continue(())
            }
        })?;
        if let Some(e) = self.spill_error.take() {
            return Err(e);
        }
        if let Some(state) = current.take() {
            self.end_source(state, mapping, &mut rejections, &mut accepted, 0);
        }
        if accepted == 0 {
            return Err(rejections.into_iter().next().unwrap_or(CdrError::NoFiles {
                path: path.to_path_buf(),
            }));
        }
        // Other sheets or members of the file were call records: the ones
        // that were not are listed as passed over, not dropped unseen.
        for e in rejections {
            let (source, reason_zh, reason_en) = e.passed_over(path);
            let skipped = &self.side.stats.skipped_files;
            if skipped.iter().any(|f| f.path == source) {
                continue;
            }
            self.side.stats.skipped_files.push(SkippedFile {
                path: source,
                reason_zh,
                reason_en,
            });
        }
        Ok(())
    }

    fn on_row(
        &mut self,
        state: &mut SourceState,
        mapping: Option<&Mapping>,
        row: u64,
        cells: RowView<'_>,
        rejections: &mut Vec<CdrError>,
        accepted: &mut usize,
    ) -> Flow {
        match &mut state.phase {
            Phase::Sniffing(buffer) => {
                buffer.push((row, cells.iter().map(CellRef::to_owned).collect()));
                if buffer.len() >= SNIFF_ROWS {
                    self.decide(state, mapping, rejections, accepted);
                }
            }
            Phase::Reading(_) => {
                self.data_row(state, row, cells);
                if let Err(e) = self.keep_within_budget() {
                    self.spill_error = Some(e);
                    return Flow::Break(());
                }
            }
            Phase::Done => return Flow::Break(()),
        }
        if matches!(state.phase, Phase::Done) {
            Flow::Break(())
        } else {
            Flow::Continue(())
        }
    }

    /// Decides the layout from the buffered rows and reads them.
    fn decide(
        &mut self,
        state: &mut SourceState,
        mapping: Option<&Mapping>,
        rejections: &mut Vec<CdrError>,
        accepted: &mut usize,
    ) {
        self.decide_with(state, mapping, rejections, accepted, None);
    }

    /// As [`Self::decide`]; `extra` (a cut-off row) helps decide the layout
    /// but is not read as data.
    fn decide_with(
        &mut self,
        state: &mut SourceState,
        mapping: Option<&Mapping>,
        rejections: &mut Vec<CdrError>,
        accepted: &mut usize,
        extra: Option<BufferedRow>,
    ) {
        let Phase::Sniffing(mut buffer) = std::mem::replace(&mut state.phase, Phase::Done) else {
            return;
        };
        let data_len = buffer.len();
        buffer.extend(extra);
        let tz = self.opts.default_tz;
        match plan(&buffer, &state.info, mapping, &self.opts.vocabulary, tz) {
            Ok(p) => {
                tracing::info!(layout = p.kind.name(), header_row = ?p.header_row, "layout decided");
                *accepted += 1;
                state.file_idx = Some(self.add_file(&state.info, &p));
                let data_from = p.data_from;
                state.phase = Phase::Reading(Box::new(p));
                for (row, cells) in buffer.iter().take(data_len).skip(data_from) {
                    self.data_row(state, *row, RowView::Owned(cells));
                }
            }
            Err(e) => {
                tracing::info!("source rejected: {e}");
                rejections.push(e);
            }
        }
    }

    /// Reads a file on the fast path; false when it does not apply or gave
    /// up (nothing is counted then). Records beyond the memory budget
    /// spill as the blocks come, so that one large file stays within it.
    ///
    /// Errors: a spill that cannot be written.
    fn read_fast(&mut self, path: &Path, mapping: Option<&Mapping>) -> Result<bool, CdrError> {
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        if size < self.scan.min_parallel_bytes {
            return Ok(false);
        }
        let Some(probe) = crate::fast::probe(path, self.opts, mapping) else {
            return Ok(false);
        };
        let file_idx = self.add_file(&probe.info, &probe.plan);
        let threads = self.scan.thread_count();
        let progress = self.scan.progress.as_deref();
        let blocks = (threads, self.scan.block_bytes);
        // Where the spill stood before this file's first records went to
        // it, to go back to if the fast path gives up on the file.
        let mut mark = None;
        let mut failed = None;
        let bytes_seen = self.bytes_seen;
        let (spill, held) = (&mut self.spill, &mut self.tally);
        let mut sink = |file: &mut Tally| -> bool {
            let Some(spill) = spill.as_mut() else {
                return true;
            };
            if !spill.due(held.records.len() + file.records.len()) {
                return true;
            }
            // Earlier files' records first: they stay on disk whatever
            // becomes of this file.
            let done = spill.spill(&mut held.records, bytes_seen).and_then(|()| {
                if mark.is_none() {
                    mark = Some(spill.mark());
                }
                file.number_agents_as(held);
                spill.spill(&mut file.records, bytes_seen)
            });
            match done {
                Ok(()) => true,
                Err(e) => {
                    failed = Some(e);
                    false
                }
            }
        };
        let read = crate::fast::read(&probe, self.opts, file_idx, blocks, (progress, &mut sink));
        if let Some(e) = failed {
            return Err(e);
        }
        match read {
            Some(tally) => {
                tracing::info!(layout = probe.plan.kind.name(), "read in parallel blocks");
                self.tally.absorb(tally);
                Ok(true)
            }
            None => {
                tracing::info!("parallel reading gave up; reading row by row");
                if let (Some(spill), Some(mark)) = (self.spill.as_mut(), mark) {
                    spill.rewind(&mark)?;
                }
                self.side.stats.files.pop();
                self.side.signals.pop();
                self.billed_units.pop();
                Ok(false)
            }
        }
    }

    fn add_file(&mut self, info: &SourceInfo, plan: &Plan) -> u32 {
        self.side.stats.files.push(FileInfo {
            path: info.file.clone(),
            sheet: info.sheet.clone(),
            layout: plan.kind.name().to_string(),
            format: info.format.name().to_string(),
            encoding: info.encoding.map(|e| e.name().to_string()),
            delimiter: info.delimiter.map(|d| match d {
                b'\t' => "\\t".to_string(),
                other => (other as char).to_string(),
            }),
            header_row: plan.header_row,
            rows: 0,
            tz_secs: plan.tz.local_minus_utc(),
            invalid_bytes: 0,
            columns: Role::all()
                .filter_map(|r| {
                    let col = plan.col(r)?;
                    let name = plan.name(r).unwrap_or_default();
                    Some((r.name().to_string(), format!("{name} (#{})", col + 1)))
                })
                .collect(),
            billed_unit_inferred: false,
            billed_durations: 0,
            billed_plain_as_seconds: 0,
        });
        self.side.signals.push(FileSignals::default());
        self.billed_units.push(ColumnUnit::of(plan));
        self.side.stats.has_outcome_column |= plan.has(Role::Outcome);
        (self.side.stats.files.len() - 1) as u32
    }

    fn on_problem(
        &mut self,
        state: &mut SourceState,
        mapping: Option<&Mapping>,
        p: &nianshen_table::RowProblem,
        rejections: &mut Vec<CdrError>,
        accepted: &mut usize,
    ) {
        if matches!(state.phase, Phase::Sniffing(_)) {
            // The shape of a cut-off record still shows the layout.
            let extra = (p.row, csv_cells(&p.text));
            self.decide_with(state, mapping, rejections, accepted, Some(extra));
        }
        if let Some(file_idx) = state.file_idx {
            let u = row::Unreadable {
                column: None,
                value: p.text.chars().take(80).collect(),
                zh: p.kind.zh(),
                en: p.kind.en(),
            };
            let at = Origin {
                file_idx,
                path: &p.file,
                sheet: &p.sheet,
                unmask: self.opts.unmask,
            };
            self.tally.unreadable(at, p.row, &u);
        }
    }

    fn end_source(
        &mut self,
        mut state: SourceState,
        mapping: Option<&Mapping>,
        rejections: &mut Vec<CdrError>,
        accepted: &mut usize,
        invalid_bytes: u64,
    ) {
        if matches!(state.phase, Phase::Sniffing(_)) {
            self.decide(&mut state, mapping, rejections, accepted);
        }
        if let Some(f) = state
            .file_idx
            .and_then(|i| self.side.stats.files.get_mut(i as usize))
        {
            f.invalid_bytes += invalid_bytes;
        }
    }
}

/// Splits a problem row's text back into cells (it was joined by commas).
fn csv_cells(text: &str) -> Vec<nianshen_table::Cell> {
    text.split(',')
        .map(|t| nianshen_table::Cell::Text(t.to_string()))
        .collect()
}

impl SideBuilder<'_> {
    /// Reads a data row once the layout is known.
    fn data_row(&mut self, state: &mut SourceState, row: u64, cells: RowView<'_>) {
        let (Phase::Reading(plan), Some(file_idx)) = (&state.phase, state.file_idx) else {
            return;
        };
        if cells.is_blank() {
            return;
        }
        if self.is_total_row(cells) {
            self.check_totals(state, row, cells);
            state.after_total = true;
            state.sums_since_total.clear();
            return;
        }
        let plan: &Plan = plan;
        let mut ctx = RowCtx {
            plan,
            vocab: &self.opts.vocabulary,
            signals: &mut self.side.signals[file_idx as usize],
            unmask: self.opts.unmask,
            now: self.now,
        };
        match row::parse(cells, row, &mut ctx) {
            Ok(parsed) => {
                for (role, col) in SUMMED_ROLES
                    .into_iter()
                    .filter_map(|r| Some((r, plan.col(r)?)))
                {
                    if let Some(v) = parse_summable(role, cells.get(col)) {
                        *state.sums.entry(col).or_default() += v;
                        *state.sums_since_total.entry(col).or_default() += v;
                    }
                }
                if plan.kind == LayoutKind::FreeSwitch {
                    self.pending_fs.push((file_idx, parsed));
                } else {
                    let at = origin(&self.side, file_idx, self.opts.unmask);
                    self.tally.apply(at, parsed);
                }
            }
            // Below a total row: a note, not a call.
            Err(_) if state.after_total => {}
            Err(u) => {
                let at = Origin {
                    file_idx,
                    path: &state.info.file,
                    sheet: &state.info.sheet,
                    unmask: self.opts.unmask,
                };
                self.tally.unreadable(at, row, &u);
            }
        }
    }

    fn is_total_row(&self, cells: RowView<'_>) -> bool {
        cells
            .iter()
            .filter(|c| !c.is_blank())
            .take(2)
            .any(|c| matches!(c, CellRef::Text(t) if self.opts.vocabulary.is_total(t)))
    }

    fn check_totals(&mut self, state: &SourceState, row: u64, cells: RowView<'_>) {
        let Phase::Reading(plan) = &state.phase else {
            return;
        };
        for role in SUMMED_ROLES {
            let Some(col) = plan.col(role) else {
                continue;
            };
            let Some(stated) = parse_summable(role, cells.get(col)) else {
                continue;
            };
            // Sums of amounts in cents carry float noise; 6 decimals are plenty.
            let sum = |sums: &HashMap<usize, f64>| {
                (sums.get(&col).copied().unwrap_or(0.0) * 1e6).round() / 1e6
            };
            // A subtotal adds up the rows since the last total, a grand
            // total every row.
            let (since, all) = (sum(&state.sums_since_total), sum(&state.sums));
            let summed = if (stated - since).abs() < 0.005 || (stated - all).abs() >= 0.005 {
                since
            } else {
                all
            };
            self.side.stats.total_rows.push(TotalRowCheck {
                file: state.info.file.clone(),
                row,
                column: plan.name(role).unwrap_or(role.name()).to_string(),
                stated,
                summed,
            });
        }
    }

    /// Drops FreeSWITCH B-legs (a row whose uuid another row names as its
    /// `bleg_uuid`) and per-account copies (a uuid seen before), then adds
    /// the rest.
    fn finish(mut self) -> Result<Side, CdrError> {
        let pending = std::mem::take(&mut self.pending_fs);
        let blegs: HashSet<String> = pending.iter().filter_map(|(_, p)| p.bleg.clone()).collect();
        let mut seen: HashSet<String> = HashSet::new();
        for (file_idx, p) in pending {
            if let Some(id) = &p.call_id {
                if blegs.contains(id) || !seen.insert(id.clone()) {
                    self.side.stats.duplicates_removed += 1;
                    continue;
                }
            }
            let at = origin(&self.side, file_idx, self.opts.unmask);
            self.tally.apply(at, p);
        }
        let tally = std::mem::take(&mut self.tally);
        tally.fill(&mut self.side.stats, &self.billed_units);
        self.side.records = tally.records;
        if let Some(spill) = self.spill.take() {
            self.side.spilled = spill.finish(&mut self.side.records, self.bytes_seen)?;
        }
        if !self.side.is_spilled() {
            crate::matching::sort_records(&mut self.side.records);
            note_repeats_across_files(&mut self.side);
        }
        if tally.numbers.clashes > 0 {
            tracing::warn!(
                clashes = tally.numbers.clashes,
                "different non-digit numbers share a key"
            );
        }
        self.side.numbers = tally.numbers.values;
        self.side.agents = tally.agents;
        tracing::info!(
            rows = self.side.stats.rows,
            answered = self.side.stats.answered,
            unusable = self.side.stats.unusable_rows,
            unreadable = self.side.stats.unreadable_rows,
            spilled = self.side.is_spilled(),
            "side read"
        );
        Ok(self.side)
    }
}

/// The place of a file's rows, for bad-row samples.
fn origin(side: &Side, file_idx: u32, unmask: bool) -> Origin<'_> {
    const NO_SHEET: &Option<String> = &None;
    let file = side.stats.files.get(file_idx as usize);
    Origin {
        file_idx,
        path: file.map_or(Path::new(""), |f| f.path.as_path()),
        sheet: file.map_or(NO_SHEET, |f| &f.sheet),
        unmask,
    }
}

/// Returns whether two files hold the same bytes, compared block by block.
pub fn same_content(a: &Path, b: &Path) -> bool {
    let (Ok(fa), Ok(fb)) = (std::fs::File::open(a), std::fs::File::open(b)) else {
        return false;
    };
    let (mut ra, mut rb) = (std::io::BufReader::new(fa), std::io::BufReader::new(fb));
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let (Ok(na), Ok(nb)) = (read_full(&mut ra, &mut ba), read_full(&mut rb, &mut bb)) else {
            return false;
        };
        if na != nb || ba[..na] != bb[..nb] {
            return false;
        }
        if na == 0 {
            return true;
        }
    }
}

/// Fills `buf` as far as the reader allows; returns the bytes read.
fn read_full(reader: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Counts records that another file of the side has too: the same caller,
/// callee, start second and talk time, as when two exports overlap. The
/// records are in matching order, so such copies lie next to each other.
/// NOTE: a side that spilled to disk is not checked.
fn note_repeats_across_files(side: &mut Side) {
    let stats = &mut side.stats;
    for pair in side.records.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let same =
            (a.caller, a.callee, a.time, a.talk_secs) == (b.caller, b.callee, b.time, b.talk_secs);
        if !same || a.file == b.file {
            continue;
        }
        stats.repeated_across_files += 1;
        if stats.repeated_across_files_first.is_none() {
            stats.repeated_across_files_first = Some((
                u32::from(a.file),
                u64::from(a.row),
                u32::from(b.file),
                u64::from(b.row),
            ));
        }
    }
}
