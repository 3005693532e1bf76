//! The operating figures a company declares, computed from its own export
//! and complaint log by the definitions the checks use, and rounded to the
//! precision they are compared at.

use std::collections::BTreeSet;

use chrono::Datelike;

use crate::calls::{Call, SUCCESS};
use crate::complaints::Complaint;

/// Decimal places of each rate (the rule pack's defaults).
pub const RATE_PLACES: u32 = 4;
pub const COMPLAINT_RATE_PLACES: u32 = 6;
pub const AVG_TALK_PLACES: u32 = 1;

/// A ratio kept as its two integers, so rounding ties can be detected exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    pub num: u64,
    pub den: u64,
}

impl Ratio {
    /// Returns the value rounded half away from zero to `places` decimals; 0 for an
    /// empty denominator.
    pub fn rounded(self, places: u32) -> f64 {
        if self.den == 0 {
            return 0.0;
        }
        let scale = 10f64.powi(places as i32);
        (self.num as f64 / self.den as f64 * scale).round() / scale
    }

    /// True when the value lies exactly halfway between two roundings, where
    /// half-even and half-away rounding disagree.
    pub fn is_tie(self, places: u32) -> bool {
        if self.den == 0 {
            return false;
        }
        let twice = u128::from(self.num) * 2 * 10u128.pow(places);
        let den = u128::from(self.den);
        twice.is_multiple_of(den) && (twice / den) % 2 == 1
    }
}

/// The declared figures of `[declared]`, except revenue.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    pub seats: u32,
    pub outbound_calls: u64,
    pub connection: Ratio,
    pub complaint: Ratio,
    pub avg_talk: Ratio,
    pub conversion: Ratio,
    pub complaints: u64,
    pub response: Ratio,
}

impl Figures {
    /// Computes the figures of `calls` and of the complaints received in 2024.
    pub fn compute(calls: &[Call], complaints: &[Complaint]) -> Figures {
        let agents: BTreeSet<usize> = calls.iter().map(|c| c.agent).collect();
        let outbound = calls.iter().filter(|c| c.outbound).count() as u64;
        let answered_out = calls.iter().filter(|c| c.outbound && c.answered()).count() as u64;
        let answered: Vec<&Call> = calls.iter().filter(|c| c.answered()).collect();
        let talk: u64 = answered.iter().map(|c| u64::from(c.talk)).sum();
        let successes = calls
            .iter()
            .filter(|c| c.outbound && c.answered() && c.outcome == SUCCESS)
            .count() as u64;
        let received: Vec<&Complaint> = complaints
            .iter()
            .filter(|c| c.received.year() == 2024)
            .collect();
        let replied = received.iter().filter(|c| c.replied.year() <= 2025).count() as u64;
        let n_complaints = received.len() as u64;

        Figures {
            seats: agents.len() as u32,
            outbound_calls: outbound,
            connection: Ratio {
                num: answered_out,
                den: outbound,
            },
            complaint: Ratio {
                num: n_complaints,
                den: answered_out,
            },
            avg_talk: Ratio {
                num: talk,
                den: answered.len() as u64,
            },
            conversion: Ratio {
                num: successes,
                den: answered_out,
            },
            complaints: n_complaints,
            response: Ratio {
                num: replied,
                den: n_complaints,
            },
        }
    }

    /// True when any rate sits on a rounding tie; the generator then draws
    /// the calls again so no reader's rounding mode can matter.
    pub fn has_tie(&self) -> bool {
        self.connection.is_tie(RATE_PLACES)
            || self.conversion.is_tie(RATE_PLACES)
            || self.response.is_tie(RATE_PLACES)
            || self.complaint.is_tie(COMPLAINT_RATE_PLACES)
            || self.avg_talk.is_tie(AVG_TALK_PLACES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_rounding_and_ties() {
        let cases = [
            // (num, den, places, rounded, tie)
            (1, 3, 4, 0.3333, false),
            (2, 3, 4, 0.6667, false),
            (1, 8, 2, 0.13, true),
            (1, 16, 3, 0.063, true),
            (5, 4, 1, 1.3, true),
            (0, 0, 4, 0.0, false),
            (7, 7, 4, 1.0, false),
        ];
        for (num, den, places, rounded, tie) in cases {
            let r = Ratio { num, den };
            assert_eq!(r.rounded(places), rounded, "{num}/{den}");
            assert_eq!(r.is_tie(places), tie, "{num}/{den}");
        }
    }
}
