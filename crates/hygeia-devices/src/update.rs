//! `hygeia devices update`: downloads CISA's CSAF advisories, the KEV catalog and EPSS scores
//! into the local store, validates every file, and only then makes the download active.
//!
//! CSAF documents are found the way the CSAF standard prescribes for a provider: its
//! `provider-metadata.json` names distribution directories, and each directory's `index.txt`
//! lists the documents.

use crate::DevicesError;
use crate::store::{self, Manifest};
use std::path::Path;
use std::time::Duration;

/// CISA's CSAF provider metadata (the path the CSAF standard fixes for every provider).
pub const CSAF_PROVIDER: &str = "https://www.cisa.gov/.well-known/csaf/provider-metadata.json";
/// CISA's Known Exploited Vulnerabilities catalog.
pub const KEV_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
/// FIRST's daily EPSS scores for every CVE.
pub const EPSS_URL: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";

/// The largest single download accepted.
const MAX_DOWNLOAD: u64 = 128 * 1024 * 1024;

/// Where to download from.
#[derive(Debug, Clone)]
pub struct Sources {
    /// CSAF provider metadata URL.
    pub csaf_provider: String,
    /// KEV catalog URL.
    pub kev: String,
    /// EPSS scores URL (gzip or plain CSV); `None` to skip.
    pub epss: Option<String>,
    /// All ICS advisories instead of only the medical ones (ICSMA).
    pub all_ics: bool,
}

impl Default for Sources {
    fn default() -> Sources {
        Sources {
            csaf_provider: CSAF_PROVIDER.into(),
            kev: KEV_URL.into(),
            epss: Some(EPSS_URL.into()),
            all_ics: false,
        }
    }
}

struct Client {
    agent: ureq::Agent,
}

impl Client {
    fn new() -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .timeout_connect(Some(Duration::from_secs(15)))
            .user_agent(concat!("hygeia/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent }
    }

    /// Like [`Client::get`], but a 404 is `None`: for files a provider may or may not offer.
    fn get_optional(&self, url: &str) -> Result<Option<Vec<u8>>, DevicesError> {
        match self.agent.get(url).call() {
            Err(ureq::Error::StatusCode(404)) => Ok(None),
            Err(e) => Err(DevicesError::Download(format!(
                "downloading {url} failed: {e}. The store was not changed; check the network and run the update again."
            ))),
            Ok(mut response) => response
                .body_mut()
                .with_config()
                .limit(MAX_DOWNLOAD)
                .read_to_vec()
                .map(Some)
                .map_err(|e| {
                    DevicesError::Download(format!(
                        "downloading {url} failed: {e}. The store was not changed; check the network and run the update again."
                    ))
                }),
        }
    }

    fn get(&self, url: &str) -> Result<Vec<u8>, DevicesError> {
        let fail = |why: String| {
            DevicesError::Download(format!(
                "downloading {url} failed: {why}. The store was not changed; check the network and run the update again."
            ))
        };
        let mut response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| fail(e.to_string()))?;
        response
            .body_mut()
            .with_config()
            .limit(MAX_DOWNLOAD)
            .read_to_vec()
            .map_err(|e| fail(e.to_string()))
    }
}

/// The base URL a relative index entry is resolved against.
fn join(directory: &str, entry: &str) -> String {
    format!(
        "{}/{}",
        directory.trim_end_matches('/'),
        entry.trim_start_matches('/')
    )
}

