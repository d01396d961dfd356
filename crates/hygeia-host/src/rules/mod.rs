//! Rules: pure functions from a snapshot's facts to one finding per automatic control.
//! `RULES` is the registry; a test checks it against the catalog in both directions.

mod accounts;
mod antimalware;
mod apps;
mod backup;
mod backup_copies;
mod disk;
mod exposure;
mod firewall;
mod network;
mod phones;
mod router;
mod router_firmware;
mod screen;
mod system;

pub use backup_copies::STATE_PROBE as BACKUP_STATE_PROBE;
pub use phones::STATE_PROBE as PHONE_STATE_PROBE;
pub use router::CONTROLS as HOME_NETWORK_CONTROLS;
pub use router_firmware::KEV_PROBE as ROUTER_KEV_PROBE;
pub use router_firmware::NVD_PROBE as ROUTER_NVD_PROBE;
pub use system::os_identity;

use crate::probe::{DirEntry, Outcome};
use crate::snapshot::Snapshot;
use hygeia_core::{Catalog, Finding, Platform, UnknownCause};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// What a rule may read.
pub struct Input<'a> {
    /// The raw outputs and who ran them.
    pub snapshot: &'a Snapshot,
    /// The catalog (lifecycle table, app lists...).
    pub catalog: &'a Catalog,
    /// When the snapshot was taken: ages are measured from here, so a saved snapshot
    /// evaluates the same way later.
    pub observed_at: OffsetDateTime,
}

/// A rule: facts in, one finding out.
pub type Rule = fn(&Input) -> Finding;

/// Every automatic control and the rule that measures it.
pub const RULES: &[(&str, Rule)] = &[
    ("HY-PC-001", system::os_supported),
    ("HY-PC-002", system::security_updates_installed),
    ("HY-PC-003", system::automatic_updates),
    ("HY-PC-004", system::restart_pending),
    ("HY-PC-005", disk::system_disk_encrypted),
    ("HY-PC-006", disk::home_encrypted),
    ("HY-PC-007", screen::screen_lock),
    ("HY-PC-008", firewall::host_firewall),
    ("HY-PC-009", antimalware::antimalware_running),
    ("HY-PC-010", antimalware::signatures_fresh),
    ("HY-PC-011", exposure::remote_access_exposure),
    ("HY-PC-012", exposure::ssh_passwords),
    ("HY-PC-013", accounts::daily_user_not_admin),
    ("HY-PC-014", accounts::accounts_have_passwords),
    ("HY-PC-015", accounts::account_lockout),
    ("HY-PC-016", apps::telehealth_apps),
    ("HY-NET-001", network::vpn_configured),
    ("HY-NET-002", network::wifi_encryption),
    ("HY-NET-003", network::open_networks_autojoin),
    ("HY-NET-004", network::wifi_key_strength),
    ("HY-NET-006", router_firmware::router_firmware),
    ("HY-NET-007", router::router_exposure),
    ("HY-NET-008", router::smart_devices_separate),
    ("HY-BK-001", backup::backup_configured),
    ("HY-BK-002", backup::backup_recent),
    ("HY-BK-003", backup_copies::offline_copy),
    ("HY-BK-004", backup_copies::offsite_copy),
    ("HY-BK-005", backup_copies::restore_tested),
    ("HY-PH-001", phones::phone_updates),
    ("HY-PH-002", phones::phone_lock),
    ("HY-PH-003", phones::phone_telehealth_apps),
    ("HY-PH-004", phones::phone_app_sources),
];

/// Runs every rule over a snapshot.
pub fn evaluate(snapshot: &Snapshot, catalog: &Catalog) -> BTreeMap<String, Finding> {
    let observed_at = hygeia_core::time_util::parse_rfc3339(&snapshot.collected_at)
        .unwrap_or_else(OffsetDateTime::now_utc);
    let input = Input {
        snapshot,
        catalog,
        observed_at,
    };
    RULES
        .iter()
        .map(|(id, rule)| (id.to_string(), rule(&input)))
        .collect()
}

