//! `hygeia backup verify`: proves a repository can give the files back.
//!
//! 1. The engine's structural check (index, snapshots, trees, pack sizes).
//! 2. A share of the pack files read back and hashed: a pack's name is the SHA-256 of its
//!    content, so any damaged byte shows. The backed-up files whose data is in a damaged pack
//!    are named, so the person knows what is at risk.
//! 3. A restore test: a random sample of files from the newest snapshot restored to a private
//!    temporary folder and compared byte for byte with the snapshot's content (and with the
//!    original file when it has not changed since).

use crate::BackupError;
use crate::location::Location;
use crate::repository::{self, open_indexed};
use crate::scratch::{Random, Scratch};
use hygeia_core::backup_state::VerifyRecord;
use rustic_core::{
    CheckOptions, FileType, Id, IndexedFullStatus, LsOptions, Repository, repofile::Node,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The most damaged files listed (the count is always exact).
const MAX_DAMAGED_FILES_LISTED: usize = 200;

/// How much to verify.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VerifyOptions {
    /// Share of the pack files to read and hash, in percent (0 to 100).
    pub read_data_percent: f64,
    /// How many files the restore test restores.
    pub sample_files: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            read_data_percent: 0.0,
            sample_files: 20,
        }
    }
}

/// Verifies the repository at `location`.
pub fn verify(
    location: &Location,
    password: &str,
    options: VerifyOptions,
) -> Result<VerifyRecord, BackupError> {
    let mut random = Random::new();
    let mut record = VerifyRecord {
        at: hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc()),
        snapshot: None,
        files_tested: 0,
        bytes_compared: 0,
        data_read_percent: options.read_data_percent.clamp(0.0, 100.0),
        errors: Vec::new(),
        damaged_files: Vec::new(),
    };
    structural_check(location, password, &mut record)?;
    let damaged = read_packs(
        location,
        options.read_data_percent,
        &mut random,
        &mut record,
    )?;
    let repository = open_indexed(location, password)?;
    if !damaged.is_empty() {
        damaged_files(&repository, &damaged, &mut record)?;
    }
    restore_test(&repository, options.sample_files, &mut random, &mut record)?;
    Ok(record)
}

fn structural_check(
    location: &Location,
    password: &str,
    record: &mut VerifyRecord,
) -> Result<(), BackupError> {
    let results = repository::open_for_check(location, password)?
        .check(CheckOptions::default())
        .map_err(BackupError::engine("checking the repository"))?;
    for (level, error) in &results.0 {
        // Warnings (an unreferenced pack left by an interrupted backup) do not put data at risk.
        if format!("{level:?}") == "Error" {
            record.errors.push(format!("check: {error}"));
        }
    }
    Ok(())
}

/// Reads `percent` of the pack files (by size, at random, at least one when above 0) and
/// returns the ids of those whose content does not match their name.
fn read_packs(
    location: &Location,
    percent: f64,
    random: &mut Random,
    record: &mut VerifyRecord,
) -> Result<BTreeSet<Id>, BackupError> {
    let mut damaged = BTreeSet::new();
    if percent <= 0.0 {
        return Ok(damaged);
    }
    let storage = repository::storage(location)?;
    let mut packs = storage
        .list_with_size(FileType::Pack)
        .map_err(BackupError::engine("listing the pack files"))?;
    random.shuffle(&mut packs);
    let total: u64 = packs.iter().map(|(_, size)| u64::from(*size)).sum();
    let budget = (total as f64 * percent.min(100.0) / 100.0).ceil() as u64;
    let mut read = 0u64;
    for (id, size) in packs {
        if read >= budget && percent < 100.0 {
            break;
        }
        read += u64::from(size);
        match storage.read_full(FileType::Pack, &id) {
            Ok(content) => {
                let computed: String = Sha256::digest(&content)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                if computed != id.to_hex().as_str() {
                    record.errors.push(format!(
                        "pack {} is damaged: its content no longer matches its checksum",
                        id.to_hex().as_str()
                    ));
                    damaged.insert(id);
                }
            }
            Err(error) => {
                record.errors.push(format!(
                    "pack {} cannot be read: {}",
                    id.to_hex().as_str(),
                    crate::engine_message(&error)
                ));
                damaged.insert(id);
            }
        }
    }
    Ok(damaged)
}

/// Names every file, in every snapshot, with data in a damaged pack.
fn damaged_files(
    repository: &Repository<IndexedFullStatus>,
    damaged: &BTreeSet<Id>,
    record: &mut VerifyRecord,
) -> Result<(), BackupError> {
    let mut names = BTreeSet::new();
    for snapshot in repository
        .get_all_snapshots()
        .map_err(BackupError::engine("listing the snapshots"))?
    {
        let root = repository
            .node_from_snapshot_and_path(&snapshot, "")
            .map_err(BackupError::engine("reading a snapshot"))?;
        for entry in repository
            .ls(&root, &LsOptions::default())
            .map_err(BackupError::engine("listing a snapshot"))?
        {
            let Ok((path, node)) = entry else {
                continue;
            };
            let hit = node.content.iter().flatten().any(|blob| {
                repository
                    .get_index_entry(blob)
                    .is_ok_and(|entry| damaged.contains(&*entry.pack))
            });
            if hit {
                names.insert(format!("/{}", path.display()));
            }
        }
    }
    if !names.is_empty() {
        record.errors.push(format!(
            "{} backed-up file(s) have data in the damaged part; make a new backup of them now",
            names.len()
        ));
    }
    record.damaged_files = names.into_iter().take(MAX_DAMAGED_FILES_LISTED).collect();
    Ok(())
}

