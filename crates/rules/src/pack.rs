//! The rule pack's data model, as deserialised from its TOML file.
//!
//! Every field here is data a user may change in a pack of their own or with
//! `[rules.override]` in `case.toml`; nothing in this crate decides a
//! threshold or a date by itself.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The language of user-facing text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    Zh,
    /// English.
    En,
}

/// A text in both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    /// Returns the text in `lang`, falling back to Chinese when the English
    /// text is empty.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.en.is_empty() => &self.en,
            _ => &self.zh,
        }
    }

    /// Returns the text in `lang` with each `{name}` placeholder replaced by
    /// its value from `vars`; unknown placeholders stay as written.
    pub fn render(&self, lang: Lang, vars: &[(&str, String)]) -> String {
        let mut out = self.get(lang).to_string();
        for (name, value) in vars {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// How serious a finding is. The order is from least to most serious.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Green,
    Yellow,
    Red,
}

impl Severity {
    /// The lamp name used in reports: 红, 黄, 绿 or 提示.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Severity::Red, Lang::Zh) => "红",
            (Severity::Yellow, Lang::Zh) => "黄",
            (Severity::Green, Lang::Zh) => "绿",
            (Severity::Info, Lang::Zh) => "提示",
            (Severity::Red, Lang::En) => "red",
            (Severity::Yellow, Lang::En) => "yellow",
            (Severity::Green, Lang::En) => "green",
            (Severity::Info, Lang::En) => "info",
        }
    }
}

/// Where a rule comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BasisKind {
    /// A law or ministerial order.
    Statute,
    /// A notice or draft rule of the regulator.
    RegulatorNotice,
    /// Industry practice, e.g. carrier contract terms or consultants' teaching.
    IndustryPractice,
    /// A threshold or choice made by nianshen with no published source.
    ProductDefault,
}

/// The basis of a rule: its kind and the document it rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basis {
    pub kind: BasisKind,
    /// The document's name and article, or a sentence saying why the product
    /// chose this default.
    pub source: Text,
}

/// One rule: an id such as `cdr.count_mismatch`, its default severity, basis
/// and texts. `detail` and `suggestion` may hold `{placeholder}`s that the
/// check fills in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub severity: Severity,
    pub basis: Basis,
    pub title: Text,
    pub detail: Text,
    pub suggestion: Text,
}

/// Which calendar drives the deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    /// The regulation in force: an annual report every first quarter.
    Regulation,
    /// Reviews in the 1st, 4th and 7th licence year, as consultants teach it.
    Whitepaper,
}

/// A month and day without a year, written `MM-DD` in the pack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    /// The date in `year`, or `None` for 02-29 in a common year.
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }
}

impl TryFrom<String> for MonthDay {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let invalid = || format!("invalid month-day {text:?}: expected MM-DD, e.g. 03-31");
        let (m, d) = text.split_once('-').ok_or_else(invalid)?;
        let month: u32 = m.trim().parse().map_err(|_| invalid())?;
        let day: u32 = d.trim().parse().map_err(|_| invalid())?;
        // 2024 is a leap year, so 02-29 is accepted here.
        NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(invalid)?;
        Ok(MonthDay { month, day })
    }
}

impl From<MonthDay> for String {
    fn from(md: MonthDay) -> String {
        format!("{:02}-{:02}", md.month, md.day)
    }
}

/// A billing increment `a/b`: the first `a` seconds of an answered call
/// are billed as one unit (also when the call is shorter), then every
/// started `b` seconds. `60/60` bills whole minutes, `6/6` six-second
/// steps, `1/1` by the second and `30/6` a first half minute then six-second
/// steps. Written `"a/b"` in the pack; both parts are whole seconds from 1 to
/// [`BillingIncrement::MAX_SECS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BillingIncrement {
    /// Seconds of the first unit.
    pub first_secs: u32,
    /// Seconds of every later unit.
    pub next_secs: u32,
}

