//! Writing a set of output files so that readers see the old set or the new
//! one, never a mix, and a failure leaves the old set in place.
//!
//! Every file is first written into a fresh staging folder on the same file
//! system and flushed to disk. Then, depending on what the output folder
//! holds:
//!
//! - **absent**: the staging folder is renamed to the output folder (one
//!   atomic rename);
//! - **only files of ours** ([`OWN_FILE_NAMES`]) or empty: the old folder is
//!   renamed aside, the staging folder renamed into its place, and the old
//!   folder removed. If the second rename fails, the old folder goes back;
//! - **anything else** (a user's own files or folders, a symbolic link, `.`
//!   or the current folder):
//!   nothing of the user's is moved or deleted. The new files are staged in
//!   a hidden folder inside the output folder, the old files of ours are
//!   moved into a hidden backup folder beside them, the new ones renamed in
//!   one by one, and on any failure the new ones are removed and the old
//!   ones moved back. Only a crash in the middle of those renames can leave
//!   a partial set here; the old files then wait in `.nianshen-previous-*`.
//!
//! Each rename replaces a whole file, so a reader never sees a half-written
//! one.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use nianshen_checks::finding::Report;
use tempfile::TempDir;

use crate::error::ReportError;

/// Names of every file a report set may contain, including outputs that
/// later versions add. A folder that contains nothing else is replaced as a
/// whole.
pub const OWN_FILE_NAMES: &[&str] = &["findings.json", "report.html", "report.xlsx", "plan.ics"];

/// One file of the output set and the function that writes it.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// File name inside the output folder, e.g. `findings.json`. Must be one
    /// of [`OWN_FILE_NAMES`] for an old copy to be recognised as ours.
    pub file_name: &'static str,
    /// Writes the file at the given path, which lies in the staging folder
    /// and does not exist yet. The caller flushes it to disk afterwards.
    pub write: fn(&Report, &Path) -> Result<(), ReportError>,
}

/// Writes `outputs` into `out_dir` as one set: all of them or none, see the
/// module documentation for how. Creates `out_dir` and its parents when
/// missing. Returns the final paths, in the order of `outputs`.
///
/// # Errors
/// [`ReportError::OutDirIsFile`] when `out_dir` is a file;
/// [`ReportError::Prepare`] when the folders cannot be created or read;
/// [`ReportError::Write`] when an output cannot be written (disk full,
/// permission denied); [`ReportError::Replace`] when the finished set cannot
/// be moved into place. In every case the previous set is left as it was.
pub fn write_set(
    report: &Report,
    out_dir: &Path,
    outputs: &[Output],
) -> Result<Vec<PathBuf>, ReportError> {
    let finals: Vec<PathBuf> = outputs.iter().map(|o| out_dir.join(o.file_name)).collect();

    match inspect_out_dir(out_dir)? {
        OutDirState::Absent => {
            let parent = parent_of(out_dir)?;
            create_dir_all(&parent)?;
            let staging = stage(report, &parent, &staging_prefix(out_dir, "new"), outputs)?;
            move_dir_into_place(staging, out_dir)?;
            sync_dir(&parent);
        }
        OutDirState::OursOnly => {
            let parent = parent_of(out_dir)?;
            let staging = stage(report, &parent, &staging_prefix(out_dir, "new"), outputs)?;
            swap_dirs(staging, out_dir, &parent)?;
        }
        OutDirState::Shared => {
            let staging = stage(report, out_dir, ".nianshen-staging-", outputs)?;
            replace_files(staging.path(), out_dir, outputs)?;
            sync_dir(out_dir);
        }
    }

    tracing::info!(
        out_dir = %out_dir.display(),
        files = finals.len(),
        "wrote the output set"
    );
    Ok(finals)
}

/// The contents of the output folder before the run.
#[derive(Debug, PartialEq, Eq)]
enum OutDirState {
    Absent,
    /// A real folder (no link) that contains only regular files named in
    /// [`OWN_FILE_NAMES`].
    OursOnly,
    /// Anything else that is a folder: user files, subfolders, a link.
    Shared,
}

