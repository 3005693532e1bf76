//! `nianshen demo`: writes the demo case (or, with `--calls`, benchmark call
//! records) and prints in a few lines what it wrote and how to check it.

use nianshen_rules::Lang;

use crate::cli::DemoArgs;
use crate::failure::{Failure, EXIT_OK};

pub fn run(args: DemoArgs, lang: Lang) -> Result<u8, Failure> {
    let dir = args.dir.display().to_string();
    if let Some(calls) = args.calls {
        let truth = nianshen_demo::write_bench(&args.dir, args.seed, calls)
            .map_err(|e| Failure::new(e.message(lang)))?;
        let e = &truth.expected_one_to_one;
        let text = match lang {
            Lang::Zh => format!(
                "已在 {dir} 写入基准测试话单：local.csv（{} 行，其中接通 {}）、carrier.csv（{} 行）和 truth.json。\n一对一匹配的正确结果：匹配 {}，仅本地 {}，仅运营商 {}，时长不一致 {}。\n对账：nianshen recon cdr --local {dir}/local.csv --carrier {dir}/carrier.csv --json",
                truth.local.rows, truth.local.answered, truth.carrier.rows,
                e.matched, e.local_only, e.carrier_only, e.duration_mismatch
            ),
            Lang::En => format!(
                "Wrote benchmark call records to {dir}: local.csv ({} rows, {} answered), carrier.csv ({} rows) and truth.json.\nExpected one-to-one result: matched {}, local only {}, carrier only {}, duration mismatch {}.\nReconcile: nianshen recon cdr --local {dir}/local.csv --carrier {dir}/carrier.csv --json",
                truth.local.rows, truth.local.answered, truth.carrier.rows,
                e.matched, e.local_only, e.carrier_only, e.duration_mismatch
            ),
        };
        crate::output::println(&text);
        return Ok(EXIT_OK);
    }

    let summary = nianshen_demo::write_case(&args.dir, args.seed, args.clean)
        .map_err(|e| Failure::new(e.message(lang)))?;
    let mb = summary.bytes as f64 / 1_048_576.0;
    let text = match (lang, args.clean) {
        (Lang::Zh, true) => format!(
            "已在 {dir} 写入无问题的演示案例（{} 个文件，{mb:.1} MB，{} 条本地话单），应当全部检查通过。",
            summary.files, summary.calls
        ),
        (Lang::Zh, false) => format!(
            "已在 {dir} 写入演示案例（{} 个文件，{mb:.1} MB，{} 条本地话单），埋设了 {} 个问题，清单见 planted.json。",
            summary.files, summary.calls, summary.planted.len()
        ),
        (Lang::En, true) => format!(
            "Wrote the clean demo case to {dir} ({} files, {mb:.1} MB, {} local call records); every check should pass.",
            summary.files, summary.calls
        ),
        (Lang::En, false) => format!(
            "Wrote the demo case to {dir} ({} files, {mb:.1} MB, {} local call records) with {} planted faults, listed in planted.json.",
            summary.files, summary.calls, summary.planted.len()
        ),
    };
    let next = match lang {
        Lang::Zh => format!("检查：nianshen check {dir} --as-of 2025-02-15"),
        Lang::En => format!("Check it: nianshen check {dir} --as-of 2025-02-15"),
    };
    crate::output::println(&format!("{text}\n{next}"));
    Ok(EXIT_OK)
}
