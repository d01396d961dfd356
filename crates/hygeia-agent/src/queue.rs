//! Reports waiting to be sent, one file each in `queue/`, named so that they sort oldest first.
//! A report leaves the queue only after the server acknowledged it, so nothing is lost while
//! the server or the network is down; the queue is bounded so a computer offline for months
//! does not fill its disk (the oldest reports give way first).

use crate::state::{StateError, ensure_private_dir, write_private};
use std::path::{Path, PathBuf};

/// Reports kept at most (about a month of hourly reports).
pub const MAX_REPORTS: usize = 750;

/// A queued report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Its file.
    pub path: PathBuf,
    /// The id the server uses to store it once (from the file name).
    pub report_id: String,
}

/// The queue in a state directory.
#[derive(Debug, Clone)]
pub struct Queue {
    dir: PathBuf,
    max: usize,
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    // Without the OS random source the id is still unique enough from the clock and process.
    if getrandom::fill(&mut buffer).is_err() {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
            ^ u128::from(std::process::id());
        for (i, b) in buffer.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8;
        }
    }
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

impl Queue {
    /// The queue under `state_dir`.
    pub fn new(state_dir: &Path) -> Queue {
        Queue {
            dir: state_dir.join("queue"),
            max: MAX_REPORTS,
        }
    }

    /// A queue holding at most `max` reports (for tests).
    pub fn with_limit(state_dir: &Path, max: usize) -> Queue {
        Queue {
            max: max.max(1),
            ..Queue::new(state_dir)
        }
    }

    /// Adds a report; returns how many old reports were dropped to make room.
    pub fn push(&self, body: &[u8]) -> Result<usize, StateError> {
        ensure_private_dir(&self.dir)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        // Zero-padded time first: file names sort in the order reports were made.
        let report_id = format!("{nanos:020}-{}", random_hex(8));
        write_private(&self.dir.join(format!("{report_id}.json")), body)?;
        let waiting = self.list()?;
        let excess = waiting.len().saturating_sub(self.max);
        for old in &waiting[..excess] {
            let _ = std::fs::remove_file(&old.path);
        }
        Ok(excess)
    }

    /// The queued reports, oldest first. Left-over temporary files are ignored.
    pub fn list(&self) -> Result<Vec<Queued>, StateError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StateError::Io {
                    action: "read the queue folder",
                    path: self.dir.clone(),
                    source,
                });
            }
        };
        let mut queued: Vec<Queued> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let path = entry.path();
                let name = path.file_name()?.to_str()?;
                let report_id = name.strip_suffix(".json")?.to_string();
                let valid = report_id.len() <= 64
                    && report_id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-');
                valid.then_some(Queued { path, report_id })
            })
            .collect();
        queued.sort_by(|a, b| a.report_id.cmp(&b.report_id));
        Ok(queued)
    }

    /// Removes a report the server acknowledged.
    pub fn remove(&self, queued: &Queued) -> Result<(), StateError> {
        match std::fs::remove_file(&queued.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(StateError::Io {
                action: "remove the sent report",
                path: queued.path.clone(),
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_first_and_bounded() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let queue = Queue::with_limit(dir.path(), 3);
        for i in 0..5 {
            let dropped = queue
                .push(format!("{{\"n\":{i}}}").as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(dropped, usize::from(i >= 3));
        }
        let waiting = queue.list().unwrap();
        let bodies: Vec<String> = waiting
            .iter()
            .map(|q| std::fs::read_to_string(&q.path).unwrap())
            .collect();
        assert_eq!(bodies, ["{\"n\":2}", "{\"n\":3}", "{\"n\":4}"]);
        assert!(waiting.iter().all(|q| q.report_id.len() == 20 + 1 + 16));
        queue.remove(&waiting[0]).unwrap_or_else(|e| panic!("{e}"));
        queue.remove(&waiting[0]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(queue.list().unwrap().len(), 2);
        std::fs::write(dir.path().join("queue/x.tmp"), b"half").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(queue.list().unwrap().len(), 2);
    }
}
