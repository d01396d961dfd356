//! One repository: create it, back files up into it, list its snapshots, restore from it. Every
//! function opens the repository itself, so a caller holds no engine state between commands.

use crate::BackupError;
use crate::location::Location;
use crate::s3::{self, S3Backend};
use rustic_backend::BackendOptions;
use rustic_core::{
    BackupOptions, ConfigOptions, Credentials, Excludes, IndexedFullStatus, KeepOptions,
    KeyOptions, LocalDestination, LsOptions, OpenStatus, PathList, PruneOptions, Repository,
    RepositoryBackends, RepositoryOptions, RestoreOptions, SnapshotOptions, WriteBackend,
    repofile::Node,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Caches and temporary files left out of every backup unless asked otherwise: they are large,
/// change all the time and are rebuilt by the programs that made them.
pub const DEFAULT_EXCLUDES: [&str; 8] = [
    "**/.cache",
    "**/Cache",
    "**/Caches",
    "**/Temp",
    "**/tmp",
    "**/*.tmp",
    "**/~$*",
    "**/.Trash*",
];

/// What one backup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The snapshot's id (restic's short form is its first 8 characters).
    pub snapshot: String,
    /// Files new since the last snapshot of the same paths.
    pub files_new: u64,
    /// Files changed since then.
    pub files_changed: u64,
    /// Files unchanged.
    pub files_unmodified: u64,
    /// Bytes read.
    pub bytes_processed: u64,
    /// Bytes added to the repository after deduplication and compression.
    pub bytes_added: u64,
    /// Files left out because they vanished, changed or could not be read while the backup
    /// ran, in the engine's words (the backup itself went on).
    pub skipped: Vec<String>,
}

/// A snapshot as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// Its id.
    pub id: String,
    /// When it was taken (RFC 3339).
    pub time: String,
    /// The computer it was taken on.
    pub hostname: String,
    /// The folders it holds.
    pub paths: Vec<String>,
}

/// What a restore wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    /// The snapshot restored from.
    pub snapshot: String,
    /// Files in what was restored.
    pub files: usize,
}

fn backends(location: &Location) -> Result<RepositoryBackends, BackupError> {
    match location {
        Location::Folder(path) => BackendOptions::default()
            .repository(path.to_string_lossy().into_owned())
            .to_backends()
            .map_err(BackupError::engine("opening the backup location")),
        Location::S3 {
            endpoint,
            bucket,
            prefix,
        } => {
            let backend = s3_backend(endpoint, bucket, prefix)?;
            Ok(RepositoryBackends::new(Arc::new(backend), None))
        }
        Location::Sftp {
            user,
            host,
            port,
            path,
        } => {
            let backend = crate::sftp::SftpBackend::connect(user, host, *port, path)?;
            Ok(RepositoryBackends::new(Arc::new(backend), None))
        }
    }
}

/// The S3 backend for a location, with credentials from the environment.
pub fn s3_backend(endpoint: &str, bucket: &str, prefix: &str) -> Result<S3Backend, BackupError> {
    if !s3::endpoint_is_allowed(endpoint) {
        return Err(BackupError::InsecureEndpoint(endpoint.to_string()));
    }
    let (credentials, region) = s3::credentials_from_environment()?;
    S3Backend::new(endpoint, bucket, prefix, credentials, &region)
}

fn unopened(location: &Location) -> Result<Repository<()>, BackupError> {
    Repository::new_with_progress(
        &RepositoryOptions::default(),
        &backends(location)?,
        crate::progress::Current,
    )
    .map_err(BackupError::engine("opening the backup location"))
}

fn open(location: &Location, password: &str) -> Result<Repository<OpenStatus>, BackupError> {
    let repository = unopened(location)?;
    let exists = repository
        .config_id()
        .map_err(BackupError::engine("reading the backup repository"))?
        .is_some();
    if !exists {
        return Err(BackupError::NotARepository(location.to_string()));
    }
    repository
        .open(&Credentials::password(password))
        .map_err(|error| {
            if error.is_incorrect_password() {
                BackupError::WrongPassword(location.to_string())
            } else {
                BackupError::engine("opening the backup repository")(error)
            }
        })
}

/// Creates a repository at `location`, encrypted with `password`.
pub fn init(location: &Location, password: &str) -> Result<(), BackupError> {
    if let Location::Folder(path) = location {
        std::fs::create_dir_all(path).map_err(|e| BackupError::Engine {
            doing: "creating the backup folder",
            message: format!("{}: {e}", path.display()),
        })?;
    }
    let repository = unopened(location)?;
    if repository
        .config_id()
        .map_err(BackupError::engine("reading the backup location"))?
        .is_some()
    {
        return Err(BackupError::AlreadyExists(location.to_string()));
    }
    repository
        .init(
            &Credentials::password(password),
            &KeyOptions::default(),
            &ConfigOptions::default(),
        )
        .map_err(BackupError::engine("creating the backup repository"))?;
    Ok(())
}