/// A command's result.
pub struct Ran<'a> {
    /// Exit code.
    pub exit_code: Option<i32>,
    /// Standard output.
    pub stdout: &'a str,
    /// Standard error.
    pub stderr: &'a str,
}

/// A file's contents.
pub struct FileText<'a> {
    /// Contents.
    pub content: &'a str,
    /// Modification time.
    pub modified: Option<OffsetDateTime>,
}

const PERMISSION_PHRASES: [&str; 8] = [
    "permission denied",
    "must be root",
    "need to be root",
    "operation not permitted",
    "access is denied",
    "requires elevation",
    "you must run this",
    "not privileged",
];

/// Every limit a rule reads from `catalog/controls.toml` (`[control.limits]`): a test checks
/// that the catalog gives each one.
pub const LIMITS: &[(&str, &str)] = &[
    ("HY-PC-001", "warn_days_before_end"),
    ("HY-PC-002", "stale_package_lists_days"),
    ("HY-PC-007", "idle_minutes"),
    ("HY-PC-010", "signature_age_days"),
    ("HY-PC-010", "xprotect_age_days"),
    ("HY-PC-015", "max_failed_attempts"),
    ("HY-PH-001", "phone_check_max_age_days"),
    ("HY-PH-002", "phone_check_max_age_days"),
    ("HY-PH-003", "phone_check_max_age_days"),
    ("HY-PH-004", "phone_check_max_age_days"),
];

impl<'a> Input<'a> {
    /// A number the control's words state (`[control.limits]` in the catalog). A catalog
    /// without it gives an `unknown` finding that says so, never a guessed limit.
    pub fn limit(&self, control: &str, name: &str) -> Result<i64, Finding> {
        self.catalog
            .control(control)
            .and_then(|c| c.limit(name))
            .ok_or_else(|| {
                Finding::unknown(
                    UnknownCause::Inconclusive,
                    format!(
                        "The catalog gives no {name} for {control}, so it could not be judged; this copy of Hygeia is damaged, install it again."
                    ),
                )
            })
    }

    fn platform(&self) -> Platform {
        self.snapshot.platform
    }

