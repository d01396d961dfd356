//! `hygeia backup status`: the 3-2-1-1-0 table as text, or the status as JSON
//! (`hygeia.backup-status/1`).

use hygeia_core::backup_state::{Coverage, StatusReport};
use std::fmt::Write as _;

/// The status as one JSON document.
pub fn status_json(report: &StatusReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn mark(ok: bool) -> &'static str {
    if ok { "yes" } else { "NO " }
}

fn rows(coverage: &Coverage, test_days: i64) -> Vec<(bool, &'static str, String)> {
    let media: Vec<&str> = coverage.media.iter().map(|m| m.label()).collect();
    let restore = match &coverage.restore_test {
        Some((name, at, 0)) => (
            true,
            format!("restore test on {name} at {at} found no error"),
        ),
        Some((name, at, errors)) => (
            false,
            format!("restore test on {name} at {at} found {errors} problem(s): see below"),
        ),
        None => (
            false,
            format!("no restore test in the last {test_days} days: run `hygeia backup verify`"),
        ),
    };
    vec![
        (
            coverage.copies >= 3,
            "3 copies",
            format!(
                "{} (the files themselves and {} recent backup(s))",
                coverage.copies,
                coverage.copies - 1
            ),
        ),
        (
            coverage.media.len() >= 2,
            "2 kinds of media",
            media.join(", "),
        ),
        (
            !coverage.offsite.is_empty(),
            "1 off-site",
            if coverage.offsite.is_empty() {
                "none: add a cloud destination or take a drive to another place".into()
            } else {
                coverage.offsite.join(", ")
            },
        ),
        (
            !coverage.offline.is_empty(),
            "1 offline or immutable",
            if coverage.offline.is_empty() {
                "none: unplug the USB drive after its backup, or use an S3 bucket with Object Lock"
                    .into()
            } else {
                coverage
                    .offline
                    .iter()
                    .map(|o| format!("{}: {}", o.destination, o.how))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        ),
        (restore.0, "0 restore errors", restore.1),
    ]
}

/// The status for a terminal.
pub fn status_text(report: &StatusReport, test_days: i64) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Backups of this computer (3-2-1-1-0), {}", report.at);
    match &report.plan {
        Some(plan) => {
            let _ = writeln!(out, "Plan: {plan}");
        }
        None => {
            let _ = writeln!(
                out,
                "No backup plan yet: make one with `hygeia backup plan` (see `hygeia backup plan --help`)."
            );
        }
    }
    let _ = writeln!(out);
    for (ok, row, detail) in rows(&report.coverage, test_days) {
        let _ = writeln!(out, "  {}  {row:<24} {detail}", mark(ok));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        if report.complete {
            "All five rows hold."
        } else {
            "Rows marked NO need attention."
        }
    );
    for destination in &report.destinations {
        let d = &destination.state;
        let _ = writeln!(out);
        let _ = writeln!(out, "{} ({}, {})", d.name, d.location, d.media.label());
        let _ = writeln!(
            out,
            "  last backup:   {}",
            d.last_success.as_deref().unwrap_or("never")
        );
        if let Some(error) = &d.last_error {
            let _ = writeln!(out, "  last attempt failed: {error}");
        }
        match destination.connected_now {
            Some(true) => {
                let _ = writeln!(out, "  connected now");
            }
            Some(false) => {
                let _ = writeln!(
                    out,
                    "  not connected now (last connected {})",
                    d.last_connected.as_deref().unwrap_or("never")
                );
            }
            None => {}
        }
        if let Some(lock) = &d.object_lock {
            let _ = writeln!(
                out,
                "  Object Lock:   {} {} days (read {})",
                lock.mode.as_deref().unwrap_or("no default mode"),
                lock.days.unwrap_or(0),
                lock.verified_at
            );
        }
        if let Some(problem) = &destination.problem {
            let _ = writeln!(out, "  problem:       {problem}");
        }
        match &d.last_verify {
            Some(v) => {
                let _ = writeln!(
                    out,
                    "  last verify:   {} ({} file(s) restored and compared, {:.0}% of the data read): {}",
                    v.at,
                    v.files_tested,
                    v.data_read_percent,
                    if v.errors.is_empty() {
                        "no error".to_string()
                    } else {
                        format!("{} problem(s)", v.errors.len())
                    }
                );
                for error in &v.errors {
                    let _ = writeln!(out, "    - {error}");
                }
                for file in &v.damaged_files {
                    let _ = writeln!(out, "    damaged: {file}");
                }
            }
            None => {
                let _ = writeln!(out, "  last verify:   never");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hygeia_core::backup_state::{
        BackupState, DestinationState, DestinationStatus, Limits, Media,
    };

    #[test]
    fn a_plan_with_one_stale_destination_shows_the_rows_that_fail() {
        let mut usb = DestinationState::new("usb", "/media/usb/h", Media::ExternalDisk, false);
        usb.last_success = Some("2026-12-04T10:00:00Z".into());
        usb.last_disconnected = Some("2026-12-04T18:00:00Z".into());
        let cloud = DestinationState::new("cloud", "s3:https://s3/b/p", Media::Cloud, false);
        let state = BackupState {
            destinations: vec![usb.clone(), cloud.clone()],
            ..Default::default()
        };
        let now = hygeia_core::time_util::parse_rfc3339("2026-12-05T00:00:00Z").unwrap();
        let coverage = Coverage::assess(&state, now, Limits::default());
        let report = StatusReport {
            schema: "hygeia.backup-status/1",
            at: "2026-12-05T00:00:00Z".into(),
            plan: Some("/home/dr/.config/hygeia/backup/plan.toml".into()),
            complete: coverage.complete(),
            coverage,
            destinations: vec![
                DestinationStatus {
                    state: usb,
                    connected_now: Some(false),
                    problem: None,
                },
                DestinationStatus {
                    state: cloud,
                    connected_now: Some(true),
                    problem: None,
                },
            ],
        };
        let text = status_text(&report, 90);
        assert!(text.contains("NO   3 copies"), "{text}");
        assert!(
            text.contains("yes  1 offline or immutable   usb: disconnected"),
            "{text}"
        );
        assert!(text.contains("NO   0 restore errors"), "{text}");
        assert!(text.contains("not connected now"), "{text}");
        let json: serde_json::Value = serde_json::from_str(&status_json(&report)).unwrap();
        assert_eq!(json["coverage"]["copies"], 2);
        assert_eq!(json["destinations"][0]["name"], "usb");
        assert_eq!(json["complete"], false);
    }
}
