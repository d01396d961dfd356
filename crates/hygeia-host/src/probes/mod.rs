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
    let histories = [
        (
            crate::rules::BACKUP_STATE_PROBE,
            hygeia_core::backup_state::RELATIVE_PATH,
        ),
        (
            crate::rules::PHONE_STATE_PROBE,
            hygeia_core::phone_state::RELATIVE_PATH,
        ),
    ];
    for (probe, relative) in histories {
        if let Some(path) = history_path(platform, context, relative) {
            probes.push(Probe::file(probe, &path.to_string_lossy()));
        }
    }
    probes
}

/// Where Hygeia keeps a history of the person's (`hygeia backup`'s backups, `hygeia phone
/// check`'s phones). Through sudo, or as the agent (root, for the person at the computer's
/// seat), the person's own config folder from their home, not root's: the history belongs to
/// whoever made it.
fn history_path(
    platform: Platform,
    context: &Context,
    [folder, file]: [&str; 2],
) -> Option<std::path::PathBuf> {
    let own_folder = std::env::var_os("HYGEIA_CONFIG_DIR").is_some() || !context.elevated;
    let config = if own_folder {
        crate::answers::config_dir().ok()?
    } else {
        match person_config_dir(platform, &context.home) {
            Some(dir) => dir,
            None => crate::answers::config_dir().ok()?,
        }
    };
    Some(config.join(folder).join(file))
}

/// Hygeia's config folder in the home folder `home` (`None` on Windows, where an elevated
/// check runs as the person and `%APPDATA%` is already theirs).
fn person_config_dir(platform: Platform, home: &str) -> Option<std::path::PathBuf> {
    let home = std::path::Path::new(home);
    match platform {
        _ if home.as_os_str().is_empty() => None,
        Platform::Linux => Some(home.join(".config").join("hygeia")),
        Platform::Macos => Some(
            home.join("Library")
                .join("Application Support")
                .join("hygeia"),
        ),
        Platform::Windows => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_elevated_check_reads_the_persons_backup_history() {
        assert_eq!(
            person_config_dir(Platform::Linux, "/home/drlee"),
            Some("/home/drlee/.config/hygeia".into())
        );
        assert_eq!(
            person_config_dir(Platform::Macos, "/Users/drlee"),
            Some("/Users/drlee/Library/Application Support/hygeia".into())
        );
        assert_eq!(
            person_config_dir(Platform::Windows, r"C:\Users\drlee"),
            None
        );
        assert_eq!(person_config_dir(Platform::Linux, ""), None);
        let context = Context {
            hostname: "exam-room-3".into(),
            user: "drlee".into(),
            elevated: false,
            home: "/home/drlee".into(),
            desktop: None,
        };
        let probes = for_platform(Platform::Linux, &context, None);
        assert!(
            probes
                .iter()
                .any(|p| p.id == crate::rules::BACKUP_STATE_PROBE),
            "the backup history is read on every check"
        );
        assert!(
            probes
                .iter()
                .any(|p| p.id == crate::rules::PHONE_STATE_PROBE),
            "the phone history is read on every check"
        );
    }
}
