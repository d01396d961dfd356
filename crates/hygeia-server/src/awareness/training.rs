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

/// Days a yearly lesson may wait before it is overdue.
pub const YEARLY_DUE_DAYS: i64 = 30;

/// How often the server looks for people whose yearly lesson is due.
pub const YEARLY_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

/// Assigns a lesson to every active person of every practice who passed none in the last 12
/// months and has none assigned: the first module (in catalog order) they have not passed
/// recently, so the lessons rotate from year to year. Returns how many were assigned.
pub async fn assign_yearly(state: &crate::state::AppState, now: i64) -> Result<usize, sqlx::Error> {
    use sqlx::Row;
    let Ok(catalog) = super::catalog::builtin() else {
        return Ok(0);
    };
    let mut tx = state.db.write.begin().await?;
    let due = sqlx::query(
        "SELECT u.id, u.practice_id FROM users u \
         WHERE u.practice_id IS NOT NULL AND u.disabled = 0 AND u.role IN ('practice_admin', 'clinician') \
         AND NOT EXISTS (SELECT 1 FROM training_results t WHERE t.user_id = u.id AND t.passed = 1 AND t.finished_at > $1) \
         AND NOT EXISTS (SELECT 1 FROM training_assignments a WHERE a.user_id = u.id AND a.completed_at IS NULL)",
    )
    .bind(now - super::storage::TRAINING_VALID_SECONDS)
    .fetch_all(&mut *tx)
    .await?;
    let mut assigned = 0;
    for row in due {
        let user_id: i64 = row.try_get("id")?;
        let practice_id: i64 = row.try_get("practice_id")?;
        // The module passed longest ago (or never) comes next.
        let passed = sqlx::query(
            "SELECT module_id, MAX(finished_at) AS last FROM training_results WHERE user_id = $1 AND passed = 1 GROUP BY module_id",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        let last_passed = |module: &str| {
            passed
                .iter()
                .find(|r| {
                    r.try_get::<String, _>("module_id")
                        .is_ok_and(|m| m == module)
                })
                .and_then(|r| r.try_get::<i64, _>("last").ok())
                .unwrap_or(0)
        };
        let Some(next) = catalog.modules.iter().min_by_key(|m| last_passed(&m.id)) else {
            continue;
        };
        if super::storage::assign(
            &mut tx,
            practice_id,
            user_id,
            &next.id,
            "yearly",
            None,
            YEARLY_DUE_DAYS * 86_400,
        )
        .await?
        {
            assigned += 1;
        }
    }
    tx.commit().await?;
    Ok(assigned)
}

/// The loop `hygeia serve` runs, every `every`.
pub async fn schedule_yearly(state: crate::state::AppState, every: std::time::Duration) {
    loop {
        match assign_yearly(&state, crate::db::now()).await {
            Ok(0) => {}
            Ok(n) => eprintln!("hygeia serve: assigned this year's awareness lesson to {n} people"),
            Err(error) => eprintln!("hygeia serve: assigning yearly lessons failed: {error}"),
        }
        tokio::time::sleep(every).await;
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