fn inspect_out_dir(out_dir: &Path) -> Result<OutDirState, ReportError> {
    let meta = match fs::symlink_metadata(out_dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(OutDirState::Absent),
        Err(source) => return Err(prepare_err(out_dir, source)),
    };
    if meta.file_type().is_symlink() {
        // Follow the link only to tell a file from a folder; the link itself
        // is the user's and is kept.
        let target = fs::metadata(out_dir).map_err(|e| prepare_err(out_dir, e))?;
        return if target.is_dir() {
            Ok(OutDirState::Shared)
        } else {
            Err(ReportError::OutDirIsFile {
                path: out_dir.to_path_buf(),
            })
        };
    }
    if !meta.is_dir() {
        return Err(ReportError::OutDirIsFile {
            path: out_dir.to_path_buf(),
        });
    }
    if out_dir.file_name().is_none() || is_current_dir(out_dir) {
        // `.`, `..`, a root or the folder the user works in: renaming it
        // would fail or strand the user's shell, so files go in one by one.
        return Ok(OutDirState::Shared);
    }
    contains_only_own_files(out_dir)
}

fn is_current_dir(dir: &Path) -> bool {
    match (std::env::current_dir(), fs::canonicalize(dir)) {
        (Ok(cwd), Ok(dir)) => fs::canonicalize(cwd).is_ok_and(|cwd| cwd == dir),
        _ => false,
    }
}

fn contains_only_own_files(out_dir: &Path) -> Result<OutDirState, ReportError> {
    let entries = fs::read_dir(out_dir).map_err(|e| prepare_err(out_dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| prepare_err(out_dir, e))?;
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        let name = entry.file_name();
        let ours = name.to_str().is_some_and(|n| OWN_FILE_NAMES.contains(&n));
        if !(is_file && ours) {
            return Ok(OutDirState::Shared);
        }
    }
    Ok(OutDirState::OursOnly)
}

/// Returns the folder that contains the output folder. For a relative path
/// of one component, such as `out`, that is the current folder.
fn parent_of(out_dir: &Path) -> Result<PathBuf, ReportError> {
    match out_dir.parent() {
        Some(p) if p.as_os_str().is_empty() => Ok(PathBuf::from(".")),
        Some(p) => Ok(p.to_path_buf()),
        None => Err(ReportError::OutDirUnusable {
            path: out_dir.to_path_buf(),
        }),
    }
}

/// `.<name>.nianshen-<role>-`, hidden beside the output folder so a user
/// sees where it came from if a crash leaves one behind.
fn staging_prefix(out_dir: &Path, role: &str) -> String {
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.nianshen-{role}-")
}

fn create_dir_all(dir: &Path) -> Result<(), ReportError> {
    fs::create_dir_all(dir).map_err(|e| prepare_err(dir, e))
}

fn prepare_err(path: &Path, source: io::Error) -> ReportError {
    ReportError::Prepare {
        path: path.to_path_buf(),
        source,
    }
}

fn replace_err(path: &Path, source: io::Error) -> ReportError {
    ReportError::Replace {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes every output into a new staging folder in `dir` and flushes it.
/// The folder is removed again when the returned guard is dropped unless it
/// was moved into place.
fn stage(
    report: &Report,
    dir: &Path,
    prefix: &str,
    outputs: &[Output],
) -> Result<TempDir, ReportError> {
    let staging = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(dir)
        .map_err(|e| prepare_err(dir, e))?;

    for output in outputs {
        let path = staging.path().join(output.file_name);
        (output.write)(report, &path)?;
        sync_file(&path)?;
    }
    sync_dir(staging.path());
    Ok(staging)
}

/// Flushes a written file to disk, so a rename never publishes a file whose
/// data is still only in memory.
fn sync_file(path: &Path) -> Result<(), ReportError> {
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|source| ReportError::Write {
            path: path.to_path_buf(),
            source,
        })?;
    file.sync_all().map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Flushes a folder's entries (new names, renames). Best effort: some
/// platforms cannot open a folder as a file, and the data itself is already
/// on disk by then.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        if let Err(e) = handle.sync_all() {
            tracing::debug!(dir = %dir.display(), error = %e, "folder sync not supported");
        }
    }
}

fn move_dir_into_place(staging: TempDir, out_dir: &Path) -> Result<(), ReportError> {
    let staged = staging.path().to_path_buf();
    fs::rename(&staged, out_dir).map_err(|e| replace_err(out_dir, e))?;
    // The staging name no longer exists; keep the guard from deleting the
    // folder that now sits at `out_dir`.
    let _ = staging.keep();
    Ok(())
}

