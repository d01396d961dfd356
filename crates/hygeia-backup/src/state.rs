//! Reading and writing `backup/state.json` (the format is `hygeia_core::backup_state`, shared
//! with `hygeia check`).

use crate::BackupError;
use hygeia_core::backup_state::{BackupState, SCHEMA};
use std::path::Path;

/// The state file's name inside the backup folder.
pub const STATE_FILE: &str = "state.json";

/// The most the state file may be; it holds a few lines per destination.
const MAX_STATE_BYTES: u64 = 4 << 20;

/// Reads the state from `dir`: empty when there is none yet; an error (the file left as it is)
/// when it is damaged.
pub fn load(dir: &Path) -> Result<BackupState, BackupError> {
    let path = dir.join(STATE_FILE);
    let damaged = |why: String| BackupError::Engine {
        doing: "reading the backup history",
        message: format!(
            "{} {why}; move it aside and run `hygeia backup run` to start a new history",
            path.display()
        ),
    };
    let metadata = match std::fs::symlink_metadata(&path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BackupState::default()),
        Err(e) => return Err(damaged(format!("cannot be read ({e})"))),
    };
    if !metadata.is_file() {
        return Err(damaged("is not a regular file".into()));
    }
    if metadata.len() > MAX_STATE_BYTES {
        return Err(damaged("is too large to be Hygeia's".into()));
    }
    let text =
        std::fs::read_to_string(&path).map_err(|e| damaged(format!("cannot be read ({e})")))?;
    let state: BackupState =
        serde_json::from_str(&text).map_err(|e| damaged(format!("is damaged ({e})")))?;
    if state.schema != SCHEMA {
        return Err(damaged(format!("is not a {SCHEMA} file")));
    }
    Ok(state)
}

/// Writes the state to `dir`.
pub fn save(dir: &Path, state: &BackupState) -> Result<(), BackupError> {
    // Plain data always serialises.
    let text = serde_json::to_string_pretty(state).unwrap_or_default();
    write_private(dir, &dir.join(STATE_FILE), text.as_bytes())
}

/// Writes a private file (0600) in `dir`, created when missing, replacing `path` atomically.
pub(crate) fn write_private(dir: &Path, path: &Path, data: &[u8]) -> Result<(), BackupError> {
    let failed = |e: std::io::Error| BackupError::Engine {
        doing: "saving the backup settings",
        message: format!("{}: {e}", path.display()),
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    hygeia_core::private_file::replace_file(path, data, 0o600).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hygeia_core::backup_state::{DestinationState, Media};

    #[test]
    fn the_state_round_trips_and_a_damaged_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).unwrap().destinations.is_empty());
        let mut state = BackupState::default();
        state.destinations.push(DestinationState::new(
            "usb",
            "/media/usb",
            Media::ExternalDisk,
            false,
        ));
        save(dir.path(), &state).unwrap();
        assert_eq!(load(dir.path()).unwrap(), state);

        std::fs::write(dir.path().join(STATE_FILE), "{not json").unwrap();
        let error = load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("damaged"), "{error}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(STATE_FILE)).unwrap(),
            "{not json"
        );
    }
}
