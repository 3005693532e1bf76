//! Registers as the checks read them: rosters, account lists, training
//! records, complaint logs and payment records, each a sheet with a header
//! row somewhere near the top and title lines above it.

use std::path::{Path, PathBuf};

use nianshen_rules::Lang;

/// One sheet of a register with its header found.
#[derive(Clone, Debug)]
pub struct Sheet {
    pub file: PathBuf,
    pub sheet: Option<String>,
    /// The rows above the header, each joined into one line.
    pub title_lines: Vec<String>,
    pub headers: Vec<String>,
    pub rows: Vec<SheetRow>,
}

/// A data row below the header; cells as text (dates as `YYYY-MM-DD` or
/// `YYYY-MM-DD HH:MM:SS`, numbers without a trailing `.0`).
#[derive(Clone, Debug)]
pub struct SheetRow {
    /// 1-based row number in the file or sheet.
    pub row: u64,
    pub cells: Vec<String>,
}

impl SheetRow {
    /// The trimmed cell at `index`, or "" past the row's end.
    pub fn get(&self, index: usize) -> &str {
        self.cells.get(index).map(|s| s.trim()).unwrap_or("")
    }
}

impl Sheet {
    /// The index of the first header equal to one of `names` (after
    /// normalising brackets, width and spaces).
    pub fn col(&self, names: &[&str]) -> Option<usize> {
        let wanted: Vec<String> = names.iter().map(|n| normalize_header(n)).collect();
        self.headers
            .iter()
            .position(|h| wanted.contains(&normalize_header(h)))
    }

    pub fn header(&self, index: usize) -> &str {
        self.headers.get(index).map(String::as_str).unwrap_or("")
    }
}

/// A register that could not be read.
#[derive(Debug)]
pub struct ReadProblem {
    pub zh: String,
    pub en: String,
}

impl ReadProblem {
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh.clone(),
            Lang::En => self.en.clone(),
        }
    }
}

/// Header text compared loosely: half-width, no spaces, lower case.
pub fn normalize_header(text: &str) -> String {
    crate::text::to_half_width(text)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .collect::<String>()
        .to_lowercase()
}

/// Every regular file at or below `paths`, sorted; paths that do not exist
/// are skipped (the caller reports absent inputs). A folder reached twice,
/// e.g. through a symbolic link that loops, is read once.
pub fn files_under(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        walk(path, &mut out, &mut seen);
    }
    out
}

fn walk(path: &Path, out: &mut Vec<PathBuf>, seen: &mut std::collections::HashSet<PathBuf>) {
    if path.is_file() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.starts_with('.') && !name.starts_with("~$") {
            out.push(path.to_path_buf());
        }
        return;
    }
    let Ok(real) = std::fs::canonicalize(path) else {
        return;
    };
    if !seen.insert(real) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for child in children {
        walk(&child, out, seen);
    }
}

/// Reads every sheet of a register whose header row holds cells from at
/// least two of the `columns` groups (or one, when only one group is given).
/// Sheets without such a row are left out; a file with none is a problem.
pub fn read_sheets(path: &Path, columns: &[&[&str]]) -> Result<Vec<Sheet>, ReadProblem> {
    let raw = read_raw(path)?;
    let needed = columns.len().min(2);
    let mut sheets = Vec::new();
    for (file, sheet_name, rows) in raw {
        if let Some(sheet) = find_header(&file, sheet_name, rows, columns, needed) {
            sheets.push(sheet);
        }
    }
    if sheets.is_empty() {
        let expected: Vec<&str> = columns.iter().filter_map(|g| g.first().copied()).collect();
        return Err(ReadProblem {
            zh: format!(
                "{} 中找不到表头（应包含 {} 等列）",
                path.display(),
                expected.join("、")
            ),
            en: format!(
                "no header row found in {} (expected columns such as {})",
                path.display(),
                expected.join(", ")
            ),
        });
    }
    Ok(sheets)
}

/// How far down a header row is looked for.
const HEADER_SEARCH_ROWS: usize = 40;

fn find_header(
    path: &Path,
    sheet: Option<String>,
    rows: Vec<(u64, Vec<String>)>,
    columns: &[&[&str]],
    needed: usize,
) -> Option<Sheet> {
    let groups: Vec<Vec<String>> = columns
        .iter()
        .map(|g| g.iter().map(|n| normalize_header(n)).collect())
        .collect();
    let position = rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|(_, cells)| {
            let normal: Vec<String> = cells.iter().map(|c| normalize_header(c)).collect();
            groups
                .iter()
                .filter(|g| normal.iter().any(|c| g.contains(c)))
                .count()
                >= needed.max(1)
        })?;

    let mut rows = rows.into_iter();
    let title_lines = rows
        .by_ref()
        .take(position)
        .map(|(_, cells)| {
            cells
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let (_, headers) = rows.next()?;
    let data = rows
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .map(|(row, cells)| SheetRow { row, cells })
        .collect();
    Some(Sheet {
        file: path.to_path_buf(),
        sheet,
        title_lines,
        headers: headers
            .into_iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect(),
        rows: data,
    })
}

/// The sheets of a tabular file as rows of text cells with their 1-based
/// row numbers; each sheet of a workbook and each member of an archive is
/// one sheet here.
type RawSheets = Vec<(PathBuf, Option<String>, Vec<(u64, Vec<String>)>)>;

fn read_raw(path: &Path) -> Result<RawSheets, ReadProblem> {
    let table = nianshen_table::read_table(path).map_err(|e| ReadProblem {
        zh: e.message(Lang::Zh),
        en: e.message(Lang::En),
    })?;
    let mut sheets: RawSheets = table
        .sources
        .iter()
        .map(|s| (s.file.clone(), s.sheet.clone(), Vec::new()))
        .collect();
    for row in table.rows {
        let cells = row.cells.iter().map(|c| c.text()).collect();
        let index = sheets
            .iter()
            .position(|(file, sheet, _)| *file == row.file && *sheet == row.sheet);
        match index {
            Some(i) => sheets[i].2.push((row.row, cells)),
            None => sheets.push((row.file.clone(), row.sheet.clone(), vec![(row.row, cells)])),
        }
    }
    Ok(sheets)
}
