//! The labelled inventories: every expected advisory is found with its basis, and no near miss
//! matches. `labelled.csv` runs against the project's own fixtures (always);
//! `labelled-real.csv` against the real CISA advisories in `../shared/data` when that folder
//! exists (CI has it, a user's clone does not).

use hygeia_devices::{AdvisorySet, MatchReport, inventory, load_epss, load_kev, match_inventory};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Expected {
    #[serde(default)]
    expect: Vec<Expect>,
    #[serde(default)]
    near_miss: Vec<NearMiss>,
}

#[derive(Deserialize)]
struct Expect {
    device: String,
    advisory: String,
    basis: String,
    priority: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct NearMiss {
    device: String,
    why: String,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn device_name(label: &str) -> &str {
    label.split(" (").next().unwrap_or(label)
}

fn check(report: &MatchReport, expected: &Expected) {
    let found: BTreeSet<(String, String)> = report
        .findings
        .iter()
        .map(|f| (device_name(&f.device).to_string(), f.advisory.clone()))
        .collect();
    let mut errors = Vec::new();
    for e in &expected.expect {
        match report
            .findings
            .iter()
            .find(|f| device_name(&f.device) == e.device && f.advisory == e.advisory)
        {
            None => errors.push(format!("missing: {} -> {}", e.device, e.advisory)),
            Some(f) => {
                if f.basis.as_str() != e.basis {
                    errors.push(format!(
                        "{} -> {}: basis {} instead of {} ({})",
                        e.device,
                        e.advisory,
                        f.basis.as_str(),
                        e.basis,
                        f.basis_note
                    ));
                }
                if let Some(p) = &e.priority
                    && f.priority.as_str() != p
                {
                    errors.push(format!(
                        "{} -> {}: priority {} instead of {p}",
                        e.device,
                        e.advisory,
                        f.priority.as_str()
                    ));
                }
            }
        }
    }
    let named: BTreeSet<&str> = expected.expect.iter().map(|e| e.device.as_str()).collect();
    for (device, advisory) in &found {
        if named.contains(device.as_str())
            && !expected
                .expect
                .iter()
                .any(|e| &e.device == device && &e.advisory == advisory)
        {
            errors.push(format!("unexpected: {device} -> {advisory}"));
        }
    }
    for miss in &expected.near_miss {
        for (device, advisory) in found.iter().filter(|(d, _)| *d == miss.device) {
            errors.push(format!("near miss matched: {device} -> {advisory}"));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

fn expected(file: &str) -> Expected {
    let text = std::fs::read_to_string(fixtures().join(file)).unwrap_or_else(|e| panic!("{e}"));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn own_fixtures_labelled_inventory() {
    let dir = fixtures();
    let inventory = inventory::load(&dir.join("labelled.csv")).unwrap_or_else(|e| panic!("{e}"));
    assert!(inventory.problems.is_empty(), "{:?}", inventory.problems);
    let mut set = AdvisorySet::default();
    set.add_csaf(&dir.join("csaf"))
        .unwrap_or_else(|e| panic!("{e}"));
    set.add_nvd(&dir.join("nvd.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let kev = load_kev(&dir.join("kev.json")).unwrap_or_else(|e| panic!("{e}"));
    let epss = load_epss(&dir.join("epss.csv")).unwrap_or_else(|e| panic!("{e}"));
    let report = match_inventory(&inventory, &set, Some(&kev), Some(&epss))
        .unwrap_or_else(|e| panic!("{e}"));
    check(&report, &expected("labelled-expected.toml"));
    // Every finding carries the inventory's own name of its device, to join on.
    for finding in &report.findings {
        assert!(
            inventory
                .devices
                .iter()
                .any(|d| d.name == finding.device_name),
            "{}",
            finding.device_name
        );
    }
    // The unreadable date range is reported, not dropped.
    assert!(
        report
            .unparsed
            .iter()
            .any(|u| u.message.contains("april 1, 2018"))
    );
    // Ranked: ransomware in KEV first.
    assert!(report.findings[0].ransomware, "{:?}", report.findings[0]);
}

#[test]
fn real_advisories_labelled_inventory() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if !shared.join("csaf-icsma").is_dir() {
        eprintln!("skipped: ../shared/data is not here (it is only on CI and developer machines)");
        return;
    }
    let dir = fixtures();
    let inventory =
        inventory::load(&dir.join("labelled-real.csv")).unwrap_or_else(|e| panic!("{e}"));
    assert!(inventory.problems.is_empty(), "{:?}", inventory.problems);
    let mut set = AdvisorySet::default();
    set.add_csaf(&shared.join("csaf-icsma"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        set.files,
        set.advisories.len(),
        "every real advisory is readable"
    );
    let kev = load_kev(&shared.join("kev/known_exploited_vulnerabilities.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let report =
        match_inventory(&inventory, &set, Some(&kev), None).unwrap_or_else(|e| panic!("{e}"));
    check(&report, &expected("labelled-real-expected.toml"));
}

#[test]
fn sbom_devices_and_their_components() {
    let dir = fixtures();
    let mut set = AdvisorySet::default();
    set.add_csaf(&dir.join("csaf"))
        .unwrap_or_else(|e| panic!("{e}"));
    set.add_nvd(&dir.join("nvd.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let kev = load_kev(&dir.join("kev.json")).unwrap_or_else(|e| panic!("{e}"));

    let monitor = inventory::load(&dir.join("monitor.cdx.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        monitor.devices.len(),
        2,
        "the monitor and OpenSSL; zlib names no maker"
    );
    assert_eq!(monitor.problems.len(), 1);
    let report =
        match_inventory(&monitor, &set, Some(&kev), None).unwrap_or_else(|e| panic!("{e}"));
    let pairs: BTreeSet<(String, String)> = report
        .findings
        .iter()
        .map(|f| (f.device.clone(), f.advisory.clone()))
        .collect();
    let has = |device: &str, advisory: &str| {
        pairs
            .iter()
            .any(|(d, a)| d.contains(device) && a == advisory)
    };
    assert!(has("Monitor, bay 4", "ICSMA-90-002-01"), "{pairs:?}");
    assert!(has("Monitor, bay 4", "OS: Windows 7"), "{pairs:?}");
    assert!(has("Monitor, bay 4", "CVE-2019-0708"), "{pairs:?}");
    assert!(has("OpenSSL 1.0.2k", "CVE-2090-0100"), "{pairs:?}");
    // Life-critical on a flat network, BlueKeep in KEV: first.
    assert_eq!(report.findings[0].priority.as_str(), "critical");

    let pump = inventory::load(&dir.join("pump.spdx.json")).unwrap_or_else(|e| panic!("{e}"));
    let report = match_inventory(&pump, &set, Some(&kev), None).unwrap_or_else(|e| panic!("{e}"));
    let advisories: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.advisory.as_str())
        .collect();
    // The pump is affected; its OpenSSL 1.0.2u is the fixed version and is not.
    assert_eq!(advisories, ["ICSMA-90-001-01"]);
}

#[derive(Deserialize)]
struct ProjectLabels {
    expect: Vec<ProjectExpect>,
    near_miss: Vec<NearMiss>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct ProjectExpect {
    device: String,
    advisory: String,
    why: String,
}

/// The project's labelled inventory (`tests/devices-labelled/`, written by its `build.py` from
/// the real advisories, 390 devices): precision and recall of at least 0.95, every device whose
/// Windows is split over two columns matched to its OS, and no near miss matched.
#[test]
fn project_labelled_inventory_of_390_devices() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = root.join("../shared/data");
    if !shared.join("csaf-icsma").is_dir() {
        eprintln!("skipped: ../shared/data is not here (it is only on CI and developer machines)");
        return;
    }
    let labels_dir = root.join("tests/devices-labelled");
    let inventory =
        inventory::load(&labels_dir.join("inventory.csv")).unwrap_or_else(|e| panic!("{e}"));
    assert!(inventory.problems.is_empty(), "{:?}", inventory.problems);
    assert!(inventory.devices.len() >= 300);
    let text =
        std::fs::read_to_string(labels_dir.join("expected.toml")).unwrap_or_else(|e| panic!("{e}"));
    let labels: ProjectLabels = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let mut set = AdvisorySet::default();
    set.add_csaf(&shared.join("csaf-icsma"))
        .unwrap_or_else(|e| panic!("{e}"));
    let kev = load_kev(&shared.join("kev/known_exploited_vulnerabilities.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let report =
        match_inventory(&inventory, &set, Some(&kev), None).unwrap_or_else(|e| panic!("{e}"));
    let found: BTreeSet<(String, String)> = report
        .findings
        .iter()
        .map(|f| (device_name(&f.device).to_string(), f.advisory.clone()))
        .collect();
    let expected: BTreeSet<(String, String)> = labels
        .expect
        .iter()
        .map(|e| (e.device.clone(), e.advisory.clone()))
        .collect();
    let right = found.intersection(&expected).count();
    let precision = right as f64 / found.len() as f64;
    let recall = right as f64 / expected.len() as f64;
    let missed: Vec<_> = expected.difference(&found).collect();
    let wrong: Vec<_> = found.difference(&expected).collect();
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision:.3}, recall {recall:.3}\nmissed: {missed:?}\nwrong: {wrong:?}"
    );
    let os_expected: Vec<_> = expected
        .iter()
        .filter(|(_, a)| a.starts_with("OS: "))
        .collect();
    let os_found = os_expected.iter().filter(|p| found.contains(*p)).count();
    assert!(
        os_found as f64 >= 0.9 * os_expected.len() as f64,
        "{os_found} of {} embedded-OS pairs",
        os_expected.len()
    );
    for miss in &labels.near_miss {
        let matched: Vec<_> = found.iter().filter(|(d, _)| *d == miss.device).collect();
        assert!(
            matched.is_empty(),
            "near miss {} ({}) matched {matched:?}",
            miss.device,
            miss.why
        );
    }
}
