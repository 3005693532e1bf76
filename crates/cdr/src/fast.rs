//! The fast path for the common case: a large UTF-8 text file without
//! quotes, read in blocks split at line ends and parsed on every core.
//!
//! The layout is decided by the general reader from the file's first rows;
//! then each block is split into lines and cells by hand, the dominant cell
//! forms (`2024-03-05 14:23:11`, `20240305142311`, plain digits) are parsed
//! by hand, and any row with another form goes through the general row
//! parser, so both paths give the same figures. The fast path gives up, and
//! the file is read again by the general reader, when a block holds a quote
//! character (a field may hold a line break), bytes that are not UTF-8
//! (they are counted there), or a total row (合计), whose check needs the
//! sums in reading order.
//!
//! NOTE: GB18030 and UTF-16 files still take the general reader, since a
//! delimiter byte can occur inside a GBK character.
//!
//! Blocks are read with positioned reads rather than a memory map: the
//! workspace forbids unsafe code, and mapped pages count toward the
//! process's resident memory.

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use nianshen_table::{Cell, Event, Flow, RowView, SourceInfo, TextEncoding};

use crate::layout::{plan, BufferedRow, LayoutKind, Plan, SNIFF_ROWS};
use crate::mapping::{Mapping, Role};
use crate::model::Record;
use crate::normalize::{normalize_number, parse_billed, Billed, NumberValue};
use crate::numkey::{all_digits, digit_key, word_at, INTERNED};
use crate::read::ReadOptions;
use crate::row::{self, RowCtx};
use crate::signals::FileSignals;
use crate::tally::{Origin, Tally};
use crate::vocab::{is_word, Answer, Direction};

/// The layout the general reader decided from a file's first rows.
pub(crate) struct Probe {
    pub info: SourceInfo,
    pub plan: Plan,
    /// 1-based line of the first data row.
    pub first_data_row: u64,
}

/// True when the start of the file ends lines with a CR alone, which the
/// general reader handles and the fast path, splitting at LF, does not.
fn cr_line_ends(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(64 << 10);
    let read = File::open(path).and_then(|f| f.take(64 << 10).read_to_end(&mut head));
    read.is_err() || (head.contains(&b'\r') && !head.contains(&b'\n'))
}

/// Decides whether `path` can take the fast path and how it is laid out.
/// `None` leaves the file to the general reader (which also reports any
/// error).
pub(crate) fn probe(path: &Path, opts: &ReadOptions, mapping: Option<&Mapping>) -> Option<Probe> {
    let mut info: Option<SourceInfo> = None;
    let mut rows: Vec<BufferedRow> = Vec::new();
    let mut clean = true;
    let streamed = nianshen_table::stream(path, &mut |event| match event {
        Event::Source(i) => {
            info = Some(i.clone());
            Flow::Continue(())
        }
        Event::Row { row, cells } => {
            rows.push((row, cells.iter().map(|c| c.to_owned()).collect()));
            if rows.len() >= SNIFF_ROWS {
                Flow::Break(())
            } else {
                Flow::Continue(())
            }
        }
        Event::Problem(_) | Event::Skipped { .. } => {
            clean = false;
            Flow::Break(())
        }
        Event::End { .. } => Flow::Continue(()),
    });
    let info = info?;
    let split_at_line_ends = matches!(
        info.encoding,
        Some(TextEncoding::Utf8 | TextEncoding::Utf8Bom | TextEncoding::Gb18030)
    );
    if streamed.is_err()
        || !clean
        || rows.len() < SNIFF_ROWS
        || !split_at_line_ends
        || info.file != path
        || info.format != nianshen_table::Format::Text
        || cr_line_ends(path)
    {
        return None;
    }
    let plan = plan(&rows, &info, mapping, &opts.vocabulary, opts.default_tz).ok()?;
    let per_number = plan.is_per_number();
    if plan.kind == LayoutKind::FreeSwitch
        || plan.time_format.is_some()
        || per_number
        || plan.has(Role::StartDate)
    {
        return None;
    }
    let first_data_row = rows.get(plan.data_from)?.0;
    Some(Probe {
        info,
        plan,
        first_data_row,
    })
}

/// A hook called with the file's tally after each block is folded in, to
/// spill records beyond the memory budget. Returning false stops the read.
pub(crate) type Sink<'s> = dyn FnMut(&mut Tally) -> bool + 's;

