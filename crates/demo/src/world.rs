//! The invented call centre: company, licence, sites, staff, clients and the
//! fixed dates of the story. Everything later (call records, payroll, PDFs)
//! is drawn from this one description so that the files agree.

use chrono::{Datelike, Months, NaiveDate};

use crate::ids;
use crate::rng::Rng;

/// The day the case is meant to be checked on: the annual-report window is
/// open and its 2025-03-31 deadline is 44 days away.
pub const AS_OF: (i32, u32, u32) = (2025, 2, 15);
/// The months of 2024 covered by the call-record exports.
pub const CDR_MONTHS: [u32; 3] = [10, 11, 12];
/// Date stamped on the prepared materials (file names and PDF metadata).
pub const MATERIALS_DATE: (i32, u32, u32) = (2025, 1, 10);
/// Agents insured in December 2024: the declared seats of the clean case.
pub const SEATS: usize = 12;
/// People who left during 2024; their accounts are disabled.
const LEAVERS: usize = 2;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "梁", "郑", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
];
const GIVEN: &[&str] = &[
    "晓", "婷", "志", "敏", "俊", "丽", "建", "芳", "海", "燕", "子", "涵", "雨", "欣", "明", "静",
    "宇", "佳", "文", "慧", "思", "琪", "浩", "颖", "嘉", "怡", "凯", "琳", "振", "倩", "鹏", "瑶",
];
/// Birth regions of ID numbers: Shenzhen districts and provinces that send
/// many call-centre staff to Shenzhen.
const REGIONS: &[&str] = &[
    "440305", "440306", "440307", "441402", "445202", "430111", "450102", "360102", "420106",
];

/// Builds a date from a (year, month, day) constant. The constants are
/// valid, so the fallback only keeps this panic-free.
pub fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// One employee: every agent with calls is insured, has an account, a
/// labour contract and training records.
#[derive(Clone, Debug)]
pub struct Person {
    /// Employee number, e.g. `YF007`.
    pub no: String,
    pub name: String,
    pub id_number: String,
    pub hired: NaiveDate,
    /// Last working day; `None` while still employed.
    pub left: Option<NaiveDate>,
    /// Login account of the call-centre system.
    pub account: String,
}

impl Person {
    /// Tells whether the person is insured (and employed) in the month of `day`.
    pub fn insured_in(&self, day: NaiveDate) -> bool {
        let month_start = day.with_day(1).unwrap_or(day);
        self.hired <= last_of_month(day) && self.left.is_none_or(|left| left >= month_start)
    }
}

/// Returns the last day of the month of `day`.
pub fn last_of_month(day: NaiveDate) -> NaiveDate {
    let first = day.with_day(1).unwrap_or(day);
    first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(day)
}

/// The company, its licence and the people.
#[derive(Clone, Debug)]
pub struct World {
    pub seed: u64,
    pub name: String,
    pub short_name: String,
    pub uscc: String,
    pub legal_rep: String,
    pub registered_address: String,
    /// The address where the agents sit after the move of trap 3.
    pub moved_address: String,
    pub licence_number: String,
    pub licence_issued: NaiveDate,
    pub licence_expires: NaiveDate,
    /// The company's outbound trunk numbers (0755 landlines).
    pub trunks: Vec<String>,
    pub bank_account: String,
    /// The client that pays for the outbound service.
    pub client_name: String,
    pub client_account: String,
    /// Employees, ordered by employee number; the first [`SEATS`] are the
    /// agents still employed at the end of 2024.
    pub staff: Vec<Person>,
}

impl World {
    /// Draws the world of `seed`. Names of the company are fixed, while
    /// people, codes and numbers follow the seed.
    pub fn new(seed: u64) -> World {
        let mut rng = Rng::new(seed, 1);
        let uscc = ids::uscc(&mut rng, "440305");
        let licence_number = format!("粤B2-2022{:04}", rng.range(1000, 9999));
        let trunk_base = rng.range(2000, 8999);
        let trunks = (1..=3)
            .map(|k| format!("0755{trunk_base:04}{:04}", 6600 + k))
            .collect();
        let bank_account = account_number(&mut rng, "4000");
        let client_account = account_number(&mut rng, "6228");
        let mut names = NamePool::default();
        let legal_rep = names.draw(&mut rng);
        let staff = staff(&mut rng, &mut names);

        World {
            seed,
            name: "深圳市云帆数联科技有限公司".into(),
            short_name: "云帆数联".into(),
            uscc,
            legal_rep,
            registered_address: "深圳市南山区粤海街道高新南七道18号数联大厦5楼501".into(),
            moved_address: "深圳市宝安区新安街道兴华二路36号星河创意园C栋3楼".into(),
            licence_number,
            licence_issued: ymd((2022, 6, 20)),
            licence_expires: ymd((2027, 6, 19)),
            trunks,
            bank_account,
            client_name: "广州恒嘉保险代理有限公司".into(),
            client_account,
            staff,
        }
    }

