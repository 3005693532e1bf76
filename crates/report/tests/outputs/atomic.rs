//! The output set is replaced as a whole, and failures leave the old set.

use std::fs;
use std::path::{Path, PathBuf};

use nianshen_checks::finding::Report;
use nianshen_report::{write_file, write_outputs, write_set, Output, ReportError, OUTPUTS};
use nianshen_rules::Lang;

use crate::common::{empty_report, red_report};

/// Lists every entry of `dir` by name, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn read(path: PathBuf) -> String {
    fs::read_to_string(path).unwrap()
}

fn failing_writer(_: &Report, path: &Path) -> Result<(), ReportError> {
    // Write part of the file first, as a writer failing on a full disk would.
    write_file(path, b"partial")?;
    Err(ReportError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::from(std::io::ErrorKind::StorageFull),
    })
}

/// Returns the real writers with a third one that fails after them.
fn set_failing_last() -> Vec<Output> {
    let mut outputs = OUTPUTS.to_vec();
    outputs.push(Output {
        file_name: "report.xlsx",
        write: failing_writer,
    });
    outputs
}

#[test]
fn missing_out_dir_gets_whole_set() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("nianshen-out").join("客户A");

    let written = write_outputs(&red_report(), &out).unwrap();

    assert_eq!(
        written,
        vec![out.join("findings.json"), out.join("report.html")]
    );
    assert_eq!(names(&out), ["findings.json", "report.html"]);
    assert!(read(out.join("findings.json")).contains("深圳市某某信息科技有限公司"));
    assert_eq!(
        names(&tmp.path().join("nianshen-out")),
        ["客户A"],
        "no staging folder left"
    );
}

#[test]
fn new_set_replaces_old_set() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write_outputs(&red_report(), &out).unwrap();
    // A file of a later version's set, which this set does not write.
    fs::write(out.join("plan.ics"), "BEGIN:VCALENDAR").unwrap();

    write_outputs(&empty_report(), &out).unwrap();

    assert_eq!(names(&out), ["findings.json", "report.html"]);
    let json = read(out.join("findings.json"));
    assert!(json.contains("\"verdict\": \"green\""), "{json}");
    assert_eq!(names(tmp.path()), ["out"]);
}

#[test]
fn failing_writer_keeps_old_set() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write_outputs(&red_report(), &out).unwrap();
    let before_json = read(out.join("findings.json"));
    let before_html = read(out.join("report.html"));

    let err = write_set(&empty_report(), &out, &set_failing_last()).unwrap_err();

    assert!(matches!(err, ReportError::Write { .. }), "{err:?}");
    assert!(err.message(Lang::Zh).contains("磁盘空间已满"));
    assert_eq!(read(out.join("findings.json")), before_json);
    assert_eq!(read(out.join("report.html")), before_html);
    assert_eq!(names(&out), ["findings.json", "report.html"]);
    assert_eq!(names(tmp.path()), ["out"], "staging folder removed");
}

#[test]
fn failing_writer_creates_no_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");

    assert!(write_set(&red_report(), &out, &set_failing_last()).is_err());

    assert!(!out.exists());
    assert!(names(tmp.path()).is_empty());
}

#[test]
fn user_files_in_out_dir_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("共享");
    fs::create_dir_all(out.join("历史报告")).unwrap();
    fs::write(out.join("我的笔记.txt"), "别删").unwrap();
    fs::write(out.join("历史报告").join("2023.pdf"), "old").unwrap();
    fs::write(out.join("report.html"), "old report").unwrap();
    fs::write(out.join("plan.ics"), "old plan").unwrap();

    write_outputs(&red_report(), &out).unwrap();

    assert_eq!(
        names(&out),
        ["findings.json", "report.html", "历史报告", "我的笔记.txt"]
    );
    assert_eq!(read(out.join("我的笔记.txt")), "别删");
    assert_eq!(read(out.join("历史报告").join("2023.pdf")), "old");
    assert!(read(out.join("report.html")).starts_with("<!DOCTYPE html>"));
}

#[test]
fn failing_writer_beside_user_files_keeps_old_set() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("共享");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("我的笔记.txt"), "别删").unwrap();
    fs::write(out.join("findings.json"), "old findings").unwrap();
    fs::write(out.join("report.html"), "old report").unwrap();

    assert!(write_set(&red_report(), &out, &set_failing_last()).is_err());

    assert_eq!(
        names(&out),
        ["findings.json", "report.html", "我的笔记.txt"]
    );
    assert_eq!(read(out.join("findings.json")), "old findings");
    assert_eq!(read(out.join("report.html")), "old report");
}

#[test]
fn failed_rename_restores_old_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // A folder of the user's occupies one of our names: the first file goes
    // in, the second cannot, and everything must be undone.
    fs::create_dir_all(out.join("report.html")).unwrap();
    fs::write(out.join("report.html").join("keep.txt"), "mine").unwrap();
    fs::write(out.join("findings.json"), "old findings").unwrap();

    let err = write_outputs(&red_report(), &out).unwrap_err();

    assert!(matches!(err, ReportError::Replace { .. }), "{err:?}");
    assert!(
        err.message(Lang::Zh).contains("原有报告已恢复"),
        "{}",
        err.message(Lang::Zh)
    );
    assert_eq!(names(&out), ["findings.json", "report.html"]);
    assert_eq!(read(out.join("findings.json")), "old findings");
    assert_eq!(read(out.join("report.html").join("keep.txt")), "mine");
}

#[test]
#[cfg(unix)]
fn unwritable_parent_keeps_old_set() {
    use std::os::unix::fs::PermissionsExt;

    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().join("locked");
    let out = parent.join("out");
    write_outputs(&red_report(), &out).unwrap();
    let before = read(out.join("findings.json"));
    fs::set_permissions(&parent, fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(parent.join("probe"), "x").is_ok() {
        // Running as root: permissions do not stop writes, nothing to test.
        fs::set_permissions(&parent, fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: permissions are not enforced for this user (root)");
        return;
    }

    let result = write_outputs(&empty_report(), &out);
    fs::set_permissions(&parent, fs::Permissions::from_mode(0o755)).unwrap();

    let err = result.unwrap_err();
    assert!(matches!(err, ReportError::Prepare { .. }), "{err:?}");
    assert!(err.message(Lang::En).contains("permission denied"));
    assert_eq!(read(out.join("findings.json")), before);
}

#[test]
fn out_dir_that_is_a_file_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.txt");
    fs::write(&out, "a file of the user's").unwrap();

    let err = write_outputs(&red_report(), &out).unwrap_err();

    assert!(matches!(err, ReportError::OutDirIsFile { .. }), "{err:?}");
    assert!(err.message(Lang::Zh).contains("是一个文件"));
    assert_eq!(read(out), "a file of the user's");
}

#[test]
#[cfg(unix)]
fn linked_out_dir_keeps_link() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    fs::create_dir_all(&real).unwrap();
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();

    write_outputs(&red_report(), &link).unwrap();
    write_outputs(&empty_report(), &link).unwrap();

    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(names(&real), ["findings.json", "report.html"]);
    assert!(read(real.join("findings.json")).contains("\"green\""));
}
