//! `hygeia devices`: the practice's medical and IT devices matched against CISA medical
//! advisories (CSAF), the KEV catalog, NVD and EPSS, ranked by real risk, with the
//! medical-device hygiene findings of the AMA/AHA guidance.
//!
//! Data flow: [`inventory`] and [`sbom`] read devices; [`csaf`], [`feeds`] and [`os`] turn every
//! source into [`advisory::Advisory`]; [`matching`] decides which products affect which device
//! and on what basis; [`priority`] ranks them; `hygeia-report` renders them. [`store`] keeps the
//! downloaded feeds and [`update`] refreshes them.

pub mod advisory;
pub mod csaf;
pub mod feeds;
pub mod hygiene;
pub mod inventory;
pub mod matching;
pub mod names;
pub mod os;
pub mod priority;
pub mod sbom;
pub mod sources;
pub mod spec;
pub mod store;
#[cfg(feature = "update")]
pub mod update;
pub mod version;

use advisory::{Advisory, Unparsed};
use feeds::{Epss, Kev};
use inventory::{Inventory, RowProblem};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The schema identifier of `hygeia devices match --format json`.
pub const MATCH_SCHEMA: &str = "hygeia.devices/1";

/// Errors of this crate, each naming the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum DevicesError {
    /// A file could not be read or written.
    #[error("{doing} {path}: {source}")]
    Io {
        /// What was being done.
        doing: String,
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A file's content is not what it should be.
    #[error("{path}: {message}")]
    Input {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A built-in catalog file is broken (a bug in this build), with its file and line.
    #[error(transparent)]
    Catalog(#[from] hygeia_core::catalog_files::CatalogFileError),
    /// A download failed.
    #[error("{0}")]
    Download(String),
    /// No advisories were named and there is no store to take them from.
    #[error(
        "no advisories to match against: name CSAF files with --advisories, or fill the store with `hygeia devices update`"
    )]
    NoStore,
}

impl DevicesError {
    /// An I/O error while `doing` something with `path`.
    pub fn io(doing: &str, path: &Path, source: std::io::Error) -> DevicesError {
        DevicesError::Io {
            doing: doing.to_string(),
            path: path.display().to_string(),
            source,
        }
    }
}

/// The largest advisory or feed file read (the NVD and KEV files are a few MB; EPSS about 10 MB).
pub const MAX_FEED_BYTES: u64 = 512 * 1024 * 1024;

/// Reads a file with the size limit.
pub fn read_limited(path: &Path) -> Result<Vec<u8>, DevicesError> {
    let size = std::fs::metadata(path)
        .map_err(|e| DevicesError::io("reading", path, e))?
        .len();
    if size > MAX_FEED_BYTES {
        return Err(DevicesError::Input {
            path: path.display().to_string(),
            message: format!(
                "the file is {} MB, more than the limit of {} MB",
                size >> 20,
                MAX_FEED_BYTES >> 20
            ),
        });
    }
    std::fs::read(path).map_err(|e| DevicesError::io("reading", path, e))
}

/// Every advisory that could be read from files and folders, and what could not be read.
#[derive(Debug, Default)]
pub struct AdvisorySet {
    /// Advisories.
    pub advisories: Vec<Advisory>,
    /// Parts that could not be interpreted, and files that could not be read at all.
    pub unparsed: Vec<Unparsed>,
    /// Number of files read.
    pub files: usize,
    /// Files that could not be read at all (each also listed, with the reason, in `unparsed`).
    pub unreadable: Vec<String>,
}

fn json_files(path: &Path, found: &mut Vec<PathBuf>) -> Result<(), DevicesError> {
    let meta = std::fs::metadata(path).map_err(|e| DevicesError::io("reading", path, e))?;
    if meta.is_file() {
        found.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| DevicesError::io("listing", path, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            json_files(&entry, found)?;
        } else if entry.extension().is_some_and(|e| e == "json") {
            found.push(entry);
        }
    }
    Ok(())
}

impl AdvisorySet {
    /// Reads CSAF files or folders of them (recursively). A file that is not a readable CSAF
    /// document is listed in `unparsed`; the others are still read.
    pub fn add_csaf(&mut self, path: &Path) -> Result<(), DevicesError> {
        let mut files = Vec::new();
        json_files(path, &mut files)?;
        for file in files {
            let name = file.display().to_string();
            self.files += 1;
            let parsed = read_limited(&file).and_then(|bytes| csaf::parse(&name, &bytes));
            match parsed {
                Ok((advisory, unparsed)) => {
                    self.advisories.push(advisory);
                    self.unparsed.extend(unparsed);
                }
                Err(e) => {
                    self.unreadable.push(name.clone());
                    self.unparsed.push(Unparsed {
                    advisory: name,
                    message: format!("the file could not be read as CSAF, so none of its products were matched: {e}"),
                });
                }
            }
        }
        Ok(())
    }

