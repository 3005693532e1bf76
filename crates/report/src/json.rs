//! `findings.json`: the report as pretty JSON, and the JSON Schema that
//! describes it.

use std::path::Path;

use nianshen_checks::finding::Report;

use crate::error::ReportError;
use crate::write_file;

/// The JSON Schema (draft 2020-12) of `findings.json`, as shipped in
/// `schema/findings.schema.json`. Its `schema_version` constant follows
/// [`nianshen_checks::finding::SCHEMA_VERSION`].
pub const FINDINGS_SCHEMA: &str = include_str!("../../../schema/findings.schema.json");

/// Serialises the report as pretty-printed JSON with a final newline.
///
/// # Errors
/// Only if serialisation fails, which the report's types rule out because
/// all map keys are strings. The error is passed on rather than hidden.
pub fn findings_json(report: &Report) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}

/// Writes `findings.json`: the [`crate::Output`] writer of that file.
pub(crate) fn write_findings(report: &Report, path: &Path) -> Result<(), ReportError> {
    let text = findings_json(report).map_err(|e| ReportError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    write_file(path, text.as_bytes())
}