/// Backs `paths` up into the repository, leaving out [`DEFAULT_EXCLUDES`] and `excludes` (glob
/// patterns). A file that changes or vanishes while it is read is noted by the engine, not fatal.
pub fn backup(
    location: &Location,
    password: &str,
    paths: &[PathBuf],
    excludes: &[String],
) -> Result<BackupSummary, BackupError> {
    if paths.is_empty() {
        return Err(BackupError::Engine {
            doing: "starting the backup",
            message: "no folder or file to back up was given".into(),
        });
    }
    // Absolute paths, as restic stores them: a restore then says where each file came from.
    let absolute = paths
        .iter()
        .map(|p| {
            std::fs::canonicalize(p).map_err(|e| BackupError::Engine {
                doing: "reading the folders to back up",
                message: format!("{}: {e}", p.display()),
            })
        })
        .collect::<Result<Vec<PathBuf>, BackupError>>()?;
    let repository = open(location, password)?
        .to_indexed_ids()
        .map_err(BackupError::engine("reading the repository's index"))?;
    let source = PathList::from_iter(absolute.iter().map(PathBuf::as_path))
        .sanitize()
        .map_err(|e| BackupError::Engine {
            doing: "reading the folders to back up",
            message: e.to_string(),
        })?;
    let mut globs: Vec<String> = DEFAULT_EXCLUDES.iter().map(|g| format!("!{g}")).collect();
    globs.extend(excludes.iter().map(|g| format!("!{g}")));
    let options = BackupOptions::default().excludes(Excludes::default().globs(globs));
    let snapshot = SnapshotOptions::default()
        .to_snapshot()
        .map_err(BackupError::engine("preparing the snapshot"))?;
    let (snapshot, skipped) =
        crate::skipped::collecting(|| repository.backup(&options, &source, snapshot));
    let snapshot = snapshot.map_err(BackupError::engine("backing up"))?;
    let summary = snapshot.summary.unwrap_or_default();
    Ok(BackupSummary {
        snapshot: snapshot.id.to_string(),
        files_new: summary.files_new,
        files_changed: summary.files_changed,
        files_unmodified: summary.files_unmodified,
        bytes_processed: summary.total_bytes_processed,
        bytes_added: summary.data_added,
        skipped,
    })
}

/// Every snapshot, oldest first.
pub fn snapshots(location: &Location, password: &str) -> Result<Vec<SnapshotInfo>, BackupError> {
    let repository = open(location, password)?;
    let mut all = repository
        .get_all_snapshots()
        .map_err(BackupError::engine("listing the snapshots"))?;
    all.sort_by(|a, b| a.time.cmp(&b.time));
    Ok(all
        .into_iter()
        .map(|s| SnapshotInfo {
            id: s.id.to_string(),
            time: s.time.strftime("%Y-%m-%d %H:%M:%S %Z").to_string(),
            hostname: s.hostname,
            paths: s.paths.iter().cloned().collect(),
        })
        .collect())
}

/// Restores `snapshot` (an id or its prefix; the latest when none) or one `path` inside it into
/// `target`. Files that already exist there are never replaced unless `overwrite`.
pub fn restore(
    location: &Location,
    password: &str,
    snapshot: Option<&str>,
    path: Option<&str>,
    target: &Path,
    overwrite: bool,
) -> Result<RestoreSummary, BackupError> {
    let repository = open(location, password)?
        .to_indexed()
        .map_err(BackupError::engine("reading the repository's index"))?;
    // The snapshot is found once: "latest" could name a newer one on a second look.
    let snap = repository
        .get_snapshot_from_str(snapshot.unwrap_or("latest"), |_| true)
        .map_err(BackupError::engine("finding the snapshot"))?;
    let node = repository
        .node_from_snapshot_and_path(&snap, path.unwrap_or(""))
        .map_err(BackupError::engine(
            "finding what to restore in the snapshot",
        ))?;
    let ls_options = LsOptions::default();
    let listing = || {
        repository
            .ls(&node, &ls_options)
            .map_err(BackupError::engine("listing the snapshot"))
    };
    let mut files = 0;
    let mut existing = Vec::new();
    for entry in listing()? {
        let (relative, node) = entry.map_err(BackupError::engine("listing the snapshot"))?;
        if node.is_file() {
            files += 1;
            let at = target.join(&relative);
            if std::fs::symlink_metadata(&at).is_ok() {
                existing.push(at);
            }
        }
    }
    if !overwrite && !existing.is_empty() {
        return Err(BackupError::WouldOverwrite {
            target: target.display().to_string(),
            count: existing.len(),
            first: existing[0].display().to_string(),
        });
    }
    restore_node(&repository, &node, target)?;
    Ok(RestoreSummary {
        snapshot: snap.id.to_string(),
        files,
    })
}

