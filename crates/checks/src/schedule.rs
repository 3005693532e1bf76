//! Deadlines (时间账) under the pack's calendar.
//!
//! Only the most recent past deadline (within a year of "today") and the next
//! one of each kind are judged; a deadline is met by a matching `[[filings]]`
//! entry. A past deadline without a filing is overdue (red); the next one
//! inside the last `due_soon_days` without a filing is due soon (yellow).

use chrono::{Datelike, Duration, NaiveDate};
use nianshen_case::{Filing, FilingKind};
use nianshen_rules::Calendar;
use serde_json::json;

use crate::context::Context;
use crate::finding::{Deadline, Evidence};

/// Deadline facts that later checks and the plan use.
#[derive(Clone, Debug, Default)]
pub struct Deadlines {
    /// The next deadline of any kind.
    pub next: Option<Deadline>,
    /// T, the plan's day: `[plan] target` or the calendar's next deadline.
    pub plan_day: Option<NaiveDate>,
    /// The current or next review window, first and last day.
    pub window: Option<(NaiveDate, NaiveDate)>,
}

/// One dated obligation with the window that leads to it.
#[derive(Clone, Debug)]
struct Obligation {
    id: &'static str,
    name_zh: String,
    name_en: String,
    opens: Option<NaiveDate>,
    deadline: NaiveDate,
    filed: Option<NaiveDate>,
}

pub fn check(cx: &mut Context<'_>) -> Deadlines {
    let mut obligations = match cx.pack.schedule.calendar {
        Calendar::Regulation => annual_reports(cx),
        Calendar::Whitepaper => whitepaper_reviews(cx),
    };
    let main_kind = obligations.first().map(|o| o.id);
    obligations.extend(number_reports(cx));

    let mut judged = Vec::new();
    let mut next_all: Option<Deadline> = None;
    let mut main_next: Option<Obligation> = None;
    for id in distinct_ids(&obligations) {
        let of_kind: Vec<&Obligation> = obligations.iter().filter(|o| o.id == id).collect();
        if let Some(past) = most_recent_past(&of_kind, cx.as_of) {
            judge_past(cx, past);
            judged.push(describe(cx, past));
        }
        if let Some(next) = upcoming(&of_kind, cx.as_of) {
            judge_next(cx, next);
            judged.push(describe(cx, next));
            let deadline = as_deadline(cx, next);
            if next_all.as_ref().is_none_or(|d| deadline.date < d.date) {
                next_all = Some(deadline);
            }
            if Some(id) == main_kind {
                main_next = Some(next.clone());
            }
        }
    }

    let renewal = renewal(cx);
    if let Some(r) = &renewal {
        judged.push(r.clone());
    }

    let plan_day = cx
        .case
        .file
        .plan
        .target
        .or(main_next.as_ref().map(|o| o.deadline));
    if cx.pack.schedule.calendar == Calendar::Whitepaper {
        congested_month(cx, plan_day);
    }
    cx.metric(
        "schedule",
        json!({
            "calendar": cx.pack.schedule.calendar,
            "as_of": cx.as_of,
            "deadlines": judged,
            "plan_day": plan_day,
        }),
    );

    Deadlines {
        next: next_all,
        plan_day,
        window: main_next.and_then(|o| o.opens.map(|open| (open, o.deadline))),
    }
}

fn distinct_ids(obligations: &[Obligation]) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = Vec::new();
    for o in obligations {
        if !ids.contains(&o.id) {
            ids.push(o.id);
        }
    }
    ids
}

/// Finds the latest deadline before `as_of`, if it lies within a year.
fn most_recent_past<'o>(of_kind: &[&'o Obligation], as_of: NaiveDate) -> Option<&'o Obligation> {
    of_kind
        .iter()
        .filter(|o| o.deadline < as_of && as_of - o.deadline <= Duration::days(365))
        .max_by_key(|o| o.deadline)
        .copied()
}

/// Finds the first deadline on or after `as_of`.
fn upcoming<'o>(of_kind: &[&'o Obligation], as_of: NaiveDate) -> Option<&'o Obligation> {
    of_kind
        .iter()
        .filter(|o| o.deadline >= as_of)
        .min_by_key(|o| o.deadline)
        .copied()
}

fn judge_past(cx: &mut Context<'_>, past: &Obligation) {
    if past.filed.is_some() {
        return;
    }
    let name = cx.t(&past.name_zh, &past.name_en);
    let days_over = (cx.as_of - past.deadline).num_days();
    let status = past_status(cx, past);
    cx.raise(
        "schedule.overdue",
        &[
            ("deadline_name", name.clone()),
            ("deadline", past.deadline.to_string()),
            ("days_over", days_over.to_string()),
        ],
        vec![Evidence::note(status)],
    );
}

