//! Every parser of outside input in `hygeia devices`: the inventory (CSV, JSON, CycloneDX,
//! SPDX), CSAF documents, KEV, EPSS, NVD, and version ranges, then matching what was read.
#![no_main]

use hygeia_devices::{AdvisorySet, feeds, inventory, match_inventory};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut inventory = inventory::from_csv("fuzz.csv", data);
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data)
        && let Ok(from_json) = inventory::from_json("fuzz.json", &value)
    {
        inventory.devices.extend(from_json.devices);
    }
    let mut set = AdvisorySet::default();
    if let Ok((advisory, unparsed)) = hygeia_devices::csaf::parse("fuzz.json", data) {
        set.advisories.push(advisory);
        set.unparsed.extend(unparsed);
    }
    if let Ok(advisories) = feeds::parse_nvd("fuzz.json", data) {
        set.advisories.extend(advisories);
    }
    let kev = feeds::parse_kev("fuzz.json", data).ok();
    let epss = feeds::parse_epss("fuzz.csv", &text).ok();
    for line in text.lines().take(64) {
        let _ = hygeia_devices::spec::VersionSpec::parse(line);
    }
    let _ = match_inventory(&inventory, &set, kev.as_ref(), epss.as_ref());
    // The home router's path: one model under its names, at a version from the same bytes.
    let mut lines = text.lines();
    let model = lines.next().unwrap_or("");
    let version = lines.next().unwrap_or("");
    let _ = hygeia_devices::match_model(&set, kev.as_ref(), "D-Link", &[model, "DIR-859"], version);
});
