//! Text tables: encoding detection, decoding while streaming, delimiter
//! sniffing and CSV parsing with the `csv` crate.
//!
//! The encoding is decided from the first 64 KiB. A byte-order mark wins,
//! then valid UTF-8 is read as UTF-8, and anything else as GB18030 (a
//! superset of GBK, which Chinese Windows exports use). Bytes that do not
//! decode are replaced and counted, never guessed.

use std::io::{self, Read};

use encoding_rs::{Decoder, Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// Bytes looked at to decide the encoding and the delimiter.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

/// Delimiters tried, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b'\t', b'|', b';'];

/// The text encodings this reader tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Gb18030,
}

impl TextEncoding {
    /// The name shown to users, e.g. `UTF-8 (BOM)` or `GB18030`.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Gb18030 => "GB18030",
        }
    }

    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => UTF_8,
            TextEncoding::Utf16Le => UTF_16LE,
            TextEncoding::Utf16Be => UTF_16BE,
            TextEncoding::Gb18030 => GB18030,
        }
    }
}

/// Decides the encoding of a file from its first bytes. `None` when the
/// bytes hold NULs in a way no text encoding explains (binary content).
pub(crate) fn detect_encoding(head: &[u8]) -> Option<TextEncoding> {
    if let Some(body) = head.strip_prefix(UTF8_BOM) {
        // A UTF-8 mark before a GBK body (an editor added it) is passed
        // over, and the body is read as GB18030.
        return Some(match std::str::from_utf8(body) {
            Err(e) if e.error_len().is_some() => TextEncoding::Gb18030,
            _ => TextEncoding::Utf8Bom,
        });
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Some(TextEncoding::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Some(TextEncoding::Utf16Be);
    }
    if let Some(utf16) = utf16_without_bom(head) {
        return Some(utf16);
    }
    if memchr::memchr(0, head).is_some() {
        return None;
    }
    match std::str::from_utf8(head) {
        Ok(_) => Some(TextEncoding::Utf8),
        // A multi-byte character cut by the end of the sniffed prefix.
        Err(e) if e.error_len().is_none() => Some(TextEncoding::Utf8),
        Err(_) => Some(TextEncoding::Gb18030),
    }
}

/// UTF-16 without a byte-order mark shows as NULs in every other byte of
/// ASCII text.
fn utf16_without_bom(head: &[u8]) -> Option<TextEncoding> {
    let sample = &head[..head.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    if odd * 10 > pairs * 7 && even * 10 < pairs {
        return Some(TextEncoding::Utf16Le);
    }
    if even * 10 > pairs * 7 && odd * 10 < pairs {
        return Some(TextEncoding::Utf16Be);
    }
    None
}

/// True when decoded text is mostly control characters or replacement
/// characters: random or binary bytes rather than a table.
pub(crate) fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars() {
        total += 1;
        let control = (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r' | '\x0c');
        if control || c == '\u{7f}' || c == '\u{fffd}' {
            bad += 1;
        }
    }
    total > 0 && bad * 20 > total
}

/// Picks the delimiter that splits the most lines into the same number of
/// fields. Quoted parts are skipped, title lines without delimiters do not
/// count. Falls back to a comma (a one-column file).
pub(crate) fn sniff_delimiter(text: &str, complete: bool) -> u8 {
    let mut lines: Vec<&str> = text.lines().take(200).collect();
    if !complete && lines.len() > 1 {
        lines.pop();
    }
    let mut best = (0usize, 0usize, b',');
    for d in DELIMITERS {
        let (agreeing, count) = delimiter_score(&lines, d);
        if (agreeing, count) > (best.0, best.1) {
            best = (agreeing, count, d);
        }
    }
    best.2
}

/// (lines sharing the most common non-zero count, that count).
fn delimiter_score(lines: &[&str], d: u8) -> (usize, usize) {
    let mut counts: Vec<usize> = lines
        .iter()
        .map(|l| count_outside_quotes(l, d))
        .filter(|n| *n > 0)
        .collect();
    counts.sort_unstable();
    let mut best = (0usize, 0usize);
    let mut i = 0;
    while i < counts.len() {
        let j = counts[i..].iter().take_while(|n| **n == counts[i]).count();
        if (j, counts[i]) > best {
            best = (j, counts[i]);
        }
        i += j;
    }
    best
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == d && !quoted {
            n += 1;
        }
    }
    n
}

/// A reader that decodes its input to UTF-8 on the fly, counting the
/// replaced (undecodable) sequences and the quote characters it passes on.
pub(crate) struct DecodeReader<R> {
    inner: R,
    decoder: Decoder,
    raw: Vec<u8>,
    raw_pos: usize,
    raw_len: usize,
    raw_eof: bool,
    out: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    finished: bool,
    /// Replacement characters written for bytes that did not decode.
    pub(crate) replacements: u64,
    /// `"` characters passed on; odd at the end means an unclosed quote.
    pub(crate) quotes: u64,
    /// The last byte passed on: a text that does not end with a line
    /// break may have been cut off.
    pub(crate) last_byte: Option<u8>,
    /// Lines end with a CR alone (classic Mac OS), passed on as LF.
    pub(crate) cr_lines: bool,
    /// Bytes passed on since the last line break.
    line_bytes: usize,
}

/// Maximum line length read, in bytes: far beyond any export's row, so
/// that a file without line breaks fails early instead of being held whole.
pub(crate) const MAX_LINE_BYTES: usize = 8 << 20;

impl<R: Read> DecodeReader<R> {
    /// Creates the reader. `head` contains the bytes already read from
    /// `inner` for sniffing.
    pub(crate) fn new(inner: R, head: Vec<u8>, encoding: TextEncoding) -> Self {
        let raw_len = head.len();
        let raw_pos = raw_len - skip_bom(&head, encoding).len();
        let mut raw = head;
        raw.resize(raw_len.max(SNIFF_BYTES), 0);
        DecodeReader {
            inner,
            decoder: encoding.encoding().new_decoder_with_bom_removal(),
            raw,
            raw_pos,
            raw_len,
            raw_eof: false,
            out: vec![0; SNIFF_BYTES * 3 + 16],
            out_pos: 0,
            out_len: 0,
            finished: false,
            replacements: 0,
            quotes: 0,
            last_byte: None,
            cr_lines: false,
            line_bytes: 0,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        if self.raw_pos < self.raw_len || self.raw_eof {
            return Ok(());
        }
        let n = loop {
            match self.inner.read(&mut self.raw) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.raw_pos = 0;
        self.raw_len = n;
        self.raw_eof = n == 0;
        Ok(())
    }

    fn decode_more(&mut self) -> io::Result<()> {
        self.refill()?;
        let last = self.raw_eof;
        let src = &self.raw[self.raw_pos..self.raw_len];
        let (result, read, written, replaced) =
            self.decoder.decode_to_utf8(src, &mut self.out, last);
        self.raw_pos += read;
        self.out_pos = 0;
        self.out_len = written;
        if self.cr_lines {
            // A CR byte is never part of a longer UTF-8 sequence.
            for b in &mut self.out[..written] {
                if *b == b'\r' {
                    *b = b'\n';
                }
            }
        }
        let produced = &self.out[..written];
        if replaced {
            self.replacements +=
                memchr::memmem::find_iter(produced, "\u{fffd}".as_bytes()).count() as u64;
        }
        self.quotes += memchr::memchr_iter(b'"', produced).count() as u64;
        if let Some(last) = produced.last() {
            self.last_byte = Some(*last);
        }
        self.line_bytes = match memchr::memrchr(b'\n', produced) {
            Some(i) => produced.len() - i - 1,
            None => self.line_bytes + produced.len(),
        };
        if self.line_bytes > MAX_LINE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a line longer than {} MiB", MAX_LINE_BYTES >> 20),
            ));
        }
        if last && result == encoding_rs::CoderResult::InputEmpty {
            self.finished = true;
        }
        Ok(())
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos >= self.out_len {
            if self.finished {
                return Ok(0);
            }
            self.decode_more()?;
        }
        let n = buf.len().min(self.out_len - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Reads up to `limit` bytes, fewer only at the end of the input.
pub(crate) fn read_head(r: &mut dyn Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(limit);
    r.take(limit as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Decodes a sniffed prefix for analysis (delimiter, binary check).
pub(crate) fn decode_head(head: &[u8], encoding: TextEncoding) -> String {
    let (text, _, _) = encoding.encoding().decode(skip_bom(head, encoding));
    text.into_owned()
}

/// The byte-order mark of UTF-8.
const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Returns `head` without a UTF-8 mark when the text is read as GB18030,
/// which would decode the mark's bytes as characters.
fn skip_bom(head: &[u8], encoding: TextEncoding) -> &[u8] {
    match encoding {
        TextEncoding::Gb18030 => head.strip_prefix(UTF8_BOM).unwrap_or(head),
        _ => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_told_apart() {
        let gbk = GB18030.encode("主叫号码,被叫号码\n").0.into_owned();
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "a,b\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let cases: Vec<(&[u8], Option<TextEncoding>)> = vec![
            (b"a,b\n1,2\n", Some(TextEncoding::Utf8)),
            ("\u{feff}主叫,被叫".as_bytes(), Some(TextEncoding::Utf8Bom)),
            (&gbk, Some(TextEncoding::Gb18030)),
            (&utf16, Some(TextEncoding::Utf16Le)),
            (&[0xFE, 0xFF, 0, b'a'], Some(TextEncoding::Utf16Be)),
            (&[1, 2, 0, 0, 7, 0, 9, 0xff, 0, 3, 0, 0], None),
        ];
        for (bytes, want) in cases {
            assert_eq!(detect_encoding(bytes), want, "{bytes:?}");
        }
    }

    #[test]
    fn utf8_with_cut_character_at_end() {
        let text = "主叫号码".as_bytes();
        assert_eq!(detect_encoding(&text[..4]), Some(TextEncoding::Utf8));
    }

    #[test]
    fn delimiters_are_sniffed_past_title_lines() {
        let cases = [
            ("a,b,c\n1,2,3\n", b','),
            ("标题\n号码|时间|时长\n1|2|3\n4|5|6\n", b'|'),
            ("a\tb\n1\t2\n", b'\t'),
            ("a;b\n\"1;x\";2\n", b';'),
            ("\"a,b\"|c|d\n1|2|3\n", b'|'),
            ("one column\nvalue\n", b','),
        ];
        for (text, want) in cases {
            assert_eq!(
                sniff_delimiter(text, true) as char,
                want as char,
                "{text:?}"
            );
        }
    }

    #[test]
    fn decoding_counts_replaced_bytes_and_quotes() {
        let bytes = b"\"a\",b\xff\n".to_vec();
        let mut r = DecodeReader::new(&b""[..], bytes, TextEncoding::Utf8);
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, "\"a\",b\u{fffd}\n");
        assert_eq!(r.replacements, 1);
        assert_eq!(r.quotes, 2);
    }

    #[test]
    fn binary_text_is_recognised() {
        assert!(looks_binary("\u{1}\u{2}\u{fffd}\u{fffd}ab"));
        assert!(!looks_binary("主叫,被叫\r\n1,2\n"));
    }
}
