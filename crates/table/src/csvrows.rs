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
