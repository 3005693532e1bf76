//! Materials (材料): each catalogue item present in its category folder,
//! in an accepted type, under the size limit, readable and named
//! `企业简称_材料类型_YYYYMMDD.pdf`.
//!
//! A file belongs to a catalogue item when the 材料类型 part of its name is
//! one of the item's names or synonyms, inside the item's category folder.
//! A file whose name does not follow the convention is still assigned when
//! an item's name appears in it, and flagged for its name.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use nianshen_case::InputKind;
use nianshen_rules::{CatalogueItem, Severity};
use regex::Regex;
use serde_json::json;

use crate::context::Context;
use crate::finding::Evidence;
use crate::text::to_half_width;

/// Which catalogue items were found.
#[derive(Clone, Debug, Default)]
pub struct CatalogueStatus {
    pub present: BTreeSet<String>,
}

/// One file under the materials folder.
#[derive(Debug)]
struct MaterialFile {
    path: PathBuf,
    /// The category folder it sits in (first component under the materials root).
    folder: Option<String>,
    file_name: String,
}

pub fn check(cx: &mut Context<'_>) -> CatalogueStatus {
    let mut status = CatalogueStatus::default();
    let roots = cx.case.input_paths(InputKind::Materials);
    let mut files = Vec::new();
    for root in &roots {
        if !root.exists() {
            cx.input_missing("材料文件夹", "materials folder", root);
            continue;
        }
        collect(root, root, &mut files);
    }
    if files.is_empty() && roots.iter().all(|r| !r.exists()) {
        return status;
    }

    let name_re = Regex::new(&cx.pack.patterns.material_name).ok();
    let catalogue = cx.pack.catalogue.clone();
    let mut unassigned = Vec::new();
    for file in &files {
        let (item, named_well) = assign(file, &catalogue, name_re.as_ref());
        if !named_well {
            bad_name(cx, file);
        }
        match item {
            Some(item) => {
                status.present.insert(item.id.clone());
                file_checks(cx, file, item);
            }
            None => unassigned.push(cx.rel(&file.path)),
        }
    }

    missing_items(cx, &catalogue, &status);
    if !unassigned.is_empty() {
        let list = unassigned.join(if cx.lang == nianshen_rules::Lang::Zh {
            "、"
        } else {
            ", "
        });
        let evidence = unassigned
            .iter()
            .map(|f| Evidence::file(f.clone(), String::new()))
            .collect();
        cx.raise(
            "materials.unassigned",
            &[("count", unassigned.len().to_string()), ("files", list)],
            evidence,
        );
    }
    cx.metric(
        "materials",
        json!({
            "files": files.len(),
            "catalogue_items": catalogue.len(),
            "present": status.present.len(),
            "unassigned": unassigned.len(),
        }),
    );
    status
}

/// Every file below `dir`, sorted, with its category folder.
fn collect(root: &Path, dir: &Path, out: &mut Vec<MaterialFile>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(root, &path, out);
            continue;
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if file_name.starts_with('.') || file_name.starts_with("~$") || file_name == "Thumbs.db" {
            continue;
        }
        let folder = path.strip_prefix(root).ok().and_then(|rel| {
            let mut parts = rel.components();
            let first = parts.next()?;
            // A file directly under the root has no category folder.
            parts.next()?;
            Some(first.as_os_str().to_string_lossy().into_owned())
        });
        out.push(MaterialFile {
            path,
            folder,
            file_name,
        });
    }
}

/// The category number a folder name starts with ("01-主体资格" → 1).
fn folder_category(folder: &str) -> Option<u32> {
    let digits: String = folder.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

fn in_folder(item: &CatalogueItem, folder: Option<&str>) -> bool {
    match folder {
        None => true,
        Some(f) => f == item.folder || folder_category(f) == Some(item.category),
    }
}

fn names_of(item: &CatalogueItem) -> impl Iterator<Item = String> + '_ {
    std::iter::once(item.name.zh.as_str())
        .chain(std::iter::once(item.name.en.as_str()))
        .chain(item.synonyms.iter().map(String::as_str))
        .filter(|n| !n.is_empty())
        .map(|n| to_half_width(n).to_lowercase())
}

/// Finds the item a file belongs to and whether its name follows the convention.
fn assign<'c>(
    file: &MaterialFile,
    catalogue: &'c [CatalogueItem],
    name_re: Option<&Regex>,
) -> (Option<&'c CatalogueItem>, bool) {
    let candidates: Vec<&CatalogueItem> = catalogue
        .iter()
        .filter(|i| in_folder(i, file.folder.as_deref()))
        .collect();
    let name = to_half_width(&file.file_name);
    let kind = name_re
        .and_then(|re| re.captures(&name))
        .and_then(|c| c.name("kind").map(|m| m.as_str().to_lowercase()));

    if let Some(kind) = &kind {
        if let Some(item) = candidates.iter().find(|i| names_of(i).any(|n| &n == kind)) {
            return (Some(item), true);
        }
    }

    // Otherwise the longest item name contained in the file name.
    let lower = name.to_lowercase();
    let best = candidates
        .iter()
        .flat_map(|i| names_of(i).map(move |n| (n, *i)))
        .filter(|(n, _)| lower.contains(n.as_str()))
        .max_by_key(|(n, _)| n.chars().count())
        .map(|(_, i)| i);
    (best, kind.is_some())
}