impl BillingIncrement {
    /// Whole minutes, the usual Chinese tariff.
    pub const PER_MINUTE: BillingIncrement = BillingIncrement {
        first_secs: 60,
        next_secs: 60,
    };

    /// The maximum length of a unit, seconds (one hour).
    pub const MAX_SECS: u32 = 3600;

    /// Parses `a/b`, allowing spaces around the parts. Returns `None`
    /// unless both parts are whole numbers from 1 to
    /// [`BillingIncrement::MAX_SECS`].
    pub fn parse(text: &str) -> Option<BillingIncrement> {
        let (a, b) = text.split_once('/')?;
        let part = |s: &str| -> Option<u32> {
            let s = s.trim();
            if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            s.parse().ok().filter(|n| (1..=Self::MAX_SECS).contains(n))
        };
        Some(BillingIncrement {
            first_secs: part(a)?,
            next_secs: part(b)?,
        })
    }
}

impl Default for BillingIncrement {
    fn default() -> Self {
        BillingIncrement::PER_MINUTE
    }
}

impl std::fmt::Display for BillingIncrement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.first_secs, self.next_secs)
    }
}

impl TryFrom<String> for BillingIncrement {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        BillingIncrement::parse(&text).ok_or_else(|| {
            format!(
                "invalid billing increment {text:?}: expected a/b in whole seconds from 1 to {}, e.g. 60/60 or 6/6",
                BillingIncrement::MAX_SECS
            )
        })
    }
}

impl From<BillingIncrement> for String {
    fn from(increment: BillingIncrement) -> String {
        increment.to_string()
    }
}

/// The annual report (年报) under the regulation in force. Dates are in the
/// year after the figures' year unless a `[[schedule.annual_report.years]]`
/// entry gives the authority's notice for that year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualReport {
    pub opens: MonthDay,
    pub closes: MonthDay,
    /// Last day of the cure period for late filers.
    pub cure_until: MonthDay,
    /// First day non-filers are put on the 经营不良名单.
    pub list_from: MonthDay,
    /// The spot-check season, first and last day.
    pub spot_check_from: MonthDay,
    pub spot_check_until: MonthDay,
    /// The authority's notice per figures year, when it moved the window.
    #[serde(default)]
    pub years: Vec<AnnualReportYear>,
}

/// The window of one figures year, from the authority's notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualReportYear {
    /// The year whose figures are reported, e.g. 2024 for the report filed in 2025.
    pub year: i32,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    #[serde(default)]
    pub source: Option<String>,
}

/// The number report (码号年报) for holders of 95/96 and similar numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberReport {
    pub closes: MonthDay,
    /// Access-number prefixes that oblige the holder to file, e.g. "95", "96".
    pub prefixes: Vec<String>,
}

/// Licence term, renewal and change filing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceTerms {
    pub term_years: u32,
    /// Renewal must be applied for at least this many days before expiry.
    pub renewal_lead_days: i64,
    /// Yellow from this many days before the last day to apply.
    pub renewal_warn_days: i64,
    /// A change of name, legal representative or capital is filed within this many days.
    pub change_filing_days: i64,
}

/// The whitepaper calendar: reviews in given licence years.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Whitepaper {
    /// Review years counted from the issue date, e.g. [1, 4, 7].
    pub review_years: Vec<u32>,
    /// Days in a review year: due date = issued + day_basis × year.
    pub day_basis: i64,
    pub open_days_before: i64,
    pub congested_months: Vec<u32>,
    pub recommended_months: Vec<u32>,
}

/// Deadline rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub calendar: Calendar,
    /// Inside this many days before a deadline without a filing is yellow.
    pub due_soon_days: i64,
    /// Days allowed to supply corrections after an order.
    pub correction_days: i64,
    /// Days after approval to get the annual verification stamp.
    pub stamp_days: i64,
    pub annual_report: AnnualReport,
    pub number_report: NumberReport,
    pub licence: LicenceTerms,
    pub whitepaper: Whitepaper,
}

