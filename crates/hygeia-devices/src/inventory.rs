//! The practice's device list: CSV, JSON, CycloneDX (1.4 to 1.6 JSON) and SPDX 2.3 JSON.
//!
//! A bad row does not stop the others: it is reported with its line (or position) and column,
//! and every good row is kept.

use crate::DevicesError;
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// The columns of the CSV inventory, in the documented order.
pub const CSV_COLUMNS: &[&str] = &[
    "name",
    "kind",
    "vendor",
    "model",
    "version",
    "os",
    "os_version",
    "segment",
    "life_critical",
    "stores_phi",
    "patch_owner",
];

/// One device (or one software component of a device, from an SBOM).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Device {
    /// What the practice calls it ("Infusion pump, room 2").
    pub name: String,
    /// Kind of device (infusion-pump, ct-scanner, workstation, ...).
    pub kind: String,
    /// Maker.
    pub vendor: String,
    /// Model or product name.
    pub model: String,
    /// Software or firmware version; empty when unknown.
    pub version: String,
    /// Embedded operating system ("Windows 7"); empty when none or unknown.
    pub os: String,
    /// Operating-system version or service pack ("SP1").
    pub os_version: String,
    /// Network segment: `clinical-vlan`, `flat`, `isolated`, ...; `unknown` when not given.
    pub segment: String,
    /// Keeps a patient alive or is needed for treatment right now.
    pub life_critical: bool,
    /// Stores patient data.
    pub stores_phi: bool,
    /// The person responsible for patching it.
    pub patch_owner: String,
    /// For an SBOM component: the device it is part of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    /// Where it came from: `file:line` or `file#position`.
    pub source: String,
}

impl Device {
    /// The embedded OS over the `os` and `os_version` columns ("Windows" + "7" is "Windows 7");
    /// empty when neither is given.
    pub fn operating_system(&self) -> String {
        crate::os::combined_name(&self.os, &self.os_version)
    }

    /// Whether the device shares a network with everything else.
    pub fn on_flat_network(&self) -> bool {
        self.segment == "flat"
    }

    /// Whether the device is cut off from other networks.
    pub fn isolated(&self) -> bool {
        self.segment == "isolated"
    }

    /// "Infusion pump, room 2 (BD Alaris GS 9.33)" for people.
    pub fn label(&self) -> String {
        // "BD Alaris GS", not "BD BD Alaris GS", when the model starts with the vendor.
        let vendor_in_model = self
            .model
            .to_lowercase()
            .starts_with(&format!("{} ", self.vendor.to_lowercase()));
        let vendor = if vendor_in_model {
            ""
        } else {
            self.vendor.as_str()
        };
        let what = [vendor, self.model.as_str(), self.version.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        match &self.part_of {
            Some(parent) => format!("{parent}: {what}"),
            None if self.name.is_empty() => what,
            None => format!("{} ({what})", self.name),
        }
    }
}

/// A row or entry that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// `file:line` or `file#position`.
    pub location: String,
    /// The column or field at fault, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What is wrong and what to write instead.
    pub message: String,
    /// Whether the row or entry was left out (otherwise it is only a warning).
    pub skipped: bool,
}

/// An inventory as read: the devices and the rows that could not be used.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    /// Devices and components.
    pub devices: Vec<Device>,
    /// Rows skipped, each with its reason.
    pub problems: Vec<RowProblem>,
}

/// The largest inventory file read (a 10,000-device CSV is about 1.5 MB).
pub const MAX_INVENTORY_BYTES: u64 = 256 * 1024 * 1024;

/// Reads an inventory file; its format is told by the extension and, for JSON, by its content.
pub fn load(path: &Path) -> Result<Inventory, DevicesError> {
    let size = std::fs::metadata(path)
        .map_err(|e| DevicesError::io("reading the inventory", path, e))?
        .len();
    if size > MAX_INVENTORY_BYTES {
        return Err(DevicesError::Input {
            path: path.display().to_string(),
            message: format!(
                "the file is {} MB; inventories larger than {} MB are not read",
                size / 1_048_576,
                MAX_INVENTORY_BYTES / 1_048_576
            ),
        });
    }
    let bytes =
        std::fs::read(path).map_err(|e| DevicesError::io("reading the inventory", path, e))?;
    parse(&path.display().to_string(), &bytes)
}

