//! Progress of long operations (a first backup of many gigabytes, a restore): the engine
//! reports through `rustic_core`'s progress bars; the program decides how to draw them (the
//! binary draws them on a terminal and nothing otherwise).

pub use rustic_core::{Progress, ProgressBars, ProgressType, RusticProgress};
use std::sync::{Arc, RwLock};

/// The bars every repository opened by this process reports to (hidden until set).
static BARS: RwLock<Option<Arc<dyn ProgressBars>>> = RwLock::new(None);

/// Draws the engine's progress with `bars` from now on.
pub fn show_with(bars: Arc<dyn ProgressBars>) {
    if let Ok(mut current) = BARS.write() {
        *current = Some(bars);
    }
}

/// What a repository is opened with: the bars set by [`show_with`], or hidden ones.
#[derive(Debug, Clone)]
pub(crate) struct Current;

impl ProgressBars for Current {
    fn progress(&self, progress_type: ProgressType, prefix: &str) -> Progress {
        match BARS.read().ok().and_then(|bars| bars.clone()) {
            Some(bars) => bars.progress(progress_type, prefix),
            None => Progress::hidden(),
        }
    }
}
