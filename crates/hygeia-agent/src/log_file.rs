//! The agent's own log when no one reads its standard error (the Windows service): one line per
//! event, with the time, in `agent.log` in the state folder. Kept short: past 1 MiB the file
//! becomes `agent.log.1` (replacing the one before) and a new one starts.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The log file in `state_dir`.
pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("agent.log")
}

/// Largest log before it is rotated.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// Appends `line` with the time (UTC, RFC 3339). A log that cannot be written is not a reason to
/// stop checking the computer: errors are returned for the caller to ignore or show.
pub fn append(state_dir: &Path, line: &str) -> std::io::Result<()> {
    let file = path(state_dir);
    if std::fs::metadata(&file).is_ok_and(|m| m.len() >= MAX_BYTES) {
        std::fs::rename(&file, state_dir.join("agent.log.1"))?;
    }
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)?;
    // One line per event: a line break inside a message (a server's answer) would forge another.
    let line = line.replace(['\r', '\n'], " ");
    writeln!(log, "{now} {line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_timed_single_lines_and_rotates_past_the_limit() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        append(dir.path(), "first").unwrap_or_else(|e| panic!("{e}"));
        append(dir.path(), "second\nforged line").unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(path(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].ends_with(" first") && lines[0].starts_with("20"),
            "{text}"
        );
        assert!(lines[1].ends_with(" second forged line"), "{text}");

        std::fs::write(path(dir.path()), vec![b'x'; MAX_BYTES as usize])
            .unwrap_or_else(|e| panic!("{e}"));
        append(dir.path(), "after rotation").unwrap_or_else(|e| panic!("{e}"));
        let rotated =
            std::fs::metadata(dir.path().join("agent.log.1")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rotated.len(), MAX_BYTES);
        let text = std::fs::read_to_string(path(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        assert!(text.ends_with(" after rotation\n"), "{text}");
    }
}
