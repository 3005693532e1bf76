//! `nianshen init DIR`: a new case folder with a commented `case.toml` and
//! the folders of the default layout.

use std::collections::BTreeSet;
use std::path::Path;

use nianshen_case::InputKind;
use nianshen_rules::Lang;

use crate::cli::InitArgs;
use crate::failure::{Failure, EXIT_OK};

/// The commented template; every key of the case folder format appears,
/// with the optional ones commented out. `{{PERIOD_FROM}}` and
/// `{{PERIOD_TO}}` are filled in by [`case_toml_text`].
const TEMPLATE: &str = include_str!("../../templates/case.toml");

/// Returns the template with the data period set to the calendar year
/// before `today`, the year an annual review covers.
fn case_toml_text(today: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let year = today.year() - 1;
    TEMPLATE
        .replace("{{PERIOD_FROM}}", &format!("{year}-01-01"))
        .replace("{{PERIOD_TO}}", &format!("{year}-12-31"))
}

pub fn run(args: InitArgs, lang: Lang) -> Result<u8, Failure> {
    let dir = &args.dir;
    let case_toml = dir.join("case.toml");
    if case_toml.exists() {
        return Err(Failure::localized(
            lang,
            format!(
                "{} 已存在，未做任何改动。\n要检查这个案例请运行 `nianshen check {}`；要新建案例请换一个文件夹。",
                case_toml.display(),
                dir.display()
            ),
            format!(
                "{} already exists; nothing was changed.\nTo check this case run `nianshen check {}`; for a new case pick another folder.",
                case_toml.display(),
                dir.display()
            ),
        ));
    }

    let pack = nianshen_rules::load(
        nianshen_rules::builtin_names()[0],
        None,
        &toml::Table::new(),
    )
    .map_err(|e| Failure::new(e.message(lang)))?;
    let mut folders: BTreeSet<String> = pack
        .catalogue
        .iter()
        .map(|item| format!("{}/{}", InputKind::Materials.default_path(), item.folder))
        .collect();
    for kind in [
        InputKind::LocalCdr,
        InputKind::CarrierCdr,
        InputKind::ContractsLabour,
        InputKind::Photos,
        InputKind::Recordings,
        InputKind::Contracts,
        InputKind::Payments,
    ] {
        folders.insert(kind.default_path().to_string());
    }
    for kind in [InputKind::Roster, InputKind::Complaints] {
        if let Some(parent) = Path::new(kind.default_path()).parent() {
            folders.insert(parent.to_string_lossy().into_owned());
        }
    }

    let io_failure = |path: &Path, e: std::io::Error| {
        Failure::localized(
            lang,
            format!(
                "无法创建 {}：{e}\n请确认有写入权限，或换一个位置。",
                path.display()
            ),
            format!(
                "cannot create {}: {e}\nCheck that you may write there, or pick another place.",
                path.display()
            ),
        )
    };
    for folder in &folders {
        let path = dir.join(folder);
        std::fs::create_dir_all(&path).map_err(|e| io_failure(&path, e))?;
    }
    let text = case_toml_text(chrono::Local::now().date_naive());
    std::fs::write(&case_toml, text).map_err(|e| io_failure(&case_toml, e))?;

    match lang {
        Lang::Zh => crate::output::println(&format!(
            "已创建案例文件夹 {}：case.toml 模板和 {} 个材料文件夹。\n下一步：在 case.toml 中填写企业、许可证、申报数据，把材料放入对应文件夹，然后运行 `nianshen check {}`。",
            dir.display(),
            folders.len(),
            dir.display()
        )),
        Lang::En => crate::output::println(&format!(
            "Created the case folder {}: a case.toml template and {} folders.\nNext: fill in the company, licence and declared figures in case.toml, put the materials in their folders, then run `nianshen check {}`.",
            dir.display(),
            folders.len(),
            dir.display()
        )),
    }
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_period_is_last_year() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();

        let text = case_toml_text(today);

        assert!(text.contains("from = 2025-01-01"), "{text}");
        assert!(text.contains("to = 2025-12-31"), "{text}");
        assert!(!text.contains("{{"), "{text}");
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        assert!(parsed.contains_key("period"));
    }
}
