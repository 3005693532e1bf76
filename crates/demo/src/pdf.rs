//! A small PDF writer for the demo's documents: text pages in Chinese with a
//! real cross-reference table and a text layer that extractors can read.
//!
//! Chinese text uses the Adobe-GB1 font `STSong-Light`, which PDF readers
//! supply themselves, with the `UniGB-UCS2-H` encoding (two-byte UCS-2 codes
//! in the content stream). A `ToUnicode` map lets text extractors turn
//! those codes back into characters, so nothing needs to be embedded and a
//! page stays a few KB. Streams are left uncompressed on purpose: the files
//! are small and any reader can check them by eye.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::rng::mix;

/// A4 in points.
const PAGE_W: f64 = 595.0;
const PAGE_H: f64 = 842.0;
const MARGIN: f64 = 64.0;
const TITLE_SIZE: f64 = 18.0;
const BODY_SIZE: f64 = 11.0;
const LEADING: f64 = 19.0;

/// A document: a title and paragraphs, laid out on as many pages as needed.
#[derive(Clone, Debug)]
pub struct Doc {
    pub title: String,
    pub paragraphs: Vec<String>,
    /// The date of the document (PDF metadata).
    pub date: NaiveDate,
}

/// The finished file with the offsets a later incremental update needs.
#[derive(Clone, Debug)]
pub struct Written {
    pub bytes: Vec<u8>,
    /// Object numbers of the catalog, the page tree and the first page.
    pub catalog: usize,
    pub pages: usize,
    pub first_page: usize,
    /// The page's dictionary text without `<<`/`>>`, to be repeated with an
    /// `/Annots` entry by an update.
    pub first_page_dict: String,
    pub info: usize,
    /// Number of objects including the free object 0.
    pub size: usize,
    pub xref_offset: usize,
    pub id: String,
}

/// Renders `doc` into a complete PDF.
pub fn render(doc: &Doc) -> Written {
    let pages = layout(doc);
    let mut b = Builder::default();

    let catalog = b.reserve();
    let pages_obj = b.reserve();
    let font = b.reserve();
    let cid_font = b.reserve();
    let to_unicode = b.reserve();
    let descriptor = b.reserve();
    let info = b.reserve();

    let mut kids = Vec::new();
    let mut first_page = 0;
    let mut first_page_dict = String::new();
    for (i, page) in pages.iter().enumerate() {
        let content = b.stream(page.as_bytes());
        let page_obj = b.reserve();
        let dict = format!(
            "/Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
             /Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R"
        );
        b.set(page_obj, format!("<< {dict} >>"));
        if i == 0 {
            first_page = page_obj;
            first_page_dict = dict;
        }
        kids.push(format!("{page_obj} 0 R"));
    }

    b.set(
        catalog,
        format!("<< /Type /Catalog /Pages {pages_obj} 0 R >>"),
    );
    b.set(
        pages_obj,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            kids.len()
        ),
    );
    let cmap = to_unicode_cmap(&pages.concat());
    font_objects(&mut b, [font, cid_font, to_unicode, descriptor], &cmap);
    let date = doc.date.format("D:%Y%m%d093000+08'00'").to_string();
    b.set(
        info,
        format!(
            "<< /Title {} /Producer (nianshen demo) /CreationDate ({date}) /ModDate ({date}) >>",
            utf16_hex(&doc.title)
        ),
    );

    b.finish([catalog, pages_obj, info, first_page], first_page_dict)
}

/// Sets the Type 0 font, its CID font, ToUnicode map and descriptor at the
/// object numbers given.
fn font_objects(b: &mut Builder, numbers: [usize; 4], cmap: &str) {
    let [font, cid_font, to_unicode, descriptor] = numbers;
    b.set(
        font,
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H \
             /DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>"
        ),
    );
    // CIDs 1–95 are the proportional ASCII glyphs of Adobe-GB1: half width.
    b.set(
        cid_font,
        format!(
            "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> \
             /FontDescriptor {descriptor} 0 R /DW 1000 /W [1 95 500] >>"
        ),
    );
    b.set_stream(to_unicode, cmap.as_bytes());
    b.set(
        descriptor,
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 \
         /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 \
         /CapHeight 880 /StemV 93 >>"
            .to_string(),
    );
}

/// Objects written in number order; numbers start at 1.
#[derive(Debug, Default)]
struct Builder {
    objects: Vec<Vec<u8>>,
}

impl Builder {
    fn reserve(&mut self) -> usize {
        self.objects.push(Vec::new());
        self.objects.len()
    }

