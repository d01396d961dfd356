//! From a snapshot to the `hygeia.check/1` report: what `hygeia check` prints and the agent
//! sends, built the same way by both.

use crate::Snapshot;
use hygeia_core::{Attestation, Catalog, HostInfo, Measured, Platform, Report, attested_finding};
use std::collections::BTreeMap;
use std::path::Path;

/// The snapshot to judge: read from `saved` (a folder of `--save-snapshot`), or collected now
/// from this computer. Also returns where it came from (`live` or `snapshot DIR`).
pub fn obtain_snapshot(
    saved: Option<&Path>,
    catalog: &Catalog,
    options: &crate::Options,
) -> Result<(Snapshot, String), String> {
    if let Some(dir) = saved {
        let snapshot = Snapshot::load(dir).map_err(|e| e.to_string())?;
        return Ok((snapshot, format!("snapshot {}", dir.display())));
    }
    let platform = Platform::current().ok_or_else(|| {
        "this operating system is not supported; Hygeia checks Linux, macOS and Windows".to_string()
    })?;
    Ok((
        crate::collect_with(platform, catalog, options),
        "live".into(),
    ))
}

/// The report of a snapshot: every catalog control's finding, attested controls from the
/// stored `answers` as they stand at `now`.
pub fn build_report(
    catalog: &Catalog,
    snapshot: &Snapshot,
    source: String,
    answers: &BTreeMap<String, Attestation>,
    now: time::OffsetDateTime,
) -> Report {
    let mut findings = crate::evaluate(snapshot, catalog);
    for control in catalog
        .controls
        .iter()
        .filter(|c| c.measured == Measured::Attested)
    {
        findings.insert(
            control.id.clone(),
            attested_finding(&control.id, answers.get(&control.id), now),
        );
    }
    // An automatic control that takes an answer uses it only when its rule measured nothing:
    // a measurement always wins over what a person said.
    for control in catalog.controls.iter().filter(|c| c.attestable) {
        let unmeasured = findings
            .get(&control.id)
            .is_none_or(|f| f.status == hygeia_core::Status::Unknown);
        if unmeasured && let Some(answer) = answers.get(&control.id) {
            findings.insert(
                control.id.clone(),
                attested_finding(&control.id, Some(answer), now),
            );
        }
    }
    let host = HostInfo {
        hostname: snapshot.context.hostname.clone(),
        platform: snapshot.platform,
        os: crate::describe_os(snapshot),
        user: snapshot.context.user.clone(),
        source,
        collected_at: snapshot.collected_at.clone(),
    };
    Report::build(
        host,
        hygeia_core::time_util::rfc3339(now),
        catalog,
        findings,
        answers,
    )
}
