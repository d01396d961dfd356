//! What the engine left out of a backup: a file that vanished or changed while it was read, or
//! could not be opened, is skipped with a warning on the `log` facade and the backup goes on.
//! Hygeia collects those warnings so the person is told which files are not in the snapshot.

use std::sync::Mutex;

/// Warnings collected while a backup runs; `None` when nobody is collecting.
static COLLECTED: Mutex<Option<Vec<String>>> = Mutex::new(None);

/// The most warnings kept from one backup (the count of the rest is kept).
const MAX_KEPT: usize = 200;

struct Collector;

impl log::Log for Collector {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn && metadata.target().starts_with("rustic_core")
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        if let Ok(mut collected) = COLLECTED.lock()
            && let Some(list) = collected.as_mut()
            && list.len() < MAX_KEPT
        {
            list.push(tidy(&record.args().to_string()));
        }
    }

    fn flush(&self) {}
}

static COLLECTOR: Collector = Collector;

/// The engine's warning in one line, without its "ignoring error:" prefix.
fn tidy(message: &str) -> String {
    let message = message.trim_start_matches("ignoring error: ");
    let message = message.trim_start_matches("Error: ");
    let line = message.lines().next().unwrap_or("").trim();
    line.split(" (kind: ").next().unwrap_or(line).to_string()
}

/// Runs `work` and returns what the engine skipped while it ran. Another logger already set
/// by the program is left in place (then nothing is collected).
pub(crate) fn collecting<T>(work: impl FnOnce() -> T) -> (T, Vec<String>) {
    if log::set_logger(&COLLECTOR).is_ok() {
        log::set_max_level(log::LevelFilter::Warn);
    }
    if let Ok(mut collected) = COLLECTED.lock() {
        *collected = Some(Vec::new());
    }
    let result = work();
    let skipped = COLLECTED
        .lock()
        .ok()
        .and_then(|mut collected| collected.take())
        .unwrap_or_default();
    (result, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engines_warnings_are_collected_in_one_line_each() {
        let ((), skipped) = collecting(|| {
            log::warn!(target: "rustic_core::archiver", "ignoring error: Error: Failed to open `/home/dr/a.pdf` (kind: related to input/output): caused by: No such file");
            log::info!(target: "rustic_core::archiver", "not a warning");
            log::warn!(target: "some_other_crate", "not the engine");
        });
        assert_eq!(skipped, vec!["Failed to open `/home/dr/a.pdf`".to_string()]);
        // Outside a collection nothing is kept.
        log::warn!(target: "rustic_core::archiver", "ignoring error: later");
        let ((), none) = collecting(|| {});
        assert!(none.is_empty());
    }
}