/// Numeric limits of the checks. Rates are fractions (0.03 = 3%).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Audited vs VAT-declared revenue: a difference at or above this is red.
    pub revenue_mismatch_rate: f64,
    /// Answered-count difference rate local vs carrier at or above this is red.
    pub cdr_count_mismatch_rate: f64,
    /// Talk-seconds difference rate at or above this is red.
    pub cdr_duration_mismatch_rate: f64,
    /// Which difference rates count toward `cdr.count_mismatch` and
    /// `cdr.duration_mismatch`: any of "answered", "talk_seconds", "billed_minutes".
    pub cdr_count_rates: Vec<String>,
    pub cdr_duration_rates: Vec<String>,
    /// Start-time tolerance for matching, seconds.
    pub cdr_match_tolerance_secs: i64,
    /// Tolerance for sources whose timestamps lost their seconds.
    pub cdr_match_tolerance_no_seconds_secs: i64,
    /// Talk times further apart than this make a duration mismatch, seconds.
    pub cdr_talk_tolerance_secs: i64,
    /// The carrier's billing increment unless the case or the command line
    /// sets another. The reconciliation recomputes billed amounts from the
    /// local talk time with it. Default 60/60 (whole minutes).
    #[serde(default)]
    pub cdr_billing_increment: BillingIncrement,
    /// Share of the compared matched calls whose billing differs at or
    /// above which `cdr.billing_mismatch` is raised. Default 0.03.
    #[serde(default = "default_cdr_billing_mismatch_rate")]
    pub cdr_billing_mismatch_rate: f64,
    /// A 12321 complaint verified later than this after receipt is late, hours.
    pub complaint_verification_hours: i64,
    /// Working days to forward and to reply to a 12321 complaint.
    pub complaint_forward_working_days: i64,
    pub complaint_reply_working_days: i64,
    /// Recordings kept at least this many days.
    pub recording_retention_days: i64,
    /// Permitted outbound hours, [from, until) in local hours.
    pub permitted_hours: [u32; 2],
    /// More calls than this to one callee in 24 h is a repeat-call risk.
    pub repeat_calls_per_day: u32,
    /// More calls than this to one callee within five minutes is a risk.
    pub repeat_calls_per_5min: u32,
    /// Largest accepted material file, bytes.
    pub material_max_bytes: u64,
    /// Share of timestamps at second 0 above which the signal is raised.
    pub seconds_zero_share: f64,
    /// Lowest accepted level of the 等保 assessment report. Default 3.
    #[serde(default = "default_dengbao_min_level")]
    pub dengbao_min_level: u32,
    /// Agents drawn for the mock inspection. Default 5.
    #[serde(default = "default_drill_agents")]
    pub drill_agents: u32,
    /// Complaints drawn for the mock inspection. Default 3.
    #[serde(default = "default_drill_complaints")]
    pub drill_complaints: u32,
    /// Days of call records the mock inspection reconciles. Default 7.
    #[serde(default = "default_drill_cdr_days")]
    pub drill_cdr_days: i64,
    /// A workstation photo taken more than this many days before the as-of
    /// date is stale. Default 180.
    #[serde(default = "default_photo_max_age_days")]
    pub photo_max_age_days: i64,
}

fn default_cdr_billing_mismatch_rate() -> f64 {
    0.03
}

fn default_dengbao_min_level() -> u32 {
    3
}

fn default_drill_agents() -> u32 {
    5
}

fn default_drill_complaints() -> u32 {
    3
}

fn default_drill_cdr_days() -> i64 {
    7
}

fn default_photo_max_age_days() -> i64 {
    180
}

