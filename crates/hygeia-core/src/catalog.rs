//! The control catalog (`catalog/*.toml`): controls, operating-system lifecycles, telehealth
//! apps and common passwords. Compiled into the binary and validated when loaded.

use crate::model::{Area, Measured, Platform, Severity};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

use crate::catalog_files::{self, CatalogFileError};

/// A catalog file that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CatalogError {
    /// The TOML does not parse or does not match the expected fields.
    #[error(transparent)]
    Syntax(#[from] CatalogFileError),
    /// A value parses but breaks a rule of the catalog.
    #[error("catalog/{file}: {message}")]
    Invalid {
        /// The catalog file.
        file: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// Fix steps for each platform, written for a clinician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixSteps {
    /// Steps on Linux.
    pub linux: String,
    /// Steps on macOS.
    pub macos: String,
    /// Steps on Windows.
    pub windows: String,
}

impl FixSteps {
    /// The steps for one platform.
    pub fn for_platform(&self, platform: Platform) -> &str {
        match platform {
            Platform::Linux => &self.linux,
            Platform::Macos => &self.macos,
            Platform::Windows => &self.windows,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFix {
    linux: Option<String>,
    macos: Option<String>,
    windows: Option<String>,
    any: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    id: String,
    title: String,
    why: String,
    area: Area,
    hicp: String,
    csf: String,
    hipaa: String,
    severity: Severity,
    measured: Measured,
    #[serde(default)]
    attestable: bool,
    fix: RawFix,
    #[serde(default)]
    limits: BTreeMap<String, i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControls {
    control: Vec<RawControl>,
}

/// One control: what it checks, why, how it maps to the frameworks and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Control {
    /// Stable identifier such as `HY-PC-001`.
    pub id: String,
    /// What a passing computer looks like, in a few words.
    pub title: String,
    /// Why it matters, in one or two plain sentences.
    pub why: String,
    /// The AMA/AHA guidance area.
    pub area: Area,
    /// HICP 2023 practice.
    pub hicp: String,
    /// NIST CSF 2.0 subcategory.
    pub csf: String,
    /// HIPAA Security Rule citation.
    pub hipaa: String,
    /// How much harm a failure can cause.
    pub severity: Severity,
    /// Automatic or attested.
    pub measured: Measured,
    /// An automatic control that also takes a person's answer, used when its rule finds nothing
    /// to measure (HY-BK-003: another program's offline copy, unknown to Hygeia).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub attestable: bool,
    /// Fix steps per platform.
    pub fix: FixSteps,
    /// The numbers the control's words state and its rule applies (`idle_minutes = 15`), so
    /// the text and the check cannot drift apart. Not part of the report.
    #[serde(skip)]
    pub limits: BTreeMap<String, i64>,
}

impl Control {
    /// A limit of the control, by name.
    pub fn limit(&self, name: &str) -> Option<i64> {
        self.limits.get(name).copied()
    }
}

/// End of security support for one Linux release (or a rolling distribution).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinuxRelease {
    /// `ID` from os-release.
    pub id: String,
    /// `VERSION_ID` from os-release (absent for rolling distributions).
    pub version: Option<String>,
    /// Name for people.
    pub name: String,
    /// Last day of security updates.
    pub security_until: Option<String>,
    /// The vendor has not published the date.
    #[serde(default)]
    pub estimated: bool,
    /// A rolling distribution without releases.
    #[serde(default)]
    pub rolling: bool,
}

/// End of security support for one macOS version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MacosRelease {
    /// Major version (`14`) or `10.x`.
    pub version: String,
    /// Name for people.
    pub name: String,
    /// Last day of security updates.
    pub security_until: String,
    /// Apple has not published the date.
    #[serde(default)]
    pub estimated: bool,
}

/// End of security support for one Windows build.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsRelease {
    /// Build number, e.g. `19045`.
    pub build: String,
    /// `client`, `server`, or absent when the build is both.
    pub kind: Option<String>,
    /// Name for people.
    pub name: String,
    /// Last day of security updates.
    pub security_until: String,
}

/// The operating-system lifecycle table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// Linux releases.
    #[serde(default)]
    pub linux: Vec<LinuxRelease>,
    /// macOS releases.
    #[serde(default)]
    pub macos: Vec<MacosRelease>,
    /// Windows builds.
    #[serde(default)]
    pub windows: Vec<WindowsRelease>,
}