    fn set(&mut self, n: usize, body: String) {
        if let Some(slot) = self.objects.get_mut(n - 1) {
            *slot = body.into_bytes();
        }
    }

    fn set_stream(&mut self, n: usize, data: &[u8]) {
        let mut body = format!("<< /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        if let Some(slot) = self.objects.get_mut(n - 1) {
            *slot = body;
        }
    }

    fn stream(&mut self, data: &[u8]) -> usize {
        let n = self.reserve();
        self.set_stream(n, data);
        n
    }

    /// `objects` are the catalog, page tree, info and first page numbers.
    fn finish(self, objects: [usize; 4], dict: String) -> Written {
        let [catalog, pages, info, first_page] = objects;
        let mut out = b"%PDF-1.7\n%\xe5\xb9\xb4\xe5\xae\xa1\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in self.objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let id = document_id(&out);
        let xref_offset = out.len();
        let size = self.objects.len() + 1;
        out.extend_from_slice(xref_table(0, &offsets, true).as_bytes());
        let trailer = format!(
            "trailer\n<< /Size {size} /Root {catalog} 0 R /Info {info} 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref_offset}\n%%EOF\n"
        );
        out.extend_from_slice(trailer.as_bytes());
        Written {
            bytes: out,
            catalog,
            pages,
            first_page,
            first_page_dict: dict,
            info,
            size,
            xref_offset,
            id,
        }
    }
}

/// Formats a cross-reference section for consecutive objects starting at `first`
/// (with the free object 0 when `with_free` is set). Each entry is exactly
/// 20 bytes, as the format requires.
pub fn xref_table(first: usize, offsets: &[usize], with_free: bool) -> String {
    let mut s = String::from("xref\n");
    if with_free {
        let _ = writeln!(s, "0 {}", offsets.len() + 1);
        s.push_str("0000000000 65535 f \n");
    } else {
        let _ = writeln!(s, "{first} {}", offsets.len());
    }
    for off in offsets {
        let _ = writeln!(s, "{off:010} 00000 n ");
    }
    s
}

/// Derives a file identifier from the content, so equal files get equal ids.
fn document_id(bytes: &[u8]) -> String {
    let mut h1 = 0u64;
    let mut h2 = 0u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        h1 = mix(h1, v, 1);
        h2 = mix(h2, v, 2);
    }
    format!("{h1:016x}{h2:016x}")
}

/// Encodes a PDF text string as UTF-16BE hex with a byte-order mark.
pub fn utf16_hex(text: &str) -> String {
    let mut s = String::from("<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(s, "{unit:04X}");
    }
    s.push('>');
    s
}

/// Content streams of the pages: the title on the first page, then the
/// paragraphs wrapped to the text width.
fn layout(doc: &Doc) -> Vec<String> {
    let width = PAGE_W - 2.0 * MARGIN;
    let mut lines: Vec<String> = Vec::new();
    for p in &doc.paragraphs {
        if p.is_empty() {
            lines.push(String::new());
        } else {
            lines.extend(wrap(p, width / BODY_SIZE));
        }
    }
    let per_page = ((PAGE_H - 2.0 * MARGIN - 2.0 * LEADING) / LEADING) as usize;
    let mut pages = Vec::new();
    for (i, chunk) in lines.chunks(per_page.max(1)).enumerate() {
        let mut s = String::new();
        let mut y = PAGE_H - MARGIN;
        if i == 0 {
            let tw = text_width(&doc.title) * TITLE_SIZE;
            let x = ((PAGE_W - tw) / 2.0).max(MARGIN);
            let _ = writeln!(
                s,
                "BT /F1 {TITLE_SIZE} Tf {x:.1} {y:.1} Td {} Tj ET",
                ucs2_hex(&doc.title)
            );
            y -= 2.0 * LEADING;
        }
        for line in chunk {
            if !line.is_empty() {
                let _ = writeln!(
                    s,
                    "BT /F1 {BODY_SIZE} Tf {MARGIN} {y:.1} Td {} Tj ET",
                    ucs2_hex(line)
                );
            }
            y -= LEADING;
        }
        pages.push(s);
    }
    if pages.is_empty() {
        pages.push(format!(
            "BT /F1 {TITLE_SIZE} Tf {MARGIN} {} Td {} Tj ET\n",
            PAGE_H - MARGIN,
            ucs2_hex(&doc.title)
        ));
    }
    pages
}

