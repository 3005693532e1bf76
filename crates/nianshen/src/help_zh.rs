//! Help in Simplified Chinese, the default language. The English help is
//! the doc comments in `crate::cli`; `--lang en` keeps it. Help is printed
//! while the arguments are parsed, before `--lang` is known, so the
//! language is read from the raw arguments first ([`wants_english`]).

use clap::{Arg, ArgAction, Command};

/// Chinese help by path. A command's path is its subcommand names from the
/// top joined by `/`, and an argument's path adds `/` and the argument id.
/// Defaults and choices are written into the text, so clap's English
/// brackets for them are hidden.
const TEXTS: &[(&str, &str)] = &[
    ("", "年审：用企业已有的材料准备 B24 呼叫中心业务许可证的年审。"),
    ("/lang", "消息和报告的语言：zh（简体中文，默认）或 en（英文）"),
    ("/verbose", "在标准错误输出更多日志（-v 信息，-vv 调试）"),
    ("/help", "显示帮助"),
    ("/version", "显示版本"),
    ("check", "对案例文件夹运行全部检查并写出报告"),
    ("check/case_dir", "案例文件夹（含 case.toml 的那一个）"),
    ("check/out", "输出文件夹［默认：./nianshen-out/案例文件夹名］，不能在案例文件夹内"),
    ("check/as_of", "把这一天当作今天，格式 YYYY-MM-DD［默认：系统日期］"),
    ("check/rules", "规则包：内置名称（cn-miit、whitepaper）或 TOML 文件，优先于 case.toml 的 [rules] pack"),
    ("check/fail_on", "出现该级别（或更严重）的问题时以状态 1 退出：red 或 yellow"),
    ("check/unmask", "输出中不隐藏电话号码和证件号码"),
    ("check/memory_limit", "话单记录可用的内存，同 `recon cdr --memory-limit`"),
    ("init", "新建案例文件夹：带中文注释的 case.toml 和各类材料文件夹"),
    ("init/dir", "新案例文件夹；可以已存在，但不能已有 case.toml"),
    ("demo", "写出一个逼真的合成案例（含预置问题），或用于测速的大批话单文件"),
    ("demo/dir", "案例文件夹（用 --calls 时为话单文件）写到哪里"),
    ("demo/clean", "不预置问题：写出一个所有检查都通过的案例"),
    ("demo/calls", "只写出这么多通电话的本地话单和运营商账单，用于测速"),
    ("demo/seed", "随机数种子，种子相同写出的文件相同（默认 2024）"),
    ("rules", "查看、校验、比较规则包"),
    ("rules/show", "以 TOML 显示规则包（内置名称或文件）［默认：cn-miit］"),
    ("rules/show/pack", "内置规则包名称或 TOML 文件"),
    ("rules/check", "校验规则包文件，列出发现的全部问题"),
    ("rules/check/file", "规则包 TOML 文件"),
    ("rules/diff", "列出两个规则包（名称或文件）之间的差别"),
    ("rules/diff/a", "第一个规则包：内置名称或文件"),
    ("rules/diff/b", "第二个规则包：内置名称或文件"),
    ("recon", "单独核对数据（话单：`recon cdr`）"),
    ("recon/cdr", "把企业自己的话单与运营商账单逐条对碰"),
    ("recon/cdr/local", "企业自己的话单：文件、文件夹或 ZIP 压缩包"),
    ("recon/cdr/carrier", "运营商账单：文件、文件夹或 ZIP 压缩包"),
    ("recon/cdr/local_mapping", "本地话单各列的映射文件（TOML）"),
    ("recon/cdr/carrier_mapping", "运营商账单各列的映射文件（TOML）"),
    ("recon/cdr/tolerance", "配对的两条记录开始时间最多相差的秒数［默认：取自规则包，5］"),
    ("recon/cdr/local_tz", "本地话单中未写时区的时间所用的时区，如 +08:00"),
    ("recon/cdr/carrier_tz", "运营商账单中未写时区的时间所用的时区，如 +08:00"),
    (
        "recon/cdr/billing",
        "计费方式 a/b（秒）：前 a 秒算一个单位，之后每开始 b 秒再算一个，如 60/60（按整分钟）、6/6、1/1、30/6［默认：取自规则包，60/60］",
    ),
    ("recon/cdr/rules", "提供接通词、表头同义词和容差的规则包（默认 cn-miit）"),
    ("recon/cdr/no_cache", "不读也不写规整后话单的缓存"),
    ("recon/cdr/out", "把未匹配和不一致的记录及各张表以 CSV（带 BOM 的 UTF-8）写进该文件夹"),
    ("recon/cdr/unmask", "不隐藏电话号码"),
    ("recon/cdr/json", "在标准输出以 JSON 输出汇总"),
    (
        "recon/cdr/memory_limit",
        "话单记录可用的内存，如 2G、512M、1500MiB（K、M、G 按 1024 进位）［默认：物理内存的四分之一，至少 512 MiB，至多 4 GiB］。双方记录合计超过它的八分之七时，其中一方的记录分区写入私有临时文件夹（TMPDIR），结束时删除，结果不变",
    ),
    ("cdr", "话单工具（`cdr inspect 文件`）"),
    ("cdr/inspect", "显示话单文件如何被读取：编码、分隔符、表头、映射、样例行、篡改迹象"),
    ("cdr/inspect/file", "话单文件"),
    ("cdr/inspect/mapping", "该文件各列的映射文件（TOML）"),
    ("cdr/inspect/rules", "提供接通词和表头同义词的规则包（默认 cn-miit）"),
    ("cdr/inspect/unmask", "样例行中不隐藏电话号码"),
    ("cdr/inspect/json", "在标准输出以 JSON 输出结果"),
    ("cache", "管理规整后话单的缓存（`cache clear`）"),
    ("cache/clear", "清空规整后话单的缓存"),
    ("help", "显示本帮助，或某个子命令的帮助"),
];

