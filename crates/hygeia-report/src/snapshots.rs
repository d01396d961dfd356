//! Whole-output snapshots of every renderer: a change to what users read shows up as a reviewed
//! diff (`cargo insta review`, or update the files under `src/snapshots/`). Every SARIF document
//! is also validated against the SARIF 2.1.0 schema (`tests/schema/`, see its README).

use crate::sample;
use hygeia_devices::{AdvisorySet, MatchReport, inventory, load_kev, match_inventory};
use hygeia_mail::batch::Scanned;
use hygeia_mail::{Context, MailCatalog, Settings, analyze_guarded};
use serde_json::Value;
use std::path::PathBuf;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The devices report of the project's labelled fixture inventory (`hygeia-devices/tests`),
/// dated so that it does not change from run to run.
fn devices_report() -> MatchReport {
    let fixtures = manifest_dir().join("../hygeia-devices/tests/fixtures");
    // Parsed from its bytes under its bare name: sources read "labelled.csv:8", wherever the
    // project is checked out.
    let bytes = std::fs::read(fixtures.join("labelled.csv")).unwrap();
    let inventory = inventory::parse("labelled.csv", &bytes).unwrap();
    let mut set = AdvisorySet::default();
    set.add_csaf(&fixtures.join("csaf")).unwrap();
    let kev = load_kev(&fixtures.join("kev.json")).unwrap();
    let mut report = match_inventory(&inventory, &set, Some(&kev), None).unwrap();
    report.generated_at = "2026-11-28T12:00:00Z".into();
    report
}

const PHISH: &str = "From: \"Microsoft 365\" <no-reply@micros0ft-support.example>\r\n\
To: dr.lee@clinic.example\r\n\
Subject: Your password expires today - verify now\r\n\
Message-ID: <1@micros0ft-support.example>\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>Your mailbox password expires in 24 hours. Act immediately to keep access.</p>\r\n\
<p><a href=\"http://198.51.100.7/login.php\">https://login.microsoftonline.com</a></p>\r\n";

const CLEAN: &str = "From: Anna Berg <anna@clinic.example>\r\n\
To: dr.lee@clinic.example\r\n\
Subject: Staff meeting moved to Thursday\r\n\
Message-ID: <2@clinic.example>\r\n\
\r\n\
Hi, the staff meeting moves to Thursday at 8. Anna\r\n";

/// Two analysed messages: a credential lure and a colleague's note.
fn scanned_mail() -> Vec<Scanned> {
    let catalog = MailCatalog::builtin().unwrap();
    let settings = Settings {
        protected: vec!["clinic.example".into()],
        trusted_authserv: Vec::new(),
        model: None,
    };
    let context = Context {
        catalog: &catalog,
        settings: &settings,
        verifier: None,
    };
    [("inbox/lure.eml", PHISH), ("inbox/meeting.eml", CLEAN)]
        .into_iter()
        .map(|(origin, raw)| Scanned {
            origin: origin.into(),
            analysis: analyze_guarded(raw.as_bytes(), None, &context),
        })
        .collect()
}

