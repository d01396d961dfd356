//! The medical-device hygiene controls HY-MD-101 to HY-MD-104, read from the inventory.
//! Their words live in `catalog/controls.toml` (`measured = "inventory"`); this module only
//! measures them. With no device to look at, a control is `unknown`, never `pass`.

use crate::inventory::{Device, Inventory};
use crate::os::OsCatalog;
use hygeia_core::{Finding, UnknownCause};
use std::collections::BTreeMap;

/// A rule: the practice's devices, the OS catalog and today's date (YYYY-MM-DD) in, a finding out.
pub type Rule = fn(&[&Device], &OsCatalog, &str) -> Finding;

/// Every inventory control and the rule that measures it.
pub const RULES: &[(&str, Rule)] = &[
    ("HY-MD-101", patch_owner),
    ("HY-MD-102", life_critical_on_flat_network),
    ("HY-MD-103", patient_data_on_devices),
    ("HY-MD-104", operating_system_support),
];

/// Devices listed at most in evidence; the rest are counted.
const EVIDENCE_LIMIT: usize = 50;

fn listed(devices: &[&Device], extra: impl Fn(&Device) -> String) -> Vec<String> {
    let mut lines: Vec<String> = devices
        .iter()
        .take(EVIDENCE_LIMIT)
        .map(|d| format!("{} [{}]{}", d.label(), d.source, extra(d)))
        .collect();
    if devices.len() > EVIDENCE_LIMIT {
        lines.push(format!("... and {} more", devices.len() - EVIDENCE_LIMIT));
    }
    lines
}

fn no_devices() -> Finding {
    Finding::unknown(
        UnknownCause::Inconclusive,
        "The inventory lists no device, so there was nothing to check.",
    )
}

/// HY-MD-101: a device without a patch owner.
pub fn patch_owner(devices: &[&Device], _: &OsCatalog, _: &str) -> Finding {
    if devices.is_empty() {
        return no_devices();
    }
    let missing: Vec<&Device> = devices
        .iter()
        .copied()
        .filter(|d| d.patch_owner.trim().is_empty())
        .collect();
    if missing.is_empty() {
        Finding::pass(format!(
            "All {} devices have a named patch owner.",
            devices.len()
        ))
    } else {
        Finding::fail(format!(
            "{} of {} devices have no patch owner.",
            missing.len(),
            devices.len()
        ))
        .with_all(listed(&missing, |_| String::new()))
    }
}

/// HY-MD-102: a life-critical device on a flat network.
pub fn life_critical_on_flat_network(devices: &[&Device], _: &OsCatalog, _: &str) -> Finding {
    let critical: Vec<&Device> = devices
        .iter()
        .copied()
        .filter(|d| d.life_critical)
        .collect();
    if critical.is_empty() {
        return if devices.is_empty() {
            no_devices()
        } else {
            Finding::not_applicable("No device in the inventory is marked life_critical.")
        };
    }
    let flat: Vec<&Device> = critical
        .iter()
        .copied()
        .filter(|d| d.on_flat_network())
        .collect();
    let unknown: Vec<&Device> = critical
        .iter()
        .copied()
        .filter(|d| d.segment == "unknown")
        .collect();
    if !flat.is_empty() {
        Finding::fail(format!(
            "{} life-critical device(s) share a flat network with other computers.",
            flat.len()
        ))
        .with_all(listed(&flat, |_| String::new()))
    } else if !unknown.is_empty() {
        Finding::warn(format!(
            "{} life-critical device(s) have no network segment in the inventory, so their separation is unknown.",
            unknown.len()
        ))
        .with_all(listed(&unknown, |_| String::new()))
    } else {
        Finding::pass(format!(
            "All {} life-critical devices are on a separate network segment.",
            critical.len()
        ))
    }
}

/// HY-MD-103: devices that store patient data (a failure when on a flat network).
pub fn patient_data_on_devices(devices: &[&Device], _: &OsCatalog, _: &str) -> Finding {
    if devices.is_empty() {
        return no_devices();
    }
    let storing: Vec<&Device> = devices.iter().copied().filter(|d| d.stores_phi).collect();
    if storing.is_empty() {
        return Finding::pass(format!(
            "None of the {} devices is marked as storing patient data.",
            devices.len()
        ));
    }
    let exposed: Vec<&Device> = storing
        .iter()
        .copied()
        .filter(|d| d.on_flat_network())
        .collect();
    if !exposed.is_empty() {
        Finding::fail(format!(
            "{} device(s) store patient data on a flat network.",
            exposed.len()
        ))
        .with_all(listed(&exposed, |_| String::new()))
    } else {
        Finding::warn(format!(
            "{} device(s) store patient data: confirm they need it, and that it is encrypted and wiped before service or disposal.",
            storing.len()
        ))
        .with_all(listed(&storing, |d| format!(", segment {}", d.segment)))
    }
}

