//! `nianshen recon cdr`: the company's call records against the carrier's
//! bill, record by record. Each side is read from the cache of normalised
//! records when its files are unchanged (`--no-cache` skips the cache).
//! Records beyond `--memory-limit` spill to disk, partitioned.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::FixedOffset;
use indicatif::{ProgressBar, ProgressStyle};
use nianshen_cdr::{
    no_talk_time, no_usable_rows, read_side_with, reconcile, write_recon_csv, BillingIncrement,
    Mapping, MatchOptions, MemoryBudget, ReadOptions, Recon, RecordCache, ScanOptions, Side,
    SideName, Vocabulary,
};
use nianshen_rules::{Lang, RulePack};

use crate::cli::{ReconArgs, ReconCdrArgs, ReconCommand};
use crate::failure::{Failure, EXIT_OK};

pub fn run(args: ReconArgs, lang: Lang) -> Result<u8, Failure> {
    match args.command {
        ReconCommand::Cdr(args) => run_cdr(args, lang),
    }
}

/// The validated work of one `recon cdr` run.
struct Plan {
    local: ReadOptions,
    carrier: ReadOptions,
    matching: MatchOptions,
    /// Shared by both sides, so that their spilled partitions match.
    memory: MemoryBudget,
}

fn run_cdr(args: ReconCdrArgs, lang: Lang) -> Result<u8, Failure> {
    let plan = make_plan(&args, lang)?;
    let (local, carrier) = read_sides(&args, &plan, lang)?;

    let mut recon =
        reconcile(&local, &carrier, &plan.matching).map_err(|e| Failure::new(e.message(lang)))?;
    let sides = [
        (
            SideName {
                zh: "本地",
                en: "local",
                mapping_flag: "--local-mapping",
            },
            &local,
        ),
        (
            SideName {
                zh: "运营商",
                en: "carrier",
                mapping_flag: "--carrier-mapping",
            },
            &carrier,
        ),
    ];
    for (name, side) in sides {
        recon.warnings.extend(no_usable_rows(name, &side.stats));
        recon.warnings.extend(no_talk_time(name, &side.stats));
    }
    // One mapping file given for both sides warns once.
    for w in plan
        .local
        .mapping_warnings()
        .into_iter()
        .chain(plan.carrier.mapping_warnings())
    {
        if !recon.warnings.contains(&w) {
            recon.warnings.push(w);
        }
    }
    if let Some(out) = &args.out {
        write_recon_csv(&recon, &local, &carrier, out, args.unmask).map_err(|e| {
            // The output's own errors of these kinds name the path in the way.
            let path = match e.kind() {
                std::io::ErrorKind::NotADirectory | std::io::ErrorKind::IsADirectory => {
                    format!(" ({e})")
                }
                _ => String::new(),
            };
            let (zh, en) = (
                nianshen_report::io_cause(Lang::Zh, &e) + &path,
                nianshen_report::io_cause(Lang::En, &e) + &path,
            );
            Failure::localized(
                lang,
                format!(
                    "无法写入输出文件夹“{}”：{zh}。文件夹保持原样，没有写入任何列表。\n请确认 --out 是一个可写的文件夹、磁盘有足够空间。",
                    out.display()
                ),
                format!(
                    "cannot write to {}: {en}. The folder was left as it was; no list was written.\nMake sure --out is a folder you can write to and the disk has room.",
                    out.display()
                ),
            )
        })?;
    }
    if args.json {
        let json = serde_json::to_string_pretty(&recon).map_err(|e| Failure::new(e.to_string()))?;
        crate::output::println(&json);
    } else {
        crate::output::print(&summary(&recon, args.out.as_ref(), lang));
    }
    Ok(EXIT_OK)
}

