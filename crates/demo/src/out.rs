//! Output folders of the demo: a staging folder beside the target that
//! replaces the target's demo files only once every file is written, and
//! the guard that rejects a folder containing anything else.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::DemoError;

/// First line of every demo `case.toml`; it marks a folder as demo output.
pub const CASE_MARKER: &str = "# 本案例由 nianshen demo 生成";
/// The key in `truth.json` that marks benchmark output.
pub const BENCH_MARKER: &str = "\"generator\": \"nianshen demo\"";
/// Top-level entries the demo writes. An earlier output contains nothing else.
pub const ENTRIES: &[&str] = &[
    "case.toml",
    "planted.json",
    "材料",
    "话单",
    "人员",
    "职场",
    "投诉",
    "录音",
    "合同",
    "财务",
    "local.csv",
    "carrier.csv",
    "truth.json",
];

/// Checks that `dir` may be written: absent, empty, or an earlier demo
/// output. Returns the entries of an earlier output (to be replaced).
pub fn check_target(dir: &Path) -> Result<Vec<PathBuf>, DemoError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    if !dir.is_dir() {
        return Err(DemoError::NotADir(dir.to_path_buf()));
    }
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| DemoError::io(dir, e))? {
        let entry = entry.map_err(|e| DemoError::io(dir, e))?;
        entries.push(entry.path());
    }
    entries.sort();
    if entries.is_empty() {
        return Ok(entries);
    }

    let foreign = entries.iter().find(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        !ENTRIES.contains(&name)
    });
    let first = foreign.or(entries.first());
    let name = |p: Option<&PathBuf>| {
        p.and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    if foreign.is_some() || !is_marked(dir) {
        return Err(DemoError::NotEmpty {
            dir: dir.to_path_buf(),
            entry: name(first),
        });
    }
    Ok(entries)
}

/// Tells whether the folder's `case.toml` or `truth.json` carries the demo marker.
fn is_marked(dir: &Path) -> bool {
    let case = fs::read_to_string(dir.join("case.toml")).unwrap_or_default();
    let truth = fs::read_to_string(dir.join("truth.json")).unwrap_or_default();
    case.starts_with(CASE_MARKER) || truth.contains(BENCH_MARKER)
}

/// Removes the entries of an earlier output.
pub fn clear(entries: &[PathBuf]) -> Result<(), DemoError> {
    for path in entries {
        let result = if path.is_dir() {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        };
        result.map_err(|e| DemoError::io(path, e))?;
    }
    Ok(())
}

/// A folder files are written into by relative path.
#[derive(Debug)]
pub struct Sink {
    root: PathBuf,
    files: usize,
    bytes: u64,
}

impl Sink {
    pub fn new(root: &Path) -> Sink {
        Sink {
            root: root.to_path_buf(),
            files: 0,
            bytes: 0,
        }
    }

    /// Writes `bytes` at `rel`, creating folders on the way.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<(), DemoError> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| DemoError::io(parent, e))?;
        }
        fs::write(&path, bytes).map_err(|e| DemoError::io(&path, e))?;
        self.files += 1;
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    /// Creates an empty folder (a category with nothing in it).
    pub fn folder(&self, rel: &str) -> Result<(), DemoError> {
        let path = self.root.join(rel);
        fs::create_dir_all(&path).map_err(|e| DemoError::io(&path, e))
    }

    /// Files and bytes written so far.
    pub fn totals(&self) -> (usize, u64) {
        (self.files, self.bytes)
    }
}

/// Writes through `build` into a staging folder beside `dir`, then swaps the
/// result in, so the target never contains a half-written case.
pub fn staged<T>(
    dir: &Path,
    build: impl FnOnce(&mut Sink) -> Result<T, DemoError>,
) -> Result<T, DemoError> {
    let old = check_target(dir)?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| DemoError::io(&parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".nianshen-demo-")
        .tempdir_in(&parent)
        .map_err(|e| DemoError::io(&parent, e))?;
    let mut sink = Sink::new(staging.path());
    let value = build(&mut sink)?;

    clear(&old)?;
    fs::create_dir_all(dir).map_err(|e| DemoError::io(dir, e))?;
    let mut staged_entries: Vec<PathBuf> = fs::read_dir(staging.path())
        .map_err(|e| DemoError::io(staging.path(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    staged_entries.sort();
    for from in staged_entries {
        let Some(name) = from.file_name() else {
            continue;
        };
        let to = dir.join(name);
        fs::rename(&from, &to).map_err(|e| DemoError::io(&to, e))?;
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_and_empty_folders_may_be_written() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(check_target(&tmp.path().join("new")).unwrap().is_empty());
        assert!(check_target(tmp.path()).unwrap().is_empty());
    }

    #[test]
    fn target_with_foreign_file_rejected() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        let err = check_target(tmp.path()).unwrap_err();
        assert!(matches!(err, DemoError::NotEmpty { ref entry, .. } if entry == "notes.txt"));
    }

    #[test]
    fn target_without_marker_rejected() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("case.toml"), "[company]\n").unwrap();
        assert!(check_target(tmp.path()).is_err());
    }

    #[test]
    fn staged_replaces_earlier_output() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("case");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("case.toml"), format!("{CASE_MARKER}\n")).unwrap();
        fs::create_dir(dir.join("材料")).unwrap();
        fs::write(dir.join("材料").join("old.pdf"), "x").unwrap();
        staged(&dir, |sink| {
            sink.write("case.toml", format!("{CASE_MARKER}\nnew\n").as_bytes())
        })
        .unwrap();
        assert!(!dir.join("材料").exists());
        assert!(fs::read_to_string(dir.join("case.toml"))
            .unwrap()
            .ends_with("new\n"));
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "the staging folder is gone");
    }
}