/// Returns whether the raw arguments ask for English: `--lang en` or
/// `--lang=en`.
pub fn wants_english(args: &[std::ffi::OsString]) -> bool {
    let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    args.windows(2).any(|w| w[0] == "--lang" && w[1] == "en") || args.contains(&"--lang=en")
}

/// Returns `cmd` with Chinese help, headings and usage label, for every
/// subcommand down the tree.
pub fn localize(mut cmd: Command) -> Command {
    // Building adds clap's own help and version flags and the help
    // subcommand, so that they are translated too.
    cmd.build();
    localize_at(cmd, "")
}

fn localize_at(mut cmd: Command, path: &str) -> Command {
    let is_help = path == "help" || path.ends_with("/help");
    if let Some(text) = text(path).or_else(|| is_help.then(|| text("help")).flatten()) {
        cmd = cmd.about(text).long_about(None::<&str>);
    }
    cmd = cmd
        .help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令");

    let ids: Vec<(String, bool)> = cmd
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (id, positional) in ids {
        let key = format!("{path}/{id}");
        // Global arguments keep the text set at the top.
        let text = text(&key).or_else(|| text(&format!("/{id}")));
        cmd = cmd.mut_arg(&id, |arg| translate(arg, text, positional));
    }

    // A help subcommand's own subcommands only name the commands.
    if is_help {
        return cmd;
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let child = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}/{name}")
        };
        cmd = cmd.mut_subcommand(&name, |sub| localize_at(sub, &child));
    }
    cmd
}

/// Sets an argument's Chinese help and heading, hiding clap's English
/// brackets for defaults and choices, which the Chinese text states.
fn translate(arg: Arg, text: Option<&'static str>, positional: bool) -> Arg {
    let arg = arg.help_heading(if positional { "参数" } else { "选项" });
    let Some(text) = text else {
        return arg;
    };
    let arg = arg.help(text).long_help(None::<&str>);
    match arg.get_action() {
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version => arg,
        _ => arg.hide_default_value(true).hide_possible_values(true),
    }
}

fn text(path: &str) -> Option<&'static str> {
    TEXTS.iter().find(|(p, _)| *p == path).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// Returns every command path and argument path of the command tree.
    fn paths(cmd: &Command, path: &str, out: &mut Vec<String>) {
        if path.starts_with("help/") || path.contains("/help/") {
            return;
        }
        out.push(path.to_string());
        for arg in cmd.get_arguments() {
            out.push(format!("{path}/{}", arg.get_id()));
        }
        for sub in cmd.get_subcommands() {
            let child = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path}/{}", sub.get_name())
            };
            paths(sub, &child, out);
        }
    }

    #[test]
    fn every_command_and_argument_translated() {
        let mut cmd = crate::cli::Cli::command();
        cmd.build();
        let mut all = Vec::new();
        paths(&cmd, "", &mut all);

        let missing: Vec<&String> = all
            .iter()
            .filter(|p| {
                let last = p.rsplit('/').next().unwrap_or_default();
                let help_command = last == "help" && text("help").is_some();
                text(p).is_none() && text(&format!("/{last}")).is_none() && !help_command
            })
            .collect();

        assert!(missing.is_empty(), "no Chinese help for {missing:?}");
    }

    #[test]
    fn no_stale_texts() {
        let mut cmd = crate::cli::Cli::command();
        cmd.build();
        let mut all = Vec::new();
        paths(&cmd, "", &mut all);

        let stale: Vec<&str> = TEXTS
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| !all.iter().any(|a| a == p))
            .collect();

        assert!(
            stale.is_empty(),
            "texts for no command or argument: {stale:?}"
        );
    }

    #[test]
    fn english_asked_for_in_either_form() {
        let args = |list: &[&str]| -> Vec<std::ffi::OsString> {
            list.iter().map(std::ffi::OsString::from).collect()
        };

        assert!(wants_english(&args(&["nianshen", "--lang", "en", "-h"])));
        assert!(wants_english(&args(&["nianshen", "check", "--lang=en"])));
        assert!(!wants_english(&args(&["nianshen", "--lang", "zh", "-h"])));
        assert!(!wants_english(&args(&["nianshen", "-h"])));
    }
}