/// HY-MD-104: an embedded OS past its maker's end of support.
pub fn operating_system_support(devices: &[&Device], catalog: &OsCatalog, today: &str) -> Finding {
    let with_os: Vec<&Device> = devices
        .iter()
        .copied()
        .filter(|d| !d.operating_system().is_empty())
        .collect();
    if with_os.is_empty() {
        return Finding::unknown(
            UnknownCause::Inconclusive,
            "No device in the inventory names its operating system (the os column), so support could not be checked.",
        );
    }
    let mut past: Vec<&Device> = Vec::new();
    let mut unrecognised: Vec<&Device> = Vec::new();
    for device in &with_os {
        match catalog.identify(&device.operating_system()) {
            Some(system)
                if !system.end_of_support.is_empty() && system.end_of_support.as_str() < today =>
            {
                past.push(device)
            }
            Some(_) => {}
            None => unrecognised.push(device),
        }
    }
    let eol = |d: &Device| {
        catalog
            .identify(&d.operating_system())
            .map(|s| format!(": {} support ended {}", s.name, s.end_of_support))
            .unwrap_or_default()
    };
    if !past.is_empty() {
        let mut finding = Finding::fail(format!(
            "{} device(s) run an operating system past its end of support.",
            past.len()
        ))
        .with_all(listed(&past, eol));
        if !unrecognised.is_empty() {
            finding = finding.with(format!(
                "{} device(s) run an operating system Hygeia does not know; check those with their maker.",
                unrecognised.len()
            ));
        }
        finding
    } else if !unrecognised.is_empty() {
        Finding::warn(format!(
            "{} device(s) run an operating system whose support dates Hygeia does not know; check them with the maker.",
            unrecognised.len()
        ))
        .with_all(listed(&unrecognised, |d| {
            format!(": {}", d.operating_system())
        }))
    } else {
        let mut finding = Finding::pass(format!(
            "The {} devices that name their operating system run one that is still supported.",
            with_os.len()
        ));
        let silent = devices.len() - with_os.len();
        if silent > 0 {
            finding = finding.with(format!(
                "{silent} device(s) do not name an operating system and were not checked."
            ));
        }
        finding
    }
}

/// Measures every inventory control. SBOM components are left out: they are parts, not devices.
pub fn evaluate(
    inventory: &Inventory,
    catalog: &OsCatalog,
    today: &str,
) -> BTreeMap<String, Finding> {
    let devices: Vec<&Device> = inventory
        .devices
        .iter()
        .filter(|d| d.part_of.is_none())
        .collect();
    RULES
        .iter()
        .map(|(id, rule)| (id.to_string(), rule(&devices, catalog, today)))
        .collect()
}

/// The inventory hygiene controls (HY-MD-101..104) as a `hygeia.check/1` report about the
/// inventory file at `path`, produced by `user` at `now`: what `hygeia devices report` prints.
pub fn report(
    inventory: &Inventory,
    path: &std::path::Path,
    catalog: &hygeia_core::Catalog,
    os_catalog: &OsCatalog,
    user: String,
    now: time::OffsetDateTime,
) -> hygeia_core::Report {
    let findings = evaluate(inventory, os_catalog, &now.date().to_string());
    let stamp = hygeia_core::time_util::rfc3339(now);
    let host = hygeia_core::HostInfo {
        hostname: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        platform: hygeia_core::Platform::current().unwrap_or(hygeia_core::Platform::Linux),
        os: format!("device inventory, {} devices", inventory.devices.len()),
        user,
        source: format!("inventory {}", path.display()),
        collected_at: stamp.clone(),
    };
    hygeia_core::Report::build(host, stamp, catalog, findings, &BTreeMap::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hygeia_core::{Catalog, Measured, Status};

    fn device(name: &str, segment: &str, life: bool, phi: bool, owner: &str, os: &str) -> Device {
        Device {
            name: name.into(),
            vendor: "BD".into(),
            model: "Alaris GS".into(),
            segment: segment.into(),
            life_critical: life,
            stores_phi: phi,
            patch_owner: owner.into(),
            os: os.into(),
            ..Device::default()
        }
    }

    #[test]
    fn every_inventory_control_has_a_rule_and_every_rule_a_control() {
        let catalog = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        let inventory_controls: Vec<&str> = catalog
            .controls
            .iter()
            .filter(|c| c.measured == Measured::Inventory)
            .map(|c| c.id.as_str())
            .collect();
        let rules: Vec<&str> = RULES.iter().map(|(id, _)| *id).collect();
        assert_eq!(inventory_controls, rules);
    }

    #[test]
    fn findings_for_a_small_inventory() {
        let catalog = OsCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        let inventory = Inventory {
            devices: vec![
                device("Pump", "flat", true, false, "", ""),
                device("CT", "clinical-vlan", false, true, "Jo", "Windows 7 SP1"),
            ],
            problems: Vec::new(),
        };
        let f = evaluate(&inventory, &catalog, "2026-11-28");
        assert_eq!(f["HY-MD-101"].status, Status::Fail);
        assert_eq!(f["HY-MD-102"].status, Status::Fail);
        assert_eq!(f["HY-MD-103"].status, Status::Warn);
        assert_eq!(f["HY-MD-104"].status, Status::Fail);
        let empty = evaluate(&Inventory::default(), &catalog, "2026-11-28");
        assert!(empty.values().all(|f| f.status == Status::Unknown));
    }
}
