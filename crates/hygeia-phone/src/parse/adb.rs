//! `adb` outputs: the device list, `getprop`, `dumpsys lock_settings`, `settings get`,
//! `pm list packages`, `appops query-op` and `dumpsys device_policy`.

use std::collections::BTreeMap;

/// One line of `adb devices -l`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdbDevice {
    /// The serial adb addresses it by.
    pub serial: String,
    /// `device` (ready), `unauthorized` (the phone has not allowed this computer), `offline`,
    /// `no permissions`...
    pub state: String,
    /// `model:` from the line, underscores as spaces.
    pub model: Option<String>,
}

/// Parses `adb devices -l`. Lines that are not devices (the header, daemon messages) are
/// skipped.
pub fn parse_devices(text: &str) -> Vec<AdbDevice> {
    text.lines()
        .filter(|l| {
            !l.starts_with('*') && !l.starts_with("List of devices") && !l.trim().is_empty()
        })
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let serial = words.next()?.to_string();
            let rest: Vec<&str> = words.collect();
            // "no permissions (user in plugdev group; ...)" is a state of several words.
            let (state, details) = match rest.first() {
                Some(&"no") if rest.get(1) == Some(&"permissions") => {
                    ("no permissions".to_string(), &rest[2..])
                }
                Some(state) => (state.to_string(), &rest[1..]),
                None => return None,
            };
            let model = details
                .iter()
                .find_map(|d| d.strip_prefix("model:"))
                .map(|m| m.replace('_', " "));
            Some(AdbDevice {
                serial,
                state,
                model,
            })
        })
        .collect()
}

/// Parses `adb shell getprop`: `[key]: [value]` lines.
pub fn parse_getprop(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let (key, value) = line.split_once("]: [")?;
            let key = key.strip_prefix('[')?;
            let value = value.strip_suffix(']')?;
            Some((key.to_string(), value.to_string()))
        })
        .collect()
}

/// Whether a screen lock is set, from `adb shell dumpsys lock_settings`: the first user's
/// `CredentialType` (a name on Android 11 and later, a number before), else its `Quality`.
/// `None` when neither is there.
pub fn parse_lock_settings(text: &str) -> Option<bool> {
    let value_of = |key: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_string()))
    };
    if let Some(kind) = value_of("CredentialType:") {
        return match kind.to_ascii_lowercase().as_str() {
            "none" | "-1" => Some(false),
            "pin" | "pattern" | "password" | "password or pin" | "1" | "2" | "3" | "4" => {
                Some(true)
            }
            _ => None,
        };
    }
    let quality: i64 = value_of("Quality:")?.parse().ok()?;
    Some(quality > 0)
}

/// `adb shell settings get ...`: `1` on, `0` off; `null` (never set) counts as off.
pub fn parse_setting_flag(text: &str) -> Option<bool> {
    match text.trim() {
        "1" => Some(true),
        "0" | "null" => Some(false),
        _ => None,
    }
}

/// `adb shell pm list packages`: `package:NAME` lines.
pub fn parse_packages(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("package:"))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// `adb shell appops query-op --user 0 REQUEST_INSTALL_PACKAGES allow`: the packages allowed
/// to install apps, one per line ("No operations." when none). `None` when the output is an
/// error (an old Android without `query-op`).
pub fn parse_appops_allowed(text: &str) -> Option<Vec<String>> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("No operations.") {
        return Some(Vec::new());
    }
    let looks_like_package = |l: &str| {
        l.contains('.')
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
    };
    let lines: Vec<&str> = trimmed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .iter()
        .all(|l| looks_like_package(l))
        .then(|| lines.iter().map(|l| l.to_string()).collect())
}

