//! The company's own call records: every agent works through its day one
//! call at a time, so no agent overlaps itself and the peak of concurrent
//! calls never exceeds the seats.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::rng::Rng;
use crate::world::{self, World, CDR_MONTHS};

/// Disposition words written in the export (whole values of the rule pack's lists).
pub const ANSWERED: &str = "已接通";
const NO_ANSWER: &str = "无应答";
const BUSY: &str = "忙";
const FAILED: &str = "失败";
const MISSED: &str = "未接";
/// Direction words.
pub const OUTBOUND: &str = "呼出";
pub const INBOUND: &str = "呼入";
/// The outcome word that counts as a conversion.
pub const SUCCESS: &str = "成交";
const INTERESTED: &str = "有意向";
const NO_SALE: &str = "未成交";
const REFUSED: &str = "拒绝";

/// Mobile prefixes of the three carriers (calls go to mainland mobiles only).
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "183", "186", "187",
    "188", "189", "191", "198", "199",
];

/// Weekdays off in the covered months (the 2024 National Day holiday).
const HOLIDAYS: [(u32, u32); 5] = [(10, 1), (10, 2), (10, 3), (10, 4), (10, 7)];
/// Weekend days worked instead (调休).
const SWAPPED_WORKDAYS: [(u32, u32); 1] = [(10, 12)];
/// The calling blocks of a day, local time: [from, until).
const BLOCKS: [((u32, u32), (u32, u32)); 2] = [((9, 0), (12, 0)), ((13, 30), (18, 0))];
/// Mean idle time between an agent's calls, seconds (notes, CRM, breaks).
const MEAN_WRAP_SECS: f64 = 1100.0;

/// One row of the local export.
#[derive(Clone, Debug)]
pub struct Call {
    /// Position in time order, from 1; part of the call id.
    pub seq: u32,
    /// Index of the agent in [`World::staff`].
    pub agent: usize,
    pub caller: String,
    pub callee: String,
    pub outbound: bool,
    pub start: NaiveDateTime,
    pub answer: Option<NaiveDateTime>,
    pub end: NaiveDateTime,
    /// Talk seconds: end − answer, 0 when not answered.
    pub talk: u32,
    pub result: &'static str,
    /// Marketing outcome of answered outbound calls, empty otherwise.
    pub outcome: &'static str,
}

impl Call {
    /// Formats the system's call id: the day and the running number, so ids
    /// rise with the rows.
    pub fn id(&self) -> String {
        format!("{}{:06}", self.start.format("%Y%m%d"), self.seq)
    }

    pub fn answered(&self) -> bool {
        self.answer.is_some()
    }
}

/// Draws a random mainland mobile number.
pub fn mobile(rng: &mut Rng) -> String {
    let prefix = rng.pick(MOBILE_PREFIXES).copied().unwrap_or("138");
    format!("{prefix}{:08}", rng.below(100_000_000))
}

/// Working days of the covered months.
pub fn working_days() -> Vec<NaiveDate> {
    CDR_MONTHS
        .iter()
        .flat_map(|&month| {
            let first = world::ymd((2024, month, 1));
            let last = world::last_of_month(first);
            first.iter_days().take_while(move |d| *d <= last)
        })
        .filter(|&d| is_working_day(d))
        .collect()
}

fn is_working_day(day: NaiveDate) -> bool {
    let md = (day.month(), day.day());
    if SWAPPED_WORKDAYS.contains(&md) {
        return true;
    }
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !HOLIDAYS.contains(&md)
}

/// Customers an agent promised to call again, with the day of the last call.
#[derive(Debug, Default)]
struct FollowUps {
    pending: Vec<(String, NaiveDate)>,
}

impl FollowUps {
    /// Takes a customer last called before `today` off the list.
    fn take(&mut self, rng: &mut Rng, today: NaiveDate) -> Option<String> {
        let ready: Vec<usize> = (0..self.pending.len())
            .filter(|&i| self.pending.get(i).is_some_and(|(_, d)| *d < today))
            .collect();
        let &i = rng.pick(&ready)?;
        Some(self.pending.swap_remove(i).0)
    }
}

/// Generates all calls of the covered months, in time order with their
/// running numbers.
pub fn generate(world: &World, seed: u64) -> Vec<Call> {
    let mut rng = Rng::new(seed, 2);
    let mut follow_ups = FollowUps::default();
    let mut recent_customers: Vec<String> = Vec::new();
    let mut calls = Vec::new();
    for day in working_days() {
        for agent in 0..world.agents().len() {
            // An agent is off now and then (leave, training).
            if rng.chance(0.05) {
                continue;
            }
            let mut ctx = DayCtx {
                rng: &mut rng,
                world,
                day,
                agent,
                follow_ups: &mut follow_ups,
                recent_customers: &mut recent_customers,
            };
            ctx.work(&mut calls);
        }
    }
    calls.sort_by(|a, b| a.start.cmp(&b.start).then(a.agent.cmp(&b.agent)));
    for (i, call) in calls.iter_mut().enumerate() {
        call.seq = i as u32 + 1;
    }
    calls
}

/// One agent's day.
struct DayCtx<'a> {
    rng: &'a mut Rng,
    world: &'a World,
    day: NaiveDate,
    agent: usize,
    follow_ups: &'a mut FollowUps,
    recent_customers: &'a mut Vec<String>,
}

