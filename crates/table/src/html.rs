//! HTML tables saved under a workbook's name. Some systems "export to
//! Excel" by writing an HTML page with a `.xls` name. Excel opens it, so
//! users take it for a workbook. Each `<table>`
//! is a source, each `<tr>` a row and each `<td>` or `<th>` a cell, read
//! as the text it shows: tags dropped, entities decoded, white space
//! folded.

use std::io::Read;
use std::path::Path;

use crate::error::TableError;
use crate::stream::{Event, Flow, Format, RowView, SourceInfo};
use crate::text::{DecodeReader, TextEncoding};
use crate::Cell;

/// True when decoded text starts as an HTML page or table.
pub(crate) fn looks_like_html(text: &str) -> bool {
    let start: String = text
        .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .chars()
        .take(200)
        .collect::<String>()
        .to_ascii_lowercase();
    ["<html", "<!doctype html", "<table", "<meta", "<head"]
        .iter()
        .any(|tag| start.starts_with(tag))
        || (start.starts_with("<?xml") && start.contains("<html"))
}

/// Streams the tables of an HTML page. `head` contains the first bytes
/// already read from `rest`.
pub(crate) fn stream_html<R: Read>(
    path: &Path,
    rest: R,
    head: Vec<u8>,
    encoding: TextEncoding,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError> {
    let mut reader = DecodeReader::new(rest, head, encoding);
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|e| TableError::Text {
            file: path.to_path_buf(),
            row: 1,
            message: e.to_string(),
        })?;
    let tables = tables(&text);
    let several = tables.len() > 1;
    for (i, rows) in tables.iter().enumerate() {
        let info = SourceInfo {
            file: path.to_path_buf(),
            format: Format::Html,
            sheet: several.then(|| format!("表格 {}", i + 1)),
            encoding: Some(encoding),
            delimiter: None,
        };
        if sink(Event::Source(&info)).is_break() {
            continue;
        }
        for (n, cells) in rows.iter().enumerate() {
            let row = RowView::Owned(cells);
            if sink(Event::Row {
                row: n as u64 + 1,
                cells: row,
            })
            .is_break()
            {
                break;
            }
        }
        if sink(Event::End {
            invalid_bytes: reader.replacements,
        })
        .is_break()
        {
            return Ok(());
        }
    }
    Ok(())
}

/// Returns the rows of each table of `html`.
fn tables(html: &str) -> Vec<Vec<Vec<Cell>>> {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower`
    // cut `html` at the same places.
    let lower = html.to_ascii_lowercase();
    let mut tables = Vec::new();
    let mut at = 0;
    while let Some(start) = find(&lower, "<table", at) {
        let end = find(&lower, "</table", start).unwrap_or(lower.len());
        tables.push(rows(html, &lower, start, end));
        at = end + 1;
    }
    tables
}

/// Returns the rows of the table between byte offsets `start` and `end`.
fn rows(html: &str, lower: &str, start: usize, end: usize) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    let mut at = start;
    while let Some(tr) = find(lower, "<tr", at).filter(|p| *p < end) {
        let row_end = [find(lower, "<tr", tr + 3), find(lower, "</tr", tr)]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(end)
            .min(end);
        rows.push(cells(html, lower, tr, row_end));
        at = row_end;
    }
    rows
}

/// Returns the cells of the row between byte offsets `start` and `end`.
fn cells(html: &str, lower: &str, start: usize, end: usize) -> Vec<Cell> {
    let mut cells = Vec::new();
    let mut at = start;
    loop {
        let open = [find(lower, "<td", at), find(lower, "<th", at)]
            .into_iter()
            .flatten()
            .filter(|p| *p < end)
            .min();
        let Some(open) = open else {
            break;
        };
        let Some(content) = find(lower, ">", open).map(|p| p + 1).filter(|p| *p <= end) else {
            break;
        };
        let close = ["</td", "</th", "<td", "<th"]
            .iter()
            .filter_map(|tag| find(lower, tag, content))
            .min()
            .unwrap_or(end)
            .min(end);
        cells.push(Cell::Text(cell_text(&html[content..close])));
        at = close.max(open + 3);
    }
    cells
}

/// Returns the text a cell shows: tags dropped, entities decoded, white
/// space folded into single spaces.
fn cell_text(inner: &str) -> String {
    let mut text = String::with_capacity(inner.len());
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = decode_entities(&text);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;` and
/// numeric references; other `&` stay as written.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn find(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    haystack.get(from..)?.find(needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &[Vec<Cell>]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Cell::Text(t) => t.clone(),
                        other => format!("{other:?}"),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn table_cells_read_as_shown() {
        let html = r#"<html><head><meta charset="utf-8"><style>td{mso-number-format:"\@";}</style></head>
<body><table border=1>
<tr><th>主叫号码</th><th>被叫号码</th><th>备注</th></tr>
<TR><TD x:str>075512345678</TD><td>13900139001</td><td><b>客户</b>&nbsp;挂断 &amp; 回拨</td></TR>
<tr><td>075512345678<td>13900139002<td>&#21628;&#x53EB;
</table></body></html>"#;

        let tables = tables(html);

        assert_eq!(tables.len(), 1);
        assert_eq!(
            texts(&tables[0]),
            [
                vec!["主叫号码", "被叫号码", "备注"],
                vec!["075512345678", "13900139001", "客户 挂断 & 回拨"],
                vec!["075512345678", "13900139002", "呼叫"],
            ]
        );
    }

    #[test]
    fn pages_told_from_text_tables() {
        assert!(looks_like_html(
            "\u{feff}  <html xmlns:o=\"urn:schemas-microsoft-com:office:office\">"
        ));
        assert!(looks_like_html("<!DOCTYPE html><html>"));
        assert!(looks_like_html("<table><tr><td>1</td></tr></table>"));
        assert!(!looks_like_html("主叫号码,被叫号码\n<b>,x\n"));
    }
}
