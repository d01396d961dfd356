//! Which file runs when a probe names a program (`ufw`, `lsblk`, `kill`).
//!
//! `sudo hygeia check` and the agent run as root. On macOS sudo keeps the caller's `PATH`, whose
//! Homebrew folders the user can write; an empty `PATH` entry means the current folder. Finding
//! programs through `PATH` as root would let anything the user runs become root. So, with
//! privileges, programs come only from fixed system folders, and only when neither the file nor
//! any folder above it can be changed by another user than root.

use std::path::{Path, PathBuf};

/// What to run for a program name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// This file.
    Run(PathBuf),
    /// No such program where it may be taken from.
    Missing,
    /// Found, but another user than root could change it: refused as root, with the reason.
    Unsafe(String),
}

/// Folders searched with privileges, in order.
#[cfg(target_os = "macos")]
const SYSTEM_FOLDERS: &[&str] = &[
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
    "/usr/libexec",
    "/usr/local/sbin",
    "/usr/local/bin",
];
#[cfg(not(target_os = "macos"))]
const SYSTEM_FOLDERS: &[&str] = &[
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
    "/usr/local/sbin",
    "/usr/local/bin",
];

/// Folders added after `PATH` without privileges: an unprivileged user's `PATH` often lacks
/// them, and they hold ufw, nft, sshd and ip on many distributions.
const SBIN_FOLDERS: &[&str] = &["/usr/local/sbin", "/usr/sbin", "/sbin"];

/// The folder searched before all others in debug builds, for tests that need a fake program
/// (a command that hangs). Release builds ignore it, so it can never redirect a root run.
pub const TEST_PROGRAM_DIR_VARIABLE: &str = "HYGEIA_TEST_PROGRAM_DIR";

