//! JUnit XML: one test suite per guidance area, one test case per control. `fail` is a
//! failure, `unknown` and `not_applicable` are skipped, everything else passes.

use crate::escape_markup as esc;
use hygeia_core::{Area, Report, Status};
use std::fmt::Write;

/// Renders the report as JUnit XML.
pub fn render_junit(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failures = report
        .controls
        .iter()
        .filter(|c| c.status == Status::Fail)
        .count();
    let _ = writeln!(
        out,
        "<testsuites name=\"hygeia check {}\" tests=\"{}\" failures=\"{failures}\">",
        esc(&report.host.hostname),
        report.controls.len()
    );
    for area in Area::ALL {
        let controls: Vec<_> = report.controls.iter().filter(|c| c.area == area).collect();
        if controls.is_empty() {
            continue;
        }
        let failed = controls.iter().filter(|c| c.status == Status::Fail).count();
        let skipped = controls
            .iter()
            .filter(|c| matches!(c.status, Status::Unknown | Status::NotApplicable))
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" skipped=\"{skipped}\" timestamp=\"{}\">",
            area.as_str(),
            controls.len(),
            esc(&report.generated_at)
        );
        for c in controls {
            let _ = write!(
                out,
                "    <testcase classname=\"hygeia.{}\" name=\"{} {}\"",
                area.as_str(),
                esc(&c.id),
                esc(&c.title)
            );
            let evidence = c.evidence.join("\n");
            match c.status {
                Status::Fail => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}\n\nHow to fix: {}</failure>\n    </testcase>",
                        esc(&c.reason),
                        c.severity.as_str(),
                        esc(&evidence),
                        esc(&c.fix)
                    );
                }
                Status::Unknown | Status::NotApplicable => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        esc(&c.reason)
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        ">\n      <system-out>{}: {}</system-out>\n    </testcase>",
                        c.status.as_str(),
                        esc(&c.reason)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn marks_failures_and_skips() {
        let xml = super::render_junit(&crate::sample::report());
        assert!(xml.contains("<failure message=\"The system disk is on /dev/vda, which is not encrypted.\" type=\"critical\">"));
        assert!(xml.contains("&lt;no LUKS&gt;"));
        assert!(xml.contains("<skipped message="));
        assert_eq!(
            xml.matches("<testcase ").count(),
            xml.matches("</testcase>").count()
        );
    }
}
