//! The answers a person gives with `hygeia attest` for controls no program can see, kept in
//! the user's config folder (`attestations.json`, schema `hygeia.attestations/1`, mode 0600) and
//! read by every check for 90 days.

use hygeia_core::Attestation;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const STORE_SCHEMA: &str = "hygeia.attestations/1";
const STORE_FILE: &str = "attestations.json";
/// The answers file is small; anything larger is not one.
const MAX_STORE_BYTES: u64 = 4 * 1024 * 1024;

/// What went wrong with the answers file, in words for the person at the keyboard.
#[derive(Debug, thiserror::Error)]
pub enum AnswersError {
    /// No folder to keep them in.
    #[error("cannot find your home folder to store answers; set HYGEIA_CONFIG_DIR to a folder")]
    NoConfigFolder,
    /// The file exists and cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not an answers file (it is left untouched so nothing is lost).
    #[error("{path} is damaged ({why}). Move it aside and answer again with `hygeia attest`.")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The folder or the file cannot be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The folder or file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Where Hygeia keeps its per-user files: `HYGEIA_CONFIG_DIR`, else the platform's config
/// folder (`~/.config/hygeia`, `~/Library/Application Support/hygeia`, `%APPDATA%\hygeia`).
pub fn config_dir() -> Result<PathBuf, AnswersError> {
    if let Some(dir) = std::env::var_os("HYGEIA_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let home = || {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        home().map(|h| h.join("Library").join("Application Support"))
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".config")))
    };
    base.map(|b| b.join("hygeia"))
        .ok_or(AnswersError::NoConfigFolder)
}

/// Reads the stored answers from `dir`. A missing file means no answers; a damaged one is an
/// error (and is left untouched so nothing is lost).
pub fn load(dir: &Path) -> Result<BTreeMap<String, Attestation>, AnswersError> {
    let path = dir.join(STORE_FILE);
    // Through the same guarded reader as the check: as root (`sudo hygeia attest`) a symlink
    // planted in the user's folder is not followed, and a FIFO does not hang.
    let text =
        match crate::safe_read::read_file(&path, MAX_STORE_BYTES, crate::programs::privileged()) {
            Ok((bytes, _)) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(source) => return Err(AnswersError::Read { path, source }),
        };
    let damaged = |why: String| AnswersError::Damaged {
        path: path.clone(),
        why,
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
    if value.get("schema").and_then(Value::as_str) != Some(STORE_SCHEMA) {
        return Err(damaged(format!("it is not a {STORE_SCHEMA} file")));
    }
    serde_json::from_value(
        value
            .get("answers")
            .cloned()
            .unwrap_or(Value::Object(Default::default())),
    )
    .map_err(|e| damaged(e.to_string()))
}

/// Writes every answer to `dir` (created when missing): a new file with mode 0600 renamed over
/// the old one, so a crash leaves either the old answers or the new, never half a file.
pub fn save(dir: &Path, answers: &BTreeMap<String, Attestation>) -> Result<PathBuf, AnswersError> {
    let unwritable = |path: &Path| {
        let path = path.to_path_buf();
        move |source| AnswersError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(unwritable(dir))?;
    crate::safe_read::check_folder(dir, crate::programs::privileged()).map_err(unwritable(dir))?;
    let path = dir.join(STORE_FILE);
    let document = serde_json::json!({ "schema": STORE_SCHEMA, "answers": answers });
    // Plain data always serialises.
    let text = serde_json::to_string_pretty(&document).unwrap_or_default();
    hygeia_core::private_file::replace_file(&path, text.as_bytes(), 0o600)
        .map_err(unwritable(&path))?;
    Ok(path)
}

/// Who is answering: the person behind `sudo`, else the logged-in user.
pub fn who() -> String {
    ["SUDO_USER", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(yes: bool) -> Attestation {
        Attestation {
            answer: yes,
            by: "dr.lee".into(),
            at: "2026-11-28T12:00:00Z".into(),
            note: None,
        }
    }

    #[test]
    fn saved_answers_read_back_and_no_file_means_none() {
        let dir = std::env::temp_dir().join(format!("hygeia-answers-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(load(&dir).unwrap().is_empty());
        let mut answers = BTreeMap::new();
        answers.insert("HY-EM-001".to_string(), answer(true));
        let path = save(&dir, &answers).unwrap();
        assert_eq!(load(&dir).unwrap(), answers);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "{\"schema\": \"other\"}").unwrap();
        assert!(matches!(load(&dir), Err(AnswersError::Damaged { .. })));
        // A damaged file is left as it was.
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"schema\": \"other\"}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