/// Decimal places to which declared and computed figures are rounded
/// before they are compared. Counts are compared exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Precision {
    pub connection_rate: u32,
    pub conversion_rate: u32,
    pub complaint_response_rate: u32,
    pub complaint_rate: u32,
    pub avg_talk_seconds: u32,
}

/// Whole-value words of call-record cells (matched after trimming, never as
/// substrings, case-insensitive for Latin letters).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    pub answered: Vec<String>,
    pub not_answered: Vec<String>,
    pub outbound: Vec<String>,
    pub inbound: Vec<String>,
    /// Outcome words that count as a conversion unless a mapping says otherwise.
    pub success: Vec<String>,
    /// First-cell words of total rows below the data (合计, 总计).
    pub total_rows: Vec<String>,
}

/// Header synonyms per call-record role, e.g. `caller = ["主叫号码", "src", …]`.
pub type HeaderSynonyms = BTreeMap<String, Vec<String>>;

/// Regular-expression patterns. Written in Rust `regex` syntax.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patterns {
    /// A material file name: 企业简称 + separator + 材料类型 + separator + YYYYMMDD + .pdf.
    /// Named groups `short`, `kind` and `date`.
    pub material_name: String,
    /// A licence number such as `B2-20190123` or `粤B2-20190123`.
    pub licence_number: String,
    /// Leading province/city names stripped before addresses are compared.
    pub address_prefixes: Vec<String>,
}

/// One item of the materials catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueItem {
    /// Stable id, e.g. `business_licence`.
    pub id: String,
    /// Category 1–7 of the review's material list.
    pub category: u32,
    /// The category folder under `材料/`, e.g. `01-主体资格`.
    pub folder: String,
    pub name: Text,
    /// Other 材料类型 words that name this item in file names.
    #[serde(default)]
    pub synonyms: Vec<String>,
    pub required: bool,
    /// Accepted file extensions, lower case without the dot.
    pub types: Vec<String>,
    /// Case inputs (keys of `[inputs]`, e.g. `contracts_labour`) whose files
    /// also count as this item: labour contracts usually sit in 人员/劳动合同
    /// rather than in the materials folder.
    #[serde(default)]
    pub also_in: Vec<String>,
}

/// A step of the 90-day plan or of the post-approval list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanStep {
    pub id: String,
    /// Days from T (negative before it).
    pub offset_days: i64,
    pub title: Text,
    #[serde(default)]
    pub detail: Text,
    /// Days before the step's date that a calendar reminder fires.
    #[serde(default)]
    pub remind_days_before: i64,
}

/// Public holidays and swapped working days (调休) from the State Council's
/// yearly schedule, used to count working days.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holidays {
    /// Days off that fall on weekdays.
    #[serde(default)]
    pub off: Vec<NaiveDate>,
    /// Weekend days that are working days.
    #[serde(default)]
    pub work: Vec<NaiveDate>,
}

/// The pack's identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    pub name: String,
    /// The pack's own version, e.g. `2025.1`.
    pub version: String,
    /// The format version of this file; this crate reads [`crate::SCHEMA_VERSION`].
    pub schema: u32,
    /// The pack this one extends, a built-in name or a path relative to this
    /// file: its values are taken first and this
    /// file's values replace them (tables merge key by key; arrays and
    /// single values replace as a whole).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    pub title: Text,
    #[serde(default)]
    pub description: Text,
}

/// A whole rule pack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePack {
    pub pack: PackMeta,
    pub schedule: Schedule,
    pub thresholds: Thresholds,
    pub precision: Precision,
    pub words: Words,
    pub headers: HeaderSynonyms,
    pub patterns: Patterns,
    pub catalogue: Vec<CatalogueItem>,
    pub plan: Vec<PlanStep>,
    pub post_approval: Vec<PlanStep>,
    #[serde(default)]
    pub holidays: Holidays,
    /// Every rule by id, e.g. `rules."cdr.count_mismatch"`.
    pub rules: BTreeMap<String, RuleDef>,
}
