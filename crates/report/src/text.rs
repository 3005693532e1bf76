//! Small text helpers shared by the HTML report and the terminal summary:
//! choosing a language and formatting figures.

use nianshen_rules::Lang;

/// Picks the Chinese or the English text.
pub(crate) fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Formats an integer with thousands separators, e.g. `1,234,567`.
pub(crate) fn group_digits(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Formats a number: grouped when whole, else with at most six decimals and
/// no trailing zeros, so a declared rate such as 0.6523 reads as written.
pub(crate) fn plain_number(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        // Whole and within i64's exact range, so the cast is lossless.
        return group_digits(x as i64);
    }
    let text = format!("{x:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Formats a fraction as a percentage with three significant digits, but at
/// least two and at most four decimals: 4.21%, 92.86%, and a complaint rate
/// of 0.000125 as 0.0125% rather than 0.01%.
pub(crate) fn percent(x: f64) -> String {
    let pct = (x * 100.0).abs();
    let decimals = if pct > 0.0 && pct.is_finite() {
        // Digits before the point minus one: 0 for 4.2, -2 for 0.0125.
        let magnitude = pct.log10().floor() as i32;
        (2 - magnitude).clamp(2, 4) as usize
    } else {
        2
    };
    format!("{:.*}%", decimals, x * 100.0)
}

/// Formats "N days left", "due today" or "N days overdue".
pub(crate) fn days_left(lang: Lang, days: i64) -> String {
    match (days.cmp(&0), lang) {
        (std::cmp::Ordering::Greater, Lang::Zh) => format!("剩 {days} 天"),
        (std::cmp::Ordering::Greater, Lang::En) if days == 1 => "1 day left".to_string(),
        (std::cmp::Ordering::Greater, Lang::En) => format!("{days} days left"),
        (std::cmp::Ordering::Equal, Lang::Zh) => "今天截止".to_string(),
        (std::cmp::Ordering::Equal, Lang::En) => "due today".to_string(),
        (std::cmp::Ordering::Less, Lang::Zh) => format!("已逾期 {} 天", -days),
        (std::cmp::Ordering::Less, Lang::En) if days == -1 => "1 day overdue".to_string(),
        (std::cmp::Ordering::Less, Lang::En) => format!("{} days overdue", -days),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_formatted_for_reading() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (999.0, "999"),
            (1000.0, "1,000"),
            (1234567.0, "1,234,567"),
            (-45000.0, "-45,000"),
            (0.6523, "0.6523"),
            (0.000125, "0.000125"),
            (86.5, "86.5"),
        ];
        for (x, want) in cases {
            assert_eq!(plain_number(*x), *want, "{x}");
        }
    }

    #[test]
    fn rates_keep_the_decimals_they_need() {
        let cases = [
            (0.0312, "3.12%"),
            (0.042084, "4.21%"),
            (0.000125, "0.0125%"),
            (0.00000012, "0.0000%"),
            (0.928571, "92.86%"),
            (0.5, "50.00%"),
            (0.0, "0.00%"),
            (1.25, "125.00%"),
        ];
        for (x, want) in cases {
            assert_eq!(percent(x), want, "{x}");
        }
    }

    #[test]
    fn days_left_reads_naturally() {
        assert_eq!(days_left(Lang::Zh, 44), "剩 44 天");
        assert_eq!(days_left(Lang::Zh, 0), "今天截止");
        assert_eq!(days_left(Lang::Zh, -3), "已逾期 3 天");
        assert_eq!(days_left(Lang::En, 1), "1 day left");
        assert_eq!(days_left(Lang::En, -10), "10 days overdue");
    }
}
