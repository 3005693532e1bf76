//! Checking a pack beyond its shape: every rule id present, texts in both
//! languages, placeholders the checks fill, thresholds in sane ranges,
//! catalogue and plan consistent, patterns that compile, holiday dates that
//! make sense.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::ids::{placeholders, rule_ids, CDR_RATES, HEADER_ROLES};
use crate::keys::format_key;
use crate::pack::{CatalogueItem, Lang, PlanStep, RulePack, Text};
use crate::SCHEMA_VERSION;

/// One thing wrong with a pack, at a dotted key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where, as a dotted key: `thresholds.cdr_count_mismatch_rate`,
    /// `rules."cdr.count_mismatch".detail.zh`, `catalogue.audit_report.category`.
    pub key: String,
    pub kind: ProblemKind,
}

/// What is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// `pack.schema` is a format version this program does not read.
    SchemaUnsupported { found: u32, supported: u32 },
    /// A text or list that must not be empty is.
    Empty,
    /// A rule id a check raises has no entry.
    RuleMissing,
    /// A rule id no check raises (often a typo).
    RuleUnknown,
    /// A template uses `{name}`, which its check does not fill.
    PlaceholderUnknown { name: String, allowed: Vec<String> },
    /// A number outside its sane range.
    OutOfRange { value: String, range: String },
    /// A value listed twice where each must be unique.
    Duplicate { value: String },
    /// A value in two places that exclude each other.
    Conflict { value: String, other: String },
    /// A value outside its allowed words.
    NotAllowed { value: String, allowed: Vec<String> },
    /// A category's items disagree on the folder.
    FolderMismatch { folder: String, expected: String },
    /// A folder that does not start with its category number, e.g. `01-`.
    FolderPrefix { folder: String, prefix: String },
    /// A category 1–7 without any catalogue item.
    CategoryEmpty { category: u32 },
    /// A pattern that is not a valid regular expression.
    BadRegex { error: String },
    /// A pattern without a named group the checks read.
    RegexGroupMissing { group: String },
    /// Plan steps not in ascending order of `offset_days`.
    Unsorted,
    /// This value must not be later than `other`.
    Order { other: String },
    /// A listed day off that is a weekend day anyway.
    OffOnWeekend { date: NaiveDate },
    /// A listed working day that is a weekday anyway.
    WorkOnWeekday { date: NaiveDate },
}

impl Problem {
    fn new(key: impl Into<String>, kind: ProblemKind) -> Problem {
        Problem {
            key: key.into(),
            kind,
        }
    }