/// How much file data one restore pass handles. The engine reads packs ahead of the disk
/// writes without a bound, so a whole large snapshot at once can take as much memory as half its
/// size; passes of this size bound it (docs/BENCHMARKS.md).
const RESTORE_PASS_BYTES: u64 = 64 << 20;

/// Restores `node` (a folder or one file) to `target` (a folder, or the file's new name).
pub(crate) fn restore_node(
    repository: &Repository<IndexedFullStatus>,
    node: &Node,
    target: &Path,
) -> Result<(), BackupError> {
    restore_in_passes(repository, node, target, RESTORE_PASS_BYTES)
}

fn restore_in_passes(
    repository: &Repository<IndexedFullStatus>,
    node: &Node,
    target: &Path,
    pass_limit: u64,
) -> Result<(), BackupError> {
    let target = if node.is_dir() {
        format!("{}/", target.display())
    } else {
        target.display().to_string()
    };
    let destination = LocalDestination::new(&target, true, !node.is_dir())
        .map_err(BackupError::engine("preparing the restore folder"))?;
    let entries = repository
        .ls(node, &LsOptions::default())
        .map_err(BackupError::engine("listing the snapshot"))?
        .collect::<Result<Vec<(PathBuf, Node)>, _>>()
        .map_err(BackupError::engine("listing the snapshot"))?;
    let mut pass: Vec<(PathBuf, Node)> = Vec::new();
    let mut pass_bytes = 0u64;
    let mut passes = 0;
    for entry in &entries {
        if entry.1.is_file() {
            pass_bytes += entry.1.meta.size;
        }
        pass.push(entry.clone());
        if pass_bytes >= pass_limit {
            restore_pass(repository, &pass, &destination)?;
            pass.clear();
            pass_bytes = 0;
            passes += 1;
        }
    }
    restore_pass(repository, &pass, &destination)?;
    if passes > 0 {
        // Files written by later passes changed the folders finished by earlier ones: one last
        // pass over everything finds every file in place and sets the folders' times and modes.
        restore_pass(repository, &entries, &destination)?;
    }
    Ok(())
}

/// One restore pass over `entries` (in the snapshot's order: a folder before what it holds).
fn restore_pass(
    repository: &Repository<IndexedFullStatus>,
    entries: &[(PathBuf, Node)],
    destination: &LocalDestination,
) -> Result<(), BackupError> {
    if entries.is_empty() {
        return Ok(());
    }
    let listing = || entries.iter().cloned().map(Ok);
    let options = RestoreOptions::default();
    let plan = repository
        .prepare_restore(&options, listing(), destination, false)
        .map_err(BackupError::engine("planning the restore"))?;
    crate::guard::without_panics(|| repository.restore(plan, &options, listing(), destination))
        .map_err(|why| BackupError::Engine {
            doing: "restoring",
            message: format!(
                "the backup's data is damaged ({why}); run `hygeia backup verify --read-data-subset 100%` to see which files are affected, and restore them from another destination"
            ),
        })?
        .map_err(BackupError::engine("restoring"))?;
    Ok(())
}

/// Opens the repository at `location` for the engine's check.
pub(crate) fn open_for_check(
    location: &Location,
    password: &str,
) -> Result<Repository<OpenStatus>, BackupError> {
    open(location, password)
}

/// Opens the repository at `location` with its full index, for reading file contents.
pub(crate) fn open_indexed(
    location: &Location,
    password: &str,
) -> Result<Repository<IndexedFullStatus>, BackupError> {
    open(location, password)?
        .to_indexed()
        .map_err(BackupError::engine("reading the repository's index"))
}

/// The storage under `location`, for reading pack files directly.
pub(crate) fn storage(location: &Location) -> Result<Arc<dyn WriteBackend>, BackupError> {
    Ok(backends(location)?.repository())
}

