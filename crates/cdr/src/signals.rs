//! Tamper signals of one file (hand-edited records, trap 4 of the review):
//! counted while the rows are read, each with a few sample rows.

use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};

use serde::Serialize;

use crate::normalize::TimeForm;

/// Sample rows kept per signal.
const SAMPLES: usize = 5;

/// One raised signal.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Signal {
    /// One of the ids of the `cdr inspect --json` contract, e.g.
    /// `seconds_missing`, `duplicates`.
    pub id: String,
    pub count: u64,
    pub sample_rows: Vec<SampleRow>,
}

/// A row given as an example of a signal; numbers in `detail` are masked
/// unless unmasking was asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SampleRow {
    pub row: u64,
    /// The detail in English, or in no language (a number, a time).
    pub detail: String,
    /// The detail in Chinese when it has words; empty when `detail` has none.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail_zh: String,
}

impl SampleRow {
    /// Returns the detail in the user's language.
    pub fn detail_in(&self, lang: nianshen_rules::Lang) -> &str {
        match lang {
            nianshen_rules::Lang::Zh if !self.detail_zh.is_empty() => &self.detail_zh,
            _ => &self.detail,
        }
    }
}

/// Names what a signal id means, in Chinese and in English, for text
/// output (JSON keeps the ids).
pub fn signal_label(id: &str) -> (&'static str, &'static str) {
    match id {
        "seconds_missing" => ("时间没有秒", "timestamps without seconds"),
        "seconds_zero_excess" => ("秒数为 0 的时间过多", "too many timestamps at second 0"),
        "scientific_notation" => ("号码被存成科学计数法", "numbers in scientific notation"),
        "leading_zero_lost" => ("号码开头的 0 丢了", "numbers that lost their leading zero"),
        "mixed_time_formats" => (
            "同一文件混用多种时间写法",
            "several timestamp forms in one file",
        ),
        "talk_vs_answer_end" => (
            "通话时长与“挂机时间 − 应答时间”不符",
            "talk time differs from end − answer",
        ),
        "end_before_start" => ("挂机时间早于开始时间", "end before start"),
        "duplicates" => ("完全相同的重复记录", "duplicate records"),
        "ids_out_of_order" => ("通话 ID 不按顺序递增", "call ids out of order"),
        "outside_period" => ("记录在核查期之外", "records outside the period"),
        "future_time" => ("时间在未来", "times in the future"),
        "unmatched_cluster" => ("未匹配的记录集中出现", "unmatched records in clusters"),
        _ => ("其他迹象", "other signal"),
    }
}

/// Signal counters of one file.
#[derive(Clone, Debug, Default)]
pub struct FileSignals {
    found: BTreeMap<&'static str, (u64, Vec<SampleRow>)>,
    with_seconds: u64,
    zero_seconds: u64,
    zero_samples: Vec<SampleRow>,
    /// Per written form: rows seen and the first few of them.
    forms: Vec<(TimeForm, u64, Vec<u64>)>,
    last_id: Option<(u64, u64)>,
    seen: HashSet<u64>,
}

impl FileSignals {
    /// Counts one occurrence of a signal at `row`.
    pub(crate) fn hit(&mut self, id: &'static str, row: u64, detail: impl FnOnce() -> String) {
        self.hit_texts(id, row, || (detail(), String::new()));
    }

    /// Counts one occurrence of a signal at `row` whose detail has words:
    /// `detail` gives it in English and in Chinese.
    pub(crate) fn hit_texts(
        &mut self,
        id: &'static str,
        row: u64,
        detail: impl FnOnce() -> (String, String),
    ) {
        let entry = self.found.entry(id).or_default();
        entry.0 += 1;
        if entry.1.len() < SAMPLES {
            let (detail, detail_zh) = detail();
            entry.1.push(SampleRow {
                row,
                detail,
                detail_zh,
            });
        }
    }