/// Reads both sides, through the cache unless `--no-cache`, with a
/// progress bar on a terminal.
fn read_sides(args: &ReconCdrArgs, plan: &Plan, lang: Lang) -> Result<(Side, Side), Failure> {
    let cache = if args.no_cache {
        None
    } else {
        RecordCache::open_default()
    };
    let bar = progress_bar(&[&args.local, &args.carrier]);
    let mut scan = ScanOptions::for_matching();
    scan.memory = Some(plan.memory.clone());
    if let Some(bar) = &bar {
        let bar = bar.clone();
        scan.progress = Some(Arc::new(move |bytes| bar.inc(bytes)));
    }

    // Both sides' cache entries are loaded at once: decoding them is most
    // of a run on unchanged files.
    let (local_hit, carrier_hit) = match cache.as_ref() {
        Some(c) => std::thread::scope(|s| {
            let local = s.spawn(|| from_cache(&args.local, &plan.local, c, &scan));
            let carrier = from_cache(&args.carrier, &plan.carrier, c, &scan);
            (local.join().ok().flatten(), carrier)
        }),
        None => (None, None),
    };
    // The sides are read at the same time: each leaves a core idle now and
    // then (its last blocks, its sort), which the other fills.
    let read = |hit: Option<Side>, paths: &[PathBuf], opts: &ReadOptions| match hit {
        Some(side) => Ok(side),
        None => read_cached(paths, opts, cache.as_ref(), &scan, lang),
    };
    let (local, carrier) = std::thread::scope(|s| {
        let local = s.spawn(|| read(local_hit, &args.local, &plan.local));
        let carrier = read(carrier_hit, &args.carrier, &plan.carrier);
        let local = local.join().unwrap_or_else(|_| {
            Err(Failure::localized(
                lang,
                "读取本地话单时程序出错",
                "reading the local records failed inside the program",
            ))
        });
        (local, carrier)
    });
    let (local, carrier) = (local?, carrier?);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok((local, carrier))
}

/// Reads a side for matching, from the cache when it contains the same
/// files read the same way, and stores what was read.
/// Returns a side from its cache entry, when there is one that fits the
/// memory budget.
fn from_cache(
    paths: &[PathBuf],
    opts: &ReadOptions,
    cache: &RecordCache,
    scan: &ScanOptions,
) -> Option<Side> {
    let key = cache.key(paths, opts)?;
    // Each of the two sides may take half the records' pool.
    let fits = scan
        .memory
        .as_ref()
        .map_or(usize::MAX, |m| m.pool_records() / 2);
    let side = cache.load_within(&key, fits)?;
    tracing::info!(entry = %key, "side read from the cache");
    if let Some(memory) = &scan.memory {
        memory.hold_loaded(side.records.len());
    }
    Some(side)
}

fn read_cached(
    paths: &[PathBuf],
    opts: &ReadOptions,
    cache: Option<&RecordCache>,
    scan: &ScanOptions,
    lang: Lang,
) -> Result<Side, Failure> {
    let key = cache.and_then(|c| c.key(paths, opts));
    let side = read_side_with(paths, opts, scan).map_err(|e| Failure::new(e.message(lang)))?;
    if let (Some(c), Some(k)) = (cache, &key) {
        c.store(k, &side);
    }
    Ok(side)
}

/// Creates a progress bar over the bytes of both sides' files, on a
/// terminal only.
fn progress_bar(sides: &[&[PathBuf]]) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let total: u64 = sides
        .iter()
        .flat_map(|s| s.iter())
        .map(|p| bytes_under(p))
        .sum();
    let style = ProgressStyle::with_template("{spinner} {wide_bar} {bytes}/{total_bytes} {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    Some(ProgressBar::new(total).with_style(style))
}

/// Returns the bytes of a file, or of every file under a folder.
fn bytes_under(path: &Path) -> u64 {
    if !path.is_dir() {
        return std::fs::metadata(path).map_or(0, |m| m.len());
    }
    std::fs::read_dir(path).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| bytes_under(&e.path()))
            .sum()
    })
}

