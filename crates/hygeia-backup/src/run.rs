//! `hygeia backup run` with the saved plan: every destination in turn, each one's outcome
//! written to the backup history as soon as it is known, so a crash loses nothing. A USB drive
//! that is unplugged is not a failure: it is the offline copy, and the history says since when.

use crate::BackupError;
use crate::location::Location;
use crate::plan::Plan;
use crate::repository::{self, BackupSummary, FolderState};
use crate::verify::VerifyOptions;
use hygeia_core::backup_state::{BackupState, DestinationState, ObjectLockState, VerifyRecord};
use std::path::Path;

/// What happened at one destination.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A snapshot was saved; `forgotten` old snapshots were removed by the retention.
    BackedUp {
        /// The backup.
        summary: BackupSummary,
        /// Snapshots removed by the retention.
        forgotten: usize,
        /// The restore test run after it, when one was due.
        verified: Option<VerifyRecord>,
    },
    /// A folder destination was not connected (its drive unplugged).
    Disconnected,
    /// The backup failed.
    Failed(String),
}

/// One destination's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct DestinationOutcome {
    /// The plan's name for it.
    pub name: String,
    /// Where.
    pub location: String,
    /// What happened.
    pub outcome: Outcome,
}

/// The restore test a plan run makes when one is due: a sample of files and 5 % of the data.
const SCHEDULED_VERIFY: VerifyOptions = VerifyOptions {
    read_data_percent: 5.0,
    sample_files: 20,
};

/// Whether the plan wants a restore test now, given the destination's last one.
fn verify_due(plan: &Plan, last: Option<&VerifyRecord>) -> bool {
    if plan.verify_every_days == 0 {
        return false;
    }
    let last = last.and_then(|v| hygeia_core::time_util::parse_rfc3339(&v.at));
    last.is_none_or(|at| {
        hygeia_core::time_util::days_between(at, time::OffsetDateTime::now_utc())
            >= i64::from(plan.verify_every_days)
    })
}

/// The record of a verify that could not even open the repository: a failed restore test.
fn failed_verify(why: String) -> VerifyRecord {
    VerifyRecord {
        at: now(),
        snapshot: None,
        files_tested: 0,
        bytes_compared: 0,
        data_read_percent: 0.0,
        errors: vec![why],
        damaged_files: Vec::new(),
    }
}

fn now() -> String {
    hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc())
}

/// The history entry for a destination, created when it is new; its location and kind are
/// refreshed from the plan every run.
pub(crate) fn entry<'a>(
    state: &'a mut BackupState,
    plan: &Plan,
    name: &str,
) -> Option<&'a mut DestinationState> {
    let destination = plan.destinations.iter().find(|d| d.name == name)?;
    let location = Location::parse(&destination.repo).ok()?;
    let media = crate::media::of_location(&location, &plan.sources);
    let position = match state.destinations.iter().position(|d| d.name == name) {
        Some(position) => position,
        None => {
            state.destinations.push(DestinationState::new(
                name,
                &location.to_string(),
                media,
                destination.offsite,
            ));
            state.destinations.len() - 1
        }
    };
    let entry = &mut state.destinations[position];
    entry.location = location.to_string();
    // An unplugged drive cannot be looked at: it keeps the kind seen when it was connected.
    if repository::folder_connected(&location) {
        entry.media = media;
    }
    entry.offsite = destination.offsite;
    Some(entry)
}

