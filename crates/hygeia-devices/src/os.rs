//! Embedded operating systems (`catalog/device-os.toml`): which one a device runs, whether its
//! maker still supports it, and the known-exploited vulnerabilities of unpatched copies.

use crate::DevicesError;
use crate::advisory::{Advisory, Origin, Product, Remediation, Vulnerability};
use crate::feeds::Kev;
use crate::names::words;
use crate::spec::VersionSpec;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    kev_parts: KevParts,
    os: Vec<EmbeddedOs>,
}

/// CISA's KEV product names for parts of one maker's operating systems.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KevParts {
    /// KEV `vendorProject`.
    pub vendor: String,
    /// KEV `product` names (compared without surrounding spaces).
    pub products: Vec<String>,
}

/// One operating system family.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedOs {
    /// Name for people.
    pub name: String,
    /// Maker.
    pub vendor: String,
    /// Names in inventories, compared as whole leading words.
    #[serde(rename = "match")]
    pub names: Vec<String>,
    /// First release (YYYY-MM-DD); with the KEV catalog, the KEV entries of `[kev_parts]`
    /// assigned from that year to the end of support apply. Empty: the curated list only.
    #[serde(default)]
    pub released: String,
    /// Last day of security support (YYYY-MM-DD); empty while supported.
    pub end_of_support: String,
    /// CVEs every unpatched copy has.
    pub known_exploited: Vec<String>,
}

/// The embedded OS catalog.
#[derive(Debug, Clone)]
pub struct OsCatalog {
    /// Entries in catalog order.
    pub systems: Vec<EmbeddedOs>,
    /// Which KEV entries are flaws of the operating system itself.
    pub kev_parts: KevParts,
}

/// The operating system an inventory names over its `os` and `os_version` columns:
/// "Windows" and "Server 2008 R2" are "Windows Server 2008 R2"; "Windows 7" and "SP1" are
/// "Windows 7 SP1"; a version already in the name is not repeated.
pub fn combined_name(os: &str, os_version: &str) -> String {
    let (os, version) = (os.trim(), os_version.trim());
    if version.is_empty() {
        return os.to_string();
    }
    if os.is_empty() {
        return version.to_string();
    }
    let os_words = words(os);
    if words(version).iter().all(|w| os_words.contains(w)) {
        return os.to_string();
    }
    format!("{os} {version}")
}

impl OsCatalog {
    /// The catalog shipped in `catalog/device-os.toml`.
    pub fn builtin() -> Result<OsCatalog, DevicesError> {
        let raw: RawCatalog = hygeia_core::catalog_files::read("device-os.toml")?;
        Ok(OsCatalog {
            systems: raw.os,
            kev_parts: raw.kev_parts,
        })
    }

    /// The entry for an inventory's `os` text, by the longest matching name
    /// ("Windows 10 IoT Enterprise LTSC 2019" is not plain Windows 10).
    pub fn identify(&self, os: &str) -> Option<&EmbeddedOs> {
        let mut os_words = words(os);
        // "Microsoft Windows 7" is Windows 7.
        if os_words.len() > 1 && os_words[0] == "microsoft" {
            os_words.remove(0);
        }
        self.systems
            .iter()
            .flat_map(|system| system.names.iter().map(move |n| (system, words(n))))
            .filter(|(_, name)| !name.is_empty() && os_words.starts_with(name))
            .max_by_key(|(_, name)| name.len())
            .map(|(system, _)| system)
    }

    /// The known-exploited CVEs of an unpatched copy of `system`: the curated list, and with the
    /// KEV catalog every entry for a part of the OS assigned while it was supported.
    pub fn known_exploited(&self, system: &EmbeddedOs, kev: Option<&Kev>) -> Vec<String> {
        let mut cves = system.known_exploited.clone();
        let first_year = year(&system.released);
        if let (Some(kev), Some(first)) = (kev, first_year) {
            let last = year(&system.end_of_support).unwrap_or(u32::MAX);
            let mut extra: Vec<&String> = kev
                .entries
                .iter()
                .filter(|(_, entry)| {
                    entry.vendor.trim() == self.kev_parts.vendor
                        && self
                            .kev_parts
                            .products
                            .iter()
                            .any(|p| p == entry.product.trim())
                })
                .filter(|(cve, _)| cve_year(cve).is_some_and(|y| (first..=last).contains(&y)))
                .map(|(cve, _)| cve)
                .collect();
            extra.sort();
            for cve in extra {
                if !cves.contains(cve) {
                    cves.push(cve.clone());
                }
            }
        }
        cves
    }

