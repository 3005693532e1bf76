//! Writing the lists of `recon cdr --out` as one set: into a staging
//! folder first, then moved into the output folder only once every list is
//! complete, so that a failed or interrupted run leaves the folder as it
//! was.
//!
//! The staging folder, `.<name>.nianshen-staging-<pid>`, lies beside the
//! output folder on the same file system, so that each move is a rename.
//! It goes inside the output folder instead when that is a root, a mount
//! point of its own, or in a folder the user may not write to. It is
//! readable by its owner only and is removed on every error and, through
//! the registry of [`crate::remove_temp_folders`], on Ctrl-C or SIGTERM. The lists are moved in one by one. An old list of the same
//! name is first moved aside into the staging folder, so that every old
//! list can go back when a move fails. An interrupt waits until the moves
//! are done, and so does another run publishing into the same folder: the
//! moves hold an advisory lock on the output folder, so that the folder
//! ends up with one run's whole set, never a mix of two.
//!
//! NOTE: the files are not flushed to disk before they are moved, so a
//! power loss right after a run can leave lists with missing data.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::spill::{create_tracked, untrack_folder, PUBLISHING};

/// Name of the folder inside the staging folder that contains the old
/// lists while the new ones move in.
const PREVIOUS: &str = ".previous";

/// A staging folder, removed when dropped.
#[derive(Debug)]
pub(crate) struct Staging {
    dir: PathBuf,
    /// Set when removing the folder would delete the only copy of an old
    /// list that could not be moved back.
    keep: bool,
}

