//! Reading files and folders so that another user cannot steer a root run.
//!
//! `sudo hygeia check` and the agent read per-user files (`~/.config/kscreenlockerrc`) from
//! folders that the user controls. A symlink planted there could put a root-only file into a
//! snapshot; a FIFO would hang the check forever. So every read here:
//! - opens without blocking (`O_NONBLOCK`) and reads only regular files;
//! - is capped in size;
//! - with privileges, walks the path one folder at a time and follows a symlink only when the
//!   folder holding it belongs to root and nobody else can write to it (`/etc/os-release` is a
//!   symlink that root made; `~/.config/x -> /etc/shadow` is refused).

use std::io::Read;
use std::path::Path;

/// A folder entry as read: its name, its content (for regular files, when asked), and its
/// modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// File name.
    pub name: String,
    /// Content (at most the size cap), for regular files when contents were asked for.
    pub content: Option<Vec<u8>>,
    /// Modification time, seconds since 1970.
    pub modified: Option<i64>,
}

fn refused(path: &Path, why: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("{} {why}", path.display()),
    )
}

/// Reads at most `max_bytes` of the regular file at `path`; returns the bytes and the
/// modification time.
pub fn read_file(
    path: &Path,
    max_bytes: u64,
    privileged: bool,
) -> std::io::Result<(Vec<u8>, Option<i64>)> {
    let file = open(path, privileged, false)?;
    let modified = modified_seconds(&file.metadata()?);
    let mut bytes = Vec::new();
    file.take(max_bytes).read_to_end(&mut bytes)?;
    Ok((bytes, modified))
}

/// Lists a folder (at most `max_entries`, in no order), with the content of each regular file
/// when `with_content`.
pub fn list_dir(
    path: &Path,
    max_entries: usize,
    with_content: Option<u64>,
    privileged: bool,
) -> std::io::Result<Vec<Entry>> {
    imp::list_dir(path, max_entries, with_content, privileged)
}

/// Checks that `path` is a folder reached without a symbolic link from a folder another user
/// controls (with privileges; without, only that it is a folder): where root may write.
pub fn check_folder(path: &Path, privileged: bool) -> std::io::Result<()> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    open(&absolute, privileged, true).map(|_| ())
}

fn open(path: &Path, privileged: bool, directory: bool) -> std::io::Result<std::fs::File> {
    let file = imp::open(path, privileged, directory)?;
    let metadata = file.metadata()?;
    if directory && !metadata.is_dir() {
        return Err(refused(path, "is not a folder"));
    }
    if !directory && !metadata.is_file() {
        return Err(refused(path, "is not a regular file; not read"));
    }
    Ok(file)
}

fn modified_seconds(metadata: &std::fs::Metadata) -> Option<i64> {
    let since = metadata
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    i64::try_from(since.as_secs()).ok()
}

#[cfg(unix)]
mod imp {
    use super::{Entry, refused};
    use rustix::fs::{Mode, OFlags};
    use std::io::Read;
    use std::os::fd::{AsFd, OwnedFd};
    use std::path::{Component, Path};

    fn base_flags() -> OFlags {
        OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK
    }

    /// Root alone can change what is in this folder.
    fn trusted(fd: impl AsFd) -> std::io::Result<bool> {
        let stat = rustix::fs::fstat(fd)?;
        Ok(stat.st_uid == 0 && (stat.st_mode as u32) & 0o022 == 0)
    }

    /// Opens `name` inside `dir`. In a folder another user controls, a symlink is not
    /// followed.
    fn open_in(
        dir: &OwnedFd,
        dir_trusted: bool,
        name: &std::ffi::OsStr,
        flags: OFlags,
        whole: &Path,
    ) -> std::io::Result<OwnedFd> {
        let flags = if dir_trusted {
            flags
        } else {
            flags | OFlags::NOFOLLOW
        };
        rustix::fs::openat(dir, name, flags, Mode::empty()).map_err(|error| {
            if error == rustix::io::Errno::LOOP
                || (!dir_trusted && error == rustix::io::Errno::NOTDIR && is_symlink(dir, name))
            {
                refused(
                    whole,
                    "passes through a symbolic link in a folder another user controls; not followed",
                )
            } else {
                std::io::Error::from(error)
            }
        })
    }

