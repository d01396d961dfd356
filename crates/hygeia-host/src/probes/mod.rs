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
    let mut probes = match platform {
        Platform::Linux => linux::probes(context, run_as),
        Platform::Macos => macos::probes(context),
        Platform::Windows => windows::probes(context),
    };
    if let Some(path) = backup_state_path(platform, context) {
        probes.push(Probe::file(
            crate::rules::BACKUP_STATE_PROBE,
            &path.to_string_lossy(),
        ));
    }
    probes
}

/// Where `hygeia backup` keeps the person's backup history. Through sudo the config folder of
/// the person (from their home), not root's: the history belongs to whoever ran the backups.
fn backup_state_path(platform: Platform, context: &Context) -> Option<std::path::PathBuf> {
    let [folder, file] = hygeia_core::backup_state::RELATIVE_PATH;
    let own_folder = std::env::var_os("HYGEIA_CONFIG_DIR").is_some() || !context.elevated;
    let config = if own_folder {
        crate::answers::config_dir().ok()?
    } else {
        let home = std::path::Path::new(&context.home);
        match platform {
            Platform::Linux => home.join(".config").join("hygeia"),
            Platform::Macos => home
                .join("Library")
                .join("Application Support")
                .join("hygeia"),
            Platform::Windows => crate::answers::config_dir().ok()?,
        }
    };
    Some(config.join(folder).join(file))
}
