//! The outputs of a check run: `findings.json` (with its JSON Schema),
//! the self-contained `report.html`, and the short terminal summary.
//!
//! Files are written as one set, all of them or none: see [`write_set`].
//! A later output (`report.xlsx`, `plan.ics`) is one more [`Output`] in
//! [`OUTPUTS`]. Nothing here masks data: the checks put phone and ID numbers
//! into the [`Report`] already masked unless the user asked otherwise.

mod atomic;
mod error;
mod html;
mod json;
mod terminal;
mod text;

use std::io::Write;
use std::path::{Path, PathBuf};

use nianshen_checks::finding::Report;

pub use atomic::{write_set, Output, OWN_FILE_NAMES};
pub use error::{io_cause, ReportError};
pub use html::report_html;
pub use json::{findings_json, FINDINGS_SCHEMA};
pub use terminal::terminal_summary;

/// The files `nianshen check` writes, in this order.
pub const OUTPUTS: &[Output] = &[
    Output {
        file_name: "findings.json",
        write: json::write_findings,
    },
    Output {
        file_name: "report.html",
        write: html::write_report_html,
    },
];

/// Writes every file of [`OUTPUTS`] into `out_dir` as one set, which
/// replaces an earlier set as a whole. The user's other files in `out_dir`
/// are not touched. Returns the paths written.
///
/// # Errors
/// See [`write_set`]. Whatever fails, the previous set stays as it was.
pub fn write_outputs(report: &Report, out_dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    write_set(report, out_dir, OUTPUTS)
}

/// Creates `path`, which must not exist yet, and writes `bytes` into it.
/// [`Output`] writers use it.
///
/// # Errors
/// [`ReportError::Write`] naming `path`.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        file.write_all(bytes)?;
        file.flush()
    };
    write().map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}
