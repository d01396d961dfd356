//! Device SBOMs: CycloneDX 1.4 to 1.6 JSON and SPDX 2.3 JSON.
//!
//! The device itself (CycloneDX `metadata.component`, SPDX `documentDescribes`) becomes one
//! device; its operating-system component fills the device's `os`; every other component with a
//! maker and a name becomes a part of the device, matched on its own and inheriting the device's
//! network segment and criticality. Inventory facts an SBOM has no field for are read from
//! properties named `hygeia:segment`, `hygeia:life_critical`, `hygeia:stores_phi`,
//! `hygeia:patch_owner` and `hygeia:name`.

use crate::inventory::{Device, Inventory, RowProblem};
use serde_json::Value;

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("").trim()
}

/// The maker of a CycloneDX component, from the fields the versions of the format offer.
fn cyclonedx_maker(component: &Value) -> String {
    for key in ["manufacturer", "manufacture", "supplier"] {
        if let Some(name) = component.get(key).map(|m| text(m, "name"))
            && !name.is_empty()
        {
            return name.to_string();
        }
    }
    for key in ["publisher", "author", "group"] {
        let name = text(component, key);
        if !name.is_empty() {
            return name.to_string();
        }
    }
    String::new()
}

fn property<'a>(component: &'a Value, name: &str) -> Option<&'a str> {
    component
        .get("properties")?
        .as_array()?
        .iter()
        .find(|p| text(p, "name") == name)
        .map(|p| text(p, "value"))
}

fn flag(value: Option<&str>) -> bool {
    matches!(
        value.map(str::to_lowercase).as_deref(),
        Some("true" | "yes" | "1")
    )
}

fn device_from_cyclonedx(component: &Value, source: String) -> Device {
    Device {
        name: property(component, "hygeia:name")
            .unwrap_or(text(component, "name"))
            .to_string(),
        kind: text(component, "type").to_string(),
        vendor: cyclonedx_maker(component),
        model: text(component, "name").to_string(),
        version: text(component, "version").to_string(),
        segment: property(component, "hygeia:segment")
            .map(str::to_lowercase)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unknown".into()),
        life_critical: flag(property(component, "hygeia:life_critical")),
        stores_phi: flag(property(component, "hygeia:stores_phi")),
        patch_owner: property(component, "hygeia:patch_owner")
            .unwrap_or("")
            .to_string(),
        source,
        ..Device::default()
    }
}

/// Gives the device's parts its network facts and adds them, or reports a part without maker.
fn add_parts(root: &Device, parts: Vec<Device>, inventory: &mut Inventory) {
    for mut part in parts {
        if part.vendor.is_empty() || part.model.is_empty() {
            inventory.problems.push(RowProblem {
                skipped: true,
                location: part.source.clone(),
                column: Some(
                    if part.model.is_empty() {
                        "name"
                    } else {
                        "supplier"
                    }
                    .into(),
                ),
                message: format!(
                    "component `{}` names no maker, so it cannot be matched against advisories",
                    part.model
                ),
            });
            continue;
        }
        part.part_of = Some(root.label());
        part.segment = root.segment.clone();
        part.life_critical = root.life_critical;
        part.stores_phi = root.stores_phi;
        part.patch_owner = root.patch_owner.clone();
        inventory.devices.push(part);
    }
}

/// Reads a CycloneDX JSON BOM.
pub fn from_cyclonedx(source: &str, bom: &Value) -> Inventory {
    let mut inventory = Inventory::default();
    let spec = text(bom, "specVersion");
    if !matches!(spec, "1.4" | "1.5" | "1.6") {
        inventory.problems.push(RowProblem {
            skipped: false,
            location: source.to_string(),
            column: Some("specVersion".into()),
            message: format!(
                "CycloneDX {spec} is read as 1.6; fields it does not have are left empty"
            ),
        });
    }
    let components: Vec<&Value> = bom
        .get("components")
        .and_then(Value::as_array)
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    let root = bom
        .get("metadata")
        .and_then(|m| m.get("component"))
        .map(|c| device_from_cyclonedx(c, format!("{source}#metadata.component")));
    let Some(mut root) = root else {
        // No device described: every device component is a device of its own.
        for (i, c) in components.iter().enumerate() {
            if text(c, "type") == "device" {
                inventory.devices.push(device_from_cyclonedx(
                    c,
                    format!("{source}#component{}", i + 1),
                ));
            }
        }
        if inventory.devices.is_empty() {
            inventory.problems.push(RowProblem {
                skipped: true,
                location: source.to_string(),
                column: Some("metadata.component".into()),
                message: "the BOM describes no device (no metadata.component and no component of type device)".into(),
            });
        }
        return inventory;
    };
    let mut parts = Vec::new();
    for (i, c) in components.iter().enumerate() {
        let location = format!("{source}#component{}", i + 1);
        if text(c, "type") == "operating-system" && root.os.is_empty() {
            root.os = text(c, "name").to_string();
            root.os_version = text(c, "version").to_string();
            continue;
        }
        parts.push(device_from_cyclonedx(c, location));
    }
    inventory.devices.push(root.clone());
    add_parts(&root, parts, &mut inventory);
    inventory
}

