//! Errors of the demo writer, with messages in Chinese and English.

use std::path::PathBuf;

use nianshen_rules::Lang;

/// A demo that could not be written. Nothing about it depends on user data
/// except the target folder.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{dir} is not empty and is not an earlier demo output (it contains {entry})")]
    NotEmpty { dir: PathBuf, entry: String },
    #[error("{0} exists and is not a folder")]
    NotADir(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot build {path}: {message}")]
    Encode { path: PathBuf, message: String },
    #[error("the built-in rule pack did not load: {0}")]
    Rules(#[from] nianshen_rules::RulesError),
}

impl DemoError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> DemoError {
        DemoError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn encode(path: impl Into<PathBuf>, message: impl ToString) -> DemoError {
        DemoError::Encode {
            path: path.into(),
            message: message.to_string(),
        }
    }

    /// Returns the message for a user: what is wrong and, on its own line,
    /// what to do.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (DemoError::NotEmpty { dir, entry }, Lang::Zh) => format!(
                "文件夹 {} 不是空的，也不是以前生成的演示案例（其中有“{entry}”），为免覆盖您的文件，没有写入。\n请换一个不存在的或空的文件夹，例如 `nianshen demo 演示案例`。",
                dir.display()
            ),
            (DemoError::NotEmpty { dir, entry }, Lang::En) => format!(
                "{} is not empty and is not an earlier demo output (it contains {entry:?}), so nothing was written and none of your files was overwritten.\nChoose a folder that does not exist or is empty, e.g. `nianshen demo demo-case`.",
                dir.display()
            ),
            (DemoError::NotADir(p), Lang::Zh) => format!(
                "{} 已存在且不是文件夹。\n请给出一个文件夹路径。",
                p.display()
            ),
            (DemoError::NotADir(p), Lang::En) => format!(
                "{} exists and is not a folder.\nGive the path of a folder.",
                p.display()
            ),
            (DemoError::Io { path, source }, Lang::Zh) => format!(
                "无法写入 {}：{source}\n请确认磁盘空间足够、当前用户对该位置有写权限。",
                path.display()
            ),
            (DemoError::Io { path, source }, Lang::En) => format!(
                "cannot write {}: {source}\nMake sure there is enough disk space and that you may write there.",
                path.display()
            ),
            (DemoError::Encode { path, message }, Lang::Zh) => format!(
                "生成 {} 时出错：{message}\n这是 nianshen 的缺陷，请附上这条信息报告问题。",
                path.display()
            ),
            (DemoError::Encode { path, message }, Lang::En) => format!(
                "building {} failed: {message}\nThis is a bug in nianshen; please report it with this message.",
                path.display()
            ),
            (DemoError::Rules(e), lang) => e.message(lang),
        }
    }
}
