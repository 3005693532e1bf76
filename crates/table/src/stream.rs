//! Streaming rows out of a file, a ZIP archive or a workbook: the caller
//! gets one event per source (a text file, a sheet, an archive member), one
//! per row with borrowed cells, and one per row problem.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use calamine::Data;

use crate::cell::CellRef;
use crate::error::TableError;
use crate::sniff::{sniff, Kind};
use crate::text::{self, DecodeReader, TextEncoding, SNIFF_BYTES};
use crate::{excel, RowProblem};

/// The kind of content of a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Delimited text (CSV, TSV, TXT, whatever the file name).
    Text,
    /// A BIFF8 workbook (`.xls`, OLE2 container).
    Xls,
    /// An Office Open XML workbook (`.xlsx`).
    Xlsx,
    /// An HTML page of tables, as some systems write under a `.xls` name.
    Html,
}

impl Format {
    /// A short name for users: `text`, `xls`, `xlsx` or `html`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Xls => "xls",
            Format::Xlsx => "xlsx",
            Format::Html => "html",
        }
    }
}

/// One source of rows: a text file, one sheet of a workbook, or either of
/// them inside a ZIP archive (then `file` is `archive.zip/member.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct SourceInfo {
    pub file: PathBuf,
    pub format: Format,
    /// Sheet name for workbooks.
    pub sheet: Option<String>,
    /// Text encoding for text sources.
    pub encoding: Option<TextEncoding>,
    /// Field delimiter for text sources.
    pub delimiter: Option<u8>,
}

/// The cells of one row, borrowed from the reader's buffers.
#[derive(Clone, Copy, Debug)]
pub enum RowView<'a> {
    Text(&'a csv::StringRecord),
    Sheet {
        cells: &'a [Data],
        /// Empty columns left of the sheet's used range.
        offset: usize,
    },
    /// Cells that a caller owns itself (e.g. rows it buffered).
    Owned(&'a [crate::Cell]),
}

impl<'a> RowView<'a> {
    /// Number of cells, counting from column A.
    pub fn len(&self) -> usize {
        match self {
            RowView::Text(r) => r.len(),
            RowView::Sheet { cells, offset } => cells.len() + offset,
            RowView::Owned(cells) => cells.len(),
        }
    }

    /// True when the row has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell at 0-based column `i`; `Empty` past the end.
    pub fn get(&self, i: usize) -> CellRef<'a> {
        match *self {
            RowView::Text(r) => r.get(i).map_or(CellRef::Empty, |t| {
                CellRef::Text(t.strip_suffix('\r').unwrap_or(t))
            }),
            RowView::Sheet { cells, offset } => match i.checked_sub(offset) {
                Some(j) => cells.get(j).map_or(CellRef::Empty, excel::cell_ref),
                None => CellRef::Empty,
            },
            RowView::Owned(cells) => cells.get(i).map_or(CellRef::Empty, |c| c.as_ref()),
        }
    }

    /// All cells in order.
    pub fn iter(&self) -> impl Iterator<Item = CellRef<'a>> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// True when every cell is blank.
    pub fn is_blank(&self) -> bool {
        self.iter().all(CellRef::is_blank)
    }
}