/// "Organization: Philips" -> "Philips"; NOASSERTION -> "".
fn spdx_party(value: &str) -> String {
    let name = value
        .split_once(':')
        .map(|(_, n)| n)
        .unwrap_or(value)
        .trim();
    // "Organization: Philips (security@philips.com)"
    let name = name.split(" (").next().unwrap_or(name).trim();
    if name.eq_ignore_ascii_case("NOASSERTION") {
        String::new()
    } else {
        name.to_string()
    }
}

fn device_from_spdx(package: &Value, source: String) -> Device {
    let mut vendor = spdx_party(text(package, "supplier"));
    if vendor.is_empty() {
        vendor = spdx_party(text(package, "originator"));
    }
    Device {
        name: text(package, "name").to_string(),
        kind: text(package, "primaryPackagePurpose").to_lowercase(),
        vendor,
        model: text(package, "name").to_string(),
        version: text(package, "versionInfo").to_string(),
        segment: "unknown".into(),
        source,
        ..Device::default()
    }
}

/// Reads an SPDX 2.3 JSON document.
pub fn from_spdx(source: &str, document: &Value) -> Inventory {
    let mut inventory = Inventory::default();
    let packages: Vec<&Value> = document
        .get("packages")
        .and_then(Value::as_array)
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    let described: Vec<&str> = document
        .get("documentDescribes")
        .and_then(Value::as_array)
        .map(|d| d.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let is_root = |p: &Value| {
        described.contains(&text(p, "SPDXID"))
            || (described.is_empty() && text(p, "primaryPackagePurpose") == "DEVICE")
    };
    let Some(root_package) = packages.iter().find(|p| is_root(p)) else {
        inventory.problems.push(RowProblem {
                skipped: true,
            location: source.to_string(),
            column: Some("documentDescribes".into()),
            message: "the document describes no package (documentDescribes is empty and no package has purpose DEVICE)".into(),
        });
        return inventory;
    };
    let mut root = device_from_spdx(
        root_package,
        format!("{source}#{}", text(root_package, "SPDXID")),
    );
    let mut parts = Vec::new();
    for package in packages.iter().filter(|p| !is_root(p)) {
        let location = format!("{source}#{}", text(package, "SPDXID"));
        if text(package, "primaryPackagePurpose") == "OPERATING-SYSTEM" && root.os.is_empty() {
            root.os = text(package, "name").to_string();
            root.os_version = text(package, "versionInfo").to_string();
            continue;
        }
        parts.push(device_from_spdx(package, location));
    }
    inventory.devices.push(root.clone());
    add_parts(&root, parts, &mut inventory);
    inventory
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn cyclonedx_device_with_os_and_firmware() {
        let bom = json(
            r#"{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":{"type":"device",
            "name":"IntelliVue MX40","version":"B.06.18","manufacturer":{"name":"Philips"},
            "properties":[{"name":"hygeia:segment","value":"flat"},{"name":"hygeia:life_critical","value":"true"}]}},
            "components":[{"type":"operating-system","name":"Windows 7","version":"SP1","supplier":{"name":"Microsoft"}},
            {"type":"library","name":"OpenSSL","version":"1.0.2k","publisher":"OpenSSL Project"},
            {"type":"library","name":"zlib","version":"1.2.11"}]}"#,
        );
        let inv = from_cyclonedx("mx40.cdx.json", &bom);
        assert_eq!(inv.devices.len(), 2);
        assert_eq!(inv.devices[0].os, "Windows 7");
        assert!(inv.devices[0].life_critical);
        assert_eq!(inv.devices[1].model, "OpenSSL");
        assert!(inv.devices[1].on_flat_network());
        assert_eq!(
            inv.problems.len(),
            1,
            "zlib has no maker: {:?}",
            inv.problems
        );
    }

    #[test]
    fn spdx_device_with_os() {
        let doc = json(
            r#"{"spdxVersion":"SPDX-2.3","documentDescribes":["SPDXRef-dev"],"packages":[
            {"SPDXID":"SPDXRef-dev","name":"Alaris GS","versionInfo":"2.3.6","supplier":"Organization: BD"},
            {"SPDXID":"SPDXRef-os","name":"VxWorks","versionInfo":"6.9","supplier":"Organization: Wind River","primaryPackagePurpose":"OPERATING-SYSTEM"}]}"#,
        );
        let inv = from_spdx("pump.spdx.json", &doc);
        assert_eq!(inv.devices.len(), 1);
        assert_eq!(inv.devices[0].vendor, "BD");
        assert_eq!(inv.devices[0].os, "VxWorks");
    }
}
