//! `hygeia phone check`: reads a phone plugged into this computer with `adb` (Android) or
//! libimobiledevice's `ideviceinfo` and `ideviceinstaller` (iPhone, iPad), through the same
//! probe runner as `hygeia check` (no shell, time limits, system programs only as root). The
//! raw outputs form a snapshot that can be saved and judged again later.

use crate::facts::{Family, PhoneFacts, Reading};
use crate::parse::{adb, ios};
use crate::record::identifier;
use hygeia_host::probe::{Outcome, Probe, RawOutput};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Schema identifier of a saved phone snapshot.
pub const SNAPSHOT_SCHEMA: &str = "hygeia.phone-snapshot/1";

/// The file name inside a snapshot folder.
pub const SNAPSHOT_FILE: &str = "phone-snapshot.json";

/// Largest snapshot file read back (a phone with thousands of apps is well under 1 MiB).
const MAX_SNAPSHOT_BYTES: u64 = 32 * 1024 * 1024;

const ADB_DEVICES: &str = "adb_devices";
const GETPROP: &str = "getprop";
const LOCK_SETTINGS: &str = "lock_settings";
const DEVELOPER_OPTIONS: &str = "developer_options";
const USB_DEBUGGING: &str = "usb_debugging";
const PACKAGES: &str = "packages";
const INSTALL_PERMISSIONS: &str = "install_permissions";
const DEVICE_POLICY: &str = "device_policy";
const IDEVICEINFO: &str = "ideviceinfo";
const IOS_APPS: &str = "ideviceinstaller";

/// Which kind of phone to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Android first, then iPhone/iPad.
    Any,
    /// Android only (adb).
    Android,
    /// iPhone or iPad only (libimobiledevice).
    Ios,
}

/// Everything one phone check collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneSnapshot {
    /// Always [`SNAPSHOT_SCHEMA`].
    pub schema: String,
    /// iOS or Android.
    pub family: Family,
    /// When it was collected (RFC 3339).
    pub collected_at: String,
    /// The computer the phone was plugged into.
    pub computer: String,
    /// The person who ran the check.
    pub user: String,
    /// [`identifier`] of the phone's serial or device id (never the serial itself).
    pub phone_id: String,
    /// Raw outputs by probe id.
    pub outputs: BTreeMap<String, RawOutput>,
}

/// Why no phone could be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CollectError {
    /// Neither adb nor libimobiledevice is installed.
    #[error(
        "neither adb nor ideviceinfo is installed, so no phone can be read. Install them (Debian/Ubuntu: sudo apt install adb libimobiledevice-utils ideviceinstaller; macOS: brew install android-platform-tools libimobiledevice ideviceinstaller) and run the check again"
    )]
    NoTools,
    /// No phone answered.
    #[error("{0}")]
    NoPhone(String),
    /// More than one phone is connected.
    #[error("several phones are connected ({0}); unplug the others or choose one with --serial")]
    SeveralPhones(String),
}

/// A snapshot that cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Reading or writing failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a phone snapshot.
    #[error(
        "{path} is not a Hygeia phone snapshot ({message}); save one with `hygeia phone check --save-snapshot DIR`"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn command(id: &str, program: &str, args: &[&str]) -> Probe {
    Probe::command(id, program, args).timeout(Duration::from_secs(30))
}

fn run(probe: &Probe) -> RawOutput {
    hygeia_host::runner::run_one(probe)
}

fn ran_text(output: &RawOutput) -> Option<&str> {
    match &output.outcome {
        Outcome::Ran { stdout, .. } => Some(stdout),
        _ => None,
    }
}

