//! Probes: the only code that touches the operating system. A probe runs one command (never
//! through a shell, always with a time limit) or reads one file or folder, and keeps the raw
//! result so that it can be saved in a snapshot and parsed later.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Default time limit for one command.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Most bytes kept from one output; the rest is cut off (and the cut is recorded).
pub const MAX_OUTPUT_BYTES: usize = 4 * 1024 * 1024;

/// Largest settings file read: a bigger one is refused rather than cut, because half a file
/// would be read as a different setting.
pub const FILE_MAX_BYTES: u64 = 1024 * 1024;

/// Largest feed file read into a snapshot (the KEV catalog was 1.3 MB in 2025; an NVD answer
/// for one router is a few hundred KB).
pub const FEED_MAX_BYTES: u64 = MAX_OUTPUT_BYTES as u64;

/// Run a command as another user (Unix only): used to read a desktop user's own settings when
/// Hygeia runs as root through sudo, because root would read root's defaults instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunAs {
    /// Numeric user id.
    pub uid: u32,
    /// Numeric group id.
    pub gid: u32,
    /// That user's home folder (set as HOME).
    pub home: String,
}

/// Where a probe reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Run `program args...` directly (no shell).
    Command {
        /// Program name or path.
        program: String,
        /// Arguments.
        args: Vec<String>,
        /// Time limit.
        timeout: Duration,
        /// Run as this user instead of the current one.
        run_as: Option<RunAs>,
    },
    /// Read a text file.
    File {
        /// Path.
        path: String,
        /// A bigger file is refused, not cut.
        max_bytes: u64,
    },
    /// List the names in a folder.
    ListDir {
        /// Path.
        path: String,
    },
    /// Read every file directly inside a folder.
    ReadDir {
        /// Path.
        path: String,
    },
}

/// One thing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Stable identifier, used as the key in snapshots.
    pub id: String,
    /// What to read.
    pub source: Source,
}

impl Probe {
    /// A command probe with the default time limit.
    pub fn command(id: &str, program: &str, args: &[&str]) -> Probe {
        Probe {
            id: id.to_string(),
            source: Source::Command {
                program: program.to_string(),
                args: args.iter().map(|a| a.to_string()).collect(),
                timeout: DEFAULT_TIMEOUT,
                run_as: None,
            },
        }
    }

    /// A file probe for a settings file (at most [`FILE_MAX_BYTES`]).
    pub fn file(id: &str, path: &str) -> Probe {
        Probe {
            id: id.to_string(),
            source: Source::File {
                path: path.to_string(),
                max_bytes: FILE_MAX_BYTES,
            },
        }
    }

    /// A file probe for a vulnerability feed the rules match against (at most
    /// [`FEED_MAX_BYTES`]), kept in the snapshot so that it evaluates the same way later.
    pub fn feed(id: &str, path: &str) -> Probe {
        Probe {
            id: id.to_string(),
            source: Source::File {
                path: path.to_string(),
                max_bytes: FEED_MAX_BYTES,
            },
        }
    }

    /// A folder-listing probe.
    pub fn list_dir(id: &str, path: &str) -> Probe {
        Probe {
            id: id.to_string(),
            source: Source::ListDir {
                path: path.to_string(),
            },
        }
    }

    /// A probe reading every file of a folder.
    pub fn read_dir(id: &str, path: &str) -> Probe {
        Probe {
            id: id.to_string(),
            source: Source::ReadDir {
                path: path.to_string(),
            },
        }
    }

    /// Sets the time limit of a command probe.
    pub fn timeout(mut self, limit: Duration) -> Probe {
        if let Source::Command { timeout, .. } = &mut self.source {
            *timeout = limit;
        }
        self
    }

    /// Runs a command probe as another user.
    pub fn run_as(mut self, user: Option<RunAs>) -> Probe {
        if let Source::Command { run_as, .. } = &mut self.source {
            *run_as = user;
        }
        self
    }

    /// The command line or path, for evidence and snapshots.
    pub fn describe(&self) -> String {
        match &self.source {
            Source::Command { program, args, .. } => {
                let mut line = program.clone();
                for arg in args {
                    line.push(' ');
                    line.push_str(arg);
                }
                line
            }
            Source::File { path, .. } | Source::ListDir { path } | Source::ReadDir { path } => {
                path.clone()
            }
        }
    }
}

/// What a probe got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    /// The command ran to the end (any exit code).
    Ran {
        /// Exit code, if the process exited normally.
        exit_code: Option<i32>,
        /// Standard output.
        stdout: String,
        /// Standard error.
        stderr: String,
    },
    /// The file was read.
    Read {
        /// Contents (lossy UTF-8).
        content: String,
        /// Last modification, seconds since 1970 UTC.
        modified: Option<i64>,
    },
    /// The folder was listed (or read).
    Listed {
        /// File names with, for `ReadDir`, their contents (`None` when unreadable).
        entries: Vec<DirEntry>,
    },
    /// The program, file or folder does not exist.
    NotFound,
    /// Access was refused.
    PermissionDenied,
    /// The command did not finish within its time limit and was stopped.
    TimedOut {
        /// The limit, in milliseconds.
        after_ms: u64,
    },
    /// Anything else that went wrong.
    Failed {
        /// What happened.
        message: String,
    },
}

/// One entry of a folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirEntry {
    /// File name.
    pub name: String,
    /// Contents, for `ReadDir` probes, when readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Last modification, seconds since 1970 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<i64>,
}

/// A probe's identity and what it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawOutput {
    /// The command line or path.
    pub source: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
}

/// Turns raw bytes from a program into text: UTF-16 (as some Windows tools write) when it has
/// a byte-order mark, otherwise lossy UTF-8; cut at [`MAX_OUTPUT_BYTES`].
pub fn decode_output(bytes: &[u8]) -> String {
    let bytes = &bytes[..bytes.len().min(MAX_OUTPUT_BYTES)];
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf16_and_strips_bom() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("On".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_output(&utf16), "On");
        assert_eq!(decode_output(b"\xEF\xBB\xBFhello"), "hello");
        assert_eq!(decode_output(b"bad \xFF byte"), "bad \u{FFFD} byte");
    }
}
