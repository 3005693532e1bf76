//! The records behind the lists of `--out` in a spilled reconciliation:
//! one sorted run per partition in a file, merged when the lists are
//! written, so that no list is held in memory whole.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::{SpillDir, MERGE_BUFFER, WRITE_BUFFER};
use crate::cache::{decode, encode, RECORD_BYTES};
use crate::model::Record;

/// Returns where a record is listed: its file and row.
fn place(r: &Record) -> (u16, u32) {
    (r.file, r.row)
}

/// Items (one record, or a pair) in sorted runs in one file, one run per
/// partition; [`Runs::merged`] reads them back in order of the first
/// record's file and row.
#[derive(Debug)]
pub(crate) struct Runs {
    /// Kept so that the folder outlives the sides it was made for.
    _area: Arc<SpillDir>,
    path: PathBuf,
    /// Records per item.
    width: usize,
    /// Each run's first item and item count.
    runs: Vec<(u64, u64)>,
    items: u64,
    writer: Option<BufWriter<File>>,
}

/// An item read back: a record and, in a run of pairs, its partner.
pub(crate) type Item = (Record, Option<Record>);

impl Runs {
    pub(super) fn create(area: &Arc<SpillDir>, stem: &str, width: usize) -> io::Result<Runs> {
        let path = area.new_file(stem);
        let writer = BufWriter::with_capacity(WRITE_BUFFER, File::create(&path)?);
        Ok(Runs {
            _area: Arc::clone(area),
            path,
            width,
            runs: Vec::new(),
            items: 0,
            writer: Some(writer),
        })
    }

    /// Appends a run of single records, sorting them first.
    pub(super) fn push(&mut self, records: &mut [Record]) -> io::Result<()> {
        records.sort_unstable_by_key(place);
        self.append(records.iter().map(|r| [Some(r), None]), records.len())
    }

    /// Appends a run of pairs, sorting them by the first record first.
    pub(super) fn push_pairs(&mut self, pairs: &mut [(Record, Record)]) -> io::Result<()> {
        pairs.sort_unstable_by_key(|(l, _)| place(l));
        self.append(pairs.iter().map(|(l, c)| [Some(l), Some(c)]), pairs.len())
    }

    fn append<'r>(
        &mut self,
        items: impl Iterator<Item = [Option<&'r Record>; 2]>,
        count: usize,
    ) -> io::Result<()> {
        if count == 0 {
            return Ok(());
        }
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| io::Error::other("run file already closed"))?;
        let mut bytes = [0u8; RECORD_BYTES];
        for item in items {
            for r in item.into_iter().flatten() {
                encode(r, &mut bytes);
                writer.write_all(&bytes)?;
            }
        }
        self.runs.push((self.items, count as u64));
        self.items += count as u64;
        Ok(())
    }

    pub(super) fn close(&mut self) -> io::Result<()> {
        match self.writer.take() {
            Some(w) => w.into_inner().map_err(|e| e.into_error()).map(drop),
            None => Ok(()),
        }
    }

    /// Returns every item in order of the first record's file and row.
    pub(crate) fn merged(&self) -> io::Result<Merge> {
        let item_bytes = (RECORD_BYTES * self.width) as u64;
        let mut merge = Merge {
            width: self.width,
            cursors: Vec::with_capacity(self.runs.len()),
            heap: BinaryHeap::with_capacity(self.runs.len()),
            failed: false,
        };
        for &(first, count) in &self.runs {
            let mut file = File::open(&self.path)?;
            file.seek(SeekFrom::Start(first * item_bytes))?;
            let mut cursor = Cursor {
                reader: BufReader::with_capacity(MERGE_BUFFER, file),
                left: count,
                head: None,
            };
            cursor.advance(self.width)?;
            if let Some(head) = &cursor.head {
                merge
                    .heap
                    .push(Reverse((place(&head.0), merge.cursors.len())));
            }
            merge.cursors.push(cursor);
        }
        Ok(merge)
    }
}

/// A k-way merge of the sorted runs of a [`Runs`].
pub(crate) struct Merge {
    width: usize,
    cursors: Vec<Cursor>,
    heap: BinaryHeap<Reverse<((u16, u32), usize)>>,
    failed: bool,
}

struct Cursor {
    reader: BufReader<File>,
    left: u64,
    head: Option<Item>,
}

impl Cursor {
    /// Reads the next item of the run into `head` (`None` at its end).
    fn advance(&mut self, width: usize) -> io::Result<()> {
        if self.left == 0 {
            self.head = None;
            return Ok(());
        }
        let mut bytes = [0u8; RECORD_BYTES * 2];
        let bytes = &mut bytes[..RECORD_BYTES * width];
        self.reader.read_exact(bytes)?;
        let first = decode(&bytes[..RECORD_BYTES]);
        let second = (width == 2).then(|| decode(&bytes[RECORD_BYTES..]));
        self.head = Some((first, second));
        self.left -= 1;
        Ok(())
    }
}

impl Iterator for Merge {
    type Item = io::Result<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let Reverse((_, k)) = self.heap.pop()?;
        let cursor = &mut self.cursors[k];
        let item = cursor.head.take()?;
        if let Err(e) = cursor.advance(self.width) {
            self.failed = true;
            return Some(Err(e));
        }
        if let Some(head) = &cursor.head {
            self.heap.push(Reverse((place(&head.0), k)));
        }
        Some(Ok(item))
    }
}