/// Applies `retention` to the snapshots of the same computer and folders as `snapshot` (the
/// one just made): forgets those no longer kept, then removes the data only they used.
/// Returns how many snapshots were forgotten.
pub fn apply_retention(
    location: &Location,
    password: &str,
    snapshot: &str,
    retention: &crate::plan::Retention,
) -> Result<usize, BackupError> {
    let repository = open(location, password)?;
    let all = repository
        .get_all_snapshots()
        .map_err(BackupError::engine("listing the snapshots"))?;
    let Some(made) = all.iter().find(|s| s.id.to_string() == snapshot) else {
        return Ok(0);
    };
    let (hostname, paths) = (made.hostname.clone(), made.paths.clone());
    let group: Vec<_> = all
        .into_iter()
        .filter(|s| s.hostname == hostname && s.paths == paths)
        .collect();
    let keep = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let options = KeepOptions::default()
        .keep_daily(keep(retention.keep_daily))
        .keep_weekly(keep(retention.keep_weekly))
        .keep_monthly(keep(retention.keep_monthly));
    let decided = options
        .apply(group, &rustic_core::jiff::Zoned::now())
        .map_err(BackupError::engine("applying the retention"))?;
    let forget: Vec<_> = decided
        .into_iter()
        .filter(|s| !s.keep)
        .map(|s| s.snapshot.id)
        .collect();
    if forget.is_empty() {
        return Ok(0);
    }
    repository
        .delete_snapshots(&forget)
        .map_err(BackupError::engine("forgetting old snapshots"))?;
    let prune = PruneOptions::default();
    let plan = repository
        .prune_plan(&prune)
        .map_err(BackupError::engine("planning the clean-up"))?;
    repository
        .prune(&prune, plan)
        .map_err(BackupError::engine("cleaning up old data"))?;
    Ok(forget.len())
}

/// The Object Lock configuration of an S3 location's bucket (`None` for other kinds, or when
/// the bucket has none).
pub fn object_lock(location: &Location) -> Result<Option<s3::client::ObjectLock>, BackupError> {
    let Location::S3 {
        endpoint,
        bucket,
        prefix,
    } = location
    else {
        return Ok(None);
    };
    s3_backend(endpoint, bucket, prefix)?
        .client()
        .object_lock()
        .map_err(|e| BackupError::Engine {
            doing: "reading the bucket's Object Lock",
            message: e.to_string(),
        })
}

/// Whether the repository at a folder location is reachable now (its drive plugged in). Other
/// kinds are always treated as reachable; a failure there is an error, not a disconnection.
pub fn folder_connected(location: &Location) -> bool {
    folder_state(location) == FolderState::Connected
}

/// What is at a folder location now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderState {
    /// The repository is there (or the location is not a folder).
    Connected,
    /// Nothing is there: the folder is missing or empty, as when its drive is unplugged (an
    /// empty mount point stays behind).
    Disconnected,
    /// Files are there but no repository: a drive plugged in that was never set up.
    NoRepository,
}

/// What is at `location` now.
pub fn folder_state(location: &Location) -> FolderState {
    let Location::Folder(path) = location else {
        return FolderState::Connected;
    };
    if path.join("config").is_file() {
        return FolderState::Connected;
    }
    let has_files = std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_some());
    if has_files {
        FolderState::NoRepository
    } else {
        FolderState::Disconnected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restore_in_several_passes_gives_every_file_and_the_folders_times_back() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("Documents");
        for folder in ["a", "b", "c"] {
            std::fs::create_dir_all(source.join(folder)).unwrap();
            for n in 0..3 {
                std::fs::write(
                    source.join(folder).join(format!("{n}.txt")),
                    vec![b'x' + n; 1000],
                )
                .unwrap();
            }
        }
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        std::fs::File::open(source.join("a"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        let location = Location::Folder(dir.path().join("repo"));
        init(&location, "pw").unwrap();
        backup(&location, "pw", std::slice::from_ref(&source), &[]).unwrap();
        let repository = open_indexed(&location, "pw").unwrap();
        let snapshot = repository
            .get_snapshot_from_str("latest", |_| true)
            .unwrap();
        let root = repository
            .node_from_snapshot_and_path(&snapshot, "")
            .unwrap();
        let target = dir.path().join("restored");
        // 1500 bytes a pass: seven passes and the closing one.
        restore_in_passes(&repository, &root, &target, 1500).unwrap();
        let back = target.join(source.strip_prefix("/").unwrap());
        for folder in ["a", "b", "c"] {
            for n in 0..3 {
                assert_eq!(
                    std::fs::read(back.join(folder).join(format!("{n}.txt"))).unwrap(),
                    vec![b'x' + n; 1000]
                );
            }
        }
        let restored_time = std::fs::metadata(back.join("a"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(restored_time, old);
    }
}
