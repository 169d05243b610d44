//! Before/after charts for case-study metrics, as inline SVG: visible
//! without JavaScript, styled by the theme's CSS (so dark mode works), with
//! a text equivalent for screen readers.

use std::fmt::Write;

use pulldown_cmark_escape::escape_html;

use crate::load::{Better, Metric};

/// Whether a metric moved the way it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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

pub fn format_number(x: f64) -> String {
    if !x.is_finite() {
        // YAML's `.nan` and `.inf` (or a difference of two huge values).
        return if x.is_nan() {
            "NaN".into()
        } else {
            format!("{}∞", if x < 0.0 { "−" } else { "" })
        };
    }
    if (x - x.round()).abs() < 1e-9 {
        // f64's own formatting: `as i64` saturated (1e20 showed as
        // 9223372036854775807). `+ 0.0` turns -0 into 0.
        format!("{}", x.round() + 0.0)
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// "7.4% → 3.1% (−4.3%, better)".
pub fn describe(m: &Metric) -> String {
    let unit = m.unit.as_deref().unwrap_or("");
    let delta = m.delta();
    let sign = if delta > 0.0 {
        "+"
    } else if delta < 0.0 {
        "−"
    } else {
        "±"
    };
    let word = match verdict(m) {
        Verdict::Better => "better",
        Verdict::Worse => "worse",
        Verdict::Same => "unchanged",
    };
    format!(
        "{}{unit} → {}{unit} ({sign}{}{unit}, {word})",
        format_number(m.before),
        format_number(m.after),
        format_number(delta.abs())
    )
}

/// "−4.3%, better": the change alone, for tables that already show both values.
pub fn describe_change(m: &Metric) -> String {
    let full = describe(m);
    full.rsplit_once(" (").map_or(full.clone(), |(_, rest)| {
        rest.trim_end_matches(')').to_string()
    })
}

/// One horizontal before/after bar pair per metric, each scaled to its own maximum.
pub fn metrics_svg(metrics: &[Metric], labels: (&str, &str)) -> String {
    // Names sit above their bars so long names never collide with them.
    let row = 76.0;
    let (label_w, bar_w, width) = (0.0, 470.0, 560.0);
    let height = 28.0 + row * metrics.len() as f64;
    let mut svg = String::with_capacity(512 + 600 * metrics.len());
    let _ = write!(
        svg,
        "<svg class=\"metrics-chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"metrics-desc\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let _ = write!(svg, "<desc id=\"metrics-desc\">");
    for m in metrics {
        let _ = escape_html(&mut svg, &format!("{}: {}. ", m.name, describe(m)));
    }
    svg.push_str("</desc>");
    let _ = write!(
        svg,
        "<g class=\"legend\" aria-hidden=\"true\"><rect class=\"bar-before\" x=\"{label_w}\" y=\"4\" width=\"12\" height=\"12\"/><text x=\"{}\" y=\"14\">",
        label_w + 18.0
    );
    let _ = escape_html(&mut svg, labels.0);
    let _ = write!(
        svg,
        "</text><rect class=\"bar-after\" x=\"{}\" y=\"4\" width=\"12\" height=\"12\"/><text x=\"{}\" y=\"14\">",
        label_w + 100.0,
        label_w + 118.0
    );
    let _ = escape_html(&mut svg, labels.1);
    svg.push_str("</text></g>");
    for (i, m) in metrics.iter().enumerate() {
        let y = 28.0 + row * i as f64;
        let max = m.before.abs().max(m.after.abs()).max(f64::MIN_POSITIVE);
        let unit = m.unit.as_deref().unwrap_or("");
        let class = match verdict(m) {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Same => "same",
        };
        let _ = write!(
            svg,
            "<g class=\"metric {class}\" aria-hidden=\"true\"><text class=\"metric-name\" x=\"0\" y=\"{}\">",
            y + 13.0
        );
        let _ = escape_html(&mut svg, &m.name);
        svg.push_str("</text>");
        for (j, (value, cls)) in [(m.before, "bar-before"), (m.after, "bar-after")]
            .into_iter()
            .enumerate()
        {
            let by = y + 20.0 + 24.0 * j as f64;
            let w = (value.abs() / max * bar_w).max(1.0);
            let _ = write!(
                svg,
                "<rect class=\"{cls}\" x=\"{label_w}\" y=\"{by}\" width=\"{w:.1}\" height=\"18\" rx=\"3\"/><text class=\"bar-value\" x=\"{:.1}\" y=\"{}\">",
                label_w + w + 6.0,
                by + 14.0
            );
            let _ = escape_html(&mut svg, &format!("{}{unit}", format_number(value)));
            svg.push_str("</text>");
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
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
            "7.4% → 3.1% (−4.3%, better)"
        );
    }

    #[test]
    fn huge_opposite_values_give_a_finite_change() {
        let m = metric(-1e308, 1e308, Better::Higher);
        assert_eq!(verdict(&m), Verdict::Better);
        let text = describe(&m);
        assert!(!text.contains("inf") && !text.contains("NaN"), "{text}");
        let svg = metrics_svg(&[m], ("Before", "After"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn numbers_of_any_size() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1e20), "100000000000000000000");
        assert_eq!(format_number(-2.5), "-2.5");
        assert_eq!(format_number(7.456), "7.46");
        assert_eq!(format_number(f64::NAN), "NaN");
        assert_eq!(format_number(f64::NEG_INFINITY), "−∞");
        let svg = metrics_svg(
            &[metric(f64::NAN, f64::INFINITY, Better::Lower)],
            ("B", "A"),
        );
        assert!(
            !svg.contains("width=\"NaN\"") && !svg.contains("width=\"inf\""),
            "{svg}"
        );
    }

    #[test]
    fn svg_is_labelled_and_escaped() {
        let svg = metrics_svg(&[metric(7.4, 3.1, Better::Lower)], ("Before", "After"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<desc id=\"metrics-desc\">Missed &lt;deliveries&gt;: 7.4% → 3.1%"));
        assert!(svg.contains("class=\"metric better\""));
        assert!(!svg.contains("<deliveries>"));
    }
}