fn make_plan(args: &ReconCdrArgs, lang: Lang) -> Result<Plan, Failure> {
    if let Some(out) = &args.out {
        reject_out_inside_inputs(out, args.local.iter().chain(&args.carrier), lang)?;
    }
    let pack = load_pack(&args.rules, lang)?;
    let vocabulary = Vocabulary::from_pack(&pack);
    let mut local = ReadOptions::new(vocabulary.clone());
    let mut carrier = ReadOptions::new(vocabulary);
    local.unmask = args.unmask;
    carrier.unmask = args.unmask;
    local.default_tz =
        offset_arg(args.local_tz.as_deref(), "--local-tz", lang)?.unwrap_or(local.default_tz);
    carrier.default_tz =
        offset_arg(args.carrier_tz.as_deref(), "--carrier-tz", lang)?.unwrap_or(carrier.default_tz);
    local.mapping = mapping_arg(args.local_mapping.as_ref(), lang)?;
    carrier.mapping = mapping_arg(args.carrier_mapping.as_ref(), lang)?;
    let tolerance_secs = args
        .tolerance
        .unwrap_or(pack.thresholds.cdr_match_tolerance_secs);
    if tolerance_secs < 0 {
        return Err(Failure::localized(
            lang,
            format!("--tolerance 不能为负数：{tolerance_secs}。\n请给出 0 或更大的秒数，例如 --tolerance 5。"),
            format!("--tolerance cannot be negative: {tolerance_secs}.\nGive 0 or more seconds, e.g. --tolerance 5."),
        ));
    }
    let billing = match args.billing.as_deref() {
        Some(text) => billing_arg(text, lang)?,
        None => pack.thresholds.cdr_billing_increment,
    };
    let matching = MatchOptions {
        tolerance_secs,
        talk_tolerance_secs: pack.thresholds.cdr_talk_tolerance_secs,
        billing,
    };
    let limit = args
        .memory_limit
        .unwrap_or_else(nianshen_cdr::default_memory_limit);
    tracing::info!(bytes = limit, "memory limit");
    Ok(Plan {
        local,
        carrier,
        matching,
        memory: MemoryBudget::new(limit),
    })
}

/// Loads the rule pack named on the command line (built-in name or file).
pub(crate) fn load_pack(spec: &str, lang: Lang) -> Result<RulePack, Failure> {
    nianshen_rules::load(spec, None, &toml::Table::new()).map_err(|e| Failure::new(e.message(lang)))
}

/// Reads a `--*-mapping` file.
pub(crate) fn mapping_arg(path: Option<&PathBuf>, lang: Lang) -> Result<Option<Mapping>, Failure> {
    path.map(|p| Mapping::from_file(p).map_err(|e| Failure::new(e.message(lang))))
        .transpose()
}

/// Parses `--billing a/b`.
fn billing_arg(text: &str, lang: Lang) -> Result<BillingIncrement, Failure> {
    BillingIncrement::parse(text).ok_or_else(|| {
        let max = BillingIncrement::MAX_SECS;
        Failure::localized(
            lang,
            format!("--billing 的值“{text}”不是计费方式。\n请写成“首段秒数/续段秒数”，两者都是 1 到 {max} 的整数秒，例如 --billing 60/60（按分钟）、--billing 6/6 或 --billing 30/6。"),
            format!("--billing {text:?} is not a billing increment.\nWrite it as first/next in whole seconds from 1 to {max}, e.g. --billing 60/60 (whole minutes), --billing 6/6 or --billing 30/6."),
        )
    })
}

fn offset_arg(value: Option<&str>, flag: &str, lang: Lang) -> Result<Option<FixedOffset>, Failure> {
    let Some(v) = value else {
        return Ok(None);
    };
    nianshen_cdr::parse_offset(v).map(Some).ok_or_else(|| {
        Failure::localized(
            lang,
            format!("{flag} 的值“{v}”不是时区偏移。\n请写成 ±HH:MM，例如 {flag} +08:00。"),
            format!(
                "{flag} {v:?} is not a time-zone offset.\nWrite it as ±HH:MM, e.g. {flag} +08:00."
            ),
        )
    })
}

fn pct(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_string(), |r| format!("{:.2}%", r * 100.0))
}