    /// Advisories for every OS with known-exploited vulnerabilities: one product per OS, all
    /// versions, matched through the device's `os` and `os_version` columns.
    pub fn advisories(&self, kev: Option<&Kev>) -> Vec<Advisory> {
        self.systems
            .iter()
            .map(|s| (s, self.known_exploited(s, kev)))
            .filter(|(_, cves)| !cves.is_empty())
            .map(|(s, cves)| Advisory {
                id: format!("OS: {}", s.name),
                title: format!(
                    "Known-exploited vulnerabilities of {} without the maker's patches",
                    s.name
                ),
                url: None,
                origin: Origin::OsCatalog,
                products: vec![Product {
                    id: "os".into(),
                    vendor: s.vendor.clone(),
                    name: s.name.clone(),
                    version_text: "all versions without the patches".into(),
                    spec: VersionSpec::All,
                    fixed_in: None,
                    is_os: true,
                    model_numbers: Vec::new(),
                }],
                vulnerabilities: cves
                    .iter()
                    .map(|cve| Vulnerability {
                        cve: Some(cve.clone()),
                        affected: vec!["os".into()],
                        ..Vulnerability::default()
                    })
                    .collect(),
                remediations: vec![Remediation {
                    category: "vendor_fix".into(),
                    details: format!(
                        "Ask the device maker whether this device has the {} security updates for {} installed, and install them if the maker allows; if the OS is past support, plan the device's replacement.",
                        s.vendor,
                        summary(&cves)
                    ),
                    url: None,
                    product_ids: Vec::new(),
                }],
                public_exploit: Some(true),
            })
            .collect()
    }
}

/// The year of a YYYY-MM-DD date.
fn year(date: &str) -> Option<u32> {
    date.get(..4)?.parse().ok()
}

/// The year in a CVE id (CVE-2017-0144 -> 2017).
fn cve_year(cve: &str) -> Option<u32> {
    cve.strip_prefix("CVE-")?.get(..4)?.parse().ok()
}

/// A CVE list short enough for a remediation sentence.
fn summary(cves: &[String]) -> String {
    const SHOWN: usize = 6;
    if cves.len() <= SHOWN {
        cves.join(", ")
    } else {
        format!(
            "{} and {} more",
            cves[..SHOWN].join(", "),
            cves.len() - SHOWN
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_name_wins() {
        let catalog = OsCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        let name = |os: &str| catalog.identify(os).map(|s| s.name.clone());
        assert_eq!(name("Windows 7 Professional SP1"), Some("Windows 7".into()));
        assert_eq!(name("Windows XP Embedded"), Some("Windows XP".into()));
        assert_eq!(
            name("Windows 10 IoT Enterprise LTSC 2019"),
            Some("Windows 10 IoT Enterprise LTSC 2019".into())
        );
        assert_eq!(name("Windows 10 Pro"), Some("Windows 10 (not LTSC)".into()));
        assert_eq!(name("Windows 70"), None);
        assert_eq!(name("Linux"), None);
        assert_eq!(name("Microsoft Windows XP"), Some("Windows XP".into()));
        assert_eq!(name("Windows 6.1.7601"), Some("Windows 7".into()));
        assert_eq!(name("Windows NT 5.1"), Some("Windows XP".into()));
        assert!(!catalog.advisories(None).is_empty());
    }

    #[test]
    fn two_columns_make_one_name() {
        let catalog = OsCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        let name = |os: &str, version: &str| {
            catalog
                .identify(&combined_name(os, version))
                .map(|s| s.name.clone())
        };
        assert_eq!(name("Windows", "7"), Some("Windows 7".into()));
        assert_eq!(name("Windows", "XP"), Some("Windows XP".into()));
        assert_eq!(
            name("Windows", "Server 2008 R2"),
            Some("Windows Server 2008".into())
        );
        assert_eq!(name("Windows 7", "SP1"), Some("Windows 7".into()));
        assert_eq!(name("", "Windows XP SP3"), Some("Windows XP".into()));
        assert_eq!(combined_name("Windows 7", "7"), "Windows 7");
    }

    #[test]
    fn kev_entries_of_windows_parts_apply_while_supported() {
        let catalog = OsCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        let entry = |product: &str| crate::feeds::KevEntry {
            vendor: "Microsoft".into(),
            product: product.into(),
            date_added: "2022-01-01".into(),
            ransomware: false,
            required_action: String::new(),
            due_date: String::new(),
            name: String::new(),
        };
        let mut kev = Kev::default();
        kev.entries.insert("CVE-2015-1701".into(), entry("Win32k"));
        kev.entries
            .insert("CVE-2024-30051".into(), entry("Windows "));
        kev.entries.insert("CVE-2016-0099".into(), entry("Office"));
        let windows_7 = catalog
            .systems
            .iter()
            .find(|s| s.name == "Windows 7")
            .unwrap_or_else(|| panic!("Windows 7 is in the catalog"));
        let cves = catalog.known_exploited(windows_7, Some(&kev));
        // Win32k 2015: yes; a 2024 flaw, after Windows 7's support ended: not known; Office: not
        // a part of Windows.
        assert!(cves.contains(&"CVE-2015-1701".to_string()));
        assert!(!cves.contains(&"CVE-2024-30051".to_string()));
        assert!(!cves.contains(&"CVE-2016-0099".to_string()));
        // The curated list stays first.
        assert_eq!(cves[0], windows_7.known_exploited[0]);
        let windows_11 = catalog
            .systems
            .iter()
            .find(|s| s.name == "Windows 11")
            .unwrap_or_else(|| panic!("Windows 11 is in the catalog"));
        assert_eq!(
            catalog.known_exploited(windows_11, Some(&kev)),
            vec!["CVE-2024-30051".to_string()]
        );
    }
}
