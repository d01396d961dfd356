//! End-to-end tests of the `hygeia` binary on this machine.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn hygeia() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hygeia"));
    command.stdin(Stdio::null());
    command
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hygeia-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
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

fn control<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no control {id}"))
}

fn run_check(config: &Path, args: &[&str]) -> Output {
    hygeia()
        .arg("check")
        .args(args)
        .env("HYGEIA_CONFIG_DIR", config)
        .output()
        .unwrap_or_else(|e| panic!("cannot run hygeia: {e}"))
}

fn schema_validator() -> boon::Schemas {
    boon::Schemas::new()
}

fn validate(report: &Value) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema/hygeia.check-1.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
        .unwrap_or_else(|e| panic!("schema: {e}"));
    let mut schemas = schema_validator();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler
        .add_resource("hygeia.check-1.schema.json", schema)
        .unwrap_or_else(|e| panic!("{e}"));
    let index = compiler
        .compile("hygeia.check-1.schema.json", &mut schemas)
        .unwrap_or_else(|e| panic!("{e}"));
    if let Err(error) = schemas.validate(report, index) {
        panic!("report does not match docs/schema/hygeia.check-1.schema.json:\n{error:#}");
    }
}

fn on_path(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .any(|d: PathBuf| d.join(program).is_file())
}