/// Whether a distribution directory may be downloaded from: HTTPS, or plain HTTP to this
/// computer only (a local mirror, the tests). The provider metadata could name anything.
fn distribution_allowed(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// Checks a document against the hash its provider publishes beside it (`NAME.sha256` or
/// `NAME.sha512`, as `sha256sum` writes them). `Ok(false)` when the provider offers none.
fn verify_published_hash(client: &Client, url: &str, bytes: &[u8]) -> Result<bool, DevicesError> {
    use sha2::Digest;
    for (suffix, digest) in [
        (".sha256", hex(&sha2::Sha256::digest(bytes))),
        (".sha512", hex(&sha2::Sha512::digest(bytes))),
    ] {
        let Some(published) = client.get_optional(&format!("{url}{suffix}"))? else {
            continue;
        };
        let text = String::from_utf8_lossy(&published);
        let expected = text.split_whitespace().next().unwrap_or("").to_lowercase();
        if expected != digest {
            return Err(DevicesError::Download(format!(
                "{url} does not match the hash its provider publishes in {url}{suffix}; it may have been altered on the way. The store was not changed"
            )));
        }
        return Ok(true);
    }
    Ok(false)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file name from an index entry, refusing anything that could escape the store.
fn safe_file_name(entry: &str) -> Option<&str> {
    let name = entry.rsplit('/').next()?;
    let ok = !name.is_empty()
        && name.ends_with(".json")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !name.starts_with('.');
    ok.then_some(name)
}

/// Downloads everything into a staged snapshot, validates it, and activates it. On any
/// failure the staged snapshot is removed and the active one stays as it was.
pub fn update(
    store_dir: &Path,
    sources: &Sources,
    progress: &mut dyn FnMut(&str),
) -> Result<Manifest, DevicesError> {
    let staged = store::stage(store_dir)?;
    match fill(&staged, sources, progress) {
        Ok(manifest) => {
            store::activate(store_dir, &staged, &manifest)?;
            Ok(manifest)
        }
        Err(e) => {
            store::discard(&staged);
            Err(e)
        }
    }
}

fn fill(
    staged: &Path,
    sources: &Sources,
    progress: &mut dyn FnMut(&str),
) -> Result<Manifest, DevicesError> {
    let client = Client::new();
    let mut manifest = Manifest {
        csaf_source: sources.csaf_provider.clone(),
        kev_source: sources.kev.clone(),
        ..Manifest::default()
    };
    progress(&format!(
        "Reading the CSAF provider metadata at {}",
        sources.csaf_provider
    ));
    let metadata: serde_json::Value = serde_json::from_slice(&client.get(&sources.csaf_provider)?)
        .map_err(|e| {
            DevicesError::Download(format!(
                "{} is not CSAF provider metadata (JSON: {e}); the store was not changed",
                sources.csaf_provider
            ))
        })?;
    let directories: Vec<String> = metadata
        .get("distributions")
        .and_then(|d| d.as_array())
        .into_iter()
        .flatten()
        .filter_map(|d| d.get("directory_url").and_then(|u| u.as_str()))
        .map(str::to_string)
        .collect();
    if directories.is_empty() {
        return Err(DevicesError::Download(format!(
            "{} lists no distribution directory; the store was not changed",
            sources.csaf_provider
        )));
    }
    for directory in &directories {
        if !distribution_allowed(directory) {
            return Err(DevicesError::Download(format!(
                "{} names the distribution directory {directory:?}, which is not an https:// address; the store was not changed",
                sources.csaf_provider
            )));
        }
        let index_url = join(directory, "index.txt");
        let index = String::from_utf8_lossy(&client.get(&index_url)?).into_owned();
        let wanted: Vec<&str> = index
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .filter(|l| {
                let name = l.rsplit('/').next().unwrap_or(l).to_lowercase();
                name.starts_with("icsma-") || (sources.all_ics && name.starts_with("icsa-"))
            })
            .collect();
        progress(&format!(
            "Downloading {} CSAF documents from {directory}",
            wanted.len()
        ));
        for entry in wanted {
            let name = safe_file_name(entry).ok_or_else(|| {
                DevicesError::Download(format!(
                    "{index_url} lists `{entry}`, which is not a plain .json file name; the store was not changed"
                ))
            })?;
            let url = join(directory, entry);
            let bytes = client.get(&url)?;
            crate::csaf::parse(&url, &bytes).map_err(|e| {
                DevicesError::Download(format!(
                    "{url} is not a valid CSAF document ({e}); the store was not changed"
                ))
            })?;
            if verify_published_hash(&client, &url, &bytes)? {
                manifest.csaf_hashes_verified += 1;
            }
            store::write_synced(&staged.join("csaf").join(name), &bytes)?;
            manifest.csaf_documents += 1;
        }
    }
    if manifest.csaf_documents == 0 {
        return Err(DevicesError::Download(format!(
            "{} offers no medical advisory (icsma-*.json); the store was not changed",
            sources.csaf_provider
        )));
    }
    progress(&format!("Downloading the KEV catalog from {}", sources.kev));
    let kev_bytes = client.get(&sources.kev)?;
    let kev = crate::feeds::parse_kev(&sources.kev, &kev_bytes)
        .map_err(|e| DevicesError::Download(format!("{e}; the store was not changed")))?;
    store::write_synced(&staged.join("kev.json"), &kev_bytes)?;
    manifest.kev_version = kev.version;
    manifest.kev_entries = kev.entries.len();
    if let Some(epss_url) = &sources.epss {
        progress(&format!("Downloading EPSS scores from {epss_url}"));
        let bytes = client.get(epss_url)?;
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            store::gunzip(&bytes).map_err(|e| {
                DevicesError::Download(format!("{epss_url}: {e}; the store was not changed"))
            })?
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let epss = crate::feeds::parse_epss(epss_url, &text)
            .map_err(|e| DevicesError::Download(format!("{e}; the store was not changed")))?;
        store::write_synced(&staged.join("epss.csv"), text.as_bytes())?;
        manifest.epss_source = epss_url.clone();
        manifest.epss_scores = epss.scores.len();
    }
    manifest.fetched_at = hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc());
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_entries_cannot_escape_the_store() {
        assert_eq!(
            safe_file_name("2024/icsma-24-030-01.json"),
            Some("icsma-24-030-01.json")
        );
        assert_eq!(safe_file_name("../../etc/passwd"), None);
        assert_eq!(safe_file_name("2024/.json"), None);
        assert_eq!(safe_file_name("2024/a b.json"), None);
    }

    #[test]
    fn distributions_are_https_or_this_computer() {
        assert!(distribution_allowed("https://www.cisa.gov/csaf/white/"));
        assert!(distribution_allowed("http://127.0.0.1:8080/white/"));
        assert!(distribution_allowed("http://localhost/white/"));
        assert!(!distribution_allowed("http://www.cisa.gov/csaf/white/"));
        assert!(!distribution_allowed(
            "http://127.0.0.1.evil.example/white/"
        ));
        assert!(!distribution_allowed("javascript:alert(1)"));
        assert!(!distribution_allowed("file:///etc/"));
    }
}
