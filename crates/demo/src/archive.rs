//! ZIP archives with a fixed modification time, so equal inputs give equal
//! bytes.

use std::io::Write as _;

use zip::write::SimpleFileOptions;

/// Builds a ZIP with one deflated file, dated 2025-01-10 09:30.
pub fn zip_one(name: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut cursor);
    let when =
        zip::DateTime::from_date_and_time(2025, 1, 10, 9, 30, 0).map_err(|e| e.to_string())?;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(when)
        .unix_permissions(0o644);
    zip.start_file(name, options).map_err(|e| e.to_string())?;
    zip.write_all(bytes).map_err(|e| e.to_string())?;
    zip.finish().map_err(|e| e.to_string())?;
    Ok(cursor.into_inner())
}