    /// The problem in one line of the user's language.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.message_zh(),
            Lang::En => self.message_en(),
        }
    }

    fn message_zh(&self) -> String {
        let key = &self.key;
        match &self.kind {
            ProblemKind::SchemaUnsupported { found, supported } => {
                format!("{key} 为 {found}，本程序只能读取第 {supported} 版格式")
            }
            ProblemKind::Empty => format!("{key} 为空"),
            ProblemKind::RuleMissing => format!("缺少规则 {key}"),
            ProblemKind::RuleUnknown => format!("{key} 不是任何检查使用的规则编号（拼错了？）"),
            ProblemKind::PlaceholderUnknown { name, allowed } => format!(
                "{key} 使用了占位符 {{{name}}}，该检查只提供：{}",
                list_or_none(allowed, "、", "（无）")
            ),
            ProblemKind::OutOfRange { value, range } => {
                format!("{key} 的值 {value} 超出合理范围 {range}")
            }
            ProblemKind::Duplicate { value } => format!("{key} 中的“{value}”重复"),
            ProblemKind::Conflict { value, other } => {
                format!("“{value}”同时出现在 {key} 和 {other} 中")
            }
            ProblemKind::NotAllowed { value, allowed } => format!(
                "{key} 中的“{value}”不是允许的取值（允许：{}）",
                allowed.join("、")
            ),
            ProblemKind::FolderMismatch { folder, expected } => {
                format!("{key} 为“{folder}”，与同类材料的目录“{expected}”不一致")
            }
            ProblemKind::FolderPrefix { folder, prefix } => {
                format!("{key} 为“{folder}”，应以“{prefix}”开头")
            }
            ProblemKind::CategoryEmpty { category } => {
                format!("{key} 中第 {category} 类没有任何材料")
            }
            ProblemKind::BadRegex { error } => format!("{key} 不是有效的正则表达式：{error}"),
            ProblemKind::RegexGroupMissing { group } => {
                format!("{key} 缺少命名分组 (?P<{group}>…)")
            }
            ProblemKind::Unsorted => format!("{key} 未按 offset_days 从小到大排列"),
            ProblemKind::Order { other } => format!("{key} 不应晚于 {other}"),
            ProblemKind::OffOnWeekend { date } => {
                format!("{key} 中的 {date} 本来就是周末，放假日只需列出工作日")
            }
            ProblemKind::WorkOnWeekday { date } => {
                format!("{key} 中的 {date} 本来就是工作日，调休上班日只需列出周末")
            }
        }
    }

    fn message_en(&self) -> String {
        let key = &self.key;
        match &self.kind {
            ProblemKind::SchemaUnsupported { found, supported } => {
                format!("{key} is {found}; this program reads format version {supported}")
            }
            ProblemKind::Empty => format!("{key} is empty"),
            ProblemKind::RuleMissing => format!("rule {key} is missing"),
            ProblemKind::RuleUnknown => format!("{key} is no rule id any check raises (a typo?)"),
            ProblemKind::PlaceholderUnknown { name, allowed } => format!(
                "{key} uses the placeholder {{{name}}}; its check fills only: {}",
                list_or_none(allowed, ", ", "(none)")
            ),
            ProblemKind::OutOfRange { value, range } => {
                format!("{key} = {value} is outside the sane range {range}")
            }
            ProblemKind::Duplicate { value } => format!("{key}: {value:?} appears more than once"),
            ProblemKind::Conflict { value, other } => {
                format!("{value:?} appears in both {key} and {other}")
            }
            ProblemKind::NotAllowed { value, allowed } => format!(
                "{key}: {value:?} is not allowed (allowed: {})",
                allowed.join(", ")
            ),
            ProblemKind::FolderMismatch { folder, expected } => {
                format!("{key} is {folder:?}, unlike the folder {expected:?} of the same category")
            }
            ProblemKind::FolderPrefix { folder, prefix } => {
                format!("{key} is {folder:?}; it should start with {prefix:?}")
            }
            ProblemKind::CategoryEmpty { category } => {
                format!("{key} has no item in category {category}")
            }
            ProblemKind::BadRegex { error } => {
                format!("{key} is not a valid regular expression: {error}")
            }
            ProblemKind::RegexGroupMissing { group } => {
                format!("{key} lacks the named group (?P<{group}>…)")
            }
            ProblemKind::Unsorted => format!("{key} is not in ascending order of offset_days"),
            ProblemKind::Order { other } => format!("{key} must not be later than {other}"),
            ProblemKind::OffOnWeekend { date } => {
                format!("{key}: {date} is a weekend day anyway; list only weekdays off")
            }
            ProblemKind::WorkOnWeekday { date } => {
                format!("{key}: {date} is a weekday anyway; list only weekend working days")
            }
        }
    }
}

fn list_or_none(items: &[String], sep: &str, none: &str) -> String {
    if items.is_empty() {
        none.to_string()
    } else {
        items.join(sep)
    }
}

/// Every problem of a pack, in the order of the file's sections; empty when
/// the pack is sound. [`crate::load`] rejects a pack with any problem.
pub fn validate(pack: &RulePack) -> Vec<Problem> {
    let mut out = Vec::new();
    check_meta(pack, &mut out);
    check_schedule(pack, &mut out);
    check_thresholds(pack, &mut out);
    check_precision(pack, &mut out);
    check_words(pack, &mut out);
    check_headers(pack, &mut out);
    check_patterns(pack, &mut out);
    check_catalogue(pack, &mut out);
    check_steps("plan", &pack.plan, true, &mut out);
    check_steps("post_approval", &pack.post_approval, false, &mut out);
    check_holidays(pack, &mut out);
    check_rules(pack, &mut out);
    out
}

// ---- helpers ---------------------------------------------------------------

fn key(segments: &[&str]) -> String {
    format_key(segments)
}

fn in_range<T: PartialOrd + Display>(out: &mut Vec<Problem>, key: String, value: T, lo: T, hi: T) {
    if value < lo || value > hi {
        out.push(Problem::new(
            key,
            ProblemKind::OutOfRange {
                value: value.to_string(),
                range: format!("{lo}..={hi}"),
            },
        ));
    }
}

