//! HY-BK-003..005: the offline copy, the off-site copy and the restore test, measured from the
//! history `hygeia backup` keeps (`backup/state.json`). Without that history the controls stay
//! `unknown` and a person's answer (`hygeia attest`) is used instead.

use super::Input;
use hygeia_core::backup_state::{BackupState, Coverage, Limits, SCHEMA};
use hygeia_core::{Finding, UnknownCause};

/// The probe that reads the history.
pub const STATE_PROBE: &str = "hygeia_backup_state";

fn limits(input: &Input) -> Limits {
    Limits::from_catalog(input.catalog)
}

/// The assessed history, or the `unknown` finding that says why there is none.
fn coverage(input: &Input) -> Result<(BackupState, Coverage), Finding> {
    let no_history = || {
        Finding::unknown(
            UnknownCause::Inconclusive,
            "Hygeia has no backup history for this account: set up backups with `hygeia backup plan` (or answer the question with `hygeia attest`).",
        )
    };
    let file = input
        .file(STATE_PROBE, "Hygeia's backup history")?
        .ok_or_else(no_history)?;
    let state: BackupState = serde_json::from_str(file.content)
        .ok()
        .filter(|s: &BackupState| s.schema == SCHEMA)
        .ok_or_else(|| {
            Finding::unknown(
                UnknownCause::Unreadable,
                format!(
                    "Hygeia's backup history ({}) is damaged.",
                    input.source(STATE_PROBE)
                ),
            )
        })?;
    if state.destinations.is_empty() {
        return Err(no_history());
    }
    let coverage = Coverage::assess(&state, input.observed_at, limits(input));
    Ok((state, coverage))
}

/// HY-BK-003: a copy that ransomware on this computer cannot reach, on other media.
pub fn offline_copy(input: &Input) -> Finding {
    let (state, coverage) = match coverage(input) {
        Ok(found) => found,
        Err(finding) => return finding,
    };
    let offline = &coverage.offline;
    if let Some(first) = offline.first() {
        return Finding::pass(format!(
            "{} is a backup copy that ransomware on this computer cannot reach ({}).",
            first.destination, first.how
        ))
        .with_all(
            offline
                .iter()
                .map(|o| format!("{}: {}", o.destination, o.how)),
        );
    }
    let evidence = state.destinations.iter().map(|d| {
        format!(
            "{} ({}): last backup {}, last seen unplugged {}{}",
            d.name,
            d.media.label(),
            d.last_success.as_deref().unwrap_or("never"),
            d.last_disconnected.as_deref().unwrap_or("never"),
            if d.object_lock.as_ref().is_some_and(|l| l.days.is_some()) {
                ", Object Lock set"
            } else {
                ""
            }
        )
    });
    Finding::fail(
        "No backup copy is offline: every destination stayed connected since its last backup, and none is locked against deletion.",
    )
    .with_all(evidence)
}

/// HY-BK-004: a copy away from the computer.
pub fn offsite_copy(input: &Input) -> Finding {
    let (state, coverage) = match coverage(input) {
        Ok(found) => found,
        Err(finding) => return finding,
    };
    if !coverage.offsite.is_empty() {
        return Finding::pass(format!(
            "A recent backup is kept off-site: {}.",
            coverage.offsite.join(", ")
        ))
        .with_all(
            state
                .destinations
                .iter()
                .filter(|d| coverage.offsite.contains(&d.name))
                .map(|d| {
                    format!(
                        "{} ({}, {}): last backup {}",
                        d.name,
                        d.location,
                        d.media.label(),
                        d.last_success.as_deref().unwrap_or("never")
                    )
                }),
        );
    }
    Finding::fail("No recent backup is kept off-site or in the cloud.").with_all(
        state
            .destinations
            .iter()
            .map(|d| format!("{} ({}): not off-site", d.name, d.media.label()))
            .chain(coverage.stale.iter().map(|s| format!("not recent: {s}"))),
    )
}

/// HY-BK-005: a restore test, recent and without error.
pub fn restore_tested(input: &Input) -> Finding {
    let (state, coverage) = match coverage(input) {
        Ok(found) => found,
        Err(finding) => return finding,
    };
    let days = limits(input).restore_test_max_age_days;
    match &coverage.restore_test {
        Some((name, at, 0)) => {
            let verify = state
                .destinations
                .iter()
                .find(|d| d.name == *name)
                .and_then(|d| d.last_verify.as_ref());
            Finding::pass(format!(
                "A restore test from {name} at {at} got every sampled file back intact."
            ))
            .with_all(verify.map(|v| {
                format!(
                    "{} file(s), {} bytes restored and compared byte for byte; {:.0}% of the stored data read back",
                    v.files_tested, v.bytes_compared, v.data_read_percent
                )
            }))
        }
        Some((name, at, _)) => {
            let errors = state
                .destinations
                .iter()
                .find(|d| d.name == *name)
                .and_then(|d| d.last_verify.as_ref())
                .map(|v| v.errors.clone())
                .unwrap_or_default();
            Finding::fail(format!(
                "The restore test from {name} at {at} found problems: the backup cannot be trusted until they are fixed."
            ))
            .with_all(errors)
        }
        None => Finding::fail(format!("No restore test in the last {days} days.")).with_all(
            state.destinations.iter().map(|d| {
                format!(
                    "{}: last verify {}",
                    d.name,
                    d.last_verify
                        .as_ref()
                        .map(|v| v.at.as_str())
                        .unwrap_or("never")
                )
            }),
        ),
    }
}
