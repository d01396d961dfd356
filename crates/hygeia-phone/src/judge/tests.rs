use super::*;
use crate::catalog::tests::minimal;
use hygeia_core::time_util::parse_rfc3339;

fn releases() -> MobileOsCatalog {
    MobileOsCatalog::parse(&minimal()).unwrap()
}

fn judge_at(facts: &PhoneFacts, at: &str) -> BTreeMap<String, Finding> {
    let releases = releases();
    let catalog = Catalog::builtin().unwrap();
    Judge {
        releases: &releases,
        catalog: &catalog,
        observed_at: parse_rfc3339(at).unwrap(),
    }
    .judge(facts)
}

fn android(version: &str, patch: &str) -> PhoneFacts {
    let mut facts = PhoneFacts::new(Family::Android, "Google Pixel 5");
    facts.os_version = Reading::measured(version.into());
    facts.security_patch = Reading::measured(patch.into());
    facts
}

fn iphone(version: &str) -> PhoneFacts {
    let mut facts = PhoneFacts::new(Family::Ios, "iPhone (iPhone15,4)");
    facts.model_id = "iPhone15,4".into();
    facts.os_version = Reading::measured(version.into());
    facts
}

const NOW: &str = "2026-12-06T12:00:00Z";

#[test]
fn android_11_with_a_2021_patch_fails_and_names_the_patch_age() {
    let finding = &judge_at(&android("11", "2021-03-05"), NOW)["HY-PH-001"];
    assert_eq!(finding.status, Status::Fail);
    assert!(
        finding
            .reason
            .contains("Android 11 stopped getting security fixes in March 2024"),
        "{}",
        finding.reason
    );
    assert!(
        finding
            .reason
            .contains("2021-03-05, 2102 days old (the limit is 90)"),
        "{}",
        finding.reason
    );
    assert!(
        finding.reason.contains("lacks 3 monthly"),
        "{}",
        finding.reason
    );
}

#[test]
fn a_supported_android_passes_only_with_a_recent_patch() {
    assert_eq!(
        judge_at(&android("16", "2026-11-05"), NOW)["HY-PH-001"].status,
        Status::Pass
    );
    let old = &judge_at(&android("16", "2026-08-01"), NOW)["HY-PH-001"];
    assert_eq!(old.status, Status::Fail, "{}", old.reason);
    // An estimated end of support warns but cannot fail on its own.
    assert_eq!(
        judge_at(&android("13", "2026-11-05"), NOW)["HY-PH-001"].status,
        Status::Warn
    );
    // Newer than the list: judged on the patch alone.
    assert_eq!(
        judge_at(&android("17", "2026-11-05"), NOW)["HY-PH-001"].status,
        Status::Pass
    );
    let mut unknown_patch = android("16", "");
    unknown_patch.security_patch = Reading::unknown("not read");
    assert_eq!(
        judge_at(&unknown_patch, NOW)["HY-PH-001"].status,
        Status::Unknown
    );
}

#[test]
fn ios_point_releases_count_from_the_first_missed_one() {
    assert_eq!(
        judge_at(&iphone("26.1"), NOW)["HY-PH-001"].status,
        Status::Warn,
        "26.2 is estimated"
    );
    let behind = &judge_at(&iphone("26.0"), NOW)["HY-PH-001"];
    assert_eq!(behind.status, Status::Fail);
    assert!(
        behind.reason.contains("iOS 26.1 came out on 2025-11-03"),
        "{}",
        behind.reason
    );
    assert_eq!(
        judge_at(&iphone("26.2"), NOW)["HY-PH-001"].status,
        Status::Pass
    );
    assert_eq!(
        judge_at(&iphone("26.0"), "2025-11-20T00:00:00Z")["HY-PH-001"].status,
        Status::Warn,
        "within 30 days"
    );
    assert_eq!(
        judge_at(&iphone("18.7"), NOW)["HY-PH-001"].status,
        Status::Warn,
        "partial support"
    );
    assert_eq!(
        judge_at(&iphone("17.6"), NOW)["HY-PH-001"].status,
        Status::Fail,
        "ended"
    );
    assert_eq!(
        judge_at(&iphone("15.8"), NOW)["HY-PH-001"].status,
        Status::Fail,
        "older than the list"
    );
    assert_eq!(
        judge_at(&iphone("27.0"), NOW)["HY-PH-001"].status,
        Status::Pass,
        "newer than the list"
    );
}