fn text_filled(out: &mut Vec<Problem>, prefix: &[&str], text: &Text) {
    for (lang, value) in [("zh", &text.zh), ("en", &text.en)] {
        if value.trim().is_empty() {
            let mut segments = prefix.to_vec();
            segments.push(lang);
            out.push(Problem::new(key(&segments), ProblemKind::Empty));
        }
    }
}

fn not_empty<T>(out: &mut Vec<Problem>, key: String, list: &[T]) {
    if list.is_empty() {
        out.push(Problem::new(key, ProblemKind::Empty));
    }
}

/// A word or header as compared: trimmed, Latin letters lower-cased,
/// full-width brackets made half-width.
fn fold(word: &str) -> String {
    word.trim()
        .to_lowercase()
        .replace('（', "(")
        .replace('）', ")")
}

/// Reports words listed twice in one list and blank words. Both bracket
/// widths may be listed on purpose, so only case and spaces are folded here.
fn unique_words(out: &mut Vec<Problem>, key: &str, words: &[String]) {
    let mut seen = BTreeSet::new();
    for word in words {
        if word.trim().is_empty() {
            out.push(Problem::new(key, ProblemKind::Empty));
        } else if !seen.insert(word.trim().to_lowercase()) {
            out.push(Problem::new(
                key,
                ProblemKind::Duplicate {
                    value: word.clone(),
                },
            ));
        }
    }
}

/// Reports words that appear in both lists.
fn disjoint(out: &mut Vec<Problem>, a: (&str, &[String]), b: (&str, &[String])) {
    let folded: BTreeSet<String> = b.1.iter().map(|w| fold(w)).collect();
    for word in a.1 {
        if folded.contains(&fold(word)) {
            out.push(Problem::new(
                a.0,
                ProblemKind::Conflict {
                    value: word.clone(),
                    other: b.0.to_string(),
                },
            ));
        }
    }
}

// ---- sections --------------------------------------------------------------

fn check_meta(pack: &RulePack, out: &mut Vec<Problem>) {
    let meta = &pack.pack;
    if meta.schema != SCHEMA_VERSION {
        out.push(Problem::new(
            "pack.schema",
            ProblemKind::SchemaUnsupported {
                found: meta.schema,
                supported: SCHEMA_VERSION,
            },
        ));
    }
    if meta.name.trim().is_empty() {
        out.push(Problem::new("pack.name", ProblemKind::Empty));
    }
    if meta.version.trim().is_empty() {
        out.push(Problem::new("pack.version", ProblemKind::Empty));
    }
    text_filled(out, &["pack", "title"], &meta.title);
}

fn check_schedule(pack: &RulePack, out: &mut Vec<Problem>) {
    let s = &pack.schedule;
    in_range(
        out,
        key(&["schedule", "due_soon_days"]),
        s.due_soon_days,
        0,
        366,
    );
    in_range(
        out,
        key(&["schedule", "correction_days"]),
        s.correction_days,
        1,
        366,
    );
    in_range(out, key(&["schedule", "stamp_days"]), s.stamp_days, 1, 366);
    check_annual_report(pack, out);

    let n = &s.number_report;
    not_empty(
        out,
        key(&["schedule", "number_report", "prefixes"]),
        &n.prefixes,
    );
    for prefix in &n.prefixes {
        if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_digit()) {
            out.push(Problem::new(
                "schedule.number_report.prefixes",
                ProblemKind::NotAllowed {
                    value: prefix.clone(),
                    allowed: vec!["digits".into()],
                },
            ));
        }
    }

    let l = &s.licence;
    in_range(
        out,
        key(&["schedule", "licence", "term_years"]),
        l.term_years,
        1,
        50,
    );
    in_range(
        out,
        key(&["schedule", "licence", "renewal_lead_days"]),
        l.renewal_lead_days,
        0,
        730,
    );
    in_range(
        out,
        key(&["schedule", "licence", "renewal_warn_days"]),
        l.renewal_warn_days,
        0,
        730,
    );
    in_range(
        out,
        key(&["schedule", "licence", "change_filing_days"]),
        l.change_filing_days,
        1,
        366,
    );
    check_whitepaper(pack, out);
}

