//! Progress of long runs (`mail scan` over many inputs, `devices update`), drawn on stderr only
//! when stderr is a terminal: scripts and logs get the results alone.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A bar counting `total` items, or none when stderr is not a terminal.
pub fn counter(total: usize, what: &'static str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total as u64).with_message(what);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta} left)") {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}

/// A spinner that shows the current step, or none when stderr is not a terminal.
#[cfg(feature = "devices-update")]
pub fn steps() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let spinner = ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(spinner)
}

/// `hygeia backup`'s engine progress drawn with indicatif on a terminal: a bar for bytes and
/// counts with a known length, a spinner otherwise.
#[cfg(feature = "backup")]
pub mod backup {
    use hygeia_backup::progress::{Progress, ProgressBars, ProgressType, RusticProgress};
    use indicatif::{ProgressBar, ProgressStyle};
    use std::io::IsTerminal;
    use std::sync::Arc;

    #[derive(Debug)]
    struct Bar {
        bar: ProgressBar,
        kind: ProgressType,
    }

    impl RusticProgress for Bar {
        fn is_hidden(&self) -> bool {
            false
        }

        fn set_length(&self, len: u64) {
            let template = match self.kind {
                ProgressType::Bytes => {
                    "{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ({eta} left)"
                }
                _ => "{prefix:>12} [{bar:30}] {pos}/{len} ({eta} left)",
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                self.bar.set_style(style.progress_chars("=> "));
            }
            self.bar.set_length(len);
        }

        fn set_title(&self, title: &str) {
            self.bar.set_prefix(title.to_string());
        }

        fn inc(&self, inc: u64) {
            self.bar.inc(inc);
        }

        fn finish(&self) {
            self.bar.finish_and_clear();
        }
    }

    #[derive(Debug)]
    struct Terminal;

    impl ProgressBars for Terminal {
        fn progress(&self, kind: ProgressType, prefix: &str) -> Progress {
            let bar = ProgressBar::new_spinner().with_prefix(prefix.to_string());
            if let Ok(style) = ProgressStyle::with_template("{prefix:>12} {spinner} {pos}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(150));
            Progress::new(Bar { bar, kind })
        }
    }

    /// Shows the backup engine's progress when stderr is a terminal.
    pub fn on_terminal() {
        if std::io::stderr().is_terminal() {
            hygeia_backup::progress::show_with(Arc::new(Terminal));
        }
    }
}
