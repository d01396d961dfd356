//! `hygeia backup status`: the 3-2-1-1-0 table for this computer. Looking is evidence too: a
//! USB destination found unplugged is recorded (it is the offline copy), and an S3
//! destination's Object Lock is read again from the bucket.

use crate::BackupError;
use crate::location::Location;
use crate::plan::Plan;
use crate::repository;
use hygeia_core::backup_state::{
    Coverage, DestinationStatus, Limits, ObjectLockState, StatusReport,
};
use std::path::Path;

/// The status schema name.
pub const STATUS_SCHEMA: &str = "hygeia.backup-status/1";

/// Looks at every destination of `plan` (when there is one) and assesses the history in `dir`.
pub fn status(
    plan: Option<&Plan>,
    dir: &Path,
    limits: Limits,
) -> Result<StatusReport, BackupError> {
    let mut state = crate::state::load(dir)?;
    let now = time::OffsetDateTime::now_utc();
    let at = hygeia_core::time_util::rfc3339(now);
    let mut looked = Vec::new();
    if let Some(plan) = plan {
        for destination in &plan.destinations {
            let location = Location::parse(&destination.repo)?;
            let Some(record) = crate::run::entry(&mut state, plan, &destination.name) else {
                continue;
            };
            let mut problem = None;
            let connected = repository::folder_connected(&location);
            if let Location::Folder(_) = location {
                if connected {
                    record.last_connected = Some(at.clone());
                } else {
                    record.last_disconnected = Some(at.clone());
                }
            }
            if let Location::S3 { .. } = location {
                match repository::object_lock(&location) {
                    Ok(lock) => {
                        record.object_lock = lock.map(|lock| ObjectLockState {
                            mode: lock.mode,
                            days: lock.days,
                            verified_at: at.clone(),
                        });
                    }
                    Err(error) => problem = Some(error.to_string()),
                }
            }
            looked.push((destination.name.clone(), connected, problem));
        }
        crate::state::save(dir, &state)?;
    }
    let coverage = Coverage::assess(&state, now, limits);
    let complete = coverage.complete();
    let destinations = state
        .destinations
        .into_iter()
        .map(|d| {
            let seen = looked.iter().find(|(name, ..)| *name == d.name);
            DestinationStatus {
                connected_now: seen.map(|(_, connected, _)| *connected),
                problem: seen.and_then(|(_, _, problem)| problem.clone()),
                state: d,
            }
        })
        .collect();
    Ok(StatusReport {
        schema: STATUS_SCHEMA,
        at,
        plan: plan.map(|_| dir.join(crate::plan::PLAN_FILE).display().to_string()),
        destinations,
        coverage,
        complete,
    })
}
