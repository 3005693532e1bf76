//! Errors of writing the outputs, each with a message for the user in
//! Chinese or English.

use std::io;
use std::path::{Path, PathBuf};

use nianshen_rules::Lang;

/// Writing the output set failed. Whatever the variant, the previous set in
/// the output folder is left as it was (see [`crate::write_set`]).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The output path exists and is a file, not a folder.
    #[error("output path {path} is a file, not a folder")]
    OutDirIsFile { path: PathBuf },

    /// The output path has no parent folder to stage the new set in, e.g. a
    /// file-system root.
    #[error("output path {path} cannot hold a report set: it has no parent folder")]
    OutDirUnusable { path: PathBuf },

    /// The output folder, its parent or the staging folder could not be
    /// created or read.
    #[error("cannot prepare {path}: {source}")]
    Prepare { path: PathBuf, source: io::Error },

    /// One output file could not be written or flushed to disk.
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },

    /// The finished set could not be moved into place, so the old set was
    /// put back.
    #[error("cannot move the new outputs into {path}: {source}")]
    Replace { path: PathBuf, source: io::Error },
}

impl ReportError {
    /// Returns the path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReportError::OutDirIsFile { path }
            | ReportError::OutDirUnusable { path }
            | ReportError::Prepare { path, .. }
            | ReportError::Write { path, .. }
            | ReportError::Replace { path, .. } => path,
        }
    }

    /// Builds the message for the user: what failed, quoting the path, then
    /// on its own line what to do. Chinese for [`Lang::Zh`], English for
    /// [`Lang::En`].
    pub fn message(&self, lang: Lang) -> String {
        let path = self.path().display();
        let (what, todo) = match (self, lang) {
            (ReportError::OutDirIsFile { .. }, Lang::Zh) => (
                format!("输出位置“{path}”是一个文件，不是文件夹。"),
                "请用 --out 指定一个文件夹（不存在时会自动创建）。".to_string(),
            ),
            (ReportError::OutDirIsFile { .. }, Lang::En) => (
                format!("the output path \"{path}\" is a file, not a folder."),
                "Give a folder with --out (it is created when missing).".to_string(),
            ),
            (ReportError::OutDirUnusable { .. }, Lang::Zh) => (
                format!("输出位置“{path}”没有上级文件夹，无法安全写入报告。"),
                "请用 --out 指定一个普通文件夹，例如 ./nianshen-out/案例名。".to_string(),
            ),
            (ReportError::OutDirUnusable { .. }, Lang::En) => (
                format!("the output path \"{path}\" has no parent folder to write safely from."),
                "Give an ordinary folder with --out, e.g. ./nianshen-out/case-name.".to_string(),
            ),
            (ReportError::Prepare { source, .. }, _)
            | (ReportError::Write { source, .. }, _)
            | (ReportError::Replace { source, .. }, _) => {
                (self.io_what(lang, source), io_todo(lang, source))
            }
        };
        format!("{what}\n{todo}")
    }

    fn io_what(&self, lang: Lang, source: &io::Error) -> String {
        let path = self.path().display();
        let cause = io_cause(lang, source);
        match (self, lang) {
            (ReportError::Prepare { .. }, Lang::Zh) => {
                format!("无法准备输出文件夹“{path}”：{cause}。原有报告未改动。")
            }
            (ReportError::Write { .. }, Lang::Zh) => {
                format!("无法写入“{path}”：{cause}。原有报告未改动。")
            }
            (_, Lang::Zh) => {
                format!("无法把新报告放入“{path}”：{cause}。原有报告已恢复。")
            }
            (ReportError::Prepare { .. }, Lang::En) => format!(
                "cannot prepare the output folder \"{path}\": {cause}. The previous reports are untouched."
            ),
            (ReportError::Write { .. }, Lang::En) => format!(
                "cannot write \"{path}\": {cause}. The previous reports are untouched."
            ),
            (_, Lang::En) => format!(
                "cannot move the new reports into \"{path}\": {cause}. The previous reports were restored."
            ),
        }
    }
}

