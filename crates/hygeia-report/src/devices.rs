//! `hygeia devices match` output: a terminal table, the `hygeia.devices/1` JSON document, CSV
//! for the practice's records, and a self-contained HTML page.

use crate::text::shorten;
use hygeia_core::markup::escape;
use hygeia_devices::MatchReport;
use hygeia_devices::priority::Finding;
use std::fmt::Write as _;

pub(crate) fn first_action(finding: &Finding) -> String {
    finding
        .remediation
        .iter()
        .find(|r| r.category == "vendor_fix")
        .or_else(|| finding.remediation.first())
        .map(|r| {
            let mut s = r.details.clone();
            if let Some(url) = &r.url
                && !s.contains(url.as_str())
            {
                s.push_str(&format!(" ({url})"));
            }
            s
        })
        .unwrap_or_else(|| "No remediation in the advisory: contact the maker.".to_string())
}

/// One inventory row problem on one line: where (file, line, column), whether the row was left
/// out, and what is wrong.
pub fn problem_line(problem: &hygeia_devices::inventory::RowProblem) -> String {
    let column = problem
        .column
        .as_ref()
        .map(|c| format!(" column {c}"))
        .unwrap_or_default();
    let what = if problem.skipped { "skipped" } else { "note" };
    format!("{}{column}: {what}: {}", problem.location, problem.message)
}

/// The terminal report: per device (the most urgent device first), the advisories that affect
/// it, most urgent first, each with its reasons and next step; the general steps once per device.
pub fn terminal(report: &MatchReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} finding(s) on {} device(s) from {} advisories{}.",
        report.findings.len(),
        report.devices,
        report.advisories,
        report
            .kev_version
            .as_ref()
            .map(|v| format!(", KEV {v}"))
            .unwrap_or_else(|| ", without KEV (pass --kev or run `hygeia devices update`)".into())
    );
    // Findings are sorted most urgent first, so a device's first finding is its most urgent
    // and devices come out in order of urgency.
    let mut devices: Vec<(&str, Vec<&Finding>)> = Vec::new();
    let mut position: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for f in &report.findings {
        let at = *position.entry(f.device_source.as_str()).or_insert_with(|| {
            devices.push((f.device_source.as_str(), Vec::new()));
            devices.len() - 1
        });
        devices[at].1.push(f);
    }
    for (source, findings) in &devices {
        let first = findings[0];
        let _ = writeln!(out, "\n{}  [{source}]", first.device);
        for f in findings {
            let _ = writeln!(
                out,
                "  {:<9} {:<10} {:<18} {}",
                f.priority.as_str().to_uppercase(),
                f.basis.as_str(),
                shorten(&f.advisory, 18),
                shorten(&f.cves.join(" "), 70)
            );
            let _ = writeln!(out, "      why: {}", f.priority_reasons.join(" "));
            let _ = writeln!(out, "      match: {}", f.basis_note);
            let _ = writeln!(out, "      do: {}", shorten(&first_action(f), 300));
        }
        for step in &first.general_steps {
            let _ = writeln!(out, "  - {step}");
        }
    }
    if !report.inventory_problems.is_empty() {
        let _ = writeln!(
            out,
            "\n{} inventory row(s) could not be used:",
            report.inventory_problems.len()
        );
        for p in &report.inventory_problems {
            let _ = writeln!(out, "  {}", problem_line(p));
        }
    }
    if !report.unparsed.is_empty() {
        let _ = writeln!(
            out,
            "\n{} advisory part(s) could not be interpreted (devices they may concern are listed above as `unparsed`):",
            report.unparsed.len()
        );
        for u in report.unparsed.iter().take(20) {
            let _ = writeln!(out, "  {}: {}", u.advisory, u.message);
        }
        if report.unparsed.len() > 20 {
            let _ = writeln!(
                out,
                "  ... {} more in --format json",
                report.unparsed.len() - 20
            );
        }
    }
    out
}