/// For a missed annual report: still in the cure period, or past the day
/// non-filers are listed.
fn past_status(cx: &Context<'_>, past: &Obligation) -> String {
    let rules = &cx.pack.schedule.annual_report;
    let year = past.deadline.year();
    let cure = rules.cure_until.in_year(year);
    let listed = rules.list_from.in_year(year);
    match (cure, listed) {
        (Some(cure), _) if past.id == "annual_report" && cx.as_of <= cure => cx.t(
            format!("仍在补报期内（截至 {cure}），请立即补报"),
            format!("still inside the cure period (until {cure}): file now"),
        ),
        (_, Some(listed)) if past.id == "annual_report" && cx.as_of >= listed => cx.t(
            format!("{listed} 起未报送企业将被列入电信业务经营不良名单"),
            format!("from {listed} non-filers are put on the list of poorly run operators"),
        ),
        _ => cx.t(
            "未找到对应的报送记录（[[filings]]）",
            "no matching [[filings]] entry",
        ),
    }
}

fn judge_next(cx: &mut Context<'_>, next: &Obligation) {
    let name = cx.t(&next.name_zh, &next.name_en);
    let days_left = (next.deadline - cx.as_of).num_days();
    let window_open = next.opens.is_none_or(|open| open <= cx.as_of);
    if next.filed.is_none() && days_left <= cx.pack.schedule.due_soon_days && window_open {
        cx.raise(
            "schedule.due_soon",
            &[
                ("deadline_name", name),
                ("deadline", next.deadline.to_string()),
                ("days_left", days_left.to_string()),
            ],
            Vec::new(),
        );
        return;
    }
    let status = window_status(cx, next, days_left);
    let opens = next.opens.map(|d| d.to_string()).unwrap_or_default();
    cx.raise(
        "schedule.window",
        &[
            ("deadline_name", name),
            ("status", status),
            ("opens", opens),
            ("deadline", next.deadline.to_string()),
        ],
        Vec::new(),
    );
}

fn window_status(cx: &Context<'_>, next: &Obligation, days_left: i64) -> String {
    if let Some(filed) = next.filed {
        return cx.t(format!("已于 {filed} 报送"), format!("filed on {filed}"));
    }
    match next.opens {
        Some(open) if cx.as_of < open => cx.t(
            format!("尚未开放，{open} 开放"),
            format!("not open yet; opens {open}"),
        ),
        _ => cx.t(
            format!("已开放，剩余 {days_left} 天"),
            format!("open, {days_left} days left"),
        ),
    }
}

fn describe(cx: &Context<'_>, o: &Obligation) -> serde_json::Value {
    json!({
        "id": o.id,
        "name": cx.t(&o.name_zh, &o.name_en),
        "opens": o.opens,
        "deadline": o.deadline,
        "filed": o.filed,
        "days_left": (o.deadline - cx.as_of).num_days(),
    })
}

fn as_deadline(cx: &Context<'_>, o: &Obligation) -> Deadline {
    Deadline {
        id: o.id.to_string(),
        date: o.deadline,
        title: cx.t(&o.name_zh, &o.name_en),
        days_left: (o.deadline - cx.as_of).num_days(),
    }
}

/// Annual reports for the figures years around "today": the report on year
/// Y is filed in the first quarter of Y + 1.
fn annual_reports(cx: &Context<'_>) -> Vec<Obligation> {
    let rules = &cx.pack.schedule.annual_report;
    let filings = &cx.case.file.filings;
    let this_year = cx.as_of.year();
    (this_year - 2..=this_year)
        .filter_map(|year| {
            let notice = rules.years.iter().find(|y| y.year == year);
            let (opens, closes) = match notice {
                Some(n) => (Some(n.opens), n.closes),
                None => (
                    rules.opens.in_year(year + 1),
                    rules.closes.in_year(year + 1)?,
                ),
            };
            Some(Obligation {
                id: "annual_report",
                name_zh: format!("{year} 年度经营许可年报"),
                name_en: format!("annual report on {year}"),
                opens,
                deadline: closes,
                filed: filed_for(filings, FilingKind::AnnualReport, year, opens, closes),
            })
        })
        .collect()
}

/// Lists the number reports (码号年报) due when the licence has a 95/96-style access number.
fn number_reports(cx: &Context<'_>) -> Vec<Obligation> {
    let rules = &cx.pack.schedule.number_report;
    let licence = &cx.case.file.licence;
    let holds = licence.access_numbers.iter().any(|n| {
        rules
            .prefixes
            .iter()
            .any(|p| n.trim().starts_with(p.as_str()))
    });
    if !holds {
        return Vec::new();
    }
    let filings = &cx.case.file.filings;
    let this_year = cx.as_of.year();
    (this_year - 2..=this_year)
        .filter_map(|year| {
            let closes = rules.closes.in_year(year + 1)?;
            let opens = cx.pack.schedule.annual_report.opens.in_year(year + 1);
            Some(Obligation {
                id: "number_report",
                name_zh: format!("{year} 年度码号年报"),
                name_en: format!("number report on {year}"),
                opens,
                deadline: closes,
                filed: filed_for(filings, FilingKind::NumberReport, year, opens, closes),
            })
        })
        .collect()
}

