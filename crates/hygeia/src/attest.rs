//! `hygeia attest`: answers for controls no program can see, stored in the user's config
//! folder (`attestations.json`) and shown by `hygeia check` as `attested` for 90 days.

use crate::Failure;
use crate::cli::AttestArgs;
use anyhow::Context as _;
use hygeia_core::{Attestation, Catalog, Measured};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

const STORE_SCHEMA: &str = "hygeia.attestations/1";
const STORE_FILE: &str = "attestations.json";

/// Where Hygeia keeps its per-user files: `HYGEIA_CONFIG_DIR`, else the platform's config
/// folder (`~/.config/hygeia`, `~/Library/Application Support/hygeia`, `%APPDATA%\hygeia`).
pub fn config_dir() -> Result<PathBuf, Failure> {
    if let Some(dir) = std::env::var_os("HYGEIA_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let home = || {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        home().map(|h| h.join("Library").join("Application Support"))
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".config")))
    };
    base.map(|b| b.join("hygeia")).ok_or_else(|| {
        Failure::Input(
            "cannot find your home folder to store answers; set HYGEIA_CONFIG_DIR to a folder"
                .into(),
        )
    })
}

/// The answers file is small; anything larger is not one.
const MAX_STORE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads the stored answers. A missing file means no answers; a damaged one is an error
/// (and is left untouched so nothing is lost).
pub fn load() -> Result<BTreeMap<String, Attestation>, Failure> {
    let path = config_dir()?.join(STORE_FILE);
    // Through the same guarded reader as the check: as root (`sudo hygeia attest`) a symlink
    // planted in the user's folder is not followed, and a FIFO does not hang.
    let read = hygeia_host::safe_read::read_file(
        &path,
        MAX_STORE_BYTES,
        hygeia_host::programs::privileged(),
    );
    let text = match read {
        Ok((bytes, _)) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => {
            return Err(Failure::Input(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    let damaged = |why: String| {
        Failure::Input(format!(
            "{} is damaged ({why}). Move it aside and answer again with `hygeia attest`.",
            path.display()
        ))
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
    if value.get("schema").and_then(Value::as_str) != Some(STORE_SCHEMA) {
        return Err(damaged(format!("it is not a {STORE_SCHEMA} file")));
    }
    serde_json::from_value(
        value
            .get("answers")
            .cloned()
            .unwrap_or(Value::Object(Default::default())),
    )
    .map_err(|e| damaged(e.to_string()))
}

fn save(answers: &BTreeMap<String, Attestation>) -> Result<PathBuf, Failure> {
    let dir = config_dir()?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::Input(format!("cannot create {}: {e}", dir.display())))?;
    hygeia_host::safe_read::check_folder(&dir, hygeia_host::programs::privileged())
        .map_err(|e| Failure::Input(format!("cannot write into {}: {e}", dir.display())))?;
    let path = dir.join(STORE_FILE);
    let document = serde_json::json!({ "schema": STORE_SCHEMA, "answers": answers });
    let text = serde_json::to_string_pretty(&document).context("serialising answers")?;
    hygeia_core::private_file::replace_file(&path, text.as_bytes(), 0o600)
        .map_err(|e| Failure::Input(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

fn who() -> String {
    ["SUDO_USER", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Runs `hygeia attest`.
pub fn run(args: AttestArgs) -> Result<u8, Failure> {
    let catalog = Catalog::builtin().context("loading the built-in catalog")?;
    let id = args.control.trim().to_ascii_uppercase();
    let control = catalog.control(&id).ok_or_else(|| {
        Failure::Input(format!(
            "there is no control {id}; `hygeia controls` lists them"
        ))
    })?;
    if control.measured != Measured::Attested {
        return Err(Failure::Input(format!(
            "{id} ({}) is measured automatically by `hygeia check`; only controls marked 'attested' take an answer",
            control.title
        )));
    }
    let mut answers = load()?;
    let answer = Attestation {
        answer: args.yes,
        by: who(),
        at: hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc()),
        note: args.note.filter(|n| !n.trim().is_empty()),
    };
    answers.insert(id.clone(), answer);
    let path = save(&answers)?;
    println!(
        "Recorded: {id} {} is {}. Hygeia will ask again in {} days. (Saved in {})",
        control.title,
        if args.yes { "in place" } else { "NOT in place" },
        hygeia_core::ATTESTATION_VALID_DAYS,
        path.display()
    );
    Ok(0)
}
