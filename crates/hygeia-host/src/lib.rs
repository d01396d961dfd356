//! `hygeia check`: probes that read this computer and home network, the parsers that turn raw
//! outputs into facts, and the rules that turn facts into findings.
//!
//! The flow is `collect` (probes, the only I/O) -> [`Snapshot`] -> [`evaluate`] (pure) ->
//! [`assemble::build_report`] with the stored [`answers`].

pub mod answers;
pub mod assemble;
pub mod context;
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

/// Runs every probe for this computer's platform and returns the snapshot, with secrets
/// already redacted (see [`redact`]).
pub fn collect(platform: Platform, catalog: &hygeia_core::Catalog) -> Snapshot {
    let (context, run_as) = context::live_context();
    let probes = probes::for_platform(platform, &context, run_as);
    let collected_at = hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc());
    let mut outputs = runner::run_all(&probes);
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