/// Reads an inventory from its bytes (an upload); `name` is the file name, which tells JSON
/// from CSV together with the content.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Inventory, DevicesError> {
    let is_json = name.to_ascii_lowercase().ends_with(".json")
        || matches!(
            bytes.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'{' | b'[')
        );
    if is_json {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| DevicesError::Input {
            path: name.to_string(),
            message: format!(
                "not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        })?;
        from_json(name, &value)
    } else {
        Ok(from_csv(name, bytes))
    }
}

/// Reads the CSV inventory. The header names the columns (any order, any case); `name`,
/// `vendor` and `model` are required, the others may be missing or empty.
pub fn from_csv(source: &str, bytes: &[u8]) -> Inventory {
    let mut inventory = Inventory::default();
    // Spreadsheet programs start UTF-8 files with a byte-order mark, and in many countries
    // separate columns with semicolons: both are read as the user meant.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_line = bytes
        .split(|b| *b == b'\n')
        .find(|line| !line.starts_with(b"#"))
        .unwrap_or(&[]);
    let delimiter = if !first_line.contains(&b',') && first_line.contains(&b';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|c| c.to_lowercase().replace(' ', "_"))
            .collect(),
        Err(e) => {
            inventory.problems.push(RowProblem {
                skipped: true,
                location: format!("{source}:1"),
                column: None,
                message: csv_problem("the header line", &e),
            });
            return inventory;
        }
    };
    for required in ["name", "vendor", "model"] {
        if !header.iter().any(|h| h == required) {
            inventory.problems.push(RowProblem {
                skipped: true,
                location: format!("{source}:1"),
                column: Some(required.to_string()),
                message: format!(
                    "the header has no `{required}` column; the first line must name the columns: {}",
                    CSV_COLUMNS.join(",")
                ),
            });
            return inventory;
        }
    }
    for unknown in header.iter().filter(|h| !CSV_COLUMNS.contains(&h.as_str())) {
        inventory.problems.push(RowProblem {
            skipped: false,
            location: format!("{source}:1"),
            column: Some(unknown.clone()),
            message: format!(
                "unknown column `{unknown}` is ignored; the columns are {}",
                CSV_COLUMNS.join(",")
            ),
        });
    }
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                inventory.problems.push(RowProblem {
                    skipped: true,
                    location: format!("{source}:{line}"),
                    column: None,
                    message: csv_problem("the line", &e),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let location = format!("{source}:{line}");
        let fields: Vec<(&str, &str)> = header
            .iter()
            .map(String::as_str)
            .zip(record.iter())
            .collect();
        if record.len() > header.len() {
            inventory.problems.push(RowProblem {
                skipped: true,
                location: location.clone(),
                column: None,
                message: format!(
                    "the line has {} fields but the header names {}; put quotes around values that contain commas",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        match device_from_fields(&fields, &location) {
            Ok(device) => inventory.devices.push(device),
            Err(problem) => inventory.problems.push(problem),
        }
    }
    inventory
}

/// What is wrong with a line the CSV reader refused, and what to do.
fn csv_problem(what: &str, error: &csv::Error) -> String {
    if matches!(error.kind(), csv::ErrorKind::Utf8 { .. }) {
        format!("{what} is not UTF-8 text; save the file as \"CSV UTF-8\" and try again")
    } else {
        format!("{what} cannot be read as CSV: {error}")
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Some(true),
        "false" | "no" | "n" | "0" | "" => Some(false),
        _ => None,
    }
}

/// Builds one device from named text fields, the shape shared by CSV rows and JSON objects.
fn device_from_fields(fields: &[(&str, &str)], location: &str) -> Result<Device, RowProblem> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let problem = |column: &str, message: String| RowProblem {
        skipped: true,
        location: location.to_string(),
        column: Some(column.to_string()),
        message,
    };
    let boolean = |column: &str| -> Result<bool, RowProblem> {
        let value = get(column);
        parse_bool(&value).ok_or_else(|| {
            problem(
                column,
                format!("`{value}` is not true or false; write true or false"),
            )
        })
    };
    let device = Device {
        name: get("name"),
        kind: get("kind"),
        vendor: get("vendor"),
        model: get("model"),
        version: get("version"),
        os: get("os"),
        os_version: get("os_version"),
        segment: match get("segment").to_lowercase() {
            s if s.is_empty() => "unknown".to_string(),
            s => s,
        },
        life_critical: boolean("life_critical")?,
        stores_phi: boolean("stores_phi")?,
        patch_owner: get("patch_owner"),
        part_of: None,
        source: location.to_string(),
    };
    if device.vendor.is_empty() {
        return Err(problem(
            "vendor",
            "the vendor is empty; write the maker's name (e.g. BD, Philips)".into(),
        ));
    }
    if device.model.is_empty() {
        return Err(problem(
            "model",
            "the model is empty; write the model as on the device's label".into(),
        ));
    }
    Ok(device)
}

/// Reads JSON: a list of devices (or `{"devices": [...]}`) with the CSV's fields, a CycloneDX
/// BOM, or an SPDX document.
pub fn from_json(source: &str, value: &Value) -> Result<Inventory, DevicesError> {
    if value.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        return Ok(crate::sbom::from_cyclonedx(source, value));
    }
    if value.get("spdxVersion").is_some() {
        return Ok(crate::sbom::from_spdx(source, value));
    }
    let list = match value {
        Value::Array(list) => list,
        Value::Object(map) => match map.get("devices") {
            Some(Value::Array(list)) => list,
            _ => {
                return Err(DevicesError::Input {
                    path: source.to_string(),
                    message: "expected a list of devices, {\"devices\": [...]}, a CycloneDX BOM or an SPDX document".into(),
                });
            }
        },
        _ => {
            return Err(DevicesError::Input {
                path: source.to_string(),
                message: "expected a list of devices".into(),
            });
        }
    };
    let mut inventory = Inventory::default();
    for (index, entry) in list.iter().enumerate() {
        let location = format!("{source}#{}", index + 1);
        let Some(object) = entry.as_object() else {
            inventory.problems.push(RowProblem {
                skipped: true,
                location,
                column: None,
                message: "this entry is not an object with device fields".into(),
            });
            continue;
        };
        let mut texts: Vec<(String, String)> = Vec::new();
        let mut bad = None;
        for (key, v) in object {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::Null => String::new(),
                _ => {
                    bad = Some(key.clone());
                    break;
                }
            };
            texts.push((key.to_lowercase(), text));
        }
        if let Some(key) = bad {
            inventory.problems.push(RowProblem {
                skipped: true,
                location,
                column: Some(key),
                message: "expected text, a number or true/false".into(),
            });
            continue;
        }
        let fields: Vec<(&str, &str)> = texts
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        match device_from_fields(&fields, &location) {
            Ok(device) => inventory.devices.push(device),
            Err(problem) => inventory.problems.push(problem),
        }
    }
    Ok(inventory)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "name,kind,vendor,model,version,os,os_version,segment,life_critical,stores_phi,patch_owner\n\
        Pump 1,infusion-pump,BD,Alaris GS,2.3.6,,,clinical-vlan,true,false,Ana\n\
        \"CT, room 3\",ct-scanner,GE Healthcare,Optima CT580W,1.0,Windows 7,SP1,flat,false,true,\n";

    #[test]
    fn reads_good_rows_with_quotes() {
        let inv = from_csv("inv.csv", GOOD.as_bytes());
        assert!(inv.problems.is_empty(), "{:?}", inv.problems);
        assert_eq!(inv.devices.len(), 2);
        assert_eq!(inv.devices[1].name, "CT, room 3");
        assert!(inv.devices[0].life_critical);
        assert!(inv.devices[1].on_flat_network());
        assert_eq!(inv.devices[1].source, "inv.csv:3");
    }

    #[test]
    fn a_bad_row_names_its_line_and_column_and_the_rest_is_kept() {
        let text = format!(
            "{GOOD}Pump 2,infusion-pump,BD,Alaris GS,2.3.6,,,flat,maybe,false,\n,,,,\nMonitor,monitor,Philips,IntelliVue MX40,B.06.18,,,isolated,false,false,Jo\n"
        );
        let inv = from_csv("inv.csv", text.as_bytes());
        assert_eq!(inv.devices.len(), 3);
        assert_eq!(inv.problems.len(), 2, "{:?}", inv.problems);
        assert_eq!(inv.problems[0].location, "inv.csv:4");
        assert_eq!(inv.problems[0].column.as_deref(), Some("life_critical"));
        assert_eq!(inv.problems[1].location, "inv.csv:5");
    }

    #[test]
    fn spreadsheet_exports_with_a_byte_order_mark_or_semicolons() {
        let text = format!(
            "\u{feff}{}",
            GOOD.replace(",", ";")
                .replace("\"CT; room 3\"", "CT room 3")
        );
        let inv = from_csv("inv.csv", text.as_bytes());
        assert!(inv.problems.is_empty(), "{:?}", inv.problems);
        assert_eq!(inv.devices.len(), 2);
        assert_eq!(inv.devices[0].model, "Alaris GS");
    }

    #[test]
    fn a_comment_with_a_semicolon_does_not_decide_the_separator() {
        let text = format!("# notes; kept by biomed\n{GOOD}");
        let inv = from_csv("inv.csv", text.as_bytes());
        assert!(inv.problems.is_empty(), "{:?}", inv.problems);
        assert_eq!(inv.devices.len(), 2);
    }

    #[test]
    fn a_header_without_required_columns_is_one_clear_problem() {
        let inv = from_csv("inv.csv", b"device,maker\nx,y\n");
        assert!(inv.devices.is_empty());
        assert_eq!(inv.problems.len(), 1);
        assert!(inv.problems[0].message.contains("name,kind,vendor"));
    }

    #[test]
    fn json_list_with_a_bad_entry() {
        let value: Value = serde_json::from_str(
            r#"[{"name":"Pump","vendor":"BD","model":"Alaris GS","version":"2.3.6","life_critical":true},
                {"name":"?","vendor":"BD"}, 7]"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let inv = from_json("inv.json", &value).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(inv.devices.len(), 1);
        assert!(inv.devices[0].life_critical);
        assert_eq!(inv.problems.len(), 2);
        assert_eq!(inv.problems[0].column.as_deref(), Some("model"));
    }
}