/// Restores a random sample of the newest snapshot's files and compares them.
fn restore_test(
    repository: &Repository<IndexedFullStatus>,
    sample_files: usize,
    random: &mut Random,
    record: &mut VerifyRecord,
) -> Result<(), BackupError> {
    let snapshots = repository
        .get_all_snapshots()
        .map_err(BackupError::engine("listing the snapshots"))?;
    let Some(newest) = snapshots.into_iter().max_by_key(|s| s.time.clone()) else {
        record
            .errors
            .push("the repository holds no snapshot to restore from".into());
        return Ok(());
    };
    record.snapshot = Some(newest.id.to_string());
    let root = repository
        .node_from_snapshot_and_path(&newest, "")
        .map_err(BackupError::engine("reading the snapshot"))?;
    let mut files: Vec<(PathBuf, Node)> = Vec::new();
    for entry in repository
        .ls(&root, &LsOptions::default())
        .map_err(BackupError::engine("listing the snapshot"))?
    {
        match entry {
            Ok((path, node)) if node.is_file() => files.push((path, node)),
            Ok(_) => {}
            Err(error) => record.errors.push(format!(
                "listing the snapshot: {}",
                crate::engine_message(&error)
            )),
        }
    }
    random.shuffle(&mut files);
    files.truncate(sample_files);
    let scratch = Scratch::create()?;
    for (index, (path, node)) in files.iter().enumerate() {
        let target = scratch.0.join(format!("file-{index}"));
        let shown = format!("/{}", path.display());
        // Read through the index first: a damaged blob is reported here as the file it
        // belongs to, before the restore meets it.
        let readable = repository
            .open_file(node)
            .and_then(|open| repository.read_file_at(&open, 0, node.meta.size as usize));
        if let Err(error) = readable {
            record.files_tested += 1;
            record.errors.push(format!(
                "{shown} cannot be read back: {}",
                crate::engine_message(&error)
            ));
            continue;
        }
        if let Err(error) = crate::restore::restore_node(repository, node, &target) {
            record.errors.push(format!("restoring {shown}: {error}"));
            continue;
        }
        match compare(repository, node, &target, &shown) {
            Ok(bytes) => {
                record.files_tested += 1;
                record.bytes_compared += bytes;
            }
            Err(why) => {
                record.files_tested += 1;
                record.errors.push(why);
            }
        }
    }
    Ok(())
}

/// Compares a restored file with the snapshot's content and, when it is unchanged since the
/// backup, with the original. Returns the bytes compared.
fn compare(
    repository: &Repository<IndexedFullStatus>,
    node: &Node,
    restored: &Path,
    shown: &str,
) -> Result<u64, String> {
    let restored_bytes =
        std::fs::read(restored).map_err(|e| format!("reading the restored {shown}: {e}"))?;
    if restored_bytes.len() as u64 != node.meta.size {
        return Err(format!(
            "{shown} came back with {} bytes instead of {}",
            restored_bytes.len(),
            node.meta.size
        ));
    }
    let open = repository.open_file(node).map_err(|e| {
        format!(
            "reading {shown} from the snapshot: {}",
            crate::engine_message(&e)
        )
    })?;
    let from_snapshot = repository
        .read_file_at(&open, 0, restored_bytes.len())
        .map_err(|e| {
            format!(
                "reading {shown} from the snapshot: {}",
                crate::engine_message(&e)
            )
        })?;
    if from_snapshot.as_ref() != restored_bytes.as_slice() {
        return Err(format!(
            "{shown} came back different from the snapshot's content"
        ));
    }
    if original_unchanged(node, Path::new(shown)) {
        let mut original = Vec::new();
        let read = std::fs::File::open(shown)
            .and_then(|f| f.take(node.meta.size + 1).read_to_end(&mut original));
        if read.is_ok() && original != restored_bytes {
            return Err(format!(
                "{shown} came back different from the original, which has not changed since the backup"
            ));
        }
    }
    Ok(restored_bytes.len() as u64)
}

/// Whether the original file is still there with the size and modification time it was backed
/// up with.
fn original_unchanged(node: &Node, original: &Path) -> bool {
    let Ok(metadata) = std::fs::symlink_metadata(original) else {
        return false;
    };
    let Some(backed_up) = node.meta.mtime else {
        return false;
    };
    let modified = metadata
        .modified()
        .ok()
        .and_then(|m| rustic_core::jiff::Timestamp::try_from(m).ok());
    metadata.is_file()
        && metadata.len() == node.meta.size
        && modified.is_some_and(|m| m == backed_up)
}