    /// Returns the agents employed at the end of the period (the seat holders).
    pub fn agents(&self) -> &[Person] {
        self.staff.get(..SEATS).unwrap_or(&self.staff)
    }
}

/// Draws a bank account number in groups of four, as statements print it.
fn account_number(rng: &mut Rng, prefix: &str) -> String {
    let mut digits = prefix.to_string();
    while digits.len() < 19 {
        digits.push(char::from(b'0' + rng.below(10) as u8));
    }
    let groups: Vec<String> = digits
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    groups.join(" ")
}

/// Draws distinct two- and three-character names.
#[derive(Debug, Default)]
struct NamePool {
    used: Vec<String>,
}

impl NamePool {
    fn draw(&mut self, rng: &mut Rng) -> String {
        loop {
            let mut name = String::new();
            name.push_str(rng.pick(SURNAMES).copied().unwrap_or("王"));
            name.push_str(rng.pick(GIVEN).copied().unwrap_or("明"));
            if rng.chance(0.6) {
                name.push_str(rng.pick(GIVEN).copied().unwrap_or("明"));
            }
            if !self.used.contains(&name) {
                self.used.push(name.clone());
                return name;
            }
        }
    }
}

/// Twelve agents still employed and two who left in 2024.
fn staff(rng: &mut Rng, names: &mut NamePool) -> Vec<Person> {
    let total = SEATS + LEAVERS;
    (0..total)
        .map(|i| {
            let no = format!("YF{:03}", i + 1);
            let hired = hire_date(rng, i);
            let left = match i.checked_sub(SEATS) {
                Some(0) => Some(ymd((2024, 5, 31))),
                Some(_) => Some(ymd((2024, 8, 31))),
                None => None,
            };
            let birth = ymd((rng.range(1986, 2002) as i32, 1, 1))
                .checked_add_days(chrono::Days::new(rng.below(365)))
                .unwrap_or_default();
            let region = rng.pick(REGIONS).copied().unwrap_or("440305");
            Person {
                account: format!("yf{}", 1000 + i + 1),
                id_number: ids::id_number(rng, region, birth),
                name: names.draw(rng),
                no,
                hired,
                left,
            }
        })
        .collect()
}

/// Most agents joined in 2022–2023; two joined during 2024, so that the
/// roster shows movement over the year.
fn hire_date(rng: &mut Rng, i: usize) -> NaiveDate {
    let (from, span) = match i {
        9 => (ymd((2024, 3, 1)), 20),
        10 => (ymd((2024, 7, 1)), 20),
        _ => (ymd((2022, 7, 1)), 540),
    };
    from.checked_add_days(chrono::Days::new(rng.below(span)))
        .unwrap_or(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_is_deterministic() {
        let a = World::new(9);
        let b = World::new(9);
        assert_eq!(a.uscc, b.uscc);
        assert_eq!(a.staff[3].id_number, b.staff[3].id_number);
        assert_ne!(World::new(10).uscc, a.uscc);
    }

    #[test]
    fn seats_insured_in_december() {
        let w = World::new(2024);
        let dec = ymd((2024, 12, 15));
        let insured = w.staff.iter().filter(|p| p.insured_in(dec)).count();
        assert_eq!(insured, SEATS);
        assert_eq!(w.staff.len(), SEATS + LEAVERS);
        assert!(w.staff[SEATS].insured_in(ymd((2024, 5, 1))));
        assert!(!w.staff[SEATS].insured_in(ymd((2024, 6, 1))));
    }

    #[test]
    fn names_are_distinct() {
        let w = World::new(1);
        let mut names: Vec<&str> = w.staff.iter().map(|p| p.name.as_str()).collect();
        names.push(&w.legal_rep);
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
