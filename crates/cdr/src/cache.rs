//! A cache of normalised records, so that reconciling unchanged files again
//! skips reading them.
//!
//! It lives in the user's cache directory (`$XDG_CACHE_HOME/nianshen/records`,
//! else `~/.cache/nianshen/records`; `%LOCALAPPDATA%\nianshen\records` on
//! Windows), never beside the inputs. The folder is created readable by the
//! user only (0700) and every entry is a 0600 file written atomically.
//!
//! One entry contains one side read for matching (no tamper signals). Its key
//! covers: the cache format and reader version; every file of the side (after
//! expanding folders) by path, size, modification time and a hash of sampled
//! blocks (the first and last 64 KiB and 16 blocks of 4 KiB spread over the
//! file); the mapping, the glob mappings, the vocabulary, the default time
//! zone and whether numbers are unmasked. An edit that keeps a file's size,
//! modification time and every sampled block would go unnoticed; any usual
//! edit or copy changes the modification time. An entry is checked (format
//! marker, lengths, a checksum over its content) before it is used; one that
//! fails is ignored and written anew.

use std::fs::File;
use std::hash::Hasher;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::{Record, Side, SideStats};
use crate::read::ReadOptions;
use crate::tally::Fnv;

/// The entry format and reader version; changed whenever either changes
/// what an entry contains.
const FORMAT: &str = "nianshen-records-8";

/// Bytes of one record in an entry (and in a spilled partition).
pub(crate) const RECORD_BYTES: usize = 39;

/// Records encoded or decoded at a time.
const CHUNK: usize = 1 << 14;

/// The cache folder.
#[derive(Clone, Debug)]
pub struct RecordCache {
    dir: PathBuf,
}

/// The part of an entry besides the records.
#[derive(Serialize, Deserialize)]
struct Meta {
    stats: SideStats,
    /// Time-zone offset per file (not part of the figures' JSON).
    tz_secs: Vec<i32>,
    numbers: Vec<(u64, String)>,
    agents: Vec<String>,
    records: u64,
}

impl RecordCache {
    /// The cache in the user's cache directory, created when missing.
    /// `None` when no cache directory can be found or made.
    pub fn open_default() -> Option<RecordCache> {
        let dir = default_dir()?;
        RecordCache::open(dir)
    }

    /// A cache in `dir`, created (user-only) when missing.
    pub fn open(dir: PathBuf) -> Option<RecordCache> {
        create_private_dir(&dir).ok()?;
        Some(RecordCache { dir })
    }