/// One step of reading.
#[derive(Debug)]
pub enum Event<'a> {
    /// A new source starts; its rows follow.
    Source(&'a SourceInfo),
    /// A row, numbered from 1 as a spreadsheet or text editor shows it.
    Row { row: u64, cells: RowView<'a> },
    /// A row that could not be read; it is not also given as a `Row`.
    Problem(RowProblem),
    /// The current source ended; `invalid_bytes` counts byte sequences
    /// that did not decode in the detected encoding.
    End { invalid_bytes: u64 },
    /// An archive member that is not a table, skipped with the reason.
    Skipped { file: PathBuf, reason: TableError },
}

/// The callback's result: `Break` skips the rest of the current source.
pub type Flow = ControlFlow<()>;

/// Streams every row of `path` (a text file, a workbook or a ZIP archive)
/// to `sink`. The file's content decides how it is read, not its name.
///
/// Errors: the file is missing, unreadable, empty, binary or a damaged
/// workbook or archive. Rows that cannot be read are `Event::Problem`s.
pub fn stream(path: &Path, sink: &mut dyn FnMut(Event<'_>) -> Flow) -> Result<(), TableError> {
    if !path.exists() {
        return Err(TableError::NotFound {
            file: path.to_path_buf(),
        });
    }
    let io = |source| TableError::Io {
        file: path.to_path_buf(),
        source,
    };
    let mut file = BufReader::new(File::open(path).map_err(io)?);
    let head = text::read_head(&mut file, SNIFF_BYTES).map_err(io)?;
    match sniff(&head) {
        Kind::Empty => Err(TableError::Empty {
            file: path.to_path_buf(),
        }),
        Kind::Ole | Kind::Zip => {
            file.rewind().map_err(io)?;
            let kind = sniff(&head);
            stream_container(path, file, kind, sink)
        }
        Kind::Binary(what) => Err(TableError::Binary {
            file: path.to_path_buf(),
            what: what.to_string(),
        }),
        Kind::Text => stream_text(path, file, head, sink),
    }
}

/// Streams a workbook or an archive that supports seeking.
fn stream_container<R: Read + Seek>(
    path: &Path,
    reader: R,
    kind: Kind,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError> {
    match kind {
        Kind::Ole => excel::stream_xls(path, reader, sink),
        _ => {
            let mut archive = zip::ZipArchive::new(reader).map_err(|e| TableError::Archive {
                file: path.to_path_buf(),
                message: e.to_string(),
            })?;
            if archive.by_name("xl/workbook.xml").is_ok() {
                let inner = archive.into_inner();
                return excel::stream_xlsx(path, inner, sink);
            }
            crate::archive::stream_members(path, &mut archive, sink)
        }
    }
}

/// Streams in-memory bytes (an archive member) by content.
pub(crate) fn stream_bytes(
    path: &Path,
    bytes: Vec<u8>,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError> {
    let head_len = bytes.len().min(SNIFF_BYTES);
    match sniff(&bytes[..head_len]) {
        Kind::Empty => Err(TableError::Empty {
            file: path.to_path_buf(),
        }),
        Kind::Binary(what) => Err(TableError::Binary {
            file: path.to_path_buf(),
            what: what.to_string(),
        }),
        kind @ (Kind::Ole | Kind::Zip) => stream_container(path, Cursor::new(bytes), kind, sink),
        Kind::Text => {
            let head = bytes[..head_len].to_vec();
            let mut rest = Cursor::new(bytes);
            // `head` already contains the first bytes.
            rest.set_position(head_len as u64);
            stream_text(path, rest, head, sink)
        }
    }
}

/// Streams a text table. `head` contains the first bytes already read
/// from `rest`.
pub(crate) fn stream_text<R: Read>(
    path: &Path,
    rest: R,
    head: Vec<u8>,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError> {
    let Some(encoding) = text::detect_encoding(&head) else {
        return Err(TableError::Binary {
            file: path.to_path_buf(),
            what: "NUL bytes".to_string(),
        });
    };
    let decoded = text::decode_head(&head, encoding);
    if decoded
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(TableError::Empty {
            file: path.to_path_buf(),
        });
    }
    if text::looks_binary(&decoded) {
        return Err(TableError::Binary {
            file: path.to_path_buf(),
            what: "control characters".to_string(),
        });
    }
    if crate::html::looks_like_html(&decoded) {
        return crate::html::stream_html(path, rest, head, encoding, sink);
    }
    // Lines that end with a CR alone (classic Mac OS exports) are read as
    // lines that end with LF.
    let cr_lines = decoded.contains('\r') && !decoded.contains('\n');
    let decoded = if cr_lines {
        decoded.replace('\r', "\n")
    } else {
        decoded
    };
    let delimiter = text::sniff_delimiter(&decoded, head.len() < SNIFF_BYTES);
    let info = SourceInfo {
        file: path.to_path_buf(),
        format: Format::Text,
        sheet: None,
        encoding: Some(encoding),
        delimiter: Some(delimiter),
    };
    if sink(Event::Source(&info)).is_break() {
        return Ok(());
    }
    let mut reader = DecodeReader::new(rest, head, encoding);
    reader.cr_lines = cr_lines;
    crate::csvrows::stream_records(path, reader, delimiter, sink)
}