#[test]
fn a_phone_its_maker_stopped_updating_fails() {
    let mut facts = iphone("16.7.10");
    facts.model_id = "iPhone10,6".into();
    let finding = &judge_at(&facts, NOW)["HY-PH-001"];
    assert_eq!(finding.status, Status::Fail);
    assert!(
        finding
            .reason
            .contains("iPhone 8, 8 Plus, X cannot run iOS 26"),
        "{}",
        finding.reason
    );
}

#[test]
fn an_answered_version_is_attested_not_passed() {
    let mut facts = iphone("26.2");
    facts.os_version = Reading::answered("26.2".into());
    assert_eq!(judge_at(&facts, NOW)["HY-PH-001"].status, Status::Attested);
}

#[test]
fn screen_lock_and_encryption() {
    let mut facts = iphone("26.2");
    facts.screen_lock = Reading::measured(true);
    facts.encrypted = Reading::measured(true);
    assert_eq!(judge_at(&facts, NOW)["HY-PH-002"].status, Status::Pass);
    facts.encrypted = Reading::answered(true);
    assert_eq!(judge_at(&facts, NOW)["HY-PH-002"].status, Status::Attested);
    facts.screen_lock = Reading::measured(false);
    let finding = &judge_at(&facts, NOW)["HY-PH-002"];
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.reason.starts_with("No screen lock"));
    facts.screen_lock = Reading::unknown("the phone is locked");
    assert_eq!(judge_at(&facts, NOW)["HY-PH-002"].status, Status::Unknown);
}

#[test]
fn telehealth_apps_installed_and_used() {
    let mut facts = android("16", "2026-11-05");
    facts.installed_apps =
        Reading::measured(vec!["com.whatsapp".into(), "com.android.chrome".into()]);
    let finding = &judge_at(&facts, NOW)["HY-PH-003"];
    assert_eq!(finding.status, Status::Warn);
    assert!(
        finding.reason.starts_with("WhatsApp installed"),
        "{}",
        finding.reason
    );
    facts.visit_apps = Reading::answered(vec!["WhatsApp".into()]);
    let finding = &judge_at(&facts, NOW)["HY-PH-003"];
    assert_eq!(finding.status, Status::Fail);
    assert!(
        finding
            .reason
            .starts_with("WhatsApp is used for patient visits"),
        "{}",
        finding.reason
    );
    facts.visit_apps = Reading::answered(vec!["Zoom".into()]);
    let finding = &judge_at(&facts, NOW)["HY-PH-003"];
    assert_eq!(finding.status, Status::Attested);
    assert!(
        finding
            .evidence
            .iter()
            .any(|e| e.contains("WhatsApp is also installed"))
    );
    facts.visit_apps = Reading::answered(vec!["none".into()]);
    assert_eq!(
        judge_at(&facts, NOW)["HY-PH-003"].status,
        Status::NotApplicable
    );
    facts.visit_apps = Reading::answered(vec!["ClinicCall".into()]);
    assert_eq!(judge_at(&facts, NOW)["HY-PH-003"].status, Status::Unknown);
    let mut nothing = android("16", "2026-11-05");
    nothing.installed_apps = Reading::measured(vec!["us.zoom.videomeetings".into()]);
    assert_eq!(judge_at(&nothing, NOW)["HY-PH-003"].status, Status::Pass);
}

#[test]
fn apps_from_outside_the_store() {
    let mut facts = android("16", "2026-11-05");
    facts.unknown_sources = Reading::measured(vec!["com.android.vending".into()]);
    facts.developer_options = Reading::measured(true);
    let finding = &judge_at(&facts, NOW)["HY-PH-004"];
    assert_eq!(finding.status, Status::Pass);
    assert!(finding.evidence[0].contains("turn them off"));
    facts.unknown_sources = Reading::measured(vec![
        "com.android.vending".into(),
        "com.android.chrome".into(),
    ]);
    let finding = &judge_at(&facts, NOW)["HY-PH-004"];
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.reason.contains("com.android.chrome") && !finding.reason.contains("vending"));
    assert_eq!(
        judge_at(&iphone("26.2"), NOW)["HY-PH-004"].status,
        Status::NotApplicable
    );
}