    fn how_to_elevate(&self) -> &'static str {
        match self.platform() {
            Platform::Windows => {
                "open the terminal with 'Run as administrator' and run hygeia check again"
            }
            _ => "run sudo hygeia check",
        }
    }

    /// The finding for a probe that produced nothing usable.
    fn unusable(&self, probe: &str, topic: &str, outcome: Option<&Outcome>) -> Finding {
        let source = self
            .snapshot
            .output(probe)
            .map(|o| o.source.as_str())
            .unwrap_or(probe);
        let program = source.split_whitespace().next().unwrap_or(source);
        match outcome {
            None => Finding::unknown(
                UnknownCause::Unreadable,
                format!("{topic}: not collected in this snapshot."),
            ),
            Some(Outcome::NotFound) => Finding::unknown(
                UnknownCause::CommandMissing,
                format!("{program} is not on this computer, so {topic} could not be read."),
            ),
            Some(Outcome::PermissionDenied) => Finding::unknown(
                UnknownCause::PermissionDenied,
                format!(
                    "Reading {topic} needs administrator rights: {}.",
                    self.how_to_elevate()
                ),
            ),
            Some(Outcome::TimedOut { after_ms }) => Finding::unknown(
                UnknownCause::TimedOut,
                format!(
                    "{program} did not answer within {} s, so {topic} could not be read.",
                    after_ms.div_ceil(1000)
                ),
            ),
            Some(Outcome::Failed { message }) => Finding::unknown(
                UnknownCause::Unreadable,
                format!("{topic} could not be read: {message}."),
            ),
            Some(_) => Finding::unknown(
                UnknownCause::Unreadable,
                format!("{topic}: unexpected kind of result from {source}."),
            ),
        }
    }

    /// A command's output. Missing programs, time-outs and refusals become an `unknown`
    /// finding that names `topic`; so does a non-zero exit whose message asks for rights.
    pub fn command(&self, probe: &str, topic: &str) -> Result<Ran<'a>, Finding> {
        let outcome = self.snapshot.output(probe).map(|o| &o.outcome);
        match outcome {
            Some(Outcome::Ran {
                exit_code,
                stdout,
                stderr,
            }) => {
                let text = format!("{stdout}\n{stderr}").to_lowercase();
                if *exit_code != Some(0) && PERMISSION_PHRASES.iter().any(|p| text.contains(p)) {
                    return Err(self.unusable(probe, topic, Some(&Outcome::PermissionDenied)));
                }
                Ok(Ran {
                    exit_code: *exit_code,
                    stdout,
                    stderr,
                })
            }
            other => Err(self.unusable(probe, topic, other)),
        }
    }

    /// A command's standard output when it exited 0, else an `unknown` finding quoting its
    /// error message.
    pub fn command_ok(&self, probe: &str, topic: &str) -> Result<&'a str, Finding> {
        let ran = self.command(probe, topic)?;
        if ran.exit_code == Some(0) {
            return Ok(ran.stdout);
        }
        let message = first_line(ran.stderr)
            .or_else(|| first_line(ran.stdout))
            .unwrap_or("no message");
        Err(Finding::unknown(
            UnknownCause::Unreadable,
            format!(
                "{topic} could not be read: {} exited with code {} ({message}).",
                self.source(probe),
                ran.exit_code.map_or("none".into(), |c| c.to_string())
            ),
        ))
    }

    /// A file's text: `Ok(None)` when it does not exist.
    pub fn file(&self, probe: &str, topic: &str) -> Result<Option<FileText<'a>>, Finding> {
        match self.snapshot.output(probe).map(|o| &o.outcome) {
            Some(Outcome::Read { content, modified }) => Ok(Some(FileText {
                content,
                modified: modified.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok()),
            })),
            Some(Outcome::NotFound) => Ok(None),
            other => Err(self.unusable(probe, topic, other)),
        }
    }

    /// A folder's entries: `Ok(None)` when it does not exist.
    pub fn listing(&self, probe: &str, topic: &str) -> Result<Option<&'a [DirEntry]>, Finding> {
        match self.snapshot.output(probe).map(|o| &o.outcome) {
            Some(Outcome::Listed { entries }) => Ok(Some(entries)),
            Some(Outcome::NotFound) => Ok(None),
            other => Err(self.unusable(probe, topic, other)),
        }
    }

    /// The command line or path a probe used.
    pub fn source<'s>(&'s self, probe: &'s str) -> &'s str {
        self.snapshot
            .output(probe)
            .map(|o| o.source.as_str())
            .unwrap_or(probe)
    }

    /// Whether Hygeia ran as root without knowing the person's own account, so per-user
    /// settings read would be root's, not theirs.
    pub fn running_as_bare_root(&self) -> bool {
        self.platform() != Platform::Windows && self.snapshot.context.user == "root"
    }
}

fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

/// `n` days before/after, as a phrase.
fn days_phrase(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "1 day ago".into(),
        d if d > 0 => format!("{d} days ago"),
        d => format!("in {} days", -d),
    }
}

/// Joins names for a sentence, cutting long lists.
fn name_list(names: &[String], limit: usize) -> String {
    if names.len() <= limit {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..limit].join(", "),
        names.len() - limit
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use hygeia_core::Measured;

    #[test]
    fn every_automatic_control_has_a_rule_and_every_rule_a_control() {
        let catalog = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        for (control, name) in LIMITS {
            assert!(
                catalog
                    .control(control)
                    .and_then(|c| c.limit(name))
                    .is_some(),
                "catalog/controls.toml gives no {name} for {control}"
            );
        }
        for control in catalog
            .controls
            .iter()
            .filter(|c| c.measured == Measured::Automatic)
        {
            assert!(
                RULES.iter().any(|(id, _)| *id == control.id),
                "{} has no rule",
                control.id
            );
        }
        for (id, _) in RULES {
            let control = catalog
                .control(id)
                .unwrap_or_else(|| panic!("rule {id} has no catalog entry"));
            assert_eq!(
                control.measured,
                Measured::Automatic,
                "{id} has a rule but is not automatic"
            );
        }
        let mut ids: Vec<&str> = RULES.iter().map(|(id, _)| *id).collect();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len(), "a control has two rules");
    }
}
