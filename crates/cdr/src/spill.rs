//! A memory budget for the call-record engine, and the partitions on disk
//! that records spill into when they outgrow it.
//!
//! The two sides of a reconciliation keep their usable answered records in
//! memory (40 bytes each) while together they fit a pool of seven eighths
//! of the budget ([`MemoryBudget::pool_records`]). The side that fills the
//! pool (the larger one by the bytes of its files, when it can make room)
//! writes its records, partitioned by a hash of the key (caller, callee),
//! to files in a private temporary folder, and reads on. Both sides use the
//! same hash and partition count, so records that can match each other
//! always lie in the same partition: [`reconcile`] loads one partition of
//! each side at a time, sorts and matches it with the rule of the
//! in-memory path and folds the figures, which come out the same. The
//! records behind the lists of `--out` go to sorted runs on disk, merged
//! when the lists are written.
//!
//! The folder (0700 on Unix) is removed when the last side, reconciliation
//! or budget using it is dropped, also when the run fails; a process killed
//! outright leaves it behind in the temporary folder.
//!
//! NOTE: the budget is checked after every row on the row-by-row path and
//! after every block on the fast path. So a side can overshoot it by a
//! block's records, and the smaller side by what the larger one reads
//! before it next checks. The per-caller sums of `--out` (one entry per
//! distinct calling number) also stay in memory.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::cache::{decode, encode, RECORD_BYTES};
use crate::error::CdrError;
use crate::model::Record;

mod recon;
mod runs;

pub(crate) use recon::{reconcile, Gathered};
pub(crate) use runs::Runs;

/// Bytes of a record in memory.
const RECORD_SIZE: u64 = std::mem::size_of::<Record>() as u64;

/// Minimum and maximum partitions of a spill. The maximum bounds the files
/// open at once while a side is written or a list merged.
const MIN_PARTS: u32 = 16;
const MAX_PARTS: u32 = 256;

/// The default budget takes this fraction (1/n) of physical memory ...
const DEFAULT_SHARE: u64 = 4;
/// ... at least this much ...
const DEFAULT_FLOOR: u64 = 512 << 20;
/// ... and at most this much, so that a large shared server is not taken
/// over by one run.
const DEFAULT_CAP: u64 = 4 << 30;
/// The default where physical memory cannot be read.
const DEFAULT_UNKNOWN: u64 = 2 << 30;

/// Buffer of each sorted run being written.
const WRITE_BUFFER: usize = 64 << 10;
/// Buffer of each sorted run being merged.
const MERGE_BUFFER: usize = 32 << 10;
/// Records decoded at a time when a partition is loaded.
const LOAD_CHUNK: usize = 1 << 14;

/// Parses a memory size: a number (decimals allowed) with an optional unit
/// `B`, `K`, `M`, `G` or `T`, also written `KB`/`KiB` and so on, in any
/// case, each 1024 times the one before: `2G`, `512M`, `1500MiB`, `1.5g`.
/// Returns the bytes; `None` for anything else, for 0 and for sizes beyond
/// 2^64 bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return None,
    };
    if !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let bytes = if number.contains('.') {
        let value: f64 = number.parse().ok()?;
        let bytes = (value * (1u64 << shift) as f64).floor();
        // `as` saturates; sizes this large are refused instead.
        (bytes < u64::MAX as f64).then_some(bytes as u64)?
    } else {
        number.parse::<u64>().ok()?.checked_mul(1 << shift)?
    };
    (bytes > 0).then_some(bytes)
}

/// Returns the default memory budget: a quarter of physical memory (the smaller of
/// the machine's and, on Linux, the control group's limit), at least
/// 512 MiB and at most 4 GiB; 2 GiB where memory cannot be read.
pub fn default_memory_limit() -> u64 {
    match physical_memory() {
        Some(total) => (total / DEFAULT_SHARE).clamp(DEFAULT_FLOOR, DEFAULT_CAP),
        None => DEFAULT_UNKNOWN,
    }
}