    /// Reads an NVD CVE API 2.0 file.
    pub fn add_nvd(&mut self, path: &Path) -> Result<(), DevicesError> {
        let bytes = read_limited(path)?;
        self.files += 1;
        self.advisories
            .extend(feeds::parse_nvd(&path.display().to_string(), &bytes)?);
        Ok(())
    }
}

/// Reads the KEV catalog file.
pub fn load_kev(path: &Path) -> Result<Kev, DevicesError> {
    feeds::parse_kev(&path.display().to_string(), &read_limited(path)?)
}

/// Reads an EPSS CSV file, decompressing it when it ends in `.gz`.
pub fn load_epss(path: &Path) -> Result<Epss, DevicesError> {
    let bytes = read_limited(path)?;
    let text = if path.extension().is_some_and(|e| e == "gz") {
        store::gunzip(&bytes).map_err(|message| DevicesError::Input {
            path: path.display().to_string(),
            message,
        })?
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    feeds::parse_epss(&path.display().to_string(), &text)
}

/// The result of `hygeia devices match`: the `hygeia.devices/1` document.
#[derive(Debug, Serialize)]
pub struct MatchReport {
    /// Always [`MATCH_SCHEMA`].
    pub schema: &'static str,
    /// When it was produced (RFC 3339).
    pub generated_at: String,
    /// Devices and components read.
    pub devices: usize,
    /// Advisories read (CSAF documents, NVD records, OS catalog entries).
    pub advisories: usize,
    /// KEV catalog version, when one was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev_version: Option<String>,
    /// EPSS model and date, when used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss_model: Option<String>,
    /// Findings, most urgent first.
    pub findings: Vec<priority::Finding>,
    /// Inventory rows that could not be used.
    pub inventory_problems: Vec<RowProblem>,
    /// Advisory parts that could not be interpreted.
    pub unparsed: Vec<Unparsed>,
}

/// Matches every device against every advisory (plus the embedded-OS catalog) and ranks the
/// findings.
pub fn match_inventory(
    inventory: &Inventory,
    set: &AdvisorySet,
    kev: Option<&Kev>,
    epss: Option<&Epss>,
) -> Result<MatchReport, DevicesError> {
    let vendors = names::VendorTable::builtin()?;
    let os_catalog = os::OsCatalog::builtin()?;
    let mut advisories = set.advisories.clone();
    advisories.extend(os_catalog.advisories(kev));
    let matcher = matching::Matcher::new(&advisories, &vendors, &os_catalog);
    let mut findings: Vec<priority::Finding> = Vec::new();
    for device in &inventory.devices {
        let mut hits = matcher.matches(device);
        // One finding per advisory: an advisory that lists the product twice (two version
        // lines) is reported once, on its most certain basis, with every CVE.
        hits.sort_by(|a, b| {
            a.advisory
                .id
                .cmp(&b.advisory.id)
                .then(b.basis.cmp(&a.basis))
        });
        let mut merged: Vec<matching::Hit<'_>> = Vec::new();
        for hit in hits {
            match merged.last_mut() {
                Some(last) if last.advisory.id == hit.advisory.id => {
                    for cve in hit.cves {
                        if !last.cves.contains(&cve) {
                            last.cves.push(cve);
                        }
                    }
                    last.cvss = last.cvss.into_iter().chain(hit.cvss).reduce(f32::max);
                    last.exploited_per_advisory |= hit.exploited_per_advisory;
                }
                _ => merged.push(hit),
            }
        }
        findings.extend(merged.iter().map(|hit| priority::assess(hit, kev, epss)));
    }
    priority::sort(&mut findings);
    Ok(MatchReport {
        schema: MATCH_SCHEMA,
        generated_at: hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc()),
        devices: inventory.devices.len(),
        advisories: set.advisories.len(),
        kev_version: kev.map(|k| k.version.clone()),
        epss_model: epss.map(|e| e.model.clone()),
        findings,
        inventory_problems: inventory.problems.clone(),
        unparsed: set.unparsed.clone(),
    })
}

/// What the advisories say about one model at one version, for a device Hygeia identified
/// itself rather than read from an inventory (the home router, from its UPnP description).
#[derive(Debug, Default)]
pub struct ModelMatch {
    /// Findings for this version (or, with no version, for the model at any version).
    pub findings: Vec<priority::Finding>,
    /// CVEs the advisories list for this model, but only in versions other than this one.
    pub other_versions: Vec<String>,
}