    /// The folder of the cache.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Removes every entry; returns how many were removed.
    ///
    /// Errors: an entry that cannot be removed.
    pub fn clear(&self) -> std::io::Result<usize> {
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.dir)? {
            let path = entry?.path();
            if path.is_file() {
                std::fs::remove_file(&path)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The key of a side read from `paths` with `opts`; `None` when a file
    /// cannot be looked at (the reader then reports it).
    pub fn key(&self, paths: &[PathBuf], opts: &ReadOptions) -> Option<String> {
        let mut h = Fnv::default();
        h.write(FORMAT.as_bytes());
        h.write(env!("CARGO_PKG_VERSION").as_bytes());
        h.write(format!("{:?}", opts).as_bytes());
        for path in paths {
            let files = if path.is_dir() {
                crate::read::walk(path).ok()?
            } else {
                vec![path.clone()]
            };
            for f in files {
                file_fingerprint(&f, &mut h)?;
            }
        }
        Some(format!("{:016x}", h.finish()))
    }

    fn entry(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.side"))
    }

    /// The side stored under `key`, if there is a sound entry.
    pub fn load(&self, key: &str) -> Option<Side> {
        let path = self.entry(key);
        let file = File::open(&path).ok()?;
        match read_entry(file) {
            Some(side) => Some(side),
            None => {
                tracing::warn!(entry = %path.display(), "cache entry damaged; ignored");
                None
            }
        }
    }

    /// As [`RecordCache::load`], but only an entry of at most `max_records`
    /// records (judged by its size): a larger one would not fit the memory
    /// budget, and the side is read again instead.
    pub fn load_within(&self, key: &str, max_records: usize) -> Option<Side> {
        let size = std::fs::metadata(self.entry(key)).ok()?.len();
        if size / RECORD_BYTES as u64 > max_records as u64 {
            tracing::info!(entry = %key, "cache entry larger than the memory budget; not used");
            return None;
        }
        self.load(key)
    }

    /// Stores a side under `key`. Failures are logged, not returned: the
    /// cache only saves time.
    pub fn store(&self, key: &str, side: &Side) {
        if let Err(e) = self.try_store(key, side) {
            tracing::warn!("cache entry not written: {e}");
        }
    }

    fn try_store(&self, key: &str, side: &Side) -> std::io::Result<()> {
        if side.is_spilled() {
            // Its records are on disk, not in `side.records`; such a side
            // is read again next time rather than held in memory whole.
            tracing::info!("side spilled to disk; not cached");
            return Ok(());
        }
        let meta = Meta {
            stats: side.stats.clone(),
            tz_secs: side.stats.files.iter().map(|f| f.tz_secs).collect(),
            numbers: side.numbers.iter().map(|(k, v)| (*k, v.clone())).collect(),
            agents: side.agents.clone(),
            records: side.records.len() as u64,
        };
        let json = serde_json::to_vec(&meta).map_err(std::io::Error::other)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        {
            let mut w = Checked::new(BufWriter::with_capacity(1 << 20, tmp.as_file_mut()));
            w.inner.write_all(FORMAT.as_bytes())?;
            w.put(&(json.len() as u64).to_le_bytes())?;
            w.put(&json)?;
            let mut buf = vec![0u8; RECORD_BYTES * CHUNK];
            for chunk in side.records.chunks(CHUNK) {
                let bytes = &mut buf[..chunk.len() * RECORD_BYTES];
                for (r, out) in chunk.iter().zip(bytes.chunks_exact_mut(RECORD_BYTES)) {
                    encode(r, out);
                }
                w.put(bytes)?;
            }
            let sum = w.sum();
            w.inner.write_all(&sum.to_le_bytes())?;
            w.inner.flush()?;
        }
        tmp.persist(self.entry(key)).map_err(|e| e.error)?;
        Ok(())
    }
}

/// The user's cache folder for records.
fn default_dir() -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let base = if cfg!(windows) {
        env("LOCALAPPDATA").map(PathBuf::from)?
    } else if let Some(xdg) = env("XDG_CACHE_HOME") {
        PathBuf::from(xdg)
    } else {
        PathBuf::from(env("HOME")?).join(".cache")
    };
    Some(base.join("nianshen").join("records"))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Adds a file's path, size, modification time and sampled blocks.
fn file_fingerprint(path: &Path, h: &mut Fnv) -> Option<()> {
    const EDGE: u64 = 64 << 10;
    const SAMPLE: u64 = 4 << 10;
    let meta = std::fs::metadata(path).ok()?;
    let size = meta.len();
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    h.write(path.as_os_str().to_string_lossy().as_bytes());
    h.write(&size.to_le_bytes());
    h.write(&modified.as_nanos().to_le_bytes());
    let mut file = File::open(path).ok()?;
    let mut spots: Vec<(u64, u64)> = vec![(0, EDGE), (size.saturating_sub(EDGE), EDGE)];
    spots.extend((1..=16).map(|i| (size / 17 * i, SAMPLE)));
    let mut buf = Vec::new();
    for (at, len) in spots {
        buf.clear();
        std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(at.min(size))).ok()?;
        (&mut file).take(len).read_to_end(&mut buf).ok()?;
        h.write(&buf);
    }
    Some(())
}

pub(crate) fn encode(r: &Record, out: &mut [u8]) {
    out[0..8].copy_from_slice(&r.caller.to_le_bytes());
    out[8..16].copy_from_slice(&r.callee.to_le_bytes());
    out[16..20].copy_from_slice(&r.time.to_le_bytes());
    out[20..24].copy_from_slice(&r.talk_secs.to_le_bytes());
    out[24..28].copy_from_slice(&r.billed_min.to_le_bytes());
    out[28..30].copy_from_slice(&r.file.to_le_bytes());
    out[30..34].copy_from_slice(&r.row.to_le_bytes());
    out[34..38].copy_from_slice(&r.agent.to_le_bytes());
    // The two flags share the last byte.
    out[38] = u8::from(r.no_seconds) | u8::from(r.billed_read) << 1;
}

pub(crate) fn decode(b: &[u8]) -> Record {
    let u64_at = |i: usize| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[i..i + 8]);
        u64::from_le_bytes(a)
    };
    let u32_at = |i: usize| {
        let mut a = [0u8; 4];
        a.copy_from_slice(&b[i..i + 4]);
        u32::from_le_bytes(a)
    };
    Record {
        caller: u64_at(0),
        callee: u64_at(8),
        time: u32_at(16),
        talk_secs: u32_at(20),
        billed_min: u32_at(24),
        file: u16::from_le_bytes([b[28], b[29]]),
        row: u32_at(30),
        agent: u32_at(34),
        no_seconds: b[38] & 1 != 0,
        billed_read: b[38] & 2 != 0,
    }
}

