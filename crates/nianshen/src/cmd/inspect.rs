//! `nianshen cdr inspect FILE`: how a call-record file is read.

use std::path::Path;

use nianshen_cdr::{BilledUnit, Inspection, ReadOptions, Vocabulary};
use nianshen_rules::Lang;

use crate::cli::{CdrArgs, CdrCommand, InspectArgs};
use crate::cmd::recon::{load_pack, mapping_arg};
use crate::failure::{Failure, EXIT_OK};

pub fn run(args: CdrArgs, lang: Lang) -> Result<u8, Failure> {
    match args.command {
        CdrCommand::Inspect(args) => run_inspect(args, lang),
    }
}

fn run_inspect(args: InspectArgs, lang: Lang) -> Result<u8, Failure> {
    if args.file.is_dir() {
        return Err(folder_given(&args.file, lang));
    }
    let pack = load_pack(&args.rules, lang)?;
    let mut opts = ReadOptions::new(Vocabulary::from_pack(&pack));
    opts.mapping = mapping_arg(args.mapping.as_ref(), lang)?;
    opts.unmask = args.unmask;
    let inspection = nianshen_cdr::inspect(&args.file, &opts)
        .map_err(|e| Failure::new(e.message_with_flag(lang, "--mapping")))?;
    if args.json {
        let json =
            serde_json::to_string_pretty(&inspection).map_err(|e| Failure::new(e.to_string()))?;
        crate::output::println(&json);
    } else {
        crate::output::print(&describe(&inspection, lang));
    }
    Ok(EXIT_OK)
}

/// Rejects a folder given to `cdr inspect`, which describes one file, and
/// lists a few of the folder's files to choose from.
fn folder_given(dir: &Path, lang: Lang) -> Failure {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let example = files
        .first()
        .map_or_else(|| dir.join("文件名.csv"), |name| dir.join(name));
    let listed = files.iter().take(5).cloned().collect::<Vec<_>>();
    let (more_zh, more_en) = match files.len() {
        0 => (
            "（其中没有文件）".to_string(),
            " (it holds no files)".to_string(),
        ),
        n => (
            format!(
                "（其中有 {n} 个文件：{}{}）",
                listed.join("、"),
                if n > 5 { "等" } else { "" }
            ),
            format!(
                " (it holds {n} files: {}{})",
                listed.join(", "),
                if n > 5 { ", …" } else { "" }
            ),
        ),
    };
    Failure::localized(
        lang,
        format!(
            "“{}”是文件夹{more_zh}；cdr inspect 一次查看一个文件。\n请指定其中的一个文件，例如：nianshen cdr inspect \"{}\"",
            dir.display(),
            example.display()
        ),
        format!(
            "{} is a folder{more_en}; cdr inspect looks at one file at a time.\nName one of its files, e.g. nianshen cdr inspect \"{}\"",
            dir.display(),
            example.display()
        ),
    )
}

fn layout_name(layout: &str, lang: Lang) -> &str {
    match (layout, lang) {
        ("asterisk", Lang::Zh) => "Asterisk Master.csv（无表头，固定字段）",
        ("freeswitch", Lang::Zh) => "FreeSWITCH mod_cdr_csv 默认模板（无表头）",
        ("header", Lang::Zh) => "按表头识别",
        ("mapping", Lang::Zh) => "按映射文件",
        ("asterisk", Lang::En) => "Asterisk Master.csv (no header, fixed fields)",
        ("freeswitch", Lang::En) => "FreeSWITCH mod_cdr_csv default template (no header)",
        ("header", Lang::En) => "by header",
        ("mapping", Lang::En) => "by mapping",
        (other, _) => other,
    }
}

/// Lines of text in the user's language.
struct Text {
    lang: Lang,
    out: String,
}

impl Text {
    /// Appends one line, in Chinese or English.
    fn line(&mut self, zh: String, en: String) {
        self.out
            .push_str(if self.lang == Lang::Zh { &zh } else { &en });
        self.out.push('\n');
    }
}

/// Formats the readable description.
fn describe(i: &Inspection, lang: Lang) -> String {
    let mut text = Text {
        lang,
        out: String::new(),
    };
    describe_source(&mut text, i);
    describe_rows(&mut text, i);
    describe_signals(&mut text, i);
    describe_notes(&mut text, i);
    text.out
}

/// Describes the file, its encoding, layout and column mapping.
fn describe_source(t: &mut Text, i: &Inspection) {
    t.line(
        format!("文件：{}", i.file.display()),
        format!("file: {}", i.file.display()),
    );

    let enc = i.encoding.clone().unwrap_or_else(|| "—".into());
    let delim = i.delimiter.clone().unwrap_or_else(|| "—".into());
    let format_zh = match i.format.as_str() {
        "text" => "文本",
        "xls" => "Excel 97-2003 工作簿（.xls）",
        "xlsx" => "Excel 工作簿（.xlsx）",
        "html" => "网页表格（HTML，常见于另存为 .xls 的导出）",
        other => other,
    };
    let delim_zh = match delim.as_str() {
        "\\t" => "制表符",
        "," => "逗号",
        " " => "空格",
        other => other,
    };
    t.line(
        format!("格式：{format_zh}，编码：{enc}，分隔符：{delim_zh}"),
        format!("format: {}, encoding: {enc}, delimiter: {delim}", i.format),
    );

    let header = i
        .header_row
        .map_or_else(|| "—".to_string(), |r| r.to_string());
    t.line(
        format!(
            "版式：{}，表头行：{header}",
            layout_name(&i.layout, Lang::Zh)
        ),
        format!(
            "layout: {}, header row: {header}",
            layout_name(&i.layout, Lang::En)
        ),
    );

    let cols: Vec<String> = i
        .mapping
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    t.line(
        format!("列映射：{}", cols.join("；")),
        format!("columns: {}", cols.join("; ")),
    );
}

