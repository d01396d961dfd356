//! Phones from a device-management export: the device list CSV of Microsoft Intune (admin
//! center: Devices > All devices > Export) and the mobile device list of Google Workspace
//! (Admin console: Devices > Mobile & endpoints > Devices > Download). Columns are found by
//! name, in the portal's words or the API's property names (Microsoft Graph `managedDevice`,
//! Google Directory API `MobileDevice`), so a reordered or trimmed export still reads. What the
//! management system reports counts as "answered", not measured by Hygeia: it is another
//! program's record of the phone.

use crate::facts::{Family, PhoneFacts, Reading};
use crate::record::{PhoneSource, identifier};

/// Most rows read from one export.
pub const MAX_ROWS: usize = 20_000;

/// Which system wrote the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MdmKind {
    /// Microsoft Intune.
    Intune,
    /// Google Workspace.
    GoogleWorkspace,
}

impl MdmKind {
    /// The record source for its phones.
    pub fn source(self) -> PhoneSource {
        match self {
            MdmKind::Intune => PhoneSource::Intune,
            MdmKind::GoogleWorkspace => PhoneSource::GoogleWorkspace,
        }
    }
}

/// One phone of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdmPhone {
    /// Stable identifier (a hash of the system's device id or serial number).
    pub id: String,
    /// The device's name in the export.
    pub name: String,
    /// The person it belongs to (UPN or email), as exported.
    pub owner: String,
    /// When it last synchronised, as exported.
    pub last_seen: String,
    /// What the export says about it.
    pub facts: PhoneFacts,
}

/// An export read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdmImport {
    /// Intune or Google Workspace.
    pub kind: MdmKind,
    /// Phones and tablets (computers in the export are left out).
    pub phones: Vec<MdmPhone>,
    /// Rows left out, each with its line and reason.
    pub skipped: Vec<String>,
}

/// An export that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MdmError {
    /// Not CSV, or broken at a line.
    #[error("the file is not a readable CSV export (line {line}: {message})")]
    Csv {
        /// Line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Neither Intune's nor Google Workspace's columns.
    #[error(
        "the file is neither an Intune device export nor a Google Workspace mobile device export: it needs columns such as \"Device name\", \"OS\", \"OS version\" and \"Primary user UPN\" (Intune) or \"Name\", \"Email\", \"OS\" and \"Last Sync\" (Google Workspace)"
    )]
    UnknownLayout,
    /// More rows than [`MAX_ROWS`].
    #[error("the export has more than {MAX_ROWS} rows; export one practice at a time")]
    TooLarge,
}

/// Column names, in the portal's words and the API's, lower-cased.
struct Columns {
    name: &'static [&'static str],
    owner: &'static [&'static str],
    os: &'static [&'static str],
    os_version: &'static [&'static str],
    patch: &'static [&'static str],
    model: &'static [&'static str],
    manufacturer: &'static [&'static str],
    last_seen: &'static [&'static str],
    encrypted: &'static [&'static str],
    passcode: &'static [&'static str],
    compromised: &'static [&'static str],
    device_id: &'static [&'static str],
    serial: &'static [&'static str],
}

const INTUNE: Columns = Columns {
    name: &["device name", "devicename"],
    owner: &[
        "primary user upn",
        "userprincipalname",
        "primary user email address",
        "emailaddress",
    ],
    os: &["os", "operatingsystem"],
    os_version: &["os version", "osversion"],
    patch: &["security patch level", "androidsecuritypatchlevel"],
    model: &["model"],
    manufacturer: &["manufacturer"],
    last_seen: &["last check-in", "lastsyncdatetime"],
    encrypted: &["encrypted", "isencrypted"],
    passcode: &[],
    compromised: &["jailbroken", "jailbroken"],
    device_id: &["device id", "id"],
    serial: &["serial number", "serialnumber"],
};

const GOOGLE: Columns = Columns {
    name: &["name", "device name"],
    owner: &["email", "user email"],
    os: &["os", "os version"],
    os_version: &[],
    patch: &[
        "security patch",
        "security patch level",
        "securitypatchlevel",
    ],
    model: &["model"],
    manufacturer: &["manufacturer", "brand"],
    last_seen: &["last sync", "lastsync"],
    encrypted: &["encryption status", "encryptionstatus"],
    passcode: &["password status", "devicepasswordstatus"],
    compromised: &["compromised status", "devicecompromisedstatus"],
    device_id: &["device id", "deviceid", "resource id", "resourceid"],
    serial: &["serial number", "serialnumber"],
};

fn detect(headers: &[String]) -> Option<MdmKind> {
    let has = |name: &str| headers.iter().any(|h| h == name);
    if has("primary user upn")
        || has("userprincipalname")
        || has("azure ad device id")
        || has("last check-in")
    {
        Some(MdmKind::Intune)
    } else if (has("email") || has("user email")) && (has("last sync") || has("lastsync")) {
        Some(MdmKind::GoogleWorkspace)
    } else {
        None
    }
}

