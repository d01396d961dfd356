//! `hygeia check --network` inside a pretend home network built from network namespaces by
//! `tests/netns/home-lab.sh` (a router running miniupnpd, a TV and a camera). No packet leaves
//! those namespaces. The lab needs root, iproute2, nftables, miniupnpd and python3: without them
//! the tests say they skipped, unless HYGEIA_REQUIRE_NETNS=1 (set by `.ci/run`), which makes a
//! missing lab a failure.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn lab_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/netns/home-lab.sh")
}

fn kev_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/network/kev-routers.json")
}

fn nvd_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/network/nvd-dlink-routers.json")
}

/// Why the lab cannot be built here, if it cannot.
fn missing_requirement(test: &str) -> Option<String> {
    if !running_as_root() {
        return Some("not running as root".into());
    }
    for program in ["ip", "nft", "miniupnpd", "python3"] {
        let found = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
            .iter()
            .any(|dir| std::path::Path::new(dir).join(program).exists());
        if !found {
            return Some(format!("{program} is not installed"));
        }
    }
    let probe = format!("hy-probe-{}-{}", std::process::id(), &test[..2]);
    let added = Command::new("ip").args(["netns", "add", &probe]).status();
    let _ = Command::new("ip").args(["netns", "del", &probe]).status();
    match added {
        Ok(status) if status.success() => None,
        _ => Some("network namespaces cannot be created here".into()),
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Skips (or, under HYGEIA_REQUIRE_NETNS=1, fails) when the lab cannot be built.
fn lab_or_skip(test: &str) -> bool {
    let Some(why) = missing_requirement(test) else {
        return true;
    };
    if std::env::var("HYGEIA_REQUIRE_NETNS").is_ok_and(|v| v == "1") {
        panic!("{test}: the network namespace lab is required here but {why}");
    }
    eprintln!(
        "skipped {test}: {why} (the network namespace lab needs root, iproute2, nftables, miniupnpd and python3)"
    );
    false
}

/// A built lab, removed when dropped.
struct Lab {
    id: String,
}

impl Lab {
    fn up(scenario: &str) -> Lab {
        let id = format!("{}{}", &scenario[..1], std::process::id());
        let output = Command::new("bash")
            .arg(lab_script())
            .args(["up", &id, scenario])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let lab = Lab { id };
        assert!(
            output.status.success(),
            "home-lab.sh up failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        lab
    }

    fn home(&self) -> String {
        format!("hy-home-{}", self.id)
    }

    /// Packets sent by the home computer's interface so far.
    fn packets_sent(&self) -> u64 {
        let output = Command::new("ip")
            .args(["-n", &self.home(), "-s", "-j", "link", "show", "eth0"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let links: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
        links[0]["stats64"]["tx"]["packets"]
            .as_u64()
            .unwrap_or_else(|| panic!("unexpected value"))
    }

    /// `hygeia check ARGS --format json` on the home computer; the parsed report.
    fn check(&self, config: &std::path::Path, args: &[&str]) -> Value {
        let output = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.home(),
                env!("CARGO_BIN_EXE_hygeia"),
                "check",
            ])
            .args(args)
            .args(["--format", "json"])
            .env("HYGEIA_CONFIG_DIR", config)
            .env("HYGEIA_DEVICES_STORE", config.join("no-store"))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            output.status.code().is_some_and(|c| c == 0 || c == 1),
            "hygeia check failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(lab_script())
            .args(["down", &self.id])
            .status();
    }
}

/// The (status, reason, evidence) of a control in a report.
fn control(report: &Value, id: &str) -> (String, String, Vec<String>) {
    let c = report["controls"]
        .as_array()
        .unwrap_or_else(|| panic!("unexpected value"))
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} missing from the report"));
    let evidence = c["evidence"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|l| {
                    l.as_str()
                        .unwrap_or_else(|| panic!("unexpected value"))
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    (
        c["status"]
            .as_str()
            .unwrap_or_else(|| panic!("unexpected value"))
            .to_string(),
        c["reason"]
            .as_str()
            .unwrap_or_else(|| panic!("unexpected value"))
            .to_string(),
        evidence,
    )
}

#[test]
fn an_exposed_home_network_fails_with_the_mapping_the_kev_router_and_the_smart_devices() {
    if !lab_or_skip("an_exposed_home_network_fails") {
        return;
    }
    let config = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let lab = Lab::up("exposed");

    // A plain check sends nothing to the network.
    let before = lab.packets_sent();
    let plain = lab.check(config.path(), &[]);
    assert_eq!(lab.packets_sent(), before, "a plain check sent packets");
    let (status, reason, _) = control(&plain, "HY-NET-007");
    assert_eq!(status, "unknown");
    assert!(reason.contains("hygeia check --network"), "{reason}");

    let kev = kev_fixture();
    let nvd = nvd_fixture();
    let report = lab.check(
        config.path(),
        &[
            "--network",
            "--kev",
            kev.to_str().unwrap_or_else(|| panic!("unexpected value")),
            "--nvd",
            nvd.to_str().unwrap_or_else(|| panic!("unexpected value")),
        ],
    );
    assert!(lab.packets_sent() > before, "--network sent nothing");

    let (status, reason, evidence) = control(&report, "HY-NET-007");
    assert_eq!(status, "fail", "{reason}");
    assert!(reason.contains("port 3389"), "{reason}");
    assert!(reason.contains("this computer (192.168.77.10)"), "{reason}");
    assert!(reason.contains("Remote Desktop"), "{reason}");
    let all = evidence.join("\n");
    assert!(all.contains("plain HTTP on port 80"), "{all}");
    assert!(all.contains("telnet logins on port 23"), "{all}");
    assert!(all.contains("NAT-PMP/PCP is on"), "{all}");
    assert!(all.contains("port 27015"), "{all}");

    let (status, reason, evidence) = control(&report, "HY-NET-006");
    assert_eq!(status, "fail", "{reason}");
    assert!(reason.contains("D-Link DIR-859"), "{reason}");
    assert!(
        reason.contains("CVE-2019-17621") && reason.contains("CVE-2024-0769"),
        "{reason}"
    );
    assert!(
        evidence
            .iter()
            .any(|e| e.starts_with("CVE-2024-0769") && e.contains("2025-07-16")),
        "{evidence:?}"
    );
    // NVD, matched on the firmware version the router announced.
    assert!(
        evidence
            .iter()
            .any(|e| e.contains("firmware 1.06B01, read from the router's UPnP model number")),
        "{evidence:?}"
    );
    assert!(
        evidence
            .iter()
            .any(|e| e.starts_with("CVE-2019-20215 (NVD, exact, CVSS 9.8)")),
        "{evidence:?}"
    );

    let (status, reason, _) = control(&report, "HY-NET-008");
    assert_eq!(status, "fail", "{reason}");
    assert!(
        reason.contains("TV or streaming stick at 192.168.77.20"),
        "{reason}"
    );
    assert!(
        reason.contains("camera or doorbell at 192.168.77.30"),
        "{reason}"
    );
    assert!(reason.contains("Living Room TV"), "{reason}");
}

#[test]
fn a_quiet_home_network_passes_and_an_unnamed_router_is_unknown() {
    if !lab_or_skip("a_quiet_home_network_passes") {
        return;
    }
    let config = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let lab = Lab::up("quiet");
    let report = lab.check(config.path(), &["--network"]);

    let (status, reason, evidence) = control(&report, "HY-NET-007");
    assert_eq!(status, "pass", "{reason}");
    assert!(
        evidence
            .iter()
            .any(|e| e.contains("only redirects to HTTPS")),
        "{evidence:?}"
    );
    let (status, reason, _) = control(&report, "HY-NET-008");
    assert_eq!(status, "pass", "{reason}");
    let (status, reason, _) = control(&report, "HY-NET-006");
    assert_eq!(status, "unknown", "{reason}");
    assert!(
        reason.contains("did not say its make and model"),
        "{reason}"
    );
}