/// Describes the row counts, unreadable rows and normalised samples.
fn describe_rows(t: &mut Text, i: &Inspection) {
    t.line(
        format!(
            "数据 {} 行；接通 {} 行，其中可核对 {}、无法核对 {}；无法读取 {} 行；脱敏号码 {} 个",
            i.rows, i.answered, i.usable, i.unusable_rows, i.unreadable_rows, i.masked_numbers
        ),
        format!(
            "{} data rows; {} answered, {} usable, {} unusable; {} unreadable; {} masked numbers",
            i.rows, i.answered, i.usable, i.unusable_rows, i.unreadable_rows, i.masked_numbers
        ),
    );
    if i.duplicates_removed > 0 {
        let dup = i.duplicates_removed;
        let total = i.rows + dup;
        t.line(
            format!("  {total} 行中 {dup} 行为 FreeSWITCH B 腿或同一通话的重复副本，已去重（不计入上面的行数）"),
            format!("  {dup} of {total} rows were FreeSWITCH B-legs or copies of one call and were left out (not counted above)"),
        );
    }
    for (reason, n) in &i.unusable_by_reason {
        let (zh, en) = nianshen_cdr::unusable_reason(reason).unwrap_or((reason, reason));
        t.line(
            format!("  无法核对（{zh}）：{n} 行"),
            format!("  unusable ({en}): {n} rows"),
        );
    }
    for b in i.unreadable.iter().take(10) {
        let (col_zh, col_en) = b.column.as_ref().map_or_else(
            || (String::new(), String::new()),
            |c| (format!("列 {c}，"), format!("column {c}, ")),
        );
        t.line(
            format!(
                "  第 {} 行无法读取：{}（{col_zh}值“{}”）",
                b.row, b.reason_zh, b.value
            ),
            format!(
                "  row {} unreadable: {} ({col_en}value {:?})",
                b.row, b.reason_en, b.value
            ),
        );
    }
    for r in &i.samples {
        let (billed_zh, billed_en) = match (r.billed_unit, r.billed) {
            (None, _) => (String::new(), String::new()),
            (Some(_), None) => (
                "，计费时长未读到".to_string(),
                ", billed: not read".to_string(),
            ),
            (Some(BilledUnit::Seconds), Some(v)) => {
                (format!("，计费 {v} 秒"), format!(", billed {v} s"))
            }
            (Some(BilledUnit::Minutes), Some(v)) => {
                (format!("，计费 {v} 分钟"), format!(", billed {v} min"))
            }
        };
        t.line(
            format!(
                "  样例 第 {} 行：{} → {}，{}，通话 {} 秒{billed_zh}",
                r.row, r.caller, r.callee, r.time, r.talk_seconds
            ),
            format!(
                "  sample row {}: {} → {}, {}, {} s{billed_en}",
                r.row, r.caller, r.callee, r.time, r.talk_seconds
            ),
        );
    }
}

/// Describes archive members passed over and the warnings of the reading.
fn describe_notes(t: &mut Text, i: &Inspection) {
    for f in &i.skipped_files {
        t.line(
            format!("注意：已跳过“{}”：{}", f.path.display(), f.reason_zh),
            format!("note: passed over {}: {}", f.path.display(), f.reason_en),
        );
    }
    for w in &i.warnings {
        t.line(
            format!("注意：{}", w.message),
            format!("note: {}", w.message_en),
        );
    }
}

/// Describes the tamper signals with sample rows.
fn describe_signals(t: &mut Text, i: &Inspection) {
    if i.signals.is_empty() {
        t.line("篡改迹象：无".into(), "tamper signals: none".into());
    }
    for sig in &i.signals {
        let (label_zh, label_en) = nianshen_cdr::signal_label(&sig.id);
        let rows: Vec<String> = sig.sample_rows.iter().map(|r| r.row.to_string()).collect();
        t.line(
            format!(
                "篡改迹象：{label_zh}，{} 处（如第 {} 行）",
                sig.count,
                rows.join("、")
            ),
            format!(
                "tamper signal: {label_en}, {} (e.g. rows {})",
                sig.count,
                rows.join(", ")
            ),
        );
        for r in sig.sample_rows.iter().filter(|r| !r.detail.is_empty()) {
            t.line(
                format!("  第 {} 行：{}", r.row, r.detail_in(Lang::Zh)),
                format!("  row {}: {}", r.row, r.detail_in(Lang::En)),
            );
        }
    }
}
