//! Before/after charts for case-study metrics, as inline SVG: visible
//! without JavaScript, styled by the theme's CSS (so dark mode works), with
//! a text equivalent for screen readers; and the words that describe a
//! change ("+14 points", "12 pts").

use std::fmt::Write;

use pulldown_cmark_escape::escape_html;

use crate::load::{Better, Metric};

/// Whether a metric moved the way it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Better,
    Worse,
    Same,
}

pub fn verdict(m: &Metric) -> Verdict {
    let delta = m.delta();
    if delta.abs() < f64::EPSILON {
        Verdict::Same
    } else if (delta > 0.0) == (m.better == Better::Higher) {
        Verdict::Better
    } else {
        Verdict::Worse
    }
}

/// A value as a chart and its table write it: whole numbers whole, others
/// with two decimals (two significant digits when smaller), negatives with a
/// minus sign. From five digits on they are grouped in threes with a narrow
/// no-break space, the grouping every language reads ("12 500"); values no
/// one counts digit by digit, at and above 10¹⁵ or below 10⁻⁶, are written
/// as a power of ten ("1.5 × 10³⁰⁰", "2 × 10⁻⁹"), not as 301 digits or 0.
pub fn format_number(x: f64) -> String {
    if !x.is_finite() {
        // YAML's `.nan` and `.inf` (or a difference of two huge values).
        return if x.is_nan() {
            "NaN".into()
        } else {
            format!("{}∞", if x < 0.0 { "−" } else { "" })
        };
    }
    // A minus sign, not a hyphen: as the changes beside it write theirs.
    if x < 0.0 && format_number(-x) != "0" {
        return format!("−{}", format_number(-x));
    }
    if x >= POWER_OF_TEN_FROM || (x > 0.0 && x < POWER_OF_TEN_BELOW) {
        return power_of_ten(x);
    }
    let plain = if (x - x.round()).abs() < 1e-9 {
        // f64's own formatting: `as i64` saturated (1e20 showed as
        // 9223372036854775807). `+ 0.0` turns -0 into 0.
        format!("{}", x.round() + 0.0)
    } else {
        // Two decimals, or two significant digits for a value that two
        // decimals would show as 0 (an error rate of 0.004 → 0.002).
        let decimals = if x.abs() < 0.005 {
            ((1.0 - x.abs().log10().floor()) as usize).min(15)
        } else {
            2
        };
        let s = format!("{x:.decimals$}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    group_thousands(&plain)
}

/// At and above this, a value is written as a power of ten.
const POWER_OF_TEN_FROM: f64 = 1e15;
/// Below this (and above 0), likewise.
const POWER_OF_TEN_BELOW: f64 = 1e-6;
/// Between digit groups: a narrow no-break space (SI's thin space, which no
/// language reads as a decimal mark, and which never breaks a number).
const GROUP_SEPARATOR: char = '\u{202F}';

/// `12500.5` → `12 500.5`; four digits and fewer stay as they are (`1240`).
fn group_thousands(plain: &str) -> String {
    let (whole, fraction) = plain.split_at(plain.find('.').unwrap_or(plain.len()));
    if whole.len() < 5 {
        return plain.to_string();
    }
    let mut out = String::with_capacity(plain.len() + whole.len() / 3 * 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(GROUP_SEPARATOR);
        }
        out.push(digit);
    }
    out.push_str(fraction);
    out
}

/// `x` (positive) as three significant digits at most times a power of
/// ten, the exponent in superscript digits: `1.5 × 10³⁰⁰`.
fn power_of_ten(x: f64) -> String {
    let written = format!("{x:.2e}");
    let (mantissa, exponent) = written.split_once('e').unwrap_or((&written, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    let exponent: String = exponent
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹']
                [d.to_digit(10).unwrap_or(0) as usize],
        })
        .collect();
    format!("{mantissa} × 10{exponent}")
}

/// The words a chart and its table use, in the page's language.
#[derive(Debug, Clone, Hash)]
pub struct Words {
    pub before: String,
    pub after: String,
    pub better: String,
    pub worse: String,
    pub unchanged: String,
    /// "points" and "point": a change of a percentage is in points.
    pub points: String,
    pub point_one: String,
    pub relative: String,
}

impl Default for Words {
    fn default() -> Self {
        Words {
            before: "Before".into(),
            after: "After".into(),
            better: "better".into(),
            worse: "worse".into(),
            unchanged: "unchanged".into(),
            points: "points".into(),
            point_one: "point".into(),
            relative: "relative".into(),
        }
    }
}

/// A value with its unit: "%" sticks to the number ("78%"), other units
/// are spaced ("12 pts", "7.7 min").
pub fn with_unit(x: f64, unit: &str) -> String {
    let n = format_number(x);
    match unit.trim() {
        "" => n,
        "%" => format!("{n}%"),
        u => format!("{n} {u}"),
    }
}

fn sign(delta: f64) -> &'static str {
    if delta > 0.0 {
        "+"
    } else if delta < 0.0 {
        "−"
    } else {
        "±"
    }
}

