//! Seats and staff (座席对碰): declared seats against insured people
//! (trap 2), insured people against login accounts and workstation photos,
//! agents with calls who are not insured, and each insured person's labour
//! contract and training record.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use nianshen_case::InputKind;
use serde_json::json;

use crate::context::Context;
use crate::finding::Evidence;
use crate::materials::CatalogueStatus;
use crate::records::AgentActivity;
use crate::tables::{self, Sheet, SheetRow};
use crate::text::{mask_id, normalize_key};

/// A month as `year * 12 + month - 1`, so months compare and count simply.
type MonthIndex = i32;

fn month_index(date: NaiveDate) -> MonthIndex {
    date.year() * 12 + date.month0() as i32
}

/// Parses `2024-03`, `2024/3`, `202403`, `2024年3月` or a full date into a month.
pub fn parse_month(text: &str) -> Option<MonthIndex> {
    let digits: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    let (year, month) = match digits.as_slice() {
        [ym] if *ym >= 190_001 && *ym <= 299_912 => (*ym / 100, *ym % 100),
        [ymd] if *ymd >= 19_000_101 => (*ymd / 10_000, (*ymd / 100) % 100),
        [y, m, ..] => (*y, *m),
        _ => return None,
    };
    if !(1900..=2999).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    Some(year as i32 * 12 + month as i32 - 1)
}

/// Parses a day in the common forms (`2024-03-05`, `2024/3/5`, `20240305`,
/// with or without a time after it).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let digits: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    match digits.as_slice() {
        [ymd, ..] if *ymd >= 19_000_101 && *ymd <= 29_991_231 => {
            NaiveDate::from_ymd_opt((*ymd / 10_000) as i32, (*ymd / 100) % 100, *ymd % 100)
        }
        [y, m, d, ..] => NaiveDate::from_ymd_opt(*y as i32, *m, *d),
        _ => None,
    }
}

/// One person on the social-insurance roster.
#[derive(Clone, Debug)]
struct Insured {
    name: String,
    employee_no: String,
    id_number: String,
    from: Option<MonthIndex>,
    until: Option<MonthIndex>,
    row: u64,
}

impl Insured {
    fn insured_in(&self, month: MonthIndex) -> bool {
        self.from.is_none_or(|f| f <= month) && self.until.is_none_or(|u| u >= month)
    }

    fn insured_between(&self, first: MonthIndex, last: MonthIndex) -> bool {
        self.from.is_none_or(|f| f <= last) && self.until.is_none_or(|u| u >= first)
    }
}

/// One system login account.
#[derive(Clone, Debug)]
struct Account {
    account: String,
    employee_no: String,
    created: Option<NaiveDate>,
    disabled: Option<NaiveDate>,
}

const NAME: &[&str] = &["姓名", "员工姓名", "name"];
const ID_NUMBER: &[&str] = &[
    "身份证号",
    "身份证号码",
    "证件号码",
    "公民身份号码",
    "id_number",
];
const EMPLOYEE_NO: &[&str] = &["工号", "员工编号", "员工工号", "坐席工号", "employee_no"];
const INSURED_FROM: &[&str] = &[
    "参保起始",
    "参保开始",
    "参保起始年月",
    "起始年月",
    "insured_from",
];
const INSURED_UNTIL: &[&str] = &[
    "参保截止",
    "参保结束",
    "停保年月",
    "截止年月",
    "insured_until",
];
const ACCOUNT: &[&str] = &["账号", "帐号", "登录账号", "系统账号", "account"];
const CREATED: &[&str] = &["创建日期", "创建时间", "开通日期", "created"];
const DISABLED: &[&str] = &["停用日期", "注销日期", "禁用日期", "disabled"];
const COURSE: &[&str] = &["课程", "培训课程", "培训内容", "course"];
const DATE: &[&str] = &["日期", "培训日期", "date"];

