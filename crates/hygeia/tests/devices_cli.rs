//! End-to-end tests of `hygeia devices` on the project's own fixtures.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../hygeia-devices/tests/fixtures")
}

fn fixture(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

fn hygeia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hygeia"))
        .args(args)
        .stdin(Stdio::null())
        // No store of the developer's own is used by accident.
        .env(
            "HYGEIA_DEVICES_STORE",
            std::env::temp_dir().join("hygeia-no-store-here"),
        )
        .output()
        .unwrap_or_else(|e| panic!("cannot run hygeia: {e}"))
}

/// Validates `document` against `docs/schema/<file>`.
fn validate(document: &Value, file: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/schema")
        .join(file);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler
        .add_resource(file, schema)
        .unwrap_or_else(|e| panic!("{e}"));
    let index = compiler
        .compile(file, &mut schemas)
        .unwrap_or_else(|e| panic!("{e}"));
    if let Err(error) = schemas.validate(document, index) {
        panic!("output does not match docs/schema/{file}:\n{error:#}");
    }
}

fn match_args<'a>(inventory: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "devices".into(),
        "match".into(),
        "--inventory".into(),
        inventory.into(),
        "--advisories".into(),
        fixture("csaf"),
        "--kev".into(),
        fixture("kev.json"),
        "--epss".into(),
        fixture("epss.csv"),
        "--nvd".into(),
        fixture("nvd.json"),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn run(args: &[String]) -> Output {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    hygeia(&refs)
}

#[test]
fn match_json_document_and_exit_codes() {
    let inventory = fixture("labelled.csv");
    let out = run(&match_args(&inventory, &["--format", "json"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc["schema"], "hygeia.devices/1");
    validate(&doc, "hygeia.devices-1.schema.json");
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    assert!(!findings.is_empty());
    for f in &findings {
        for key in [
            "device",
            "advisory",
            "cves",
            "basis",
            "priority",
            "priority_reasons",
            "remediation",
        ] {
            assert!(f.get(key).is_some(), "finding without {key}: {f}");
        }
    }
    assert_eq!(findings[0]["priority"], "critical");
    assert!(
        !doc["unparsed"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .is_empty()
    );

    let gate = run(&match_args(&inventory, &["--fail-on", "critical"]));
    assert_eq!(gate.status.code(), Some(1));
    let table = String::from_utf8_lossy(&gate.stdout);
    assert!(
        table.contains("CRITICAL")
            && table.contains("ICSMA-90-001-01")
            && table.contains("pump-a (Acme Pump 300 1.52)"),
        "{table}"
    );

    let csv = run(&match_args(&inventory, &["--format", "csv"]));
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(text.starts_with("priority,device,"));
    assert_eq!(text.lines().count(), findings.len() + 1);

    let html = run(&match_args(&inventory, &["--format", "html"]));
    let page = String::from_utf8_lossy(&html.stdout);
    assert!(
        page.starts_with("<!doctype html>")
            && !page.contains("http://")
            && page.contains("ICSMA-90-002-01")
    );
}

#[test]
fn a_bad_row_is_reported_and_the_others_are_matched() {
    let dir = std::env::temp_dir().join(format!("hygeia-devices-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let inventory = dir.join("inventory.csv");
    std::fs::write(
        &inventory,
        "name,kind,vendor,model,version,os,os_version,segment,life_critical,stores_phi,patch_owner\n\
         pump,infusion-pump,Acme,Acme Pump 300,1.52,,,flat,sometimes,false,Ana\n\
         pump-2,infusion-pump,Acme,Acme Pump 300,1.50,,,flat,true,false,Ana\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = run(&match_args(
        &inventory.display().to_string(),
        &["--format", "json"],
    ));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("inventory.csv:2") && stderr.contains("life_critical"),
        "{stderr}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        doc["findings"][0]["device"]
            .as_str()
            .map(|d| d.starts_with("pump-2")),
        Some(true)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_inputs_say_what_to_do() {
    let out = hygeia(&[
        "devices",
        "match",
        "--inventory",
        "/nonexistent/inventory.csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/inventory.csv"));

    let out = hygeia(&["devices", "match", "--inventory", &fixture("labelled.csv")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hygeia devices update"));

    let out = hygeia(&[
        "devices",
        "match",
        "--inventory",
        &fixture("labelled.csv"),
        "--advisories",
        &fixture("csaf"),
        "--kev",
        &fixture("epss.csv"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("KEV"));

    // An advisory file that is not CSAF: the others are still matched, the file is named, exit 2.
    let out = hygeia(&[
        "devices",
        "match",
        "--inventory",
        &fixture("labelled.csv"),
        "--advisories",
        &fixture("csaf"),
        "--advisories",
        &fixture("epss.csv"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be read as CSAF"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ICSMA-90-001-01"));
}

#[test]
fn report_uses_the_check_format() {
    let out = hygeia(&[
        "devices",
        "report",
        "--inventory",
        &fixture("labelled.csv"),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc["schema"], "hygeia.check/1");
    validate(&doc, "hygeia.check-1.schema.json");
    let ids: Vec<&str> = doc["controls"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["HY-MD-101", "HY-MD-102", "HY-MD-103", "HY-MD-104"]);
    let status = |id: &str| {
        doc["controls"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(
        status("HY-MD-101").as_deref(),
        Some("fail"),
        "ct-win7 has no patch owner"
    );
    assert_eq!(
        status("HY-MD-102").as_deref(),
        Some("fail"),
        "pump-a is life-critical on a flat network"
    );
    assert_eq!(
        status("HY-MD-104").as_deref(),
        Some("fail"),
        "ct-win7 runs Windows 7"
    );
    let gate = hygeia(&[
        "devices",
        "report",
        "--inventory",
        &fixture("labelled.csv"),
        "--fail-on",
        "high",
    ]);
    assert_eq!(gate.status.code(), Some(1));
    // `hygeia check` does not list the inventory controls.
    let controls = hygeia(&["controls"]);
    assert!(String::from_utf8_lossy(&controls.stdout).contains("HY-MD-101"));
}

#[test]
fn a_store_made_elsewhere_is_copied_in_and_used_by_match() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(usb.join("csaf")).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(fixtures().join("csaf")).unwrap_or_else(|e| panic!("{e}")) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(entry.path(), usb.join("csaf").join(entry.file_name()))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::copy(fixtures().join("kev.json"), usb.join("kev.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let store = dir.path().join("store");
    let store_arg = store.display().to_string();
    let usb_arg = usb.display().to_string();
    let copied = hygeia(&[
        "devices", "update", "--from", &usb_arg, "--store", &store_arg,
    ]);
    assert_eq!(copied.status.code(), Some(0), "{copied:?}");
    assert!(String::from_utf8_lossy(&copied.stdout).contains("CSAF advisories"));
    let inventory = fixture("labelled.csv");
    let matched = hygeia(&[
        "devices",
        "match",
        "--inventory",
        &inventory,
        "--store",
        &store_arg,
        "--format",
        "json",
    ]);
    let report: Value =
        serde_json::from_slice(&matched.stdout).unwrap_or_else(|e| panic!("{e}: {matched:?}"));
    assert!(
        report["findings"].as_array().is_some_and(|f| !f.is_empty()),
        "{report}"
    );
    // A copy without a KEV catalog is refused and says what is missing.
    std::fs::remove_file(usb.join("kev.json")).unwrap_or_else(|e| panic!("{e}"));
    let refused = hygeia(&[
        "devices", "update", "--from", &usb_arg, "--store", &store_arg,
    ]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("kev.json"));
}