#[test]
fn live_json_report_matches_the_schema_and_is_honest() {
    let config = temp_dir("live");
    let output = run_check(&config, &["--format", "json"]);
    assert!(
        matches!(output.status.code(), Some(0) | Some(1)),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    validate(&report);
    let controls = report["controls"].as_array().map(Vec::len).unwrap_or(0);
    assert!(controls >= 30, "only {controls} controls");
    for c in report["controls"].as_array().into_iter().flatten() {
        for field in ["hicp", "csf", "hipaa", "fix", "why", "reason"] {
            assert!(
                c[field].as_str().is_some_and(|v| !v.is_empty()),
                "{} has no {field}",
                c["id"]
            );
        }
    }
    // This machine's facts, checked independently of Hygeia's own parsers.
    let lsblk = Command::new("lsblk")
        .args(["-o", "TYPE,FSTYPE"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if let Ok(devices) = lsblk
        && !devices.contains("crypt")
    {
        assert_eq!(
            control(&report, "HY-PC-005")["status"],
            "fail",
            "no encrypted device exists here"
        );
    }
    if !["ufw", "firewall-cmd", "nft", "iptables-save"]
        .iter()
        .any(|p| on_path(p))
    {
        assert_eq!(
            control(&report, "HY-PC-008")["status"],
            "fail",
            "no firewall program exists here"
        );
    }
    assert_eq!(
        control(&report, "HY-EM-001")["status"],
        "unknown",
        "nobody attested in a fresh config folder"
    );
}

#[test]
fn hanging_command_does_not_stall_the_check() {
    let config = temp_dir("hang-config");
    let bin = temp_dir("hang-bin");
    let fake = bin.join("lsblk");
    std::fs::write(&fake, "#!/bin/sh\nsleep 120\n").unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let started = Instant::now();
    // The test hook, not PATH: as root (CI) PATH is never searched.
    let mut child = hygeia()
        .args(["check", "--format", "json"])
        .env("HYGEIA_TEST_PROGRAM_DIR", &bin)
        .env("HYGEIA_CONFIG_DIR", &config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    // A watchdog, not a speed target: the fake command sleeps 120 s, the probe limit is 5 s.
    while child.try_wait().ok().flatten().is_none() {
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("hygeia check was still running after 90 s: the hanging lsblk stalled it");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let report = json(&output);
    let disk = control(&report, "HY-PC-005");
    assert_eq!(disk["status"], "unknown");
    assert_eq!(disk["unknown_cause"], "timed_out");
    assert!(started.elapsed() < Duration::from_secs(90));
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn as_root_no_program_is_taken_from_path_or_the_current_folder() {
    if !is_root() {
        eprintln!("skipped: this test needs root (sudo hygeia check); CI runs it as root");
        return;
    }
    let config = temp_dir("root-path-config");
    let planted = temp_dir("root-path-planted");
    let cwd = temp_dir("root-path-cwd");
    let marker = temp_dir("root-path-marker").join("ran");
    for dir in [&planted, &cwd] {
        for program in ["ufw", "lsblk", "ps", "ss", "kill", "id", "hostname"] {
            let fake = dir.join(program);
            std::fs::write(
                &fake,
                format!("#!/bin/sh\necho {program} >> '{}'\n", marker.display()),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // The planted folder first, then an empty entry (the current folder), then the system.
    let path = format!("{}::/usr/sbin:/usr/bin:/sbin:/bin", planted.display());
    let output = hygeia()
        .args(["check", "--format", "json"])
        .env("PATH", path)
        .env("HYGEIA_CONFIG_DIR", &config)
        .current_dir(&cwd)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !marker.exists(),
        "hygeia check as root ran planted programs: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );
}

/// A folder holding a root-only file, as a target for planted symlinks.
#[cfg(unix)]
fn root_only_secret(name: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir(name);
    let secret = dir.join("secret");
    std::fs::write(&secret, "ROOT-ONLY-CONTENT\n").unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600))
        .unwrap_or_else(|e| panic!("{e}"));
    secret
}

#[cfg(unix)]
fn make_world_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[cfg(unix)]
#[test]
fn snapshots_and_answers_never_write_through_planted_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let secret = root_only_secret("planted-target");
    let snapshot = temp_dir("planted-snapshot");
    let config = temp_dir("planted-config");
    for (dir, name) in [
        (&snapshot, "snapshot.json"),
        (&snapshot, "snapshot.json.partial"),
        (&snapshot, ".snapshot.json.partial"),
        (&config, "attestations.json.partial"),
        (&config, ".attestations.json.partial"),
    ] {
        std::os::unix::fs::symlink(&secret, dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let output = run_check(
        &config,
        &[
            "--save-snapshot",
            snapshot.to_str().unwrap_or_default(),
            "--format",
            "json",
        ],
    );
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = snapshot.join("snapshot.json");
    let metadata = std::fs::symlink_metadata(&written).unwrap_or_else(|e| panic!("{e}"));
    assert!(metadata.is_file(), "snapshot.json is still a symlink");
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    let attest = hygeia()
        .args(["attest", "HY-EM-001", "--yes", "--note", "app"])
        .env("HYGEIA_CONFIG_DIR", &config)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        attest.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&attest.stderr)
    );
    let answers = config.join("attestations.json");
    let metadata = std::fs::symlink_metadata(&answers).unwrap_or_else(|e| panic!("{e}"));
    assert!(metadata.is_file());
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap_or_default(),
        "ROOT-ONLY-CONTENT\n",
        "a planted symlink was written through"
    );
    // The snapshot folder itself a symlink planted in a folder others can write: as root, refused.
    if is_root() {
        let shared = temp_dir("planted-shared");
        make_world_writable(&shared);
        let elsewhere = temp_dir("planted-elsewhere");
        std::os::unix::fs::symlink(&elsewhere, shared.join("snap"))
            .unwrap_or_else(|e| panic!("{e}"));
        let refused = run_check(
            &config,
            &[
                "--save-snapshot",
                shared.join("snap").to_str().unwrap_or_default(),
            ],
        );
        assert_eq!(refused.status.code(), Some(2));
        assert!(!elsewhere.join("snapshot.json").exists());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("symbolic link"));
    }
    // The answers file itself planted as a symlink: as root it is not followed.
    std::fs::remove_file(&answers).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(&secret, &answers).unwrap_or_else(|e| panic!("{e}"));
    make_world_writable(&config);
    if is_root() {
        let check = run_check(&config, &["--format", "json"]);
        let stderr = String::from_utf8_lossy(&check.stderr);
        assert!(!stderr.contains("ROOT-ONLY"), "{stderr}");
        assert_eq!(check.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("symbolic link"), "{stderr}");
    }
}

#[cfg(unix)]
#[test]
fn as_root_per_user_files_are_not_read_through_symlinks_nor_hang_on_fifos() {
    if !is_root() {
        eprintln!("skipped: this test needs root (sudo hygeia check); CI runs it as root");
        return;
    }
    let secret = root_only_secret("home-target");
    let home = temp_dir("planted-home");
    std::fs::create_dir_all(home.join(".config")).unwrap_or_else(|e| panic!("{e}"));
    make_world_writable(&home);
    make_world_writable(&home.join(".config"));
    std::os::unix::fs::symlink(&secret, home.join(".config/kscreenlockerrc"))
        .unwrap_or_else(|e| panic!("{e}"));
    let snapshot = temp_dir("planted-home-snapshot");
    let config = temp_dir("planted-home-config");
    let output = hygeia()
        .args(["check", "--format", "json", "--save-snapshot"])
        .arg(&snapshot)
        .env("HOME", &home)
        .env_remove("SUDO_USER")
        .env("HYGEIA_CONFIG_DIR", &config)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(output.status.code(), Some(0 | 1)));
    let saved = std::fs::read_to_string(snapshot.join("snapshot.json")).unwrap_or_default();
    assert!(saved.contains("kscreenlockerrc"), "the probe ran");
    assert!(
        !saved.contains("ROOT-ONLY-CONTENT"),
        "a root-only file reached the snapshot through a planted symlink"
    );
    // A FIFO in its place: the check finishes (a watchdog, not a speed target).
    std::fs::remove_file(home.join(".config/kscreenlockerrc")).unwrap_or_else(|e| panic!("{e}"));
    let made = Command::new("mkfifo")
        .arg(home.join(".config/kscreenlockerrc"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped the FIFO half: mkfifo is not available");
        return;
    }
    let started = Instant::now();
    let mut child = hygeia()
        .args(["check", "--format", "json"])
        .env("HOME", &home)
        .env_remove("SUDO_USER")
        .env("HYGEIA_CONFIG_DIR", &config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    while child.try_wait().ok().flatten().is_none() {
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("hygeia check hung on a FIFO in the user's folder");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn saved_snapshot_evaluates_like_the_live_run() {
    let config = temp_dir("snap-config");
    let dir = temp_dir("snap");
    let live = run_check(
        &config,
        &[
            "--format",
            "json",
            "--save-snapshot",
            dir.to_str().unwrap_or_default(),
        ],
    );
    assert!(
        dir.join("snapshot.json").is_file(),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    let replay = run_check(
        &config,
        &[
            "--format",
            "json",
            "--snapshot",
            dir.to_str().unwrap_or_default(),
        ],
    );
    let (live, replay) = (json(&live), json(&replay));
    assert_eq!(live["controls"], replay["controls"]);
    assert_eq!(live["summary"], replay["summary"]);
    assert!(
        replay["host"]["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("snapshot"))
    );
}

#[test]
fn damaged_or_missing_snapshot_is_a_clear_input_error() {
    let config = temp_dir("bad-config");
    let dir = temp_dir("bad-snap");
    std::fs::write(
        dir.join("snapshot.json"),
        b"{\"schema\": \"hygeia.snapshot/1\", \"platform\": ",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = run_check(&config, &["--snapshot", dir.to_str().unwrap_or_default()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not a valid Hygeia snapshot") && stderr.contains("--save-snapshot"),
        "{stderr}"
    );
    let missing = run_check(&config, &["--snapshot", "/nonexistent/hygeia-snapshot"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no snapshot at"));
}

fn write_snapshot(dir: &Path, outputs: Value) {
    let snapshot = serde_json::json!({
        "schema": "hygeia.snapshot/1",
        "platform": "linux",
        "collected_at": "2026-11-28T12:00:00Z",
        "context": {"hostname": "exam-room-3", "user": "drlee", "elevated": false, "home": "/home/drlee"},
        "outputs": outputs,
    });
    std::fs::write(dir.join("snapshot.json"), snapshot.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn fail_on_sets_the_exit_code() {
    let config = temp_dir("failon-config");
    let dir = temp_dir("failon-snap");
    let lsblk =
        r#"{"blockdevices":[{"name":"/dev/vda","type":"disk","fstype":"ext4","mountpoint":"/"}]}"#;
    let findmnt = r#"{"filesystems":[{"target":"/","source":"/dev/vda","fstype":"ext4"}]}"#;
    write_snapshot(
        &dir,
        serde_json::json!({
            "lsblk": {"source": "lsblk", "result": "ran", "exit_code": 0, "stdout": lsblk, "stderr": "", "duration_ms": 1},
            "findmnt_root": {"source": "findmnt", "result": "ran", "exit_code": 0, "stdout": findmnt, "stderr": "", "duration_ms": 1},
        }),
    );
    let snap = dir.to_str().unwrap_or_default();
    assert_eq!(
        run_check(&config, &["--snapshot", snap]).status.code(),
        Some(0)
    );
    assert_eq!(
        run_check(&config, &["--snapshot", snap, "--fail-on", "critical"])
            .status
            .code(),
        Some(1)
    );
    let usage = run_check(&config, &["--fail-on", "severe"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn other_formats() {
    let config = temp_dir("formats-config");
    let dir = temp_dir("formats-snap");
    write_snapshot(&dir, serde_json::json!({}));
    let snap = dir.to_str().unwrap_or_default();
    let text = run_check(&config, &["--snapshot", snap]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Summary: ") && !text.contains('\x1b'),
        "piped output has no colours"
    );
    let html_file = dir.join("report.html");
    let html = run_check(
        &config,
        &[
            "--snapshot",
            snap,
            "--format",
            "html",
            "--output",
            html_file.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(html.status.code(), Some(0));
    let page = std::fs::read_to_string(&html_file).unwrap_or_default();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("HY-PC-001"));
    let junit = run_check(&config, &["--snapshot", snap, "--format", "junit"]);
    let xml = String::from_utf8_lossy(&junit.stdout);
    assert!(
        xml.starts_with("<?xml")
            && xml.contains("<testsuites")
            && xml.trim_end().ends_with("</testsuites>")
    );
    let sarif = run_check(&config, &["--snapshot", snap, "--format", "sarif"]);
    assert_eq!(sarif.status.code(), Some(0));
    let sarif = json(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["ruleId"] == "HY-PC-001")),
        "{sarif}"
    );
    let unwritable = run_check(
        &config,
        &[
            "--snapshot",
            snap,
            "--output",
            "/nonexistent/dir/report.txt",
        ],
    );
    assert_eq!(unwritable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unwritable.stderr).contains("cannot write the report"));
}

#[test]
fn attest_records_answers_and_refuses_what_it_cannot_answer() {
    let config = temp_dir("attest-config");
    let dir = temp_dir("attest-snap");
    write_snapshot(&dir, serde_json::json!({}));
    let attest = |args: &[&str]| {
        hygeia()
            .arg("attest")
            .args(args)
            .env("HYGEIA_CONFIG_DIR", &config)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let ok = attest(&[
        "HY-EM-001",
        "--yes",
        "--note",
        "authenticator app on my phone",
    ]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(attest(&["hy-bk-003", "--no"]).status.code(), Some(0));
    let report = json(&run_check(
        &config,
        &[
            "--snapshot",
            dir.to_str().unwrap_or_default(),
            "--format",
            "json",
        ],
    ));
    assert_eq!(control(&report, "HY-EM-001")["status"], "attested");
    assert_eq!(
        control(&report, "HY-EM-001")["attestation"]["note"],
        "authenticator app on my phone"
    );
    assert_eq!(control(&report, "HY-BK-003")["status"], "fail");
    let automatic = attest(&["HY-PC-005", "--yes"]);
    assert_eq!(automatic.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&automatic.stderr).contains("measured automatically"));
    assert_eq!(attest(&["HY-XX-999", "--yes"]).status.code(), Some(2));
    assert_eq!(
        attest(&["HY-EM-001"]).status.code(),
        Some(2),
        "--yes or --no is required"
    );
    // A damaged store is reported and left untouched.
    let store = config.join("attestations.json");
    std::fs::write(&store, b"{ not json").unwrap_or_else(|e| panic!("{e}"));
    let damaged = attest(&["HY-EM-002", "--yes"]);
    assert_eq!(damaged.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&damaged.stderr).contains("is damaged"));
    assert_eq!(std::fs::read(&store).unwrap_or_default(), b"{ not json");
}

#[test]
fn controls_lists_the_catalog() {
    let output = hygeia()
        .args(["controls", "--json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let controls: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    assert!(controls.as_array().is_some_and(|c| c.len() >= 30));
}
