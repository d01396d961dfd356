//! Writing a file so that a planted symlink cannot redirect it: `sudo hygeia check
//! --save-snapshot`, `hygeia attest` and the agent write as root into folders that a user may
//! control. The one place in this crate that writes, kept here so every writer shares it.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Replaces `path` with `data`, atomically. The data goes to a new temporary file beside it,
/// created exclusively (`O_CREAT | O_EXCL`: never an existing file, never through a symlink)
/// with a random name and `mode` (0600 for anything private), flushed to disk, then renamed
/// over `path` (a rename replaces a symlink at `path` itself, never what it points to).
pub fn replace_file(path: &Path, data: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let (temporary, mut file) = create_temporary(&dir, &name, mode)?;
    let written = file
        .write_all(data)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

fn create_temporary(
    dir: &Path,
    name: &str,
    mode: u32,
) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut last_error = None;
    for attempt in 0..16u32 {
        let temporary = dir.join(format!(
            ".{name}.{}.{}.partial",
            std::process::id(),
            nonce(attempt)
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        match options.open(&temporary) {
            Ok(file) => return Ok((temporary, file)),
            // Something already has that name (planted or left over): take another.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                last_error = Some(error);
            }
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// A name part that another user cannot predict well enough to plant a file there first.
fn nonce(attempt: u32) -> String {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded from the operating system's random source for each process.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(attempt);
    if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(now.as_nanos());
    }
    format!("{:016x}", hasher.finish())
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("hygeia-private-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_symlink_at_the_target_is_replaced_not_followed() {
        let dir = dir("target");
        let victim = dir.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let target = dir.join("snapshot.json");
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        replace_file(&target, b"new", 0o600).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(
            !std::fs::symlink_metadata(&target)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn leftovers_and_symlinks_at_old_temporary_names_are_left_alone() {
        let dir = dir("partial");
        let victim = dir.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        for name in [
            "snapshot.json.partial",
            ".snapshot.json.partial",
            "snapshot.json.tmp",
        ] {
            std::os::unix::fs::symlink(&victim, dir.join(name)).unwrap();
        }
        replace_file(&dir.join("snapshot.json"), b"new", 0o600).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        let partials = std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                let e = e.as_ref().unwrap();
                e.file_name().to_string_lossy().ends_with(".partial")
                    && !e.file_type().unwrap().is_symlink()
            })
            .count();
        assert_eq!(partials, 0, "a temporary file was left behind");
    }
}