fn check_annual_report(pack: &RulePack, out: &mut Vec<Problem>) {
    let a = &pack.schedule.annual_report;
    let base = "schedule.annual_report";
    let order = [
        ("opens", a.opens),
        ("closes", a.closes),
        ("cure_until", a.cure_until),
        ("list_from", a.list_from),
    ];
    for pair in order.windows(2) {
        if pair[0].1 > pair[1].1 {
            out.push(Problem::new(
                format!("{base}.{}", pair[0].0),
                ProblemKind::Order {
                    other: format!("{base}.{}", pair[1].0),
                },
            ));
        }
    }
    if a.spot_check_from > a.spot_check_until {
        out.push(Problem::new(
            format!("{base}.spot_check_from"),
            ProblemKind::Order {
                other: format!("{base}.spot_check_until"),
            },
        ));
    }
    let mut years = BTreeSet::new();
    for y in &a.years {
        let k = format!("{base}.years.{}", y.year);
        if !years.insert(y.year) {
            out.push(Problem::new(
                format!("{base}.years"),
                ProblemKind::Duplicate {
                    value: y.year.to_string(),
                },
            ));
        }
        if y.opens > y.closes {
            out.push(Problem::new(
                format!("{k}.opens"),
                ProblemKind::Order {
                    other: format!("{k}.closes"),
                },
            ));
        }
    }
}

fn check_whitepaper(pack: &RulePack, out: &mut Vec<Problem>) {
    let w = &pack.schedule.whitepaper;
    let base = ["schedule", "whitepaper"];
    let k = |name: &str| key(&[base[0], base[1], name]);
    not_empty(out, k("review_years"), &w.review_years);
    if !w.review_years.windows(2).all(|p| p[0] < p[1]) {
        out.push(Problem::new(k("review_years"), ProblemKind::Unsorted));
    }
    for year in &w.review_years {
        in_range(out, k("review_years"), *year, 1, 50);
    }
    in_range(out, k("day_basis"), w.day_basis, 360, 366);
    in_range(out, k("open_days_before"), w.open_days_before, 1, 366);
    for month in w.congested_months.iter().chain(&w.recommended_months) {
        in_range(out, k("congested_months"), *month, 1, 12);
    }
    for month in &w.congested_months {
        if w.recommended_months.contains(month) {
            out.push(Problem::new(
                k("congested_months"),
                ProblemKind::Conflict {
                    value: month.to_string(),
                    other: k("recommended_months"),
                },
            ));
        }
    }
}

fn check_thresholds(pack: &RulePack, out: &mut Vec<Problem>) {
    let t = &pack.thresholds;
    let k = |name: &str| key(&["thresholds", name]);
    for (name, rate) in [
        ("revenue_mismatch_rate", t.revenue_mismatch_rate),
        ("cdr_count_mismatch_rate", t.cdr_count_mismatch_rate),
        ("cdr_duration_mismatch_rate", t.cdr_duration_mismatch_rate),
        ("cdr_billing_mismatch_rate", t.cdr_billing_mismatch_rate),
        ("seconds_zero_share", t.seconds_zero_share),
    ] {
        // NaN fails both comparisons, so it is caught here too.
        if !(rate > 0.0 && rate <= 1.0) {
            out.push(Problem::new(
                k(name),
                ProblemKind::OutOfRange {
                    value: rate.to_string(),
                    range: "0 < x <= 1".into(),
                },
            ));
        }
    }
    for (name, rates) in [
        ("cdr_count_rates", &t.cdr_count_rates),
        ("cdr_duration_rates", &t.cdr_duration_rates),
    ] {
        not_empty(out, k(name), rates);
        for rate in rates.iter().filter(|r| !CDR_RATES.contains(&r.as_str())) {
            out.push(Problem::new(
                k(name),
                ProblemKind::NotAllowed {
                    value: rate.clone(),
                    allowed: CDR_RATES.iter().map(|s| s.to_string()).collect(),
                },
            ));
        }
    }
    check_time_limits(pack, out);
}