/// Finds one phone and reads it.
pub fn collect(
    want: Want,
    serial: Option<&str>,
    computer: &str,
    user: &str,
) -> Result<PhoneSnapshot, CollectError> {
    let mut tools_missing = 0;
    if want != Want::Ios {
        let devices = run(&command(ADB_DEVICES, "adb", &["devices", "-l"]));
        match ran_text(&devices) {
            None if want == Want::Android => {
                // The person asked for Android: a report that says adb is missing.
                return Ok(snapshot(
                    Family::Android,
                    computer,
                    user,
                    String::new(),
                    outputs_of([(ADB_DEVICES, devices)]),
                ));
            }
            None => tools_missing += 1,
            Some(text) => {
                let found: Vec<adb::AdbDevice> = adb::parse_devices(text)
                    .into_iter()
                    .filter(|d| serial.is_none_or(|s| d.serial == s))
                    .collect();
                match found.as_slice() {
                    [] if want == Want::Android => {
                        return Err(CollectError::NoPhone(
                            "no Android phone was found: connect it with a USB cable, turn on USB debugging (Settings > About phone: tap Build number seven times; then Settings > System > Developer options > USB debugging), and try again".into(),
                        ));
                    }
                    [] => {}
                    [device] => return Ok(read_android(device, devices, computer, user)),
                    several => {
                        let list: Vec<String> = several.iter().map(|d| d.serial.clone()).collect();
                        return Err(CollectError::SeveralPhones(list.join(", ")));
                    }
                }
            }
        }
    }
    let mut args = Vec::new();
    if let Some(udid) = serial {
        args.extend(["-u", udid]);
    }
    let info = run(&command(IDEVICEINFO, "ideviceinfo", &args));
    let Some(text) = ran_text(&info) else {
        if want == Want::Ios {
            return Ok(snapshot(
                Family::Ios,
                computer,
                user,
                String::new(),
                outputs_of([(IDEVICEINFO, info)]),
            ));
        }
        return Err(if tools_missing == 1 {
            CollectError::NoTools
        } else {
            CollectError::NoPhone(no_phone_text())
        });
    };
    match ios::parse_ideviceinfo(&format!("{text}{}", stderr_of(&info))) {
        Err(ios::IosProblem::NoDevice) => Err(CollectError::NoPhone(no_phone_text())),
        Err(_) => Ok(snapshot(
            Family::Ios,
            computer,
            user,
            String::new(),
            outputs_of([(IDEVICEINFO, info)]),
        )),
        Ok(values) => {
            let id = values
                .get("UniqueDeviceID")
                .or(values.get("SerialNumber"))
                .map(|raw| identifier(Family::Ios, raw))
                .unwrap_or_default();
            let mut list_args = vec!["-l"];
            if let Some(udid) = serial {
                list_args.extend(["-u", udid]);
            }
            let apps = run(&command(IOS_APPS, "ideviceinstaller", &list_args));
            Ok(snapshot(
                Family::Ios,
                computer,
                user,
                id,
                outputs_of([(IDEVICEINFO, info), (IOS_APPS, apps)]),
            ))
        }
    }
}

fn no_phone_text() -> String {
    "no phone was found: connect it with a USB cable and unlock it. An Android phone also needs USB debugging on (Settings > Developer options); an iPhone asks you to tap Trust".into()
}

fn stderr_of(output: &RawOutput) -> &str {
    match &output.outcome {
        Outcome::Ran { stderr, .. } => stderr,
        _ => "",
    }
}

fn snapshot(
    family: Family,
    computer: &str,
    user: &str,
    phone_id: String,
    outputs: BTreeMap<String, RawOutput>,
) -> PhoneSnapshot {
    PhoneSnapshot {
        schema: SNAPSHOT_SCHEMA.to_string(),
        family,
        collected_at: hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc()),
        computer: computer.to_string(),
        user: user.to_string(),
        phone_id,
        outputs,
    }
}

fn read_android(
    device: &adb::AdbDevice,
    devices: RawOutput,
    computer: &str,
    user: &str,
) -> PhoneSnapshot {
    let mut outputs = outputs_of([(ADB_DEVICES, devices)]);
    let id = identifier(Family::Android, &device.serial);
    if device.state == "device" {
        let s = device.serial.as_str();
        let shell = |id: &str, rest: &[&str]| {
            let mut args = vec!["-s", s, "shell"];
            args.extend_from_slice(rest);
            command(id, "adb", &args)
        };
        let probes = [
            shell(GETPROP, &["getprop"]),
            shell(LOCK_SETTINGS, &["dumpsys", "lock_settings"]),
            shell(
                DEVELOPER_OPTIONS,
                &["settings", "get", "global", "development_settings_enabled"],
            ),
            shell(USB_DEBUGGING, &["settings", "get", "global", "adb_enabled"]),
            shell(PACKAGES, &["pm", "list", "packages"]),
            shell(
                INSTALL_PERMISSIONS,
                &[
                    "appops",
                    "query-op",
                    "--user",
                    "0",
                    "REQUEST_INSTALL_PACKAGES",
                    "allow",
                ],
            ),
            shell(DEVICE_POLICY, &["dumpsys", "device_policy"]),
        ];
        outputs.extend(hygeia_host::runner::run_all(&probes));
    }
    snapshot(Family::Android, computer, user, id, outputs)
}