/// The change alone, without the verdict: "+14 points (+18% relative)" for
/// percentages (78% → 92% is 14 points, not 14%), "+16 pts", "−4.5".
pub fn change_in(m: &Metric, w: &Words) -> String {
    let unit = m.unit.as_deref().unwrap_or("").trim();
    let delta = m.delta();
    let abs = delta.abs();
    if unit == "%" {
        let points = if (abs - 1.0).abs() < f64::EPSILON {
            &w.point_one
        } else {
            &w.points
        };
        let mut out = format!("{}{} {points}", sign(delta), format_number(abs));
        // Relative change only where it means something: from a non-zero
        // value, on the same side of zero.
        if m.before != 0.0 && m.before.signum() == m.after.signum() && abs > 0.0 {
            let rel = (delta / m.before.abs() * 100.0).round();
            if rel.is_finite() {
                out.push_str(&format!(
                    " ({}{}% {})",
                    sign(rel),
                    format_number(rel.abs()),
                    w.relative
                ));
            }
        }
        out
    } else {
        format!("{}{}", sign(delta), with_unit(abs, unit))
    }
}

pub fn verdict_word<'w>(m: &Metric, w: &'w Words) -> &'w str {
    match verdict(m) {
        Verdict::Better => &w.better,
        Verdict::Worse => &w.worse,
        Verdict::Same => &w.unchanged,
    }
}

/// "7.4% → 3.1% (−4.3 points (−58% relative), better)".
pub fn describe_in(m: &Metric, w: &Words) -> String {
    let unit = m.unit.as_deref().unwrap_or("");
    format!(
        "{} → {} ({}, {})",
        with_unit(m.before, unit),
        with_unit(m.after, unit),
        change_in(m, w),
        verdict_word(m, w)
    )
}

/// [`describe_in`] in English.
pub fn describe(m: &Metric) -> String {
    describe_in(m, &Words::default())
}

/// "−4.3 points (−58% relative), better": the change alone, for tables that
/// already show both values.
pub fn describe_change(m: &Metric) -> String {
    describe_change_in(m, &Words::default())
}

/// [`describe_change`] in the words of a language.
pub fn describe_change_in(m: &Metric, w: &Words) -> String {
    format!("{}, {}", change_in(m, w), verdict_word(m, w))
}

/// Longest bar, as a share of the chart's width: the rest is room for the
/// value written after it.
const BAR_MAX_PCT: f64 = 58.0;

