//! Embedded operating systems (`catalog/device-os.toml`): which one a device runs, whether its
//! maker still supports it, and the known-exploited vulnerabilities of unpatched copies.

use crate::DevicesError;
use crate::advisory::{Advisory, Origin, Product, Remediation, Vulnerability};
use crate::names::words;
use crate::spec::VersionSpec;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    os: Vec<EmbeddedOs>,
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
}

impl OsCatalog {
    /// The catalog shipped in `catalog/device-os.toml`.
    pub fn builtin() -> Result<OsCatalog, DevicesError> {
        let raw: RawCatalog = toml::from_str(include_str!("../../../catalog/device-os.toml"))
            .map_err(|e| DevicesError::Catalog {
                file: "device-os.toml",
                message: e.to_string(),
            })?;
        Ok(OsCatalog { systems: raw.os })
    }

    /// The entry for an inventory's `os` text, by the longest matching name
    /// ("Windows 10 IoT Enterprise LTSC 2019" is not plain Windows 10).
    pub fn identify(&self, os: &str) -> Option<&EmbeddedOs> {
        let os_words = words(os);
        self.systems
            .iter()
            .flat_map(|system| system.names.iter().map(move |n| (system, words(n))))
            .filter(|(_, name)| !name.is_empty() && os_words.starts_with(name))
            .max_by_key(|(_, name)| name.len())
            .map(|(system, _)| system)
    }

    /// Advisories for every OS with known-exploited vulnerabilities: one product per OS, all
    /// versions, matched through the device's `os` column.
    pub fn advisories(&self) -> Vec<Advisory> {
        self.systems
            .iter()
            .filter(|s| !s.known_exploited.is_empty())
            .map(|s| Advisory {
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
                vulnerabilities: s
                    .known_exploited
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
                        s.known_exploited.join(", ")
                    ),
                    url: None,
                    product_ids: Vec::new(),
                }],
                public_exploit: Some(true),
            })
            .collect()
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
        assert!(!catalog.advisories().is_empty());
    }
}