/// Whether an app may be used for patient visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TelehealthCategory {
    /// The vendor signs a BAA for this product.
    Hipaa,
    /// HIPAA-capable only under a business/health-care plan with a BAA.
    HipaaWithPlan,
    /// A consumer service.
    Consumer,
    /// Broadcasts publicly.
    PublicFacing,
}

/// A telehealth-relevant app and how to recognise it on each platform.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelehealthApp {
    /// Name for people.
    pub name: String,
    /// Suitability for patient visits.
    pub category: TelehealthCategory,
    /// A sentence shown with the finding.
    pub note: Option<String>,
    /// Part of the operating system (cannot be removed): mentioned, not warned about.
    #[serde(default)]
    pub builtin: bool,
    /// Linux package, Flatpak or Snap names.
    #[serde(default)]
    pub linux: Vec<String>,
    /// macOS application names.
    #[serde(default)]
    pub macos: Vec<String>,
    /// Substrings of Windows program names.
    #[serde(default)]
    pub windows: Vec<String>,
    /// Android package names.
    #[serde(default)]
    pub android: Vec<String>,
    /// iOS bundle identifiers.
    #[serde(default)]
    pub ios: Vec<String>,
}

/// A vendor VPN client or anti-malware product and how to recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointProduct {
    /// Name for people.
    pub name: String,
    /// Folder names under /opt (Linux).
    #[serde(default)]
    pub linux_opt: Vec<String>,
    /// Process names on any platform.
    #[serde(default)]
    pub processes: Vec<String>,
    /// Application names in /Applications (macOS).
    #[serde(default)]
    pub macos_apps: Vec<String>,
    /// Substrings of installed-program names (Windows).
    #[serde(default)]
    pub windows: Vec<String>,
}

/// Vendor products from `catalog/endpoint-software.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointSoftware {
    /// VPN clients.
    #[serde(default)]
    pub vpn: Vec<EndpointProduct>,
    /// Anti-malware products.
    #[serde(default)]
    pub antimalware: Vec<EndpointProduct>,
}

/// How a listening service is judged by HY-PC-011.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceRisk {
    /// SSH: judged with the password setting.
    Ssh,
    /// Remote desktop, screen sharing, remote shells.
    RemoteAccess,
    /// Databases.
    Database,
    /// File and printer sharing.
    FileSharing,
    /// Operating-system plumbing.
    System,
}

/// A well-known network service.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkService {
    /// Name for people.
    pub name: String,
    /// Port numbers.
    pub ports: Vec<u16>,
    /// `tcp`, `udp` or `any`.
    pub protocol: String,
    /// How it is judged.
    pub risk: ServiceRisk,
}

/// How a service found on the home router is judged (`catalog/home-network.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouterPortRisk {
    /// A settings page over plain HTTP.
    PlainAdmin,
    /// A telnet login.
    Telnet,
    /// The provider's TR-069/CWMP management service.
    Tr069,
    /// A settings page over HTTPS.
    HttpsAdmin,
}

/// A TCP port tried on the home router.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterPort {
    /// Port number.
    pub port: u16,
    /// Name for people.
    pub name: String,
    /// How it is judged.
    pub risk: RouterPortRisk,
}

/// A kind of device recognised by what it announces on the home network.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeighbourKind {
    /// Name for people ("TV or streaming stick").
    pub kind: String,
    /// Belongs on a separate (guest or IoT) network.
    pub separate: bool,
    /// mDNS/DNS-SD service types (`_googlecast._tcp`).
    pub mdns: Vec<String>,
    /// Prefixes of SSDP search targets and device or service types.
    pub ssdp: Vec<String>,
}

/// `catalog/home-network.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeNetwork {
    /// Ports tried on the router.
    pub router_port: Vec<RouterPort>,
    /// Kinds of devices on the network.
    pub neighbour: Vec<NeighbourKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServices {
    service: Vec<NetworkService>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTelehealth {
    app: Vec<TelehealthApp>,
}

/// Everything in `catalog/`.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Controls in catalog order.
    pub controls: Vec<Control>,
    /// OS end-of-support table.
    pub lifecycle: Lifecycle,
    /// Telehealth apps.
    pub telehealth: Vec<TelehealthApp>,
    /// Common passwords, lower-cased.
    pub common_passwords: BTreeSet<String>,
    /// Vendor VPN clients and anti-malware products.
    pub endpoint_software: EndpointSoftware,
    /// Well-known network services.
    pub network_services: Vec<NetworkService>,
    /// What `hygeia check --network` recognises on a home network.
    pub home_network: HomeNetwork,
}

