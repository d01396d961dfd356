//! Every parser of outside input in `hygeia phone`: adb and libimobiledevice outputs, the
//! phone's browser (User-Agent, Client Hints), Intune and Google Workspace exports, and a phone
//! snapshot's JSON; then the rules over what was read.
#![no_main]

use hygeia_phone::browser::{BrowserSignals, read_browser};
use hygeia_phone::parse::{adb, ios};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = adb::parse_devices(&text);
    let _ = adb::parse_getprop(&text);
    let _ = adb::parse_lock_settings(&text);
    let _ = adb::parse_setting_flag(&text);
    let _ = adb::parse_packages(&text);
    let _ = adb::parse_appops_allowed(&text);
    let _ = adb::parse_device_policy(&text);
    let _ = ios::parse_ideviceinfo(&text);
    let _ = ios::parse_app_list(&text);
    let mut lines = text.lines();
    let signals = BrowserSignals {
        user_agent: lines.next().unwrap_or("").to_string(),
        platform: lines.next().map(str::to_string),
        platform_version: lines.next().map(str::to_string),
        model: lines.next().map(str::to_string),
        touch_points: data.first().map(|b| u32::from(*b)),
    };
    let _ = read_browser(&signals);
    if let Ok(export) = hygeia_phone::mdm::read_export(data)
        && let (Ok(catalog), Ok(releases)) = (
            hygeia_core::Catalog::builtin(),
            hygeia_phone::MobileOsCatalog::builtin(),
        )
    {
        let judge = hygeia_phone::judge::Judge {
            releases: &releases,
            catalog: &catalog,
            observed_at: time::OffsetDateTime::UNIX_EPOCH,
        };
        for phone in export.phones.iter().take(16) {
            let _ = judge.judge(&phone.facts);
        }
    }
    if let Ok(snapshot) = serde_json::from_slice::<hygeia_phone::usb::PhoneSnapshot>(data) {
        let _ = snapshot.facts();
    }
});
