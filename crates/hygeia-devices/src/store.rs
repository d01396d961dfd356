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
}
