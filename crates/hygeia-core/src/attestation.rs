//! Attested controls: what a person declared, and how long that answer counts.

use crate::finding::{Finding, UnknownCause};
use crate::time_util::{days_between, parse_rfc3339};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// An answer counts for this many days; after that Hygeia asks again.
pub const ATTESTATION_VALID_DAYS: i64 = 90;

/// One person's answer about one control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    /// `true` for `--yes`, `false` for `--no`.
    pub answer: bool,
    /// Who answered (the operating-system user name).
    pub by: String,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Optional free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The finding for an attested control, given the stored answer (if any) and the time now.
pub fn attested_finding(
    control_id: &str,
    answer: Option<&Attestation>,
    now: OffsetDateTime,
) -> Finding {
    let ask = format!("Answer with: hygeia attest {control_id} --yes (or --no)");
    let Some(answer) = answer else {
        return Finding::unknown(
            UnknownCause::NotAttested,
            format!(
                "No program can see this and nobody has answered yet: run hygeia attest {control_id} --yes (or --no)."
            ),
        );
    };
    let when = answer.at.get(..10).unwrap_or(&answer.at).to_string();
    let mut evidence = vec![format!("answered by {} on {}", answer.by, when)];
    if let Some(note) = &answer.note {
        evidence.push(format!("note: {note}"));
    }
    let Some(at) = parse_rfc3339(&answer.at) else {
        return Finding::unknown(
            UnknownCause::NotAttested,
            "The stored answer has an unreadable date.",
        )
        .with_all(evidence)
        .with(ask);
    };
    let age = days_between(at, now);
    if age > ATTESTATION_VALID_DAYS {
        return Finding::unknown(
            UnknownCause::NotAttested,
            format!("The answer from {when} is more than {ATTESTATION_VALID_DAYS} days old; please confirm it again."),
        )
        .with_all(evidence)
        .with(ask);
    }
    if answer.answer {
        let mut finding = Finding::pass(format!("{} declared this in place on {when}.", answer.by));
        finding.status = crate::model::Status::Attested;
        finding.with_all(evidence)
    } else {
        Finding::fail(format!(
            "{} declared on {when} that this is not in place.",
            answer.by
        ))
        .with_all(evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use time::macros::datetime;

    fn answer(yes: bool, at: &str) -> Attestation {
        Attestation {
            answer: yes,
            by: "dr.lee".into(),
            at: at.into(),
            note: None,
        }
    }

    #[test]
    fn statuses_follow_the_answer_and_its_age() {
        let now = datetime!(2026-11-28 12:00 UTC);
        assert_eq!(
            attested_finding("HY-EM-001", None, now).status,
            Status::Unknown
        );
        let yes = answer(true, "2026-10-01T09:00:00Z");
        assert_eq!(
            attested_finding("HY-EM-001", Some(&yes), now).status,
            Status::Attested
        );
        let no = answer(false, "2026-10-01T09:00:00Z");
        assert_eq!(
            attested_finding("HY-EM-001", Some(&no), now).status,
            Status::Fail
        );
        let old = answer(true, "2026-06-01T09:00:00Z");
        let finding = attested_finding("HY-EM-001", Some(&old), now);
        assert_eq!(finding.status, Status::Unknown);
        assert!(finding.reason.contains("more than 90 days"));
        let garbled = answer(true, "yesterday");
        assert_eq!(
            attested_finding("HY-EM-001", Some(&garbled), now).status,
            Status::Unknown
        );
    }
}