impl Staging {
    /// Creates the staging folder of `out_dir`.
    ///
    /// Errors: `out_dir` is a file (kind `NotADirectory`, the message is
    /// the path), or the folders cannot be created.
    pub(crate) fn create(out_dir: &Path) -> io::Result<Staging> {
        if fs::metadata(out_dir).is_ok_and(|m| !m.is_dir()) {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                out_dir.display().to_string(),
            ));
        }
        let parent = staging_parent(out_dir)?;
        let dir = match create_in(&parent, out_dir) {
            // The user may write to the output folder but not to its parent
            // (a home folder under /home, /tmp on the root file system), so
            // the lists are staged inside the output folder.
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied && out_dir.is_dir() => {
                create_in(out_dir, out_dir)?
            }
            other => other?,
        };
        tracing::debug!(dir = %dir.display(), "staging folder created");
        Ok(Staging { dir, keep: false })
    }

    /// Returns the folder to write the lists into.
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }

    /// Moves every staged list into `out_dir` (created when missing),
    /// replacing lists of the same names, then removes the staging folder.
    ///
    /// Errors: a folder or a link to one is where a list goes (kind
    /// `IsADirectory`, the message is its path), or a move fails.
    /// `out_dir` then contains its old lists again.
    pub(crate) fn publish(mut self, out_dir: &Path) -> io::Result<()> {
        let _publishing = PUBLISHING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        fs::create_dir_all(out_dir)?;
        let _folder_lock = lock_folder(out_dir);
        let names = self.staged_names()?;
        for name in &names {
            let target = out_dir.join(name);
            if fs::metadata(&target).is_ok_and(|m| m.is_dir()) {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    target.display().to_string(),
                ));
            }
        }
        let previous = self.dir.join(PREVIOUS);
        fs::create_dir(&previous)?;

        let mut moved = Moved::default();
        let result = self.move_in(&names, out_dir, &previous, &mut moved);
        if result.is_err() && !moved.roll_back(out_dir, &previous) {
            self.keep = true;
            tracing::error!(
                kept = %previous.display(),
                "old lists that could not be moved back are kept in the staging folder"
            );
        }
        result
    }

    /// Returns the names of the staged lists, in name order.
    fn staged_names(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// Moves the lists in, each old one of the same name aside first,
    /// noting every move in `moved`.
    fn move_in(
        &self,
        names: &[String],
        out_dir: &Path,
        previous: &Path,
        moved: &mut Moved,
    ) -> io::Result<()> {
        for name in names {
            let target = out_dir.join(name);
            match fs::rename(&target, previous.join(name)) {
                Ok(()) => moved.aside.push(name.clone()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            fs::rename(self.dir.join(name), &target)?;
            moved.placed.push(name.clone());
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            if let Err(e) = fs::remove_dir_all(&self.dir) {
                tracing::warn!(dir = %self.dir.display(), error = %e, "staging folder not removed");
            }
        }
        untrack_folder(&self.dir);
    }
}

/// Takes an exclusive advisory lock on `dir`, waiting while another
/// process holds it; the lock ends when the returned handle is dropped.
/// Returns None where a folder cannot be opened or locked (a platform or
/// file system without such locks), after which publishing goes on
/// unlocked.
fn lock_folder(dir: &Path) -> Option<fs::File> {
    let folder = fs::File::open(dir)
        .inspect_err(|e| tracing::debug!(dir = %dir.display(), error = %e, "output folder not opened for locking"))
        .ok()?;
    match folder.lock() {
        Ok(()) => Some(folder),
        Err(e) => {
            tracing::debug!(dir = %dir.display(), error = %e, "output folder not locked");
            None
        }
    }
}

/// The moves made so far while publishing.
#[derive(Default)]
struct Moved {
    /// Old lists moved into the staging folder's [`PREVIOUS`].
    aside: Vec<String>,
    /// New lists moved into the output folder.
    placed: Vec<String>,
}

impl Moved {
    /// Removes the new lists and puts the old ones back. Returns false when
    /// an old list could not be put back.
    fn roll_back(&self, out_dir: &Path, previous: &Path) -> bool {
        for name in &self.placed {
            if let Err(e) = fs::remove_file(out_dir.join(name)) {
                tracing::warn!(file = %name, error = %e, "new list not removed");
            }
        }
        let mut restored = true;
        for name in &self.aside {
            if let Err(e) = fs::rename(previous.join(name), out_dir.join(name)) {
                tracing::error!(file = %name, error = %e, "old list not put back");
                restored = false;
            }
        }
        restored
    }
}

/// Creates the staging folder of `out_dir` in `parent` and returns it.
fn create_in(parent: &Path, out_dir: &Path) -> io::Result<PathBuf> {
    fs::create_dir_all(parent)?;
    let pid = std::process::id();
    let dir = match out_dir.file_name() {
        Some(name) => parent.join(format!(
            ".{}.nianshen-staging-{pid}",
            name.to_string_lossy()
        )),
        None => parent.join(format!(".nianshen-staging-{pid}")),
    };
    // A folder of this name is left from an earlier process that had the
    // same id and was killed outright.
    if fs::symlink_metadata(&dir).is_ok() {
        fs::remove_dir_all(&dir)?;
    }
    create_tracked(
        || create_private_dir(&dir).map(|()| dir.clone()),
        Clone::clone,
    )
}

/// Returns the folder the staging folder goes in: beside `out_dir`, or in
/// it when it is a root or a mount point, where a rename from beside it
/// would fail.
fn staging_parent(out_dir: &Path) -> io::Result<PathBuf> {
    let parent = match out_dir.parent() {
        Some(p) if p.as_os_str().is_empty() => PathBuf::from("."),
        Some(p) => p.to_path_buf(),
        // A root folder: stage inside it.
        None => return Ok(out_dir.to_path_buf()),
    };
    if out_dir.file_name().is_none() || !same_device(out_dir, &parent) {
        // `..` or a mount point: stage inside the output folder.
        return Ok(out_dir.to_path_buf());
    }
    Ok(parent)
}

/// Returns whether two existing folders are on one file system; true when
/// either is missing or the platform cannot tell.
#[cfg(unix)]
fn same_device(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev(),
        _ => true,
    }
}

#[cfg(not(unix))]
fn same_device(_: &Path, _: &Path) -> bool {
    true
}

/// Creates a folder readable by its owner only (on Unix).
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        fs::write(dir.join(name), text).unwrap();
    }

    fn hidden_entries(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect()
    }

    #[test]
    fn published_set_replaces_old_lists_and_keeps_others() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        fs::create_dir(&out).unwrap();
        write(&out, "a.csv", "old a");
        write(&out, "mine.txt", "the user's");

        let staging = Staging::create(&out).unwrap();
        write(staging.path(), "a.csv", "new a");
        write(staging.path(), "b.csv", "new b");
        staging.publish(&out).unwrap();

        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "new a");
        assert_eq!(fs::read_to_string(out.join("b.csv")).unwrap(), "new b");
        assert_eq!(
            fs::read_to_string(out.join("mine.txt")).unwrap(),
            "the user's"
        );
        assert!(hidden_entries(root.path()).is_empty());
        assert!(hidden_entries(&out).is_empty());
    }

    #[test]
    fn dropped_staging_leaves_output_untouched() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");

        let staging = Staging::create(&out).unwrap();
        write(staging.path(), "a.csv", "new a");
        let staged = staging.path().to_path_buf();
        drop(staging);

        assert!(!staged.exists());
        assert!(!out.exists());
        assert!(hidden_entries(root.path()).is_empty());
    }

    #[test]
    fn folder_in_the_way_fails_before_any_move() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        fs::create_dir_all(out.join("b.csv")).unwrap();
        write(&out, "a.csv", "old a");

        let staging = Staging::create(&out).unwrap();
        write(staging.path(), "a.csv", "new a");
        write(staging.path(), "b.csv", "new b");
        let err = staging.publish(&out).unwrap_err();

        assert!(err.to_string().contains("b.csv"), "{err}");
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "old a");
        assert!(out.join("b.csv").is_dir());
        assert!(hidden_entries(root.path()).is_empty());
    }

    #[test]
    fn failed_move_puts_old_lists_back() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        fs::create_dir(&out).unwrap();
        write(&out, "a.csv", "old a");
        write(&out, "b.csv", "old b");
        let staging = Staging::create(&out).unwrap();
        write(staging.path(), "a.csv", "new a");
        let previous = staging.path().join(PREVIOUS);
        fs::create_dir(&previous).unwrap();
        // The second list is missing from the staging folder, so its move
        // fails after the first list and the old second list have moved.
        let names = ["a.csv".to_string(), "b.csv".to_string()];
        let mut moved = Moved::default();

        let result = staging.move_in(&names, &out, &previous, &mut moved);
        let restored = moved.roll_back(&out, &previous);

        assert!(result.is_err());
        assert!(restored);
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "old a");
        assert_eq!(fs::read_to_string(out.join("b.csv")).unwrap(), "old b");
    }

    #[cfg(unix)]
    #[test]
    fn publish_waits_for_folder_lock() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        fs::create_dir(&out).unwrap();
        write(&out, "a.csv", "old a");
        let staging = Staging::create(&out).unwrap();
        write(staging.path(), "a.csv", "new a");
        // Another run's lock: flock locks belong to the open file, so a
        // second open in this process conflicts with it as another
        // process's would.
        let other = lock_folder(&out).expect("folder lock");

        let publisher = {
            let out = out.clone();
            std::thread::spawn(move || staging.publish(&out))
        };
        std::thread::sleep(std::time::Duration::from_millis(300));
        let while_locked = fs::read_to_string(out.join("a.csv")).unwrap();
        drop(other);
        publisher.join().unwrap().unwrap();

        assert_eq!(while_locked, "old a");
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "new a");
    }

    #[test]
    fn output_that_is_a_file_rejected() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        fs::write(&out, "").unwrap();

        assert!(Staging::create(&out).is_err());
        assert!(hidden_entries(root.path()).is_empty());
    }
}