/// Reads an Intune or Google Workspace export.
pub fn read_export(bytes: &[u8]) -> Result<MdmImport, MdmError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let csv_error = |e: csv::Error| MdmError::Csv {
        line: e.position().map_or(1, |p| p.line()),
        message: e.to_string(),
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let kind = detect(&headers).ok_or(MdmError::UnknownLayout)?;
    let columns = match kind {
        MdmKind::Intune => &INTUNE,
        MdmKind::GoogleWorkspace => &GOOGLE,
    };
    let index = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| headers.iter().position(|h| h == n))
    };
    let mut phones = Vec::new();
    let mut skipped = Vec::new();
    for (row, record) in reader.records().enumerate() {
        if row >= MAX_ROWS {
            return Err(MdmError::TooLarge);
        }
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(row as u64 + 2, |p| p.line());
        let get = |names: &[&str]| {
            index(names)
                .and_then(|i| record.get(i))
                .map(str::trim)
                .unwrap_or("")
                .to_string()
        };
        match phone_of_row(kind, &get, columns) {
            Ok(Some(phone)) => phones.push(phone),
            Ok(None) => {}
            Err(why) => skipped.push(format!("line {line}: {why}")),
        }
    }
    Ok(MdmImport {
        kind,
        phones,
        skipped,
    })
}

/// One row as a phone; `Ok(None)` for a computer (Windows, macOS), `Err` for a row that says
/// too little.
fn phone_of_row(
    kind: MdmKind,
    get: &dyn Fn(&[&str]) -> String,
    columns: &Columns,
) -> Result<Option<MdmPhone>, String> {
    let os = get(columns.os);
    let lower = os.to_ascii_lowercase();
    let family = if lower.starts_with("ios") || lower.starts_with("ipados") {
        Family::Ios
    } else if lower.starts_with("android") {
        Family::Android
    } else if lower.is_empty() {
        return Err("no OS given".into());
    } else {
        return Ok(None);
    };
    // Google writes "Android 14" or "iOS 17.5.1" in one column; Intune has its own.
    let version = if columns.os_version.is_empty() {
        os.split_whitespace().nth(1).unwrap_or("").to_string()
    } else {
        get(columns.os_version)
    };
    let name = get(columns.name);
    let id_source = [get(columns.device_id), get(columns.serial), name.clone()]
        .into_iter()
        .find(|v| !v.is_empty())
        .ok_or("no device id, serial number or name")?;
    let model = {
        let model = get(columns.model);
        let maker = get(columns.manufacturer);
        match (maker.is_empty(), model.is_empty()) {
            (_, true) => family.os_name().to_string() + " device",
            (true, false) => model,
            (false, false) if model.to_lowercase().starts_with(&maker.to_lowercase()) => model,
            (false, false) => format!("{maker} {model}"),
        }
    };
    let system = match kind {
        MdmKind::Intune => "Intune",
        MdmKind::GoogleWorkspace => "Google Workspace",
    };
    let missing = |what: &str| format!("{system}'s export has no {what}");
    let mut facts = PhoneFacts::new(family, model);
    facts.os_version = if crate::version::OsVersion::parse(&version).is_some() {
        Reading::answered(version)
    } else {
        Reading::unknown(missing("readable OS version"))
    };
    if family == Family::Android {
        facts.security_patch = match parse_patch_level(&get(columns.patch)) {
            Some(day) => Reading::answered(day),
            None => Reading::unknown(missing("security patch level")),
        };
    }
    facts.encrypted = yes_no(&get(columns.encrypted))
        .map(Reading::answered)
        .unwrap_or_else(|| Reading::unknown(missing("encryption state")));
    facts.screen_lock = yes_no(&get(columns.passcode))
        .map(Reading::answered)
        .unwrap_or_else(|| Reading::unknown(missing("screen lock state")));
    if let Some(true) = yes_no(&get(columns.compromised)) {
        facts.management =
            Reading::answered(vec![format!("{system} reports it jailbroken or rooted")]);
    } else {
        facts.management = Reading::answered(vec![format!("managed by {system}")]);
    }
    let reason = format!("{system} exports do not list apps");
    facts.installed_apps = Reading::unknown(reason.clone());
    facts.unknown_sources = Reading::unknown(reason);
    Ok(Some(MdmPhone {
        id: identifier(family, &id_source),
        name: if name.is_empty() {
            facts.model.clone()
        } else {
            name
        },
        owner: get(columns.owner),
        last_seen: get(columns.last_seen),
        facts,
    }))
}

/// "Yes", "True", "Encrypted", "On" and the like.
fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "encrypted" | "on" | "compromised" | "1" => Some(true),
        "no" | "false" | "not encrypted" | "unencrypted" | "off" | "not compromised"
        | "no compromise" | "0" => Some(false),
        _ => None,
    }
}