/// The before/after chart: a legend, then per metric its name (HTML, so it
/// wraps) over a small inline SVG of two bars. The SVG has no viewBox: bar
/// lengths are percentages and text keeps its CSS size at any width, so it
/// stays legible on a 320 px phone. Bars are told apart by their label and
/// a mark (✓ better, ✗ worse), not by colour alone. The whole is one image
/// for screen readers, described in words.
pub fn metrics_chart(metrics: &[Metric], w: &Words) -> String {
    let mut out = String::with_capacity(512 + 700 * metrics.len());
    let mut label = String::new();
    for m in metrics {
        label.push_str(&format!("{}: {}. ", m.name, describe_in(m, w)));
    }
    out.push_str("<div class=\"metrics-chart\" role=\"img\" aria-label=\"");
    let _ = escape_html(&mut out, label.trim_end());
    out.push_str("\">");
    let swatch = |class: &str| {
        format!(
            "<svg width=\"14\" height=\"14\" aria-hidden=\"true\"><rect class=\"{class}\" width=\"14\" height=\"14\" rx=\"3\"/></svg>"
        )
    };
    out.push_str("<ul class=\"chart-legend\">");
    for (class, text) in [
        ("bar-before", w.before.clone()),
        ("bar-after", format!("{} (✓ {})", w.after, w.better)),
        ("bar-worse", format!("{} (✗ {})", w.after, w.worse)),
    ] {
        out.push_str("<li>");
        out.push_str(&swatch(class));
        let _ = escape_html(&mut out, &text);
        out.push_str("</li>");
    }
    out.push_str("</ul><ul class=\"chart-metrics\">");
    for m in metrics {
        // Bars start at the lower of 0 and the smaller value, so a longer
        // bar is always a higher value (NPS −20 → +10 drew −20 twice as long).
        // Halves, so that ±f64::MAX do not overflow.
        let low = m.before.min(m.after).min(0.0) / 2.0;
        let span = (m.before.max(m.after).max(0.0) / 2.0 - low).max(f64::MIN_POSITIVE);
        let unit = m.unit.as_deref().unwrap_or("");
        let (class, mark) = match verdict(m) {
            Verdict::Better => ("better", " ✓"),
            Verdict::Worse => ("worse", " ✗"),
            Verdict::Same => ("same", " ="),
        };
        let _ = write!(
            out,
            "<li class=\"chart-metric {class}\"><p class=\"metric-name\">"
        );
        let _ = escape_html(&mut out, &m.name);
        out.push_str("</p><svg class=\"chart-bars\" aria-hidden=\"true\">");
        for (j, (value, cls, word, mark)) in [
            (m.before, "bar-before", &w.before, ""),
            (m.after, "bar-after", &w.after, mark),
        ]
        .into_iter()
        .enumerate()
        {
            let y = 2 + 23 * j;
            let ratio = (value / 2.0 - low) / span;
            // NaN and infinite values (refused at load, but not here) draw a stub.
            let ratio = if ratio.is_finite() { ratio } else { 0.0 };
            let pct = (ratio * BAR_MAX_PCT).clamp(0.4, BAR_MAX_PCT);
            let _ = write!(
                out,
                "<rect class=\"{cls}\" x=\"0\" y=\"{y}\" width=\"{pct:.1}%\" height=\"19\" rx=\"3\"/><text x=\"{pct:.1}%\" dx=\"6\" y=\"{}\">",
                y + 14
            );
            let _ = escape_html(&mut out, &format!("{word} {}", with_unit(value, unit)));
            if !mark.is_empty() {
                out.push_str("<tspan class=\"chart-verdict\">");
                out.push_str(mark);
                out.push_str("</tspan>");
            }
            out.push_str("</text>");
        }
        out.push_str("</svg></li>");
    }
    out.push_str("</ul></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(before: f64, after: f64, better: Better) -> Metric {
        Metric {
            name: "Missed <deliveries>".into(),
            before,
            after,
            unit: Some("%".into()),
            better,
        }
    }

    #[test]
    fn verdict_follows_direction() {
        assert_eq!(verdict(&metric(7.4, 3.1, Better::Lower)), Verdict::Better);
        assert_eq!(verdict(&metric(7.4, 3.1, Better::Higher)), Verdict::Worse);
        assert_eq!(verdict(&metric(2.0, 2.0, Better::Higher)), Verdict::Same);
        assert_eq!(
            describe(&metric(7.4, 3.1, Better::Lower)),
            "7.4% → 3.1% (−4.3 points (−58% relative), better)"
        );
    }

    #[test]
    fn percentages_change_in_points_and_units_are_spaced() {
        let m = metric(78.0, 92.0, Better::Higher);
        assert_eq!(describe_change(&m), "+14 points (+18% relative), better");
        let one = metric(50.0, 51.0, Better::Higher);
        assert_eq!(
            change_in(&one, &Words::default()),
            "+1 point (+2% relative)"
        );
        let pts = Metric {
            unit: Some("pts".into()),
            ..metric(28.0, 44.0, Better::Higher)
        };
        assert_eq!(describe(&pts), "28 pts → 44 pts (+16 pts, better)");
        let min = Metric {
            unit: Some("min".into()),
            ..metric(7.7, 8.3, Better::Lower)
        };
        assert_eq!(describe_change(&min), "+0.6 min, worse");
        let plain = Metric {
            unit: None,
            ..metric(12.4, 7.9, Better::Lower)
        };
        assert_eq!(describe_change(&plain), "−4.5, better");
        // From zero there is no relative change.
        assert_eq!(
            change_in(&metric(0.0, 5.0, Better::Higher), &Words::default()),
            "+5 points"
        );
        let pt = Words {
            points: "pontos".into(),
            relative: "relativo".into(),
            better: "melhor".into(),
            ..Words::default()
        };
        assert_eq!(
            describe_in(&m, &pt),
            "78% → 92% (+14 pontos (+18% relativo), melhor)"
        );
    }

    #[test]
    fn huge_opposite_values_give_a_finite_change() {
        let m = metric(-1e308, 1e308, Better::Higher);
        assert_eq!(verdict(&m), Verdict::Better);
        let text = describe(&m);
        assert!(!text.contains("inf") && !text.contains("NaN"), "{text}");
        let svg = metrics_chart(&[m], &Words::default());
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn a_negative_value_draws_a_shorter_bar_than_a_higher_one() {
        let bars = |before, after| {
            let svg = metrics_chart(&[metric(before, after, Better::Higher)], &Words::default());
            let widths: Vec<f64> = svg
                .match_indices("x=\"0\" y=")
                .map(|(i, _)| {
                    let w = &svg[i..];
                    let w = &w[w.find("width=\"").unwrap() + 7..];
                    w[..w.find('%').unwrap()].parse().unwrap()
                })
                .collect();
            (widths[0], widths[1])
        };
        let (nps_before, nps_after) = bars(-20.0, 10.0);
        assert!(nps_before < nps_after, "{nps_before} {nps_after}");
        let (cold, colder) = bars(-3.0, -30.0);
        assert!(cold > colder, "{cold} {colder}");
        assert_eq!(bars(50.0, 100.0), (29.0, 58.0));
    }

    #[test]
    fn small_values_keep_two_significant_digits() {
        assert_eq!(format_number(0.004), "0.004");
        assert_eq!(format_number(0.0042), "0.0042");
        assert_eq!(format_number(-0.000012), "−0.000012");
        assert_eq!(format_number(-20.0), "−20", "a minus sign, as in changes");
        assert_eq!(format_number(0.126), "0.13");
        let m = Metric {
            unit: None,
            ..metric(0.004, 0.002, Better::Lower)
        };
        assert_eq!(describe(&m), "0.004 → 0.002 (−0.002, better)");
    }

    #[test]
    fn numbers_of_any_size() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1e20), "1 × 10²⁰");
        assert_eq!(format_number(-2.5), "−2.5");
        assert_eq!(format_number(7.456), "7.46");
        assert_eq!(format_number(f64::NAN), "NaN");
        assert_eq!(format_number(f64::NEG_INFINITY), "−∞");
        let svg = metrics_chart(
            &[metric(f64::NAN, f64::INFINITY, Better::Lower)],
            &Words::default(),
        );
        assert!(
            !svg.contains("width=\"NaN") && !svg.contains("width=\"inf"),
            "{svg}"
        );
    }

    /// Large values are grouped in threes, then written as a power of ten;
    /// tiny ones too, rather than as 0.
    #[test]
    fn huge_and_tiny_values_are_written_to_be_read() {
        let n = |x: f64| format_number(x).replace('\u{202F}', " ");
        assert_eq!(n(1240.0), "1240", "four digits stay as they were");
        assert_eq!(n(9999.999), "10 000");
        assert_eq!(n(12_500.0), "12 500");
        assert_eq!(n(-2_500_000.0), "−2 500 000");
        assert_eq!(n(123_456.789), "123 456.79");
        assert_eq!(n(999_999_999_999_999.0), "999 999 999 999 999");
        assert_eq!(n(1e15), "1 × 10¹⁵");
        assert_eq!(n(1e300), "1 × 10³⁰⁰");
        assert_eq!(n(1.5e300), "1.5 × 10³⁰⁰");
        assert_eq!(n(-1.234_567e300), "−1.23 × 10³⁰⁰");
        assert_eq!(n(f64::MAX), "1.8 × 10³⁰⁸");
        assert_eq!(n(9.999e20), "1 × 10²¹", "rounded up to the next power");
        assert_eq!(n(0.000_001), "0.000001");
        assert_eq!(n(2e-9), "2 × 10⁻⁹");
        assert_eq!(n(-1e-300), "−1 × 10⁻³⁰⁰", "not 0, and signed");
        assert_eq!(n(f64::MIN_POSITIVE), "2.23 × 10⁻³⁰⁸");
        let m = Metric {
            unit: Some("%".into()),
            ..metric(1e300, 2e300, Better::Higher)
        };
        assert_eq!(
            change_in(&m, &Words::default()),
            "+1 × 10³⁰⁰ points (+100% relative)"
        );
    }

    #[test]
    fn chart_is_labelled_escaped_and_not_colour_alone() {
        let html = metrics_chart(&[metric(7.4, 3.1, Better::Lower)], &Words::default());
        assert!(html.contains("role=\"img\" aria-label=\"Missed &lt;deliveries&gt;: 7.4% → 3.1%"));
        assert!(html.contains("<li class=\"chart-metric better\">"));
        assert!(!html.contains("<deliveries>"));
        // Each bar says what it is, and the after bar carries its verdict mark.
        assert!(html.contains(">Before 7.4%</text>"), "{html}");
        assert!(
            html.contains(">After 3.1%<tspan class=\"chart-verdict\"> ✓</tspan></text>"),
            "{html}"
        );
        // The legend is HTML before the bars, never drawn over them.
        assert!(html.find("chart-legend").unwrap() < html.find("chart-bars").unwrap());
        // No viewBox: text is not scaled down with the chart.
        assert!(!html.contains("viewBox=\"0 0 5"));
    }
}
