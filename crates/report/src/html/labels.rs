//! Names of metrics areas and fields in words, in both languages.

use nianshen_rules::Lang;

use crate::text::tr;

/// Returns the heading of a metrics area.
pub(super) fn area_title(name: &str, lang: Lang) -> String {
    let known = match name {
        "cdr" => Some((
            "话单对碰（本地话单 vs 运营商二次话单）",
            "Call records: own records against the carrier bill",
        )),
        "finance" => Some((
            "财务对碰（审计收入 vs 增值税申报收入）",
            "Finance: audited revenue against VAT returns",
        )),
        "seats" => Some((
            "座席对碰（社保 vs 系统账号 vs 工位照片）",
            "Seats: insured staff, login accounts and workstation photos",
        )),
        "complaints" => Some(("投诉处理", "Complaints")),
        "schedule" => Some(("时间账", "Deadlines")),
        "materials" => Some(("材料清单", "Materials")),
        "recordings" => Some(("录音留存", "Recordings")),
        "staff" => Some(("人员", "Staff")),
        _ => None,
    };
    match known {
        Some((zh, en)) => tr(lang, zh, en).to_string(),
        None => key_label(name, lang),
    }
}

/// Returns a field name in words. Unknown names are shown as written (in
/// English with spaces for underscores), so a new field stays readable.
pub(super) fn key_label(key: &str, lang: Lang) -> String {
    match label_of(key) {
        Some((zh, en)) => tr(lang, zh, en).to_string(),
        None if lang == Lang::En => key.replace('_', " "),
        None => key.to_string(),
    }
}

fn label_of(key: &str) -> Option<(&'static str, &'static str)> {
    let pair = match key {
        "files" => ("文件数", "Files"),
        "rows" => ("数据行", "Rows"),
        "answered" => ("接通（可用）", "Answered (usable)"),
        "talk_seconds" => ("通话时长（秒）", "Talk time (s)"),
        "billed_minutes" => ("计费时长（分钟）", "Billed minutes"),
        "unreadable_rows" => ("无法读取的行", "Unreadable rows"),
        "unusable_rows" => ("无法对碰的接通记录", "Unusable answered rows"),
        "matched" => ("已匹配", "Matched"),
        "local_only" => ("仅本地有", "Own records only"),
        "carrier_only" => ("仅运营商有", "Carrier bill only"),
        "duration_mismatch" => ("时长不一致", "Talk time differs"),
        "classes" => ("结果分类", "Result classes"),
        "exact" => ("完全一致", "Exact"),
        "duration_differs" => ("时长不一致", "Talk time differs"),
        "billing_differs" => ("计费不一致", "Billed time differs"),
        "billing" => ("计费比对", "Billing comparison"),
        "increment" => ("计费方式", "Billing increment"),
        "unit" => ("比对单位", "Compared in"),
        "compared" => ("已比对", "Compared"),
        "compared_in_seconds" => ("其中按秒比对", "Compared in seconds"),
        "not_compared" => (
            "未比对（无可读的计费时长）",
            "Not compared (no readable billed time)",
        ),
        "carrier_higher" => ("运营商多计", "Carrier charges more"),
        "carrier_lower" => ("运营商少计", "Carrier charges less"),
        "difference_minutes" => ("相差分钟数", "Minutes apart"),
        "difference_seconds" => ("相差秒数", "Seconds apart"),
        "local" => ("本地", "Own records"),
        "carrier" => ("运营商", "Carrier"),
        "day" => ("日期", "Day"),
        "seats" => ("座席数", "Seats"),
        "declared_seats" => ("申报座席", "Declared seats"),
        "insured" => ("参保人数", "Insured staff"),
        "accounts" => ("系统账号", "Login accounts"),
        "photos" => ("工位照片", "Workstation photos"),
        "outbound_calls" => ("外呼总量", "Outbound calls"),
        "connection_rate" => ("接通率", "Connection rate"),
        "complaint_rate" => ("投诉率", "Complaint rate"),
        "avg_talk_seconds" => ("平均通话时长（秒）", "Average talk time (s)"),
        "conversion_rate" => ("营销成功率", "Conversion rate"),
        "complaints" => ("投诉量", "Complaints"),
        "complaint_response_rate" => ("投诉响应率", "Complaint response rate"),
        "revenue" => ("营业收入", "Revenue"),
        "audited_revenue" => ("审计报告收入", "Audited revenue"),
        "vat_declared_revenue" => ("增值税申报收入", "Revenue on VAT returns"),
        "difference" => ("差额", "Difference"),
        "difference_rate" | "diff_rate" => ("差异率", "Difference rate"),
        "rate" => ("差异率", "Difference rate"),
        "figure" => ("指标", "Figure"),
        "declared" => ("申报值", "Declared"),
        "computed" => ("计算值", "Computed"),
        "ok" => ("一致", "Agrees"),
        "id" => ("编号", "Id"),
        "message" => ("说明", "Message"),
        "count" => ("数量", "Count"),
        "received" => ("收到", "Received"),
        "verified" => ("已核实", "Verified"),
        "replied" => ("已答复", "Replied"),
        "closed" => ("已办结", "Closed"),
        "open" => ("未办结", "Open"),
        "late" => ("超时", "Late"),
        "peak_concurrent" => ("最高并发通话", "Peak concurrent calls"),
        "declared_revenue" => ("申报收入", "Declared revenue"),
        "threshold" => ("阈值", "Threshold"),
        "received_in_period" => ("期内收到投诉", "Complaints received in the period"),
        "response_rate" => ("答复率", "Response rate"),
        "insured_month" => ("参保统计月份", "Insured in month"),
        "accounts_active" => ("在用系统账号", "Active login accounts"),
        "workstations" => ("工位数", "Workstations"),
        "agents_with_calls" => ("有通话的座席", "Agents with calls"),
        "calendar" => ("日历", "Calendar"),
        "deadlines" => ("截止日期", "Deadlines"),
        "plan_day" => ("计划日 T", "Plan day T"),
        "opens" => ("开放日", "Opens"),
        "deadline" => ("截止日", "Deadline"),
        "filed" => ("已提交", "Filed"),
        "days_left" => ("剩余天数", "Days left"),
        "name" => ("名称", "Name"),
        "catalogue_items" => ("目录项", "Catalogue items"),
        "present" => ("已具备", "Present"),
        "unassigned" => ("未归类文件", "Unassigned files"),
        "as_of" => ("数据截至", "As of"),
        "unusable_by_reason" => ("不可用原因", "Unusable by reason"),
        "masked_numbers" => ("打码号码", "Masked numbers"),
        "duplicates_removed" => ("去除的重复记录", "Duplicates removed"),
        "disposition_talk_conflicts" => (
            "接通状态与通话时长矛盾",
            "Disposition and talk time disagree",
        ),
        "tolerance_secs" => ("匹配容差（秒）", "Matching tolerance (s)"),
        "talk_tolerance_secs" => ("时长容差（秒）", "Talk time tolerance (s)"),
        "date" => ("日期", "Date"),
        "total_rows" => ("合计行", "Total rows"),
        _ => return None,
    };
    Some(pair)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_shown_as_written() {
        assert_eq!(key_label("night_calls", Lang::Zh), "night_calls");
        assert_eq!(key_label("night_calls", Lang::En), "night calls");
        assert_eq!(key_label("carrier_only", Lang::Zh), "仅运营商有");
    }
}
