//! The dated plan: the pack's 90-day steps and post-approval steps counted
//! from T, the plan's day (`[plan] target`, else the calendar's deadline).

use chrono::Duration;
use nianshen_rules::PlanStep;

use crate::context::Context;
use crate::finding::PlannedStep;
use crate::schedule::Deadlines;

pub fn steps(cx: &Context<'_>, deadlines: &Deadlines) -> Vec<PlannedStep> {
    let Some(t) = deadlines.plan_day else {
        return Vec::new();
    };
    let dated = |step: &PlanStep, phase: &str| PlannedStep {
        id: step.id.clone(),
        date: t + Duration::days(step.offset_days),
        title: step.title.get(cx.lang).to_string(),
        detail: step.detail.get(cx.lang).to_string(),
        phase: phase.to_string(),
        remind_days_before: step.remind_days_before,
    };
    let mut steps: Vec<PlannedStep> = cx.pack.plan.iter().map(|s| dated(s, "plan")).collect();
    steps.extend(
        cx.pack
            .post_approval
            .iter()
            .map(|s| dated(s, "post_approval")),
    );
    steps.sort_by_key(|s| s.date);
    steps
}
