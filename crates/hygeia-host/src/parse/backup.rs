//! Backups: Déjà Dup settings, systemd timers of backup tools, Timeshift, Time Machine
//! (`tmutil`) and Borg archive listings.

use super::ParseError;
use super::text::{colon_pairs, colon_value};
use serde_json::Value;
use time::OffsetDateTime;

/// A backup tool found configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupTool {
    /// Tool name and where it was found.
    pub name: String,
    /// The last successful backup, when the tool records it.
    pub last_success: Option<OffsetDateTime>,
}

/// Déjà Dup from `gsettings list-recursively org.gnome.DejaDup` (already split into a map
/// keyed `schema key`): configured when automatic backups are on or a backup has run.
pub fn dejadup(settings: &std::collections::BTreeMap<String, String>) -> Option<BackupTool> {
    let get = |k: &str| {
        settings
            .get(&format!("org.gnome.DejaDup {k}"))
            .map(|v| v.trim_matches('\'').to_string())
    };
    let periodic = get("periodic").is_some_and(|v| v == "true");
    let last = get("last-backup").filter(|v| !v.is_empty());
    if !periodic && last.is_none() {
        return None;
    }
    let last_success = last
        .as_deref()
        .and_then(hygeia_core::time_util::parse_rfc3339);
    Some(BackupTool {
        name: format!(
            "Déjà Dup ({})",
            if periodic {
                "automatic backups on"
            } else {
                "automatic backups off"
            }
        ),
        last_success,
    })
}

/// A systemd timer from `systemctl list-timers --all --output=json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    /// Timer unit.
    pub unit: String,
    /// Service it starts.
    pub activates: String,
    /// When it last fired.
    pub last: Option<OffsetDateTime>,
}

fn micros_to_time(value: &Value) -> Option<OffsetDateTime> {
    let micros = value.as_u64().filter(|m| *m > 0)?;
    OffsetDateTime::from_unix_timestamp(i64::try_from(micros / 1_000_000).ok()?).ok()
}

/// Parses `systemctl list-timers --all --output=json`.
pub fn parse_systemd_timers(text: &str) -> Result<Vec<Timer>, ParseError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ParseError::new("systemctl list-timers", e.to_string()))?;
    let list = value
        .as_array()
        .ok_or_else(|| ParseError::new("systemctl list-timers", "not a list"))?;
    Ok(list
        .iter()
        .map(|t| Timer {
            unit: t
                .get("unit")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            activates: t
                .get("activates")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            last: t.get("last").and_then(micros_to_time),
        })
        .collect())
}

/// A unit from `systemctl list-units --all --output=json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Unit name.
    pub unit: String,
    /// `active`, `inactive`, `failed`...
    pub active: String,
    /// `running`, `exited`, `dead`, `failed`...
    pub sub: String,
}

/// Parses `systemctl list-units --output=json`.
pub fn parse_systemd_units(text: &str) -> Result<Vec<Unit>, ParseError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ParseError::new("systemctl list-units", e.to_string()))?;
    let list = value
        .as_array()
        .ok_or_else(|| ParseError::new("systemctl list-units", "not a list"))?;
    Ok(list
        .iter()
        .map(|u| {
            let field = |k: &str| {
                u.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            Unit {
                unit: field("unit"),
                active: field("active"),
                sub: field("sub"),
            }
        })
        .collect())
}

/// Timeshift's `/etc/timeshift/timeshift.json`: configured when a backup device is chosen.
pub fn timeshift_configured(text: &str) -> Result<bool, ParseError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ParseError::new("timeshift.json", e.to_string()))?;
    Ok(value
        .get("backup_device_uuid")
        .and_then(Value::as_str)
        .is_some_and(|u| !u.is_empty()))
}

/// `tmutil destinationinfo`: destination names (empty when none is configured).
pub fn parse_tmutil_destinations(text: &str) -> Result<Vec<String>, ParseError> {
    if text.contains("No destinations configured") {
        return Ok(Vec::new());
    }
    let names: Vec<String> = text
        .split("====")
        .filter_map(|block| colon_value(&colon_pairs(block), "Name").map(str::to_string))
        .collect();
    if names.is_empty() && !text.trim().is_empty() {
        return Err(ParseError::new("tmutil destinationinfo", "no Name fields"));
    }
    Ok(names)
}

/// `tmutil latestbackup`: a path ending in `YYYY-MM-DD-HHMMSS` (optionally `.backup`).
pub fn parse_tmutil_latest(text: &str) -> Option<OffsetDateTime> {
    let last = text.trim().trim_end_matches('/').rsplit('/').next()?;
    let stamp = last
        .trim_end_matches(".backup")
        .trim_end_matches(".previous");
    let (date, clock) = stamp.rsplit_once('-')?;
    let date = hygeia_core::time_util::parse_ymd(date)?;
    if clock.len() != 6 {
        return None;
    }
    let hour: u8 = clock[0..2].parse().ok()?;
    let minute: u8 = clock[2..4].parse().ok()?;
    let second: u8 = clock[4..6].parse().ok()?;
    let time = time::Time::from_hms(hour, minute, second).ok()?;
    Some(date.with_time(time).assume_utc())
}