#[cfg(target_os = "linux")]
fn physical_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let total = kib.checked_mul(1024)?;
    // A container's limit, when one is set ("max" otherwise).
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok());
    Some(cgroup.map_or(total, |c| c.min(total)))
}

#[cfg(not(target_os = "linux"))]
fn physical_memory() -> Option<u64> {
    None
}

/// How much memory the records of a reconciliation may take, and the spill
/// folder shared by its two sides once either outgrows it. Read both sides
/// with clones of one budget, so that their partitions correspond.
#[derive(Clone, Debug)]
pub struct MemoryBudget {
    limit: u64,
    area: Arc<Mutex<Option<Arc<SpillDir>>>>,
    /// The sides reading under the budget, in the order they started.
    sides: Arc<Mutex<Vec<Share>>>,
}

/// One side's part of a budget.
#[derive(Clone, Debug)]
struct Share {
    /// Bytes of the side's files.
    bytes: u64,
    /// Records the side keeps in memory, as last reported.
    held: Arc<AtomicUsize>,
    /// Set by the smaller side of two when the pool is full, so that this
    /// side spills at its next check.
    spill_requested: Arc<AtomicBool>,
    /// Set when the side has read all its files, after which it checks no
    /// more.
    finished: Arc<AtomicBool>,
}

impl MemoryBudget {
    /// Creates a budget of `limit_bytes` (at least 1).
    pub fn new(limit_bytes: u64) -> Self {
        MemoryBudget {
            limit: limit_bytes.max(1),
            area: Arc::default(),
            sides: Arc::default(),
        }
    }

    /// Creates a budget of [`default_memory_limit`].
    pub fn from_machine() -> Self {
        MemoryBudget::new(default_memory_limit())
    }

    /// Returns the limit in bytes.
    pub fn limit_bytes(&self) -> u64 {
        self.limit
    }

    /// Returns the records both sides together may keep in memory: seven
    /// eighths of the limit. The last eighth covers the reader's buffers and
    /// the matched pairs, 8 bytes each.
    pub fn pool_records(&self) -> usize {
        usize::try_from(self.limit / 8 * 7 / RECORD_SIZE)
            .unwrap_or(usize::MAX)
            .max(1)
    }

    /// Counts `records` of a side loaded whole from elsewhere (the cache)
    /// against the pool, so that a side read meanwhile spills in time.
    pub fn hold_loaded(&self, records: usize) {
        let (_, share) = self.join(0);
        share.held.store(records, Ordering::Relaxed);
        share.finished.store(true, Ordering::Relaxed);
    }

    /// Notes a side that starts reading files of `bytes`; returns its
    /// place among the sides and its share.
    fn join(&self, bytes: u64) -> (usize, Share) {
        let share = Share {
            bytes,
            held: Arc::default(),
            spill_requested: Arc::default(),
            finished: Arc::default(),
        };
        match self.sides.lock() {
            Ok(mut sides) => {
                sides.push(share.clone());
                (sides.len() - 1, share)
            }
            Err(_) => (usize::MAX, share),
        }
    }

    /// Returns the records that the sides other than `place` keep, and
    /// the largest of them that has more bytes of files than `bytes` (or
    /// as many, and started first).
    fn others(&self, place: usize, bytes: u64) -> (usize, Option<Share>) {
        let Ok(sides) = self.sides.lock() else {
            return (0, None);
        };
        let mut held = 0;
        let mut larger: Option<&Share> = None;
        for (i, side) in sides.iter().enumerate() {
            if i == place {
                continue;
            }
            held += side.held.load(Ordering::Relaxed);
            let is_larger = side.bytes > bytes || (side.bytes == bytes && i < place);
            if is_larger && larger.is_none_or(|l| l.bytes < side.bytes) {
                larger = Some(side);
            }
        }
        (held, larger.cloned())
    }

