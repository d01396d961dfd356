//! The probes to run on each operating system. Only this list differs per platform: parsers
//! and rules are the same everywhere, so they are tested on Linux with real outputs from all
//! three.

pub mod linux;
pub mod macos;
pub mod windows;

use crate::probe::{Probe, RunAs};
use crate::snapshot::Context;
use hygeia_core::Platform;

/// The probes for `platform`. `run_as` is the desktop user whose own settings should be read
/// when Hygeia runs as root through sudo.
pub fn for_platform(platform: Platform, context: &Context, run_as: Option<RunAs>) -> Vec<Probe> {
    match platform {
        Platform::Linux => linux::probes(context, run_as),
        Platform::Macos => macos::probes(context),
        Platform::Windows => windows::probes(context),
    }
}
