//! The terminal report: what to fix first, then every control by guidance area, then a
//! one-line summary.

use hygeia_core::{ControlResult, Report, Status};
use std::fmt::Write;

const WIDTH: usize = 100;

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn status_word(status: Status, color: bool) -> String {
    let label = format!("{:<8}", status.label());
    let code = match status {
        Status::Pass => "32",
        Status::Fail => "1;31",
        Status::Warn => "33",
        Status::Unknown => "2",
        Status::NotApplicable => "2",
        Status::Attested => "36",
    };
    paint(&label, code, color)
}

/// Word-wraps `text` to the report width with `indent` spaces on every line.
fn wrap(text: &str, indent: usize) -> String {
    wrap_hanging(text, indent, indent)
}

/// Word-wraps with `first` spaces before the first line and `rest` before the others.
fn wrap_hanging(text: &str, first: usize, rest: usize) -> String {
    let mut out = String::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        let mut indent = first;
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && indent + line.chars().count() + 1 + word.chars().count() > WIDTH
            {
                let _ = writeln!(out, "{}{}", " ".repeat(indent), line);
                line.clear();
                indent = rest;
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        let _ = writeln!(out, "{}{}", " ".repeat(indent), line);
    }
    out
}

fn fix_entry(out: &mut String, number: usize, c: &ControlResult, color: bool) {
    let title = paint(&c.title, "1", color);
    let _ = writeln!(
        out,
        "{number:>3}. {} {:<8} {}  {title}",
        status_word(c.status, color),
        c.severity.as_str(),
        c.id
    );
    out.push_str(&wrap(&c.reason, 6));
    out.push_str(&wrap(&format!("Why it matters: {}", c.why), 6));
    out.push_str(&wrap(&format!("How to fix: {}", c.fix), 6));
    for line in c.evidence.iter().take(6) {
        out.push_str(&wrap_hanging(&format!("- {line}"), 8, 10));
    }
    out.push('\n');
}

/// Renders the report for a terminal; `color` adds ANSI colours.
pub fn render_terminal(report: &Report, color: bool) -> String {
    let mut out = String::new();
    let for_user = if report.host.user.is_empty() {
        String::new()
    } else {
        format!(" for {}", report.host.user)
    };
    let heading = format!(
        "Hygeia check of {} ({}){for_user}, {}",
        report.host.hostname, report.host.os, report.host.collected_at
    );
    let _ = writeln!(out, "{}", paint(&heading, "1", color));
    // `hygeia devices report` reads an inventory and `hygeia phone check` a phone, not this
    // computer: their sources say so themselves.
    if report.host.source.starts_with("inventory ") || report.host.source.starts_with("phone ") {
        let _ = writeln!(out, "Read from the device {}.", report.host.source);
    } else if report.host.source != "live" {
        let _ = writeln!(
            out,
            "Evaluated from a saved snapshot ({}).",
            report.host.source
        );
    }
    out.push('\n');
    let to_fix = report.to_fix_first();
    if to_fix.is_empty() {
        let _ = writeln!(
            out,
            "Nothing to fix among the controls Hygeia could measure.\n"
        );
    } else {
        let _ = writeln!(out, "{}\n", paint("Fix these first", "1;4", color));
        for (i, control) in to_fix.iter().enumerate() {
            fix_entry(&mut out, i + 1, control, color);
        }
    }
    for (area, controls) in report.by_area() {
        let _ = writeln!(out, "{}", paint(area.heading(), "1;4", color));
        for c in controls {
            let _ = writeln!(
                out,
                "  {} {:<10} {}",
                status_word(c.status, color),
                c.id,
                c.title
            );
            if !c.needs_action() {
                out.push_str(&paint(&wrap(&c.reason, 22), "2", color));
            }
        }
        out.push('\n');
    }
    let questions = report.awaiting_answers();
    if !questions.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint("Questions only you can answer", "1;4", color)
        );
        out.push_str(&wrap(
            "No program can see these. Answer each one (yes if it is in place, no if not); Hygeia asks again after 90 days.",
            2,
        ));
        for c in questions {
            let _ = writeln!(out, "  hygeia attest {:<10} --yes|--no   {}", c.id, c.title);
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{}",
        paint(&format!("Summary: {}", report.summary.headline), "1", color)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leads_with_fixes_and_ends_with_summary() {
        let text = render_terminal(&crate::sample::report(), false);
        let fix_at = text.find("Fix these first").unwrap_or(usize::MAX);
        let disk_at = text.find("HY-PC-005").unwrap_or(usize::MAX);
        assert!(fix_at < disk_at);
        assert!(text.contains("How to fix: Linux can only encrypt"));
        assert!(
            text.trim_end()
                .lines()
                .last()
                .is_some_and(|l| l.starts_with("Summary: "))
        );
        assert!(!text.contains('\x1b'));
        assert!(render_terminal(&crate::sample::report(), true).contains("\x1b[1;31m"));
    }

    #[test]
    fn wraps_long_lines() {
        let wrapped = wrap(&"word ".repeat(60), 4);
        assert!(wrapped.lines().all(|l| l.chars().count() <= WIDTH));
    }
}
