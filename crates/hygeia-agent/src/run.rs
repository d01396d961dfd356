//! The agent's cycle: run the audit on schedule (every hour ± 10% by default, so a practice's
//! computers do not all report in the same second), queue the report, send what is queued
//! oldest first, and back off exponentially while the server cannot be reached.

use crate::client::{Client, ClientError, Sent};
use crate::queue::Queue;
use crate::state::{self, Enrolment, StateError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why the agent stopped.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// State directory.
    #[error(transparent)]
    State(#[from] StateError),
    /// Server.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The audit itself failed.
    #[error("the audit of this computer failed: {0}")]
    Audit(String),
    /// An administrator removed this computer from the server.
    #[error(
        "this computer was removed from the server ({0}); it no longer reports. To enroll it again, ask the practice administrator for a new enroll secret and run `hygeia agent enroll`"
    )]
    Removed(String),
    /// `--once` could not deliver everything.
    #[error(
        "{0} report(s) could not be sent ({1}); they stay queued in {2} and go out with the next run"
    )]
    StillQueued(usize, String, PathBuf),
}

/// How the agent runs.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Between audits.
    pub interval: Duration,
    /// Share of the interval by which each wait varies (0.1 = ±10%).
    pub jitter: f64,
    /// First wait after a failed send; doubles up to `max_backoff`.
    pub first_backoff: Duration,
    /// Longest wait between retries.
    pub max_backoff: Duration,
    /// Attempts to send before `--once` gives up.
    pub once_attempts: u32,
}

impl Default for Schedule {
    fn default() -> Schedule {
        Schedule {
            interval: Duration::from_secs(3600),
            jitter: 0.1,
            first_backoff: Duration::from_secs(15),
            max_backoff: Duration::from_secs(15 * 60),
            once_attempts: 4,
        }
    }
}

/// A factor in [1 - jitter, 1 + jitter].
fn jittered(duration: Duration, jitter: f64) -> Duration {
    let mut bytes = [0u8; 8];
    let unit = if getrandom::fill(&mut bytes).is_ok() {
        (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
    } else {
        0.5
    };
    duration.mul_f64(1.0 + jitter.clamp(0.0, 0.9) * (2.0 * unit - 1.0))
}

/// Facts about this computer for enrolment.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Host name.
    pub hostname: String,
    /// `linux`, `macos`, `windows`.
    pub os: String,
    /// Operating system version for people.
    pub os_version: String,
}

/// Enrolls this computer and saves the node key.
pub fn enroll(
    state_dir: &Path,
    server: &str,
    secret: &str,
    ca_file: Option<&Path>,
    identity: &Identity,
) -> Result<Enrolment, AgentError> {
    let client = Client::new(server, ca_file)?;
    let (host_id, node_key) = client.enroll(
        secret.trim(),
        &identity.hostname,
        &identity.os,
        &identity.os_version,
    )?;
    let enrolment = Enrolment {
        server: client.server().to_string(),
        ca_file: ca_file.map(Path::to_path_buf),
        node_key,
        host_id,
        removed: None,
    };
    state::save(state_dir, &enrolment)?;
    Ok(enrolment)
}

/// What one delivery attempt achieved.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Reports the server took, by its answer (`stored`, `unchanged`, `duplicate`).
    pub accepted: Vec<String>,
    /// Reports the server refused for good (kept aside in `rejected/`).
    pub rejected: usize,
    /// Still queued, and why the last attempt stopped.
    pub waiting: Option<(usize, String)>,
}

/// The enrolment, unless an administrator removed this computer.
fn active_enrolment(state_dir: &Path) -> Result<Enrolment, AgentError> {
    let enrolment = state::load(state_dir)?;
    match &enrolment.removed {
        Some(removed) => Err(AgentError::Removed(format!(
            "the server said so on {}: {}",
            removed.at, removed.message
        ))),
        None => Ok(enrolment),
    }
}

/// Records that the server removed this computer, so that the agent stays stopped and
/// `agent status` can say why.
fn mark_removed(
    state_dir: &Path,
    mut enrolment: Enrolment,
    message: String,
) -> Result<AgentError, AgentError> {
    let at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    enrolment.removed = Some(state::Removed {
        at: at.clone(),
        message: message.clone(),
    });
    state::save(state_dir, &enrolment)?;
    Ok(AgentError::Removed(format!(
        "the server said so on {at}: {message}"
    )))
}

