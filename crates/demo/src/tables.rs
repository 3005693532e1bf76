//! Table files as Chinese offices make them: CSV with a UTF-8 byte-order
//! mark (so Excel shows the Chinese headers), GBK CSV from carriers, and
//! XLSX workbooks whose cells are text, as exported from most HR and
//! complaint systems. Workbook metadata carries a fixed time so the same
//! seed gives the same bytes.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

/// CSV text with `\r\n` line ends (the exports come from Windows systems).
pub fn csv_text(headers: &[&str], rows: &[Vec<String>]) -> Result<String, String> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    if !headers.is_empty() {
        w.write_record(headers).map_err(|e| e.to_string())?;
    }
    for row in rows {
        w.write_record(row).map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// UTF-8 with a byte-order mark.
pub fn utf8_bom(text: &str) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend_from_slice(text.as_bytes());
    out
}

/// GBK bytes; every character the demo writes exists in GBK.
pub fn gbk(text: &str) -> Result<Vec<u8>, String> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    if unmappable {
        return Err("text has a character GBK cannot hold".into());
    }
    Ok(bytes.into_owned())
}

/// Builds a one-sheet workbook with a bold header row. Cells are text, except in
/// the `numeric` columns, where values that parse as numbers are numbers
/// (amounts in a bank statement).
pub fn xlsx(
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<String>],
    numeric: &[usize],
) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2025, 1, 10)
        .and_then(|d| d.and_hms(9, 30, 0))
        .map_err(|e| e.to_string())?;
    let props = DocProperties::new()
        .set_author("nianshen demo")
        .set_creation_datetime(&created);
    book.set_properties(&props);

    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(|e| e.to_string())?;
        let width = rows
            .iter()
            .filter_map(|r| r.get(c))
            .chain(std::iter::once(&h.to_string()))
            .map(|s| display_width(s))
            .max()
            .unwrap_or(8);
        ws.set_column_width(c as u16, (width + 2).min(60) as f64)
            .map_err(|e| e.to_string())?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let (row, col) = (r as u32 + 1, c as u16);
            match value.parse::<f64>() {
                _ if value.is_empty() => {}
                Ok(n) if numeric.contains(&c) => {
                    ws.write_number_with_format(row, col, n, &money)
                        .map_err(|e| e.to_string())?;
                }
                _ => {
                    ws.write_string(row, col, value)
                        .map_err(|e| e.to_string())?;
                }
            }
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// Column width in Excel characters: CJK characters count double.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_minimally_with_crlf() {
        let text = csv_text(&["a", "b"], &[vec!["1".into(), "x,y".into()]]).unwrap();
        assert_eq!(text, "a,b\r\n1,\"x,y\"\r\n");
    }

    #[test]
    fn gbk_encodes_chinese_in_two_bytes() {
        assert_eq!(gbk("合计").unwrap().len(), 4);
        assert!(gbk("😀").is_err());
    }

    #[test]
    fn workbooks_are_byte_identical() {
        let rows = vec![vec!["张三".to_string(), "2024-12".to_string()]];
        let a = xlsx("参保人员", &["姓名", "参保起始"], &rows, &[]).unwrap();
        let b = xlsx("参保人员", &["姓名", "参保起始"], &rows, &[]).unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[..2], b"PK");
    }
}
