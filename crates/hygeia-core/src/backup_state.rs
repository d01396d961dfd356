//! What `hygeia backup` remembers about each destination (`backup/state.json` in Hygeia's
//! config folder), and the 3-2-1-1-0 assessment made from it. `hygeia backup status` and the
//! HY-BK-003..005 rules of `hygeia check` read the same file through [`Coverage::assess`], so
//! the table and the controls cannot disagree.

use crate::time_util::{days_between, parse_rfc3339};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The file's schema name.
pub const SCHEMA: &str = "hygeia.backup-state/1";

/// Where the file is, inside Hygeia's config folder.
pub const RELATIVE_PATH: [&str; 2] = ["backup", "state.json"];

/// Every destination Hygeia has backed up to from this account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupState {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// One entry per destination, in the plan's order.
    #[serde(default)]
    pub destinations: Vec<DestinationState>,
}

impl Default for BackupState {
    fn default() -> Self {
        BackupState {
            schema: SCHEMA.to_string(),
            destinations: Vec::new(),
        }
    }
}

/// What kind of storage a copy is on: "two media" counts distinct values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Media {
    /// A disk other than the one the files are on (USB drive, second internal disk).
    ExternalDisk,
    /// The same disk as the files: protects against deletion, not a failed disk.
    SameDisk,
    /// A network share or a server reached over SFTP.
    NetworkStorage,
    /// Cloud object storage (S3-compatible).
    Cloud,
}

impl Media {
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Media::ExternalDisk => "external disk",
            Media::SameDisk => "same disk as the files",
            Media::NetworkStorage => "network storage",
            Media::Cloud => "cloud storage",
        }
    }
}

/// S3 Object Lock as last read from the bucket's own configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLockState {
    /// `GOVERNANCE` or `COMPLIANCE`.
    pub mode: Option<String>,
    /// Default retention in days.
    pub days: Option<u32>,
    /// When Hygeia read it (RFC 3339).
    pub verified_at: String,
}

/// The last `hygeia backup verify` of a destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyRecord {
    /// When (RFC 3339).
    pub at: String,
    /// The snapshot the restore test used.
    pub snapshot: Option<String>,
    /// Files restored and compared byte for byte.
    pub files_tested: u64,
    /// Bytes compared.
    pub bytes_compared: u64,
    /// Share of the stored data read back and hashed, in percent (0 when only the structure
    /// was checked).
    pub data_read_percent: f64,
    /// Every problem found, in words; empty means the verify passed.
    #[serde(default)]
    pub errors: Vec<String>,
    /// Backed-up files whose data sits in a damaged part of the repository.
    #[serde(default)]
    pub damaged_files: Vec<String>,
}

/// One destination's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DestinationState {
    /// The plan's name for it (`usb`, `cloud`).
    pub name: String,
    /// Where it is (`/media/usb/hygeia`, `s3:https://...`).
    pub location: String,
    /// The kind of storage.
    pub media: Media,
    /// Whether the copy is away from the computer (cloud, or declared in the plan).
    pub offsite: bool,
    /// The last time a backup was tried (RFC 3339).
    #[serde(default)]
    pub last_attempt: Option<String>,
    /// The last time a backup finished (RFC 3339).
    #[serde(default)]
    pub last_success: Option<String>,
    /// The snapshot that backup made.
    #[serde(default)]
    pub last_snapshot: Option<String>,
    /// Why the last attempt failed, when it did.
    #[serde(default)]
    pub last_error: Option<String>,
    /// The last time the destination was seen connected (RFC 3339).
    #[serde(default)]
    pub last_connected: Option<String>,
    /// The last time a scheduled run found it disconnected, as an offline copy should be.
    #[serde(default)]
    pub last_disconnected: Option<String>,
    /// Object Lock, for S3 destinations.
    #[serde(default)]
    pub object_lock: Option<ObjectLockState>,
    /// The last verify.
    #[serde(default)]
    pub last_verify: Option<VerifyRecord>,
}

impl DestinationState {
    /// A destination never used yet.
    pub fn new(name: &str, location: &str, media: Media, offsite: bool) -> DestinationState {
        DestinationState {
            name: name.to_string(),
            location: location.to_string(),
            media,
            offsite,
            last_attempt: None,
            last_success: None,
            last_snapshot: None,
            last_error: None,
            last_connected: None,
            last_disconnected: None,
            object_lock: None,
            last_verify: None,
        }
    }
}

/// The ages the assessment applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A copy counts when its last successful backup is at most this many days old.
    pub copy_max_age_days: i64,
    /// A restore test counts for this many days.
    pub restore_test_max_age_days: i64,
}