/// Width of a text in ems: ASCII half width, everything else full width.
fn text_width(text: &str) -> f64 {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> f64 {
    if c.is_ascii() {
        0.5
    } else {
        1.0
    }
}

/// Splits a paragraph into lines of at most `ems` wide, keeping runs of
/// ASCII letters and digits (numbers, codes) on one line where they fit.
fn wrap(text: &str, ems: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line: Vec<char> = Vec::new();
    let mut w = 0.0;
    for c in text.chars() {
        let cw = char_width(c);
        if w + cw > ems && !line.is_empty() {
            let word = |ch: &char| ch.is_ascii_alphanumeric() || *ch == '.' || *ch == ',';
            let run = line.iter().rev().take_while(|ch| word(ch)).count();
            let carry = if word(&c) && run < line.len() { run } else { 0 };
            let tail = line.split_off(line.len() - carry);
            lines.push(line.into_iter().collect());
            w = tail.iter().copied().map(char_width).sum();
            line = tail;
        }
        line.push(c);
        w += cw;
    }
    if !line.is_empty() {
        lines.push(line.into_iter().collect());
    }
    lines
}

/// Text as a hex string of UCS-2 codes; characters outside the Basic
/// Multilingual Plane (none are used) become a question mark.
fn ucs2_hex(text: &str) -> String {
    let mut s = String::from("<");
    for c in text.chars() {
        let code = u32::from(c);
        let code = if code > 0xFFFF { 0x3F } else { code };
        let _ = write!(s, "{code:04X}");
    }
    s.push('>');
    s
}

/// Builds a ToUnicode CMap that maps every two-byte code to the same Unicode value,
/// one range per high byte that the content uses (a range may not cross a
/// high-byte boundary).
fn to_unicode_cmap(content: &str) -> String {
    let mut highs: Vec<u32> = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let hex = &rest[start + 1..start + len];
        for unit in hex.as_bytes().chunks(4) {
            if let Ok(code) = u32::from_str_radix(&String::from_utf8_lossy(unit), 16) {
                highs.push(code >> 8);
            }
        }
        rest = &rest[start + len..];
    }
    highs.sort_unstable();
    highs.dedup();

    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for block in highs.chunks(100) {
        let _ = writeln!(s, "{} beginbfrange", block.len());
        for h in block {
            let _ = writeln!(s, "<{h:02X}00> <{h:02X}FF> <{h:02X}00>");
        }
        s.push_str("endbfrange\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Doc {
        Doc {
            title: "网络安全等级保护测评报告".into(),
            paragraphs: vec![
                "安全保护等级：第三级（S3A3G3）".into(),
                String::new(),
                "ABC 123".into(),
            ],
            date: NaiveDate::from_ymd_opt(2025, 1, 10).unwrap(),
        }
    }

    #[test]
    fn xref_offsets_point_at_their_objects() {
        let w = render(&sample());
        let text = String::from_utf8_lossy(&w.bytes).into_owned();
        let xref = &text[w.xref_offset..];
        assert!(xref.starts_with("xref\n0 "));
        let entries: Vec<&str> = xref.lines().skip(3).take(w.size - 1).collect();
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.len(), 19, "{e:?}"); // plus the newline: 20 bytes
            let off: usize = e[..10].parse().unwrap();
            assert!(w.bytes[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
        }
        assert!(text.ends_with(&format!("startxref\n{}\n%%EOF\n", w.xref_offset)));
    }

    #[test]
    fn text_written_as_ucs2_with_map() {
        let w = render(&sample());
        let text = String::from_utf8_lossy(&w.bytes).into_owned();
        // 第 = U+7B2C, 三 = U+4E09, 级 = U+7EA7
        assert!(text.contains("7B2C4E097EA7"));
        assert!(text.contains("<7B00> <7BFF> <7B00>"));
        assert!(text.contains("/UniGB-UCS2-H"));
    }

    #[test]
    fn render_is_deterministic() {
        assert_eq!(render(&sample()).bytes, render(&sample()).bytes);
    }

    #[test]
    fn wrapping_keeps_numbers_whole() {
        let lines = wrap("甲甲甲甲 2024年", 5.5);
        assert_eq!(lines, vec!["甲甲甲甲 ".to_string(), "2024年".to_string()]);
        let lines = wrap("12345678", 2.0);
        assert_eq!(lines, vec!["1234", "5678"]);
    }

    #[test]
    fn long_paragraphs_wrap_and_spill_onto_more_pages() {
        let mut doc = sample();
        doc.paragraphs = (0..120)
            .map(|i| format!("第{i}条 {}", "甲".repeat(60)))
            .collect();
        let w = render(&doc);
        let text = String::from_utf8_lossy(&w.bytes).into_owned();
        let pages = text.matches("/Type /Page ").count();
        assert!(pages >= 5, "{pages}");
    }
}