    fn is_symlink(dir: &OwnedFd, name: &std::ffi::OsStr) -> bool {
        rustix::fs::statat(dir, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW).is_ok_and(|s| {
            rustix::fs::FileType::from_raw_mode(s.st_mode) == rustix::fs::FileType::Symlink
        })
    }

    /// Opens `path` one folder at a time (with privileges), or directly (without).
    pub(super) fn open(
        path: &Path,
        privileged: bool,
        directory: bool,
    ) -> std::io::Result<std::fs::File> {
        let last_flags = if directory {
            base_flags() | OFlags::DIRECTORY
        } else {
            base_flags()
        };
        if !privileged {
            let fd = rustix::fs::open(path, last_flags, Mode::empty())?;
            return Ok(std::fs::File::from(fd));
        }
        Ok(std::fs::File::from(walk(path, last_flags)?.0))
    }

    /// The walk: returns the opened descriptor and whether the folder holding it is trusted.
    fn walk(path: &Path, last_flags: OFlags) -> std::io::Result<(OwnedFd, bool)> {
        if !path.is_absolute() {
            return Err(refused(path, "is not an absolute path"));
        }
        let names: Vec<&std::ffi::OsStr> = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(name) => Some(Ok(name)),
                Component::ParentDir => Some(Err(())),
                _ => None,
            })
            .collect::<Result<_, _>>()
            .map_err(|()| refused(path, "contains '..'; not read"))?;
        let mut dir = rustix::fs::open("/", base_flags() | OFlags::DIRECTORY, Mode::empty())?;
        let mut dir_trusted = trusted(&dir)?;
        let Some((last, folders)) = names.split_last() else {
            return Ok((dir, true));
        };
        for name in folders {
            let next = open_in(
                &dir,
                dir_trusted,
                name,
                base_flags() | OFlags::DIRECTORY,
                path,
            )?;
            dir_trusted = trusted(&next)?;
            dir = next;
        }
        let fd = open_in(&dir, dir_trusted, last, last_flags, path)?;
        Ok((fd, dir_trusted))
    }

    pub(super) fn list_dir(
        path: &Path,
        max_entries: usize,
        with_content: Option<u64>,
        privileged: bool,
    ) -> std::io::Result<Vec<Entry>> {
        let flags = base_flags() | OFlags::DIRECTORY;
        let dir = if privileged {
            walk(path, flags)?.0
        } else {
            rustix::fs::open(path, flags, Mode::empty())?
        };
        // Entries inside: followed only if root alone controls this folder.
        let inside_trusted = !privileged || trusted(&dir)?;
        let mut entries = Vec::new();
        let reader = rustix::fs::Dir::read_from(&dir)?;
        for entry in reader {
            if entries.len() >= max_entries {
                break;
            }
            let entry = entry?;
            let name_c = entry.file_name();
            let name_bytes = name_c.to_bytes();
            if name_bytes == b"." || name_bytes == b".." {
                continue;
            }
            let name = String::from_utf8_lossy(name_bytes).into_owned();
            let stat = rustix::fs::statat(
                &dir,
                name_c,
                if inside_trusted {
                    rustix::fs::AtFlags::empty()
                } else {
                    rustix::fs::AtFlags::SYMLINK_NOFOLLOW
                },
            )
            .ok();
            let regular = stat.as_ref().is_some_and(|s| {
                rustix::fs::FileType::from_raw_mode(s.st_mode) == rustix::fs::FileType::RegularFile
            });
            let content = match with_content {
                Some(max) if regular => {
                    let flags = if inside_trusted {
                        base_flags()
                    } else {
                        base_flags() | OFlags::NOFOLLOW
                    };
                    rustix::fs::openat(&dir, name_c, flags, Mode::empty())
                        .ok()
                        .map(std::fs::File::from)
                        .filter(|f| f.metadata().is_ok_and(|m| m.is_file()))
                        .and_then(|f| {
                            let mut bytes = Vec::new();
                            f.take(max).read_to_end(&mut bytes).ok().map(|_| bytes)
                        })
                }
                _ => None,
            };
            // st_mtime is i64 here but narrower on some platforms.
            #[allow(clippy::useless_conversion)]
            let modified = stat.and_then(|s| i64::try_from(s.st_mtime).ok());
            entries.push(Entry {
                name,
                content,
                modified,
            });
        }
        Ok(entries)
    }
}