impl Catalog {
    /// The same catalog with only the controls `keep` accepts (`hygeia check` leaves out the
    /// inventory controls, `hygeia devices report` keeps only them).
    pub fn restricted_to(&self, keep: impl Fn(&Control) -> bool) -> Catalog {
        let mut catalog = self.clone();
        catalog.controls.retain(|c| keep(c));
        catalog
    }

    /// The catalog compiled into this program, loaded and validated once per process; each
    /// caller gets its own copy to restrict.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        static LOADED: std::sync::OnceLock<Result<Catalog, CatalogError>> =
            std::sync::OnceLock::new();
        LOADED.get_or_init(Catalog::load_builtin).clone()
    }

    /// Loads and validates the catalog compiled into this program.
    fn load_builtin() -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::from_sources(
            catalog_files::text("controls.toml")?,
            catalog_files::text("os-lifecycle.toml")?,
            catalog_files::text("telehealth-apps.toml")?,
            catalog_files::text("common-passwords.txt")?,
        )?;
        catalog.endpoint_software = catalog_files::read("endpoint-software.toml")?;
        let services: RawServices = catalog_files::read("network-services.toml")?;
        catalog.network_services = services.service;
        catalog.home_network = catalog_files::read("home-network.toml")?;
        Ok(catalog)
    }

    /// Loads and validates a catalog from its four source texts.
    pub fn from_sources(
        controls: &str,
        lifecycle: &str,
        telehealth: &str,
        common_passwords: &str,
    ) -> Result<Catalog, CatalogError> {
        let raw: RawControls = catalog_files::parse("controls.toml", controls)?;
        let controls = raw
            .control
            .into_iter()
            .map(validate_control)
            .collect::<Result<Vec<_>, _>>()?;
        let mut seen = BTreeSet::new();
        for control in &controls {
            if !seen.insert(control.id.clone()) {
                return Err(invalid(
                    "controls.toml",
                    format!("{} appears twice", control.id),
                ));
            }
        }
        let lifecycle: Lifecycle = catalog_files::parse("os-lifecycle.toml", lifecycle)?;
        validate_lifecycle(&lifecycle)?;
        let telehealth: RawTelehealth = catalog_files::parse("telehealth-apps.toml", telehealth)?;
        let common_passwords = common_passwords
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_lowercase)
            .collect();
        Ok(Catalog {
            controls,
            lifecycle,
            telehealth: telehealth.app,
            common_passwords,
            endpoint_software: EndpointSoftware::default(),
            network_services: Vec::new(),
            home_network: HomeNetwork::default(),
        })
    }

    /// The control with this id.
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }
}

fn invalid(file: &'static str, message: String) -> CatalogError {
    CatalogError::Invalid { file, message }
}

fn validate_control(raw: RawControl) -> Result<Control, CatalogError> {
    let file = "controls.toml";
    let id = raw.id.trim().to_string();
    let well_formed = id.starts_with("HY-")
        && id
            .rsplit('-')
            .next()
            .is_some_and(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return Err(invalid(
            file,
            format!("id {id:?} is not of the form HY-XX-000"),
        ));
    }
    for (field, value) in [
        ("title", &raw.title),
        ("why", &raw.why),
        ("hicp", &raw.hicp),
        ("csf", &raw.csf),
        ("hipaa", &raw.hipaa),
    ] {
        if value.trim().is_empty() {
            return Err(invalid(file, format!("{id}: {field} is empty")));
        }
    }
    if !raw.hipaa.starts_with("45 CFR 164.3") {
        return Err(invalid(
            file,
            format!("{id}: hipaa must cite the Security Rule (45 CFR 164.3xx)"),
        ));
    }
    if !raw.hicp.starts_with("HICP ") {
        return Err(invalid(
            file,
            format!("{id}: hicp must name a HICP 2023 practice (\"HICP n: ...\")"),
        ));
    }
    let csf_ok = raw.csf.len() >= 7
        && raw.csf.as_bytes()[2] == b'.'
        && raw.csf.contains('-')
        && ["GV", "ID", "PR", "DE", "RS", "RC"].contains(&&raw.csf[..2]);
    if !csf_ok {
        return Err(invalid(
            file,
            format!("{id}: csf {:?} is not a NIST CSF 2.0 subcategory", raw.csf),
        ));
    }
    let pick = |specific: &Option<String>, platform: &str| -> Result<String, CatalogError> {
        specific
            .as_ref()
            .or(raw.fix.any.as_ref())
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .ok_or_else(|| invalid(file, format!("{id}: no fix steps for {platform}")))
    };
    let fix = FixSteps {
        linux: pick(&raw.fix.linux, "linux")?,
        macos: pick(&raw.fix.macos, "macos")?,
        windows: pick(&raw.fix.windows, "windows")?,
    };
    Ok(Control {
        id,
        title: raw.title,
        why: raw.why,
        area: raw.area,
        hicp: raw.hicp,
        csf: raw.csf,
        hipaa: raw.hipaa,
        severity: raw.severity,
        measured: raw.measured,
        fix,
        attestable: raw.attestable,
        limits: raw.limits,
    })
}

