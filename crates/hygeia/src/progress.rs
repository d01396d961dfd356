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