#[cfg(not(unix))]
mod imp {
    use super::{Entry, modified_seconds, refused};
    use std::io::Read;
    use std::path::Path;

    pub(super) fn open(
        path: &Path,
        _privileged: bool,
        directory: bool,
    ) -> std::io::Result<std::fs::File> {
        if !directory && std::fs::symlink_metadata(path)?.file_type().is_symlink() {
            return Err(refused(path, "is a symbolic link; not followed"));
        }
        std::fs::File::open(path)
    }

    pub(super) fn list_dir(
        path: &Path,
        max_entries: usize,
        with_content: Option<u64>,
        _privileged: bool,
    ) -> std::io::Result<Vec<Entry>> {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(path)?.flatten().take(max_entries) {
            let metadata = entry.metadata().ok();
            let content = match with_content {
                Some(max) if metadata.as_ref().is_some_and(|m| m.is_file()) => {
                    std::fs::File::open(entry.path()).ok().and_then(|f| {
                        let mut bytes = Vec::new();
                        f.take(max).read_to_end(&mut bytes).ok().map(|_| bytes)
                    })
                }
                _ => None,
            };
            entries.push(Entry {
                name: entry.file_name().to_string_lossy().into_owned(),
                content,
                modified: metadata.as_ref().and_then(modified_seconds),
            });
        }
        Ok(entries)
    }
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    fn home(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("hygeia-safe-read-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".config")).unwrap();
        // Folders another user can change, as a user's home is for a root run.
        for folder in [dir.clone(), dir.join(".config")] {
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        dir
    }

    #[test]
    fn a_symlink_in_a_folder_another_user_controls_is_not_followed() {
        let home = home("symlink");
        let secret = home.join("root-only");
        std::fs::write(&secret, "secret").unwrap();
        let planted = home.join(".config/kscreenlockerrc");
        std::os::unix::fs::symlink(&secret, &planted).unwrap();
        let error = read_file(&planted, 1024, true).unwrap_err();
        assert!(error.to_string().contains("symbolic link"), "{error}");
        // A symlinked folder on the way is refused too.
        let linked = home.join("linked");
        std::os::unix::fs::symlink(home.join(".config"), &linked).unwrap();
        std::fs::write(home.join(".config/plain"), "x").unwrap();
        assert!(read_file(&linked.join("plain"), 1024, true).is_err());
        // Without privileges the user reads its own files as it likes.
        assert_eq!(read_file(&planted, 1024, false).unwrap().0, b"secret");
    }

    #[test]
    fn a_folder_reached_through_a_planted_symlink_is_not_written_to() {
        let home = home("folder");
        let elsewhere = home.join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, home.join("snap")).unwrap();
        assert!(check_folder(&home.join("snap"), true).is_err());
        assert!(check_folder(&elsewhere, true).is_ok());
        assert!(check_folder(&home.join("snap"), false).is_ok());
    }

    #[test]
    fn symlinks_root_made_in_root_folders_are_followed() {
        // /proc/self is a symlink in /proc, a root folder: followed.
        let (bytes, _) = read_file(Path::new("/proc/self/comm"), 1024, true).unwrap();
        assert!(!bytes.is_empty());
    }

    #[test]
    fn a_fifo_is_not_read_and_does_not_hang() {
        let home = home("fifo");
        let fifo = home.join(".config/kscreenlockerrc");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        for privileged in [true, false] {
            let error = read_file(&fifo, 1024, privileged).unwrap_err();
            assert!(error.to_string().contains("not a regular file"), "{error}");
        }
        let entries = list_dir(&home.join(".config"), 10, Some(1024), true).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].content, None);
    }

    #[test]
    fn reads_are_capped_and_listing_reads_regular_files() {
        let home = home("cap");
        std::fs::write(home.join(".config/big"), vec![b'a'; 5000]).unwrap();
        let (bytes, modified) = read_file(&home.join(".config/big"), 100, true).unwrap();
        assert_eq!(bytes.len(), 100);
        assert!(modified.is_some());
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o755)).unwrap();
        let entries = list_dir(&home.join(".config"), 10, Some(10), false).unwrap();
        assert_eq!(entries[0].content.as_deref().map(<[u8]>::len), Some(10));
    }
}