    /// Returns the spill folder, which the first side that spills creates
    /// with `parts()` partitions.
    fn area(&self, parts: impl FnOnce() -> u32) -> io::Result<Arc<SpillDir>> {
        let mut slot = self
            .area
            .lock()
            .map_err(|_| io::Error::other("spill folder lock poisoned"))?;
        if let Some(area) = slot.as_ref() {
            return Ok(Arc::clone(area));
        }
        let area = Arc::new(SpillDir::create(parts())?);
        *slot = Some(Arc::clone(&area));
        Ok(area)
    }
}

/// Folders of this process that hold call records, which are personal
/// information: spill folders and the staging folders of `--out`. An
/// interrupted run removes them.
static OPEN_DIRS: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Held while finished lists move from a staging folder into the output
/// folder, so that an interrupt waits until the new set is complete there.
pub(crate) static PUBLISHING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Set when an interrupt starts removing the folders.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Set when the interrupt has removed them.
static REMOVED: AtomicBool = AtomicBool::new(false);

/// Creates a folder with `create` and registers the path that `path`
/// returns for [`remove_temp_folders`]. The registry stays locked
/// meanwhile, so that an interrupt cannot come between the two and miss
/// the folder.
pub(crate) fn create_tracked<T>(
    create: impl FnOnce() -> io::Result<T>,
    path: impl FnOnce(&T) -> PathBuf,
) -> io::Result<T> {
    let mut open = OPEN_DIRS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let made = create()?;
    open.push(path(&made));
    Ok(made)
}

/// Takes a folder off the ones [`remove_temp_folders`] removes, once it is
/// gone or kept on purpose.
pub(crate) fn untrack_folder(dir: &Path) {
    if let Ok(mut open) = OPEN_DIRS.lock() {
        open.retain(|d| d != dir);
    }
}

/// Removes every spill and `--out` staging folder of this process, after
/// waiting for finished lists that are being moved into an output folder.
/// Meant for a signal handler that ends the process, because dropped
/// folders are removed anyway.
pub fn remove_temp_folders() {
    INTERRUPTED.store(true, Ordering::SeqCst);
    let _publishing = PUBLISHING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dirs = match OPEN_DIRS.lock() {
        Ok(mut open) => std::mem::take(&mut *open),
        Err(_) => Vec::new(),
    };
    for dir in dirs {
        remove_folder_in_use(&dir);
    }
    REMOVED.store(true, Ordering::SeqCst);
}

