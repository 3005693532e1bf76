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
                format!(
                    "无法读取文件“{f}”：{}。\n请确认文件存在且有读取权限。",
                    io_kind_zh(source)
                )
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
                "Excel 文件“{f}”已损坏或无法解析：{}。\n请用 Excel 打开后另存为 .xlsx，或重新导出。",
                workbook_detail_zh(message)
            ),
            (TableError::Workbook { message, .. }, Lang::En) => format!(
                "the workbook {f} is damaged or cannot be parsed: {message}.\nOpen it in Excel and save it as .xlsx, or export it again."
            ),
            (TableError::Archive { message, .. }, Lang::Zh) => format!(
                "压缩包“{f}”无法使用：{}。\n请确认压缩包完整，且其中有 CSV/TXT/Excel 文件。",
                archive_detail_zh(message)
            ),
            (TableError::Archive { message, .. }, Lang::En) => format!(
                "cannot use the archive {f}: {message}.\nMake sure it is complete and contains CSV/TXT/Excel files."
            ),
            (TableError::Text { row, .. }, Lang::Zh) => {
                format!("文件“{f}”第 {row} 行起无法按文本表格读取。\n请检查该行附近的内容，或重新导出文件。")
            }
            (TableError::Text { row, message, .. }, Lang::En) => format!(
                "{f}, row {row}: cannot read: {message}.\nCheck the content near that row or export the file again."
            ),
        }
    }
}

impl TableError {
    /// Says in a few words why the file was not read, without its name or
    /// advice: for lists of files passed over.
    pub fn reason(&self, lang: Lang) -> String {
        match (self, lang) {
            (TableError::NotFound { .. }, Lang::Zh) => "找不到该文件".to_string(),
            (TableError::NotFound { .. }, Lang::En) => "no such file".to_string(),
            (TableError::Io { source, .. }, Lang::Zh) => {
                format!("读取失败（{}）", io_kind_zh(source))
            }
            (TableError::Io { source, .. }, Lang::En) => format!("cannot be read: {source}"),
            (TableError::Empty { .. }, Lang::Zh) => "文件是空的".to_string(),
            (TableError::Empty { .. }, Lang::En) => "the file is empty".to_string(),
            (TableError::Binary { what, .. }, Lang::Zh) => {
                format!("不是表格，内容是二进制数据（{}）", what_zh(what))
            }
            (TableError::Binary { what, .. }, Lang::En) => {
                format!("not a table: binary content ({what})")
            }
            (TableError::Workbook { message, .. }, Lang::Zh) => {
                format!("Excel 文件已损坏：{}", workbook_detail_zh(message))
            }
            (TableError::Workbook { message, .. }, Lang::En) => {
                format!("damaged workbook: {message}")
            }
            (TableError::Archive { message, .. }, Lang::Zh) => {
                format!("压缩包无法使用：{}", archive_detail_zh(message))
            }
            (TableError::Archive { message, .. }, Lang::En) => {
                format!("unusable archive: {message}")
            }
            (TableError::Text { row, .. }, Lang::Zh) => format!("第 {row} 行起无法读取"),
            (TableError::Text { row, message, .. }, Lang::En) => {
                format!("cannot be read from row {row}: {message}")
            }
        }
    }
}

/// Says in Chinese what is wrong inside a damaged workbook. The details
/// come from this crate's own checks and from the workbook reader. Those
/// of the reader are English, so one phrase sums them up.
fn workbook_detail_zh(message: &str) -> String {
    if message.contains("links sectors in a cycle") {
        return "文件内部的扇区链首尾相连，结构已损坏".to_string();
    }
    if message.starts_with("invalid sector shift") {
        return "文件头中的扇区大小无效".to_string();
    }
    if message.starts_with("file shorter than its header") {
        return "文件比文件头还短，可能只复制了一部分".to_string();
    }
    if message.contains("past the last column") || message.contains("beyond the last column") {
        return "有单元格位于工作表最后一列之外".to_string();
    }
    "工作簿的内部结构不完整或不一致，无法解析".to_string()
}

/// Says in Chinese what is wrong with an archive; the ZIP reader's own
/// messages are English and are summed up in one phrase.
fn archive_detail_zh(message: &str) -> &'static str {
    match message {
        "no files inside" => "其中没有文件",
        m if m.starts_with("member too large") => "其中的文件过大，无法解压",
        _ => "压缩包已损坏或格式不受支持",
    }
}

/// Names the common reasons a read fails, in Chinese.
fn io_kind_zh(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "没有读取权限",
        std::io::ErrorKind::NotFound => "文件不存在",
        std::io::ErrorKind::UnexpectedEof => "文件意外结束",
        _ => "系统读取错误",
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists the words of a message written in Latin letters, less the
    /// product words a Chinese message may contain.
    fn latin_words(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| {
                w.len() > 1 && !["Excel", "xlsx", "xls", "zip", "CSV", "TXT", "ZIP"].contains(w)
            })
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn chinese_messages_carry_no_english_details() {
        let file = PathBuf::from("话单.xls");
        let errors = [
            TableError::Workbook {
                file: file.clone(),
                message: "Cfb error: Invalid OLE signature (not an office document?)".into(),
            },
            TableError::Workbook {
                file: file.clone(),
                message: "the sector allocation table links sectors in a cycle".into(),
            },
            TableError::Archive {
                file: file.clone(),
                message: "invalid Zip archive: Could not find EOCD".into(),
            },
            TableError::Io {
                file: file.clone(),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            },
            TableError::Text {
                file: file.clone(),
                row: 3,
                message: "invalid UTF-8".into(),
            },
        ];
        for e in &errors {
            for text in [e.message(Lang::Zh), e.reason(Lang::Zh)] {
                assert_eq!(latin_words(&text), Vec::<String>::new(), "{text}");
            }
        }
    }

    #[test]
    fn workbook_details_keep_their_meaning_in_chinese() {
        let e = TableError::Workbook {
            file: PathBuf::from("a.xls"),
            message: "the DIFAT chain links sectors in a cycle".into(),
        };

        assert!(e.message(Lang::Zh).contains("扇区链首尾相连"));
        assert!(e.message(Lang::En).contains("DIFAT"));
    }
}
