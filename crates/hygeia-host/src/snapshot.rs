//! Snapshots: every raw probe output of one run, saved to a folder and evaluated later with
//! the same rules. Bug reports become reproducible and fixtures come from real machines.

use crate::probe::{Outcome, RawOutput};
use hygeia_core::Platform;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Schema identifier written into every snapshot.
pub const SNAPSHOT_SCHEMA: &str = "hygeia.snapshot/1";

/// Largest snapshot file accepted; real ones are well under 1 MiB.
pub const MAX_SNAPSHOT_BYTES: u64 = 256 * 1024 * 1024;

/// The file name inside a snapshot folder.
pub const SNAPSHOT_FILE: &str = "snapshot.json";

/// Who ran the check, and for whom. Rules read this instead of the live environment so that a
/// saved snapshot evaluates exactly like the live run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// Host name.
    pub hostname: String,
    /// The person the check is for (the sudo caller when run through sudo).
    pub user: String,
    /// Whether the check ran with administrator rights.
    pub elevated: bool,
    /// The person's home folder.
    pub home: String,
    /// The desktop session type, e.g. "GNOME" (from XDG_CURRENT_DESKTOP).
    #[serde(default)]
    pub desktop: Option<String>,
}

/// Everything one run collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Always [`SNAPSHOT_SCHEMA`].
    pub schema: String,
    /// Operating-system family.
    pub platform: Platform,
    /// When it was collected (RFC 3339).
    pub collected_at: String,
    /// Who and where.
    pub context: Context,
    /// Raw outputs by probe id.
    pub outputs: BTreeMap<String, RawOutput>,
}

/// A snapshot that cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Nothing at that path.
    #[error(
        "no snapshot at {path}: the folder should contain {SNAPSHOT_FILE}, written by `hygeia check --save-snapshot`"
    )]
    Missing {
        /// The path given.
        path: PathBuf,
    },
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
    /// The file is not a valid snapshot.
    #[error(
        "{path} is not a valid Hygeia snapshot ({message}); it may be damaged: save a new one with `hygeia check --save-snapshot DIR`"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Snapshot {
    /// The raw output of one probe, if it was collected.
    pub fn output(&self, probe: &str) -> Option<&RawOutput> {
        self.outputs.get(probe)
    }

    /// Writes `DIR/snapshot.json` (creating DIR), replacing any earlier snapshot atomically,
    /// readable by its owner only.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, SnapshotError> {
        let target = dir.join(SNAPSHOT_FILE);
        let json = serde_json::to_vec_pretty(self).map_err(|e| SnapshotError::Corrupt {
            path: target.clone(),
            message: e.to_string(),
        })?;
        write_private(dir, SNAPSHOT_FILE, &json).map_err(|e| SnapshotError::Io {
            action: e.action,
            path: e.path,
            source: e.source,
        })
    }

    /// Reads a snapshot from a folder (or directly from its `snapshot.json`).
    pub fn load(path: &Path) -> Result<Snapshot, SnapshotError> {
        let file = if path.is_dir() {
            path.join(SNAPSHOT_FILE)
        } else {
            path.to_path_buf()
        };
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SnapshotError::Missing {
                    path: path.to_path_buf(),
                });
            }
            Err(source) => {
                return Err(SnapshotError::Io {
                    action: "read",
                    path: file,
                    source,
                });
            }
        };
        let snapshot: Snapshot =
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

    /// A snapshot built from literal outputs, for tests and fixtures.
    pub fn from_outputs(
        platform: Platform,
        context: Context,
        outputs: &[(&str, Outcome)],
    ) -> Snapshot {
        Snapshot {
            schema: SNAPSHOT_SCHEMA.to_string(),
            platform,
            collected_at: "2026-11-28T12:00:00Z".to_string(),
            context,
            outputs: outputs
                .iter()
                .map(|(id, outcome)| {
                    (
                        id.to_string(),
                        RawOutput {
                            source: id.to_string(),
                            outcome: outcome.clone(),
                            duration_ms: 0,
                        },
                    )
                })
                .collect(),
        }
    }
}

/// Why [`write_private`] failed: what it was doing, where, and the cause.
#[derive(Debug)]
pub struct WriteError {
    /// "create", "write into" or "write".
    pub action: &'static str,
    /// The folder or file.
    pub path: PathBuf,
    /// The cause.
    pub source: std::io::Error,
}

/// Writes `dir/file_name` (creating `dir`) for its owner only, replacing an earlier file
/// atomically; returns the file's path. Shared by every saved snapshot (computer and phone):
/// raw outputs name users, networks and software, and `sudo hygeia ... --save-snapshot` writes as
/// root into the user's folder, so never through a symlink another user planted.
pub fn write_private(dir: &Path, file_name: &str, bytes: &[u8]) -> Result<PathBuf, WriteError> {
    let fail = |action, path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError {
            action,
            path,
            source,
        }
    };
    std::fs::create_dir_all(dir).map_err(fail("create", dir))?;
    crate::safe_read::check_folder(dir, crate::programs::privileged())
        .map_err(fail("write into", dir))?;
    let target = dir.join(file_name);
    hygeia_core::private_file::replace_file(&target, bytes, 0o600)
        .map_err(fail("write", &target))?;
    Ok(target)
}
