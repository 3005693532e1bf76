//! Finding the header row of a table that may start with title rows, and
//! the normalisation header cells are compared under.

use crate::cell::CellRef;
use crate::stream::RowView;

/// A header cell as compared with known header words: trimmed, without
/// byte-order mark or inner spaces, full-width ASCII (`（秒）`) folded to
/// half-width and Latin letters in lower case.
pub fn normalize_header(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .map(|c| match c as u32 {
            // Full-width forms of ASCII.
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// How many cells of `row` are one of `words` (compared normalised; `words`
/// must already be normalised with [`normalize_header`]).
pub fn header_hits(row: RowView<'_>, words: &[String]) -> usize {
    row.iter()
        .filter(|cell| match cell {
            CellRef::Text(t) => {
                let n = normalize_header(t);
                !n.is_empty() && words.contains(&n)
            }
            _ => false,
        })
        .count()
}

/// The index (0-based, into `rows`) of the first of the first `max_scan`
/// rows where at least `min_hits` cells are known header words. Title rows
/// above the header are passed over this way.
pub fn find_header_row<'a>(
    rows: impl IntoIterator<Item = RowView<'a>>,
    words: &[String],
    min_hits: usize,
    max_scan: usize,
) -> Option<usize> {
    rows.into_iter()
        .take(max_scan)
        .position(|row| header_hits(row, words) >= min_hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cell;

    #[test]
    fn header_cells_are_normalised() {
        let cases = [
            ("通话时长（秒）", "通话时长(秒)"),
            (" Caller ID ", "callerid"),
            ("\u{feff}主叫号码", "主叫号码"),
            ("ＡＢＣ", "abc"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_header(raw), want);
        }
    }

    #[test]
    fn header_row_below_title_rows() {
        let rows = [
            vec![Cell::Text("2024年话单".into())],
            vec![Cell::Text("号码：13800138000".into()), Cell::Empty],
            vec![
                Cell::Text("主叫号码".into()),
                Cell::Text("被叫号码".into()),
                Cell::Text("开始时间".into()),
            ],
            vec![Cell::Number(1.0)],
        ];
        let words: Vec<String> = ["主叫号码", "被叫号码", "开始时间"]
            .iter()
            .map(|w| normalize_header(w))
            .collect();
        let views = rows.iter().map(|r| RowView::Owned(r));
        assert_eq!(find_header_row(views, &words, 2, 30), Some(2));
    }
}
