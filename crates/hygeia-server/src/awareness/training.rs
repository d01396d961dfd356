//! HY-EM-002 ("awareness training done this year") measured by the server: a person who passed
//! a training module's quiz on this server within 12 months passes it on every computer
//! assigned to them. Without such a result the computer's own answer (`hygeia attest`) stands:
//! the practice may train people elsewhere, so no training here is not a failure.

use super::storage::TRAINING_VALID_SECONDS;
use crate::ingest::{ControlOutcome, ValidReport};

/// The control this module measures.
pub const CONTROL: &str = "HY-EM-002";

/// The sentence for a module passed at `finished_at`, when it still counts at `now`.
pub fn reason(training: Option<&(String, i64)>, now: i64) -> Option<String> {
    let (module_id, finished_at) = training?;
    if now - finished_at > TRAINING_VALID_SECONDS {
        return None;
    }
    let title = super::catalog::builtin()
        .ok()
        .and_then(|c| c.module(module_id))
        .map(|m| m.title.clone())
        .unwrap_or_else(|| module_id.clone());
    Some(format!(
        "Passed the awareness lesson \"{title}\" on {} (recorded by the practice's Hygeia server).",
        crate::pages::layout::date(*finished_at)
    ))
}

/// Replaces HY-EM-002 in a report by the server's measurement, when there is one, and
/// recomputes the report's hash (so a newly passed lesson is news).
pub fn apply(report: &mut ValidReport, training: Option<&(String, i64)>, now: i64) {
    let Some(reason) = reason(training, now) else {
        return;
    };
    let Some(result) = report.results.iter_mut().find(|r| r.control_id == CONTROL) else {
        return;
    };
    *result = ControlOutcome {
        control_id: CONTROL.to_string(),
        status: "pass",
        severity: result.severity,
        reason,
        attestation: None,
    };
    report.results_hash = crate::ingest::results_hash(&report.results);
}

/// The same on a report shown on the computer's page.
pub fn apply_to_control(
    control: &mut hygeia_core::ControlResult,
    training: Option<&(String, i64)>,
    now: i64,
) {
    if control.id != CONTROL {
        return;
    }
    if let Some(reason) = reason(training, now) {
        control.status = hygeia_core::Status::Pass;
        control.reason = reason;
        control.unknown_cause = None;
        control.attestation = None;
        control.evidence = vec![
            "Training results are kept by the practice's server (Simulations and training).".into(),
        ];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(id: &str, status: &'static str) -> ControlOutcome {
        ControlOutcome {
            control_id: id.into(),
            status,
            severity: "medium",
            reason: "answered".into(),
            attestation: None,
        }
    }

    #[test]
    fn a_lesson_passed_this_year_passes_the_control_and_changes_the_hash() {
        let now = 1_800_000_000;
        let mut report = ValidReport {
            hostname: "exam-1".into(),
            platform: "linux",
            os: "Debian".into(),
            collected_at: now,
            results: vec![outcome("HY-EM-001", "pass"), outcome(CONTROL, "unknown")],
            results_hash: String::new(),
        };
        report.results_hash = crate::ingest::results_hash(&report.results);
        let before = report.clone();
        apply(&mut report, None, now);
        assert_eq!(
            report, before,
            "no training: the computer's own result stands"
        );
        let old = (
            "phishing-links".to_string(),
            now - TRAINING_VALID_SECONDS - 1,
        );
        apply(&mut report, Some(&old), now);
        assert_eq!(report, before, "training older than a year does not count");
        let fresh = ("phishing-links".to_string(), now - 86_400);
        apply(&mut report, Some(&fresh), now);
        assert_eq!(report.results[1].status, "pass");
        assert!(
            report.results[1]
                .reason
                .contains("Links that steal passwords"),
            "{}",
            report.results[1].reason
        );
        assert_ne!(report.results_hash, before.results_hash);
    }
}
