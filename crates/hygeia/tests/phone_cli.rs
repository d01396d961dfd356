//! End-to-end tests of `hygeia phone check` with fake `adb`, `ideviceinfo` and
//! `ideviceinstaller` programs that print what the real tools print (the outputs are those of
//! the parser fixtures in `crates/hygeia-phone/tests/fixtures`, see its README), and of
//! `hygeia phone import` on an Intune export.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../hygeia-phone/tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A folder of fake programs: each prints the text given for the first argument pattern that
/// its command line contains.
/// A fake program: its name, (argument pattern, output) pairs, and the exit code otherwise.
type FakeProgram<'a> = (&'a str, &'a [(&'a str, String)], i32);

fn fake_programs(dir: &Path, programs: &[FakeProgram]) {
    use std::os::unix::fs::PermissionsExt;
    for (name, answers, fallback_exit) in programs {
        let mut script = String::from("#!/bin/sh\ncase \"$*\" in\n");
        for (pattern, text) in answers.iter() {
            let file = dir.join(format!("{name}-{}.out", script.len()));
            std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
            script.push_str(&format!("  *\"{pattern}\"*) cat '{}' ;;\n", file.display()));
        }
        script.push_str(&format!(
            "  *) echo \"unexpected: $*\" >&2; exit {fallback_exit} ;;\nesac\n"
        ));
        let path = dir.join(name);
        std::fs::write(&path, script).unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

fn hygeia(bin: &Path, config: &Path, args: &[&str]) -> Output {
    let path = format!("{}:/usr/bin:/bin", bin.display());
    Command::new(env!("CARGO_BIN_EXE_hygeia"))
        .args(args)
        .stdin(Stdio::null())
        // PATH for an ordinary user; the test hook for root (CI), where PATH is never searched.
        .env("PATH", path)
        .env("HYGEIA_TEST_PROGRAM_DIR", bin)
        .env("HYGEIA_CONFIG_DIR", config)
        .output()
        .unwrap_or_else(|e| panic!("cannot run hygeia: {e}"))
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Validates a phone check report against `docs/schema/hygeia.check-1.schema.json`: a phone
/// report is a check report.
fn validate(document: &Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/schema/hygeia.check-1.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler
        .add_resource("check.json", schema)
        .unwrap_or_else(|e| panic!("{e}"));
    let index = compiler
        .compile("check.json", &mut schemas)
        .unwrap_or_else(|e| panic!("{e}"));
    if let Err(error) = schemas.validate(document, index) {
        panic!("the phone report does not match the check schema:\n{error:#}");
    }
}

fn control<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("{id} is not in the report"))
}

fn android_phone(dir: &Path, release: &str, patch: &str) {
    let getprop = fixture("adb-getprop.txt")
        .replace(
            "[ro.build.version.release]: [11]",
            &format!("[ro.build.version.release]: [{release}]"),
        )
        .replace(
            "[ro.build.version.security_patch]: [2021-03-05]",
            &format!("[ro.build.version.security_patch]: [{patch}]"),
        );
    fake_programs(
        dir,
        &[(
            "adb",
            &[
                ("devices -l", fixture("adb-devices.txt")),
                ("shell getprop", getprop),
                ("dumpsys lock_settings", fixture("adb-lock-settings.txt")),
                ("development_settings_enabled", "1\n".into()),
                ("adb_enabled", "1\n".into()),
                ("pm list packages", fixture("adb-packages.txt")),
                ("appops query-op", "No operations.\n".into()),
                ("dumpsys device_policy", fixture("adb-device-policy.txt")),
            ],
            1,
        )],
    );
}

#[test]
fn an_android_11_phone_with_a_2021_patch_fails_hy_ph_001_and_names_the_patch_age() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("config");
    android_phone(dir.path(), "11", "2021-03-05");
    let output = hygeia(
        dir.path(),
        &config,
        &["phone", "check", "--format", "json", "--fail-on", "high"],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    validate(&report);
    assert_eq!(report["schema"], "hygeia.check/1");
    assert_eq!(report["host"]["hostname"], "Google Pixel 5");
    assert_eq!(
        report["host"]["os"],
        "Android 11, security patch 2021-03-05"
    );
    let updates = control(&report, "HY-PH-001");
    assert_eq!(updates["status"], "fail");
    let reason = updates["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("security patch level is 2021-03-05"),
        "{reason}"
    );
    assert!(reason.contains("days old (the limit is 90)"), "{reason}");
    assert_eq!(control(&report, "HY-PH-002")["status"], "pass");
    // WhatsApp is installed: a consumer app, reported against HY-PH-003.
    let apps = control(&report, "HY-PH-003");
    assert_eq!(apps["status"], "warn");
    assert!(
        apps["reason"]
            .as_str()
            .unwrap_or_default()
            .starts_with("WhatsApp installed")
    );
    assert_eq!(control(&report, "HY-PH-004")["status"], "pass");
    // Only the phone controls are in a phone report.
    assert_eq!(report["controls"].as_array().map(Vec::len), Some(4));
    // Saying it is used for visits makes it a failure.
    let output = hygeia(
        dir.path(),
        &config,
        &[
            "phone",
            "check",
            "--format",
            "json",
            "--visit-app",
            "WhatsApp",
        ],
    );
    let report = json(&output);
    let apps = control(&report, "HY-PH-003");
    assert_eq!(apps["status"], "fail");
    assert!(
        apps["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("WhatsApp is used for patient visits")
    );
    // `hygeia check` will read the result back.
    let state: Value = serde_json::from_str(
        &std::fs::read_to_string(config.join("phone/state.json")).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(state["schema"], "hygeia.phone-state/1");
    assert_eq!(
        state["phones"].as_array().map(Vec::len),
        Some(1),
        "the same phone twice is one entry"
    );
    assert_eq!(state["phones"][0]["name"], "Google Pixel 5 (Android 11)");
}

#[test]
fn an_iphone_on_the_newest_release_passes() {
    let releases = hygeia_phone::MobileOsCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    let newest = releases
        .newest_ios_major()
        .map(|m| m.major)
        .unwrap_or_default();
    let (_, version) = releases
        .newest_ios_release(newest)
        .unwrap_or_else(|| panic!("no release of iOS {newest}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let info = fixture("ideviceinfo.txt").replace(
        "ProductVersion: 18.1",
        &format!("ProductVersion: {version}"),
    );
    fake_programs(
        dir.path(),
        &[
            ("ideviceinfo", &[("", info)], 1),
            (
                "ideviceinstaller",
                &[("-l", fixture("ideviceinstaller-list.txt"))],
                1,
            ),
        ],
    );
    let config = dir.path().join("config");
    let output = hygeia(
        dir.path(),
        &config,
        &["phone", "check", "--ios", "--format", "json"],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    let updates = control(&report, "HY-PH-001");
    assert_eq!(updates["status"], "pass", "{}", updates["reason"]);
    assert_eq!(control(&report, "HY-PH-002")["status"], "pass");
    assert_eq!(
        control(&report, "HY-PH-003")["status"],
        "pass",
        "Zoom is installed"
    );
    assert_eq!(control(&report, "HY-PH-004")["status"], "not_applicable");
}

#[test]
fn an_iphone_that_does_not_trust_the_computer_is_unknown_never_pass() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // The real tool prints this on stderr and exits 255.
    let script = "#!/bin/sh\necho 'ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)' >&2\nexit 255\n";
    let program = dir.path().join("ideviceinfo");
    std::fs::write(&program, script).unwrap_or_else(|e| panic!("{e}"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("config");
    let output = hygeia(
        dir.path(),
        &config,
        &["phone", "check", "--ios", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    for id in ["HY-PH-001", "HY-PH-002", "HY-PH-003"] {
        let result = control(&report, id);
        assert_eq!(result["status"], "unknown", "{id}");
        assert!(
            result["reason"]
                .as_str()
                .unwrap_or_default()
                .contains("tap Trust"),
            "{id}: {}",
            result["reason"]
        );
    }
    assert!(
        !config.join("phone/state.json").exists(),
        "an unread phone is not remembered"
    );
}

#[test]
fn no_phone_connected_is_an_input_error_that_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    fake_programs(
        dir.path(),
        &[(
            "adb",
            &[("devices -l", "List of devices attached\n\n".into())],
            1,
        )],
    );
    let output = hygeia(
        dir.path(),
        &dir.path().join("config"),
        &["phone", "check", "--android"],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no Android phone was found") && stderr.contains("USB debugging"),
        "{stderr}"
    );
}

#[test]
fn a_saved_phone_snapshot_is_judged_the_same_later() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    android_phone(dir.path(), "16", "2021-03-05");
    let config = dir.path().join("config");
    let saved = dir.path().join("saved");
    let saved_arg = saved.display().to_string();
    let live = json(&hygeia(
        dir.path(),
        &config,
        &[
            "phone",
            "check",
            "--format",
            "json",
            "--save-snapshot",
            &saved_arg,
        ],
    ));
    let again = json(&hygeia(
        dir.path(),
        &config,
        &[
            "phone",
            "check",
            "--format",
            "json",
            "--snapshot",
            &saved_arg,
        ],
    ));
    assert_eq!(live["controls"], again["controls"]);
    assert!(
        again["host"]["source"]
            .as_str()
            .unwrap_or_default()
            .starts_with("phone snapshot ")
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(saved.join("phone-snapshot.json"))
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mode, 0o600);
    let broken = dir.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(broken.join("phone-snapshot.json"), "{").unwrap_or_else(|e| panic!("{e}"));
    let output = hygeia(
        dir.path(),
        &config,
        &[
            "phone",
            "check",
            "--snapshot",
            &broken.display().to_string(),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a Hygeia phone snapshot"));
}

#[test]
fn an_intune_export_is_judged_phone_by_phone() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let export = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../hygeia-phone/tests/fixtures/intune-devices.csv");
    let output = hygeia(
        dir.path(),
        &dir.path().join("config"),
        &["phone", "import", "--json", &export.display().to_string()],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records = json(&output);
    let records = records.as_array().cloned().unwrap_or_default();
    assert_eq!(records.len(), 3, "the Windows PC is left out");
    let pixel = records
        .iter()
        .find(|r| r["name"] == "DrLee-Pixel5")
        .unwrap_or_else(|| panic!("no Pixel"));
    assert_eq!(pixel["source"], "intune");
    assert_eq!(pixel["owner"], "drlee@clinic.example");
    let updates = pixel["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["control"] == "HY-PH-001"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(updates["status"], "fail");
    assert_eq!(pixel["facts"]["os_version"]["how"], "answered");
}
