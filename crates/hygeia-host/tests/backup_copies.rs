//! HY-BK-003..005 from the history `hygeia backup` keeps, and the answer used only when
//! nothing was measured.

use hygeia_core::{Attestation, Catalog, Platform, Status, UnknownCause};
use hygeia_host::probe::Outcome;
use hygeia_host::rules::BACKUP_STATE_PROBE;
use hygeia_host::{Context, Snapshot, evaluate};
use std::collections::BTreeMap;
use time::{Duration, OffsetDateTime};

fn catalog() -> Catalog {
    Catalog::builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn context() -> Context {
    Context {
        hostname: "exam-room-3".into(),
        user: "drlee".into(),
        elevated: false,
        home: "/home/drlee".into(),
        desktop: None,
    }
}

/// When `Snapshot::from_outputs` says the snapshot was taken: ages count from there.
fn observed() -> OffsetDateTime {
    hygeia_core::time_util::parse_rfc3339("2026-11-28T12:00:00Z")
        .unwrap_or_else(|| panic!("a fixed RFC 3339 time"))
}

fn days_ago(days: i64) -> String {
    hygeia_core::time_util::rfc3339(observed() - Duration::days(days))
}

fn snapshot_with(state: Option<&str>) -> Snapshot {
    let outcome = match state {
        Some(text) => Outcome::Read {
            content: text.into(),
            modified: None,
        },
        None => Outcome::NotFound,
    };
    Snapshot::from_outputs(Platform::Linux, context(), &[(BACKUP_STATE_PROBE, outcome)])
}

fn protected_history() -> String {
    serde_json::json!({
        "schema": "hygeia.backup-state/1",
        "destinations": [
            {"name": "usb", "location": "/media/drlee/BACKUP/hygeia", "media": "external-disk",
             "offsite": false, "last_success": days_ago(2), "last_disconnected": days_ago(1),
             "last_connected": days_ago(2)},
            {"name": "cloud", "location": "s3:https://s3.example/practice/exam-room-3",
             "media": "cloud", "offsite": false, "last_success": days_ago(1),
             "object_lock": {"mode": "COMPLIANCE", "days": 30, "verified_at": days_ago(1)},
             "last_verify": {"at": days_ago(1), "snapshot": "0123abcd", "files_tested": 20,
                             "bytes_compared": 81234, "data_read_percent": 10.0, "errors": []}}
        ]
    })
    .to_string()
}

fn exposed_history() -> String {
    serde_json::json!({
        "schema": "hygeia.backup-state/1",
        "destinations": [
            {"name": "usb", "location": "/media/drlee/BACKUP/hygeia", "media": "external-disk",
             "offsite": false, "last_success": days_ago(1), "last_disconnected": days_ago(20),
             "last_verify": {"at": days_ago(3), "files_tested": 4, "bytes_compared": 10,
                             "data_read_percent": 100.0,
                             "errors": ["pack 9f86d081 is damaged: its content no longer matches its checksum"],
                             "damaged_files": ["/home/drlee/Documents/consent.pdf"]}},
            {"name": "nas", "location": "/home/drlee/backup", "media": "same-disk",
             "offsite": false, "last_success": days_ago(1), "last_disconnected": days_ago(0)}
        ]
    })
    .to_string()
}

#[test]
fn a_protected_history_passes_with_evidence() {
    let findings = evaluate(&snapshot_with(Some(&protected_history())), &catalog());
    let offline = &findings["HY-BK-003"];
    assert_eq!(offline.status, Status::Pass, "{}", offline.reason);
    assert!(offline.reason.starts_with("usb"), "{}", offline.reason);
    assert!(
        offline
            .evidence
            .iter()
            .any(|e| e.contains("Object Lock (COMPLIANCE, 30 days)"))
    );
    assert_eq!(findings["HY-BK-004"].status, Status::Pass);
    assert!(findings["HY-BK-004"].reason.contains("cloud"));
    let tested = &findings["HY-BK-005"];
    assert_eq!(tested.status, Status::Pass, "{}", tested.reason);
    assert!(
        tested.evidence[0].contains("20 file(s)"),
        "{:?}",
        tested.evidence
    );
}

#[test]
fn an_exposed_history_fails_and_says_why() {
    let findings = evaluate(&snapshot_with(Some(&exposed_history())), &catalog());
    // The USB drive was unplugged before its last backup, and the copy that is "offline" now
    // sits on the same disk as the files.
    assert_eq!(findings["HY-BK-003"].status, Status::Fail);
    assert_eq!(findings["HY-BK-004"].status, Status::Fail);
    let tested = &findings["HY-BK-005"];
    assert_eq!(tested.status, Status::Fail);
    assert!(
        tested.evidence.iter().any(|e| e.contains("damaged")),
        "{:?}",
        tested.evidence
    );
}

#[test]
fn without_history_the_controls_are_unknown_and_an_answer_counts() {
    let snapshot = snapshot_with(None);
    let findings = evaluate(&snapshot, &catalog());
    for id in ["HY-BK-003", "HY-BK-004", "HY-BK-005"] {
        assert_eq!(findings[id].status, Status::Unknown, "{id}");
        assert_eq!(
            findings[id].unknown_cause,
            Some(UnknownCause::Inconclusive),
            "{id}"
        );
    }
    let now = observed();
    let answers = BTreeMap::from([(
        "HY-BK-003".to_string(),
        Attestation {
            answer: true,
            by: "drlee".into(),
            at: hygeia_core::time_util::rfc3339(now - Duration::days(3)),
            note: None,
        },
    )]);
    let report =
        hygeia_host::assemble::build_report(&catalog(), &snapshot, "test".into(), &answers, now);
    let result = |id: &str| report.controls.iter().find(|c| c.id == id).unwrap().status;
    assert_eq!(result("HY-BK-003"), Status::Attested);
    assert_eq!(result("HY-BK-004"), Status::Unknown);

    // A measurement wins over an answer.
    let measured = snapshot_with(Some(&exposed_history()));
    let report =
        hygeia_host::assemble::build_report(&catalog(), &measured, "test".into(), &answers, now);
    assert_eq!(
        report
            .controls
            .iter()
            .find(|c| c.id == "HY-BK-003")
            .unwrap()
            .status,
        Status::Fail
    );
}

#[test]
fn a_damaged_history_is_unreadable_not_a_pass() {
    let findings = evaluate(
        &snapshot_with(Some("{\"schema\": \"something else\"}")),
        &catalog(),
    );
    assert_eq!(
        findings["HY-BK-003"].unknown_cause,
        Some(UnknownCause::Unreadable)
    );
}

#[test]
fn hygeia_backups_count_as_a_backup_program_with_their_last_success() {
    let findings = evaluate(&snapshot_with(Some(&protected_history())), &catalog());
    assert_eq!(findings["HY-BK-001"].status, Status::Pass);
    assert!(
        findings["HY-BK-001"]
            .reason
            .contains("Hygeia backup to usb, cloud")
    );
    // The newest success is the cloud's, a day before the snapshot.
    assert_eq!(
        findings["HY-BK-002"].status,
        Status::Pass,
        "{}",
        findings["HY-BK-002"].reason
    );
}