/// Reads the file of a probe on `threads` threads in blocks of `block`
/// bytes, telling `progress` of each block folded in and handing the
/// tally to `sink` after each. `None` when the fast path gave up (or
/// `sink` stopped it) and the general reader must read the file.
pub(crate) fn read(
    probe: &Probe,
    opts: &ReadOptions,
    file_idx: u32,
    (threads, block): (usize, u64),
    (progress, sink): (Option<&(dyn Fn(u64) + Send + Sync)>, &mut Sink<'_>),
) -> Option<Tally> {
    let file = File::open(&probe.info.file).ok()?;
    let size = file.metadata().ok()?.len();
    let block = block.max(1);
    let blocks = size.div_ceil(block) as usize;
    let next = AtomicUsize::new(0);
    let give_up = AtomicBool::new(false);
    // A bounded queue: when folding falls behind, readers wait instead of
    // holding a second copy of the records in finished blocks.
    let (tx, rx) = mpsc::sync_channel::<(usize, Option<BlockResult>)>(threads.max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            let tx = tx.clone();
            let (file, next, give_up) = (&file, &next, &give_up);
            scope.spawn(move || {
                // One buffer per thread: fresh pages for every block would
                // cost the kernel a zeroing pass each.
                let mut buf = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= blocks || give_up.load(Ordering::Relaxed) {
                        break;
                    }
                    let result =
                        read_block(file, (size, block), k, (probe, opts, file_idx), &mut buf);
                    if result.is_none() {
                        give_up.store(true, Ordering::Relaxed);
                    }
                    if tx.send((k, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let blocks = (blocks, size, block);
        merge(rx, blocks, probe.first_data_row, &give_up, (progress, sink))
    })
}

/// Folds block results into one tally in block order.
fn merge(
    rx: mpsc::Receiver<(usize, Option<BlockResult>)>,
    (blocks, size, block): (usize, u64, u64),
    first_data_row: u64,
    give_up: &AtomicBool,
    (progress, sink): (Option<&(dyn Fn(u64) + Send + Sync)>, &mut Sink<'_>),
) -> Option<Tally> {
    let mut waiting: std::collections::BTreeMap<usize, BlockResult> = Default::default();
    let mut total = Tally::default();
    let mut done = 0usize;
    let mut lines_before = 0u64;
    for (k, result) in rx {
        let Some(result) = result else {
            give_up.store(true, Ordering::Relaxed);
            return None;
        };
        waiting.insert(k, result);
        while let Some(mut b) = waiting.remove(&done) {
            if done == 0 && b.newlines < first_data_row.saturating_sub(1) {
                // The header lies beyond the first block: unusual enough
                // to leave to the general reader.
                give_up.store(true, Ordering::Relaxed);
                return None;
            }
            let base = if done == 0 { 0 } else { lines_before + b.lead };
            b.tally.shift_rows(base);
            total.absorb(b.tally);
            if !sink(&mut total) {
                give_up.store(true, Ordering::Relaxed);
                return None;
            }
            lines_before += b.newlines;
            if let Some(progress) = progress {
                progress(block.min(size - (done as u64 * block).min(size)));
            }
            done += 1;
        }
    }
    (done == blocks).then_some(total)
}

/// The tally of one block and the line counts that place its rows.
struct BlockResult {
    tally: Tally,
    /// Line ends in the block's own byte range.
    newlines: u64,
    /// 1 when the block's first line starts after a line end inside its
    /// range, 0 when it starts right at the range.
    lead: u64,
}

/// Reads and parses block `k`: the lines that start in its byte range.
fn read_block(
    file: &File,
    (size, block): (u64, u64),
    k: usize,
    (probe, opts, file_idx): (&Probe, &ReadOptions, u32),
    buf: &mut Vec<u8>,
) -> Option<BlockResult> {
    let start = k as u64 * block;
    let end = (start + block).min(size);
    let from = start.saturating_sub(1);
    read_at(file, from, (end - from) as usize, buf)?;
    let in_range = buf.len();
    let first = if k == 0 {
        usize::from(buf.starts_with(&[0xEF, 0xBB, 0xBF])) * 3
    } else {
        match memchr::memchr(b'\n', buf) {
            Some(p) => p + 1,
            None => {
                return Some(BlockResult {
                    tally: Tally::default(),
                    newlines: 0,
                    lead: 0,
                })
            }
        }
    };
    // The line end just before `first` lies in the block's range unless
    // it is the byte before the range.
    let lead = u64::from(k > 0 && first > 1);
    extend_to_line_end(file, size, from, buf)?;
    let raw = buf.get(first..)?;
    let (text, raw_ends) = if probe.info.encoding == Some(TextEncoding::Gb18030) {
        // No GB18030 character has a line-end byte inside it, so a block
        // cut at line ends decodes on its own. Decoding moves positions:
        // the block's own line ends are counted on the bytes. A byte that
        // does not decode leaves the file to the general reader, which
        // counts such bytes.
        if k == 0 && raw.starts_with(&[0x84, 0x31, 0x95, 0x33]) {
            return None;
        }
        let ends = memchr::memchr_iter(b'\n', &raw[..in_range - first]).count() as u64;
        let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(raw);
        if had_errors {
            return None;
        }
        (text, Some(ends))
    } else {
        (Cow::Borrowed(std::str::from_utf8(raw).ok()?), None)
    };
    let delimiter = probe.info.delimiter.unwrap_or(b',');
    if cut_off_end(&text, delimiter) {
        return None;
    }
    let mut parser = LineParser::new(probe, opts, file_idx, k == 0);
    let limit = if raw_ends.is_some() {
        0
    } else {
        in_range - first
    };
    let ends = each_line(&text, delimiter, limit, &mut parser)?;
    Some(BlockResult {
        tally: parser.tally,
        newlines: lead + raw_ends.unwrap_or(ends),
        lead,
    })
}

/// Hands each line of `text` (without its `\n`) with its row to the
/// parser, after filling the parser's cell ranges, and returns the number
/// of line ends before byte `limit`. Delimiters and line ends are found 64
/// bytes at a time as one bit mask (16-byte vector compares), then the
/// mask is turned into positions eight at a time, which keeps the
/// branches out of the byte scan. At 10M calls this split the local file
/// in 60% of the time of a loop over eight-byte words. `None` when the
/// text has a quote (the general reader handles quoted cells) or a line
/// makes the parser give up.
fn each_line(text: &str, delimiter: u8, limit: usize, parser: &mut LineParser<'_>) -> Option<u64> {
    let bytes = text.as_bytes();
    let mut cut = Cuts::new(delimiter);
    let (mut line_from, mut cell_from, mut row) = (0, 0, 1);
    let mut counted = 0u64;
    parser.bounds.clear();
    parser.carriage_returns = false;

    let chunks = bytes.chunks_exact(64);
    let tail = chunks.remainder();
    // The tail padded with zero bytes, which are neither a delimiter nor
    // a line end, so that it goes through the same loop.
    let mut last = [0u8; 64];
    last[..tail.len()].copy_from_slice(tail);
    let padded = (!tail.is_empty()).then_some(&last[..]);
    for (i, chunk) in chunks.chain(padded).enumerate() {
        let base = i * 64;
        let (hits, ends, [quotes, returns]) = cut.positions(chunk);
        if quotes != 0 {
            return None;
        }
        // Set before any line that contains the carriage return ends.
        parser.carriage_returns |= returns != 0;
        if base < limit {
            let below = if limit - base >= 64 {
                u64::MAX
            } else {
                (1u64 << (limit - base)) - 1
            };
            counted += u64::from((ends & below).count_ones());
        }
        for &p in hits {
            let at = base + usize::from(p);
            parser.bounds.push((cell_from - line_from, at - line_from));
            cell_from = at + 1;
            if ends >> p & 1 != 0 {
                parser.line(&text[line_from..at], row)?;
                row += 1;
                parser.bounds.clear();
                line_from = at + 1;
            }
        }
    }
    if line_from < bytes.len() {
        parser
            .bounds
            .push((cell_from - line_from, bytes.len() - line_from));
        parser.line(&text[line_from..], row)?;
    }
    Some(counted)
}

/// Finds delimiters and line ends in 64-byte chunks.
struct Cuts {
    delimiter: wide::u8x16,
    newline: wide::u8x16,
    quote: wide::u8x16,
    carriage_return: wide::u8x16,
    /// Positions in the last chunk, with room for a last group of eight
    /// written past the count.
    at: [u8; 72],
}

impl Cuts {
    fn new(delimiter: u8) -> Self {
        Cuts {
            delimiter: wide::u8x16::splat(delimiter),
            newline: wide::u8x16::splat(b'\n'),
            quote: wide::u8x16::splat(b'"'),
            carriage_return: wide::u8x16::splat(b'\r'),
            at: [0; 72],
        }
    }

    /// Returns the positions of the delimiters and line ends in `chunk`
    /// (64 bytes), in order, the mask of the line ends, and masks that are
    /// not zero when the chunk contains a quote, a carriage return.
    fn positions(&mut self, chunk: &[u8]) -> (&[u8], u64, [u16; 2]) {
        let (mut hits, mut ends, mut quotes, mut returns) = (0u64, 0u64, 0u16, 0u16);
        for (k, part) in chunk.chunks_exact(16).enumerate() {
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(part);
            let v = wide::u8x16::new(bytes);
            let nl = v.cmp_eq(self.newline);
            let either = v.cmp_eq(self.delimiter) | nl;
            hits |= u64::from(either.move_mask() as u16) << (k * 16);
            ends |= u64::from(nl.move_mask() as u16) << (k * 16);
            quotes |= v.cmp_eq(self.quote).move_mask() as u16;
            returns |= v.cmp_eq(self.carriage_return).move_mask() as u16;
        }
        let count = hits.count_ones() as usize;
        let mut n = 0;
        // Eight positions per round, whether or not that many are left:
        // the extra ones land past `count` and are not read.
        while n < count {
            for slot in &mut self.at[n..n + 8] {
                *slot = hits.trailing_zeros() as u8;
                hits &= hits.wrapping_sub(1);
            }
            n += 8;
        }
        (&self.at[..count], ends, [quotes, returns])
    }
}

/// True when the text ends without a line break after a line with fewer
/// cells than the line before: the general reader reports such a file as
/// cut off, so it reads the file. A block whose only line ends the file
/// cannot see the line before and gives up too.
fn cut_off_end(text: &str, delimiter: u8) -> bool {
    if text.is_empty() || text.ends_with('\n') {
        return false;
    }
    let mut lines = text.rsplit('\n').filter(|l| !l.is_empty());
    let cells = |l: &str| memchr::memchr_iter(delimiter, l.as_bytes()).count();
    match (lines.next(), lines.next()) {
        (Some(last), Some(before)) => cells(last) < cells(before),
        _ => true,
    }
}

/// Reads `len` bytes at `offset` into `buf` (fewer at the end of the
/// file).
fn read_at(file: &File, offset: u64, len: usize, buf: &mut Vec<u8>) -> Option<()> {
    buf.resize(len, 0);
    let mut done = 0;
    while done < len {
        let n = positioned_read(file, &mut buf[done..], offset + done as u64).ok()?;
        if n == 0 {
            buf.truncate(done);
            break;
        }
        done += n;
    }
    Some(())
}

#[cfg(unix)]
fn positioned_read(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn positioned_read(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// Reads on past the block's range until its last line has ended (or
/// the file has).
fn extend_to_line_end(file: &File, size: u64, from: u64, buf: &mut Vec<u8>) -> Option<()> {
    const STEP: usize = 64 << 10;
    loop {
        let at = from + buf.len() as u64;
        if buf.last() == Some(&b'\n') || at >= size {
            return Some(());
        }
        let mut more = Vec::new();
        read_at(file, at, STEP.min((size - at) as usize), &mut more)?;
        if more.is_empty() {
            return Some(());
        }
        match memchr::memchr(b'\n', &more) {
            Some(p) => {
                buf.extend_from_slice(&more[..=p]);
                return Some(());
            }
            None => buf.extend_from_slice(&more),
        }
    }
}

/// Recent disposition and direction cells with their meaning, because
/// the same handful of words fill millions of rows.
#[derive(Default)]
struct WordCache {
    /// Words of up to 15 bytes, packed by [`pack_agent`].
    short_answers: Vec<(u128, Answer)>,
    answers: Vec<(String, Answer)>,
    directions: Vec<(String, Option<Direction>)>,
}

/// Cache entries kept per kind of word.
const WORDS: usize = 16;

impl WordCache {
    fn answer(&mut self, cell: &str, opts: &ReadOptions) -> Answer {
        // Short words compare as one number, not byte by byte.
        let packed = pack_agent(cell.as_bytes());
        if let Some(p) = packed {
            if let Some((_, a)) = self.short_answers.iter().find(|(w, _)| *w == p) {
                return *a;
            }
        } else if let Some((_, a)) = self.answers.iter().find(|(w, _)| w == cell) {
            return *a;
        }
        let a = opts.vocabulary.answer(cell);
        match packed {
            Some(p) if self.short_answers.len() < WORDS => self.short_answers.push((p, a)),
            None if self.answers.len() < WORDS => self.answers.push((cell.to_string(), a)),
            _ => {}
        }
        a
    }

    fn direction(&mut self, cell: &str, opts: &ReadOptions) -> Option<Direction> {
        if let Some((_, d)) = self.directions.iter().find(|(w, _)| w == cell) {
            return *d;
        }
        let d = opts.vocabulary.direction(cell);
        if self.directions.len() < WORDS {
            self.directions.push((cell.to_string(), d));
        }
        d
    }
}

/// Splits and parses the lines of a block.
struct LineParser<'a> {
    probe: &'a Probe,
    opts: &'a ReadOptions,
    file_idx: u32,
    first_block: bool,
    tally: Tally,
    /// Byte ranges of the current line's cells.
    bounds: Vec<(usize, usize)>,
    words: WordCache,
    /// First bytes of the total-row words, in both cases.
    total_first_bytes: [bool; 256],
    no_signals: FileSignals,
    /// The block holds a carriage return somewhere.
    carriage_returns: bool,
    /// The last date seen, as written, and its day number: rows come in
    /// time order.
    last_day: std::cell::Cell<(u128, i64)>,
    /// Recent agents by their packed text, so that most rows skip the
    /// table of agents.
    agents: Box<[(u128, u32); AGENT_SLOTS]>,
}

/// A date part no stamp has: bit 127 is never set by the ten date bytes.
const NO_DAY: u128 = 1 << 127;

/// Slots of the agent cache (a power of two).
const AGENT_SLOTS: usize = 1024;

/// Packs a short text (an agent id, a disposition word) of 1 to 15 bytes
/// with its length: two texts pack alike only when they are equal. `None`
/// for longer or empty texts.
fn pack_agent(a: &[u8]) -> Option<u128> {
    let n = a.len();
    // Read as whole words, the last one over the first where they
    // overlap: a copy of a variable length into a buffer that is then
    // read as a word stalls the processor on every row.
    let word = |at: usize| word_at(a, at);
    let half = |at: usize| -> u64 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&a[at..at + 4]);
        u64::from(u32::from_le_bytes(w))
    };
    let bytes = match n {
        0 | 16.. => return None,
        1..=3 => {
            let byte = |i: usize| u64::from(a[i]) << (8 * i);
            u128::from(byte(0) | byte(n / 2) | byte(n - 1))
        }
        4..=7 => u128::from(half(0) | (half(n - 4) >> (8 * (8 - n))) << 32),
        8 => u128::from(word(0)),
        _ => u128::from(word(0)) | u128::from(word(n - 8) >> (8 * (16 - n))) << 64,
    };
    Some(bytes | (n as u128) << 120)
}

/// A row parsed by hand.
struct FastRow {
    time: i64,
    has_seconds: bool,
    talk_secs: u32,
    billed_min: u32,
    billed_read: bool,
    /// The billed cell is a duration, so `billed_min` is in seconds.
    billed_duration: bool,
    /// The billed cell has text that is no number.
    billed_garbled: bool,
    answered: bool,
    conflict: bool,
    outbound: bool,
    success: bool,
    masked_cells: u32,
    caller: Option<u64>,
    callee: Option<u64>,
    /// Agent id + 1, 0 when none.
    agent: u32,
}

impl<'a> LineParser<'a> {
    fn new(probe: &'a Probe, opts: &'a ReadOptions, file_idx: u32, first_block: bool) -> Self {
        let mut total_first_bytes = [false; 256];
        for b in opts
            .vocabulary
            .total_rows
            .iter()
            .filter_map(|w| w.trim().bytes().next())
        {
            total_first_bytes[usize::from(b.to_ascii_lowercase())] = true;
            total_first_bytes[usize::from(b.to_ascii_uppercase())] = true;
        }
        LineParser {
            probe,
            opts,
            file_idx,
            first_block,
            tally: Tally::default(),
            bounds: Vec::with_capacity(32),
            words: WordCache::default(),
            total_first_bytes,
            no_signals: FileSignals::default(),
            carriage_returns: true,
            last_day: std::cell::Cell::new((NO_DAY, 0)),
            agents: Box::new([(0, 0); AGENT_SLOTS]),
        }
    }

    /// Parses one line (without its `\n`); `row` counts from 1 within the
    /// block. `None` when the fast path must give up on the file.
    fn line(&mut self, line: &str, row: u64) -> Option<()> {
        if self.first_block && row < self.probe.first_data_row {
            return Some(());
        }
        if line.is_empty() {
            // Blank lines hold no record, as in the general reader.
            return Some(());
        }
        let line = match line.strip_suffix('\r') {
            Some(kept) => {
                if let Some(last) = self.bounds.last_mut() {
                    last.1 = last.1.min(kept.len());
                }
                kept
            }
            None => line,
        };
        if line.is_empty() {
            return Some(());
        }
        let cell = |i: usize| -> &str { self.bounds.get(i).map_or("", |&(a, b)| &line[a..b]) };
        let first = cell(0);
        // A blank cell starts with an ASCII space or with the first byte
        // of a wide space (U+3000, U+00A0 …), which is not ASCII.
        let odd_first = first
            .as_bytes()
            .first()
            .is_none_or(|b| b.is_ascii_whitespace() || !b.is_ascii());
        if odd_first && (0..self.bounds.len()).all(|i| cell(i).trim().is_empty()) {
            return Some(());
        }
        if self.is_total(line) {
            return None;
        }
        if self.carriage_returns && line.contains('\r') {
            self.general(line, row);
            return Some(());
        }
        match self.fast(line) {
            Some(f) => self.apply(f, line, row),
            None => self.general(line, row),
        }
        Some(())
    }

    /// Returns the cell of a role, `""` when the role has no column or the
    /// row is short.
    #[inline(always)]
    fn cell<'l>(&self, line: &'l str, role: Role) -> &'l str {
        self.probe
            .plan
            .col(role)
            .and_then(|c| self.bounds.get(c))
            .map_or("", |&(a, b)| &line[a..b])
    }

    /// True when one of the first two non-blank cells is a total word.
    fn is_total(&self, line: &str) -> bool {
        let mut non_blank = 0;
        for &(a, b) in &self.bounds {
            let c = &line[a..b];
            let Some(&first) = c.as_bytes().first() else {
                continue;
            };
            // Most cells start with a letter or digit that no total word
            // starts with: no need to trim or compare them.
            let plain =
                first.is_ascii_alphanumeric() && !self.total_first_bytes[usize::from(first)];
            if !plain {
                if c.trim().is_empty() {
                    continue;
                }
                if self.opts.vocabulary.is_total(c) {
                    return true;
                }
            }
            non_blank += 1;
            if non_blank == 2 {
                return false;
            }
        }
        false
    }

    /// Parses a row whose cells all have a dominant form; `None` for
    /// anything else.
    fn fast(&mut self, line: &str) -> Option<FastRow> {
        let plan = &self.probe.plan;
        let tz = i64::from(plan.tz.local_minus_utc());
        let stamp = |role: Role| -> Option<Option<(i64, bool)>> {
            if !plan.has(role) {
                return Some(None);
            }
            let c = self.cell(line, role);
            if c.is_empty() {
                return Some(None);
            }
            fast_time(c.as_bytes(), tz, &self.last_day).map(Some)
        };
        // With a talk column the end time only feeds the signals: an
        // unreadable one does not make the row unreadable.
        let end = if plan.has(Role::TalkSeconds) {
            None
        } else {
            stamp(Role::End)?
        };
        let (start, answer) = (stamp(Role::Start)?, stamp(Role::Answer)?);
        let (time, has_seconds) = if plan.has(Role::Answer) {
            answer.or(start)
        } else {
            start.or(answer)
        }?;
        // A time a record cannot hold: the general parser reports it.
        u32::try_from(time).ok()?;
        let talk_secs = if plan.has(Role::TalkSeconds) {
            let c = self.cell(line, Role::TalkSeconds);
            if c.is_empty() {
                0
            } else {
                small_int(c.as_bytes())?
            }
        } else {
            let from = if plan.has(Role::Answer) {
                answer
            } else {
                start
            };
            match (from, end) {
                (Some((a, _)), Some((e, _))) if e >= a => (e - a) as u32,
                _ => 0,
            }
        };
        let disposition = if plan.has(Role::Disposition) {
            let c = self.cell(line, Role::Disposition);
            Some(self.words.answer(c, self.opts))
        } else {
            None
        };
        let answered = match disposition {
            Some(Answer::Yes) => true,
            Some(Answer::No) => false,
            _ if plan.has(Role::Answer) => answer.is_some(),
            _ if plan.has(Role::Disposition) => talk_secs > 0,
            _ => true,
        };
        let conflict = matches!(
            (disposition, talk_secs),
            (Some(Answer::Yes), 0) | (Some(Answer::No), 1..)
        );
        let direction = if plan.has(Role::Direction) {
            let c = self.cell(line, Role::Direction);
            self.words.direction(c, self.opts)
        } else {
            None
        };
        // A call that was not answered only counts its masked numbers, so
        // its numbers need no keys.
        let ((caller, masked_caller), (callee, masked_callee)) = if answered {
            (
                self.number(line, Role::Caller),
                self.number(line, Role::Callee),
            )
        } else {
            (
                (None, self.is_masked(line, Role::Caller)),
                (None, self.is_masked(line, Role::Callee)),
            )
        };
        if answered && (caller.is_none() || callee.is_none()) {
            // Unusable: the general parser gives the reason.
            return None;
        }
        let (billed, billed_garbled) = match plan.billed_role() {
            None => (None, false),
            Some(role) => {
                let c = self.cell(line, role);
                match small_int(c.as_bytes()) {
                    Some(m) => (Some(Billed::Plain(m)), false),
                    None => {
                        let b = parse_billed(nianshen_table::CellRef::Text(c));
                        (b, b.is_none() && !c.trim().is_empty())
                    }
                }
            }
        };
        let billed_read = billed.is_some();
        let billed_duration = matches!(billed, Some(Billed::Seconds(_)));
        let billed_min = match billed {
            Some(Billed::Plain(n) | Billed::Seconds(n)) => n,
            None => talk_secs.div_ceil(60),
        };
        let success = plan.has(Role::Outcome)
            && is_word(&plan.success, self.cell(line, Role::Outcome).trim());
        let agent = self.agent(line);
        Some(FastRow {
            agent,
            time,
            has_seconds,
            talk_secs,
            billed_min,
            billed_read,
            billed_duration,
            billed_garbled,
            answered,
            conflict,
            outbound: !plan.has(Role::Direction) || direction == Some(Direction::Outbound),
            success,
            masked_cells: u32::from(masked_caller) + u32::from(masked_callee),
            caller,
            callee,
        })
    }

    /// Returns the agent id + 1 of a row, 0 when it has none.
    fn agent(&mut self, line: &str) -> u32 {
        let a = self.cell(line, Role::Agent);
        let plain = a
            .as_bytes()
            .first()
            .zip(a.as_bytes().last())
            .is_some_and(|(f, l)| !f.is_ascii_whitespace() && !l.is_ascii_whitespace());
        let Some(packed) = pack_agent(a.as_bytes()).filter(|_| plain) else {
            return match a.trim() {
                "" => 0,
                a => self.tally.agent_id(a),
            };
        };
        let slot = ((packed as u64 ^ (packed >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
            >> 54) as usize
            % AGENT_SLOTS;
        match self.agents[slot] {
            (p, id) if p == packed => id,
            _ => {
                // Trimmed as the general parser trims, because the ends
                // may be wide spaces (U+3000, U+00A0) that the ASCII check
                // above lets through.
                let id = match a.trim() {
                    "" => 0,
                    t => self.tally.agent_id(t),
                };
                self.agents[slot] = (packed, id);
                id
            }
        }
    }

    /// True when the number cell of a role is masked, as [`Self::number`]
    /// finds, without making a key.
    fn is_masked(&self, line: &str, role: Role) -> bool {
        let c = self.cell(line, role);
        if plain_digits(c.as_bytes()) || !self.probe.plan.has(role) {
            return false;
        }
        let header = self.probe.plan.name(role);
        normalize_number(nianshen_table::CellRef::Text(c), header) == NumberValue::Masked
    }

    /// The key of a number cell (`None` unless usable) and whether it is
    /// masked.
    fn number(&mut self, line: &str, role: Role) -> (Option<u64>, bool) {
        let c = self.cell(line, role);
        let b = c.as_bytes();
        // China's country prefix is the one rewrite plain digits can need.
        if !b.starts_with(b"86") && !b.starts_with(b"0086") {
            if let Some(k) = digit_key(b) {
                return (Some(k), false);
            }
        }
        let header = self.probe.plan.name(role);
        let cell = if self.probe.plan.has(role) {
            nianshen_table::CellRef::Text(c)
        } else {
            nianshen_table::CellRef::Empty
        };
        match normalize_number(cell, header) {
            NumberValue::Ok(n) => {
                let k = self.tally.numbers.key(&n);
                debug_assert!(k & INTERNED == 0 || self.tally.numbers.values.contains_key(&k));
                (Some(k), false)
            }
            NumberValue::Masked => (None, true),
            NumberValue::Missing | NumberValue::Scientific => (None, false),
        }
    }

    /// Adds a hand-parsed row to the figures, as [`Tally::apply`] does.
    fn apply(&mut self, f: FastRow, line: &str, row: u64) {
        let t = &mut self.tally;
        t.count_row(self.file_idx);
        t.masked_numbers += u64::from(f.masked_cells);
        t.conflicts += u64::from(f.conflict);
        t.conversions += u64::from(f.success);
        if f.outbound {
            t.outbound_attempts += 1;
            t.answered_outbound += u64::from(f.answered);
        }
        if !f.answered {
            return;
        }
        t.answered_all += 1;
        t.talk_seconds_all += u64::from(f.talk_secs);
        let (Some(caller), Some(callee)) = (f.caller, f.callee) else {
            return;
        };
        t.push_record(Record {
            caller,
            callee,
            time: u32::try_from(f.time).unwrap_or(u32::MAX),
            talk_secs: f.talk_secs,
            billed_min: f.billed_min,
            file: u16::try_from(self.file_idx).unwrap_or(u16::MAX),
            row: u32::try_from(row).unwrap_or(u32::MAX),
            agent: f.agent,
            no_seconds: !f.has_seconds,
            billed_read: f.billed_read,
        });
        if f.billed_duration {
            self.tally.billed_duration(self.file_idx);
        }
        if f.billed_garbled {
            let text = self
                .probe
                .plan
                .billed_role()
                .map_or("", |role| self.cell(line, role));
            self.tally.billed_unreadable(self.file_idx, row, text);
        }
    }

    /// Parses a row with the general parser.
    fn general(&mut self, line: &str, row: u64) {
        let cells: Vec<Cell> = self
            .bounds
            .iter()
            .map(|&(a, b)| {
                let t = &line[a..b];
                Cell::Text(t.strip_suffix('\r').unwrap_or(t).to_string())
            })
            .collect();
        let mut ctx = RowCtx {
            plan: &self.probe.plan,
            vocab: &self.opts.vocabulary,
            signals: &mut self.no_signals,
            unmask: self.opts.unmask,
            now: 0,
        };
        let at = Origin {
            file_idx: self.file_idx,
            path: &self.probe.info.file,
            sheet: &self.probe.info.sheet,
            unmask: self.opts.unmask,
        };
        match row::parse(RowView::Owned(&cells), row, &mut ctx) {
            Ok(parsed) => self.tally.apply(at, parsed),
            Err(u) => self.tally.unreadable(at, row, &u),
        }
    }
}

/// Parses `YYYY-MM-DD HH:MM:SS` or `YYYYMMDDHHMMSS` in an offset of `tz`
/// seconds east of UTC: (seconds since 1970, has seconds). `None` for any
/// other form or an impossible date or time. `last_day` is the date part
/// of the last stamp as written and its day number, so that a run of
/// stamps of one day parses only their times.
fn fast_time(b: &[u8], tz: i64, last_day: &std::cell::Cell<(u128, i64)>) -> Option<(i64, bool)> {
    let word = |from: usize| word_at(b, from);
    let (date_len, clock) = match b.len() {
        19 if b[4] == b'-' && b[7] == b'-' && b[10] == b' ' => {
            // `HH:MM:SS` as one word: the colons checked, then read as
            // zeros so that the word is all digits.
            const COLONS: u64 = 0x3a << 16 | 0x3a << 40;
            const AT: u64 = 0xff << 16 | 0xff << 40;
            let w = word(11);
            if w & AT != COLONS {
                return None;
            }
            (
                10,
                seconds_of_day(w & !AT | 0x30 << 16 | 0x30 << 40, [0, 3, 6])?,
            )
        }
        // `DDHHMMSS`: the day's two digits are checked with the date.
        14 => (8, seconds_of_day(word(6), [2, 4, 6])?),
        _ => return None,
    };
    let two = |at: usize| -> Option<u32> {
        let (t, u) = (b[at].wrapping_sub(b'0'), b[at + 1].wrapping_sub(b'0'));
        (t <= 9 && u <= 9).then_some(u32::from(t) * 10 + u32::from(u))
    };
    // The date part as one number: eight bytes, then two more when the
    // date has separators, so that a run of one day compares as integers.
    let head = word_at(b, 0);
    let tail = if date_len == 10 {
        u128::from(b[8]) | u128::from(b[9]) << 8
    } else {
        0
    };
    let date = u128::from(head) | tail << 64;
    let days = match last_day.get() {
        (known, days) if known == date => days,
        _ => {
            let (y, mo, d) = if date_len == 10 {
                (two(0)? * 100 + two(2)?, two(5)?, two(8)?)
            } else {
                (two(0)? * 100 + two(2)?, two(4)?, two(6)?)
            };
            if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) {
                return None;
            }
            let days = days_from_civil(i64::from(y), i64::from(mo), i64::from(d));
            last_day.set((date, days));
            days
        }
    };
    let local = days * 86_400 + i64::from(clock);
    Some((local - tz, true))
}

/// Returns the seconds since midnight of a word of eight ASCII digits
/// whose hours, minutes and seconds start at the bytes `at`. Returns
/// `None` when a byte is not a digit or the time is impossible.
fn seconds_of_day(word: u64, at: [u32; 3]) -> Option<u32> {
    if !all_digits(word) {
        return None;
    }
    let d = word - 0x3030_3030_3030_3030;
    // Each byte becomes ten times itself plus the next byte: at most 99,
    // so no byte carries into the next.
    let pairs = d.wrapping_mul(10) + (d >> 8);
    let [h, m, s] = at.map(|p| ((pairs >> (8 * p)) & 0xff) as u32);
    (h <= 23 && m <= 59 && s <= 59).then_some(h * 3600 + m * 60 + s)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-
/// days algorithm run backwards, exact for every year).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// True for one or more ASCII digits and nothing else.
fn plain_digits(b: &[u8]) -> bool {
    let words = b.chunks_exact(8);
    let rest = words.remainder();
    !b.is_empty()
        && rest.iter().all(u8::is_ascii_digit)
        && words.into_iter().all(|w| all_digits(word_at(w, 0)))
}

/// Plain digits, at most 9 of them.
fn small_int(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    let mut v = 0u32;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u32::from(d);
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::parse_time;
    use nianshen_table::CellRef;

    #[test]
    fn hand_parsed_times_equal_the_general_parser() {
        let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        let cases = [
            "2024-03-05 14:23:11",
            "2024-02-29 00:00:00",
            "2023-02-29 00:00:00",
            "2000-02-29 23:59:59",
            "1900-02-29 12:00:00",
            "2024-13-01 00:00:00",
            "2024-12-31 24:00:00",
            "2024-12-31 23:60:00",
            "2024-12-31 23:59:60",
            "1969-12-31 23:59:59",
            "20240305142311",
            "20240230142311",
            "20241231235959",
            "2024-03-05T14:23:11",
            "2024-3-5 14:23:11",
            "0000-01-01 00:00:00",
        ];
        for c in cases {
            let general = parse_time(CellRef::Text(c), tz, None).map(|s| (s.epoch, s.has_seconds));
            let fast = fast_time(c.as_bytes(), 8 * 3600, &std::cell::Cell::new((NO_DAY, 0)));
            if fast.is_some() {
                assert_eq!(fast, general, "{c}");
            }
        }
        let day = std::cell::Cell::new((NO_DAY, 0));
        assert!(fast_time(b"2024-03-05 14:23:11", 0, &day).is_some());
        assert_eq!(
            fast_time(b"20240305142311", 0, &day),
            fast_time(b"20240305142311", 0, &std::cell::Cell::new((NO_DAY, 0)))
        );
        assert_eq!(fast_time(b"20240230142311", 0, &day), None);
    }

    #[test]
    fn fast_time_one_byte_changed() {
        let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let odd = b"0123456789:- /aT\x00\xff";
        let day = std::cell::Cell::new((NO_DAY, 0));
        for i in 0..100_000 {
            let t = (next() % 4_000_000_000) as i64;
            let local = chrono::DateTime::from_timestamp(t, 0)
                .unwrap()
                .with_timezone(&tz);
            let form = if i % 2 == 0 {
                "%Y-%m-%d %H:%M:%S"
            } else {
                "%Y%m%d%H%M%S"
            };
            let text = local.format(form).to_string();
            let general = |b: &[u8]| {
                let c = std::str::from_utf8(b).ok()?;
                parse_time(CellRef::Text(c), tz, None).map(|s| (s.epoch, s.has_seconds))
            };
            let mut bytes = text.clone().into_bytes();
            assert_eq!(fast_time(&bytes, 8 * 3600, &day), Some((t, true)), "{text}");
            let at = (next() as usize) % bytes.len();
            bytes[at] = odd[(next() as usize) % odd.len()];
            // The day cache is kept across cases, as a block keeps it.
            if let Some(fast) = fast_time(&bytes, 8 * 3600, &day) {
                assert_eq!(
                    Some(fast),
                    general(&bytes),
                    "{:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
    }

    /// A local export with the odd rows real files have, among plain ones.
    fn export(rows: usize, extra: &str) -> String {
        let mut s = String::from("call_id,agent_id,caller,callee,start_time,answer_time,end_time,duration_s,disposition\n");
        let odd = [
            "x,A1,13800000000,13900000000,2024/3/5 14:23,2024/3/5 14:23,,61,ANSWERED",
            "x,A2,+86 138-0000-0001,02012345678,2024-03-05 14:23:11,2024-03-05 14:23:12,2024-03-05 14:24:12,1分2秒,接通",
            "x,,138****1234,13900000000,2024-03-05 14:23:11,2024-03-05 14:23:12,,60,ANSWERED",
            "x,A3,,13900000000,2024-03-05 14:23:11,2024-03-05 14:23:12,,60,ANSWERED",
            "x,A3,client1,8613900000001,2024-03-05 14:23:11,2024-03-05 14:23:12,,60,ANSWERED",
            "x,A4,1.38E+10,13900000000,2024-03-05 14:23:11,2024-03-05 14:23:12,,60,ANSWERED",
            "x,A4,13800000000,13900000000,not a time,,,0,FAILED",
            "x,A5,13800000000,13900000000,2024-03-05 14:23:11,2024-03-05 14:23:12,,  7 ,ANSWERED",
            "x, A5 ,13800000000,13900000000,2024-03-05 14:23:11,2024-03-05 14:23:12,,7, answered ",
            "x,A6,13800000000,13900000000,2024-03-05 14:23:11,,,5,WHATEVER",
            "x,A6,13800000000,13900000000,2024-03-05 14:23:11,2024-03-05 14:23:12",
            " , ,",
            "x,A7,13800000000,13900000000,2024-03-05 14:23:11,2024-03-05 14:23:12,,9,ANSWERED\r",
            "x,A7,123456789012345678,13900000000,2024-03-05 14:23:11,2024-03-05 14:23:12,,9,ANSWERED",
            "x,A8,13800000000,13900000000,1960-01-01 00:00:00,1960-01-01 00:00:05,,9,ANSWERED",
        ];
        for i in 0..rows {
            if i % 97 == 0 {
                s.push_str(odd[(i / 97) % odd.len()]);
            } else {
                let t = 1_709_600_000 + i as i64 * 37;
                let stamp = |t: i64| {
                    chrono::DateTime::from_timestamp(t + 8 * 3600, 0)
                        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
                        .unwrap_or_default()
                };
                let answered = i % 3 != 0;
                let (answer, talk, word) = if answered {
                    (stamp(t + 9), (i % 300).to_string(), "ANSWERED")
                } else {
                    (String::new(), "0".to_string(), "NO ANSWER")
                };
                s.push_str(&format!(
                    "id{i},A{},0755{:07},1{:010},{},{answer},{},{talk},{word}",
                    i % 40,
                    i % 5000,
                    (i * 7919) % 10_000_000_000,
                    stamp(t),
                    stamp(t + 9 + (i as i64 % 300)),
                ));
            }
            s.push('\n');
        }
        s.push_str(extra);
        s
    }

    fn compare(text: impl AsRef<[u8]>, block: u64, parallel: bool) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("local.csv");
        std::fs::write(&path, text.as_ref()).unwrap();
        let opts = ReadOptions::new(crate::vocab::tests::vocabulary());
        let paths = [path];
        let general = crate::read::read_side(&paths, &opts).unwrap();
        let scan = crate::read::ScanOptions {
            threads: 3,
            block_bytes: block,
            min_parallel_bytes: 0,
            ..crate::read::ScanOptions::for_matching()
        };
        let fast = crate::read::read_side_with(&paths, &opts, &scan).unwrap();
        assert_eq!(fast.stats, general.stats);
        assert_eq!(fast.records, general.records);
        assert_eq!(fast.numbers, general.numbers);
        assert_eq!(fast.agents, general.agents);
        let probe = probe(&paths[0], &opts, None);
        let parallel_read =
            probe.and_then(|p| read(&p, &opts, 0, (2, block), (None, &mut |_: &mut Tally| true)));
        assert_eq!(parallel_read.is_some(), parallel);
    }

    #[test]
    fn blocks_read_as_the_general_reader_reads() {
        let text = export(3000, "");
        for block in [100, 1000, 4096, 1 << 20] {
            compare(&text, block, true);
        }
        let bom = format!("\u{feff}{text}");
        compare(&bom, 777, true);
    }

    #[test]
    fn html_and_cr_files_skip_blocks() {
        let text = export(600, "").replace('\r', "");
        let cr = text.replace('\n', "\r");
        compare(&cr, 1000, false);
        let html: String = std::iter::once("<html><body><table>".to_string())
            .chain(text.lines().map(|line| {
                let cells: String = line.split(',').map(|c| format!("<td>{c}</td>")).collect();
                format!("<tr>{cells}</tr>\n")
            }))
            .chain(std::iter::once("</table></body></html>\n".to_string()))
            .collect();
        compare(&html, 1000, false);
    }

    #[test]
    fn quotes_and_total_rows_fall_back_to_the_general_reader() {
        compare(
            export(500, "\"q\",A1,1,2,2024-03-05 14:23:11,,,0,FAILED\n"),
            1000,
            false,
        );
        compare(export(500, "合计,,,,,,,12345,\n"), 1000, false);
        let mut invalid = export(500, "").into_bytes();
        invalid.extend_from_slice(b"x,A1,1,2,2024-03-05 14:23:11,,,0,FAILED\xff\n");
        compare(&invalid, 1000, false);
    }

    #[test]
    fn blocks_billed_text_cells() {
        let mut text = String::from("主叫号码,被叫号码,开始时间,通话时长,计费时长\n");
        for i in 0..3000u64 {
            let billed = match i % 97 {
                5 => "1:06".to_string(),
                40 => "66秒".to_string(),
                50 => "见附件".to_string(),
                60 => String::new(),
                _ => (1 + i % 5).to_string(),
            };
            text.push_str(&format!(
                "0755{:07},1{:010},2024-03-05 {:02}:{:02}:{:02},{},{billed}\n",
                i % 50,
                i * 7919 % 10_000_000_000,
                i / 3600 % 24,
                i / 60 % 60,
                i % 60,
                30 + i % 200,
            ));
        }
        for block in [1000, 4096] {
            compare(&text, block, true);
        }
    }

    #[test]
    fn blocks_gb18030() {
        // 億 is B0 7C in GBK: its second byte is a `|`, which splits a
        // cell wrongly unless the text is decoded first.
        let text = export(3000, "")
            .replace(",A", ",坐席億")
            .replace("ANSWERED", "已接通");
        for delimiter in [",", "|"] {
            let text = text.replace(',', delimiter);
            let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
            assert!(!unmappable);
            assert!(bytes.contains(&0x7c) || delimiter == "|");
            for block in [1000, 4096] {
                compare(&bytes, block, true);
            }
        }
        // A byte that is no GB18030 goes to the general reader.
        let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
        let mut broken = bytes.into_owned();
        broken.extend_from_slice(
            b"x,\xb0\xb0\xff,13800000000,13900000000,2024-03-05 14:23:11,,,0,FAILED\n",
        );
        compare(&broken, 1000, false);
    }

    #[test]
    fn blocks_crlf_and_inner_quote() {
        let crlf = export(700, "").replace('\n', "\r\n");
        for block in [100, 1000, 4096] {
            compare(&crlf, block, true);
        }
        let text = export(700, "");
        let middle = text.len() / 2;
        let cut = middle + text[middle..].find('\n').unwrap() + 1;
        let quoted = format!(
            "{}\"x\",A1,13800000000,13900000000,2024-03-05 14:23:11,,,0,FAILED\n{}",
            &text[..cut],
            &text[cut..]
        );
        compare(&quoted, 1000, false);
    }

    /// Reads the file at `path` in blocks of 4 KB under a budget whose
    /// pool holds `share` records.
    fn read_spilling(path: &std::path::Path, share: u64) -> crate::model::Side {
        let path = path.to_path_buf();
        let opts = ReadOptions::new(crate::vocab::tests::vocabulary());
        let scan = crate::read::ScanOptions {
            threads: 2,
            block_bytes: 4096,
            min_parallel_bytes: 0,
            // A pool of `share` records: seven eighths of the limit.
            memory: Some(crate::spill::MemoryBudget::new(share * 40 / 7 * 8)),
            ..crate::read::ScanOptions::for_matching()
        };
        crate::read::read_side_with(&[path], &opts, &scan).unwrap()
    }

    /// Returns a side's records in matching order, loaded back from its
    /// partitions when it spilled.
    fn all_records(side: &crate::model::Side) -> Vec<Record> {
        let mut records = side.records.clone();
        if let Some(s) = &side.spilled {
            for p in 0..s.parts() {
                records.extend(s.load(p).unwrap());
            }
        }
        records.sort_by_key(crate::matching::order_key);
        records
    }

    #[test]
    fn spill_large_file_by_block() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("local.csv");
        std::fs::write(&path, export(6000, "")).unwrap();
        let whole = read_spilling(&path, 1 << 30);
        assert!(!whole.is_spilled());
        let spilled = read_spilling(&path, 200);
        let largest = spilled.spilled.as_ref().map_or(0, |s| s.largest_batch);
        // A 4 KB block holds some 30 lines: each spill is the share plus
        // about a block, not the file's thousands of records.
        assert!(spilled.is_spilled());
        assert!((200..400).contains(&largest), "{largest}");
        assert_eq!(all_records(&spilled), all_records(&whole));
        assert_eq!(spilled.agents, whole.agents);
        assert_eq!(spilled.stats.answered, whole.stats.answered);
    }

    #[test]
    fn spill_given_up_file_counts_once() {
        // The quote in the last row makes the fast path give up after it
        // has spilled most of the file; the general reader starts over.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("local.csv");
        let quoted = "\"q\",A1,1,2,2024-03-05 14:23:11,,,0,FAILED\n";
        std::fs::write(&path, export(6000, quoted)).unwrap();
        let whole = read_spilling(&path, 1 << 30);
        let spilled = read_spilling(&path, 200);
        assert!(spilled.is_spilled());
        assert_eq!(all_records(&spilled), all_records(&whole));
        assert_eq!(spilled.stats, whole.stats);
    }

    #[test]
    fn empty_lines_read_in_parallel_alike() {
        compare(export(500, "\n"), 1000, true);
    }

    #[test]
    fn cut_off_last_lines_fall_back_to_the_general_reader() {
        let text = export(500, "");
        compare(format!("{text}x,A1,13800000000"), 1000, false);
        compare(
            format!("{text}x,A1,13800000000,13900000000,2024-03-05 14:23:11,,,0,FAILED"),
            1000,
            true,
        );
    }

    #[test]
    fn pack_agent_byte_layout() {
        for n in 0..20usize {
            let text: Vec<u8> = (0..n).map(|i| b'A' + (i * 7 % 26) as u8).collect();
            let expected = (1..=15).contains(&n).then(|| {
                let mut bytes = [0u8; 16];
                bytes[..n].copy_from_slice(&text);
                bytes[15] = n as u8;
                u128::from_le_bytes(bytes)
            });
            assert_eq!(pack_agent(&text), expected, "{n}");
        }
        assert_ne!(pack_agent(b"A01"), pack_agent(b"A01\0"));
    }

    #[test]
    fn plain_digits_cases() {
        for (text, plain) in [
            ("13800138000", true),
            ("0", true),
            ("12345678901234567890", true),
            ("", false),
            ("138****0000", false),
            ("1380013800a", false),
            ("+8613800138000", false),
            ("12345678 ", false),
        ] {
            assert_eq!(plain_digits(text.as_bytes()), plain, "{text:?}");
        }
    }

    #[test]
    fn small_ints_are_plain_digits_only() {
        assert_eq!(small_int(b"86"), Some(86));
        assert_eq!(small_int(b"0"), Some(0));
        assert_eq!(small_int(b""), None);
        assert_eq!(small_int(b" 8"), None);
        assert_eq!(small_int(b"1234567890"), None);
    }
}