fn check_time_limits(pack: &RulePack, out: &mut Vec<Problem>) {
    let t = &pack.thresholds;
    let k = |name: &str| key(&["thresholds", name]);
    in_range(
        out,
        k("cdr_match_tolerance_secs"),
        t.cdr_match_tolerance_secs,
        0,
        3600,
    );
    in_range(
        out,
        k("cdr_match_tolerance_no_seconds_secs"),
        t.cdr_match_tolerance_no_seconds_secs,
        t.cdr_match_tolerance_secs,
        3600,
    );
    in_range(
        out,
        k("cdr_talk_tolerance_secs"),
        t.cdr_talk_tolerance_secs,
        0,
        3600,
    );
    in_range(
        out,
        k("complaint_verification_hours"),
        t.complaint_verification_hours,
        1,
        720,
    );
    in_range(
        out,
        k("complaint_forward_working_days"),
        t.complaint_forward_working_days,
        1,
        365,
    );
    in_range(
        out,
        k("complaint_reply_working_days"),
        t.complaint_reply_working_days,
        1,
        365,
    );
    in_range(
        out,
        k("recording_retention_days"),
        t.recording_retention_days,
        1,
        3650,
    );
    let [from, until] = t.permitted_hours;
    if from >= until || until > 24 {
        out.push(Problem::new(
            k("permitted_hours"),
            ProblemKind::OutOfRange {
                value: format!("[{from}, {until}]"),
                range: "[from, until], 0 <= from < until <= 24".into(),
            },
        ));
    }
    in_range(
        out,
        k("repeat_calls_per_day"),
        t.repeat_calls_per_day,
        1,
        1000,
    );
    in_range(
        out,
        k("repeat_calls_per_5min"),
        t.repeat_calls_per_5min,
        1,
        t.repeat_calls_per_day.max(1),
    );
    in_range(
        out,
        k("material_max_bytes"),
        t.material_max_bytes,
        1,
        1 << 40,
    );
    in_range(out, k("dengbao_min_level"), t.dengbao_min_level, 1, 5);
    in_range(out, k("drill_agents"), t.drill_agents, 1, 1000);
    in_range(out, k("drill_complaints"), t.drill_complaints, 1, 1000);
    in_range(out, k("drill_cdr_days"), t.drill_cdr_days, 1, 366);
    in_range(out, k("photo_max_age_days"), t.photo_max_age_days, 1, 3650);
}

fn check_precision(pack: &RulePack, out: &mut Vec<Problem>) {
    let p = &pack.precision;
    for (name, places) in [
        ("connection_rate", p.connection_rate),
        ("conversion_rate", p.conversion_rate),
        ("complaint_response_rate", p.complaint_response_rate),
        ("complaint_rate", p.complaint_rate),
        ("avg_talk_seconds", p.avg_talk_seconds),
    ] {
        in_range(out, key(&["precision", name]), places, 0, 12);
    }
}

fn check_words(pack: &RulePack, out: &mut Vec<Problem>) {
    let w = &pack.words;
    let lists: [(&str, &[String]); 6] = [
        ("words.answered", &w.answered),
        ("words.not_answered", &w.not_answered),
        ("words.outbound", &w.outbound),
        ("words.inbound", &w.inbound),
        ("words.success", &w.success),
        ("words.total_rows", &w.total_rows),
    ];
    for (name, list) in lists {
        // A pack may do without total-row words, not without the others.
        if name != "words.total_rows" {
            not_empty(out, name.to_string(), list);
        }
        unique_words(out, name, list);
    }
    disjoint(
        out,
        ("words.answered", &w.answered),
        ("words.not_answered", &w.not_answered),
    );
    disjoint(
        out,
        ("words.outbound", &w.outbound),
        ("words.inbound", &w.inbound),
    );
}

fn check_headers(pack: &RulePack, out: &mut Vec<Problem>) {
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for (role, synonyms) in &pack.headers {
        let role_key = key(&["headers", role]);
        if !HEADER_ROLES.contains(&role.as_str()) {
            out.push(Problem::new(
                "headers",
                ProblemKind::NotAllowed {
                    value: role.clone(),
                    allowed: HEADER_ROLES.iter().map(|s| s.to_string()).collect(),
                },
            ));
        }
        unique_words(out, &role_key, synonyms);
        for synonym in synonyms {
            let folded = fold(synonym);
            match owner.get(&folded) {
                Some(other) if *other != role_key => out.push(Problem::new(
                    role_key.clone(),
                    ProblemKind::Conflict {
                        value: synonym.clone(),
                        other: other.clone(),
                    },
                )),
                _ => {
                    owner.insert(folded, role_key.clone());
                }
            }
        }
    }
}