/// Sends every queued report, oldest first; stops at the first one that must wait.
pub fn deliver(state_dir: &Path, log: &dyn Fn(&str)) -> Result<Delivery, AgentError> {
    let enrolment = active_enrolment(state_dir)?;
    let client = Client::new(&enrolment.server, enrolment.ca_file.as_deref())?;
    let queue = Queue::new(state_dir);
    let mut delivery = Delivery::default();
    let queued = queue.list()?;
    let mut remaining = queued.len();
    for item in queued {
        let body = match std::fs::read(&item.path) {
            Ok(body) => body,
            Err(_) => {
                remaining -= 1;
                continue;
            }
        };
        match client.send(&enrolment.node_key, &item.report_id, &body) {
            Sent::Accepted(status) => {
                queue.remove(&item)?;
                remaining -= 1;
                delivery.accepted.push(status);
            }
            Sent::Rejected(why) => {
                // Kept for whoever investigates, out of the way of the reports after it.
                let aside = state_dir.join("rejected");
                state::ensure_private_dir(&aside)?;
                let _ = std::fs::rename(
                    &item.path,
                    aside.join(item.path.file_name().unwrap_or_default()),
                );
                log(&format!(
                    "the server refused report {}: {why} (kept in {})",
                    item.report_id,
                    aside.display()
                ));
                remaining -= 1;
                delivery.rejected += 1;
            }
            Sent::Revoked(message) => {
                return Err(mark_removed(state_dir, enrolment, message)?);
            }
            Sent::InvalidNodeKey => {
                // Not removed, but unknown: the server's data was reset or this is another
                // server. Without the enroll secret the agent cannot enroll by itself; it keeps
                // its reports and says what to do.
                delivery.waiting = Some((
                    remaining,
                    "the server does not know this computer's key (was its data reset?); enroll again with `hygeia agent enroll` and a current enroll secret".into(),
                ));
                return Ok(delivery);
            }
            Sent::Retry(why) => {
                delivery.waiting = Some((remaining, why));
                return Ok(delivery);
            }
        }
    }
    Ok(delivery)
}

/// Runs the audit once, queues its report and tries to deliver the queue, retrying with
/// backoff a few times (`hygeia agent run --once`, for a systemd timer or cron).
pub fn run_once(
    state_dir: &Path,
    schedule: &Schedule,
    audit: &dyn Fn() -> Result<Vec<u8>, String>,
    log: &dyn Fn(&str),
) -> Result<Delivery, AgentError> {
    active_enrolment(state_dir)?;
    let report = audit().map_err(AgentError::Audit)?;
    let dropped = Queue::new(state_dir).push(&report)?;
    if dropped > 0 {
        log(&format!(
            "the queue was full: {dropped} oldest report(s) dropped"
        ));
    }
    let mut backoff = schedule.first_backoff;
    let mut total = Delivery::default();
    for attempt in 1..=schedule.once_attempts.max(1) {
        let delivery = deliver(state_dir, log)?;
        total.accepted.extend(delivery.accepted);
        total.rejected += delivery.rejected;
        match delivery.waiting {
            None => return Ok(total),
            Some((count, why)) if attempt == schedule.once_attempts.max(1) => {
                return Err(AgentError::StillQueued(count, why, state_dir.join("queue")));
            }
            Some((_, why)) => {
                log(&format!(
                    "cannot send yet ({why}); retrying in {} s",
                    backoff.as_secs()
                ));
                std::thread::sleep(jittered(backoff, 0.2));
                backoff = (backoff * 2).min(schedule.max_backoff);
            }
        }
    }
    Ok(total)
}

