//! Errors of reading call records, with the file, sheet, column and value
//! concerned, and messages in Chinese or English.

use std::path::PathBuf;

use nianshen_rules::Lang;
use nianshen_table::TableError;

/// A file or mapping that stops a side from being read. Single bad rows
/// are not errors: they are counted in [`crate::SideStats`].
#[derive(Debug, thiserror::Error)]
pub enum CdrError {
    /// The file could not be read as a table at all.
    #[error(transparent)]
    Table(#[from] TableError),
    /// The file is a table but not call records.
    #[error("{file}: not call records, looks like {looks_like_en}")]
    NotCallRecords {
        file: PathBuf,
        sheet: Option<String>,
        looks_like_zh: String,
        looks_like_en: String,
    },
    /// The file may be call records but its columns could not be mapped.
    #[error("{file}: columns could not be mapped")]
    Unmapped {
        file: PathBuf,
        sheet: Option<String>,
        /// Each column as `name or number: sample values`.
        columns: Vec<String>,
        /// A mapping file to start from.
        suggestion: String,
    },
    /// A mapping whose key or value is invalid.
    #[error("invalid mapping {origin}: {key} = {value}: {reason_en}")]
    Mapping {
        origin: String,
        key: String,
        value: String,
        reason_zh: String,
        reason_en: String,
    },
    /// A mapping file that could not be read or parsed.
    #[error("cannot read mapping {file}: {message}")]
    MappingFile { file: PathBuf, message: String },
    /// A mapping names a header that the file does not have.
    #[error("{file}: mapped column {column:?} not found in the header")]
    MissingColumn {
        file: PathBuf,
        role: String,
        column: String,
    },
    /// A folder or archive without any file to read.
    #[error("{path}: no call-record files found")]
    NoFiles { path: PathBuf },
    /// A side made of more files than records can point to.
    #[error("{path}: more than {limit} files on one side")]
    TooManyFiles { path: PathBuf, limit: usize },
    /// Records could not be written to (or read back from) the temporary
    /// folder they spill into beyond the memory budget.
    #[error("{dir}: cannot spill records to disk: {source}")]
    Spill {
        dir: PathBuf,
        source: std::io::Error,
    },
}

impl CdrError {
    /// Formats the message for a user: what is wrong, quoting the file and
    /// value, then on its own line what to do.
    /// The advice names the mapping flags of `recon cdr` and the
    /// `[[mappings]]` of a case.
    pub fn message(&self, lang: Lang) -> String {
        let flag = MappingFlag {
            flag: "--local-mapping / --carrier-mapping",
            with_case: true,
        };
        match lang {
            Lang::Zh => self.message_zh(flag),
            Lang::En => self.message_en(flag),
        }
    }

    /// As [`CdrError::message`], naming `flag` (e.g. `--mapping` of
    /// `cdr inspect`) as the way to give a mapping.
    pub fn message_with_flag(&self, lang: Lang, flag: &str) -> String {
        let flag = MappingFlag {
            flag,
            with_case: false,
        };
        match lang {
            Lang::Zh => self.message_zh(flag),
            Lang::En => self.message_en(flag),
        }
    }

    /// Returns the source and a one-line reason in Chinese and English,
    /// for a source passed over beside others of the same file that were
    /// read. The source is the file with the sheet in brackets, or `file`
    /// when the error names none.
    pub(crate) fn passed_over(&self, file: &std::path::Path) -> (PathBuf, String, String) {
        let with_sheet = |file: &PathBuf, sheet: &Option<String>| match sheet {
            Some(s) => PathBuf::from(format!("{} [{s}]", file.display())),
            None => file.clone(),
        };
        match self {
            CdrError::NotCallRecords {
                file,
                sheet,
                looks_like_zh,
                looks_like_en,
            } => (
                with_sheet(file, sheet),
                format!("不是话单（{looks_like_zh}），未读取"),
                format!("not call records ({looks_like_en}), not read"),
            ),
            CdrError::Unmapped { file, sheet, .. } => (
                with_sheet(file, sheet),
                "列无法识别为话单格式，未读取；如果是话单，请用 nianshen cdr inspect 查看，并用映射指明各列".to_string(),
                "its columns were not recognised as call records, so it was not read; if it holds call records, run nianshen cdr inspect and name the columns in a mapping".to_string(),
            ),
            other => {
                let first = |text: String| text.lines().next().unwrap_or_default().to_string();
                (
                    file.to_path_buf(),
                    first(other.message(Lang::Zh)),
                    first(other.message(Lang::En)),
                )
            }
        }
    }