/// Describes the cause of an I/O error in words. Kinds users rarely meet
/// quote the system's text instead.
pub fn io_cause(lang: Lang, err: &io::Error) -> String {
    use io::ErrorKind as K;
    let known = match (err.kind(), lang) {
        (K::PermissionDenied, Lang::Zh) => "没有写入权限",
        (K::PermissionDenied, Lang::En) => "permission denied",
        (K::StorageFull | K::QuotaExceeded, Lang::Zh) => "磁盘空间已满",
        (K::StorageFull | K::QuotaExceeded, Lang::En) => "the disk is full",
        (K::ReadOnlyFilesystem, Lang::Zh) => "所在磁盘为只读",
        (K::ReadOnlyFilesystem, Lang::En) => "the file system is read-only",
        (K::NotADirectory, Lang::Zh) => "路径中有一段是文件而不是文件夹",
        (K::NotADirectory, Lang::En) => "a part of the path is a file, not a folder",
        (K::IsADirectory | K::DirectoryNotEmpty, Lang::Zh) => "同名位置已被一个文件夹占用",
        (K::IsADirectory | K::DirectoryNotEmpty, Lang::En) => "a folder already occupies that name",
        (_, Lang::Zh) => return format!("系统错误“{err}”"),
        (_, Lang::En) => return format!("system error \"{err}\""),
    };
    known.to_string()
}

/// Says what the user can do about an I/O error.
fn io_todo(lang: Lang, err: &io::Error) -> String {
    use io::ErrorKind as K;
    let text = match (err.kind(), lang) {
        (K::PermissionDenied | K::ReadOnlyFilesystem, Lang::Zh) => {
            "请用 --out 换一个有写入权限的文件夹，或请管理员开放该文件夹的写入权限。"
        }
        (K::PermissionDenied | K::ReadOnlyFilesystem, Lang::En) => {
            "Choose a folder you can write to with --out, or ask an administrator for write access."
        }
        (K::StorageFull | K::QuotaExceeded, Lang::Zh) => {
            "请清理磁盘空间，或用 --out 写到空间充足的磁盘后重试。"
        }
        (K::StorageFull | K::QuotaExceeded, Lang::En) => {
            "Free some disk space, or write to another disk with --out, then run again."
        }
        (K::IsADirectory | K::DirectoryNotEmpty | K::NotADirectory, Lang::Zh) => {
            "请移走占用报告文件名的文件夹或文件，或用 --out 换一个输出文件夹。"
        }
        (K::IsADirectory | K::DirectoryNotEmpty | K::NotADirectory, Lang::En) => {
            "Move away what occupies the report's name, or choose another folder with --out."
        }
        (_, Lang::Zh) => "请检查该路径是否可写，或用 --out 换一个输出文件夹后重试。",
        (_, Lang::En) => {
            "Check that the path is writable, or choose another output folder with --out, then run again."
        }
    };
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_path_and_say_what_to_do_in_both_languages() {
        let cases = [
            (
                ReportError::OutDirIsFile {
                    path: "out/报告".into(),
                },
                "是一个文件",
                "is a file",
            ),
            (
                ReportError::Write {
                    path: "out/report.html".into(),
                    source: io::Error::from(io::ErrorKind::StorageFull),
                },
                "磁盘空间已满",
                "disk is full",
            ),
            (
                ReportError::Prepare {
                    path: "/srv/out".into(),
                    source: io::Error::from(io::ErrorKind::PermissionDenied),
                },
                "没有写入权限",
                "permission denied",
            ),
            (
                ReportError::Replace {
                    path: "out".into(),
                    source: io::Error::other("device busy"),
                },
                "device busy",
                "device busy",
            ),
        ];
        for (err, zh, en) in cases {
            let path = err.path().display().to_string();
            for (lang, want) in [(Lang::Zh, zh), (Lang::En, en)] {
                let msg = err.message(lang);
                assert!(msg.contains(&path), "{msg}");
                assert!(msg.contains(want), "{msg}");
                assert_eq!(msg.lines().count(), 2, "{msg}");
            }
        }
    }
}