impl DayCtx<'_> {
    fn work(&mut self, calls: &mut Vec<Call>) {
        for ((h0, m0), (h1, m1)) in BLOCKS {
            let from = self.at(h0, m0);
            let until = self.at(h1, m1);
            let mut t = from + Duration::seconds(self.rng.range(0, 900));
            while t < until - Duration::seconds(60) {
                let call = if self.rng.chance(0.07) {
                    self.inbound(t)
                } else {
                    self.outbound(t)
                };
                let wrap = 15 + self.rng.exp(MEAN_WRAP_SECS) as i64;
                t = call.end + Duration::seconds(wrap);
                calls.push(call);
            }
        }
    }

    fn at(&self, hour: u32, minute: u32) -> NaiveDateTime {
        let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default();
        self.day.and_time(time)
    }

    fn trunk(&mut self) -> String {
        let trunks = &self.world.trunks;
        // Each agent's line is mostly one trunk, sometimes the next.
        let k = (self.agent + usize::from(self.rng.chance(0.1))) % trunks.len().max(1);
        trunks.get(k).cloned().unwrap_or_default()
    }

    fn outbound(&mut self, start: NaiveDateTime) -> Call {
        let callee = match self.rng.chance(0.08) {
            true => self.follow_ups.take(self.rng, self.day),
            false => None,
        }
        .unwrap_or_else(|| mobile(self.rng));
        let caller = self.trunk();
        let r = self.rng.unit();
        if r >= 0.46 {
            let (result, ring) = match r {
                r if r < 0.86 => (NO_ANSWER, self.rng.range(20, 60)),
                r if r < 0.96 => (BUSY, self.rng.range(2, 8)),
                _ => (FAILED, self.rng.range(0, 3)),
            };
            let end = start + Duration::seconds(ring);
            return self.call(caller, callee, true, start, None, end, result, "");
        }

        let answer = start + Duration::seconds(self.rng.range(3, 25));
        let (talk, outcome) = self.outbound_talk();
        if outcome == INTERESTED {
            self.follow_ups.pending.push((callee.clone(), self.day));
        }
        self.remember(&callee);
        let end = answer + Duration::seconds(talk);
        self.call(
            caller,
            callee,
            true,
            start,
            Some(answer),
            end,
            ANSWERED,
            outcome,
        )
    }

    /// Draws the talk seconds and outcome of an answered outbound call.
    fn outbound_talk(&mut self) -> (i64, &'static str) {
        if self.rng.chance(0.12) {
            return (self.rng.range(3, 20), REFUSED);
        }
        let talk = (25.0 + self.rng.exp(110.0)).min(1500.0) as i64;
        let r = self.rng.unit();
        let outcome = if talk > 90 && r < 0.10 {
            SUCCESS
        } else if r < 0.30 {
            INTERESTED
        } else {
            NO_SALE
        };
        (talk, outcome)
    }

    fn inbound(&mut self, start: NaiveDateTime) -> Call {
        // A third of inbound calls are customers ringing back.
        let caller = match self.rng.chance(0.35) {
            true => self.rng.pick(self.recent_customers).cloned(),
            false => None,
        }
        .unwrap_or_else(|| mobile(self.rng));
        let callee = self.world.trunks.first().cloned().unwrap_or_default();
        if self.rng.chance(0.08) {
            let end = start + Duration::seconds(self.rng.range(10, 40));
            return self.call(caller, callee, false, start, None, end, MISSED, "");
        }
        let answer = start + Duration::seconds(self.rng.range(4, 25));
        let talk = (30.0 + self.rng.exp(150.0)).min(1800.0) as i64;
        let end = answer + Duration::seconds(talk);
        self.call(
            caller,
            callee,
            false,
            start,
            Some(answer),
            end,
            ANSWERED,
            "",
        )
    }

    fn remember(&mut self, customer: &str) {
        // A short memory is enough for callbacks and keeps this cheap.
        if self.recent_customers.len() >= 400 {
            self.recent_customers.remove(0);
        }
        self.recent_customers.push(customer.to_string());
    }

    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        caller: String,
        callee: String,
        outbound: bool,
        start: NaiveDateTime,
        answer: Option<NaiveDateTime>,
        end: NaiveDateTime,
        result: &'static str,
        outcome: &'static str,
    ) -> Call {
        let talk = answer.map_or(0, |a| (end - a).num_seconds().max(0) as u32);
        Call {
            seq: 0,
            agent: self.agent,
            caller,
            callee,
            outbound,
            start,
            answer,
            end,
            talk,
            result,
            outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_skip_holidays() {
        let days = working_days();
        assert!(!days.contains(&world::ymd((2024, 10, 1))));
        assert!(!days.contains(&world::ymd((2024, 10, 5))));
        assert!(days.contains(&world::ymd((2024, 10, 12))));
        assert!(days.contains(&world::ymd((2024, 12, 31))));
        assert!(!days.contains(&world::ymd((2024, 12, 29))));
        let mut sorted = days.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), days.len());
    }

    #[test]
    fn agents_never_overlap_themselves() {
        let w = World::new(2024);
        let calls = generate(&w, 2024);
        assert!(calls.len() > 10_000, "{}", calls.len());
        let mut by_agent: Vec<Vec<&Call>> = vec![Vec::new(); w.staff.len()];
        for c in &calls {
            by_agent[c.agent].push(c);
            assert!(c.start.time() >= NaiveTime::from_hms_opt(9, 0, 0).unwrap());
            assert!(c.end.time() < NaiveTime::from_hms_opt(20, 0, 0).unwrap());
        }
        for list in by_agent {
            for pair in list.windows(2) {
                assert!(pair[0].end <= pair[1].start);
            }
        }
    }

    #[test]
    fn ids_rise_and_talk_matches_times() {
        let w = World::new(5);
        let calls = generate(&w, 5);
        for pair in calls.windows(2) {
            assert!(pair[0].start <= pair[1].start);
            assert!(pair[0].id() < pair[1].id());
        }
        for c in &calls {
            match c.answer {
                Some(a) => assert_eq!((c.end - a).num_seconds(), i64::from(c.talk)),
                None => assert_eq!(c.talk, 0),
            }
        }
    }
}