impl Limits {
    /// The limits the catalog states for HY-BK-003 (`copy_max_age_days`) and HY-BK-005
    /// (`restore_test_max_age_days`), so the table and the controls say the same numbers.
    pub fn from_catalog(catalog: &crate::Catalog) -> Limits {
        let default = Limits::default();
        let limit = |id: &str, name: &str, fallback: i64| {
            catalog
                .control(id)
                .and_then(|c| c.limit(name))
                .unwrap_or(fallback)
        };
        Limits {
            copy_max_age_days: limit("HY-BK-003", "copy_max_age_days", default.copy_max_age_days),
            restore_test_max_age_days: limit(
                "HY-BK-005",
                "restore_test_max_age_days",
                default.restore_test_max_age_days,
            ),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            copy_max_age_days: 30,
            restore_test_max_age_days: 90,
        }
    }
}

/// Why a copy is safe from ransomware on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfflineEvidence {
    /// The destination.
    pub destination: String,
    /// In words: "disconnected since 2026-12-01" or "S3 Object Lock (COMPLIANCE, 30 days)".
    pub how: String,
}

/// The 3-2-1-1-0 rule, row by row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Copies: the files themselves plus every destination with a recent backup.
    pub copies: usize,
    /// Distinct kinds of storage among those copies (the computer's own disk counts as one).
    pub media: Vec<Media>,
    /// Destinations away from the computer with a recent backup.
    pub offsite: Vec<String>,
    /// Copies on other media that ransomware cannot reach: disconnected since their last
    /// backup, or locked.
    pub offline: Vec<OfflineEvidence>,
    /// The newest restore test within the limit, if any: its destination, date and errors.
    pub restore_test: Option<(String, String, usize)>,
    /// Destinations whose last backup is missing or too old, with why.
    pub stale: Vec<String>,
}

fn recent(at: Option<&str>, now: OffsetDateTime, max_days: i64) -> Option<OffsetDateTime> {
    at.and_then(parse_rfc3339)
        .filter(|t| days_between(*t, now) <= max_days && *t <= now + time::Duration::days(1))
}

impl Coverage {
    /// Assesses `state` at `now`.
    pub fn assess(state: &BackupState, now: OffsetDateTime, limits: Limits) -> Coverage {
        let mut coverage = Coverage {
            copies: 1,
            media: vec![Media::SameDisk],
            offsite: Vec::new(),
            offline: Vec::new(),
            restore_test: None,
            stale: Vec::new(),
        };
        let mut newest_test: Option<(OffsetDateTime, String, String, usize)> = None;
        for destination in &state.destinations {
            if let Some(verify) = &destination.last_verify
                && let Some(at) = recent(Some(&verify.at), now, limits.restore_test_max_age_days)
                && (verify.files_tested > 0 || !verify.errors.is_empty())
                && newest_test.as_ref().is_none_or(|(t, ..)| at > *t)
            {
                let errors = verify.errors.len();
                newest_test = Some((at, destination.name.clone(), verify.at.clone(), errors));
            }
            let Some(success) = recent(
                destination.last_success.as_deref(),
                now,
                limits.copy_max_age_days,
            ) else {
                coverage.stale.push(match &destination.last_success {
                    Some(at) => format!("{} (last backup {at})", destination.name),
                    None => format!("{} (never backed up)", destination.name),
                });
                continue;
            };
            coverage.copies += 1;
            if !coverage.media.contains(&destination.media) {
                coverage.media.push(destination.media);
            }
            if destination.offsite || destination.media == Media::Cloud {
                coverage.offsite.push(destination.name.clone());
            }
            // A copy on the files' own disk dies with that disk: it is never the offline copy.
            if destination.media == Media::SameDisk {
                continue;
            }
            let disconnected_after_backup = destination
                .last_disconnected
                .as_deref()
                .and_then(parse_rfc3339)
                .filter(|d| *d > success && *d <= now + time::Duration::days(1));
            if let Some(when) = disconnected_after_backup {
                coverage.offline.push(OfflineEvidence {
                    destination: destination.name.clone(),
                    how: format!(
                        "disconnected after its last backup (seen unplugged {})",
                        crate::time_util::rfc3339(when)
                    ),
                });
            } else if let Some(lock) = &destination.object_lock
                && lock.days.is_some_and(|d| d > 0)
                && recent(Some(&lock.verified_at), now, limits.copy_max_age_days).is_some()
            {
                coverage.offline.push(OfflineEvidence {
                    destination: destination.name.clone(),
                    how: format!(
                        "S3 Object Lock ({}, {} days), read from the bucket {}",
                        lock.mode.as_deref().unwrap_or("default mode"),
                        lock.days.unwrap_or(0),
                        lock.verified_at
                    ),
                });
            }
        }
        coverage.media.sort();
        coverage.restore_test = newest_test.map(|(_, name, at, errors)| (name, at, errors));
        coverage
    }

    /// Whether every row of 3-2-1-1-0 holds.
    pub fn complete(&self) -> bool {
        self.copies >= 3
            && self.media.len() >= 2
            && !self.offsite.is_empty()
            && !self.offline.is_empty()
            && self.restore_test.as_ref().is_some_and(|(_, _, e)| *e == 0)
    }
}

