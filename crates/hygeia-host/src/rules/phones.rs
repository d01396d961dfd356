//! HY-PH-001..004 on the computer: the phones `hygeia phone check` measured from this account
//! (`phone/state.json`), each control as its worst phone shows it. Without a recent phone check
//! the controls stay `unknown` and a person's answer (`hygeia attest`) is used instead.

use super::Input;
use hygeia_core::phone_state::{PhoneState, SCHEMA};
use hygeia_core::{Finding, Status, UnknownCause};

/// The probe that reads the history.
pub const STATE_PROBE: &str = "hygeia_phone_state";

/// How bad a status is, for picking the phone that decides a control.
fn badness(status: Status) -> u8 {
    match status {
        Status::Fail => 5,
        Status::Warn => 4,
        Status::Unknown => 3,
        Status::Attested => 2,
        Status::Pass => 1,
        Status::NotApplicable => 0,
    }
}

/// The control as the phones checked within the catalog's age limit show it.
fn from_phone_checks(input: &Input, control: &str) -> Finding {
    let max_age = match input.limit(control, "phone_check_max_age_days") {
        Ok(days) => days,
        Err(finding) => return finding,
    };
    let not_checked = |why: String| {
        Finding::unknown(
            UnknownCause::Inconclusive,
            format!(
                "{why}: plug the phone into this computer and run `hygeia phone check` (or answer with `hygeia attest {control}`)."
            ),
        )
    };
    let file = match input.file(STATE_PROBE, "Hygeia's phone checks") {
        Ok(Some(file)) => file,
        Ok(None) => return not_checked("No phone has been checked from this account".into()),
        Err(finding) => return finding,
    };
    let Some(state) = serde_json::from_str::<PhoneState>(file.content)
        .ok()
        .filter(|s| s.schema == SCHEMA)
    else {
        return Finding::unknown(
            UnknownCause::Unreadable,
            format!(
                "Hygeia's record of phone checks ({}) is damaged; run `hygeia phone check` again.",
                input.source(STATE_PROBE)
            ),
        );
    };
    let recent = state.recent(input.observed_at, max_age);
    if recent.is_empty() {
        return not_checked(format!("No phone was checked in the last {max_age} days"));
    }
    let mut results: Vec<(&str, i64, &hygeia_core::phone_state::PhoneResult)> = recent
        .iter()
        .filter_map(|(phone, age)| {
            phone
                .results
                .iter()
                .find(|r| r.control == control)
                .map(|r| (phone.name.as_str(), *age, r))
        })
        .collect();
    results.sort_by_key(|(_, _, r)| std::cmp::Reverse(badness(r.status)));
    let Some((name, _, worst)) = results.first() else {
        return not_checked("The phone checks on record do not include this control".into());
    };
    let evidence = results.iter().map(|(name, age, r)| {
        format!(
            "{name}, checked {}: {} ({})",
            super::days_phrase(*age),
            r.status.label(),
            r.reason
        )
    });
    let reason = format!("{name}: {}", worst.reason);
    let finding = match worst.status {
        Status::Fail => Finding::fail(reason),
        Status::Warn => Finding::warn(reason),
        Status::Pass | Status::Attested => Finding::pass(reason),
        Status::NotApplicable => Finding::not_applicable(reason),
        Status::Unknown => Finding::unknown(
            worst.unknown_cause.unwrap_or(UnknownCause::Inconclusive),
            reason,
        ),
    };
    finding.with_all(evidence)
}

/// HY-PH-001: iOS or Android up to date.
pub fn phone_updates(input: &Input) -> Finding {
    from_phone_checks(input, "HY-PH-001")
}

/// HY-PH-002: screen lock and encryption.
pub fn phone_lock(input: &Input) -> Finding {
    from_phone_checks(input, "HY-PH-002")
}

/// HY-PH-003: telehealth apps.
pub fn phone_telehealth_apps(input: &Input) -> Finding {
    from_phone_checks(input, "HY-PH-003")
}

/// HY-PH-004: apps only from the store.
pub fn phone_app_sources(input: &Input) -> Finding {
    from_phone_checks(input, "HY-PH-004")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Outcome;
    use crate::snapshot::{Context, Snapshot};
    use hygeia_core::{Catalog, Platform};

    fn snapshot_with(state: Option<&str>) -> Snapshot {
        let context = Context {
            hostname: "exam-room-3".into(),
            user: "drlee".into(),
            elevated: false,
            home: "/home/drlee".into(),
            desktop: None,
        };
        let outcome = match state {
            Some(text) => Outcome::Read {
                content: text.into(),
                modified: None,
            },
            None => Outcome::NotFound,
        };
        Snapshot::from_outputs(Platform::Linux, context, &[(STATE_PROBE, outcome)])
    }

    fn evaluate(state: Option<&str>, control: &str) -> Finding {
        let catalog = Catalog::builtin().unwrap();
        let snapshot = snapshot_with(state);
        crate::rules::evaluate(&snapshot, &catalog)
            .remove(control)
            .unwrap()
    }

    const STATE: &str = r#"{"schema":"hygeia.phone-state/1","phones":[
        {"id":"a","name":"iPhone 15 (iOS 27.0)","checked_at":"2026-11-27T10:00:00Z","results":[
            {"control":"HY-PH-001","status":"pass","reason":"iOS 27.0 is the newest release."}]},
        {"id":"b","name":"Pixel 5 (Android 11)","checked_at":"2026-11-26T10:00:00Z","results":[
            {"control":"HY-PH-001","status":"fail","reason":"Android 11 no longer gets security fixes."}]},
        {"id":"c","name":"Old tablet","checked_at":"2026-01-01T10:00:00Z","results":[
            {"control":"HY-PH-001","status":"fail","reason":"too old to count"}]}]}"#;

    #[test]
    fn the_worst_recently_checked_phone_decides() {
        let finding = evaluate(Some(STATE), "HY-PH-001");
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding
                .reason
                .starts_with("Pixel 5 (Android 11): Android 11")
        );
        assert_eq!(finding.evidence.len(), 2, "the January check is too old");
    }

    #[test]
    fn without_a_phone_check_the_control_is_unknown_and_says_what_to_run() {
        let finding = evaluate(None, "HY-PH-002");
        assert_eq!(finding.status, Status::Unknown);
        assert!(finding.reason.contains("hygeia phone check"));
        let finding = evaluate(Some(STATE), "HY-PH-002");
        assert_eq!(finding.status, Status::Unknown, "no phone has this result");
        let finding = evaluate(Some("{not json"), "HY-PH-001");
        assert_eq!(finding.unknown_cause, Some(UnknownCause::Unreadable));
    }
}