/// Whether this process runs with privileges (effective user root).
pub fn privileged() -> bool {
    #[cfg(unix)]
    {
        rustix::process::geteuid().is_root()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// The file to run for `program` in this process.
pub fn resolve(program: &str) -> Resolution {
    let test_dir = if cfg!(debug_assertions) {
        std::env::var_os(TEST_PROGRAM_DIR_VARIABLE).map(PathBuf::from)
    } else {
        None
    };
    resolve_with(
        program,
        privileged(),
        std::env::var_os("PATH").as_deref(),
        test_dir.as_deref(),
    )
}

/// [`resolve`] with its inputs given: whether privileged, the `PATH` value, the test folder.
pub fn resolve_with(
    program: &str,
    privileged: bool,
    path: Option<&std::ffi::OsStr>,
    test_dir: Option<&Path>,
) -> Resolution {
    if !cfg!(unix) {
        return resolve_windows(program);
    }
    if let Some(dir) = test_dir
        && dir.join(program).is_file()
    {
        return Resolution::Run(dir.join(program));
    }
    if program.contains('/') {
        let given = PathBuf::from(program);
        if !given.is_absolute() {
            return Resolution::Unsafe(format!(
                "{program} is a relative path; only absolute paths are run"
            ));
        }
        return checked(given, privileged);
    }
    if privileged {
        return SYSTEM_FOLDERS
            .iter()
            .map(|dir| Path::new(dir).join(program))
            .find(|candidate| candidate.is_file())
            .map_or(Resolution::Missing, |found| checked(found, true));
    }
    // Unprivileged: the user's own PATH may point anywhere they like (it runs as them), but an
    // empty or relative entry would run whatever sits in the current folder.
    let from_path: Vec<PathBuf> = path
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    from_path
        .into_iter()
        .filter(|dir| dir.is_absolute())
        .chain(SBIN_FOLDERS.iter().map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .map_or(Resolution::Missing, Resolution::Run)
}

/// With privileges, a file runs only if root alone can change it and every folder above it.
fn checked(file: PathBuf, privileged: bool) -> Resolution {
    if !privileged {
        return Resolution::Run(file);
    }
    match writable_by_others(&file) {
        Ok(None) => Resolution::Run(file),
        Ok(Some(why)) => Resolution::Unsafe(why),
        Err(error) => Resolution::Unsafe(format!("cannot check {}: {error}", file.display())),
    }
}

/// Why `file` could be changed by someone other than root (`None` if it cannot). Checks the
/// name as found and, through symlinks, the real file, with every folder above each.
#[cfg(unix)]
fn writable_by_others(file: &Path) -> std::io::Result<Option<String>> {
    use std::os::unix::fs::MetadataExt;
    let real = std::fs::canonicalize(file)?;
    let mut paths: Vec<&Path> = real.ancestors().collect();
    paths.extend(file.parent().map(Path::ancestors).into_iter().flatten());
    for path in paths {
        // symlink_metadata: a symlink's own mode is meaningless, but its folder is checked too.
        let metadata = std::fs::symlink_metadata(path)?;
        if metadata.file_type().is_symlink() {
            continue;
        }
        if metadata.uid() != 0 {
            return Ok(Some(format!(
                "{} belongs to user id {}, not root; as administrator only programs that root alone can change are run",
                path.display(),
                metadata.uid()
            )));
        }
        if metadata.mode() & 0o022 != 0 {
            return Ok(Some(format!(
                "{} can be changed by other users (mode {:o}); as administrator only programs that root alone can change are run",
                path.display(),
                metadata.mode() & 0o7777
            )));
        }
    }
    Ok(None)
}

#[cfg(not(unix))]
fn writable_by_others(_file: &Path) -> std::io::Result<Option<String>> {
    Ok(None)
}

/// On Windows the programs Hygeia runs are Windows' own: take them from the system folder,
/// never from the current folder or a user's `PATH`.
fn resolve_windows(program: &str) -> Resolution {
    let root = std::env::var_os("SystemRoot")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(r"C:\Windows"));
    let name = if program.to_ascii_lowercase().ends_with(".exe") {
        program.to_string()
    } else {
        format!("{program}.exe")
    };
    let folders = [
        root.join("System32"),
        root.join(r"System32\WindowsPowerShell\v1.0"),
        root.join(r"System32\wbem"),
    ];
    if Path::new(program).is_absolute() {
        return Resolution::Run(PathBuf::from(program));
    }
    folders
        .iter()
        .map(|dir| dir.join(&name))
        .find(|candidate| candidate.is_file())
        .map_or(Resolution::Missing, Resolution::Run)
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn fake(dir: &Path, name: &str) -> PathBuf {
        let file = dir.join(name);
        std::fs::write(&file, "#!/bin/sh\ntouch \"$0.ran\"\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        file
    }

    #[test]
    fn privileged_runs_ignore_path_and_the_current_folder() {
        let dir = tempfile_dir("priv");
        fake(&dir, "sh");
        let path = std::ffi::OsString::from(format!("{}::.:relative", dir.display()));
        match resolve_with("sh", true, Some(&path), None) {
            Resolution::Run(file) => assert!(file.starts_with("/usr") || file.starts_with("/bin")),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            resolve_with("hygeia-no-such-program", true, Some(&path), None),
            Resolution::Missing
        );
    }

    #[test]
    fn unprivileged_runs_skip_empty_and_relative_entries() {
        let dir = tempfile_dir("unpriv");
        let name = "hygeia-fake-program-xyz";
        fake(&dir, name);
        let path = std::ffi::OsString::from(format!(":.:{}", dir.display()));
        assert_eq!(
            resolve_with(name, false, Some(&path), None),
            Resolution::Run(dir.join(name))
        );
        // The same folder named relative to the current one ("../../tmp/..."): skipped, as an
        // empty entry or "." would be, since it changes with the folder the check starts in.
        let cwd = std::env::current_dir().unwrap();
        let up = "../".repeat(cwd.components().count().saturating_sub(1));
        let relative = format!("{up}{}", dir.display().to_string().trim_start_matches('/'));
        assert!(Path::new(&relative).join(name).is_file());
        let path = std::ffi::OsString::from(format!(":{relative}"));
        assert_eq!(
            resolve_with(name, false, Some(&path), None),
            Resolution::Missing
        );
    }

    #[test]
    fn a_program_others_can_change_is_refused_with_privileges() {
        let dir = tempfile_dir("writable");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let file = fake(&dir, "tool");
        match resolve_with(file.to_str().unwrap(), true, None, None) {
            Resolution::Unsafe(why) => assert!(
                why.contains("changed by other users") || why.contains("not root"),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            resolve_with("relative/tool", true, None, None),
            Resolution::Unsafe(
                "relative/tool is a relative path; only absolute paths are run".into()
            )
        );
    }

    #[test]
    fn the_test_folder_comes_first() {
        let dir = tempfile_dir("hook");
        let file = fake(&dir, "lsblk");
        assert_eq!(
            resolve_with("lsblk", true, None, Some(&dir)),
            Resolution::Run(file)
        );
    }

    fn tempfile_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "hygeia-programs-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