/// Reads and checks an entry.
fn read_entry(file: File) -> Option<Side> {
    let size = file.metadata().ok()?.len();
    let mut r = Checked::new(BufReader::with_capacity(1 << 20, file));
    let mut marker = vec![0u8; FORMAT.len()];
    r.inner.read_exact(&mut marker).ok()?;
    if marker != FORMAT.as_bytes() {
        return None;
    }
    let mut len = [0u8; 8];
    r.get(&mut len)?;
    let json_len = u64::from_le_bytes(len);
    if json_len > size {
        return None;
    }
    let mut json = vec![0u8; json_len as usize];
    r.get(&mut json)?;
    let meta: Meta = serde_json::from_slice(&json).ok()?;
    let expected = FORMAT.len() as u64 + 8 + json_len + meta.records * RECORD_BYTES as u64 + 8;
    if expected != size {
        return None;
    }
    let mut records = Vec::with_capacity(meta.records as usize);
    let mut buf = vec![0u8; RECORD_BYTES * CHUNK];
    let mut left = meta.records as usize;
    while left > 0 {
        let n = left.min(CHUNK);
        let bytes = &mut buf[..n * RECORD_BYTES];
        r.get(bytes)?;
        records.extend(bytes.chunks_exact(RECORD_BYTES).map(decode));
        left -= n;
    }
    let sum = r.sum();
    let mut stored = [0u8; 8];
    r.inner.read_exact(&mut stored).ok()?;
    if u64::from_le_bytes(stored) != sum {
        return None;
    }
    let mut stats = meta.stats;
    for (f, tz) in stats.files.iter_mut().zip(meta.tz_secs) {
        f.tz_secs = tz;
    }
    let signals = vec![Default::default(); stats.files.len()];
    Some(Side {
        stats,
        records,
        numbers: meta.numbers.into_iter().collect(),
        agents: meta.agents,
        signals,
        spilled: None,
    })
}

/// A checksum over 8-byte words: a byte-wise hash would cost more than
/// reading the entry.
#[derive(Clone, Copy)]
struct WordSum(u64);

impl WordSum {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0 ^ u64::from_le_bytes(w))
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .rotate_left(29);
        }
    }
}

/// A reader or writer that sums what passes through it.
struct Checked<T> {
    inner: T,
    sum: WordSum,
}

impl<T> Checked<T> {
    fn new(inner: T) -> Self {
        Checked {
            inner,
            sum: WordSum(0x2545_f491_4f6c_dd1d),
        }
    }

    fn sum(&self) -> u64 {
        self.sum.0
    }
}

impl<T: Write> Checked<T> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.sum.write(bytes);
        self.inner.write_all(bytes)
    }
}

impl<T: Read> Checked<T> {
    fn get(&mut self, bytes: &mut [u8]) -> Option<()> {
        self.inner.read_exact(bytes).ok()?;
        self.sum.write(bytes);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side() -> Side {
        let mut side = Side::default();
        side.stats.rows = 3;
        side.stats.answered = 2;
        side.stats.agents.insert("A1".to_string());
        side.records = (0..3)
            .map(|i| Record {
                caller: 100 + i,
                callee: 200,
                time: 5 + i as u32,
                talk_secs: 7,
                billed_min: 1,
                file: 0,
                row: i as u32 + 2,
                agent: 1,
                no_seconds: i == 1,
                billed_read: i != 2,
            })
            .collect();
        side.numbers
            .insert(crate::numkey::INTERNED | 5, "client1".to_string());
        side.agents = vec!["A1".to_string()];
        side
    }

    #[test]
    fn entries_round_trip_and_damaged_ones_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = RecordCache::open(dir.path().join("records")).unwrap();
        let side = side();
        cache.store("k", &side);
        let back = cache.load("k").unwrap();
        assert_eq!(back.stats, side.stats);
        assert_eq!(back.records, side.records);
        assert_eq!(back.numbers, side.numbers);
        assert_eq!(back.agents, side.agents);

        let entry = cache.entry("k");
        let mut bytes = std::fs::read(&entry).unwrap();
        let last = bytes.len() - 20;
        bytes[last] ^= 1;
        std::fs::write(&entry, &bytes).unwrap();
        assert!(cache.load("k").is_none());
        bytes.truncate(bytes.len() / 2);
        std::fs::write(&entry, &bytes).unwrap();
        assert!(cache.load("k").is_none());

        cache.store("k", &side);
        assert!(cache.load("k").is_some());
        assert_eq!(cache.clear().unwrap(), 1);
        assert!(cache.load("k").is_none());
    }

    #[test]
    fn keys_follow_content_and_options() {
        let dir = tempfile::tempdir().unwrap();
        let cache = RecordCache::open(dir.path().join("records")).unwrap();
        let file = dir.path().join("a.csv");
        std::fs::write(&file, "a,b\n1,2\n").unwrap();
        let opts = ReadOptions::new(crate::vocab::tests::vocabulary());
        let paths = [file.clone()];
        let first = cache.key(&paths, &opts).unwrap();
        assert_eq!(cache.key(&paths, &opts), Some(first.clone()));
        let mut unmasked = opts.clone();
        unmasked.unmask = true;
        assert_ne!(cache.key(&paths, &unmasked), Some(first.clone()));
        std::fs::write(&file, "a,b\n1,3\n").unwrap();
        assert_ne!(cache.key(&paths, &opts), Some(first));
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = RecordCache::open(dir.path().join("x").join("records")).unwrap();
        let mode = std::fs::metadata(cache.dir()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