/// Who manages the phone, from `adb shell dumpsys device_policy`: the device owner, profile
/// owners (work profiles) and other active device administrators, as sentences.
pub fn parse_device_policy(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut section: Option<String> = None;
    let mut admins_indent: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if let Some(limit) = admins_indent {
            if indent <= limit {
                admins_indent = None;
            } else if trimmed.ends_with(':') && trimmed.contains('/') {
                found.push(format!(
                    "device administrator {}",
                    trimmed.trim_end_matches(':')
                ));
                continue;
            }
        }
        if trimmed.starts_with("Device Owner") {
            section = Some("device owner".into());
        } else if trimmed.starts_with("Profile Owner") {
            section = Some("work profile".into());
        } else if trimmed.starts_with("Enabled Device Admins") {
            admins_indent = Some(indent);
            section = None;
        } else if let (Some(kind), Some(package)) = (&section, trimmed.strip_prefix("package=")) {
            found.push(format!("{kind} {package}"));
            section = None;
        }
    }
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_with_their_states() {
        let text = "* daemon not running; starting now at tcp:5037\n* daemon started successfully\nList of devices attached\n0A1B2C3D4E5F\tdevice usb:1-1 product:redfin model:Pixel_5 device:redfin transport_id:1\nR58M12345\tunauthorized usb:1-2 transport_id:2\nemulator-5554\tno permissions (user in plugdev group; are your udev rules wrong?); see [http://developer.android.com/tools/device.html]\n\n";
        let devices = parse_devices(text);
        assert_eq!(devices.len(), 3);
        assert_eq!(devices[0].serial, "0A1B2C3D4E5F");
        assert_eq!(devices[0].state, "device");
        assert_eq!(devices[0].model.as_deref(), Some("Pixel 5"));
        assert_eq!(devices[1].state, "unauthorized");
        assert_eq!(devices[2].state, "no permissions");
        assert!(parse_devices("List of devices attached\n\n").is_empty());
    }

    #[test]
    fn getprop_lines() {
        let props = parse_getprop(
            "[ro.build.version.release]: [11]\n[ro.build.version.security_patch]: [2021-03-05]\n[ro.product.model]: [Pixel 5]\n[persist.sys.empty]: []\nnot a property\n",
        );
        assert_eq!(props["ro.build.version.release"], "11");
        assert_eq!(props["ro.build.version.security_patch"], "2021-03-05");
        assert_eq!(props["ro.product.model"], "Pixel 5");
        assert_eq!(props["persist.sys.empty"], "");
        assert_eq!(props.len(), 4);
    }

    #[test]
    fn lock_settings_of_new_and_old_androids() {
        let android13 = "Current lock settings service state:\n\n  User State:\n    User 0\n      SID: 5c7e0f3d2a1b4c6d\n      Quality: 131072\n      CredentialType: PIN\n      SeparateChallenge: false\n";
        assert_eq!(parse_lock_settings(android13), Some(true));
        let none = "  User State:\n    User 0\n      SID: 0\n      Quality: 0\n      CredentialType: None\n";
        assert_eq!(parse_lock_settings(none), Some(false));
        assert_eq!(
            parse_lock_settings("    User 0\n      Quality: 65536\n"),
            Some(true)
        );
        assert_eq!(
            parse_lock_settings("Can't find service: lock_settings\n"),
            None
        );
    }

    #[test]
    fn settings_packages_and_install_permissions() {
        assert_eq!(parse_setting_flag("1\n"), Some(true));
        assert_eq!(parse_setting_flag("null\n"), Some(false));
        assert_eq!(parse_setting_flag("Exception occurred"), None);
        assert_eq!(
            parse_packages("package:com.whatsapp\npackage:us.zoom.videomeetings\n\n"),
            vec!["com.whatsapp", "us.zoom.videomeetings"]
        );
        assert_eq!(parse_appops_allowed("No operations.\n"), Some(vec![]));
        assert_eq!(
            parse_appops_allowed("com.android.chrome\norg.mozilla.firefox\n"),
            Some(vec![
                "com.android.chrome".to_string(),
                "org.mozilla.firefox".to_string()
            ])
        );
        assert_eq!(
            parse_appops_allowed("Error: Unknown command: query-op\n"),
            None
        );
    }

    #[test]
    fn device_owner_work_profile_and_admins() {
        let text = "Current Device Policy Manager state:\n  Immutable state:\n    mHasFeature=true\n  Device Owner: \n    admin=ComponentInfo{com.example.dpc/com.example.dpc.AdminReceiver}\n    name=\n    package=com.example.dpc\n  Profile Owner (User 10): \n    admin=ComponentInfo{com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver}\n    package=com.google.android.apps.work.clouddpc\n  Enabled Device Admins (User 0, provisioningState: 3):\n    com.google.android.gms/com.google.android.gms.mdm.receivers.MdmDeviceAdminReceiver:\n      uid=10120\n      testOnlyAdmin=false\n  Other state:\n";
        assert_eq!(
            parse_device_policy(text),
            vec![
                "device owner com.example.dpc",
                "work profile com.google.android.apps.work.clouddpc",
                "device administrator com.google.android.gms/com.google.android.gms.mdm.receivers.MdmDeviceAdminReceiver",
            ]
        );
        assert!(
            parse_device_policy("Current Device Policy Manager state:\n  Immutable state:\n")
                .is_empty()
        );
    }

    proptest::proptest! {
        #[test]
        fn no_parser_panics_on_any_text(text in "\\PC{0,200}") {
            let _ = parse_devices(&text);
            let _ = parse_getprop(&text);
            let _ = parse_lock_settings(&text);
            let _ = parse_appops_allowed(&text);
            let _ = parse_device_policy(&text);
        }
    }
}
