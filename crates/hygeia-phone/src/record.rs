//! A phone as Hygeia records it: who it belongs to, where the facts came from, the facts, and
//! the result of each phone control. `hygeia phone check --format json` prints the check report;
//! the server stores these.

use crate::facts::{Family, PhoneFacts};
use crate::judge::Judge;
use hygeia_core::phone_state::{PhoneCheck, PhoneResult};
use hygeia_core::{Finding, Status};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a phone's facts came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhoneSource {
    /// `hygeia phone check` over USB.
    Usb,
    /// The dashboard's phone check page, in the phone's browser.
    Browser,
    /// A Microsoft Intune export.
    Intune,
    /// A Google Workspace export.
    GoogleWorkspace,
}

impl PhoneSource {
    /// The identifier used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneSource::Usb => "usb",
            PhoneSource::Browser => "browser",
            PhoneSource::Intune => "intune",
            PhoneSource::GoogleWorkspace => "google-workspace",
        }
    }

    /// Parses what [`PhoneSource::as_str`] gives.
    pub fn parse(text: &str) -> Option<PhoneSource> {
        [
            PhoneSource::Usb,
            PhoneSource::Browser,
            PhoneSource::Intune,
            PhoneSource::GoogleWorkspace,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            PhoneSource::Usb => "USB check",
            PhoneSource::Browser => "phone check page",
            PhoneSource::Intune => "Intune export",
            PhoneSource::GoogleWorkspace => "Google Workspace export",
        }
    }
}

/// A stable identifier for a phone that does not reveal its serial number or device id.
pub fn identifier(family: Family, raw: &str) -> String {
    let digest = Sha256::digest(format!("{}:{}", family.as_str(), raw.trim()).as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// One phone's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneRecord {
    /// [`identifier`] of the phone.
    pub id: String,
    /// For people: the device name or model.
    pub name: String,
    /// The person it belongs to.
    pub owner: String,
    /// Where the facts came from.
    pub source: PhoneSource,
    /// When they were collected (RFC 3339).
    pub seen_at: String,
    /// The facts, measured and answered kept apart.
    pub facts: PhoneFacts,
    /// One result per phone control.
    pub results: Vec<PhoneResult>,
}

impl PhoneRecord {
    /// Judges `facts` and makes the record.
    #[allow(clippy::too_many_arguments)]
    pub fn judged(
        id: String,
        name: String,
        owner: String,
        source: PhoneSource,
        seen_at: String,
        facts: PhoneFacts,
        judge: &Judge,
    ) -> (PhoneRecord, std::collections::BTreeMap<String, Finding>) {
        let findings = judge.judge(&facts);
        let results = findings
            .iter()
            .map(|(control, f)| PhoneResult {
                control: control.clone(),
                status: f.status,
                reason: f.reason.clone(),
                unknown_cause: f.unknown_cause,
            })
            .collect();
        let record = PhoneRecord {
            id,
            name,
            owner,
            source,
            seen_at,
            facts,
            results,
        };
        (record, findings)
    }

    /// The worst result: fail, then warn, unknown, attested, pass, not applicable.
    pub fn worst_status(&self) -> Status {
        let rank = |s: Status| match s {
            Status::Fail => 5,
            Status::Warn => 4,
            Status::Unknown => 3,
            Status::Attested => 2,
            Status::Pass => 1,
            Status::NotApplicable => 0,
        };
        self.results
            .iter()
            .map(|r| r.status)
            .max_by_key(|s| rank(*s))
            .unwrap_or(Status::Unknown)
    }

    /// The result of one control.
    pub fn result(&self, control: &str) -> Option<&PhoneResult> {
        self.results.iter().find(|r| r.control == control)
    }

    /// What `hygeia check` reads back from `phone/state.json`.
    pub fn as_check(&self) -> PhoneCheck {
        PhoneCheck {
            id: self.id.clone(),
            name: self.facts.describe(),
            checked_at: self.seen_at.clone(),
            results: self.results.clone(),
        }
    }
}
