//! `hygeia attest`: answers for controls no program can see, stored by
//! `hygeia_host::answers` and shown by `hygeia check` as `attested` for 90 days.

use crate::Failure;
use crate::cli::AttestArgs;
use anyhow::Context as _;
use hygeia_core::{Attestation, Catalog, Measured};
use hygeia_host::answers;

/// Runs `hygeia attest`.
pub fn run(args: AttestArgs) -> Result<u8, Failure> {
    let catalog = Catalog::builtin().context("loading the built-in catalog")?;
    let id = args.control.trim().to_ascii_uppercase();
    let control = catalog.control(&id).ok_or_else(|| {
        Failure::Input(format!(
            "there is no control {id}; `hygeia controls` lists them"
        ))
    })?;
    if control.measured != Measured::Attested && !control.attestable {
        return Err(Failure::Input(format!(
            "{id} ({}) is measured automatically by `hygeia check`; only controls marked 'attested' take an answer",
            control.title
        )));
    }
    let dir = answers::config_dir().map_err(|e| Failure::Input(e.to_string()))?;
    let mut stored = answers::load(&dir).map_err(|e| Failure::Input(e.to_string()))?;
    let answer = Attestation {
        answer: args.yes,
        by: answers::who(),
        at: hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc()),
        note: args.note.filter(|n| !n.trim().is_empty()),
    };
    stored.insert(id.clone(), answer);
    let path = answers::save(&dir, &stored).map_err(|e| Failure::Input(e.to_string()))?;
    println!(
        "Recorded: {id} {} is {}. Hygeia will ask again in {} days. (Saved in {})",
        control.title,
        if args.yes { "in place" } else { "NOT in place" },
        hygeia_core::ATTESTATION_VALID_DAYS,
        path.display()
    );
    Ok(0)
}
