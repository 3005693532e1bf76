//! The per-day chart of answered calls, own records against the carrier
//! bill, as inline SVG, and the days that differ most.

use nianshen_rules::Lang;
use serde_json::Value;

use super::{w, Esc};
use crate::text::{group_digits, plain_number, tr};

/// Drawing size in SVG units. The chart scales to the page width.
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 250.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 44.0;

/// Days listed under the chart, largest difference first.
const MAX_DIFF_DAYS: usize = 10;

/// One day's answered calls on each side.
#[derive(Debug, PartialEq)]
struct Day {
    day: String,
    local: f64,
    carrier: f64,
}

/// Renders the chart and the table of differing days from
/// `metrics.cdr.per_day`. Days without both figures are left out, and with
/// none left nothing is drawn.
pub(super) fn per_day(out: &mut String, entries: &[Value], lang: Lang) {
    let days: Vec<Day> = entries.iter().filter_map(day_of).collect();
    if days.is_empty() {
        return;
    }
    w!(
        out,
        "<h4>{}</h4>\n<figure class=\"chart\">\n",
        tr(
            lang,
            "按日接通量：本地 vs 运营商",
            "Answered calls per day: own records vs carrier"
        )
    );
    svg(out, &days, lang);
    legend(out, lang);
    out.push_str("</figure>\n");
    diff_table(out, &days, lang);
}

/// Reads a day in either shape the reconciliation may give: flat
/// `local_answered`/`carrier_answered`, or `local`/`carrier` objects with an
/// `answered` field, or `local`/`carrier` numbers.
fn day_of(entry: &Value) -> Option<Day> {
    let day = entry
        .get("day")
        .or_else(|| entry.get("date"))
        .and_then(Value::as_str)?;
    let side = |name: &str| -> Option<f64> {
        let flat = entry.get(format!("{name}_answered"));
        let nested = entry.get(name).and_then(|v| v.get("answered"));
        let bare = entry.get(name).filter(|v| v.is_number());
        flat.or(nested).or(bare).and_then(Value::as_f64)
    };
    Some(Day {
        day: day.to_string(),
        local: side("local")?,
        carrier: side("carrier")?,
    })
}

fn svg(out: &mut String, days: &[Day], lang: Lang) {
    let max = days
        .iter()
        .map(|d| d.local.max(d.carrier))
        .fold(0.0, f64::max);
    let top = nice_ceiling(max);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = days.len() as f64;
    let x = |i: usize| LEFT + (i as f64 + 0.5) * plot_w / n;
    let y = |v: f64| TOP + plot_h - v / top * plot_h;

    w!(
        out,
        "<svg class=\"per-day\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\">\n",
        tr(
            lang,
            "按日接通量折线图",
            "Line chart of answered calls per day"
        )
    );
    grid(out, top, plot_h);
    diff_marks(out, days, &x, plot_w / n);
    x_labels(out, days, &x);

    for (class, pick) in [("local", 0), ("carrier", 1)] {
        let value = |d: &Day| if pick == 0 { d.local } else { d.carrier };
        let points: Vec<String> = days
            .iter()
            .enumerate()
            .map(|(i, d)| format!("{:.1},{:.1}", x(i), y(value(d))))
            .collect();
        if days.len() > 1 {
            w!(
                out,
                "<polyline class=\"{class}\" points=\"{}\"/>\n",
                points.join(" ")
            );
        }
        if days.len() <= 62 {
            for (i, d) in days.iter().enumerate() {
                w!(
                    out,
                    "<circle class=\"{class}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.6\"><title>{} {}</title></circle>\n",
                    x(i),
                    y(value(d)),
                    Esc(&d.day),
                    plain_number(value(d))
                );
            }
        }
    }
    out.push_str("</svg>\n");
}

/// Draws horizontal grid lines with their values at quarters of the scale.
fn grid(out: &mut String, top: f64, plot_h: f64) {
    for q in 0..=4 {
        let v = top * f64::from(q) / 4.0;
        let gy = TOP + plot_h - plot_h * f64::from(q) / 4.0;
        w!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{gy:.1}\" x2=\"{:.1}\" y2=\"{gy:.1}\"/>\n\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            WIDTH - RIGHT,
            LEFT - 6.0,
            gy + 4.0,
            plain_number(v)
        );
    }
}

/// Draws a red mark above each day whose two figures differ.
fn diff_marks(out: &mut String, days: &[Day], x: &dyn Fn(usize) -> f64, step: f64) {
    let width = step.clamp(1.0, 8.0);
    for (i, d) in days.iter().enumerate() {
        if d.local != d.carrier {
            w!(
                out,
                "<rect class=\"diff\" x=\"{:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"8\"><title>{}</title></rect>\n",
                x(i) - width / 2.0,
                TOP - 14.0,
                Esc(&d.day)
            );
        }
    }
}

