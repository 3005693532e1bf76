//! Errors of reading a tabular file, with the file they concern and
//! messages for the user in Chinese or English.

use std::path::PathBuf;

use nianshen_rules::Lang;

/// A file that could not be read as a table at all. Problems of single
/// rows are not errors: they come out as [`crate::RowProblem`]s and the
/// rest of the file is read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The path does not exist.
    #[error("{file}: no such file or folder")]
    NotFound { file: PathBuf },
    /// The file exists but reading it failed.
    #[error("{file}: {source}")]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file has no bytes (or only a byte-order mark and white space).
    #[error("{file}: the file is empty")]
    Empty { file: PathBuf },
    /// The content is not text, not a workbook and not a ZIP archive.
    #[error("{file}: binary content, not a table ({what})")]
    Binary { file: PathBuf, what: String },
    /// A workbook (XLS/XLSX) that the workbook reader rejected.
    #[error("{file}: damaged workbook: {message}")]
    Workbook { file: PathBuf, message: String },
    /// A ZIP archive that could not be opened or contains no table.
    #[error("{file}: {message}")]
    Archive { file: PathBuf, message: String },
    /// Reading stopped in the middle of a text file.
    #[error("{file}, row {row}: {message}")]
    Text {
        file: PathBuf,
        row: u64,
        message: String,
    },
}

impl TableError {
    /// Returns the file the error concerns.
    pub fn file(&self) -> &std::path::Path {
        match self {
            TableError::NotFound { file }
            | TableError::Io { file, .. }
            | TableError::Empty { file }
            | TableError::Binary { file, .. }
            | TableError::Workbook { file, .. }
            | TableError::Archive { file, .. }
            | TableError::Text { file, .. } => file,
        }
    }

    /// Formats the message for a user: what is wrong, quoting the file,
    /// then on its own line what to do.
    pub fn message(&self, lang: Lang) -> String {
        let f = self.file().display();
        match (self, lang) {
            (TableError::NotFound { .. }, Lang::Zh) => {
                format!("找不到文件或文件夹“{f}”。\n请检查路径是否写对。")
            }
            (TableError::NotFound { .. }, Lang::En) => {
                format!("no such file or folder: {f}.\nCheck the path.")
            }
            (TableError::Io { source, .. }, Lang::Zh) => {
                format!("无法读取文件“{f}”：{source}。\n请确认文件存在且有读取权限。")
            }
            (TableError::Io { source, .. }, Lang::En) => {
                format!("cannot read {f}: {source}.\nMake sure the file exists and is readable.")
            }
            (TableError::Empty { .. }, Lang::Zh) => {
                format!("文件“{f}”是空的，没有任何数据。\n请重新导出该文件，或从输入中去掉它。")
            }
            (TableError::Empty { .. }, Lang::En) => {
                format!("{f} is empty.\nExport it again or leave it out of the inputs.")
            }
            (TableError::Binary { what, .. }, Lang::Zh) => format!(
                "文件“{f}”不是表格：内容是二进制数据（{}），不是 CSV/TXT 文本、Excel 工作簿或 ZIP 压缩包。\n请从系统中重新导出为 CSV 或 Excel 文件。",
                what_zh(what)
            ),
            (TableError::Binary { what, .. }, Lang::En) => format!(
                "{f} is not a table: its content is binary ({what}), neither CSV/TXT text nor an Excel workbook nor a ZIP archive.\nExport it again as CSV or Excel."
            ),
            (TableError::Workbook { message, .. }, Lang::Zh) => format!(
                "Excel 文件“{f}”已损坏或无法解析：{message}。\n请用 Excel 打开后另存为 .xlsx，或重新导出。"
            ),
            (TableError::Workbook { message, .. }, Lang::En) => format!(
                "the workbook {f} is damaged or cannot be parsed: {message}.\nOpen it in Excel and save it as .xlsx, or export it again."
            ),
            (TableError::Archive { message, .. }, Lang::Zh) => {
                format!("压缩包“{f}”无法使用：{message}。\n请确认压缩包完整，且其中有 CSV/TXT/Excel 文件。")
            }
            (TableError::Archive { message, .. }, Lang::En) => format!(
                "cannot use the archive {f}: {message}.\nMake sure it is complete and contains CSV/TXT/Excel files."
            ),
            (TableError::Text { row, message, .. }, Lang::Zh) => {
                format!("文件“{f}”第 {row} 行无法读取：{message}。\n请检查该行附近的内容，或重新导出文件。")
            }
            (TableError::Text { row, message, .. }, Lang::En) => format!(
                "{f}, row {row}: cannot read: {message}.\nCheck the content near that row or export the file again."
            ),
        }
    }
}

/// Translates the description of a binary file into Chinese.
fn what_zh(what: &str) -> &str {
    match what {
        "PDF document" => "PDF 文档",
        "PNG image" => "PNG 图片",
        "JPEG image" => "JPEG 图片",
        "GIF image" => "GIF 图片",
        "RAR archive" => "RAR 压缩包",
        "7z archive" => "7z 压缩包",
        "gzip archive" => "gzip 压缩包",
        "RIFF media (WAV/AVI)" => "WAV/AVI 音视频",
        "MP3 audio" => "MP3 音频",
        "SQLite database" => "SQLite 数据库",
        "NUL bytes" => "含有 NUL 字节",
        "control characters" => "大量控制字符或无法解码的字节",
        other => other,
    }
}
