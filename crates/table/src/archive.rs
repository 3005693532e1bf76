//! ZIP archives of tables. Each member that is a table is read as its own
//! source. Folders and system files are passed over, and other files are
//! reported as skipped.

use std::io::{Read, Seek};
use std::path::Path;

use crate::error::TableError;
use crate::stream::{stream_bytes, Event, Flow};

/// Members larger than this are not unpacked into memory (4 GiB).
const MAX_MEMBER_BYTES: u64 = 4 << 30;

pub(crate) fn stream_members<R: Read + Seek>(
    path: &Path,
    archive: &mut zip::ZipArchive<R>,
    sink: &mut dyn FnMut(Event<'_>) -> Flow,
) -> Result<(), TableError> {
    let mut names: Vec<(String, usize)> = Vec::new();
    for i in 0..archive.len() {
        let Ok(member) = archive.by_index(i) else {
            continue;
        };
        let name = member_name(member.name_raw())
            .or_else(|| member.name().ok().map(|n| n.into_owned()))
            .unwrap_or_default();
        if member.is_dir() || is_system_file(&name) {
            continue;
        }
        names.push((name, i));
    }
    // Members in name order, so results do not depend on how the archive was packed.
    names.sort();
    if names.is_empty() {
        return Err(TableError::Archive {
            file: path.to_path_buf(),
            message: "no files inside".to_string(),
        });
    }
    for (name, i) in names {
        let member_path = path.join(&name);
        match read_member(archive, i, &member_path) {
            Ok(bytes) => {
                if let Err(reason) = stream_bytes(&member_path, bytes, sink) {
                    tracing::info!(member = %member_path.display(), "archive member skipped: {reason}");
                    let _ = sink(Event::Skipped {
                        file: member_path,
                        reason,
                    });
                }
            }
            Err(reason) => {
                let _ = sink(Event::Skipped {
                    file: member_path,
                    reason,
                });
            }
        }
    }
    Ok(())
}

fn read_member<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    i: usize,
    member_path: &Path,
) -> Result<Vec<u8>, TableError> {
    let broken = |message: String| TableError::Archive {
        file: member_path.to_path_buf(),
        message,
    };
    let member = archive.by_index(i).map_err(|e| broken(e.to_string()))?;
    if member.size() > MAX_MEMBER_BYTES {
        return Err(broken(format!(
            "member too large ({} bytes)",
            member.size()
        )));
    }
    // The declared size may lie, so it only sizes the first allocation.
    let mut bytes = Vec::with_capacity(member.size().min(64 << 20) as usize);
    member
        .take(MAX_MEMBER_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| broken(e.to_string()))?;
    Ok(bytes)
}

/// Decodes a member's name from its raw bytes: UTF-8 (flagged, or from the
/// Unicode path field), else GB18030, which Chinese Windows archivers
/// write without any flag. `None` leaves the name to the ZIP reader's own
/// CP437 decoding.
fn member_name(raw: &[u8]) -> Option<String> {
    if let Ok(name) = std::str::from_utf8(raw) {
        return Some(name.to_string());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(raw)
        .map(|name| name.into_owned())
}

/// macOS resource forks and Windows thumbnails that archivers add.
fn is_system_file(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    name.starts_with("__MACOSX/")
        || base.starts_with("._")
        || base == ".DS_Store"
        || base == "Thumbs.db"
}