/// `wbadmin get versions` (Windows Backup, English): the newest `Version identifier:
/// MM/DD/YYYY-HH:MM` (UTC). `Ok(None)` when the tool reports no backup.
pub fn parse_wbadmin_versions(text: &str) -> Result<Option<OffsetDateTime>, ParseError> {
    let mut newest: Option<OffsetDateTime> = None;
    let mut versions = 0;
    for line in text.lines() {
        let Some(value) = line.trim().strip_prefix("Version identifier:") else {
            continue;
        };
        versions += 1;
        let value = value.trim();
        let (date, clock) = value.split_once('-').unwrap_or((value, "00:00"));
        let mut parts = date.split('/');
        let parsed = (|| {
            let month: u8 = parts.next()?.parse().ok()?;
            let day: u8 = parts.next()?.parse().ok()?;
            let year: i32 = parts.next()?.parse().ok()?;
            let (hour, minute) = clock.split_once(':')?;
            let date =
                time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day)
                    .ok()?;
            let time = time::Time::from_hms(hour.parse().ok()?, minute.parse().ok()?, 0).ok()?;
            Some(date.with_time(time).assume_utc())
        })();
        let Some(moment) = parsed else {
            return Err(ParseError::new(
                "wbadmin get versions",
                format!("unreadable version identifier {value:?}"),
            ));
        };
        newest = newest.max(Some(moment));
    }
    if versions == 0
        && !text.contains("No backup was found")
        && !text.contains("no backups")
        && !text.trim().is_empty()
        && !text.contains("wbadmin")
    {
        return Err(ParseError::new(
            "wbadmin get versions",
            "no 'Version identifier' lines (not English output?)",
        ));
    }
    Ok(newest)
}

/// `borg list --last 1 --json`: the start of the newest archive (local time, read as UTC).
pub fn parse_borg_latest(text: &str) -> Result<Option<OffsetDateTime>, ParseError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ParseError::new("borg list --json", e.to_string()))?;
    let archives = value
        .get("archives")
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::new("borg list --json", "no archives"))?;
    Ok(archives
        .iter()
        .filter_map(|a| a.get("start").and_then(Value::as_str))
        .filter_map(|s| {
            let with_zone = if s.ends_with('Z') || s.contains('+') {
                s.to_string()
            } else {
                format!("{s}Z")
            };
            hygeia_core::time_util::parse_rfc3339(&with_zone)
        })
        .max())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dejadup_settings() {
        let map = super::super::screenlock::parse_gsettings_list(
            "org.gnome.DejaDup periodic true\norg.gnome.DejaDup last-backup '2026-11-20T10:00:00Z'\n",
        )
        .unwrap();
        let tool = dejadup(&map);
        assert!(tool.as_ref().and_then(|t| t.last_success).is_some());
        let unset = super::super::screenlock::parse_gsettings_list(
            "org.gnome.DejaDup periodic false\norg.gnome.DejaDup last-backup ''\n",
        )
        .unwrap();
        assert!(dejadup(&unset).is_none());
    }

    #[test]
    fn systemd_json() {
        let timers = parse_systemd_timers(r#"[{"next":1764374400000000,"left":1,"last":1764288003000000,"passed":2,"unit":"restic-backup.timer","activates":"restic-backup.service"}]"#).unwrap();
        assert_eq!(
            timers[0].last.map(|t| t.date().to_string()).as_deref(),
            Some("2025-11-28")
        );
        let units = parse_systemd_units(r#"[{"unit":"clamav-daemon.service","load":"loaded","active":"active","sub":"running","description":"x"}]"#).unwrap();
        assert_eq!(units[0].sub, "running");
        assert!(parse_systemd_units("System has not been booted with systemd").is_err());
    }

    #[test]
    fn windows_backup_versions() {
        let text = "wbadmin 1.0 - Backup command-line tool\r\n(C) Copyright Microsoft Corporation. All rights reserved.\r\n\r\nBackup time: 11/20/2026 9:00 PM\r\nBackup location: Fixed Disk labeled E:\r\nVersion identifier: 11/21/2026-05:00\r\nCan recover: Volume(s), File(s)\r\n\r\nBackup time: 11/27/2026 9:00 PM\r\nVersion identifier: 11/28/2026-05:00\r\n";
        let newest = parse_wbadmin_versions(text).ok().flatten();
        assert_eq!(
            newest.map(|t| t.date().to_string()).as_deref(),
            Some("2026-11-28")
        );
        assert!(
            parse_wbadmin_versions(
                "wbadmin 1.0 - Backup command-line tool\r\nERROR - No backup was found.\r\n"
            )
            .is_ok_and(|t| t.is_none())
        );
        assert!(parse_wbadmin_versions("Version identifier: yesterday").is_err());
    }

    #[test]
    fn time_machine_and_borg() {
        assert!(
            parse_tmutil_destinations("tmutil: No destinations configured.\n")
                .is_ok_and(|d| d.is_empty())
        );
        let latest = parse_tmutil_latest("/Volumes/TM/Backups.backupdb/Mac/2026-11-27-101500\n");
        assert_eq!(
            latest.map(|t| t.to_string()).as_deref(),
            Some("2026-11-27 10:15:00.0 +00:00:00")
        );
        assert!(parse_tmutil_latest("garbage").is_none());
        let borg =
            parse_borg_latest(r#"{"archives":[{"name":"a","start":"2017-08-07T12:27:20"}]}"#);
        assert!(borg.is_ok_and(|t| t.is_some()));
        assert!(timeshift_configured(r#"{"backup_device_uuid":"1234"}"#).unwrap_or(false));
    }
}