/// Runs forever: an audit every interval (± jitter), delivery after each, and retries with
/// exponential backoff in between while the server cannot be reached. `stop` ends the loop
/// (checked at least once a second).
pub fn run_forever(
    state_dir: &Path,
    schedule: &Schedule,
    audit: &dyn Fn() -> Result<Vec<u8>, String>,
    log: &dyn Fn(&str),
    stop: &dyn Fn() -> bool,
) -> Result<(), AgentError> {
    active_enrolment(state_dir)?;
    let queue = Queue::new(state_dir);
    let mut next_audit = Instant::now();
    let mut next_delivery: Option<Instant> = None;
    let mut backoff = schedule.first_backoff;
    while !stop() {
        let now = Instant::now();
        if now >= next_audit {
            match audit() {
                Ok(report) => {
                    let dropped = queue.push(&report)?;
                    if dropped > 0 {
                        log(&format!(
                            "the queue was full: {dropped} oldest report(s) dropped"
                        ));
                    }
                }
                Err(why) => log(&format!("the audit failed: {why}")),
            }
            next_audit = now + jittered(schedule.interval, schedule.jitter);
            next_delivery = Some(now);
        }
        if next_delivery.is_some_and(|at| now >= at) {
            match deliver(state_dir, log) {
                Ok(Delivery { waiting: None, .. }) => {
                    backoff = schedule.first_backoff;
                    next_delivery = None;
                }
                Ok(Delivery {
                    waiting: Some((count, why)),
                    ..
                }) => {
                    log(&format!(
                        "{count} report(s) waiting: {why}; retrying in {} s",
                        backoff.as_secs()
                    ));
                    next_delivery = Some(now + jittered(backoff, 0.2));
                    backoff = (backoff * 2).min(schedule.max_backoff);
                }
                // Removed by an administrator: stop for good (the state says so).
                Err(error @ AgentError::Removed(_)) => return Err(error),
                // An unreadable state and the like: keep the reports and try again later
                // rather than exit and lose the schedule.
                Err(error) => {
                    log(&format!("{error}; retrying in {} s", backoff.as_secs()));
                    next_delivery = Some(now + jittered(backoff, 0.2));
                    backoff = (backoff * 2).min(schedule.max_backoff);
                }
            }
        }
        let wake = next_delivery.map_or(next_audit, |d| d.min(next_audit));
        let nap = wake
            .saturating_duration_since(Instant::now())
            .min(Duration::from_secs(1));
        std::thread::sleep(nap.max(Duration::from_millis(10)));
    }
    Ok(())
}

/// Waits until this computer is enrolled (a service installed before `hygeia agent enroll` ran
/// must not fail and be restarted in a loop). Checks every `poll`, and `stop` at least once a
/// second. True when enrolled, false when stopped first.
pub fn wait_for_enrolment(
    state_dir: &Path,
    poll: Duration,
    log: &dyn Fn(&str),
    stop: &dyn Fn() -> bool,
) -> bool {
    let mut said = false;
    loop {
        match state::load(state_dir) {
            Ok(_) => return true,
            Err(error) if !said => {
                log(&format!("waiting: {error}"));
                said = true;
            }
            Err(_) => {}
        }
        let until = Instant::now() + poll;
        while Instant::now() < until {
            if stop() {
                return false;
            }
            std::thread::sleep(
                until
                    .saturating_duration_since(Instant::now())
                    .min(Duration::from_secs(1)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn waits_for_enrolment_then_goes_on() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let state_dir = dir.path().join("agent");
        let enrol_dir = state_dir.clone();
        let enroller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(150));
            let enrolment = Enrolment {
                server: "https://127.0.0.1:8443".into(),
                ca_file: None,
                node_key: "hyn_k".into(),
                host_id: 1,
                removed: None,
            };
            state::save(&enrol_dir, &enrolment).unwrap_or_else(|e| panic!("{e}"));
        });
        let said = std::sync::Mutex::new(Vec::new());
        let log = |line: &str| {
            said.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(line.to_string())
        };
        assert!(wait_for_enrolment(
            &state_dir,
            Duration::from_millis(20),
            &log,
            &|| false
        ));
        enroller
            .join()
            .unwrap_or_else(|_| panic!("the enroller panicked"));
        let said = said.into_inner().unwrap_or_else(|e| e.into_inner());
        assert_eq!(said.len(), 1, "said once, not every poll: {said:?}");
        assert!(said[0].contains("not enrolled yet"), "{said:?}");
    }

    #[test]
    fn stopping_ends_the_wait() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let stop = AtomicBool::new(false);
        let checks = std::sync::atomic::AtomicU32::new(0);
        let stopped = wait_for_enrolment(
            &dir.path().join("agent"),
            Duration::from_secs(3600),
            &|_| {},
            &|| {
                // The service manager asks to stop while the agent waits.
                if checks.fetch_add(1, Ordering::Relaxed) >= 1 {
                    stop.store(true, Ordering::Relaxed);
                }
                stop.load(Ordering::Relaxed)
            },
        );
        assert!(!stopped);
    }

    #[test]
    fn jitter_stays_within_its_band() {
        for _ in 0..200 {
            let d = jittered(Duration::from_secs(3600), 0.1);
            assert!(
                d >= Duration::from_secs(3240) && d <= Duration::from_secs(3960),
                "{d:?}"
            );
        }
    }
}