/// Runs the plan: backs the sources up to every connected destination, applies the retention,
/// reads S3 Object Lock, and records it all in `dir`'s history.
pub fn run_plan(
    plan: &Plan,
    dir: &Path,
    password: &str,
) -> Result<Vec<DestinationOutcome>, BackupError> {
    plan.validate()?;
    let mut state = crate::state::load(dir)?;
    // Destinations removed from the plan leave the history.
    state
        .destinations
        .retain(|d| plan.destinations.iter().any(|p| p.name == d.name));
    let mut outcomes = Vec::new();
    for destination in &plan.destinations {
        let location = Location::parse(&destination.repo)?;
        let Some(record) = entry(&mut state, plan, &destination.name) else {
            continue;
        };
        let at = now();
        let state_now = repository::folder_state(&location);
        let outcome = if state_now == FolderState::Disconnected {
            record.last_disconnected = Some(at);
            Outcome::Disconnected
        } else if state_now == FolderState::NoRepository {
            let why = BackupError::NotARepository(location.to_string()).to_string();
            record.last_attempt = Some(at);
            record.last_error = Some(why.clone());
            Outcome::Failed(why)
        } else {
            record.last_attempt = Some(at.clone());
            match backup_one(plan, &location, password) {
                Ok((summary, forgotten, lock)) => {
                    record.last_success = Some(at.clone());
                    record.last_connected = Some(at.clone());
                    record.last_snapshot = Some(summary.snapshot.clone());
                    record.last_error = None;
                    if let Some(lock) = lock {
                        record.object_lock = lock.map(|lock| ObjectLockState {
                            mode: lock.mode,
                            days: lock.days,
                            verified_at: at.clone(),
                        });
                    }
                    // The restore test comes due with the backups, so HY-BK-005 stays measured
                    // without anyone remembering to run it.
                    let verified = verify_due(plan, record.last_verify.as_ref()).then(|| {
                        let verified = crate::verify::verify(&location, password, SCHEDULED_VERIFY)
                            .unwrap_or_else(|error| failed_verify(error.to_string()));
                        record.last_verify = Some(verified.clone());
                        verified
                    });
                    Outcome::BackedUp {
                        summary,
                        forgotten,
                        verified,
                    }
                }
                Err(error) => {
                    record.last_error = Some(error.to_string());
                    Outcome::Failed(error.to_string())
                }
            }
        };
        crate::state::save(dir, &state)?;
        outcomes.push(DestinationOutcome {
            name: destination.name.clone(),
            location: location.to_string(),
            outcome,
        });
    }
    Ok(outcomes)
}

type ObjectLockReading = Option<Option<crate::s3::client::ObjectLock>>;

fn backup_one(
    plan: &Plan,
    location: &Location,
    password: &str,
) -> Result<(BackupSummary, usize, ObjectLockReading), BackupError> {
    let summary = repository::backup(location, password, &plan.sources, &plan.excludes)?;
    let forgotten =
        crate::retention::apply_retention(location, password, &summary.snapshot, &plan.retention)?;
    let lock = match location {
        Location::S3 { .. } => Some(repository::object_lock(location)?),
        _ => None,
    };
    Ok((summary, forgotten, lock))
}

/// What `verify` found at one destination.
#[derive(Debug, Clone, PartialEq)]
pub enum Verified {
    /// The verify ran; its record (with any errors) is in the history.
    Done(hygeia_core::backup_state::VerifyRecord),
    /// A folder destination was not connected.
    Disconnected,
}

/// Verifies every connected destination of `plan` (or only `only`, by name) and records each
/// result in `dir`'s history. A verify that cannot even open the repository is recorded as a
/// failed one: a backup nobody can open is the failure a restore test exists to find.
pub fn verify_plan(
    plan: &Plan,
    dir: &Path,
    password: &str,
    only: Option<&str>,
    options: crate::verify::VerifyOptions,
) -> Result<Vec<(String, Verified)>, BackupError> {
    let mut state = crate::state::load(dir)?;
    let mut results = Vec::new();
    for destination in &plan.destinations {
        if only.is_some_and(|name| name != destination.name) {
            continue;
        }
        let location = Location::parse(&destination.repo)?;
        let Some(record) = entry(&mut state, plan, &destination.name) else {
            continue;
        };
        if repository::folder_state(&location) == FolderState::Disconnected {
            record.last_disconnected = Some(now());
            results.push((destination.name.clone(), Verified::Disconnected));
            continue;
        }
        let verified =
            crate::verify::verify(&location, password, options).unwrap_or_else(|error| {
                hygeia_core::backup_state::VerifyRecord {
                    at: now(),
                    snapshot: None,
                    files_tested: 0,
                    bytes_compared: 0,
                    data_read_percent: 0.0,
                    errors: vec![error.to_string()],
                    damaged_files: Vec::new(),
                }
            });
        record.last_verify = Some(verified.clone());
        crate::state::save(dir, &state)?;
        results.push((destination.name.clone(), Verified::Done(verified)));
    }
    Ok(results)
}