fn bad_name(cx: &mut Context<'_>, file: &MaterialFile) {
    let short = cx
        .case
        .file
        .company
        .short_name
        .clone()
        .unwrap_or_else(|| cx.t("企业简称", "ShortName"));
    let example = format!("{short}_营业执照_20250110.pdf");
    let shown = cx.rel(&file.path);
    cx.raise(
        "materials.bad_name",
        &[("file", shown.clone()), ("example", example)],
        vec![Evidence::file(shown, String::new())],
    );
}

/// Type, size and readability of one assigned file.
fn file_checks(cx: &mut Context<'_>, file: &MaterialFile, item: &CatalogueItem) {
    let shown = cx.rel(&file.path);
    let ext = file
        .path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !item.types.iter().any(|t| t.eq_ignore_ascii_case(&ext)) {
        cx.raise(
            "materials.not_pdf",
            &[("file", shown.clone())],
            vec![Evidence::file(shown, String::new())],
        );
        return;
    }

    let size = std::fs::metadata(&file.path).map(|m| m.len()).unwrap_or(0);
    let max = cx.pack.thresholds.material_max_bytes;
    if size > max {
        cx.raise(
            "materials.too_large",
            &[
                ("file", shown.clone()),
                ("size_mb", format!("{:.1}", size as f64 / 1_048_576.0)),
                ("max_mb", format!("{:.0}", max as f64 / 1_048_576.0)),
            ],
            vec![Evidence::file(shown.clone(), String::new())],
        );
    }

    if ext == "pdf" {
        if let Some(reason) = pdf_problem(cx, &file.path, size) {
            cx.raise(
                "materials.unreadable",
                &[("file", shown.clone()), ("reason", reason.clone())],
                vec![Evidence::file(shown, reason)],
            );
        }
    }
}

/// A quick structural look at a PDF: the header, the end-of-file marker and
/// encryption. Page-level checks (text layer, signatures) need a PDF parser.
// TODO: text layer, signatures, damaged cross-reference tables and expiry
// dates need the document-evidence reader; only the envelope is checked here.
fn pdf_problem(cx: &Context<'_>, path: &Path, size: u64) -> Option<String> {
    if size == 0 {
        return Some(cx.t("文件为空", "the file is empty"));
    }
    let mut head = [0u8; 1024];
    let read = std::fs::File::open(path).and_then(|mut f| f.read(&mut head));
    let Ok(n) = read else {
        return Some(cx.t("无法打开文件", "the file cannot be opened"));
    };
    if !head[..n].windows(5).any(|w| w == b"%PDF-") {
        return Some(cx.t(
            "不是 PDF 文件（缺少 %PDF- 文件头）",
            "not a PDF file (no %PDF- header)",
        ));
    }
    let Ok(bytes) = std::fs::read(path) else {
        return Some(cx.t("无法读取文件", "the file cannot be read"));
    };
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Some(cx.t(
            "文件不完整（缺少 %%EOF 结尾，可能被截断）",
            "incomplete file (no %%EOF, probably truncated)",
        ));
    }
    let has_xref = tail.windows(9).any(|w| w == b"startxref");
    let has_object = bytes.windows(4).any(|w| w == b" obj");
    if !has_xref || !has_object {
        return Some(cx.t(
            "文件已损坏（缺少对象或交叉引用表），审核系统可能无法打开",
            "the file is damaged (no objects or cross-reference table); the review system may not open it",
        ));
    }
    if bytes.windows(8).any(|w| w == b"/Encrypt") {
        return Some(cx.t(
            "文件已加密，审核系统无法打开",
            "the file is encrypted; the review system cannot open it",
        ));
    }
    None
}

/// Whether another input of the case (e.g. 人员/劳动合同) holds this item.
fn found_elsewhere(cx: &Context<'_>, item: &CatalogueItem) -> bool {
    item.also_in
        .iter()
        .filter_map(|key| InputKind::from_key(key))
        .any(|kind| !crate::tables::files_under(&cx.case.input_paths(kind)).is_empty())
}

fn is_dengbao(item: &CatalogueItem) -> bool {
    item.id.contains("dengbao")
        || item.name.zh.contains("等保")
        || item.name.zh.contains("等级保护")
}

fn is_officer_letter(item: &CatalogueItem) -> bool {
    item.name.zh.contains("举报处置") || item.id.contains("officer")
}

fn missing_items(cx: &mut Context<'_>, catalogue: &[CatalogueItem], status: &CatalogueStatus) {
    for item in catalogue {
        if status.present.contains(&item.id) || found_elsewhere(cx, item) {
            continue;
        }
        let folder_path = format!("材料/{}", item.folder);
        if is_dengbao(item) {
            let reason = cx.t(
                format!("{} 中没有{}", folder_path, item.name.zh),
                format!("no {} in {}", item.name.en, folder_path),
            );
            cx.raise(
                "materials.dengbao_missing",
                &[("reason", reason)],
                Vec::new(),
            );
            continue;
        }
        if is_officer_letter(item) {
            cx.raise(
                "staff.officer_missing",
                &[],
                vec![Evidence::file(folder_path, String::new())],
            );
            continue;
        }
        let severity = if item.required {
            Severity::Red
        } else {
            Severity::Yellow
        };
        let name = item.name.get(cx.lang).to_string();
        cx.raise_at(
            "materials.missing",
            severity,
            &[("item", name), ("folder", folder_path.clone())],
            vec![Evidence::file(folder_path, String::new())],
        );
    }
}
