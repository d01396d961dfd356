//! HY-BK-001 and HY-BK-002: a backup tool configured, and the age of the last backup.

use super::{Input, days_phrase};
use crate::parse::backup::{
    BackupTool, dejadup, parse_systemd_timers, parse_systemd_units, parse_tmutil_destinations,
    parse_tmutil_latest, parse_wbadmin_versions, timeshift_configured,
};
use crate::parse::screenlock::parse_gsettings_list;
use hygeia_core::{Finding, Platform, UnknownCause};

/// Unit names that belong to backup tools.
const BACKUP_UNIT_WORDS: [&str; 7] = [
    "restic",
    "borg",
    "borgmatic",
    "duplicity",
    "rsnapshot",
    "kopia",
    "backup",
];

fn linux_tools(input: &Input) -> Vec<BackupTool> {
    let mut tools = Vec::new();
    if !input.running_as_bare_root()
        && let Ok(text) = input.command_ok("gsettings_dejadup", "Déjà Dup settings")
        && let Ok(settings) = parse_gsettings_list(text)
        && let Some(tool) = dejadup(&settings)
    {
        tools.push(tool);
    }
    if let Ok(Some(file)) = input.file("timeshift", "Timeshift settings")
        && timeshift_configured(file.content).unwrap_or(false)
    {
        tools.push(BackupTool {
            name: "Timeshift (system snapshots)".into(),
            last_success: None,
        });
    }
    for probe in ["borgmatic_dir", "borgmatic_d_dir"] {
        if let Ok(Some(entries)) = input.listing(probe, "borgmatic settings")
            && !entries.is_empty()
        {
            tools.push(BackupTool {
                name: format!("borgmatic ({})", input.source(probe)),
                last_success: None,
            });
        }
    }
    let failed: Vec<String> = input
        .command_ok("systemd_units", "services")
        .ok()
        .and_then(|t| parse_systemd_units(t).ok())
        .map(|units| {
            units
                .into_iter()
                .filter(|u| u.active == "failed")
                .map(|u| u.unit)
                .collect()
        })
        .unwrap_or_default();
    if let Ok(text) = input.command_ok("systemd_timers", "scheduled tasks")
        && let Ok(timers) = parse_systemd_timers(text)
    {
        for timer in timers.iter().filter(|t| {
            BACKUP_UNIT_WORDS
                .iter()
                .any(|w| t.unit.to_lowercase().contains(w))
        }) {
            // The timer's last run counts as a success only if the service it started did
            // not end in the failed state.
            let succeeded = !failed.contains(&timer.activates);
            tools.push(BackupTool {
                name: format!(
                    "{} (scheduled{})",
                    timer.activates,
                    if succeeded { "" } else { ", last run failed" }
                ),
                last_success: if succeeded { timer.last } else { None },
            });
        }
    }
    tools
}

/// Hygeia's own backups, from the history `hygeia backup` keeps.
fn hygeia_backup(input: &Input) -> Option<BackupTool> {
    let file = input
        .file(super::backup_copies::STATE_PROBE, "Hygeia's backup history")
        .ok()??;
    let state: hygeia_core::backup_state::BackupState = serde_json::from_str(file.content).ok()?;
    if state.destinations.is_empty() {
        return None;
    }
    let names: Vec<&str> = state.destinations.iter().map(|d| d.name.as_str()).collect();
    let last_success = state
        .destinations
        .iter()
        .filter_map(|d| {
            d.last_success
                .as_deref()
                .and_then(hygeia_core::time_util::parse_rfc3339)
        })
        .max();
    Some(BackupTool {
        name: format!("Hygeia backup to {}", names.join(", ")),
        last_success,
    })
}

fn tools(input: &Input) -> Result<Vec<BackupTool>, Finding> {
    let own = hygeia_backup(input);
    match (platform_tools(input), own) {
        (Ok(mut found), Some(own)) => {
            found.insert(0, own);
            Ok(found)
        }
        // The operating system's tools could not be read, but Hygeia's own backups are known.
        (Err(_), Some(own)) => Ok(vec![own]),
        (found, None) => found,
    }
}

fn platform_tools(input: &Input) -> Result<Vec<BackupTool>, Finding> {
    match input.snapshot.platform {
        Platform::Linux => Ok(linux_tools(input)),
        Platform::Macos => {
            let text = input.command_ok("tmutil_destinations", "Time Machine destinations")?;
            let destinations = parse_tmutil_destinations(text).map_err(|e| {
                Finding::unknown(
                    UnknownCause::Unreadable,
                    format!("Time Machine's answer could not be understood ({e})."),
                )
            })?;
            if destinations.is_empty() {
                return Ok(Vec::new());
            }
            let latest = input
                .command_ok("tmutil_latest", "the latest Time Machine backup")
                .ok()
                .and_then(parse_tmutil_latest);
            Ok(vec![BackupTool {
                name: format!("Time Machine to {}", destinations.join(", ")),
                last_success: latest,
            }])
        }
        Platform::Windows => {
            // File History keeps no state Hygeia can read yet; Windows Backup (wbadmin) does.
            let ran = input.command("wbadmin", "Windows Backup")?;
            let text = format!("{}\n{}", ran.stdout, ran.stderr);
            let newest = parse_wbadmin_versions(&text).map_err(|e| {
                Finding::unknown(
                    UnknownCause::Unreadable,
                    format!("Windows Backup's answer could not be understood ({e})."),
                )
            })?;
            match newest {
                Some(when) => Ok(vec![BackupTool {
                    name: "Windows Backup (wbadmin)".into(),
                    last_success: Some(when),
                }]),
                None => Err(Finding::unknown(
                    UnknownCause::Inconclusive,
                    "Windows Backup has no backup here, and Hygeia cannot read File History yet; check Settings > System > Storage > Advanced storage settings > Backup options.",
                )),
            }
        }
    }
}

/// HY-BK-001.
pub fn backup_configured(input: &Input) -> Finding {
    match tools(input) {
        Ok(found) if found.is_empty() => {
            Finding::fail("No backup program is set up on this computer.")
        }
        Ok(found) => {
            let names: Vec<String> = found.iter().map(|t| t.name.clone()).collect();
            Finding::pass(format!("A backup program is set up: {}.", names.join(", ")))
                .with_all(names)
        }
        Err(f) => f,
    }
}

/// HY-BK-002.
pub fn backup_recent(input: &Input) -> Finding {
    let found = match tools(input) {
        Ok(f) => f,
        Err(f) => return f,
    };
    if found.is_empty() {
        return Finding::fail("No backup program is set up, so there is no recent backup.");
    }
    let newest = found
        .iter()
        .filter_map(|t| t.last_success.map(|when| (when, &t.name)))
        .max_by_key(|(when, _)| *when);
    let Some((when, name)) = newest else {
        return Finding::unknown(
            UnknownCause::Inconclusive,
            "The backup program does not record when it last succeeded in a place Hygeia can read.",
        )
        .with_all(found.iter().map(|t| t.name.clone()));
    };
    let age = (input.observed_at - when).whole_days();
    let evidence = format!(
        "{name}: last successful backup {} ({})",
        when.date(),
        days_phrase(age)
    );
    match age {
        a if a <= 7 => {
            Finding::pass(format!("The last backup was {}.", days_phrase(a))).with(evidence)
        }
        a if a <= 30 => Finding::warn(format!(
            "The last backup was {a} days ago; back up at least weekly."
        ))
        .with(evidence),
        a => Finding::fail(format!("The last backup was {a} days ago.")).with(evidence),
    }
}
