//! The plan: the 90-day steps and the steps after approval, as one table
//! in date order, with what is past, due soon and ahead.

use nianshen_checks::finding::{PlannedStep, Report};
use nianshen_rules::Lang;

use super::{w, Esc, EscLines};
use crate::text::{days_left, tr};

/// Steps this close to the as-of date are highlighted.
const SOON_DAYS: i64 = 14;

pub(super) fn section(out: &mut String, report: &Report) {
    let lang = report.lang;
    w!(
        out,
        "<section class=\"page\" id=\"plan\">\n<h2>{}</h2>\n",
        tr(lang, "时间计划", "Plan")
    );
    if report.plan.is_empty() {
        w!(
            out,
            "<p class=\"empty\">{}</p>\n</section>\n",
            tr(
                lang,
                "没有计划步骤：未能确定截止日期（请在 case.toml 中填写许可证日期或 [plan] target）。",
                "No plan steps: no deadline could be set (give the licence dates or [plan] target in case.toml)."
            )
        );
        return;
    }

    let mut steps: Vec<&PlannedStep> = report.plan.iter().collect();
    // Stable sort: steps of one day keep the rule pack's order.
    steps.sort_by_key(|s| s.date);

    w!(
        out,
        "<table class=\"plan\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        tr(lang, "日期", "Date"),
        tr(lang, "状态", "Status"),
        tr(lang, "步骤", "Step"),
        tr(lang, "阶段", "Phase"),
        tr(lang, "提前提醒", "Reminder")
    );
    for step in steps {
        row(out, step, report);
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn row(out: &mut String, step: &PlannedStep, report: &Report) {
    let lang = report.lang;
    let days = (step.date - report.as_of).num_days();
    let (class, status) = if days < 0 {
        ("past", tr(lang, "已过", "past").to_string())
    } else if days <= SOON_DAYS {
        ("soon", days_left(lang, days))
    } else {
        ("ahead", days_left(lang, days))
    };
    let phase = match step.phase.as_str() {
        "plan" => tr(lang, "90 天计划", "90-day plan"),
        "post_approval" => tr(lang, "批准后", "after approval"),
        _ => "",
    };
    let phase = if phase.is_empty() {
        Esc(&step.phase).to_string()
    } else {
        phase.to_string()
    };

    w!(
        out,
        "<tr class=\"{class}\"><td class=\"date\">{}</td><td>{}</td><td><b>{}</b>",
        step.date,
        Esc(&status),
        Esc(&step.title)
    );
    if !step.detail.is_empty() {
        w!(
            out,
            "<div class=\"step-detail\">{}</div>",
            EscLines(&step.detail)
        );
    }
    w!(
        out,
        "<div class=\"step-id\"><code>{}</code></div></td><td>{phase}</td><td>{}</td></tr>\n",
        Esc(&step.id),
        reminder(lang, step.remind_days_before)
    );
}

fn reminder(lang: Lang, days: i64) -> String {
    match lang {
        _ if days <= 0 => "—".to_string(),
        Lang::Zh => format!("提前 {days} 天"),
        Lang::En if days == 1 => "1 day before".to_string(),
        Lang::En => format!("{days} days before"),
    }
}