/// Returns the summary lines of the result classes and the billing
/// comparison.
fn classes_lines(r: &Recon, lang: Lang) -> String {
    let (k, b) = (&r.classes, &r.billing);
    let (unit_zh, unit_en) = match b.unit {
        "seconds" => ("按秒比对", "compared in seconds"),
        "mixed" => (
            "按各文件计费列的单位比对，分钟或秒",
            "compared in each file's unit, minutes or seconds",
        ),
        _ => ("按分钟比对", "compared in minutes"),
    };
    let (apart_zh, apart_en) = match b.unit {
        "seconds" => (
            format!("{} 秒", b.difference_seconds),
            format!("{} seconds", b.difference_seconds),
        ),
        "mixed" => (
            format!(
                "{} 分钟和 {} 秒",
                b.difference_minutes, b.difference_seconds
            ),
            format!(
                "{} minutes and {} seconds",
                b.difference_minutes, b.difference_seconds
            ),
        ),
        _ => (
            format!("{} 分钟", b.difference_minutes),
            format!("{} minutes", b.difference_minutes),
        ),
    };
    let mut s = match lang {
        Lang::Zh => format!(
            "  结果分类：完全一致 {}；时长不一致 {}；计费不一致 {}；仅本地有 {}；仅运营商有 {}\n  计费比对（计费方式 {}，{unit_zh}）：比对 {} 通，运营商多计 {} 通、少计 {} 通，合计相差 {apart_zh}\n",
            k.exact, k.duration_differs, k.billing_differs, k.local_only, k.carrier_only,
            b.increment, b.compared, b.carrier_higher, b.carrier_lower,
        ),
        Lang::En => format!(
            "  classes: exact {}; duration differs {}; billing differs {}; local only {}; carrier only {}\n  billing (increment {}, {unit_en}): {} compared, carrier higher {}, lower {}, {apart_en} apart in all\n",
            k.exact, k.duration_differs, k.billing_differs, k.local_only, k.carrier_only,
            b.increment, b.compared, b.carrier_higher, b.carrier_lower,
        ),
    };
    if b.not_compared > 0 {
        s.push_str(&match lang {
            Lang::Zh => format!(
                "  ! {} 通匹配的通话在运营商话单中没有可读的计费时长（没有计费时长列，或单元格为空或无法识别），未比对计费，计入完全一致\n",
                b.not_compared
            ),
            Lang::En => format!(
                "  ! {} matched calls have no readable billed time in the carrier's bill (no billed column, or the cell is empty or unreadable); their billing was not compared and they count as exact\n",
                b.not_compared
            ),
        });
    }
    s
}

