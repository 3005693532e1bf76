//! Records of a decoded text table, parsed by the `csv` crate.

use std::io::Read;
use std::path::Path;

use crate::error::TableError;
use crate::stream::{Event, Flow, RowView};
use crate::text::DecodeReader;
use crate::{ProblemKind, RowProblem};

/// Parses records and hands them to `sink`. One record is held back, so
/// the last one can be reported as a problem when the export was cut off.
/// That is when the file ends inside a quoted field, or ends without a
/// line break after a record shorter than the one before. The `csv` crate
/// itself accepts such a record silently.
pub(crate) fn stream_records<R: Read>(
    path: &Path,
    reader: DecodeReader<R>,
    delimiter: u8,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError> {
    stream_records_at(path, reader, delimiter, sink, 0)
}

/// Maximum stray quotes read past per file. Beyond them an unclosed quote
/// ends the file as a problem, so that a file of many is not read again
/// and again.
const MAX_STRAY_QUOTES: u32 = 16;

/// As [`stream_records`], at `depth` stray quotes read past.
fn stream_records_at<R: Read>(
    path: &Path,
    reader: DecodeReader<R>,
    delimiter: u8,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
    depth: u32,
) -> Result<(), TableError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // Lines end at LF only: with CRLF the crate's record positions point
        // one line early. The CR left on a last field is cut in `RowView::get`.
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(reader);
    let mut held = csv::StringRecord::new();
    let mut next = csv::StringRecord::new();
    let mut held_row: Option<u64> = None;
    // Fields of the record before the held one.
    let mut before_held = 0usize;

    loop {
        let row = csv.position().line();
        let more = csv.read_record(&mut next).map_err(|e| TableError::Text {
            file: path.to_path_buf(),
            row,
            message: e.to_string(),
        })?;
        if !more {
            break;
        }
        // The crate places a record after blank lines at the first blank
        // line, so the start is counted back from where the record ended:
        // one line for its terminator and one for each line break inside
        // quoted fields (at the end of the input the crate counts the
        // missing terminator too).
        let embedded: u64 = next.iter().map(|f| f.matches('\n').count() as u64).sum();
        let row = csv.position().line().saturating_sub(1 + embedded).max(row);
        if next.len() > crate::MAX_FIELDS {
            // Reported, not kept: millions of cells would take gigabytes.
            let text: String = next.iter().take(20).collect::<Vec<_>>().join(",");
            let problem = Event::Problem(RowProblem {
                file: path.to_path_buf(),
                sheet: None,
                row,
                kind: ProblemKind::TooManyFields,
                text,
            });
            if sink(problem).is_break() {
                return Ok(());
            }
            continue;
        }
        if let Some(prev) = held_row {
            if sink(Event::Row {
                row: prev,
                cells: RowView::Text(&held),
            })
            .is_break()
            {
                return Ok(());
            }
        }
        before_held = if held_row.is_some() { held.len() } else { 0 };
        std::mem::swap(&mut held, &mut next);
        held_row = Some(row);
    }

    let decoder = csv.get_ref();
    let (invalid_bytes, unclosed) = (decoder.replacements, decoder.quotes % 2 == 1);
    let unterminated = decoder.last_byte.is_some_and(|b| b != b'\n');
    let cut_short = unterminated && held.len() < before_held;
    if let (true, Some(row), true) = (unclosed, held_row, depth < MAX_STRAY_QUOTES) {
        if let Some(flow) = recover_stray_quote(path, &held, (row, depth), delimiter, sink)? {
            if flow.is_continue() {
                let _ = sink(Event::End { invalid_bytes });
            }
            return Ok(());
        }
    }
    if let Some(row) = held_row {
        let kind = if unclosed {
            Some(ProblemKind::UnclosedQuote)
        } else if cut_short {
            Some(ProblemKind::CutOff)
        } else {
            None
        };
        let event = if let Some(kind) = kind {
            Event::Problem(RowProblem {
                file: path.to_path_buf(),
                sheet: None,
                row,
                kind,
                text: held.iter().collect::<Vec<_>>().join(","),
            })
        } else {
            Event::Row {
                row,
                cells: RowView::Text(&held),
            }
        };
        if sink(event).is_break() {
            return Ok(());
        }
    }
    let _ = sink(Event::End { invalid_bytes });
    Ok(())
}

/// Reads on past a stray quote. A field that opens with `"` and never
/// closes runs to the end of the file, taking every later line into it.
/// When later lines were taken, the field is read as text up to its first
/// line break, and the lines after it are read again as records of their
/// own. Returns None when there is nothing after the line break, because
/// the file was cut off inside a quoted field, or when an earlier field of
/// the record spans lines too. The record is then reported as a problem.
///
/// Errors: the lines after the quote cannot be read (a line too long).
fn recover_stray_quote(
    path: &Path,
    held: &csv::StringRecord,
    (row, depth): (u64, u32),
    delimiter: u8,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<Option<Flow>, TableError> {
    let Some(last) = held.len().checked_sub(1) else {
        return Ok(None);
    };

    // A line break in an earlier field means the stray quote was paired
    // with a later one and lines were merged on the way: not recovered.
    // NOTE: such merged lines are read as one record, and only the odd
    // quote count at the end shows them.
    if held.iter().take(last).any(|f| f.contains('\n')) {
        return Ok(None);
    }
    let Some((first_line, rest)) = held.get(last).and_then(|f| f.split_once('\n')) else {
        return Ok(None);
    };
    if rest.trim().is_empty() {
        return Ok(None);
    }

    tracing::debug!(file = %path.display(), row, "stray quote: reading the lines after it again");
    let mut cells: Vec<String> = held.iter().take(last).map(str::to_string).collect();
    cells.push(format!(
        "\"{}",
        first_line.strip_suffix('\r').unwrap_or(first_line)
    ));
    let record = csv::StringRecord::from(cells);
    if sink(Event::Row {
        row,
        cells: RowView::Text(&record),
    })
    .is_break()
    {
        return Ok(Some(Flow::Break(())));
    }

    let reader = crate::text::DecodeReader::new(
        std::io::empty(),
        rest.as_bytes().to_vec(),
        crate::TextEncoding::Utf8,
    );
    let mut shifted = |event: Event<'_>| match event {
        Event::Row { row: r, cells } => sink(Event::Row {
            row: r + row,
            cells,
        }),
        Event::Problem(mut p) => {
            p.row += row;
            sink(Event::Problem(p))
        }
        // The caller ends the source.
        Event::End { .. } => Flow::Continue(()),
        other => sink(other),
    };
    stream_records_at(path, reader, delimiter, &mut shifted, depth + 1)?;
    Ok(Some(Flow::Continue(())))
}
