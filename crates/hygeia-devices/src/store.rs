//! The local advisory store that `hygeia devices update` fills and `match` reads by default.
//!
//! ```text
//! STORE/CURRENT                 name of the active snapshot folder
//! STORE/snap-<time>-<pid>/      one complete, validated download:
//!     csaf/*.json  kev.json  epss.csv  manifest.json
//! ```
//!
//! An update writes a new snapshot folder next to the active one and validates every file in
//! it; only then is `CURRENT` replaced, by writing `CURRENT.tmp` and renaming it over `CURRENT`
//! (atomic on every platform). An interrupted or invalid update therefore leaves the previous
//! snapshot active and untouched; its leftovers are removed by the next successful update.

use crate::DevicesError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What a snapshot holds and where it came from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// When the download finished (RFC 3339).
    pub fetched_at: String,
    /// The CSAF provider metadata URL.
    pub csaf_source: String,
    /// CSAF documents stored.
    pub csaf_documents: usize,
    /// The KEV URL.
    pub kev_source: String,
    /// KEV catalog version.
    pub kev_version: String,
    /// KEV entries.
    pub kev_entries: usize,
    /// The EPSS URL, empty when EPSS was not downloaded.
    pub epss_source: String,
    /// EPSS scores stored.
    pub epss_scores: usize,
    /// CSAF documents whose published SHA-256 or SHA-512 was checked (the rest had none).
    #[serde(default)]
    pub csaf_hashes_verified: usize,
}

/// An opened store snapshot.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The snapshot folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
}

impl Snapshot {
    /// The folder of CSAF documents.
    pub fn csaf_dir(&self) -> PathBuf {
        self.dir.join("csaf")
    }

    /// The KEV file.
    pub fn kev_file(&self) -> PathBuf {
        self.dir.join("kev.json")
    }

    /// The EPSS file, when the snapshot has one.
    pub fn epss_file(&self) -> Option<PathBuf> {
        let path = self.dir.join("epss.csv");
        path.exists().then_some(path)
    }
}

/// Opens the active snapshot of the store at `dir`.
pub fn open(dir: &Path) -> Result<Snapshot, DevicesError> {
    let current = dir.join("CURRENT");
    let name = std::fs::read_to_string(&current).map_err(|_| DevicesError::Input {
        path: dir.display().to_string(),
        message: "there is no advisory store here yet; run `hygeia devices update` (or pass --advisories and --kev files)".into(),
    })?;
    let name = name.trim();
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(DevicesError::Input {
            path: current.display().to_string(),
            message: "the store's CURRENT file is damaged; run `hygeia devices update` again"
                .into(),
        });
    }
    let snapshot_dir = dir.join(name);
    let manifest_path = snapshot_dir.join("manifest.json");
    let manifest: Manifest = std::fs::read(&manifest_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| DevicesError::Input {
            path: manifest_path.display().to_string(),
            message:
                "the store's manifest is missing or damaged; run `hygeia devices update` again"
                    .into(),
        })?;
    Ok(Snapshot {
        dir: snapshot_dir,
        manifest,
    })
}

/// A new, empty snapshot folder inside the store, not yet active.
pub fn stage(dir: &Path) -> Result<PathBuf, DevicesError> {
    std::fs::create_dir_all(dir).map_err(|e| DevicesError::io("creating the store", dir, e))?;
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let staged = dir.join(format!("snap-{stamp}-{}", std::process::id()));
    std::fs::create_dir_all(staged.join("csaf"))
        .map_err(|e| DevicesError::io("creating", &staged, e))?;
    Ok(staged)
}

/// Makes the staged snapshot the active one, then removes every other snapshot folder.
pub fn activate(dir: &Path, staged: &Path, manifest: &Manifest) -> Result<(), DevicesError> {
    let manifest_path = staged.join("manifest.json");
    let text = serde_json::to_vec_pretty(manifest).map_err(|e| DevicesError::Input {
        path: manifest_path.display().to_string(),
        message: e.to_string(),
    })?;
    write_synced(&manifest_path, &text)?;
    let name = staged
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| DevicesError::Input {
            path: staged.display().to_string(),
            message: "the staged snapshot has no usable name".into(),
        })?;
    let tmp = dir.join("CURRENT.tmp");
    write_synced(&tmp, name.as_bytes())?;
    let current = dir.join("CURRENT");
    std::fs::rename(&tmp, &current)
        .map_err(|e| DevicesError::io("activating the new snapshot in", dir, e))?;
    // Old snapshots and leftovers of interrupted updates. A failure here loses nothing.
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let is_snapshot = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("snap-") && n != name);
            if is_snapshot && path.is_dir() {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
    Ok(())
}

