//! Workbooks through calamine: every sheet becomes a source, cell types are
//! kept (text, number, date-time, duration), dates respect the workbook's
//! 1900 or 1904 date system.

use std::io::{Read, Seek};
use std::path::Path;

use calamine::{Data, Range, Reader, Xls, Xlsx};
use chrono::{NaiveDate, NaiveDateTime};

use crate::cell::CellRef;
use crate::error::TableError;
use crate::stream::{Event, Flow, Format, RowView, SourceInfo};

pub(crate) fn stream_xls<R: Read + Seek>(
    path: &Path,
    reader: R,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError> {
    let mut book: Xls<R> = calamine::open_workbook_from_rs(reader).map_err(|e| damaged(path, e))?;
    let names = book.sheet_names();
    for name in names {
        let range = book.worksheet_range(&name).map_err(|e| damaged(path, e))?;
        stream_range(path, Format::Xls, &name, &range, sink);
    }
    Ok(())
}

pub(crate) fn stream_xlsx<R: Read + Seek>(
    path: &Path,
    reader: R,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError> {
    let mut book: Xlsx<R> =
        calamine::open_workbook_from_rs(reader).map_err(|e| damaged(path, e))?;
    let names = book.sheet_names();
    for name in names {
        let range = book.worksheet_range(&name).map_err(|e| damaged(path, e))?;
        stream_range(path, Format::Xlsx, &name, &range, sink);
    }
    Ok(())
}

fn damaged(path: &Path, e: impl std::fmt::Display) -> TableError {
    TableError::Workbook {
        file: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn stream_range(
    path: &Path,
    format: Format,
    sheet: &str,
    range: &Range<Data>,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) {
    let info = SourceInfo {
        file: path.to_path_buf(),
        format,
        sheet: Some(sheet.to_string()),
        encoding: None,
        delimiter: None,
    };
    if sink(Event::Source(&info)).is_break() {
        return;
    }
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    for (i, cells) in range.rows().enumerate() {
        let row = u64::from(first_row) + i as u64 + 1;
        let view = RowView::Sheet {
            cells,
            offset: first_col as usize,
        };
        if sink(Event::Row { row, cells: view }).is_break() {
            return;
        }
    }
    let _ = sink(Event::End { invalid_bytes: 0 });
}

/// A calamine cell as a [`CellRef`].
pub(crate) fn cell_ref(data: &Data) -> CellRef<'_> {
    match data {
        Data::Empty | Data::Error(_) => CellRef::Empty,
        Data::String(s) => CellRef::Text(s),
        Data::Int(i) => CellRef::Number(*i as f64),
        Data::Float(f) => CellRef::Number(*f),
        Data::Bool(b) => CellRef::Bool(*b),
        Data::DateTime(d) if d.is_duration() => CellRef::Duration(d.as_f64() * 86_400.0),
        Data::DateTime(d) => {
            let (y, mo, da, h, mi, s, ms) = d.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(da))
                .and_then(|date| {
                    date.and_hms_milli_opt(u32::from(h), u32::from(mi), u32::from(s), u32::from(ms))
                })
                .map_or(CellRef::Number(d.as_f64()), CellRef::DateTime)
        }
        Data::DateTimeIso(s) => parse_iso(s).map_or(CellRef::Text(s), CellRef::DateTime),
        Data::DurationIso(s) => CellRef::Text(s),
    }
}

/// ISO cells (`t="d"`) written by some tools instead of serials.
fn parse_iso(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}