/// The `hygeia.devices/1` JSON document.
pub fn json(report: &MatchReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

fn csv_field(text: &str) -> String {
    // Cells starting with = + - @ are formulas to spreadsheet programs; a quote disarms them.
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One CSV line per finding.
pub fn csv(report: &MatchReport) -> String {
    let mut out = String::from(
        "priority,device,device_source,advisory,cves,basis,basis_note,kev,ransomware,epss,cvss,priority_reasons,action,url\n",
    );
    for f in &report.findings {
        let cells = [
            f.priority.as_str().to_string(),
            f.device.clone(),
            f.device_source.clone(),
            f.advisory.clone(),
            f.cves.join(" "),
            f.basis.as_str().to_string(),
            f.basis_note.clone(),
            f.kev.to_string(),
            f.ransomware.to_string(),
            f.epss.map(|e| format!("{e:.4}")).unwrap_or_default(),
            f.cvss.map(|c| format!("{c:.1}")).unwrap_or_default(),
            f.priority_reasons.join(" "),
            first_action(f),
            f.url.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// An `http://` or `https://` address (any case), the only ones the HTML report links to.
pub(crate) fn is_web_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A self-contained HTML page (no external resources) for the practice's records.
pub fn html(report: &MatchReport) -> String {
    let mut out = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Hygeia: device advisories</title><style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:70rem}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.4rem;text-align:left;vertical-align:top}th{background:#eee}.critical{font-weight:bold}</style></head><body>",
    );
    let _ = write!(
        out,
        "<h1>Device advisories</h1><p>{} finding(s) on {} device(s) from {} advisories. Generated {}.</p>",
        report.findings.len(),
        report.devices,
        report.advisories,
        escape(&report.generated_at)
    );
    out.push_str("<table><thead><tr><th>Priority</th><th>Device</th><th>Advisory</th><th>Match</th><th>Why</th><th>What to do</th></tr></thead><tbody>");
    for f in &report.findings {
        // Advisory addresses come from the feed: only web links become links, so a
        // `javascript:` address in an advisory cannot run in the report.
        let advisory = match &f.url {
            Some(url) if is_web_link(url) => {
                format!("<a href=\"{}\">{}</a>", escape(url), escape(&f.advisory))
            }
            _ => escape(&f.advisory),
        };
        let _ = write!(
            out,
            "<tr><td class=\"{p}\">{p}</td><td>{}</td><td>{advisory}<br>{}</td><td>{}: {}</td><td>{}</td><td>{}<ul>{}</ul></td></tr>",
            escape(&f.device),
            escape(&f.cves.join(" ")),
            f.basis.as_str(),
            escape(&f.basis_note),
            escape(&f.priority_reasons.join(" ")),
            escape(&first_action(f)),
            f.general_steps
                .iter()
                .map(|s| format!("<li>{}</li>", escape(s)))
                .collect::<String>(),
            p = f.priority.as_str(),
        );
    }
    out.push_str("</tbody></table>");
    if !report.unparsed.is_empty() || !report.inventory_problems.is_empty() {
        out.push_str("<h2>Not interpreted</h2><ul>");
        for p in &report.inventory_problems {
            let _ = write!(
                out,
                "<li>{}: {}</li>",
                escape(&p.location),
                escape(&p.message)
            );
        }
        for u in &report.unparsed {
            let _ = write!(
                out,
                "<li>{}: {}</li>",
                escape(&u.advisory),
                escape(&u.message)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_disarmed() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert!(is_web_link(
            "https://www.cisa.gov/news-events/ics-medical-advisories/icsma-24-030-01"
        ));
        assert!(is_web_link("HTTP://example.org/"));
        for hostile in [
            "javascript:alert(document.cookie)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "\tjavascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "//evil.example/",
        ] {
            assert!(!is_web_link(hostile), "{hostile}");
        }
    }
}