fn check_patterns(pack: &RulePack, out: &mut Vec<Problem>) {
    let p = &pack.patterns;
    match regex::Regex::new(&p.material_name) {
        Ok(re) => {
            for group in ["short", "kind", "date"] {
                if !re.capture_names().any(|n| n == Some(group)) {
                    out.push(Problem::new(
                        "patterns.material_name",
                        ProblemKind::RegexGroupMissing {
                            group: group.into(),
                        },
                    ));
                }
            }
        }
        Err(e) => out.push(bad_regex("patterns.material_name", &e)),
    }
    if let Err(e) = regex::Regex::new(&p.licence_number) {
        out.push(bad_regex("patterns.licence_number", &e));
    }
    not_empty(out, "patterns.address_prefixes".into(), &p.address_prefixes);
    unique_words(out, "patterns.address_prefixes", &p.address_prefixes);
}

fn bad_regex(key: &str, error: &regex::Error) -> Problem {
    // The regex crate's message spans several lines with a caret; keep it
    // whole but on one line so it fits a list.
    let error = error
        .to_string()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(" / ");
    Problem::new(key, ProblemKind::BadRegex { error })
}

fn check_catalogue(pack: &RulePack, out: &mut Vec<Problem>) {
    not_empty(out, "catalogue".into(), &pack.catalogue);
    let mut ids = BTreeSet::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut folders: BTreeMap<u32, String> = BTreeMap::new();
    for item in &pack.catalogue {
        let k = |field: &str| key(&["catalogue", &item.id, field]);
        if item.id.trim().is_empty() {
            out.push(Problem::new(k("id"), ProblemKind::Empty));
        } else if !ids.insert(item.id.clone()) {
            out.push(Problem::new(
                "catalogue",
                ProblemKind::Duplicate {
                    value: item.id.clone(),
                },
            ));
        }
        text_filled(out, &["catalogue", &item.id, "name"], &item.name);
        check_item_folder(item.category, &item.folder, k("folder"), &mut folders, out);
        in_range(out, k("category"), item.category, 1, 7);
        not_empty(out, k("types"), &item.types);
        for t in &item.types {
            if t.is_empty() || t.starts_with('.') || *t != t.to_lowercase() {
                out.push(Problem::new(
                    k("types"),
                    ProblemKind::NotAllowed {
                        value: t.clone(),
                        allowed: vec!["pdf, jpg … (lower case, no dot)".into()],
                    },
                ));
            }
        }
        check_item_names(item, &mut names, out);
    }
    for category in 1..=7 {
        if !pack.catalogue.iter().any(|i| i.category == category) {
            out.push(Problem::new(
                "catalogue",
                ProblemKind::CategoryEmpty { category },
            ));
        }
    }
}

/// Reports a name or synonym that another item already uses, since a file
/// name could then belong to either, and one listed twice in the same item.
fn check_item_names(
    item: &CatalogueItem,
    owners: &mut BTreeMap<String, String>,
    out: &mut Vec<Problem>,
) {
    let mut own = BTreeSet::new();
    for name in std::iter::once(&item.name.zh).chain(&item.synonyms) {
        let folded = fold(name);
        let owner = owners
            .entry(folded.clone())
            .or_insert_with(|| item.id.clone());
        let key_name = key(&["catalogue", &item.id, "synonyms"]);
        if *owner != item.id {
            out.push(Problem::new(
                key_name,
                ProblemKind::Conflict {
                    value: name.clone(),
                    other: key(&["catalogue", owner, "name"]),
                },
            ));
        } else if !own.insert(folded) {
            out.push(Problem::new(
                key_name,
                ProblemKind::Duplicate {
                    value: name.clone(),
                },
            ));
        }
    }
}

