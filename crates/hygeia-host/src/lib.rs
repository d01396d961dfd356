//! `hygeia check`: probes that read this computer and home network, the parsers that turn raw
//! outputs into facts, and the rules that turn facts into findings.
//!
//! The flow is `collect` (probes, the only I/O) -> [`Snapshot`] -> [`evaluate`] (pure) ->
//! [`assemble::build_report`] with the stored [`answers`].

pub mod answers;
pub mod assemble;
pub mod context;
pub mod net;
pub mod parse;
pub mod probe;
pub mod probes;
pub mod programs;
pub mod redact;
pub mod rules;
pub mod runner;
pub mod safe_read;
pub mod snapshot;

pub use rules::{RULES, evaluate};
pub use snapshot::{Context, Snapshot, SnapshotError};

use hygeia_core::Platform;

/// What a run reads beyond this computer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Probe the home network (the router and local multicast): `--network`. Off by default:
    /// a plain check sends nothing to the network.
    pub network: bool,
    /// The KEV catalog file the router's model is matched against (with `network`).
    pub kev: Option<std::path::PathBuf>,
    /// An NVD CVE API 2.0 file the router's model and firmware are matched against (with
    /// `network`).
    pub nvd: Option<std::path::PathBuf>,
    /// Run only the home network probes, not the computer's (`hygeia network`).
    pub network_only: bool,
}

/// Runs every probe for this computer's platform and returns the snapshot, with secrets
/// already redacted (see [`redact`]).
pub fn collect(platform: Platform, catalog: &hygeia_core::Catalog) -> Snapshot {
    collect_with(platform, catalog, &Options::default())
}

/// [`collect`], with the home network probes when `options.network` is set.
pub fn collect_with(
    platform: Platform,
    catalog: &hygeia_core::Catalog,
    options: &Options,
) -> Snapshot {
    let (context, run_as) = context::live_context();
    let mut probes = probes::for_platform(platform, &context, run_as);
    if options.network_only {
        // Only what names the operating system in the report's header.
        probes.retain(|p| probes::OS_IDENTITY_PROBES.contains(&p.id.as_str()));
    }
    if options.network || options.network_only {
        probes.push(probes::gateway_probe(platform));
        if let Some(kev) = &options.kev {
            probes.push(probe::Probe::feed(
                rules::ROUTER_KEV_PROBE,
                &kev.to_string_lossy(),
            ));
        }
        if let Some(nvd) = &options.nvd {
            probes.push(probe::Probe::feed(
                rules::ROUTER_NVD_PROBE,
                &nvd.to_string_lossy(),
            ));
        }
    }
    let collected_at = hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc());
    let mut outputs = runner::run_all(&probes);
    if options.network || options.network_only {
        let home = probes::home_network(platform, &outputs, catalog);
        outputs.insert(net::PROBE_ID.to_string(), home);
    }
    redact::redact_outputs(&mut outputs, &catalog.common_passwords);
    Snapshot {
        schema: snapshot::SNAPSHOT_SCHEMA.to_string(),
        platform,
        collected_at,
        context,
        outputs,
    }
}

/// The operating system's name for people, read from the snapshot (or "unknown").
pub fn describe_os(snapshot: &Snapshot) -> String {
    let catalog = hygeia_core::Catalog::builtin();
    match catalog {
        Ok(catalog) => {
            let input = rules::Input {
                snapshot,
                catalog: &catalog,
                observed_at: time::OffsetDateTime::now_utc(),
            };
            rules::os_identity(&input)
                .map(|os| os.pretty_name)
                .unwrap_or_else(|_| format!("{} (version unknown)", snapshot.platform))
        }
        Err(_) => snapshot.platform.to_string(),
    }
}
