//! Workbooks through calamine: every sheet becomes a source, cell types are
//! kept (text, number, date-time, duration), dates respect the workbook's
//! 1900 or 1904 date system.

use std::io::{Read, Seek};
use std::path::Path;

use calamine::{Data, DataRef, ExcelDateTime, Range, Reader, Xls, Xlsx};
use chrono::{NaiveDate, NaiveDateTime};

use crate::cell::{Cell, CellRef};
use crate::error::TableError;
use crate::stream::{Event, Flow, Format, RowView, SourceInfo};

pub(crate) fn stream_xls<R: Read + Seek>(
    path: &Path,
    mut reader: R,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|source| TableError::Io {
            file: path.to_path_buf(),
            source,
        })?;
    crate::ole::check_chains(&bytes).map_err(|message| TableError::Workbook {
        file: path.to_path_buf(),
        message,
    })?;
    let reader = std::io::Cursor::new(bytes);
    let book: Xls<_> = guarded(path, || calamine::open_workbook_from_rs(reader))?;
    stream_book(path, Format::Xls, book, sink)
}

/// Streams an `.xlsx` workbook cell by cell. Unlike a whole-sheet range,
/// this stays small when a stray cell sits far from the data (a range
/// spanning A1 to XFD1048576 would need billions of cells).
pub(crate) fn stream_xlsx<R: Read + Seek>(
    path: &Path,
    reader: R,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError> {
    let mut book: Xlsx<R> = guarded(path, || calamine::open_workbook_from_rs(reader))?;
    for name in book.sheet_names() {
        stream_xlsx_sheet(path, &mut book, &name, sink)?;
    }
    Ok(())
}

/// Columns of an `.xlsx` sheet (A to XFD).
const XLSX_MAX_COLUMNS: usize = 16_384;

fn stream_xlsx_sheet<R: Read + Seek>(
    path: &Path,
    book: &mut Xlsx<R>,
    name: &str,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError> {
    let info = SourceInfo {
        file: path.to_path_buf(),
        format: Format::Xlsx,
        sheet: Some(name.to_string()),
        encoding: None,
        delimiter: None,
    };
    if sink(Event::Source(&info)).is_break() {
        return Ok(());
    }
    let mut reader = guarded(path, || book.worksheet_cells_reader(name))?;
    let mut cells: Vec<Cell> = Vec::new();
    let mut current: Option<u32> = None;
    while let Some(cell) = guarded(path, || reader.next_cell())? {
        let (row, col) = cell.get_position();
        if current != Some(row) {
            if let Some(done) = current {
                if emit(sink, done, &cells).is_break() {
                    return Ok(());
                }
            }
            cells.clear();
            current = Some(row);
        }
        let col = col as usize;
        if col >= XLSX_MAX_COLUMNS {
            return Err(damaged(
                path,
                format!("cell in column {} beyond the last column", col + 1),
            ));
        }
        if cells.len() <= col {
            cells.resize(col + 1, Cell::Empty);
        }
        cells[col] = owned_cell(cell.get_value());
    }
    if let Some(done) = current {
        if emit(sink, done, &cells).is_break() {
            return Ok(());
        }
    }
    let _ = sink(Event::End { invalid_bytes: 0 });
    Ok(())
}

fn emit(sink: &mut dyn FnMut(Event<'_>) -> Flow, row: u32, cells: &[Cell]) -> Flow {
    sink(Event::Row {
        row: u64::from(row) + 1,
        cells: RowView::Owned(cells),
    })
}

/// Converts a streamed `.xlsx` cell into an owned [`Cell`].
fn owned_cell(data: &DataRef<'_>) -> Cell {
    match data {
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
        DataRef::String(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_string()),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => datetime(d).to_owned(),
        DataRef::DateTimeIso(s) => {
            parse_iso(s).map_or_else(|| Cell::Text(s.clone()), Cell::DateTime)
        }
    }
}

fn stream_book<R: Read + Seek, B: Reader<R>>(
    path: &Path,
    format: Format,
    mut book: B,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError>
where
    B::Error: std::fmt::Display,
{
    for name in book.sheet_names() {
        let range = guarded(path, || book.worksheet_range(&name))?;
        stream_range(path, format, &name, &range, sink);
    }
    Ok(())
}

thread_local! {
    /// Set while calamine runs on this thread, so its panics stay quiet.
    static IN_WORKBOOK_READER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs a calamine call, turning both its errors and its panics into a
/// damaged-workbook error. calamine 0.38 panics on some damaged files
/// (slices past the end of a sector), and a panic must not end the run.
fn guarded<T, E: std::fmt::Display>(
    path: &Path,
    call: impl FnOnce() -> Result<T, E>,
) -> Result<T, TableError> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_WORKBOOK_READER.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    IN_WORKBOOK_READER.with(|flag| flag.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(call));
    IN_WORKBOOK_READER.with(|flag| flag.set(false));
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(damaged(path, e)),
        Err(_) => {
            tracing::info!(file = %path.display(), "workbook reader panicked on a damaged file");
            Err(damaged(path, "the workbook structure is inconsistent"))
        }
    }
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

/// Converts a calamine cell into a [`CellRef`].
pub(crate) fn cell_ref(data: &Data) -> CellRef<'_> {
    match data {
        Data::Empty | Data::Error(_) => CellRef::Empty,
        Data::String(s) => CellRef::Text(s),
        Data::Int(i) => CellRef::Number(*i as f64),
        Data::Float(f) => CellRef::Number(*f),
        Data::Bool(b) => CellRef::Bool(*b),
        Data::DateTime(d) => datetime(d),
        Data::DateTimeIso(s) => parse_iso(s).map_or(CellRef::Text(s), CellRef::DateTime),
        Data::DurationIso(s) => CellRef::Text(s),
    }
}

/// Decodes a date-time or duration cell in the workbook's date system.
fn datetime(d: &ExcelDateTime) -> CellRef<'static> {
    if d.is_duration() {
        return CellRef::Duration(d.as_f64() * 86_400.0);
    }
    let (y, mo, da, h, mi, s, ms) = d.to_ymd_hms_milli();
    NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(da))
        .and_then(|date| {
            date.and_hms_milli_opt(u32::from(h), u32::from(mi), u32::from(s), u32::from(ms))
        })
        .map_or(CellRef::Number(d.as_f64()), CellRef::DateTime)
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