fn outputs_of<const N: usize>(outputs: [(&str, RawOutput); N]) -> BTreeMap<String, RawOutput> {
    outputs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

impl PhoneSnapshot {
    /// Writes `DIR/phone-snapshot.json` (creating DIR), readable by its owner only.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, SnapshotError> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| SnapshotError::Corrupt {
            path: dir.join(SNAPSHOT_FILE),
            message: e.to_string(),
        })?;
        hygeia_host::snapshot::write_private(dir, SNAPSHOT_FILE, &json).map_err(|e| {
            SnapshotError::Io {
                action: e.action,
                path: e.path,
                source: e.source,
            }
        })
    }

    /// Reads a snapshot from a folder (or its `phone-snapshot.json`).
    pub fn load(path: &Path) -> Result<PhoneSnapshot, SnapshotError> {
        let file = if path.is_dir() {
            path.join(SNAPSHOT_FILE)
        } else {
            path.to_path_buf()
        };
        let io = |source| SnapshotError::Io {
            action: "read",
            path: file.clone(),
            source,
        };
        let size = std::fs::metadata(&file).map_err(io)?.len();
        if size > MAX_SNAPSHOT_BYTES {
            return Err(SnapshotError::Corrupt {
                path: file,
                message: format!("{size} bytes, more than a phone snapshot can be"),
            });
        }
        let bytes = std::fs::read(&file).map_err(io)?;
        let snapshot: PhoneSnapshot =
            serde_json::from_slice(&bytes).map_err(|e| SnapshotError::Corrupt {
                path: file.clone(),
                message: e.to_string(),
            })?;
        if snapshot.schema != SNAPSHOT_SCHEMA {
            return Err(SnapshotError::Corrupt {
                path: file,
                message: format!(
                    "schema is {:?}, this version reads {SNAPSHOT_SCHEMA:?}",
                    snapshot.schema
                ),
            });
        }
        Ok(snapshot)
    }

    /// The phone's facts, read from the raw outputs (pure: a saved snapshot gives the same).
    pub fn facts(&self) -> PhoneFacts {
        match self.family {
            Family::Android => android_facts(self),
            Family::Ios => ios_facts(self),
        }
    }
}

/// The text of a command that ran and succeeded, or why there is none.
fn output<'a>(snapshot: &'a PhoneSnapshot, probe: &str, program: &str) -> Result<&'a str, String> {
    match snapshot.outputs.get(probe).map(|o| &o.outcome) {
        Some(Outcome::Ran {
            exit_code: Some(0),
            stdout,
            ..
        }) => Ok(stdout),
        Some(Outcome::Ran { stderr, stdout, .. }) => {
            let message = stderr
                .lines()
                .chain(stdout.lines())
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("no message");
            Err(format!(
                "{program} failed ({})",
                message.chars().take(160).collect::<String>()
            ))
        }
        Some(Outcome::NotFound) => Err(format!(
            "{program} is not installed on this computer ({})",
            install_hint(program)
        )),
        Some(Outcome::TimedOut { after_ms }) => Err(format!(
            "{program} did not answer within {} s",
            after_ms.div_ceil(1000)
        )),
        Some(Outcome::PermissionDenied) => {
            Err(format!("{program} could not be run (permission denied)"))
        }
        Some(Outcome::Failed { message }) => Err(format!("{program} could not be run ({message})")),
        Some(_) | None => Err("not collected".into()),
    }
}

fn install_hint(program: &str) -> &'static str {
    if program == "adb" {
        "Debian/Ubuntu: sudo apt install adb; macOS: brew install android-platform-tools"
    } else {
        "Debian/Ubuntu: sudo apt install libimobiledevice-utils ideviceinstaller; macOS: brew install libimobiledevice ideviceinstaller"
    }
}