/// Replaces a folder holding only our files with the staged one: old aside,
/// new in, old removed. On failure the old folder is put back.
fn swap_dirs(staging: TempDir, out_dir: &Path, parent: &Path) -> Result<(), ReportError> {
    let aside = unused_name(parent, &staging_prefix(out_dir, "old"));
    fs::rename(out_dir, &aside).map_err(|e| replace_err(out_dir, e))?;

    if let Err(err) = move_dir_into_place(staging, out_dir) {
        if let Err(e) = fs::rename(&aside, out_dir) {
            tracing::error!(
                kept = %aside.display(),
                error = %e,
                "could not put the previous output folder back"
            );
        }
        return Err(err);
    }
    sync_dir(parent);

    if let Err(e) = fs::remove_dir_all(&aside) {
        tracing::warn!(folder = %aside.display(), error = %e, "could not remove the previous output set");
    }
    Ok(())
}

/// A path in `dir` starting with `prefix` that does not exist yet.
fn unused_name(dir: &Path, prefix: &str) -> PathBuf {
    let pid = std::process::id();
    let mut n: u32 = 0;
    loop {
        let candidate = dir.join(format!("{prefix}{pid}-{n}"));
        if fs::symlink_metadata(&candidate).is_err() {
            return candidate;
        }
        n = n.wrapping_add(1);
    }
}

/// The file-by-file replacement for a folder shared with the user's files.
fn replace_files(staged: &Path, out_dir: &Path, outputs: &[Output]) -> Result<(), ReportError> {
    let backup = tempfile::Builder::new()
        .prefix(".nianshen-previous-")
        .tempdir_in(out_dir)
        .map_err(|e| prepare_err(out_dir, e))?;
    let mut moved_aside: Vec<&'static str> = Vec::new();
    let mut placed: Vec<&str> = Vec::new();

    let result = move_old_aside(out_dir, backup.path(), &mut moved_aside).and_then(|()| {
        for output in outputs {
            let target = out_dir.join(output.file_name);
            fs::rename(staged.join(output.file_name), &target)
                .map_err(|e| replace_err(&target, e))?;
            placed.push(output.file_name);
        }
        Ok(())
    });

    if result.is_err() && !roll_back(out_dir, backup.path(), &placed, &moved_aside) {
        // Some old file could not be moved back: keep the backup folder
        // rather than delete the only copy.
        let kept = backup.keep();
        tracing::error!(kept = %kept.display(), "previous outputs left in the backup folder");
    }
    result
}

/// Moves every regular file of ours out of the way, so a new set without one
/// of them (an output a later version no longer writes) leaves no stale copy.
fn move_old_aside(
    out_dir: &Path,
    backup: &Path,
    moved: &mut Vec<&'static str>,
) -> Result<(), ReportError> {
    for &name in OWN_FILE_NAMES {
        let old = out_dir.join(name);
        let is_file = fs::symlink_metadata(&old)
            .map(|m| m.is_file())
            .unwrap_or(false);
        if !is_file {
            continue;
        }
        fs::rename(&old, backup.join(name)).map_err(|e| replace_err(&old, e))?;
        moved.push(name);
    }
    Ok(())
}

/// Undoes a partial file-by-file replacement. Returns whether every old file
/// is back in place.
fn roll_back(out_dir: &Path, backup: &Path, placed: &[&str], moved_aside: &[&str]) -> bool {
    let mut restored = true;
    for name in placed {
        if let Err(e) = fs::remove_file(out_dir.join(name)) {
            tracing::error!(file = name, error = %e, "could not remove a new output while rolling back");
        }
    }
    for name in moved_aside {
        if let Err(e) = fs::rename(backup.join(name), out_dir.join(name)) {
            tracing::error!(file = name, error = %e, "could not restore a previous output");
            restored = false;
        }
    }
    restored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_of_a_bare_name_is_the_current_folder() {
        assert_eq!(parent_of(Path::new("out")).unwrap(), PathBuf::from("."));
        assert_eq!(parent_of(Path::new("a/out")).unwrap(), PathBuf::from("a"));
        assert!(parent_of(Path::new("/")).is_err());
    }

    #[test]
    fn current_dir_is_recognised_by_any_spelling() {
        let cwd = std::env::current_dir().unwrap();
        assert!(is_current_dir(Path::new(".")));
        assert!(is_current_dir(&cwd));
        assert!(!is_current_dir(
            &std::env::temp_dir().join("nianshen-no-such-folder")
        ));
    }

    #[test]
    fn staging_prefix_is_hidden_and_names_the_folder() {
        assert_eq!(
            staging_prefix(Path::new("x/客户A"), "new"),
            ".客户A.nianshen-new-"
        );
    }
}
