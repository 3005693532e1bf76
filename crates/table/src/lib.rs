//! Reading tabular files as users have them: CSV/TSV/TXT in UTF-8 (with or
//! without BOM), UTF-16 or GB18030/GBK with any common delimiter, XLS and
//! XLSX workbooks, and ZIP archives of those. The content decides how a file
//! is read, not its extension.
//!
//! Two ways in: [`stream`] hands out rows one by one with borrowed cells
//! (for call records, millions of rows); [`read_table`] collects every row
//! of a small file (rosters, account lists, complaint logs).

mod archive;
mod cell;
mod csvrows;
mod error;
mod excel;
mod header;
mod html;
mod ole;
mod sniff;
mod stream;
mod text;

use std::path::{Path, PathBuf};

pub use cell::{Cell, CellRef};
pub use error::TableError;
pub use header::{find_header_row, header_hits, normalize_header};
pub use stream::{stream, Event, Flow, Format, RowView, SourceInfo};
pub use text::TextEncoding;

/// Why one row could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file ends inside a quoted field: the export was cut off or a
    /// quote was never closed.
    UnclosedQuote,
    /// The last line has fewer fields than the line before it and no line
    /// break after it: the file was cut off while exported or copied.
    CutOff,
    /// The row has more fields than a worksheet has columns
    /// ([`MAX_FIELDS`]): no export, but a file without line breaks or with
    /// a wrong delimiter.
    TooManyFields,
}

/// Fields a row may have: the columns of an Excel worksheet (A to XFD).
pub const MAX_FIELDS: usize = 16_384;

impl ProblemKind {
    /// The reason in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            ProblemKind::UnclosedQuote => "引号未闭合，文件可能被截断",
            ProblemKind::CutOff => "最后一行不完整，文件在导出或复制时可能被截断",
            ProblemKind::TooManyFields => {
                "这一行的列数超过 Excel 的 16384 列，不像导出的话单（文件可能缺少换行，或分隔符不对）"
            }
        }
    }

    /// The reason in English.
    pub fn en(self) -> &'static str {
        match self {
            ProblemKind::UnclosedQuote => "unclosed quote; the file may be cut off",
            ProblemKind::CutOff => "the last line is incomplete; the file may have been cut off",
            ProblemKind::TooManyFields => {
                "the row has more fields than Excel's 16,384 columns, unlike an export (line breaks missing, or the wrong delimiter)"
            }
        }
    }
}

/// A row that could not be read, with its place and raw text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    pub file: PathBuf,
    pub sheet: Option<String>,
    /// 1-based row (line of a text file).
    pub row: u64,
    pub kind: ProblemKind,
    /// The row's cells joined by commas, as far as they were read.
    pub text: String,
}

/// One row with its place: file, sheet (workbooks) and 1-based row number.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub file: PathBuf,
    pub sheet: Option<String>,
    pub row: u64,
    pub cells: Vec<Cell>,
}

impl Row {
    /// The cell at 0-based column `i`, `Empty` past the end.
    pub fn get(&self, i: usize) -> &Cell {
        const EMPTY: &Cell = &Cell::Empty;
        self.cells.get(i).unwrap_or(EMPTY)
    }

    /// The row as a [`RowView`] for the header helpers.
    pub fn view(&self) -> RowView<'_> {
        RowView::Owned(&self.cells)
    }
}

/// Every row of a file, for small tables.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// The sources read: the file itself, each sheet, each archive member.
    pub sources: Vec<SourceInfo>,
    /// Rows of all sources in order; blank rows are kept.
    pub rows: Vec<Row>,
    /// Rows that could not be read.
    pub problems: Vec<RowProblem>,
    /// Archive members that are no table, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
    /// Byte sequences that did not decode in the detected encoding.
    pub invalid_bytes: u64,
}

impl Table {
    /// The rows of one source (`file` and `sheet` as in [`SourceInfo`]).
    pub fn rows_of<'a>(&'a self, source: &'a SourceInfo) -> impl Iterator<Item = &'a Row> + 'a {
        self.rows
            .iter()
            .filter(move |r| r.file == source.file && r.sheet == source.sheet)
    }
}

/// Reads a whole file (text, workbook or ZIP) into memory.
///
/// Errors: see [`stream`].
pub fn read_table(path: &Path) -> Result<Table, TableError> {
    let mut table = Table::default();
    let mut current: Option<SourceInfo> = None;
    stream(path, &mut |event| {
        match event {
            Event::Source(info) => {
                table.sources.push(info.clone());
                current = Some(info.clone());
            }
            Event::Row { row, cells } => {
                let (file, sheet) = match &current {
                    Some(s) => (s.file.clone(), s.sheet.clone()),
                    None => (path.to_path_buf(), None),
                };
                table.rows.push(Row {
                    file,
                    sheet,
                    row,
                    cells: cells.iter().map(CellRef::to_owned).collect(),
                });
            }
            Event::Problem(p) => table.problems.push(p),
            Event::End { invalid_bytes } => table.invalid_bytes += invalid_bytes,
            Event::Skipped { file, reason } => table
                .skipped
                .push((file, reason.message(nianshen_rules::Lang::En))),
        }
        Flow::Continue(())
    })?;
    Ok(table)
}