    fn message_zh(&self, m: MappingFlag<'_>) -> String {
        let flag = m.flag;
        let or_case = if m.with_case {
            " 或 case.toml 的 [[mappings]]"
        } else {
            ""
        };
        match self {
            CdrError::Table(e) => e.message(Lang::Zh),
            CdrError::NotCallRecords { file, sheet, looks_like_zh, .. } => format!(
                "文件“{}”{}不是话单：{looks_like_zh}。话单至少要有时间列，以及号码列（主叫、被叫或对方号码）或呼叫方向列（主叫/被叫）。\n请确认选对了文件；若确实是话单，请用映射文件（{flag}{or_case}）指明各列。",
                file.display(),
                sheet_zh(sheet)
            ),
            CdrError::Unmapped { file, sheet, columns, suggestion } => format!(
                "文件“{}”{}的列无法识别为话单格式。看到的列（列号或表头：示例值）：\n  {}\n请据此写一个映射文件（TOML），用 {flag} 指定。可从下面这份开始修改：\n{suggestion}",
                file.display(),
                sheet_zh(sheet),
                columns.join("\n  ")
            ),
            CdrError::Mapping { origin, key, value, reason_zh, .. } => format!(
                "映射 {origin} 中 {key} = {value} 无效：{reason_zh}。\n请改正该项；可用的列角色：{}。",
                crate::mapping::Role::names().join("、")
            ),
            CdrError::MappingFile { file, message } => format!(
                "无法读取映射文件“{}”：{message}。\n请确认文件存在，且是有效的 TOML。",
                file.display()
            ),
            CdrError::MissingColumn { file, role, column } => format!(
                "文件“{}”的表头中没有映射指定的列“{column}”（角色 {role}）。\n请对照文件的表头改正映射中的列名，或改用列号（从 1 开始）。",
                file.display()
            ),
            CdrError::NoFiles { path } => format!(
                "“{}”中没有找到可读取的话单文件（CSV/TXT/Excel/ZIP）。\n请检查路径，或把话单文件放进该文件夹。",
                path.display()
            ),
            CdrError::TooManyFiles { path, limit } => format!(
                "读到“{}”时，这一方的话单文件已超过 {limit} 个。\n请先把小文件合并（例如按月合并），再运行。",
                path.display()
            ),
            CdrError::Spill { dir, source } => format!(
                "话单记录超出内存上限，需暂存到临时文件夹“{}”，但读写失败：{source}。\n请腾出该磁盘的空间，或用环境变量 TMPDIR 指定空间充足的文件夹，或用 --memory-limit 调大内存上限。",
                dir.display()
            ),
        }
    }

    fn message_en(&self, m: MappingFlag<'_>) -> String {
        let flag = m.flag;
        let or_case = if m.with_case {
            " or [[mappings]] in case.toml"
        } else {
            ""
        };
        match self {
            CdrError::Table(e) => e.message(Lang::En),
            CdrError::NotCallRecords { file, sheet, looks_like_en, .. } => format!(
                "{}{} is not call records: {looks_like_en}. Call records need a time column and a number column (caller, callee or other party) or a direction column.\nCheck that this is the right file; if it is call records, describe its columns with a mapping ({flag}{or_case}).",
                file.display(),
                sheet_en(sheet)
            ),
            CdrError::Unmapped { file, sheet, columns, suggestion } => format!(
                "the columns of {}{} do not match a known call-record layout. Columns seen (number or header: samples):\n  {}\nWrite a mapping file (TOML) and pass it with {flag}. Start from this one:\n{suggestion}",
                file.display(),
                sheet_en(sheet),
                columns.join("\n  ")
            ),
            CdrError::Mapping { origin, key, value, reason_en, .. } => format!(
                "mapping {origin}: {key} = {value} is invalid: {reason_en}.\nCorrect it; column roles are: {}.",
                crate::mapping::Role::names().join(", ")
            ),
            CdrError::MappingFile { file, message } => format!(
                "cannot read the mapping file {}: {message}.\nMake sure it exists and is valid TOML.",
                file.display()
            ),
            CdrError::MissingColumn { file, role, column } => format!(
                "the header of {} has no column {column:?} (role {role}) named by the mapping.\nCorrect the column name in the mapping or use the column number (from 1).",
                file.display()
            ),
            CdrError::NoFiles { path } => format!(
                "no call-record files (CSV/TXT/Excel/ZIP) found in {}.\nCheck the path or put the files into that folder.",
                path.display()
            ),
            CdrError::TooManyFiles { path, limit } => format!(
                "at {}, this side has more than {limit} call-record files.\nMerge small files (e.g. by month) and run again.",
                path.display()
            ),
            CdrError::Spill { dir, source } => format!(
                "the call records outgrew the memory limit and spill to the temporary folder {}, but it failed: {source}.\nFree space on that disk, point the TMPDIR environment variable at a folder with room, or raise --memory-limit.",
                dir.display()
            ),
        }
    }
}

/// The option through which the running command takes a mapping, for the
/// advice in messages.
#[derive(Clone, Copy)]
struct MappingFlag<'a> {
    flag: &'a str,
    /// Also name `[[mappings]]` in case.toml.
    with_case: bool,
}

fn sheet_zh(sheet: &Option<String>) -> String {
    sheet
        .as_ref()
        .map_or(String::new(), |s| format!("（工作表“{s}”）"))
}

fn sheet_en(sheet: &Option<String>) -> String {
    sheet
        .as_ref()
        .map_or(String::new(), |s| format!(" (sheet {s:?})"))
}