/// Panics with every schema error when `document` is not valid SARIF 2.1.0.
fn assert_valid_sarif(document: &str) {
    let path = manifest_dir().join("tests/schema/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let value: Value = serde_json::from_str(document).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("sarif.json", schema).unwrap();
    let index = compiler.compile("sarif.json", &mut schemas).unwrap();
    if let Err(error) = schemas.validate(&value, index) {
        panic!("not valid SARIF 2.1.0:\n{error:#}");
    }
}

fn results(document: &str) -> Vec<Value> {
    let value: Value = serde_json::from_str(document).unwrap();
    value["runs"][0]["results"].as_array().unwrap().clone()
}

#[test]
fn terminal_report() {
    insta::assert_snapshot!(crate::render_terminal(&sample::report(), false));
}

#[test]
fn junit_report() {
    insta::assert_snapshot!(crate::render_junit(&sample::report()));
}

#[test]
fn json_report() {
    insta::assert_snapshot!(crate::render_json(&sample::report()));
}

#[test]
fn html_report() {
    insta::assert_snapshot!(crate::render_html(&sample::report()));
}

#[test]
fn check_sarif() {
    let sarif = crate::sarif::check(&sample::report());
    assert_valid_sarif(&sarif);
    let results = results(&sarif);
    let encryption = results.iter().find(|r| r["ruleId"] == "HY-PC-005").unwrap();
    assert_eq!(encryption["level"], "error");
    assert_eq!(encryption["kind"], "fail");
    let os = results.iter().find(|r| r["ruleId"] == "HY-PC-001").unwrap();
    assert_eq!(os["kind"], "pass");
    insta::assert_snapshot!(sarif);
}

#[test]
fn devices_terminal() {
    insta::assert_snapshot!(crate::devices::terminal(&devices_report()));
}

#[test]
fn devices_json() {
    insta::assert_snapshot!(crate::devices::json(&devices_report()));
}

#[test]
fn devices_csv() {
    insta::assert_snapshot!(crate::devices::csv(&devices_report()));
}

#[test]
fn devices_html() {
    insta::assert_snapshot!(crate::devices::html(&devices_report()));
}

#[test]
fn devices_sarif() {
    let report = devices_report();
    let sarif = crate::sarif::devices(&report);
    assert_valid_sarif(&sarif);
    assert_eq!(results(&sarif).len(), report.findings.len());
    insta::assert_snapshot!(sarif);
}

fn scan_outcome<'a>(
    scanned: &'a [Scanned],
    shown: &'a [&'a Scanned],
) -> crate::mail::ScanOutcome<'a> {
    crate::mail::ScanOutcome {
        scanned,
        shown,
        errors: &[],
        seconds: 0.25,
    }
}

#[test]
fn mail_scan_terminal() {
    let scanned = scanned_mail();
    let shown: Vec<&Scanned> = scanned.iter().collect();
    insta::assert_snapshot!(crate::mail::scan_terminal(&scan_outcome(&scanned, &shown)));
}

#[test]
fn mail_scan_json_lines() {
    let scanned = scanned_mail();
    let shown: Vec<&Scanned> = scanned.iter().collect();
    insta::assert_snapshot!(crate::mail::scan_json_lines(&scan_outcome(
        &scanned, &shown
    )));
}

#[test]
fn mail_sarif() {
    let scanned = scanned_mail();
    let shown: Vec<&Scanned> = scanned.iter().collect();
    let sarif = crate::sarif::mail(&shown);
    assert_valid_sarif(&sarif);
    let results = results(&sarif);
    assert_eq!(results[0]["kind"], "fail", "{:?}", results[0]);
    assert_eq!(results[1]["kind"], "pass", "{:?}", results[1]);
    insta::assert_snapshot!(sarif);
}

#[test]
fn mail_eval_outputs() {
    let scanned = scanned_mail();
    let verdicts: Vec<_> = scanned.iter().map(|s| s.analysis.verdict).collect();
    let mut tally = hygeia_mail::tally::IndicatorTally::default();
    tally.add(&scanned[0].analysis, true);
    tally.add(&scanned[1].analysis, false);
    let folders = vec![
        hygeia_mail::batch::FolderResult::new("phish", true, &verdicts[..1]),
        hygeia_mail::batch::FolderResult::new("ham", false, &verdicts[1..]),
    ];
    let evaluation = hygeia_mail::batch::Evaluation {
        metrics: hygeia_mail::batch::metrics(&folders),
        folders,
        tally,
        errors: Vec::new(),
        seconds: 0.5,
        threads: 2,
    };
    insta::assert_snapshot!(
        "mail_eval_terminal",
        crate::mail::eval_terminal(&evaluation)
    );
    insta::assert_snapshot!("mail_eval_json", crate::mail::eval_json(&evaluation));
}

#[test]
fn a_document_that_breaks_the_sarif_schema_is_caught() {
    // The validation itself must be able to fail.
    let broken = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}"#;
    let outcome = std::panic::catch_unwind(|| assert_valid_sarif(broken));
    assert!(outcome.is_err());
}
