//! The words and header synonyms the reader understands, taken from the
//! rule pack so that users can extend them without a new release.

use std::collections::BTreeMap;

use nianshen_table::normalize_header;

use crate::mapping::Role;

/// Whole-value words of disposition, direction and outcome cells, and the
/// header synonyms of every column role.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vocabulary {
    pub answered: Vec<String>,
    pub not_answered: Vec<String>,
    pub outbound: Vec<String>,
    pub inbound: Vec<String>,
    /// Outcome words that count as a conversion (a mapping's
    /// `success_values` replace them for its files).
    pub success: Vec<String>,
    /// First-cell words of total rows (合计, 总计).
    pub total_rows: Vec<String>,
    /// Header synonyms by role, compared after [`normalize_header`].
    pub headers: BTreeMap<Role, Vec<String>>,
    /// Share of timestamps at second 0 above which `seconds_zero_excess`
    /// is raised (a fraction; 1/60 is what honest data shows).
    pub seconds_zero_share: f64,
}

/// The answer state a disposition cell states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    /// Empty, or a word in neither list.
    Unknown,
}

/// The direction a direction cell states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Outbound,
    Inbound,
}

impl Vocabulary {
    /// The pack's `[words]` and `[headers]`; header roles the reader does
    /// not know are ignored with a debug log.
    pub fn from_pack(pack: &nianshen_rules::RulePack) -> Self {
        let w = &pack.words;
        let mut headers = BTreeMap::new();
        for (name, synonyms) in &pack.headers {
            match Role::from_name(name) {
                Some(role) => {
                    headers.insert(role, synonyms.iter().map(|s| normalize_header(s)).collect());
                }
                None => {
                    tracing::debug!(role = %name, "header role not used by the call-record reader")
                }
            }
        }
        Vocabulary {
            answered: w.answered.clone(),
            not_answered: w.not_answered.clone(),
            outbound: w.outbound.clone(),
            inbound: w.inbound.clone(),
            success: w.success.clone(),
            total_rows: w.total_rows.clone(),
            headers,
            seconds_zero_share: pack.thresholds.seconds_zero_share,
        }
    }

    /// The answer a disposition cell states (whole value, trimmed, Latin
    /// letters in any case: 未接通 is not 接通).
    pub fn answer(&self, cell: &str) -> Answer {
        let v = cell.trim();
        if is_word(&self.answered, v) {
            Answer::Yes
        } else if is_word(&self.not_answered, v) {
            Answer::No
        } else {
            Answer::Unknown
        }
    }

    /// The direction a cell states, if it is one of the direction words.
    pub fn direction(&self, cell: &str) -> Option<Direction> {
        let v = cell.trim();
        if is_word(&self.outbound, v) {
            Some(Direction::Outbound)
        } else if is_word(&self.inbound, v) {
            Some(Direction::Inbound)
        } else {
            None
        }
    }

    /// True when the cell is a total-row word.
    pub fn is_total(&self, cell: &str) -> bool {
        is_word(&self.total_rows, cell.trim())
    }

    /// The role whose synonym a header cell is.
    pub fn role_of_header(&self, cell: &str) -> Option<Role> {
        let n = normalize_header(cell);
        if n.is_empty() {
            return None;
        }
        self.headers
            .iter()
            .find(|(_, words)| words.contains(&n))
            .map(|(role, _)| *role)
    }

    /// Every header synonym, normalised.
    pub fn all_header_words(&self) -> Vec<String> {
        self.headers.values().flatten().cloned().collect()
    }
}

/// Whole-value comparison; case-insensitive for Latin letters.
pub(crate) fn is_word(words: &[String], value: &str) -> bool {
    !value.is_empty() && words.iter().any(|w| w.eq_ignore_ascii_case(value))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The §9.4 lists and the synonyms the reader relies on, for tests that
    /// must not depend on the shipped pack.
    pub(crate) fn vocabulary() -> Vocabulary {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let mut headers = BTreeMap::new();
        let mut h = |role: Role, v: &[&str]| {
            headers.insert(role, v.iter().map(|x| normalize_header(x)).collect());
        };
        h(Role::CallId, &["通话ID", "uniqueid", "call_id"]);
        h(Role::Agent, &["坐席工号", "agent_id"]);
        h(Role::Caller, &["主叫号码", "caller", "src"]);
        h(Role::Callee, &["被叫号码", "callee", "dst"]);
        h(Role::OtherParty, &["对方号码"]);
        h(
            Role::Start,
            &[
                "开始时间",
                "起始时间",
                "通话起始时间",
                "呼叫时间",
                "start_time",
            ],
        );
        h(Role::Answer, &["接通时间", "answer_time"]);
        h(Role::End, &["挂机时间", "end_time"]);
        h(
            Role::TalkSeconds,
            &["通话时长", "通话时长(秒)", "duration_s"],
        );
        h(Role::BilledMinutes, &["计费时长"]);
        h(Role::BilledSeconds, &["计费时长(秒)", "计费秒数"]);
        h(Role::Fee, &["费用", "总话费", "通话费"]);
        h(Role::Disposition, &["呼叫结果", "disposition"]);
        h(Role::Direction, &["呼叫类型", "通话类型", "呼叫方向"]);
        h(Role::Outcome, &["营销结果"]);
        Vocabulary {
            answered: s(&["ANSWERED", "接通", "已接通", "成功", "应答"]),
            not_answered: s(&[
                "NO ANSWER",
                "BUSY",
                "FAILED",
                "CONGESTION",
                "未接通",
                "未接",
                "无应答",
                "忙",
                "失败",
            ]),
            outbound: s(&["呼出", "外呼", "主叫", "outbound", "OUT"]),
            inbound: s(&["呼入", "被叫", "inbound", "IN"]),
            success: s(&["成交", "成功", "success"]),
            total_rows: s(&["合计", "总计"]),
            headers,
            seconds_zero_share: 0.05,
        }
    }

    #[test]
    fn words_match_whole_values_only() {
        let v = vocabulary();
        let cases = [
            ("ANSWERED", Answer::Yes),
            (" answered ", Answer::Yes),
            ("接通", Answer::Yes),
            ("未接通", Answer::No),
            ("已接通状态", Answer::Unknown),
            ("", Answer::Unknown),
            ("NO ANSWER", Answer::No),
        ];
        for (cell, want) in cases {
            assert_eq!(v.answer(cell), want, "{cell:?}");
        }
        assert_eq!(v.direction("被叫"), Some(Direction::Inbound));
        assert_eq!(v.direction("主叫"), Some(Direction::Outbound));
        assert_eq!(v.direction("主叫方"), None);
    }

    #[test]
    fn headers_are_found_in_full_width_form() {
        let v = vocabulary();
        assert_eq!(v.role_of_header("通话时长（秒）"), Some(Role::TalkSeconds));
        assert_eq!(v.role_of_header(" SRC "), Some(Role::Caller));
        assert_eq!(v.role_of_header("备注"), None);
    }
}
