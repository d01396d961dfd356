//! libimobiledevice outputs: `ideviceinfo` (`Key: Value` lines) and `ideviceinstaller -l`.

use std::collections::BTreeMap;

/// Why `ideviceinfo` could not read the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IosProblem {
    /// No iPhone or iPad is connected (or usbmuxd does not see it).
    NoDevice,
    /// The phone has not trusted this computer yet ("Trust This Computer?" is waiting).
    NotTrusted,
    /// The phone is locked with its passcode and was never paired.
    Locked,
    /// Any other lockdownd error, with its text.
    Other(String),
}

impl IosProblem {
    /// What the person should do, in a sentence.
    pub fn advice(&self) -> String {
        match self {
            IosProblem::NoDevice => "no iPhone or iPad was found: connect it with a USB cable, unlock it, and try again.".into(),
            IosProblem::NotTrusted => "the iPhone has not trusted this computer yet: unlock it, tap Trust on the \"Trust This Computer?\" message, enter the passcode, and run the check again.".into(),
            IosProblem::Locked => "the iPhone is locked: unlock it, keep it unlocked, and run the check again.".into(),
            IosProblem::Other(text) => format!("ideviceinfo could not read the phone ({text})."),
        }
    }
}

/// Parses `ideviceinfo` output, or says why the phone could not be read.
pub fn parse_ideviceinfo(text: &str) -> Result<BTreeMap<String, String>, IosProblem> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("no device found") {
        return Err(IosProblem::NoDevice);
    }
    if lower.contains("pairing dialog response pending")
        || lower.contains("(-19)")
        || lower.contains("user denied pairing")
    {
        return Err(IosProblem::NotTrusted);
    }
    if lower.contains("password protected") || lower.contains("(-17)") {
        return Err(IosProblem::Locked);
    }
    if let Some(error) = text.lines().find(|l| l.trim_start().starts_with("ERROR:")) {
        return Err(IosProblem::Other(error.trim().chars().take(200).collect()));
    }
    let values: BTreeMap<String, String> = text
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| {
            let (key, value) = l.split_once(": ")?;
            (!key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric()))
                .then(|| (key.to_string(), value.trim().to_string()))
        })
        .collect();
    if values.contains_key("ProductVersion") {
        Ok(values)
    } else {
        Err(IosProblem::Other("no ProductVersion in its output".into()))
    }
}

/// Bundle identifiers from `ideviceinstaller -l`: the CSV of 1.1.1 and later
/// (`CFBundleIdentifier, CFBundleVersion, CFBundleDisplayName`) or the older
/// `id - Name version` lines.
pub fn parse_app_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            !l.starts_with("CFBundleIdentifier") && !l.starts_with("Total:") && !l.is_empty()
        })
        .filter_map(|l| {
            let id = l.split([',', ' ']).next()?.trim();
            let valid = id.contains('.')
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
            valid.then(|| id.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_values_and_problems() {
        let text = "ActivationState: Activated\nBuildVersion: 22B83\nDeviceClass: iPhone\nDeviceName: Dr Lee's iPhone\nPasswordProtected: true\nProductName: iPhone OS\nProductType: iPhone15,4\nProductVersion: 18.1\nSupportedDeviceFamilies:\n 0: 1\n";
        let values = parse_ideviceinfo(text).unwrap();
        assert_eq!(values["ProductVersion"], "18.1");
        assert_eq!(values["ProductType"], "iPhone15,4");
        assert_eq!(values["PasswordProtected"], "true");
        assert_eq!(values["DeviceName"], "Dr Lee's iPhone");
        assert_eq!(
            parse_ideviceinfo("No device found!\n"),
            Err(IosProblem::NoDevice)
        );
        assert_eq!(
            parse_ideviceinfo("ERROR: No device found!\n"),
            Err(IosProblem::NoDevice)
        );
        assert_eq!(
            parse_ideviceinfo(
                "ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)\n"
            ),
            Err(IosProblem::NotTrusted)
        );
        assert_eq!(
            parse_ideviceinfo("ERROR: Could not connect to lockdownd: Password protected (-17)\n"),
            Err(IosProblem::Locked)
        );
        assert!(matches!(
            parse_ideviceinfo("garbage\n"),
            Err(IosProblem::Other(_))
        ));
    }

    #[test]
    fn app_lists_old_and_new() {
        let new = "CFBundleIdentifier, CFBundleVersion, CFBundleDisplayName\nnet.whatsapp.WhatsApp, \"24.20.79\", \"WhatsApp\"\nus.zoom.videomeetings, \"6.2.10.24890\", \"Zoom\"\n";
        assert_eq!(
            parse_app_list(new),
            vec!["net.whatsapp.WhatsApp", "us.zoom.videomeetings"]
        );
        let old = "Total: 2 apps\ncom.facebook.Messenger - Messenger 450.0\nme.doxy.provider - Doxy.me 3.1\n";
        assert_eq!(
            parse_app_list(old),
            vec!["com.facebook.Messenger", "me.doxy.provider"]
        );
    }

    proptest::proptest! {
        #[test]
        fn no_parser_panics_on_any_text(text in "\\PC{0,200}") {
            let _ = parse_ideviceinfo(&text);
            let _ = parse_app_list(&text);
        }
    }
}
