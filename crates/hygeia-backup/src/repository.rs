//! One repository: create it, back files up into it, list its snapshots, restore from it. Every
//! function opens the repository itself, so a caller holds no engine state between commands.

use crate::BackupError;
use crate::location::Location;
use crate::s3::{self, S3Backend};
use rustic_backend::BackendOptions;
use rustic_core::{
    BackupOptions, ConfigOptions, Credentials, Excludes, IndexedFullStatus, KeyOptions, OpenStatus,
    PathList, Repository, RepositoryBackends, RepositoryOptions, SnapshotOptions, WriteBackend,
};
use std::path::PathBuf;
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

pub(crate) fn open(
    location: &Location,
    password: &str,
) -> Result<Repository<OpenStatus>, BackupError> {
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
