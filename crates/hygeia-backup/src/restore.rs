//! Getting files back: a whole snapshot, one folder or one file, into a folder, in passes that
//! bound the memory the engine uses, never replacing a file that exists unless asked.

use crate::BackupError;
use crate::location::Location;
use crate::repository::open_indexed;
use rustic_core::{
    IndexedFullStatus, LocalDestination, LsOptions, Repository, RestoreOptions, repofile::Node,
};
use std::path::{Path, PathBuf};

/// What a restore wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    /// The snapshot restored from.
    pub snapshot: String,
    /// Files in what was restored.
    pub files: usize,
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
    let repository = open_indexed(location, password)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repository::{backup, init};

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
