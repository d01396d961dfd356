//! A single self-contained HTML page (no scripts, no external files) that a clinician can open
//! and print. Status is always written as a word, never shown by colour alone.

use crate::escape_markup as esc;
use hygeia_core::{ControlResult, Report, Status};
use std::fmt::Write;

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #ccc}
.meta{color:#555}.summary{font-size:1.1rem;padding:.8rem 1rem;background:#f3f4f6;border-left:6px solid #555}
.badge{display:inline-block;min-width:5.5rem;text-align:center;font-weight:700;border-radius:4px;padding:.1rem .4rem;border:1px solid}
.pass{color:#0b6b2b;background:#e6f4ea}.fail{color:#a50e0e;background:#fce8e6}.warn{color:#7a4b00;background:#fef3d6}
.unknown,.not_applicable{color:#444;background:#eee}.attested{color:#0b4f71;background:#e3f1f8}
.fix{border:1px solid #ddd;border-radius:6px;padding:.7rem 1rem;margin:1rem 0;page-break-inside:avoid}
.fix h3{margin:.2rem 0 .5rem;font-size:1.05rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #e3e3e3}
.ids{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;white-space:nowrap}
small{color:#555}ul.evidence{margin:.3rem 0;padding-left:1.2rem;color:#333;font-size:.92em}
@media print{body{margin:0;max-width:none}.fix{border-color:#999}}
"#;

fn badge(status: Status) -> String {
    format!(
        "<span class=\"badge {}\">{}</span>",
        status.as_str(),
        status.label()
    )
}

fn fix_card(out: &mut String, c: &ControlResult) {
    let _ = writeln!(out, "<section class=\"fix\">");
    let _ = writeln!(
        out,
        "<h3>{} {} <span class=\"ids\">{}</span></h3>",
        badge(c.status),
        esc(&c.title),
        esc(&c.id)
    );
    let _ = writeln!(out, "<p><strong>Found:</strong> {}</p>", esc(&c.reason));
    let _ = writeln!(
        out,
        "<p><strong>Why it matters:</strong> {}</p>",
        esc(&c.why)
    );
    let _ = writeln!(out, "<p><strong>How to fix:</strong> {}</p>", esc(&c.fix));
    evidence(out, c);
    let _ = writeln!(
        out,
        "<p><small>Severity {} &middot; {} &middot; NIST CSF {} &middot; HIPAA {}</small></p>",
        c.severity.as_str(),
        esc(&c.hicp),
        esc(&c.csf),
        esc(&c.hipaa)
    );
    out.push_str("</section>\n");
}

fn evidence(out: &mut String, c: &ControlResult) {
    if c.evidence.is_empty() {
        return;
    }
    out.push_str("<ul class=\"evidence\">");
    for line in &c.evidence {
        let _ = write!(out, "<li>{}</li>", esc(line));
    }
    out.push_str("</ul>\n");
}

/// Renders the report as one HTML page.
pub fn render_html(report: &Report) -> String {
    let mut out = String::new();
    let title = format!("Hygeia security check: {}", report.host.hostname);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        esc(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} &middot; user {} &middot; checked {} &middot; report schema {}</p>",
        esc(&report.host.os),
        esc(&report.host.user),
        esc(&report.host.collected_at),
        report.schema
    );
    let _ = writeln!(
        out,
        "<p class=\"summary\">{}</p>",
        esc(&report.summary.headline)
    );
    let to_fix = report.to_fix_first();
    if !to_fix.is_empty() {
        out.push_str("<h2>Fix these first</h2>\n");
        for c in to_fix {
            fix_card(&mut out, c);
        }
    }
    for (area, controls) in report.by_area() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<table>\n<thead><tr><th>Status</th><th>Control</th><th>What was found</th></tr></thead>\n<tbody>",
            area.heading()
        );
        for c in controls {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}<br><span class=\"ids\">{}</span></td><td>{}",
                badge(c.status),
                esc(&c.title),
                esc(&c.id),
                esc(&c.reason)
            );
            evidence(&mut out, c);
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let questions = report.awaiting_answers();
    if !questions.is_empty() {
        out.push_str("<h2>Questions only you can answer</h2>\n<p>No program can see these. Answer each one on this computer with the command shown (<code>--yes</code> if it is in place, <code>--no</code> if not); Hygeia asks again after 90 days.</p>\n<table>\n<tbody>\n");
        for c in questions {
            let _ = writeln!(
                out,
                "<tr><td>{}<br><span class=\"ids\">{}</span></td><td><code>hygeia attest {} --yes</code></td></tr>",
                esc(&c.title),
                esc(&c.id),
                esc(&c.id)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("<p><small>Generated by Hygeia from the AMA/AHA guidance for clinicians working remotely. Statuses: PASS measured and in order; FAIL measured and not in order; WARN worth attention; UNKNOWN could not be measured (the reason says why); N/A does not apply; ATTESTED declared by a person within the last 90 days.</small></p>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_self_contained_and_escaped() {
        let html = super::render_html(&crate::sample::report());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(html.contains("&lt;no LUKS&gt;"));
        assert!(html.contains("<span class=\"badge fail\">FAIL</span>"));
    }
}