pub fn check(cx: &mut Context<'_>, _catalogue: &CatalogueStatus, agents: Option<&AgentActivity>) {
    let period = cx.case.file.period;
    let last_month = month_index(period.map(|p| p.to).unwrap_or(cx.as_of));
    let first_month = month_index(period.map(|p| p.from).unwrap_or(cx.as_of));
    let period_end = period.map(|p| p.to).unwrap_or(cx.as_of);

    let roster = read_roster(cx);
    let accounts = read_accounts(cx);
    let photos = count_photos(cx);
    let workstations: Option<u32> = {
        let sites = &cx.case.file.sites;
        let known: Vec<u32> = sites.iter().filter_map(|s| s.workstations).collect();
        (!known.is_empty()).then(|| known.iter().sum())
    };

    let insured_now: Vec<&Insured> = roster
        .as_ref()
        .map(|r| r.iter().filter(|p| p.insured_in(last_month)).collect())
        .unwrap_or_default();
    let insured_count = roster.as_ref().map(|_| insured_now.len());
    let active_accounts = accounts.as_ref().map(|list| {
        list.iter()
            .filter(|a| a.created.is_none_or(|d| d <= period_end))
            .filter(|a| a.disabled.is_none_or(|d| d > period_end))
            .count()
    });

    let month_text = format!("{}-{:02}", last_month / 12, last_month % 12 + 1);
    declared_vs_insured(cx, insured_count, &month_text);
    three_way(cx, insured_count, active_accounts, photos, workstations);
    if let (Some(roster), Some(agents)) = (roster.as_ref(), agents) {
        uninsured_agents(
            cx,
            roster,
            accounts.as_deref(),
            agents,
            first_month,
            last_month,
        );
    }
    if roster.is_some() {
        contracts(cx, &insured_now);
        training(cx, &insured_now);
    }

    cx.metric(
        "seats",
        json!({
            "declared": cx.case.file.declared.seats,
            "insured": insured_count,
            "insured_month": month_text,
            "accounts_active": active_accounts,
            "photos": photos,
            "workstations": workstations,
            "agents_with_calls": agents.map(|a| a.agents.len()),
        }),
    );
}

fn declared_vs_insured(cx: &mut Context<'_>, insured: Option<usize>, month: &str) {
    let (Some(declared), Some(insured)) = (cx.case.file.declared.seats, insured) else {
        return;
    };
    if (insured as u64) < u64::from(declared) {
        cx.raise(
            "seats.insured_below_declared",
            &[
                ("declared", declared.to_string()),
                ("insured", insured.to_string()),
                ("month", month.to_string()),
            ],
            Vec::new(),
        );
    }
}

fn three_way(
    cx: &mut Context<'_>,
    insured: Option<usize>,
    accounts: Option<usize>,
    photos: Option<usize>,
    workstations: Option<u32>,
) {
    let known: Vec<usize> = [insured, accounts, photos].into_iter().flatten().collect();
    if known.len() < 2 || known.iter().all(|n| *n == known[0]) {
        return;
    }
    let show = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_else(|| "—".into());
    cx.raise(
        "seats.three_way_mismatch",
        &[
            ("insured", show(insured)),
            ("accounts", show(accounts)),
            ("photos", show(photos)),
            (
                "workstations",
                workstations
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "—".into()),
            ),
        ],
        Vec::new(),
    );
}

/// Agents with calls whose employee number (directly, or through their
/// login account) belongs to nobody insured during the period.
fn uninsured_agents(
    cx: &mut Context<'_>,
    roster: &[Insured],
    accounts: Option<&[Account]>,
    agents: &AgentActivity,
    first: MonthIndex,
    last: MonthIndex,
) {
    let insured: BTreeSet<String> = roster
        .iter()
        .filter(|p| p.insured_between(first, last))
        .flat_map(|p| [normalize_key(&p.employee_no), normalize_key(&p.name)])
        .filter(|k| !k.is_empty())
        .collect();
    let account_owner: BTreeMap<String, String> = accounts
        .unwrap_or_default()
        .iter()
        .map(|a| (normalize_key(&a.account), normalize_key(&a.employee_no)))
        .collect();

    let mut missing: Vec<String> = Vec::new();
    for agent in &agents.agents {
        let key = normalize_key(agent);
        let owner = account_owner
            .get(&key)
            .cloned()
            .unwrap_or_else(|| key.clone());
        if !insured.contains(&owner) && !insured.contains(&key) {
            missing.push(agent.clone());
        }
    }
    if missing.is_empty() {
        return;
    }
    let evidence = missing
        .iter()
        .map(|agent| Evidence {
            file: agents.file.clone(),
            column: Some(cx.t("坐席", "agent")),
            value: Some(agent.clone()),
            note: cx.t(
                "有通话记录，但不在参保名单中",
                "has calls but is not on the insurance roster",
            ),
            ..Evidence::default()
        })
        .collect();
    let joined = missing.join(if cx.lang == nianshen_rules::Lang::Zh {
        "、"
    } else {
        ", "
    });
    cx.raise(
        "seats.uninsured_agents",
        &[("count", missing.len().to_string()), ("agents", joined)],
        evidence,
    );
}