/// `hygeia backup status`: the table and what it is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    /// `hygeia.backup-status/1`.
    pub schema: &'static str,
    /// When the status was taken (RFC 3339).
    pub at: String,
    /// The plan file, when there is one.
    pub plan: Option<String>,
    /// Every destination's history, with whether it is reachable now.
    pub destinations: Vec<DestinationStatus>,
    /// The 3-2-1-1-0 rows.
    pub coverage: Coverage,
    /// Whether every row holds.
    pub complete: bool,
}

/// One destination in the status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DestinationStatus {
    /// Its history.
    #[serde(flatten)]
    pub state: DestinationState,
    /// Whether it could be reached now (a folder's drive plugged in); `None` when not looked at.
    pub connected_now: Option<bool>,
    /// A problem met while looking (Object Lock unreadable), in words.
    pub problem: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> OffsetDateTime {
        parse_rfc3339(text).unwrap()
    }

    fn usb() -> DestinationState {
        let mut d = DestinationState::new("usb", "/media/usb", Media::ExternalDisk, false);
        d.last_success = Some("2026-12-01T10:00:00Z".into());
        d
    }

    fn cloud() -> DestinationState {
        let mut d = DestinationState::new("cloud", "s3:https://s3/b/p", Media::Cloud, false);
        d.last_success = Some("2026-12-02T10:00:00Z".into());
        d
    }

    #[test]
    fn a_usb_drive_unplugged_after_its_backup_is_the_offline_copy() {
        let mut usb = usb();
        let state = BackupState {
            destinations: vec![usb.clone(), cloud()],
            ..Default::default()
        };
        let now = at("2026-12-05T00:00:00Z");
        let coverage = Coverage::assess(&state, now, Limits::default());
        assert_eq!(coverage.copies, 3);
        assert_eq!(
            coverage.media,
            vec![Media::ExternalDisk, Media::SameDisk, Media::Cloud]
        );
        assert_eq!(coverage.offsite, vec!["cloud".to_string()]);
        assert!(coverage.offline.is_empty(), "still plugged in");

        usb.last_disconnected = Some("2026-12-02T09:00:00Z".into());
        let state = BackupState {
            destinations: vec![usb],
            ..Default::default()
        };
        let coverage = Coverage::assess(&state, now, Limits::default());
        assert_eq!(coverage.offline.len(), 1);
        assert!(coverage.offline[0].how.contains("2026-12-02"));
    }

    #[test]
    fn a_disconnection_before_the_last_backup_does_not_count() {
        let mut usb = usb();
        usb.last_disconnected = Some("2026-11-20T09:00:00Z".into());
        let state = BackupState {
            destinations: vec![usb],
            ..Default::default()
        };
        let coverage = Coverage::assess(&state, at("2026-12-05T00:00:00Z"), Limits::default());
        assert!(coverage.offline.is_empty());
    }

    #[test]
    fn object_lock_makes_a_cloud_copy_immutable_only_with_a_retention() {
        let mut cloud = cloud();
        cloud.object_lock = Some(ObjectLockState {
            mode: Some("COMPLIANCE".into()),
            days: None,
            verified_at: "2026-12-02T10:00:00Z".into(),
        });
        let state = BackupState {
            destinations: vec![cloud.clone()],
            ..Default::default()
        };
        let now = at("2026-12-05T00:00:00Z");
        assert!(
            Coverage::assess(&state, now, Limits::default())
                .offline
                .is_empty()
        );
        cloud.object_lock.as_mut().unwrap().days = Some(30);
        let state = BackupState {
            destinations: vec![cloud],
            ..Default::default()
        };
        let coverage = Coverage::assess(&state, now, Limits::default());
        assert!(coverage.offline[0].how.contains("COMPLIANCE, 30 days"));
    }

    #[test]
    fn old_backups_and_old_restore_tests_do_not_count() {
        let mut usb = usb();
        usb.last_success = Some("2026-09-01T10:00:00Z".into());
        usb.last_verify = Some(VerifyRecord {
            at: "2026-08-01T10:00:00Z".into(),
            snapshot: None,
            files_tested: 5,
            bytes_compared: 10,
            data_read_percent: 0.0,
            errors: vec![],
            damaged_files: vec![],
        });
        let mut cloud = cloud();
        cloud.last_verify = Some(VerifyRecord {
            at: "2026-12-03T10:00:00Z".into(),
            snapshot: None,
            files_tested: 3,
            bytes_compared: 10,
            data_read_percent: 10.0,
            errors: vec!["pack 1234 is damaged".into()],
            damaged_files: vec!["/home/a/x.pdf".into()],
        });
        let state = BackupState {
            destinations: vec![usb, cloud],
            ..Default::default()
        };
        let coverage = Coverage::assess(&state, at("2026-12-05T00:00:00Z"), Limits::default());
        assert_eq!(coverage.copies, 2);
        assert_eq!(coverage.stale.len(), 1);
        assert_eq!(
            coverage.restore_test,
            Some(("cloud".into(), "2026-12-03T10:00:00Z".into(), 1))
        );
        assert!(!coverage.complete());
    }
}