/// The terminal summary.
fn summary(r: &Recon, out: Option<&PathBuf>, lang: Lang) -> String {
    let (l, c) = (&r.local, &r.carrier);
    // Without a single readable billed cell among the matched calls, both
    // sides' billed minutes are ceil(talk / 60), so their rate carries no
    // information about the bill.
    let billed_rate = if r.billing.compared == 0 && r.billing.not_compared > 0 {
        match lang {
            Lang::Zh => "—（运营商话单没有可读的计费时长，双方计费均按通话时长折算）".to_string(),
            Lang::En => "— (no readable billed time in the carrier's bill: both sides count talk time rounded up to minutes)".to_string(),
        }
    } else {
        pct(r.rates.billed_minutes)
    };
    let mut s = match lang {
        Lang::Zh => format!(
            "话单核对（容差 {} 秒）\n  本地：{} 个文件，{} 行，可核对的接通 {} 通，通话 {} 秒，计费 {} 分钟；无法读取 {} 行，无法核对 {} 行\n  运营商：{} 个文件，{} 行，可核对的接通 {} 通，通话 {} 秒，计费 {} 分钟；无法读取 {} 行，无法核对 {} 行\n  一一对上 {} 通；仅本地有 {} 通；仅运营商有 {} 通；时长不一致 {} 通\n  差异率：接通 {}，通话时长 {}，计费时长 {}\n",
            r.tolerance_secs, l.files.len(), l.rows, l.answered, l.talk_seconds, l.billed_minutes, l.unreadable_rows, l.unusable_rows,
            c.files.len(), c.rows, c.answered, c.talk_seconds, c.billed_minutes, c.unreadable_rows, c.unusable_rows,
            r.matched, r.local_only, r.carrier_only, r.duration_mismatch,
            pct(r.rates.answered), pct(r.rates.talk_seconds), billed_rate,
        ),
        Lang::En => format!(
            "Call-record reconciliation (tolerance {} s)\n  local: {} files, {} rows, {} usable answered calls, {} talk seconds, {} billed minutes; {} rows unreadable, {} unusable\n  carrier: {} files, {} rows, {} usable answered calls, {} talk seconds, {} billed minutes; {} rows unreadable, {} unusable\n  matched {}; local only {}; carrier only {}; duration mismatch {}\n  difference rates: answered {}, talk seconds {}, billed minutes {}\n",
            r.tolerance_secs, l.files.len(), l.rows, l.answered, l.talk_seconds, l.billed_minutes, l.unreadable_rows, l.unusable_rows,
            c.files.len(), c.rows, c.answered, c.talk_seconds, c.billed_minutes, c.unreadable_rows, c.unusable_rows,
            r.matched, r.local_only, r.carrier_only, r.duration_mismatch,
            pct(r.rates.answered), pct(r.rates.talk_seconds), billed_rate,
        ),
    };
    s.push_str(&classes_lines(r, lang));
    for (side, t) in l
        .total_rows
        .iter()
        .map(|t| ("local", t))
        .chain(c.total_rows.iter().map(|t| ("carrier", t)))
    {
        if (t.stated - t.summed).abs() > 0.005 {
            s.push_str(&match lang {
                Lang::Zh => format!(
                    "  ! {} 第 {} 行合计“{}”为 {}，但上面各行相加为 {}\n",
                    t.file.display(),
                    t.row,
                    t.column,
                    t.stated,
                    t.summed
                ),
                Lang::En => {
                    format!(
                    "  ! {side} {} row {}: total of {:?} says {}, the rows above add up to {}\n",
                    t.file.display(), t.row, t.column, t.stated, t.summed
                )
                }
            });
        }
    }
    for (side_zh, side_en, stats) in [("本地", "local", l), ("运营商", "carrier", c)] {
        for f in &stats.skipped_files {
            s.push_str(&match lang {
                Lang::Zh => format!(
                    "  ! {side_zh}：已跳过“{}”：{}\n",
                    f.path.display(),
                    f.reason_zh
                ),
                Lang::En => format!(
                    "  ! {side_en}: passed over {}: {}\n",
                    f.path.display(),
                    f.reason_en
                ),
            });
        }
    }
    for w in &r.warnings {
        let text = if lang == Lang::Zh {
            &w.message
        } else {
            &w.message_en
        };
        s.push_str(&format!("  ! {text}\n"));
    }
    if let Some(dir) = out {
        s.push_str(&match lang {
            Lang::Zh => format!("  明细已写入 {}\n", dir.display()),
            Lang::En => format!("  details written to {}\n", dir.display()),
        });
    }
    s
}

/// Rejects an output folder inside a folder given as input, because the
/// next run would read the lists as call records.
fn reject_out_inside_inputs<'a>(
    out: &Path,
    inputs: impl Iterator<Item = &'a PathBuf>,
    lang: Lang,
) -> Result<(), Failure> {
    let out_abs = super::check::absolute_lenient(out);
    for input in inputs.filter(|p| p.is_dir()) {
        let Ok(input_abs) = std::fs::canonicalize(input) else {
            continue;
        };
        if out_abs.starts_with(&input_abs) {
            return Err(Failure::localized(
                lang,
                format!(
                    "输出文件夹 {} 位于输入文件夹 {} 之内，下次运行会把输出当作话单读入。\n请用 --out 指定输入文件夹以外的位置。",
                    out.display(),
                    input.display()
                ),
                format!(
                    "the output folder {} is inside the input folder {}, so the next run would read the lists as call records.\nGive --out a place outside the input folders.",
                    out.display(),
                    input.display()
                ),
            ));
        }
    }
    Ok(())
}
