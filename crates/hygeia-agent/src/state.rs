//! The agent's state directory: its enrolment (server, node key) and the queue of unsent
//! reports. The practice's enroll secret is not kept: it would let whoever reads this folder
//! enroll any number of computers. Only the account that runs the agent can read it (0700/0600 on Unix), since the
//! node key lets anyone report in this computer's name.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Why the state cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing a file.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The enrolment file is damaged.
    #[error("the enrolment file {0} is damaged; enroll again with `hygeia agent enroll`")]
    Damaged(PathBuf),
    /// Not enrolled yet.
    #[error(
        "this computer is not enrolled yet (no {0}); run `hygeia agent enroll --server URL --secret SECRET` first"
    )]
    NotEnrolled(PathBuf),
}

/// The default state directory for this platform and account.
pub fn default_dir() -> PathBuf {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return env("ProgramData")
            .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"))
            .join("Hygeia")
            .join("agent");
    }
    let root = env("USER").is_some_and(|u| u == Path::new("root"))
        || env("HOME").is_some_and(|h| h == Path::new("/root"));
    if cfg!(target_os = "macos") {
        return if root {
            PathBuf::from("/Library/Application Support/Hygeia/agent")
        } else {
            env("HOME")
                .unwrap_or_default()
                .join("Library/Application Support/Hygeia/agent")
        };
    }
    if root {
        return PathBuf::from("/var/lib/hygeia-agent");
    }
    env("XDG_STATE_HOME")
        .or_else(|| env("HOME").map(|h| h.join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("hygeia-agent")
}

/// What enrolment gave this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Server base URL (`https://hygeia.practice.example:8443`).
    pub server: String,
    /// A CA certificate file (PEM) to trust for the server, instead of the public roots.
    pub ca_file: Option<PathBuf>,
    /// This computer's node key.
    pub node_key: String,
    /// This computer's id on the server.
    pub host_id: i64,
    /// Set when the server answered that an administrator removed this computer: when, and the
    /// server's words. The agent then stops until it is enrolled again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<Removed>,
}

/// The server's word that this computer was removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    /// When the agent learnt it (RFC 3339).
    pub at: String,
    /// What the server said.
    pub message: String,
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> StateError + 'a {
    move |source| StateError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Creates the directory readable by its owner only.
pub fn ensure_private_dir(dir: &Path) -> Result<(), StateError> {
    std::fs::create_dir_all(dir).map_err(io("create the folder", dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(io("restrict the permissions of", dir))?;
    }
    #[cfg(windows)]
    crate::windows::apply_state_folder_acl(dir).map_err(io("restrict the access list of", dir))?;
    Ok(())
}

/// Writes a file atomically (temporary file, flush to disk, rename), readable by its owner only,
/// never through a symlink.
pub fn write_private(path: &Path, data: &[u8]) -> Result<(), StateError> {
    hygeia_core::private_file::replace_file(path, data, 0o600).map_err(io("write", path))
}

const ENROLMENT_FILE: &str = "enrolment.json";

/// Reads the enrolment.
pub fn load(dir: &Path) -> Result<Enrolment, StateError> {
    let path = dir.join(ENROLMENT_FILE);
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StateError::NotEnrolled(path));
        }
        Err(e) => return Err(io("read", &path)(e)),
    };
    let enrolment: Enrolment =
        serde_json::from_slice(&text).map_err(|_| StateError::Damaged(path.clone()))?;
    // Enrolments written by earlier versions kept the enroll secret: write them again without.
    let had_secret = serde_json::from_slice::<serde_json::Value>(&text)
        .is_ok_and(|v| v.get("enroll_secret").is_some());
    if had_secret {
        save(dir, &enrolment)?;
    }
    Ok(enrolment)
}

/// Saves the enrolment.
pub fn save(dir: &Path, enrolment: &Enrolment) -> Result<(), StateError> {
    ensure_private_dir(dir)?;
    let data = serde_json::to_vec_pretty(enrolment).unwrap_or_default();
    write_private(&dir.join(ENROLMENT_FILE), &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrolment_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let state = dir.path().join("agent");
        assert!(matches!(load(&state), Err(StateError::NotEnrolled(_))));
        let enrolment = Enrolment {
            server: "https://127.0.0.1:8443".into(),
            ca_file: None,
            node_key: "hyn_y".into(),
            host_id: 7,
            removed: None,
        };
        save(&state, &enrolment).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(load(&state).ok(), Some(enrolment));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| {
                std::fs::metadata(p)
                    .map(|m| m.permissions().mode() & 0o777)
                    .unwrap_or(0)
            };
            assert_eq!(mode(&state), 0o700);
            assert_eq!(mode(&state.join(ENROLMENT_FILE)), 0o600);
        }
        // An old enrolment with the enroll secret loses it when read.
        let old = r#"{"server":"https://h","enroll_secret":"hye_secret","ca_file":null,"node_key":"hyn_y","host_id":7}"#;
        std::fs::write(state.join(ENROLMENT_FILE), old).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(load(&state).map(|e| e.host_id).ok(), Some(7));
        let rewritten = std::fs::read_to_string(state.join(ENROLMENT_FILE)).unwrap();
        assert!(!rewritten.contains("hye_secret"), "{rewritten}");
        std::fs::write(state.join(ENROLMENT_FILE), b"{broken").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(load(&state), Err(StateError::Damaged(_))));
    }
}
