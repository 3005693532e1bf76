//! The rule ids the checks raise and the placeholder names each check fills.
//!
//! This list is the contract between the checks and the texts of a pack: a
//! pack must define every id, and its templates may use only the names the
//! check fills, because an unknown `{name}` would reach the user unreplaced.

/// Every rule id with the placeholder names its check fills, in the order of
/// the product's rule table.
const RULES: &[(&str, &[&str])] = &[
    (
        "schedule.overdue",
        &["deadline_name", "deadline", "days_over"],
    ),
    (
        "schedule.due_soon",
        &["deadline_name", "deadline", "days_left"],
    ),
    (
        "schedule.window",
        &["deadline_name", "status", "opens", "deadline"],
    ),
    (
        "schedule.congested_month",
        &["date", "month", "recommended"],
    ),
    (
        "schedule.renewal_due",
        &["expires", "last_day", "days_left"],
    ),
    ("schedule.renewal_overdue", &["expires", "last_day"]),
    ("case.uscc_invalid", &["uscc", "reason"]),
    ("case.licence_number_invalid", &["number"]),
    ("case.category_not_b24", &["category"]),
    ("case.site_address_mismatch", &["address", "registered"]),
    ("case.capital_change_in_window", &["kind", "date", "window"]),
    ("case.change_not_filed", &["kind", "date", "days"]),
    ("case.facts_missing", &["facts"]),
    ("materials.missing", &["item", "folder"]),
    ("materials.too_large", &["file", "size_mb", "max_mb"]),
    ("materials.not_pdf", &["file"]),
    ("materials.unreadable", &["file", "reason"]),
    ("materials.expired", &["file", "date"]),
    ("materials.bad_name", &["file", "example"]),
    ("materials.no_text_layer", &["file", "pages"]),
    ("materials.unsigned", &["file"]),
    ("materials.dengbao_missing", &["reason"]),
    ("materials.unassigned", &["count", "files"]),
    ("finance.revenue_zero", &["field"]),
    (
        "finance.revenue_mismatch",
        &["audited", "vat", "rate", "threshold"],
    ),
    (
        "finance.personal_account",
        &["file", "holder", "amount", "count"],
    ),
    (
        "seats.insured_below_declared",
        &["declared", "insured", "month"],
    ),
    (
        "seats.three_way_mismatch",
        &["insured", "accounts", "photos", "workstations"],
    ),
    ("seats.uninsured_agents", &["count", "agents"]),
    ("seats.photo_duplicate", &["files"]),
    ("seats.photo_stale", &["file", "date"]),
    ("staff.contract_missing", &["count", "names"]),
    ("staff.officer_missing", &[]),
    ("staff.training_missing", &["count", "names"]),
    (
        "cdr.count_mismatch",
        &["measure", "local", "carrier", "rate", "threshold"],
    ),
    (
        "cdr.duration_mismatch",
        &["measure", "local", "carrier", "rate", "threshold"],
    ),
    ("cdr.declared_mismatch", &["figure", "declared", "computed"]),
    ("cdr.tamper_suspected", &["signals"]),
    ("cdr.concurrency_exceeds_seats", &["peak", "seats", "time"]),
    ("cdr.cross_border", &["count"]),
    ("cdr.outside_hours", &["count", "hours"]),
    ("cdr.repeat_calls", &["count"]),
    ("cdr.unreadable_rows", &["side", "count"]),
    ("cdr.masked_numbers", &["side", "count"]),
    (
        "cdr.total_row_mismatch",
        &["file", "row", "column", "stated", "summed"],
    ),
    ("cdr.data_quality", &["side", "count"]),
    (
        "cdr.billed_unreadable",
        &["side", "count", "file", "row", "column", "value"],
    ),
    (
        "cdr.billing_mismatch",
        &[
            "increment",
            "count",
            "compared",
            "rate",
            "threshold",
            "carrier_higher",
            "carrier_lower",
            "difference_minutes",
            "difference",
        ],
    ),
    (
        "cdr.summary",
        &[
            "matched",
            "local_only",
            "carrier_only",
            "duration_mismatch",
            "billing_differs",
            "increment",
        ],
    ),
    ("recordings.missing", &["count"]),
    ("recordings.retention_short", &["days", "required"]),
    ("complaints.late_verification", &["id", "hours", "limit"]),
    ("complaints.reply_overdue", &["id", "working_days", "limit"]),
    ("complaints.open", &["id"]),
    ("complaints.penalty", &["decision", "authority", "status"]),
    (
        "complaints.declared_mismatch",
        &["figure", "declared", "computed"],
    ),
    ("contracts.no_call_centre_wording", &["file"]),
    ("inputs.missing", &["input", "path"]),
    ("inputs.unreadable", &["file", "reason"]),
    (
        "inputs.bad_cell",
        &["file", "row", "column", "value", "reason"],
    ),
    ("inputs.duplicate_file", &["file", "same_as"]),
    ("checks.not_run", &["count", "rules"]),
];

/// Every rule id a pack must define.
pub fn rule_ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|(id, _)| *id)
}

/// The placeholder names the check of `id` fills, or `None` for an id no
/// check raises.
pub fn placeholders(id: &str) -> Option<&'static [&'static str]> {
    RULES
        .iter()
        .find(|(rule, _)| *rule == id)
        .map(|(_, names)| *names)
}

/// The call-record roles a header synonym may belong to.
pub const HEADER_ROLES: &[&str] = &[
    "call_id",
    "agent",
    "caller",
    "callee",
    "other_party",
    "start",
    "start_date",
    "answer",
    "end",
    "talk_seconds",
    "billed_minutes",
    "billed_seconds",
    "fee",
    "disposition",
    "direction",
    "outcome",
];

/// The difference rates a CDR finding may count: answered calls, talk
/// seconds, billed minutes.
pub const CDR_RATES: &[&str] = &["answered", "talk_seconds", "billed_minutes"];