/// Matches a maker's model (under any of the names it goes by) at `version` against `set`.
/// With an empty `version` every advisory for the model is a heuristic finding and
/// `other_versions` is empty.
pub fn match_model(
    set: &AdvisorySet,
    kev: Option<&Kev>,
    vendor: &str,
    models: &[&str],
    version: &str,
) -> Result<ModelMatch, DevicesError> {
    let inventory_at = |version: &str| Inventory {
        devices: models
            .iter()
            .filter(|m| !m.trim().is_empty())
            .map(|model| inventory::Device {
                vendor: vendor.to_string(),
                model: model.to_string(),
                version: version.to_string(),
                segment: "unknown".to_string(),
                source: "home network".to_string(),
                ..inventory::Device::default()
            })
            .collect(),
        problems: Vec::new(),
    };
    let cves_of = |findings: &[priority::Finding]| -> std::collections::BTreeSet<String> {
        findings
            .iter()
            .flat_map(|f| f.cves.iter().cloned())
            .collect()
    };
    let mut findings = match_inventory(&inventory_at(version), set, kev, None)?.findings;
    // The same advisory found under two of the model's names is one finding.
    let mut seen = std::collections::BTreeSet::new();
    findings.retain(|f| seen.insert(f.advisory.clone()));
    let other_versions = if version.trim().is_empty() {
        Vec::new()
    } else {
        let affected = cves_of(&findings);
        let any_version = match_inventory(&inventory_at(""), set, kev, None)?.findings;
        cves_of(&any_version)
            .into_iter()
            .filter(|cve| !affected.contains(cve))
            .collect()
    };
    Ok(ModelMatch {
        findings,
        other_versions,
    })
}

#[cfg(test)]
mod model_tests {
    use super::*;

    fn nvd() -> AdvisorySet {
        let advisories = feeds::parse_nvd(
            "nvd.json",
            br#"{"vulnerabilities":[
              {"cve":{"id":"CVE-2090-0001","configurations":[{"nodes":[{"cpeMatch":[
                {"vulnerable":true,"criteria":"cpe:2.3:o:dlink:dir-859_firmware:1.05:*:*:*:*:*:*:*"},
                {"vulnerable":true,"criteria":"cpe:2.3:o:dlink:dir-859_firmware:1.06b01:beta1:*:*:*:*:*:*"}]}]}]}},
              {"cve":{"id":"CVE-2090-0002","configurations":[{"nodes":[{"cpeMatch":[
                {"vulnerable":true,"criteria":"cpe:2.3:o:dlink:dir-859_firmware:*:*:*:*:*:*:*:*","versionEndExcluding":"1.05"}]}]}]}},
              {"cve":{"id":"CVE-2090-0003","configurations":[{"nodes":[{"cpeMatch":[
                {"vulnerable":true,"criteria":"cpe:2.3:o:dlink:dir-8590_firmware:*:*:*:*:*:*:*:*"}]}]}]}}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        AdvisorySet {
            advisories,
            ..AdvisorySet::default()
        }
    }

    fn cves(found: &ModelMatch) -> Vec<String> {
        found.findings.iter().flat_map(|f| f.cves.clone()).collect()
    }

    #[test]
    fn a_model_at_a_version_and_the_cves_of_its_other_versions() {
        let set = nvd();
        let at = match_model(&set, None, "D-Link", &["DIR-859"], "1.06B01")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cves(&at), vec!["CVE-2090-0001"]);
        assert_eq!(at.findings[0].basis, matching::Basis::Exact);
        assert_eq!(at.other_versions, vec!["CVE-2090-0002"]);

        let old = match_model(&set, None, "D-Link Systems, Inc.", &["DIR-859"], "1.04")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cves(&old), vec!["CVE-2090-0002"]);
        assert_eq!(old.findings[0].basis, matching::Basis::Range);

        // No version: every advisory for the model, none of them certain.
        let unknown =
            match_model(&set, None, "D-Link", &["DIR-859"], "").unwrap_or_else(|e| panic!("{e}"));
        let mut all = cves(&unknown);
        all.sort();
        assert_eq!(all, vec!["CVE-2090-0001", "CVE-2090-0002"]);
        assert!(
            unknown
                .findings
                .iter()
                .all(|f| f.basis < matching::Basis::Range)
        );
        assert!(unknown.other_versions.is_empty());

        // Another maker's DIR-859, and a model under two names, found once.
        assert!(
            match_model(&set, None, "Netgear", &["DIR-859"], "1.05")
                .unwrap_or_else(|e| panic!("{e}"))
                .findings
                .is_empty()
        );
        let twice = match_model(&set, None, "D-Link", &["DIR-859", "D-Link DIR-859"], "1.05")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cves(&twice), vec!["CVE-2090-0001"]);
    }
}