fn contracts(cx: &mut Context<'_>, insured: &[&Insured]) {
    let folder = cx.case.input_paths(InputKind::ContractsLabour);
    if !folder.iter().any(|p| p.exists()) {
        if let Some(path) = folder.first() {
            cx.input_missing("劳动合同文件夹", "labour contracts folder", &path.clone());
        }
    }
    let names: Vec<String> = tables::files_under(&folder)
        .iter()
        .filter_map(|p| p.file_name().map(|n| normalize_key(&n.to_string_lossy())))
        .collect();
    let without: Vec<&Insured> = insured
        .iter()
        .copied()
        .filter(|p| !names.iter().any(|n| mentions_person(n, p)))
        .collect();
    if without.is_empty() {
        return;
    }
    raise_people(cx, "staff.contract_missing", &without);
}

fn training(cx: &mut Context<'_>, insured: &[&Insured]) {
    let paths = cx.case.input_paths(InputKind::Training);
    let Some(sheets) = read_register(
        cx,
        &paths,
        "培训记录",
        "training records",
        &[EMPLOYEE_NO, NAME, COURSE, DATE],
    ) else {
        return;
    };
    let mut trained: BTreeSet<String> = BTreeSet::new();
    for sheet in &sheets {
        for col in [sheet.col(EMPLOYEE_NO), sheet.col(NAME)]
            .into_iter()
            .flatten()
        {
            trained.extend(sheet.rows.iter().map(|r| normalize_key(r.get(col))));
        }
    }
    let without: Vec<&Insured> = insured
        .iter()
        .copied()
        .filter(|p| {
            !trained.contains(&normalize_key(&p.employee_no))
                && !trained.contains(&normalize_key(&p.name))
        })
        .collect();
    if !without.is_empty() {
        raise_people(cx, "staff.training_missing", &without);
    }
}

/// Whether a normalised file name names this person by employee number or name.
fn mentions_person(file_name: &str, person: &Insured) -> bool {
    let no = normalize_key(&person.employee_no);
    let name = normalize_key(&person.name);
    (!no.is_empty() && file_name.contains(&no)) || (!name.is_empty() && file_name.contains(&name))
}

fn raise_people(cx: &mut Context<'_>, rule: &str, people: &[&Insured]) {
    let label = |p: &Insured| {
        if p.employee_no.is_empty() {
            p.name.clone()
        } else {
            format!("{} {}", p.employee_no, p.name)
        }
    };
    let names = people.iter().map(|p| label(p)).collect::<Vec<_>>();
    let roster_file = cx
        .case
        .input_paths(InputKind::Roster)
        .first()
        .map(|p| cx.rel(p))
        .unwrap_or_default();
    let unmask = cx.unmask;
    let evidence = people
        .iter()
        .map(|p| Evidence {
            file: Some(roster_file.clone()),
            row: Some(p.row),
            value: Some(if unmask {
                p.id_number.clone()
            } else {
                mask_id(&p.id_number)
            }),
            note: label(p),
            ..Evidence::default()
        })
        .collect();
    let joined = names.join(if cx.lang == nianshen_rules::Lang::Zh {
        "、"
    } else {
        ", "
    });
    cx.raise(
        rule,
        &[("count", people.len().to_string()), ("names", joined)],
        evidence,
    );
}

/// Reads a register from the first existing path; reports an absent or
/// unreadable one and returns `None`.
fn read_register(
    cx: &mut Context<'_>,
    paths: &[PathBuf],
    what_zh: &str,
    what_en: &str,
    columns: &[&[&str]],
) -> Option<Vec<Sheet>> {
    let files = tables::files_under(paths);
    if files.is_empty() {
        if let Some(path) = paths.first() {
            cx.input_missing(what_zh, what_en, &path.clone());
        }
        return None;
    }
    let mut sheets = Vec::new();
    for file in files {
        match tables::read_sheets(&file, columns) {
            Ok(found) => sheets.extend(found),
            Err(problem) => {
                let reason = problem.message(cx.lang);
                cx.input_unreadable(&file, reason);
            }
        }
    }
    (!sheets.is_empty()).then_some(sheets)
}

