//! The phones `hygeia phone check` has checked from this account (`phone/state.json` in
//! Hygeia's config folder): the latest result of each phone's controls. `hygeia check` reads it
//! so that the computer's report shows the phone area as last measured, not as a question.

use crate::finding::UnknownCause;
use crate::model::Status;
use crate::time_util::{days_between, parse_rfc3339};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The file's schema name.
pub const SCHEMA: &str = "hygeia.phone-state/1";

/// Where the file is, inside Hygeia's config folder.
pub const RELATIVE_PATH: [&str; 2] = ["phone", "state.json"];

/// Every phone checked from this account, newest check last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneState {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// One entry per phone (by its identifier).
    #[serde(default)]
    pub phones: Vec<PhoneCheck>,
}

impl Default for PhoneState {
    fn default() -> Self {
        PhoneState {
            schema: SCHEMA.to_string(),
            phones: Vec::new(),
        }
    }
}

/// The latest check of one phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneCheck {
    /// A stable identifier: a hash of the serial number or device id, never the id itself.
    pub id: String,
    /// For people: "Pixel 5 (Android 11)".
    pub name: String,
    /// When it was checked (RFC 3339).
    pub checked_at: String,
    /// One result per phone control.
    pub results: Vec<PhoneResult>,
}

/// One control's result on one phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneResult {
    /// Control id (`HY-PH-001`).
    pub control: String,
    /// The result.
    pub status: Status,
    /// What was found.
    pub reason: String,
    /// Why it could not be measured, for `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_cause: Option<UnknownCause>,
}

impl PhoneState {
    /// Records `check`, replacing the earlier check of the same phone.
    pub fn record(&mut self, check: PhoneCheck) {
        self.phones.retain(|p| p.id != check.id);
        self.phones.push(check);
    }

    /// The checks made within `max_age_days` of `now`, with their age in days.
    pub fn recent(&self, now: OffsetDateTime, max_age_days: i64) -> Vec<(&PhoneCheck, i64)> {
        self.phones
            .iter()
            .filter_map(|p| {
                let at = parse_rfc3339(&p.checked_at)?;
                let age = days_between(at, now);
                (age <= max_age_days).then_some((p, age))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str, at: &str) -> PhoneCheck {
        PhoneCheck {
            id: id.into(),
            name: format!("phone {id}"),
            checked_at: at.into(),
            results: vec![PhoneResult {
                control: "HY-PH-001".into(),
                status: Status::Pass,
                reason: "up to date".into(),
                unknown_cause: None,
            }],
        }
    }

    #[test]
    fn a_new_check_replaces_the_same_phone_and_old_checks_are_left_out() {
        let mut state = PhoneState::default();
        state.record(check("a", "2026-10-01T00:00:00Z"));
        state.record(check("b", "2026-12-01T00:00:00Z"));
        state.record(check("a", "2026-12-05T00:00:00Z"));
        assert_eq!(state.phones.len(), 2);
        let now = parse_rfc3339("2026-12-06T00:00:00Z").unwrap();
        let recent: Vec<(&str, i64)> = state
            .recent(now, 30)
            .into_iter()
            .map(|(p, age)| (p.id.as_str(), age))
            .collect();
        assert_eq!(recent, vec![("b", 5), ("a", 1)]);
        assert!(state.recent(now, 0).is_empty());
    }
}
