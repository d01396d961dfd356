//! The dashboard in a real browser: `tests/browser/dashboard.mjs` drives Debian's Chromium with
//! playwright-core through sign-in with TOTP, enrolment with a real agent, the overview, the
//! computer's page, revoking the secret, uploading a device inventory and seeing its findings,
//! the attestation report and its PDF, a phishing simulation sent through aiosmtpd on loopback
//! (its link opened, a typed password kept nowhere, the lesson passed), and the insurer's view;
//! and checks that the pages
//! request nothing but the server itself. Screenshots of the last run are kept in
//! `target/browser-screenshots/`.
//!
//! Needs `node`, Chromium and `npm ci --prefix crates/hygeia/tests/browser` (`.ci/run` does it).
//! Without them the test says what is missing and passes, except in CI, where it fails.
#![cfg(all(feature = "server", feature = "agent"))]

use std::path::{Path, PathBuf};
use std::process::Command;

const HYGEIA: &str = env!("CARGO_BIN_EXE_hygeia");

fn chromium() -> Option<PathBuf> {
    let configured = std::env::var_os("CHROMIUM").map(PathBuf::from);
    configured
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.is_file())
}

/// What is missing to run the browser test, if anything.
fn missing(scripts: &Path) -> Option<String> {
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed (apt-get install nodejs)".into());
    }
    if chromium().is_none() {
        return Some("Chromium is not installed (apt-get install chromium)".into());
    }
    if !scripts.join("node_modules/playwright-core").is_dir() {
        return Some(format!(
            "playwright-core is not installed (npm ci --prefix {})",
            scripts.display()
        ));
    }
    None
}

#[test]
fn the_dashboard_works_in_chromium() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scripts = crate_dir.join("tests/browser");
    if let Some(what) = missing(&scripts) {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the browser test cannot run in CI: {what}");
        }
        eprintln!("skipping the browser test: {what}");
        return;
    }
    let screenshots = crate_dir.join("../../target/browser-screenshots");
    let _ = std::fs::remove_dir_all(&screenshots);
    let output = Command::new("node")
        .arg("dashboard.mjs")
        .current_dir(&scripts)
        .env("HYGEIA_BIN", HYGEIA)
        .env("SCREENSHOTS", &screenshots)
        .env("CHROMIUM", chromium().unwrap_or_default())
        .output()
        .unwrap_or_else(|e| panic!("running node: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the browser test failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("ok: "), "{stdout}");
}
