//! The faults a demo plants, one switch each, and `planted.json` that lists
//! them so a test (or a person) can see every one is found under its rule.

use serde::Serialize;

/// The faults to plant. [`Faults::none`] is the clean case.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Trap 1: revenue declared as 0.
    pub revenue_zero: bool,
    /// Trap 2: more seats declared than people insured.
    pub seats_inflated: bool,
    /// Trap 3: the site moved; the licence still shows the old address.
    pub site_moved: bool,
    /// Trap 5: the 等保 report left out of 05-技术系统.
    pub dengbao_missing: bool,
    /// Trap 7: one complaint verified 30 hours after receipt.
    pub late_verification: bool,
    /// Trap 10: a capital increase planned inside the annual-report window.
    pub capital_change: bool,
    /// November's carrier bill misses a seventh of the calls.
    pub carrier_gap: bool,
}

/// Seats declared by the demo case (trap 2), against 12 insured.
pub const INFLATED_SEATS: u32 = 20;

impl Faults {
    pub fn none() -> Faults {
        Faults::default()
    }

    /// Returns every fault of the default demo.
    pub fn all() -> Faults {
        Faults {
            revenue_zero: true,
            seats_inflated: true,
            site_moved: true,
            dengbao_missing: true,
            late_verification: true,
            capital_change: true,
            carrier_gap: true,
        }
    }

    /// Lists the entries of `planted.json`, in trap order.
    pub fn list(&self) -> Vec<Planted> {
        let mut out = Vec::new();
        let mut add = |on: bool, trap: Option<u8>, rule: &str, description: &str| {
            if on {
                out.push(Planted {
                    trap,
                    rule: rule.to_string(),
                    description: description.to_string(),
                });
            }
        };
        add(
            self.revenue_zero,
            Some(1),
            "finance.revenue_zero",
            "年报申报的营业收入填成了 0（审计报告的营业收入并不为 0），会被认定为空壳公司。",
        );
        add(
            self.seats_inflated,
            Some(2),
            "seats.insured_below_declared",
            "申报座席 20 个，但 2024 年 12 月参保人数只有 12 人（虚报座席规模）。",
        );
        add(
            self.site_moved,
            Some(3),
            "case.site_address_mismatch",
            "职场已搬到宝安区，许可证登记的仍是南山区的旧地址，未办理地址变更。",
        );
        add(
            self.dengbao_missing,
            Some(5),
            "materials.dengbao_missing",
            "材料/05-技术系统 中缺少网络安全等级保护测评报告。",
        );
        add(
            self.late_verification,
            Some(7),
            "complaints.late_verification",
            "投诉台账中有一件 12321 投诉在受理 30 小时后才核实，超过 24 小时。",
        );
        add(
            self.capital_change,
            Some(10),
            "case.capital_change_in_window",
            "计划于 2025-03-05 增加注册资本，正落在年报填报期间内。",
        );
        add(
            self.carrier_gap,
            None,
            "cdr.count_mismatch",
            "运营商 2024 年 11 月详单少了约七分之一的接通话单，本地与运营商接通量相差超过 3%。",
        );
        out
    }
}

/// One entry of `planted.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Planted {
    /// The trap number 1–10 of the review's ten traps, or `null` for another fault.
    pub trap: Option<u8>,
    /// The rule id the check reports it under.
    pub rule: String,
    /// The planted fault, described in Chinese.
    pub description: String,
}

/// `planted.json`: a pretty-printed array with a final newline.
pub fn planted_json(list: &[Planted]) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(list)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_plants_six_traps() {
        let traps: Vec<u8> = Faults::all().list().iter().filter_map(|p| p.trap).collect();
        assert_eq!(traps, vec![1, 2, 3, 5, 7, 10]);
    }

    #[test]
    fn clean_plants_nothing() {
        assert!(Faults::none().list().is_empty());
        assert_eq!(planted_json(&[]).unwrap(), "[]\n");
    }
}
