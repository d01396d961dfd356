//! Every parser over the tool outputs in `tests/fixtures` (see its README).

use hygeia_phone::facts::{Family, Reading};
use hygeia_phone::parse::{adb, ios};
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn android_outputs() {
    let devices = adb::parse_devices(&fixture("adb-devices.txt"));
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].model.as_deref(), Some("Pixel 5"));
    let props = adb::parse_getprop(&fixture("adb-getprop.txt"));
    assert_eq!(props["ro.build.version.release"], "11");
    assert_eq!(props["ro.build.version.security_patch"], "2021-03-05");
    assert_eq!(props["ro.crypto.state"], "encrypted");
    assert_eq!(
        adb::parse_lock_settings(&fixture("adb-lock-settings.txt")),
        Some(true)
    );
    assert!(
        adb::parse_packages(&fixture("adb-packages.txt")).contains(&"com.whatsapp".to_string())
    );
    assert_eq!(
        adb::parse_device_policy(&fixture("adb-device-policy.txt")),
        vec![
            "device administrator com.google.android.gms/com.google.android.gms.mdm.receivers.MdmDeviceAdminReceiver"
        ]
    );
}

#[test]
fn ios_outputs() {
    let info =
        ios::parse_ideviceinfo(&fixture("ideviceinfo.txt")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(info["ProductVersion"], "18.1");
    assert_eq!(info["ProductType"], "iPhone15,4");
    assert_eq!(info["PasswordProtected"], "true");
    assert_eq!(
        ios::parse_app_list(&fixture("ideviceinstaller-list.txt")),
        vec![
            "com.google.Gmail",
            "us.zoom.videomeetings",
            "com.apple.TestFlight"
        ]
    );
}

#[test]
fn mdm_exports() {
    let intune = hygeia_phone::mdm::read_export(fixture("intune-devices.csv").as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(intune.phones.len(), 3);
    assert!(intune.skipped.is_empty(), "{:?}", intune.skipped);
    let galaxy = intune
        .phones
        .iter()
        .find(|p| p.name == "Nurse-Galaxy")
        .unwrap_or_else(|| panic!("no Galaxy"));
    assert_eq!(galaxy.facts.family, Family::Android);
    assert_eq!(galaxy.facts.model, "samsung SM-S921U");
    assert_eq!(
        galaxy.facts.security_patch,
        Reading::answered("2026-11-01".to_string())
    );
    let google = hygeia_phone::mdm::read_export(fixture("google-workspace-devices.csv").as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(google.phones.len(), 2);
    assert_eq!(google.phones[1].facts.family, Family::Ios);
}
