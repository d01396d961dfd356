//! The repository password: from `HYGEIA_BACKUP_PASSWORD`, or a file only its owner can read;
//! never from the command line, where other users of the computer could see it.

use crate::BackupError;
use std::path::Path;

/// The environment variable that may hold the password.
pub const PASSWORD_VARIABLE: &str = "HYGEIA_BACKUP_PASSWORD";

/// The password from `file` when given, else from the environment; `None` when neither has one
/// (the caller may then ask on a terminal).
pub fn from_file_or_environment(file: Option<&Path>) -> Result<Option<String>, BackupError> {
    if let Some(path) = file {
        return read_file(path).map(Some);
    }
    Ok(std::env::var(PASSWORD_VARIABLE)
        .ok()
        .filter(|p| !p.is_empty()))
}

/// The first line of a regular file that only its owner can read or write (mode 0600 or
/// stricter), opened without following a symlink.
fn read_file(path: &Path) -> Result<String, BackupError> {
    let refuse = |why: String| BackupError::PasswordFile {
        path: path.to_path_buf(),
        why,
    };
    let metadata = std::fs::symlink_metadata(path).map_err(|e| refuse(e.to_string()))?;
    if !metadata.file_type().is_file() {
        return Err(refuse(
            "it is not a regular file (a link or a folder is not taken)".into(),
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(refuse(format!(
                "others can read or change it (mode {mode:o}); make it private with `chmod 600 {}`",
                path.display()
            )));
        }
    }
    if metadata.len() > 4096 {
        return Err(refuse("it is larger than a password file can be".into()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| refuse(e.to_string()))?;
    let password = text.lines().next().unwrap_or("").to_string();
    if password.is_empty() {
        return Err(refuse("its first line is empty".into()));
    }
    Ok(password)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn only_a_private_regular_file_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("password");
        std::fs::write(&file, "correct horse\nignored\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_file(&file).unwrap(), "correct horse");

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = read_file(&file).unwrap_err().to_string();
        assert!(error.contains("chmod 600"), "{error}");

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(read_file(&link).is_err());
        assert!(read_file(&dir.path().join("missing")).is_err());
    }
}