/// Whitepaper reviews: due on issue date + day_basis × each review year.
fn whitepaper_reviews(cx: &mut Context<'_>) -> Vec<Obligation> {
    let Some(issued) = cx.case.file.licence.issued else {
        let facts = cx.t(
            "许可证发证日期（[licence] issued）",
            "licence issue date ([licence] issued)",
        );
        cx.raise("case.facts_missing", &[("facts", facts)], Vec::new());
        return Vec::new();
    };
    let rules = cx.pack.schedule.whitepaper.clone();
    let filings = &cx.case.file.filings;
    rules
        .review_years
        .iter()
        .map(|&k| {
            let due = issued + Duration::days(rules.day_basis * i64::from(k));
            let opens = due - Duration::days(rules.open_days_before);
            Obligation {
                id: "review",
                name_zh: format!("第 {k} 年年审"),
                name_en: format!("review of licence year {k}"),
                opens: Some(opens),
                deadline: due,
                filed: filed_for(filings, FilingKind::Review, due.year(), Some(opens), due),
            }
        })
        .collect()
}

/// Finds the filing of `kind` for figures year `year`: by its `period`, or
/// when it has none, by a submission date inside the window.
fn filed_for(
    filings: &[Filing],
    kind: FilingKind,
    year: i32,
    opens: Option<NaiveDate>,
    closes: NaiveDate,
) -> Option<NaiveDate> {
    filings
        .iter()
        .filter(|f| f.kind == kind)
        .find(|f| match (f.period, f.submitted) {
            (Some(period), _) => period == year,
            (None, Some(submitted)) => {
                opens.is_none_or(|open| submitted >= open - Duration::days(31))
                    && submitted <= closes
            }
            (None, None) => false,
        })
        .map(|f| f.submitted.unwrap_or(closes))
}

/// Licence renewal: yellow from `renewal_warn_days` before the last day to
/// apply (expiry − `renewal_lead_days`), red after it, unless a renewal
/// filing exists.
fn renewal(cx: &mut Context<'_>) -> Option<serde_json::Value> {
    let expires = cx.case.file.licence.expires?;
    let terms = cx.pack.schedule.licence.clone();
    let last_day = expires - Duration::days(terms.renewal_lead_days);
    let filed = cx
        .case
        .file
        .filings
        .iter()
        .filter(|f| f.kind == FilingKind::Renewal)
        .filter_map(|f| f.submitted)
        .find(|d| *d >= last_day - Duration::days(365));
    let days_left = (last_day - cx.as_of).num_days();

    if filed.is_none() && days_left < 0 {
        cx.raise(
            "schedule.renewal_overdue",
            &[
                ("expires", expires.to_string()),
                ("last_day", last_day.to_string()),
            ],
            Vec::new(),
        );
    } else if filed.is_none() && days_left <= terms.renewal_warn_days {
        cx.raise(
            "schedule.renewal_due",
            &[
                ("expires", expires.to_string()),
                ("last_day", last_day.to_string()),
                ("days_left", days_left.to_string()),
            ],
            Vec::new(),
        );
    }
    Some(json!({
        "id": "renewal",
        "name": cx.t("许可证续期申请最后一天", "last day to apply for licence renewal"),
        "deadline": last_day,
        "expires": expires,
        "filed": filed,
        "days_left": days_left,
    }))
}

/// Whitepaper calendar: a planned submission in a congested month.
fn congested_month(cx: &mut Context<'_>, plan_day: Option<NaiveDate>) {
    let Some(day) = plan_day else { return };
    let rules = &cx.pack.schedule.whitepaper;
    if !rules.congested_months.contains(&day.month()) {
        return;
    }
    let recommended = rules
        .recommended_months
        .iter()
        .map(|m| cx.t(format!("{m} 月"), month_name_en(*m)))
        .collect::<Vec<_>>()
        .join(if cx.lang == nianshen_rules::Lang::Zh {
            "、"
        } else {
            ", "
        });
    let month = cx.t(format!("{} 月", day.month()), month_name_en(day.month()));
    cx.raise(
        "schedule.congested_month",
        &[
            ("date", day.to_string()),
            ("month", month),
            ("recommended", recommended),
        ],
        Vec::new(),
    );
}

fn month_name_en(month: u32) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES
        .get(month.saturating_sub(1) as usize)
        .map(|s| s.to_string())
        .unwrap_or_else(|| month.to_string())
}