fn android_facts(snapshot: &PhoneSnapshot) -> PhoneFacts {
    let devices = output(snapshot, ADB_DEVICES, "adb");
    let state = devices
        .as_ref()
        .ok()
        .and_then(|text| adb::parse_devices(text).into_iter().next());
    let model = state
        .as_ref()
        .and_then(|d| d.model.clone())
        .unwrap_or_else(|| "Android phone".into());
    let mut facts = PhoneFacts::new(Family::Android, model);
    let blocked = match (&devices, &state) {
        (Err(why), _) => Some(why.clone()),
        (Ok(_), None) => Some("the phone is no longer connected".into()),
        (Ok(_), Some(d)) if d.state == "unauthorized" => Some(
            "the phone has not allowed this computer yet: unlock it, tap Allow on \"Allow USB debugging?\", and run the check again".into(),
        ),
        (Ok(_), Some(d)) if d.state != "device" => Some(format!(
            "adb reports the phone as \"{}\": unplug it, plug it in again, unlock it, and run the check again",
            d.state
        )),
        _ => None,
    };
    if let Some(why) = blocked {
        set_all_unknown(&mut facts, &why);
        return facts;
    }
    let to_reading = |probe: &str, parse: &dyn Fn(&str) -> Option<bool>, topic: &str| match output(
        snapshot, probe, "adb",
    ) {
        Ok(text) => parse(text).map(Reading::measured).unwrap_or_else(|| {
            Reading::unknown(format!(
                "the phone's answer about {topic} was not understood"
            ))
        }),
        Err(why) => Reading::unknown(why),
    };
    match output(snapshot, GETPROP, "adb") {
        Ok(text) => {
            let props = adb::parse_getprop(text);
            let prop = |k: &str| props.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
            if let Some(model) = prop("ro.product.model") {
                facts.model = match prop("ro.product.manufacturer") {
                    Some(maker) if !model.to_lowercase().starts_with(&maker.to_lowercase()) => {
                        format!("{maker} {model}")
                    }
                    _ => model.to_string(),
                };
            }
            facts.os_version = prop("ro.build.version.release")
                .map(|v| Reading::measured(v.to_string()))
                .unwrap_or_else(|| {
                    Reading::unknown("the phone did not report its Android version")
                });
            facts.security_patch = prop("ro.build.version.security_patch")
                .map(|v| Reading::measured(v.to_string()))
                .unwrap_or_else(|| {
                    Reading::unknown("the phone did not report a security patch level")
                });
            facts.encrypted = match prop("ro.crypto.state") {
                Some("encrypted") => Reading::measured(true),
                Some("unencrypted") | Some("unsupported") => Reading::measured(false),
                _ => Reading::unknown("the phone did not report its encryption state"),
            };
        }
        Err(why) => {
            for reading in [&mut facts.os_version, &mut facts.security_patch] {
                *reading = Reading::unknown(why.clone());
            }
            facts.encrypted = Reading::unknown(why);
        }
    }
    facts.screen_lock = to_reading(LOCK_SETTINGS, &adb::parse_lock_settings, "its screen lock");
    facts.developer_options = to_reading(
        DEVELOPER_OPTIONS,
        &adb::parse_setting_flag,
        "developer options",
    );
    facts.usb_debugging = to_reading(USB_DEBUGGING, &adb::parse_setting_flag, "USB debugging");
    facts.installed_apps = match output(snapshot, PACKAGES, "adb") {
        Ok(text) => Reading::measured(adb::parse_packages(text)),
        Err(why) => Reading::unknown(why),
    };
    facts.unknown_sources = match output(snapshot, INSTALL_PERMISSIONS, "adb") {
        Ok(text) => adb::parse_appops_allowed(text)
            .map(Reading::measured)
            .unwrap_or_else(|| {
                Reading::unknown("this Android version does not list which apps may install others")
            }),
        Err(why) => Reading::unknown(why),
    };
    facts.management = match output(snapshot, DEVICE_POLICY, "adb") {
        Ok(text) => Reading::measured(adb::parse_device_policy(text)),
        Err(why) => Reading::unknown(why),
    };
    facts.automatic_updates = Reading::unknown("Android does not report this over USB");
    facts
}