fn check_item_folder(
    category: u32,
    folder: &str,
    key: String,
    folders: &mut BTreeMap<u32, String>,
    out: &mut Vec<Problem>,
) {
    let prefix = format!("{category:02}-");
    if !folder.starts_with(&prefix) {
        out.push(Problem::new(
            key.clone(),
            ProblemKind::FolderPrefix {
                folder: folder.to_string(),
                prefix,
            },
        ));
    }
    let expected = folders
        .entry(category)
        .or_insert_with(|| folder.to_string());
    if expected != folder {
        out.push(Problem::new(
            key,
            ProblemKind::FolderMismatch {
                folder: folder.to_string(),
                expected: expected.clone(),
            },
        ));
    }
}

fn check_steps(name: &str, steps: &[PlanStep], required: bool, out: &mut Vec<Problem>) {
    if required {
        not_empty(out, name.to_string(), steps);
    }
    let mut ids = BTreeSet::new();
    for step in steps {
        if step.id.trim().is_empty() {
            out.push(Problem::new(key(&[name, "id"]), ProblemKind::Empty));
        } else if !ids.insert(step.id.as_str()) {
            out.push(Problem::new(
                name,
                ProblemKind::Duplicate {
                    value: step.id.clone(),
                },
            ));
        }
        text_filled(out, &[name, &step.id, "title"], &step.title);
        in_range(
            out,
            key(&[name, &step.id, "remind_days_before"]),
            step.remind_days_before,
            0,
            366,
        );
    }
    if !steps
        .windows(2)
        .all(|p| p[0].offset_days <= p[1].offset_days)
    {
        out.push(Problem::new(name, ProblemKind::Unsorted));
    }
}

fn check_holidays(pack: &RulePack, out: &mut Vec<Problem>) {
    let h = &pack.holidays;
    let weekend = |d: &NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    let mut seen = BTreeSet::new();
    for date in &h.off {
        if weekend(date) {
            out.push(Problem::new(
                "holidays.off",
                ProblemKind::OffOnWeekend { date: *date },
            ));
        }
        if !seen.insert(*date) {
            out.push(Problem::new(
                "holidays.off",
                ProblemKind::Duplicate {
                    value: date.to_string(),
                },
            ));
        }
    }
    for date in &h.work {
        if !weekend(date) {
            out.push(Problem::new(
                "holidays.work",
                ProblemKind::WorkOnWeekday { date: *date },
            ));
        }
        if !seen.insert(*date) {
            out.push(Problem::new(
                "holidays.work",
                ProblemKind::Duplicate {
                    value: date.to_string(),
                },
            ));
        }
    }
}

fn check_rules(pack: &RulePack, out: &mut Vec<Problem>) {
    for id in rule_ids() {
        if !pack.rules.contains_key(id) {
            out.push(Problem::new(key(&["rules", id]), ProblemKind::RuleMissing));
        }
    }
    for (id, rule) in &pack.rules {
        let Some(allowed) = placeholders(id) else {
            out.push(Problem::new(key(&["rules", id]), ProblemKind::RuleUnknown));
            continue;
        };
        text_filled(out, &["rules", id, "basis", "source"], &rule.basis.source);
        for (field, text) in [
            ("title", &rule.title),
            ("detail", &rule.detail),
            ("suggestion", &rule.suggestion),
        ] {
            text_filled(out, &["rules", id, field], text);
            for (lang, value) in [("zh", &text.zh), ("en", &text.en)] {
                for name in template_names(value) {
                    if !allowed.contains(&name) {
                        out.push(Problem::new(
                            key(&["rules", id, field, lang]),
                            ProblemKind::PlaceholderUnknown {
                                name: name.to_string(),
                                allowed: allowed.iter().map(|s| s.to_string()).collect(),
                            },
                        ));
                    }
                }
            }
        }
    }
}

/// The `{name}` placeholders of a template: braces around a non-empty run of
/// ASCII letters, digits and underscores. Other braces are left alone.
pub(crate) fn template_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                let is_name =
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if is_name {
                    names.push(name);
                    rest = &after[close + 1..];
                } else {
                    rest = after;
                }
            }
            None => break,
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_cases() {
        let cases: &[(&str, &[&str])] = &[
            ("{a} and {b_2}", &["a", "b_2"]),
            ("no braces", &[]),
            ("{not a name} {x}", &["x"]),
            ("{{x}}", &["x"]),
            ("{}", &[]),
            ("{unclosed", &[]),
            ("中文{file}中文", &["file"]),
        ];
        for (text, want) in cases {
            assert_eq!(template_names(text), *want, "text {text:?}");
        }
    }
}