fn validate_lifecycle(lifecycle: &Lifecycle) -> Result<(), CatalogError> {
    let file = "os-lifecycle.toml";
    let check_date = |name: &str, date: &str| -> Result<Date, CatalogError> {
        crate::time_util::parse_ymd(date).ok_or_else(|| {
            invalid(
                file,
                format!("{name}: security_until {date:?} is not YYYY-MM-DD"),
            )
        })
    };
    for release in &lifecycle.linux {
        match (&release.security_until, release.rolling) {
            (Some(date), false) => {
                check_date(&release.name, date)?;
                if release.version.is_none() {
                    return Err(invalid(
                        file,
                        format!("{}: a release needs a version", release.name),
                    ));
                }
            }
            (None, true) => {}
            _ => {
                return Err(invalid(
                    file,
                    format!(
                        "{}: give either security_until or rolling = true",
                        release.name
                    ),
                ));
            }
        }
    }
    for release in &lifecycle.macos {
        check_date(&release.name, &release.security_until)?;
    }
    for release in &lifecycle.windows {
        check_date(&release.name, &release.security_until)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_is_valid_and_complete() {
        let catalog = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            catalog.controls.len() >= 30,
            "only {} controls",
            catalog.controls.len()
        );
        for area in Area::ALL {
            assert!(
                catalog.controls.iter().any(|c| c.area == area),
                "no control for {area:?}"
            );
        }
        assert!(!catalog.lifecycle.linux.is_empty());
        assert!(!catalog.telehealth.is_empty());
        assert!(catalog.common_passwords.contains("password"));
        assert!(!catalog.endpoint_software.vpn.is_empty());
        assert!(!catalog.endpoint_software.antimalware.is_empty());
        assert!(
            catalog
                .network_services
                .iter()
                .any(|s| s.ports.contains(&3389))
        );
    }

    #[test]
    fn rejects_a_control_without_fix_steps() {
        let controls = r#"
[[control]]
id = "HY-PC-001"
title = "t"
why = "w"
area = "computer"
hicp = "HICP 7: Vulnerability Management"
csf = "PR.PS-02"
hipaa = "45 CFR 164.308(a)(1)(ii)(B)"
severity = "high"
measured = "automatic"
[control.fix]
linux = "x"
"#;
        let err = Catalog::from_sources(controls, "", "app = []", "")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("catalog/controls.toml: HY-PC-001: no fix steps for macos")
        );
    }

    #[test]
    fn rejects_duplicate_ids_and_bad_citations() {
        let one = |id: &str, hipaa: &str| {
            format!(
                "[[control]]\nid = \"{id}\"\ntitle = \"t\"\nwhy = \"w\"\narea = \"email\"\nhicp = \"HICP 1: x\"\ncsf = \"PR.AA-03\"\nhipaa = \"{hipaa}\"\nseverity = \"low\"\nmeasured = \"attested\"\n[control.fix]\nany = \"x\"\n"
            )
        };
        let dup = format!(
            "{}{}",
            one("HY-EM-001", "45 CFR 164.312(d)"),
            one("HY-EM-001", "45 CFR 164.312(d)")
        );
        assert!(Catalog::from_sources(&dup, "", "app = []", "").is_err());
        let bad = one("HY-EM-001", "HIPAA somewhere");
        assert!(Catalog::from_sources(&bad, "", "app = []", "").is_err());
        let garbage = "[[control]\nid=";
        assert!(matches!(
            Catalog::from_sources(garbage, "", "app = []", ""),
            Err(CatalogError::Syntax { .. })
        ));
    }
}