/// Draws up to seven evenly spaced day labels, always the first and the last.
fn x_labels(out: &mut String, days: &[Day], x: &dyn Fn(usize) -> f64) {
    let n = days.len();
    let wanted = n.min(7);
    let mut shown: Vec<usize> = (0..wanted)
        .map(|k| {
            if wanted == 1 {
                0
            } else {
                k * (n - 1) / (wanted - 1)
            }
        })
        .collect();
    shown.dedup();
    for i in shown {
        let Some(d) = days.get(i) else { continue };
        w!(
            out,
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            x(i),
            HEIGHT - BOTTOM + 18.0,
            Esc(short_day(&d.day))
        );
    }
}

/// Shortens `2024-03-05` to `03-05` and keeps anything else as written.
fn short_day(day: &str) -> &str {
    match (day.len(), day.get(4..5), day.get(5..)) {
        (10, Some("-"), Some(rest)) => rest,
        _ => day,
    }
}

fn legend(out: &mut String, lang: Lang) {
    w!(
        out,
        "<figcaption class=\"legend\"><span class=\"key local\"></span>{}<span class=\"key carrier\"></span>{}<span class=\"key diff\"></span>{}</figcaption>\n",
        tr(lang, "本地话单", "Own records"),
        tr(lang, "运营商话单", "Carrier bill"),
        tr(lang, "两边不一致的日期", "Days that differ")
    );
}

/// Lists the days with the largest differences, for the reader to look up.
fn diff_table(out: &mut String, days: &[Day], lang: Lang) {
    let mut differing: Vec<&Day> = days.iter().filter(|d| d.local != d.carrier).collect();
    if differing.is_empty() {
        w!(
            out,
            "<p class=\"ok-note\">{}</p>\n",
            tr(
                lang,
                "每天的接通量两边一致。",
                "Answered calls agree on every day."
            )
        );
        return;
    }
    differing.sort_by(|a, b| {
        let da = (a.local - a.carrier).abs();
        let db = (b.local - b.carrier).abs();
        db.total_cmp(&da).then_with(|| a.day.cmp(&b.day))
    });
    w!(
        out,
        "<table class=\"figures\">\n<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        tr(lang, "差异最大的日期", "Days differing most"),
        tr(lang, "本地", "Own"),
        tr(lang, "运营商", "Carrier"),
        tr(lang, "差额", "Difference")
    );
    for d in differing.iter().take(MAX_DIFF_DAYS) {
        w!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
            Esc(&d.day),
            plain_number(d.local),
            plain_number(d.carrier),
            signed(d.local - d.carrier)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    let rest = differing.len().saturating_sub(MAX_DIFF_DAYS);
    if rest > 0 {
        let text = match lang {
            Lang::Zh => format!("另有 {rest} 天不一致。"),
            Lang::En => format!("{rest} more days differ."),
        };
        w!(out, "<p class=\"more\">{}</p>\n", Esc(&text));
    }
}

fn signed(x: f64) -> String {
    if x > 0.0 && x.fract() == 0.0 && x < 9.0e15 {
        // Whole and in i64's exact range.
        format!("+{}", group_digits(x as i64))
    } else if x > 0.0 {
        format!("+{}", plain_number(x))
    } else {
        plain_number(x)
    }
}

/// Returns the smallest 1, 2, 4 or 5 times a power of ten at or above
/// `max`, so the axis reads in round steps. An empty chart gets 1.
fn nice_ceiling(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 4.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&c| c >= max)
        .unwrap_or(10.0 * power)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn days_are_read_from_each_shape() {
        let cases = [
            json!({"day": "2024-03-05", "local_answered": 12, "carrier_answered": 11}),
            json!({"day": "2024-03-05", "local": {"answered": 12}, "carrier": {"answered": 11}}),
            json!({"date": "2024-03-05", "local": 12, "carrier": 11.0}),
        ];
        for entry in cases {
            let want = Day {
                day: "2024-03-05".into(),
                local: 12.0,
                carrier: 11.0,
            };
            assert_eq!(day_of(&entry), Some(want), "{entry}");
        }
        assert_eq!(
            day_of(&json!({"day": "2024-03-05", "local_answered": 3})),
            None
        );
    }

    #[test]
    fn axis_top_is_round() {
        let cases = [
            (0.0, 1.0),
            (7.0, 10.0),
            (13.0, 20.0),
            (31.0, 40.0),
            (480.0, 500.0),
            (1000.0, 1000.0),
        ];
        for (max, want) in cases {
            assert_eq!(nice_ceiling(max), want, "{max}");
        }
    }

    #[test]
    fn short_day_only_trims_iso_dates() {
        assert_eq!(short_day("2024-03-05"), "03-05");
        assert_eq!(short_day("第1周"), "第1周");
    }
}