fn ios_facts(snapshot: &PhoneSnapshot) -> PhoneFacts {
    let mut facts = PhoneFacts::new(Family::Ios, "iPhone");
    let info = output(snapshot, IDEVICEINFO, "ideviceinfo").and_then(|text| {
        let stderr = snapshot
            .outputs
            .get(IDEVICEINFO)
            .map(stderr_of)
            .unwrap_or("");
        ios::parse_ideviceinfo(&format!("{text}{stderr}")).map_err(|problem| problem.advice())
    });
    let values = match info {
        Ok(values) => values,
        Err(why) => {
            let why = match snapshot.outputs.get(IDEVICEINFO).map(|o| &o.outcome) {
                // ideviceinfo exits non-zero on lockdown errors: say what the phone needs.
                Some(Outcome::Ran { stdout, stderr, .. }) => {
                    ios::parse_ideviceinfo(&format!("{stdout}{stderr}"))
                        .err()
                        .map(|p| p.advice())
                        .unwrap_or(why)
                }
                _ => why,
            };
            set_all_unknown(&mut facts, &why);
            return facts;
        }
    };
    let value = |k: &str| values.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    facts.model = value("DeviceClass").unwrap_or("iPhone").to_string();
    facts.model_id = value("ProductType").unwrap_or("").to_string();
    if !facts.model_id.is_empty() {
        facts.model = format!("{} ({})", facts.model, facts.model_id);
    }
    facts.os_version = value("ProductVersion")
        .map(|v| Reading::measured(v.to_string()))
        .unwrap_or_else(|| Reading::unknown("the phone did not report its iOS version"));
    facts.security_patch = Reading::unknown("iPhones have no separate patch level");
    let passcode = match value("PasswordProtected") {
        Some("true") => Reading::measured(true),
        Some("false") => Reading::measured(false),
        _ => Reading::unknown("the phone did not say whether a passcode is set"),
    };
    // iOS encrypts the data with a key tied to the passcode: no passcode, no protection.
    facts.encrypted = passcode.clone();
    facts.screen_lock = passcode;
    let not_ios = "not applicable on iPhone";
    facts.developer_options = Reading::unknown(not_ios);
    facts.usb_debugging = Reading::unknown(not_ios);
    facts.unknown_sources = Reading::unknown(not_ios);
    facts.management = Reading::unknown("not read over USB");
    facts.automatic_updates = Reading::unknown("iOS does not report this over USB");
    facts.installed_apps = match output(snapshot, IOS_APPS, "ideviceinstaller") {
        Ok(text) => Reading::measured(ios::parse_app_list(text)),
        Err(why) => Reading::unknown(why),
    };
    facts
}

fn set_all_unknown(facts: &mut PhoneFacts, why: &str) {
    let unknown_bool = || Reading::unknown(why);
    facts.os_version = Reading::unknown(why);
    facts.security_patch = Reading::unknown(why);
    facts.screen_lock = unknown_bool();
    facts.encrypted = unknown_bool();
    facts.automatic_updates = unknown_bool();
    facts.developer_options = unknown_bool();
    facts.usb_debugging = unknown_bool();
    facts.unknown_sources = Reading::unknown(why);
    facts.management = Reading::unknown(why);
    facts.installed_apps = Reading::unknown(why);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(stdout: &str) -> RawOutput {
        RawOutput {
            source: "test".into(),
            outcome: Outcome::Ran {
                exit_code: Some(0),
                stdout: stdout.into(),
                stderr: String::new(),
            },
            duration_ms: 0,
        }
    }

    fn snap(family: Family, outputs: &[(&str, RawOutput)]) -> PhoneSnapshot {
        PhoneSnapshot {
            schema: SNAPSHOT_SCHEMA.into(),
            family,
            collected_at: "2026-12-06T10:00:00Z".into(),
            computer: "exam-room-3".into(),
            user: "drlee".into(),
            phone_id: "0011223344556677".into(),
            outputs: outputs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    #[test]
    fn an_unauthorized_android_is_unknown_with_what_to_tap() {
        let facts = snap(
            Family::Android,
            &[(
                ADB_DEVICES,
                ran("List of devices attached\nR58M1\tunauthorized usb:1-2 transport_id:2\n"),
            )],
        )
        .facts();
        match &facts.os_version {
            Reading::Unknown { why } => assert!(why.contains("tap Allow"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_adb_says_how_to_install_it() {
        let missing = RawOutput {
            source: "adb devices -l".into(),
            outcome: Outcome::NotFound,
            duration_ms: 0,
        };
        let facts = snap(Family::Android, &[(ADB_DEVICES, missing)]).facts();
        match &facts.screen_lock {
            Reading::Unknown { why } => assert!(why.contains("apt install adb"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_iphone_that_does_not_trust_the_computer_is_unknown() {
        let refused = RawOutput {
            source: "ideviceinfo".into(),
            outcome: Outcome::Ran {
                exit_code: Some(255),
                stdout: String::new(),
                stderr:
                    "ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)\n"
                        .into(),
            },
            duration_ms: 0,
        };
        let facts = snap(Family::Ios, &[(IDEVICEINFO, refused)]).facts();
        match &facts.os_version {
            Reading::Unknown { why } => assert!(why.contains("Trust"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
