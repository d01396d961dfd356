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

/// The probes that name the operating system (Linux, macOS, Windows).
pub const OS_IDENTITY_PROBES: [&str; 3] = ["os_release", "sw_vers", "os"];

/// The probe id of the routing table read for the default gateway.
pub const GATEWAY_PROBE: &str = "default_gateway";

/// The routing table, for the default gateway (only with `--network`).
pub fn gateway_probe(platform: Platform) -> Probe {
    match platform {
        Platform::Linux => Probe::file(GATEWAY_PROBE, "/proc/net/route"),
        Platform::Macos => Probe::command(GATEWAY_PROBE, "route", &["-n", "get", "default"]),
        Platform::Windows => Probe::command(GATEWAY_PROBE, "route.exe", &["print", "-4"]),
    }
}

/// Runs the home network probes through the default gateway read by [`gateway_probe`]. Only a
/// private (RFC 1918) gateway is probed; otherwise the record says why nothing was sent.
pub fn home_network(
    platform: Platform,
    outputs: &std::collections::BTreeMap<String, crate::probe::RawOutput>,
    catalog: &hygeia_core::Catalog,
) -> crate::probe::RawOutput {
    use crate::parse::gateway;
    use crate::probe::{Outcome, RawOutput};
    let failed = |message: String| RawOutput {
        source: "home network probes".into(),
        outcome: Outcome::Failed { message },
        duration_ms: 0,
    };
    let parsed = match outputs.get(GATEWAY_PROBE).map(|o| &o.outcome) {
        Some(Outcome::Read { content, .. }) => gateway::parse_proc_net_route(content),
        Some(Outcome::Ran { stdout, .. }) if platform == Platform::Macos => {
            gateway::parse_route_get_default(stdout)
        }
        Some(Outcome::Ran { stdout, .. }) => gateway::parse_route_print(stdout),
        _ => {
            return failed(
                "the routing table could not be read, so the home router is not known".into(),
            );
        }
    };
    let gateway = match parsed {
        Ok(Some(address)) => address,
        Ok(None) => {
            return failed(
                "this computer has no default gateway (it is not connected to a network)".into(),
            );
        }
        Err(e) => return failed(format!("the routing table could not be understood ({e})")),
    };
    if !gateway::is_home_router_address(gateway) {
        return failed(format!(
            "the default gateway {gateway} is not a private address, so it is not a home router; nothing was sent to it"
        ));
    }
    let started = std::time::Instant::now();
    let transcript = crate::net::probe_home(gateway, catalog);
    RawOutput {
        source: format!("network: router {gateway} and local multicast (SSDP, mDNS)"),
        outcome: Outcome::Read {
            content: serde_json::to_string(&transcript).unwrap_or_default(),
            modified: None,
        },
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
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