fn read_roster(cx: &mut Context<'_>) -> Option<Vec<Insured>> {
    let paths = cx.case.input_paths(InputKind::Roster);
    let sheets = read_register(
        cx,
        &paths,
        "社保名单",
        "social-insurance roster",
        &[NAME, ID_NUMBER, EMPLOYEE_NO, INSURED_FROM],
    )?;
    let mut people = Vec::new();
    for sheet in &sheets {
        let name = sheet.col(NAME);
        let id = sheet.col(ID_NUMBER);
        let no = sheet.col(EMPLOYEE_NO);
        let from = sheet.col(INSURED_FROM);
        let until = sheet.col(INSURED_UNTIL);
        for row in &sheet.rows {
            let cell = |c: Option<usize>| c.map(|c| row.get(c).to_string()).unwrap_or_default();
            people.push(Insured {
                name: cell(name),
                employee_no: cell(no),
                id_number: cell(id),
                from: checked_month(cx, sheet, row, from),
                until: checked_month(cx, sheet, row, until),
                row: row.row,
            });
        }
    }
    Some(people)
}

fn read_accounts(cx: &mut Context<'_>) -> Option<Vec<Account>> {
    let paths = cx.case.input_paths(InputKind::Accounts);
    let sheets = read_register(
        cx,
        &paths,
        "系统账号清单",
        "login account list",
        &[ACCOUNT, EMPLOYEE_NO, CREATED, DISABLED],
    )?;
    let mut accounts = Vec::new();
    for sheet in &sheets {
        let account = sheet.col(ACCOUNT);
        let no = sheet.col(EMPLOYEE_NO);
        let created = sheet.col(CREATED);
        let disabled = sheet.col(DISABLED);
        for row in &sheet.rows {
            let cell = |c: Option<usize>| c.map(|c| row.get(c).to_string()).unwrap_or_default();
            accounts.push(Account {
                account: cell(account),
                employee_no: cell(no),
                created: checked_day(cx, sheet, row, created),
                disabled: checked_day(cx, sheet, row, disabled),
            });
        }
    }
    Some(accounts)
}

/// The month in a cell, reporting a filled cell that is not a month.
fn checked_month(
    cx: &mut Context<'_>,
    sheet: &Sheet,
    row: &SheetRow,
    column: Option<usize>,
) -> Option<MonthIndex> {
    let c = column?;
    let text = row.get(c);
    let month = parse_month(text);
    if month.is_none() && !text.is_empty() {
        let reason = cx.t(
            "不是有效的年月（应写作 2024-03）",
            "not a valid month (write it as 2024-03)",
        );
        cx.bad_cell(&sheet.file, row.row, sheet.header(c), text, reason);
    }
    month
}

/// The day in a cell, reporting a filled cell that is not a date.
fn checked_day(
    cx: &mut Context<'_>,
    sheet: &Sheet,
    row: &SheetRow,
    column: Option<usize>,
) -> Option<NaiveDate> {
    let c = column?;
    let text = row.get(c);
    let day = parse_day(text);
    if day.is_none() && !text.is_empty() {
        let reason = cx.t(
            "不是有效的日期（应写作 2024-03-05）",
            "not a valid date (write it as 2024-03-05)",
        );
        cx.bad_cell(&sheet.file, row.row, sheet.header(c), text, reason);
    }
    day
}

/// Image files among the workstation photos.
fn count_photos(cx: &mut Context<'_>) -> Option<usize> {
    let paths = cx.case.input_paths(InputKind::Photos);
    let files = tables::files_under(&paths);
    if files.is_empty() {
        if let Some(path) = paths.first() {
            cx.input_missing("工位照片", "workstation photos", &path.clone());
        }
        return None;
    }
    let images = files
        .iter()
        .filter(|p| {
            p.extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .is_some_and(|e| {
                    matches!(
                        e.as_str(),
                        "jpg" | "jpeg" | "png" | "heic" | "heif" | "webp" | "bmp" | "tif" | "tiff"
                    )
                })
        })
        .count();
    Some(images)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_forms() {
        let march = Some(2024 * 12 + 2);
        for text in [
            "2024-03",
            "2024/3",
            "202403",
            "2024年3月",
            "2024-03-15",
            "20240315",
        ] {
            assert_eq!(parse_month(text), march, "{text}");
        }
        assert_eq!(parse_month(""), None);
        assert_eq!(parse_month("2024-13"), None);
    }

    #[test]
    fn day_forms() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 5);
        for text in ["2024-03-05", "2024/3/5", "20240305", "2024-03-05 10:00:00"] {
            assert_eq!(parse_day(text), day, "{text}");
        }
    }
}
