//! Trend charts drawn on the server as SVG: the share of passing results per day. Each chart
//! has a sentence that says what it shows, for screen readers and for people who do not read
//! charts.

use maud::{Markup, PreEscaped, html};
use std::fmt::Write as _;

/// One day of a trend: `2026-11-28` and the share of passing results (none when nothing was
/// rolled up that day).
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    /// UTC date.
    pub day: String,
    /// Passing share, 0 to 1.
    pub pass_rate: Option<f64>,
}

/// The days from `first` for `count` days, each with its rate from `known` (sorted by day) or
/// none.
pub fn fill_days(first_unix: i64, count: i64, known: &[(String, f64)]) -> Vec<Day> {
    (0..count)
        .map(|i| {
            let day = crate::rollup::day_of(first_unix + i * 86_400);
            let pass_rate = known.iter().find(|(d, _)| *d == day).map(|(_, r)| *r);
            Day { day, pass_rate }
        })
        .collect()
}

/// What the trend did, in one sentence.
pub fn summary(days: &[Day]) -> String {
    let known: Vec<&Day> = days.iter().filter(|d| d.pass_rate.is_some()).collect();
    match (known.first(), known.last()) {
        (Some(first), Some(last)) if known.len() > 1 => format!(
            "Passing results went from {} on {} to {} on {}.",
            super::layout::percent(first.pass_rate.unwrap_or(0.0)),
            first.day,
            super::layout::percent(last.pass_rate.unwrap_or(0.0)),
            last.day
        ),
        (Some(only), _) => format!(
            "{} of results passed on {} (the only day with data so far).",
            super::layout::percent(only.pass_rate.unwrap_or(0.0)),
            only.day
        ),
        _ => "No daily figures yet: the first appear a few minutes after computers report.".into(),
    }
}

/// Polyline points for the known days, `width` × `height` with a left/top offset.
fn points(days: &[Day], left: f64, top: f64, width: f64, height: f64) -> Vec<String> {
    let step = if days.len() > 1 {
        width / (days.len() - 1) as f64
    } else {
        0.0
    };
    let mut segments = Vec::new();
    let mut current = String::new();
    for (i, day) in days.iter().enumerate() {
        match day.pass_rate {
            Some(rate) => {
                let x = left + i as f64 * step;
                let y = top + height * (1.0 - rate.clamp(0.0, 1.0));
                let _ = write!(current, "{x:.1},{y:.1} ");
            }
            // A day without data breaks the line rather than inventing a value.
            None if !current.is_empty() => segments.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

/// The large chart of the practice overview.
pub fn trend_chart(days: &[Day], label: &str) -> Markup {
    let (w, h, left, top, bottom) = (640.0, 220.0, 40.0, 10.0, 30.0);
    let plot_w = w - left - 10.0;
    let plot_h = h - top - bottom;
    let text = summary(days);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#,
        maud::html! { (label) }.into_string(),
        maud::html! { (text) }.into_string()
    );
    for pct in [0, 25, 50, 75, 100] {
        let y = top + plot_h * (1.0 - f64::from(pct) / 100.0);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text x="{}" y="{:.1}" text-anchor="end">{pct}%</text>"#,
            left + plot_w,
            left - 6.0,
            y + 4.0
        );
    }
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        let _ = write!(
            svg,
            r#"<text x="{left}" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}</text>"#,
            h - 8.0,
            first.day,
            left + plot_w,
            h - 8.0,
            last.day
        );
    }
    for segment in points(days, left, top, plot_w, plot_h) {
        if segment.split(' ').filter(|p| !p.is_empty()).count() == 1 {
            let (x, y) = segment.trim().split_once(',').unwrap_or(("0", "0"));
            let _ = write!(svg, r##"<circle cx="{x}" cy="{y}" r="3" fill="#16325c"/>"##);
        } else {
            let _ = write!(
                svg,
                r#"<polyline class="line" points="{}"/>"#,
                segment.trim()
            );
        }
    }
    svg.push_str("</svg>");
    html! {
        figure {
            (PreEscaped(svg))
            figcaption.hint { (text) }
        }
    }
}

/// A small line for a table row (the insurer's list of practices).
pub fn sparkline(days: &[Day]) -> Markup {
    let (w, h) = (120.0, 28.0);
    let mut svg = format!(
        r#"<svg class="spark" viewBox="0 0 {w} {h}" role="img" aria-label="{}">"#,
        maud::html! { (summary(days)) }.into_string()
    );
    for segment in points(days, 2.0, 2.0, w - 4.0, h - 4.0) {
        let _ = write!(
            svg,
            r#"<polyline class="line" points="{}"/>"#,
            segment.trim()
        );
    }
    svg.push_str("</svg>");
    html! { (PreEscaped(svg)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_break_the_line_and_the_summary_names_the_ends() {
        let days = fill_days(
            1_795_860_000,
            4,
            &[
                ("2026-11-28".into(), 0.5),
                ("2026-11-29".into(), 0.6),
                ("2026-12-01".into(), 0.9),
            ],
        );
        assert_eq!(days[2].pass_rate, None);
        assert_eq!(points(&days, 0.0, 0.0, 30.0, 100.0).len(), 2);
        assert_eq!(
            summary(&days),
            "Passing results went from 50% on 2026-11-28 to 90% on 2026-12-01."
        );
        let svg = trend_chart(&days, "Trend").into_string();
        assert!(
            svg.contains("<polyline") && svg.contains("<circle"),
            "{svg}"
        );
    }

    #[test]
    fn an_empty_trend_says_so() {
        let days = fill_days(0, 3, &[]);
        assert!(summary(&days).starts_with("No daily figures yet"));
        assert!(!sparkline(&days).into_string().contains("polyline"));
    }
}