/// Returns whether an interrupt has removed the folders of
/// [`remove_temp_folders`], waiting at most ten seconds for a removal under
/// way. A command that failed meanwhile most likely failed because its
/// folders went away. The caller should then not report that failure and
/// should leave ending the process to the interrupt handler.
pub fn interrupt_removed_folders() -> bool {
    if !INTERRUPTED.load(Ordering::SeqCst) {
        return false;
    }
    for _ in 0..1000 {
        if REMOVED.load(Ordering::SeqCst) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    true
}

/// Removes a folder that other threads may still be adding files to. It is
/// renamed first, so a file created by its old path afterwards fails.
/// Otherwise such a file could land in the folder while it is emptied,
/// stop the removal and leave call records behind.
fn remove_folder_in_use(dir: &Path) {
    /// Attempts to remove the renamed folder, 10 ms apart.
    const TRIES: u32 = 20;

    let mut aside = dir.as_os_str().to_owned();
    aside.push(".removed");
    let aside = PathBuf::from(aside);
    let target = match std::fs::rename(dir, &aside) {
        Ok(()) => aside,
        Err(_) => dir.to_path_buf(),
    };
    // A file whose creation began before the rename can still appear in
    // the folder after the removal listed it, so the removal is repeated.
    for attempt in 1..=TRIES {
        match std::fs::remove_dir_all(&target) {
            Ok(()) => return,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return,
            Err(e) if attempt == TRIES => {
                tracing::debug!(dir = %target.display(), error = %e, "folder not removed");
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
        }
    }
}

/// The private temporary folder of a spill and its partition count.
#[derive(Debug)]
pub(crate) struct SpillDir {
    dir: tempfile::TempDir,
    parts: u32,
    next_file: AtomicU32,
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        untrack_folder(self.dir.path());
    }
}

impl SpillDir {
    fn create(parts: u32) -> io::Result<SpillDir> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("nianshen-spill-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = create_tracked(|| builder.tempdir(), |d| d.path().to_path_buf())?;
        tracing::info!(dir = %dir.path().display(), parts, "records spill to disk");
        Ok(SpillDir {
            dir,
            parts,
            next_file: AtomicU32::new(0),
        })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Returns a new file path in the folder.
    fn new_file(&self, stem: &str) -> PathBuf {
        let n = self.next_file.fetch_add(1, Ordering::Relaxed);
        self.dir.path().join(format!("{stem}-{n}.bin"))
    }

    fn error(&self, source: io::Error) -> CdrError {
        CdrError::Spill {
            dir: self.path().to_path_buf(),
            source,
        }
    }
}

/// Returns the partition of a record among `parts`: a mix of both numbers of the
/// key, so that neither a few busy callers nor a few callees crowd one
/// partition.
fn part_of(r: &Record, parts: u32) -> usize {
    let mut h = r.caller ^ r.callee.rotate_left(29).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h = (h ^ (h >> 32)).wrapping_mul(0xd6e8_feb8_6659_fd93);
    h ^= h >> 32;
    ((h >> 32).wrapping_mul(u64::from(parts)) >> 32) as usize
}

/// Returns the partitions for sides of about `side_records` records each: one
/// partition of both sides takes at most an eighth of the limit even when
/// the estimate is low by half.
fn parts_for(limit: u64, side_records: u64) -> u32 {
    let both = side_records.saturating_mul(2 * RECORD_SIZE);
    let parts = both.div_ceil((limit / 16).max(1));
    u32::try_from(parts)
        .unwrap_or(MAX_PARTS)
        .clamp(MIN_PARTS, MAX_PARTS)
}

/// Returns the bytes of a side's files, for the estimate of its records.
fn bytes_of(paths: &[PathBuf]) -> u64 {
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    paths
        .iter()
        .map(|p| {
            if p.is_dir() {
                crate::read::walk(p).map_or(0, |files| files.iter().map(|f| size(f)).sum())
            } else {
                size(p)
            }
        })
        .sum()
}

/// The record count of each partition of a side at one moment, to cut
/// the partitions back to.
pub(crate) struct SpillMark {
    /// Records per partition; `None` before the partitions were made.
    counts: Option<Vec<u64>>,
    times: Option<(u32, u32)>,
}

/// A side's spill while it is read.
pub(crate) struct SideSpill {
    budget: MemoryBudget,
    /// Bytes of the side's files.
    input_bytes: u64,
    /// The side's place among the budget's sides.
    place: usize,
    share: Share,
    out: Option<PartWriters>,
    /// The maximum number of records written at once, which is about the
    /// maximum that reading kept in memory.
    largest_batch: usize,
}

impl SideSpill {
    /// Creates the spill of a side read from `paths` under `budget`.
    pub(crate) fn new(budget: MemoryBudget, paths: &[PathBuf]) -> Self {
        let input_bytes = bytes_of(paths);
        let (place, share) = budget.join(input_bytes);
        SideSpill {
            place,
            share,
            budget,
            input_bytes,
            out: None,
            largest_batch: 0,
        }
    }

    /// Notes that the side keeps `held` records and returns whether they
    /// are to be spilled now.
    ///
    /// The sides share a pool ([`MemoryBudget::pool_records`]), and the
    /// side that fills it spills. The exception is the smaller of two sides
    /// by the bytes of their files, such as a carrier's bill beside a PBX's
    /// export. When the larger side keeps an eighth of the pool or more
    /// and has not finished, it is asked to spill at its next check, and
    /// the smaller side keeps its records. At 10⁸ calls both sides fit.
    /// Beyond that the bill stays in memory while the export goes to disk
    /// and back.
    pub(crate) fn due(&mut self, held: usize) -> bool {
        self.share.held.store(held, Ordering::Relaxed);
        let requested = &self.share.spill_requested;
        if held > 0 && requested.load(Ordering::Relaxed) && requested.swap(false, Ordering::Relaxed)
        {
            return true;
        }
        let pool = self.budget.pool_records();
        // Below a quarter of the pool a side leaves the check to the other.
        if held < pool / 4 {
            return false;
        }
        let (others, larger) = self.budget.others(self.place, self.input_bytes);
        if held.saturating_add(others) < pool {
            return false;
        }
        match larger {
            Some(larger)
                if !larger.finished.load(Ordering::Relaxed)
                    && larger.held.load(Ordering::Relaxed) >= pool / 8 =>
            {
                larger.spill_requested.store(true, Ordering::Relaxed);
                false
            }
            _ => true,
        }
    }

    /// Writes `records` to the partitions and empties it (freeing its
    /// memory). `bytes_seen` of the side's files have been started, for
    /// the estimate of the partitions needed.
    pub(crate) fn spill(
        &mut self,
        records: &mut Vec<Record>,
        bytes_seen: u64,
    ) -> Result<(), CdrError> {
        if records.is_empty() {
            return Ok(());
        }
        if self.out.is_none() {
            let estimate = estimate_records(records.len(), self.input_bytes, bytes_seen);
            let limit = self.budget.limit;
            let area = self
                .budget
                .area(|| parts_for(limit, estimate))
                .map_err(|source| CdrError::Spill {
                    dir: std::env::temp_dir(),
                    source,
                })?;
            self.out = Some(PartWriters::new(area));
        }
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        let _span = tracing::info_span!("spill", records = records.len()).entered();
        self.largest_batch = self.largest_batch.max(records.len());
        out.write(records).map_err(|e| out.area.error(e))?;
        *records = Vec::new();
        self.share.held.store(0, Ordering::Relaxed);
        Ok(())
    }

    /// Returns where the partitions end now, for [`SideSpill::rewind`].
    pub(crate) fn mark(&self) -> SpillMark {
        SpillMark {
            counts: self.out.as_ref().map(|o| o.counts.clone()),
            times: self.out.as_ref().and_then(|o| o.times),
        }
    }

    /// Cuts the partitions back to where they ended at `mark`: the
    /// records of a file the fast path gave up on, which the general
    /// reader reads again.
    ///
    /// Errors: a partition file that cannot be cut.
    pub(crate) fn rewind(&mut self, mark: &SpillMark) -> Result<(), CdrError> {
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        let counts = mark
            .counts
            .clone()
            .unwrap_or_else(|| vec![0; out.counts.len()]);
        out.rewind(counts, mark.times)
            .map_err(|e| out.area.error(e))
    }

    /// Ends the side: when it has spilled, the rest of `records` follows
    /// the others to disk and the partitions are returned.
    pub(crate) fn finish(
        mut self,
        records: &mut Vec<Record>,
        bytes_seen: u64,
    ) -> Result<Option<Spilled>, CdrError> {
        let due = self.due(records.len());
        self.share.finished.store(true, Ordering::Relaxed);
        if self.out.is_none() && !due {
            return Ok(None);
        }
        self.spill(records, bytes_seen)?;
        let Some(out) = self.out else {
            return Ok(None);
        };
        tracing::info!(largest_batch = self.largest_batch, "side spilled");
        let mut spilled = out.close();
        spilled.largest_batch = self.largest_batch;
        Ok(Some(spilled))
    }
}

/// Estimates the records a side will have from those read so far and the
/// share of its files started.
fn estimate_records(held: usize, input_bytes: u64, bytes_seen: u64) -> u64 {
    let held = held as u64;
    if bytes_seen == 0 || input_bytes <= bytes_seen {
        return held;
    }
    let scaled = held as f64 * input_bytes as f64 / bytes_seen as f64;
    (scaled as u64).max(held)
}

/// The partition files of a side, each opened on its first record.
struct PartWriters {
    area: Arc<SpillDir>,
    paths: Vec<PathBuf>,
    files: Vec<Mutex<Option<File>>>,
    counts: Vec<u64>,
    times: Option<(u32, u32)>,
}

/// Records per chunk that one thread sorts into partitions and writes.
const WRITE_CHUNK: usize = 1 << 16;

impl PartWriters {
    fn new(area: Arc<SpillDir>) -> Self {
        let parts = area.parts as usize;
        let paths = (0..parts).map(|_| area.new_file("part")).collect();
        PartWriters {
            area,
            paths,
            files: (0..parts).map(|_| Mutex::new(None)).collect(),
            counts: vec![0; parts],
            times: None,
        }
    }

    /// Appends records to their partitions, a chunk per thread: each chunk
    /// is encoded partition by partition, then every partition's bytes go
    /// to its file in one write. Records land in a partition in no fixed
    /// order, and each partition is sorted when it is loaded.
    fn write(&mut self, records: &[Record]) -> io::Result<()> {
        use rayon::prelude::*;
        let (parts, files, paths) = (self.area.parts, &self.files, &self.paths);
        let chunks: Vec<(Vec<u64>, (u32, u32))> = records
            .par_chunks(WRITE_CHUNK)
            .map(|chunk| write_chunk(chunk, parts, files, paths))
            .collect::<io::Result<_>>()?;
        for (counts, (lo, hi)) in chunks {
            for (total, n) in self.counts.iter_mut().zip(counts) {
                *total += n;
            }
            self.times = Some(match self.times {
                Some((a, b)) => (a.min(lo), b.max(hi)),
                None => (lo, hi),
            });
        }
        Ok(())
    }

    /// Cuts each partition back to `counts` records.
    fn rewind(&mut self, counts: Vec<u64>, times: Option<(u32, u32)>) -> io::Result<()> {
        use std::io::{Seek, SeekFrom};
        for (slot, count) in self.files.iter().zip(&counts) {
            let mut slot = slot
                .lock()
                .map_err(|_| io::Error::other("spill file lock poisoned"))?;
            if let Some(file) = slot.as_mut() {
                let len = count * RECORD_BYTES as u64;
                file.set_len(len)?;
                file.seek(SeekFrom::Start(len))?;
            }
        }
        self.counts = counts;
        self.times = times;
        Ok(())
    }

    fn close(self) -> Spilled {
        Spilled {
            parts: self.paths.into_iter().zip(self.counts).collect(),
            times: self.times,
            area: self.area,
            largest_batch: 0,
        }
    }
}

/// Writes one chunk of records to the partition files; returns the records
/// per partition and the earliest and latest time of the chunk.
fn write_chunk(
    chunk: &[Record],
    parts: u32,
    files: &[Mutex<Option<File>>],
    paths: &[PathBuf],
) -> io::Result<(Vec<u64>, (u32, u32))> {
    let share = chunk.len() * RECORD_BYTES / parts as usize + RECORD_BYTES;
    let mut buckets: Vec<Vec<u8>> = (0..parts).map(|_| Vec::with_capacity(share)).collect();
    let (mut lo, mut hi) = (u32::MAX, 0);
    for r in chunk {
        let bucket = &mut buckets[part_of(r, parts)];
        let at = bucket.len();
        bucket.resize(at + RECORD_BYTES, 0);
        encode(r, &mut bucket[at..]);
        lo = lo.min(r.time);
        hi = hi.max(r.time);
    }

    let mut counts = vec![0u64; parts as usize];
    for (p, bytes) in buckets.iter().enumerate().filter(|(_, b)| !b.is_empty()) {
        let mut slot = files[p]
            .lock()
            .map_err(|_| io::Error::other("spill file lock poisoned"))?;
        let file = match &mut *slot {
            Some(file) => file,
            empty => empty.insert(File::create(&paths[p])?),
        };
        file.write_all(bytes)?;
        counts[p] = (bytes.len() / RECORD_BYTES) as u64;
    }
    Ok((counts, (lo, hi)))
}

/// A side's records on disk, partition by partition.
#[derive(Clone, Debug)]
pub(crate) struct Spilled {
    area: Arc<SpillDir>,
    /// Each partition's file and record count (no file when 0).
    parts: Vec<(PathBuf, u64)>,
    /// Earliest and latest record time.
    times: Option<(u32, u32)>,
    /// The maximum number of records written at once while the side was read.
    pub(crate) largest_batch: usize,
}

impl Spilled {
    /// Returns the number of partitions.
    #[cfg(test)]
    pub(crate) fn parts(&self) -> usize {
        self.parts.len()
    }

    /// Loads partition `p`.
    pub(crate) fn load(&self, p: usize) -> io::Result<Vec<Record>> {
        let Some((path, count)) = self.parts.get(p) else {
            return Ok(Vec::new());
        };
        let count = usize::try_from(*count).map_err(io::Error::other)?;
        if count == 0 {
            return Ok(Vec::new());
        }
        let mut file = File::open(path)?;
        let mut records = Vec::with_capacity(count);
        let mut buf = vec![0u8; RECORD_BYTES * LOAD_CHUNK];
        let mut left = count;
        while left > 0 {
            let n = left.min(LOAD_CHUNK);
            let bytes = &mut buf[..n * RECORD_BYTES];
            file.read_exact(bytes)?;
            records.extend(bytes.chunks_exact(RECORD_BYTES).map(decode));
            left -= n;
        }
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spill_sides_share_one_pool() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: usize| {
            let path = dir.path().join(name);
            std::fs::write(&path, vec![b'x'; bytes]).unwrap();
            vec![path]
        };
        let (pbx, bill) = (file("pbx.csv", 1000), file("bill.csv", 100));
        // 64,000 bytes: a pool of 1,400 records.
        let budget = MemoryBudget::new(64_000);
        assert_eq!(budget.pool_records(), 1400);
        let mut alone = SideSpill::new(budget.clone(), &pbx);
        assert!(!alone.due(1399));
        assert!(alone.due(1400), "one side alone spills at the pool");

        // The larger side fills the pool: it spills.
        let budget = MemoryBudget::new(64_000);
        let mut larger = SideSpill::new(budget.clone(), &pbx);
        let mut smaller = SideSpill::new(budget.clone(), &bill);
        assert!(!smaller.due(600));
        assert!(!larger.due(799));
        assert!(larger.due(800));

        // The smaller side fills it: the larger one spills at its next check.
        let budget = MemoryBudget::new(64_000);
        let mut larger = SideSpill::new(budget.clone(), &pbx);
        let mut smaller = SideSpill::new(budget.clone(), &bill);
        assert!(!larger.due(700));
        assert!(!smaller.due(700));
        assert!(larger.due(10), "asked to make room");
        assert!(!larger.due(20), "asked once");

        // A larger side that keeps too little to make room, or has
        // finished, leaves the spill to the smaller one.
        let budget = MemoryBudget::new(64_000);
        let mut larger = SideSpill::new(budget.clone(), &pbx);
        let mut smaller = SideSpill::new(budget.clone(), &bill);
        assert!(!larger.due(100));
        assert!(smaller.due(1300));
        let budget = MemoryBudget::new(64_000);
        let larger = SideSpill::new(budget.clone(), &pbx);
        let mut smaller = SideSpill::new(budget.clone(), &bill);
        let one = Record {
            caller: 1,
            callee: 2,
            time: 0,
            talk_secs: 1,
            billed_min: 1,
            file: 0,
            row: 1,
            agent: 0,
            no_seconds: false,
            billed_read: false,
        };
        let mut records = vec![one; 700];
        assert!(larger.finish(&mut records, 1000).unwrap().is_none());
        assert!(smaller.due(700));

        // A side loaded from the cache takes its part of the pool.
        let budget = MemoryBudget::new(64_000);
        budget.hold_loaded(700);
        let mut read = SideSpill::new(budget.clone(), &bill);
        assert!(!read.due(699));
        assert!(read.due(700));

        // Sides of the same size: the one that started first counts as the larger.
        let budget = MemoryBudget::new(64_000);
        let mut first = SideSpill::new(budget.clone(), &pbx);
        let mut second = SideSpill::new(budget.clone(), &pbx);
        assert!(!first.due(700));
        assert!(!second.due(700));
        assert!(first.due(700));
    }

    #[test]
    fn folder_being_written_is_removed_whole() {
        for round in 0..10 {
            let root = tempfile::tempdir().unwrap();
            let dir = root.path().join(format!("spill-{round}"));
            std::fs::create_dir(&dir).unwrap();
            let writer = {
                let dir = dir.clone();
                // Adds files by the folder's name, as the spill and the
                // lists do, until that fails or a second has passed.
                std::thread::spawn(move || {
                    let until = std::time::Instant::now() + std::time::Duration::from_secs(1);
                    let mut n = 0u32;
                    while std::time::Instant::now() < until {
                        if std::fs::write(dir.join(format!("part-{n}.bin")), b"records").is_err() {
                            break;
                        }
                        n += 1;
                    }
                })
            };
            // Let the writer get going.
            while std::fs::read_dir(&dir).unwrap().count() < 50 {
                std::thread::yield_now();
            }

            remove_folder_in_use(&dir);
            writer.join().unwrap();

            let left: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
            assert!(left.is_empty(), "round {round}: {left:?}");
        }
    }

    #[test]
    fn sizes_parse_in_powers_of_1024() {
        let cases = [
            ("2G", Some(2 << 30)),
            ("512M", Some(512 << 20)),
            ("1500MiB", Some(1500 << 20)),
            ("1.5g", Some(3 << 29)),
            (" 64 kb ", Some(64 << 10)),
            ("4096", Some(4096)),
            ("1T", Some(1 << 40)),
            ("0", None),
            ("0.0001K", None),
            ("", None),
            ("G", None),
            ("-1G", None),
            ("2X", None),
            ("1e9", None),
            ("1.2.3M", None),
            ("99999999999999999999", None),
            ("20000000000T", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_size(text), want, "{text:?}");
        }
    }

    #[test]
    fn default_limit_stays_within_its_bounds() {
        let limit = default_memory_limit();
        assert!((DEFAULT_FLOOR..=DEFAULT_CAP).contains(&limit), "{limit}");
    }

    #[test]
    fn partitions_spread_keys_and_follow_the_estimate() {
        let parts = 16;
        let mut counts = vec![0u32; parts as usize];
        for caller in 0..20u64 {
            for callee in 0..500u64 {
                let r = Record {
                    caller: 13_800_000_000 + caller,
                    callee: 18_900_000_000 + callee,
                    time: 0,
                    talk_secs: 0,
                    billed_min: 0,
                    file: 0,
                    row: 0,
                    agent: 0,
                    no_seconds: false,
                    billed_read: false,
                };
                counts[part_of(&r, parts)] += 1;
            }
        }
        // 10,000 keys over 16 partitions: 625 each on average.
        assert!(counts.iter().all(|n| (450..800).contains(n)), "{counts:?}");

        assert_eq!(parts_for(4 << 30, 45_000_000), MIN_PARTS);
        assert_eq!(parts_for(200 << 20, 4_500_000), 28);
        assert_eq!(parts_for(1 << 10, 1_000), MAX_PARTS);
        assert_eq!(estimate_records(100, 1000, 250), 400);
        assert_eq!(estimate_records(100, 1000, 0), 100);
    }
}