    /// Notes a parsed timestamp: its form and whether it has seconds.
    pub(crate) fn stamp(&mut self, row: u64, form: TimeForm, has_seconds: bool, second: i64) {
        match self.forms.iter_mut().find(|(f, ..)| *f == form) {
            Some((_, n, rows)) => {
                *n += 1;
                if rows.len() < SAMPLES {
                    rows.push(row);
                }
            }
            None => self.forms.push((form, 1, vec![row])),
        }
        if !has_seconds {
            self.hit("seconds_missing", row, String::new);
            return;
        }
        self.with_seconds += 1;
        if second == 0 {
            self.zero_seconds += 1;
            if self.zero_samples.len() < SAMPLES {
                self.zero_samples.push(SampleRow {
                    row,
                    detail: String::new(),
                    detail_zh: String::new(),
                });
            }
        }
    }

    /// Notes a call id; numeric ids (Asterisk `1427211880.5`) should rise.
    pub(crate) fn call_id(&mut self, row: u64, id: &str) {
        let Some(key) = numeric_id(id) else {
            return;
        };
        if self.last_id.is_some_and(|last| key < last) {
            self.hit("ids_out_of_order", row, || id.to_string());
        }
        self.last_id = Some(key);
    }

    /// Notes a row's identity; a second identical row is a duplicate.
    pub(crate) fn identity(&mut self, row: u64, key: impl Hash, detail: impl FnOnce() -> String) {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        if !self.seen.insert(h.finish()) {
            self.hit("duplicates", row, detail);
        }
    }

    /// The signals raised, in id order. `zero_share` is the share of
    /// timestamps at second 0 above which that signal is raised.
    pub fn finish(&self, zero_share: f64) -> Vec<Signal> {
        let mut out: Vec<Signal> = self
            .found
            .iter()
            .map(|(id, (count, samples))| Signal {
                id: id.to_string(),
                count: *count,
                sample_rows: samples.clone(),
            })
            .collect();
        // Below 60 timestamps a share of zeros is not meaningful.
        if self.with_seconds >= 60
            && (self.zero_seconds as f64) > zero_share * self.with_seconds as f64
        {
            out.push(Signal {
                id: "seconds_zero_excess".to_string(),
                count: self.zero_seconds,
                sample_rows: self.zero_samples.clone(),
            });
        }
        if let Some(main) = self.forms.iter().max_by_key(|(_, n, _)| *n) {
            let others: Vec<&(TimeForm, u64, Vec<u64>)> =
                self.forms.iter().filter(|(f, ..)| *f != main.0).collect();
            if !others.is_empty() {
                out.push(Signal {
                    id: "mixed_time_formats".to_string(),
                    count: others.iter().map(|(_, n, _)| *n).sum(),
                    sample_rows: others
                        .iter()
                        .flat_map(|(f, _, rows)| {
                            rows.iter().map(move |r| SampleRow {
                                row: *r,
                                detail: f.label().1.to_string(),
                                detail_zh: f.label().0.to_string(),
                            })
                        })
                        .take(SAMPLES)
                        .collect(),
                });
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }
}

fn numeric_id(id: &str) -> Option<(u64, u64)> {
    let id = id.trim();
    let (int, frac) = id.split_once('.').unwrap_or((id, "0"));
    Some((int.parse().ok()?, frac.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_seconds_in_excess_raise_a_signal() {
        let mut s = FileSignals::default();
        for row in 0..100 {
            s.stamp(
                row,
                TimeForm::Dashed,
                true,
                if row % 2 == 0 { 0 } else { 17 },
            );
        }
        let ids: Vec<String> = s.finish(0.05).into_iter().map(|x| x.id).collect();
        assert_eq!(ids, ["seconds_zero_excess"]);
    }

    #[test]
    fn ids_out_of_order_and_duplicates_are_counted() {
        let mut s = FileSignals::default();
        for (row, id) in [
            (1, "1427211880.0"),
            (2, "1427211888.1"),
            (3, "1427211880.2"),
        ] {
            s.call_id(row, id);
            s.identity(row, ("a", "b"), String::new);
        }
        let got: Vec<(String, u64)> = s
            .finish(0.05)
            .into_iter()
            .map(|x| (x.id, x.count))
            .collect();
        assert_eq!(
            got,
            [
                ("duplicates".to_string(), 2),
                ("ids_out_of_order".to_string(), 1)
            ]
        );
    }
}