/// A patch level as YYYY-MM-DD, from "2024-05-01", "5/1/2024" or milliseconds since 1970
/// (Google's API).
fn parse_patch_level(text: &str) -> Option<String> {
    let text = text.trim();
    if hygeia_core::time_util::parse_ymd(text.get(..10).unwrap_or("")).is_some() {
        return text.get(..10).map(str::to_string);
    }
    let parts: Vec<&str> = text.split('/').collect();
    if let [m, d, y] = parts.as_slice() {
        let y = y.split_whitespace().next()?;
        let day = format!("{y:0>4}-{m:0>2}-{d:0>2}");
        return hygeia_core::time_util::parse_ymd(&day).map(|_| day);
    }
    let millis: i64 = text.parse().ok().filter(|m| *m > 0)?;
    let moment = time::OffsetDateTime::from_unix_timestamp(millis / 1000).ok()?;
    let date = moment.date();
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_intune_export_gives_its_phones_and_leaves_computers_out() {
        let csv = "\u{feff}Device ID,Device name,Enrollment date,Last check-in,OS,OS version,Security patch level,Manufacturer,Model,Serial number,Encrypted,Jailbroken,Primary user UPN,Compliance\n\
            6f1c,DrLee-Pixel5,2021-03-01,2026-12-01 08:00:00,Android,11,2021-03-05,Google,Pixel 5,09121FDD4001,Yes,False,drlee@clinic.example,Noncompliant\n\
            7a2d,Front desk iPhone,2024-01-10,2026-12-04 09:30:00,iOS/iPadOS,17.5.1,,Apple,iPhone 12,F2LZ1234,Yes,False,desk@clinic.example,Compliant\n\
            8b3e,RECEPTION-PC,2023-05-01,2026-12-04 10:00:00,Windows,10.0.22631.4460,,Dell,OptiPlex 7090,ABC123,Yes,,desk@clinic.example,Compliant\n\
            ,,,,Android,14,,,,,,,,\n";
        let import = read_export(csv.as_bytes()).unwrap();
        assert_eq!(import.kind, MdmKind::Intune);
        assert_eq!(import.phones.len(), 2);
        let pixel = &import.phones[0];
        assert_eq!(pixel.name, "DrLee-Pixel5");
        assert_eq!(pixel.owner, "drlee@clinic.example");
        assert_eq!(pixel.facts.family, Family::Android);
        assert_eq!(pixel.facts.model, "Google Pixel 5");
        assert_eq!(pixel.facts.os_version, Reading::answered("11".to_string()));
        assert_eq!(
            pixel.facts.security_patch,
            Reading::answered("2021-03-05".to_string())
        );
        assert_eq!(pixel.facts.encrypted, Reading::answered(true));
        let iphone = &import.phones[1];
        assert_eq!(iphone.facts.family, Family::Ios);
        assert_eq!(
            iphone.facts.os_version,
            Reading::answered("17.5.1".to_string())
        );
        assert_eq!(import.skipped.len(), 1, "{:?}", import.skipped);
        assert!(import.skipped[0].starts_with("line 5: "));
    }

    #[test]
    fn a_google_workspace_export_reads_its_combined_os_column() {
        let csv = "Name,Email,OS,Model,Type,Last Sync,Serial Number,Security Patch,Password Status,Encryption Status,Compromised Status\n\
            Pixel 8,drlee@clinic.example,Android 14,Pixel 8,Android,2026-12-03T10:00:00Z,3A1B2C,2026-11-05,On,Encrypted,No compromise\n\
            iPad,nurse@clinic.example,iOS 26.1,iPad Air,iOS Sync,2026-12-01T10:00:00Z,DMPX1,,Off,Encrypted,No compromise\n";
        let import = read_export(csv.as_bytes()).unwrap();
        assert_eq!(import.kind, MdmKind::GoogleWorkspace);
        assert_eq!(import.phones.len(), 2);
        assert_eq!(
            import.phones[0].facts.os_version,
            Reading::answered("14".to_string())
        );
        assert_eq!(
            import.phones[0].facts.security_patch,
            Reading::answered("2026-11-05".to_string())
        );
        assert_eq!(import.phones[0].facts.screen_lock, Reading::answered(true));
        assert_eq!(import.phones[1].facts.screen_lock, Reading::answered(false));
        assert_eq!(
            import.phones[1].facts.os_version,
            Reading::answered("26.1".to_string())
        );
    }

    #[test]
    fn anything_else_is_refused_with_what_is_expected() {
        assert_eq!(
            read_export(b"name,ip\nrouter,192.0.2.1\n"),
            Err(MdmError::UnknownLayout)
        );
        assert!(read_export(b"").is_err());
        assert_eq!(parse_patch_level("5/1/2024").as_deref(), Some("2024-05-01"));
        assert_eq!(
            parse_patch_level("1714521600000").as_deref(),
            Some("2024-05-01")
        );
        assert_eq!(parse_patch_level("soon"), None);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_read_or_refused_without_panicking(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = read_export(&bytes);
            let mut csv = b"Device name,OS,OS version,Security patch level,Primary user UPN\n".to_vec();
            csv.extend(bytes);
            let _ = read_export(&csv);
        }
    }
}
