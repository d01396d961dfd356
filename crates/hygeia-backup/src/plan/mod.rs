//! The saved backup plan (`backup/plan.toml` in Hygeia's config folder): what to back up, to
//! which destinations, how often and how long to keep it. `hygeia backup plan` writes it and
//! `hygeia backup run` without `--repo` follows it.

mod questions;

pub use questions::ask;

use crate::BackupError;
use crate::location::Location;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The plan file's name inside the backup folder.
pub const PLAN_FILE: &str = "plan.toml";

/// How often the scheduled run happens (the timers in `packaging/` follow it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    /// Every hour.
    Hourly,
    /// Every day.
    Daily,
    /// Every week.
    Weekly,
}

impl Schedule {
    /// Reads `hourly`, `daily` or `weekly`.
    pub fn parse(text: &str) -> Option<Schedule> {
        match text.trim().to_ascii_lowercase().as_str() {
            "hourly" => Some(Schedule::Hourly),
            "daily" => Some(Schedule::Daily),
            "weekly" => Some(Schedule::Weekly),
            _ => None,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Schedule::Hourly => "hourly",
            Schedule::Daily => "daily",
            Schedule::Weekly => "weekly",
        }
    }
}

/// How many snapshots to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// One per day for this many days.
    pub keep_daily: u32,
    /// One per week for this many weeks.
    pub keep_weekly: u32,
    /// One per month for this many months.
    pub keep_monthly: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            keep_daily: 7,
            keep_weekly: 4,
            keep_monthly: 12,
        }
    }
}

/// One place the backups go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Destination {
    /// A short name (`usb`, `cloud`).
    pub name: String,
    /// The location, as for `--repo`.
    pub repo: String,
    /// Whether this copy is kept away from the computer (a drive taken home, a server at
    /// another site). Cloud storage is always off-site.
    #[serde(default)]
    pub offsite: bool,
}

fn default_verify_every_days() -> u32 {
    30
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Folders and files to back up.
    pub sources: Vec<PathBuf>,
    /// Glob patterns left out, beyond the caches and temporary files always left out.
    #[serde(default)]
    pub excludes: Vec<String>,
    /// How often.
    pub schedule: Schedule,
    /// How long.
    #[serde(default)]
    pub retention: Retention,
    /// A private file holding the repositories' password (else `HYGEIA_BACKUP_PASSWORD`).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// A plan run also tests a restore of each destination when its last test is this many days
    /// old (0: never; `hygeia backup verify` by hand).
    #[serde(default = "default_verify_every_days")]
    pub verify_every_days: u32,
    /// Where.
    #[serde(rename = "destination")]
    pub destinations: Vec<Destination>,
}

impl Plan {
    /// Checks the plan; returns advice that does not stop it from being used.
    pub fn validate(&self) -> Result<Vec<String>, BackupError> {
        let invalid = |why: String| BackupError::InvalidPlan(why);
        if self.sources.is_empty() {
            return Err(invalid("it names no folder to back up".into()));
        }
        if self.destinations.len() < 2 {
            return Err(invalid(
                "it needs at least two destinations (for example a USB drive and an S3 bucket), so that one lost or encrypted copy is not the only one".into(),
            ));
        }
        let mut kinds = Vec::new();
        for (index, destination) in self.destinations.iter().enumerate() {
            let name = destination.name.trim();
            if name.is_empty() || name.len() > 40 || name.contains(char::is_whitespace) {
                return Err(invalid(format!(
                    "destination {} needs a short name without spaces (such as usb or cloud)",
                    index + 1
                )));
            }
            if self.destinations[..index].iter().any(|d| d.name == name) {
                return Err(invalid(format!("two destinations are named {name}")));
            }
            let location = Location::parse(&destination.repo)?;
            kinds.push(location.kind());
        }
        let r = self.retention;
        if r.keep_daily == 0 && r.keep_weekly == 0 && r.keep_monthly == 0 {
            return Err(invalid(
                "its retention keeps nothing; set keep_daily, keep_weekly or keep_monthly".into(),
            ));
        }
        let mut advice = Vec::new();
        kinds.sort_unstable();
        kinds.dedup();
        if kinds.len() < 2 {
            advice.push(format!(
                "every destination is a {}: a second kind (a USB drive and cloud storage) protects against one kind failing",
                kinds.first().copied().unwrap_or("folder")
            ));
        }
        Ok(advice)
    }

    /// Reads the plan from `dir`; `None` when there is none.
    pub fn load(dir: &Path) -> Result<Option<Plan>, BackupError> {
        let path = dir.join(PLAN_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(BackupError::Engine {
                    doing: "reading the backup plan",
                    message: format!("{}: {e}", path.display()),
                });
            }
        };
        let plan: Plan = toml::from_str(&text).map_err(|e| {
            BackupError::InvalidPlan(format!(
                "{} cannot be read ({}); fix it or write a new one with `hygeia backup plan`",
                path.display(),
                e.message()
            ))
        })?;
        Ok(Some(plan))
    }

    /// Writes the plan to `dir` (a private file, replaced atomically).
    pub fn save(&self, dir: &Path) -> Result<PathBuf, BackupError> {
        let path = dir.join(PLAN_FILE);
        let text = toml::to_string(self).map_err(|e| BackupError::InvalidPlan(e.to_string()))?;
        let text = format!(
            "# Hygeia backup plan, written by `hygeia backup plan`. Runs with `hygeia backup run`.\n{text}"
        );
        crate::state::write_private(dir, &path, text.as_bytes())?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            sources: vec!["/home/dr/Documents".into()],
            excludes: vec![],
            schedule: Schedule::Daily,
            retention: Retention::default(),
            password_file: None,
            verify_every_days: 30,
            destinations: vec![
                Destination {
                    name: "usb".into(),
                    repo: "/media/usb/hygeia".into(),
                    offsite: false,
                },
                Destination {
                    name: "cloud".into(),
                    repo: "s3:https://s3.example/practice/laptop".into(),
                    offsite: false,
                },
            ],
        }
    }

    #[test]
    fn a_plan_with_two_kinds_of_destination_is_accepted_and_round_trips() {
        let plan = plan();
        assert!(plan.validate().unwrap().is_empty());
        let dir = tempfile::tempdir().unwrap();
        plan.save(dir.path()).unwrap();
        assert_eq!(Plan::load(dir.path()).unwrap(), Some(plan));
    }

    #[test]
    fn one_destination_or_duplicate_names_are_refused() {
        let mut one = plan();
        one.destinations.pop();
        assert!(matches!(one.validate(), Err(BackupError::InvalidPlan(_))));
        let mut twins = plan();
        twins.destinations[1].name = "usb".into();
        assert!(twins.validate().is_err());
        let mut keeps_nothing = plan();
        keeps_nothing.retention = Retention {
            keep_daily: 0,
            keep_weekly: 0,
            keep_monthly: 0,
        };
        assert!(keeps_nothing.validate().is_err());
    }

    #[test]
    fn two_folders_are_allowed_with_advice() {
        let mut folders = plan();
        folders.destinations[1].repo = "/mnt/nas/hygeia".into();
        let advice = folders.validate().unwrap();
        assert_eq!(advice.len(), 1);
    }

    #[test]
    fn a_damaged_plan_file_is_an_error_that_names_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(PLAN_FILE), "sources = 3").unwrap();
        let error = Plan::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("plan.toml"), "{error}");
    }
}
