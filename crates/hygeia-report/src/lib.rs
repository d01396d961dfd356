//! Every renderer of Hygeia's reports, in one place with one escaper:
//!
//! - a `hygeia check` [`Report`]: terminal text, JSON (`hygeia.check/1`), a self-contained HTML
//!   page, JUnit XML for CI pipelines ([`render_terminal`], [`render_json`], [`render_html`],
//!   [`render_junit`]);
//! - `hygeia devices match`: terminal, JSON, CSV and HTML ([`devices`]);
//! - `hygeia mail scan` and `eval`: terminal and JSON ([`mail`]);
//! - `hygeia backup status`: the 3-2-1-1-0 table and JSON ([`backup`]);
//! - SARIF 2.1.0 of all three ([`sarif`]).
//!
//! The dashboard's pages (`hygeia-server/src/pages`) render with maud, on the same escaping
//! rules.

pub mod backup;
pub mod devices;
mod html;
mod junit;
pub mod mail;
pub mod sarif;
mod terminal;
mod text;

pub use html::render_html;
pub use junit::render_junit;
pub use terminal::render_terminal;

use hygeia_core::Report;

/// The `hygeia.check/1` JSON document.
pub fn render_json(report: &Report) -> String {
    // Serialising plain data to a String cannot fail; fall back to an error object anyway.
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Escapes text for HTML and XML (the project's one escaper, in `hygeia-core`).
pub(crate) use hygeia_core::markup::escape as escape_markup;

#[cfg(test)]
mod snapshots;

#[cfg(test)]
pub(crate) mod sample {
    use hygeia_core::{Catalog, Finding, HostInfo, Measured, Platform, Report};
    use std::collections::BTreeMap;

    /// A small report with every status, for renderer tests.
    pub fn report() -> Report {
        let catalog = Catalog::builtin()
            .unwrap_or_else(|e| panic!("{e}"))
            .restricted_to(|c| c.measured != Measured::Inventory);
        let mut findings = BTreeMap::new();
        findings.insert(
            "HY-PC-001".to_string(),
            Finding::pass("Debian 12 receives security updates until 2028-06-30.")
                .with("operating system: Debian GNU/Linux 12"),
        );
        findings.insert(
            "HY-PC-005".to_string(),
            Finding::fail("The system disk is on /dev/vda, which is not encrypted.")
                .with("/ is on /dev/vda (ext4) <no LUKS>"),
        );
        findings.insert(
            "HY-PC-011".to_string(),
            Finding::warn("1 service(s) accept connections from the network."),
        );
        findings.insert(
            "HY-NET-002".to_string(),
            Finding::not_applicable("This computer is not connected to Wi-Fi right now."),
        );
        let host = HostInfo {
            hostname: "exam-room-3".into(),
            platform: Platform::Linux,
            os: "Debian GNU/Linux 12 (bookworm)".into(),
            user: "drlee".into(),
            source: "live".into(),
            collected_at: "2026-11-28T12:00:00Z".into(),
        };
        Report::build(
            host,
            "2026-11-28T12:00:01Z".into(),
            &catalog,
            findings,
            &BTreeMap::new(),
        )
    }
}