/// Copies a store made on another computer (by `hygeia devices update` there, carried over on a
/// disk) into the store at `dir`, for a computer or server without internet. `from` is that
/// store or one of its snapshot folders. Every file is checked as an update checks its
/// downloads (CSAF documents parse, the KEV catalog and EPSS scores read); only then does the
/// copy become active, so a bad copy leaves the current snapshot in use. Links and anything
/// that is not a plain file are refused rather than followed.
pub fn import(dir: &Path, from: &Path) -> Result<Manifest, DevicesError> {
    let source = if from.join("CURRENT").is_file() {
        open(from)?.dir
    } else {
        from.to_path_buf()
    };
    let staged = stage(dir)?;
    match copy_checked(&source, &staged) {
        Ok(mut manifest) => {
            manifest.fetched_at = open_manifest(&source)
                .map(|m| m.fetched_at)
                .filter(|f| !f.is_empty())
                .unwrap_or_else(
                    || hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc()),
                );
            activate(dir, &staged, &manifest)?;
            Ok(manifest)
        }
        Err(e) => {
            discard(&staged);
            Err(e)
        }
    }
}

fn open_manifest(snapshot: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(snapshot.join("manifest.json")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Reads a plain file of the source, refusing links and special files.
fn read_plain(path: &Path) -> Result<Vec<u8>, DevicesError> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| DevicesError::io("reading", path, e))?;
    if !meta.is_file() {
        return Err(DevicesError::Input {
            path: path.display().to_string(),
            message: "is a link or not a plain file; copy the store again without links".into(),
        });
    }
    crate::read_limited(path)
}

/// A CSAF file name that stays inside the store.
fn plain_json_name(name: &str) -> bool {
    name.ends_with(".json")
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

fn copy_checked(source: &Path, staged: &Path) -> Result<Manifest, DevicesError> {
    let origin = source.display().to_string();
    let mut manifest = open_manifest(source).unwrap_or_default();
    manifest.csaf_documents = 0;
    manifest.csaf_hashes_verified = 0;
    if manifest.csaf_source.is_empty() {
        manifest.csaf_source = format!("copied from {origin}");
    }
    let csaf_dir = source.join("csaf");
    let mut names: Vec<String> = std::fs::read_dir(&csaf_dir)
        .map_err(|e| DevicesError::Input {
            path: csaf_dir.display().to_string(),
            message: format!(
                "cannot be listed ({e}); give the folder of a store made by `hygeia devices update` (it holds csaf/ and kev.json)"
            ),
        })?
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    for name in &names {
        let path = csaf_dir.join(name);
        if !plain_json_name(name) {
            return Err(DevicesError::Input {
                path: path.display().to_string(),
                message: "is not a plain CSAF file name; the store was not changed".into(),
            });
        }
        let bytes = read_plain(&path)?;
        crate::csaf::parse(&path.display().to_string(), &bytes).map_err(|e| {
            DevicesError::Input {
                path: path.display().to_string(),
                message: format!("is not a valid CSAF document ({e}); the store was not changed"),
            }
        })?;
        write_synced(&staged.join("csaf").join(name), &bytes)?;
        manifest.csaf_documents += 1;
    }
    if manifest.csaf_documents == 0 {
        return Err(DevicesError::Input {
            path: csaf_dir.display().to_string(),
            message: "holds no CSAF advisory; copy a store made by `hygeia devices update`".into(),
        });
    }
    let kev_path = source.join("kev.json");
    let kev_bytes = read_plain(&kev_path)?;
    let kev = crate::feeds::parse_kev(&kev_path.display().to_string(), &kev_bytes)?;
    write_synced(&staged.join("kev.json"), &kev_bytes)?;
    manifest.kev_version = kev.version;
    manifest.kev_entries = kev.entries.len();
    let epss_path = source.join("epss.csv");
    if std::fs::symlink_metadata(&epss_path).is_ok() {
        let bytes = read_plain(&epss_path)?;
        let text = String::from_utf8_lossy(&bytes);
        let epss = crate::feeds::parse_epss(&epss_path.display().to_string(), &text)?;
        write_synced(&staged.join("epss.csv"), &bytes)?;
        manifest.epss_scores = epss.scores.len();
    } else {
        manifest.epss_source.clear();
        manifest.epss_scores = 0;
    }
    Ok(manifest)
}

/// Removes a staged snapshot after a failed update.
pub fn discard(staged: &Path) {
    let _ = std::fs::remove_dir_all(staged);
}

/// Writes a file and flushes it to disk, so a crash cannot leave it half-written behind a
/// rename that survived.
pub fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), DevicesError> {
    use std::io::Write;
    let mut file = std::fs::File::create(path).map_err(|e| DevicesError::io("writing", path, e))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| DevicesError::io("writing", path, e))
}

/// The largest decompressed EPSS file accepted (the real one is about 10 MB).
const MAX_GUNZIPPED: u64 = 256 * 1024 * 1024;

/// Decompresses gzip text with a size limit, so a gzip bomb stops at the limit.
pub fn gunzip(bytes: &[u8]) -> Result<String, String> {
    #[cfg(feature = "update")]
    {
        use std::io::Read;
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_GUNZIPPED + 1)
            .read_to_string(&mut text)
            .map_err(|e| format!("not a readable gzip file of text: {e}"))?;
        if text.len() as u64 > MAX_GUNZIPPED {
            return Err(format!(
                "decompresses to more than {} MB; refusing it",
                MAX_GUNZIPPED >> 20
            ));
        }
        Ok(text)
    }
    #[cfg(not(feature = "update"))]
    {
        let _ = (bytes, MAX_GUNZIPPED);
        Err("this build cannot read gzip files; decompress the file first".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_switches_and_cleans_up() {
        let dir = std::env::temp_dir().join(format!("hygeia-store-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(open(&dir).is_err());
        let first = stage(&dir).unwrap_or_else(|e| panic!("{e}"));
        let manifest = Manifest {
            kev_version: "1".into(),
            ..Manifest::default()
        };
        activate(&dir, &first, &manifest).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            open(&dir).map(|s| s.manifest.kev_version).ok(),
            Some("1".into())
        );
        // An update that stops half-way leaves the first snapshot active.
        let interrupted = stage(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(open(&dir).map(|s| s.dir).ok(), Some(first.clone()));
        let second = stage(&dir).unwrap_or_else(|e| panic!("{e}"));
        let manifest = Manifest {
            kev_version: "2".into(),
            ..Manifest::default()
        };
        activate(&dir, &second, &manifest).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            open(&dir).map(|s| s.manifest.kev_version).ok(),
            Some("2".into())
        );
        assert!(!first.exists() && !interrupted.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_store_made_elsewhere_is_checked_then_activated() {
        let root = std::env::temp_dir().join(format!("hygeia-import-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let from = root.join("usb");
        std::fs::create_dir_all(from.join("csaf")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(
            fixtures.join("csaf/icsma-90-001-01.json"),
            from.join("csaf/icsma-90-001-01.json"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(fixtures.join("kev.json"), from.join("kev.json"))
            .unwrap_or_else(|e| panic!("{e}"));
        let here = root.join("store");
        let manifest = import(&here, &from).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(manifest.csaf_documents, 1);
        assert!(manifest.kev_entries > 0);
        let active = open(&here).unwrap_or_else(|e| panic!("{e}"));
        assert!(active.csaf_dir().join("icsma-90-001-01.json").is_file());
        // A broken advisory in the copy changes nothing.
        std::fs::write(from.join("csaf/icsma-90-009-01.json"), b"{not csaf")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(import(&here, &from).is_err());
        assert_eq!(open(&here).map(|s| s.dir).ok(), Some(active.dir));
        let _ = std::fs::remove_dir_all(&root);
    }
}
