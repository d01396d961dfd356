//! `hygeia phone check` and `hygeia phone import`.

use crate::Failure;
use crate::cli::{PhoneCheckArgs, PhoneImportArgs};
use anyhow::Context as _;
use hygeia_core::phone_state::{PhoneState, RELATIVE_PATH, SCHEMA};
use hygeia_core::{Area, Catalog, HostInfo, Platform, Report};
use hygeia_phone::judge::Judge;
use hygeia_phone::usb::{PhoneSnapshot, Want, collect};
use hygeia_phone::{MobileOsCatalog, PhoneRecord, PhoneSource, Reading};
use std::collections::BTreeMap;
use std::path::Path;

/// Largest export `hygeia phone import` reads.
const MAX_EXPORT_BYTES: u64 = 64 * 1024 * 1024;

/// Largest phone history read back.
const MAX_STATE_BYTES: u64 = 4 * 1024 * 1024;

fn catalogs() -> Result<(Catalog, MobileOsCatalog), Failure> {
    let catalog = Catalog::builtin()
        .context("loading the built-in catalog")?
        .restricted_to(|c| c.area == Area::Phone);
    let releases = MobileOsCatalog::builtin().context("loading catalog/mobile-os.toml")?;
    Ok((catalog, releases))
}

/// Runs `hygeia phone check`.
pub fn check(args: PhoneCheckArgs) -> Result<u8, Failure> {
    let (catalog, releases) = catalogs()?;
    let (snapshot, source) = match &args.snapshot {
        Some(dir) => (
            PhoneSnapshot::load(dir).map_err(|e| Failure::Input(e.to_string()))?,
            format!("phone snapshot {}", dir.display()),
        ),
        None => {
            let want = if args.android {
                Want::Android
            } else if args.ios {
                Want::Ios
            } else {
                Want::Any
            };
            let computer = hygeia_host::context::hostname();
            let user = hygeia_host::answers::who();
            let snapshot = collect(want, args.serial.as_deref(), &computer, &user)
                .map_err(|e| Failure::Input(e.to_string()))?;
            (snapshot, "phone over USB".to_string())
        }
    };
    if let Some(dir) = &args.save_snapshot {
        let path = snapshot
            .save(dir)
            .map_err(|e| Failure::Input(e.to_string()))?;
        eprintln!(
            "Saved the raw outputs of this phone check to {}",
            path.display()
        );
    }
    let mut facts = snapshot.facts();
    if !args.visit_apps.is_empty() {
        facts.visit_apps = Reading::answered(args.visit_apps.clone());
    }
    let observed_at = hygeia_core::time_util::parse_rfc3339(&snapshot.collected_at)
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    let judge = Judge {
        releases: &releases,
        catalog: &catalog,
        observed_at,
    };
    let (record, findings) = PhoneRecord::judged(
        snapshot.phone_id.clone(),
        facts.model.clone(),
        snapshot.user.clone(),
        PhoneSource::Usb,
        snapshot.collected_at.clone(),
        facts,
        &judge,
    );
    let host = HostInfo {
        hostname: record.facts.model.clone(),
        // The computer the phone was read from: HostInfo's platform is an OS Hygeia runs on.
        platform: Platform::current().unwrap_or(Platform::Linux),
        os: describe_os(&record),
        user: snapshot.user.clone(),
        source,
        collected_at: snapshot.collected_at.clone(),
    };
    let report = Report::build(
        host,
        hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc()),
        &catalog,
        findings,
        &BTreeMap::new(),
    );
    // Only a phone that was actually read counts for `hygeia check`; a locked or untrusted
    // phone must not replace an earlier real result.
    if args.snapshot.is_none() && !record.id.is_empty() && record.facts.os_version.value().is_some()
    {
        match remember(&record) {
            Ok(path) => eprintln!(
                "`hygeia check` will show this phone's results for the next 30 days (saved in {}).",
                path.display()
            ),
            Err(message) => eprintln!("hygeia: {message}"),
        }
    }
    crate::check::print_report(&report, &args.report)
}

fn describe_os(record: &PhoneRecord) -> String {
    let facts = &record.facts;
    let os = facts.family.os_name();
    match (facts.os_version.value(), facts.security_patch.value()) {
        (Some(v), Some(patch)) => format!("{os} {v}, security patch {patch}"),
        (Some(v), None) => format!("{os} {v}"),
        _ => format!("{os}, version not read"),
    }
}

/// Adds the phone's results to `phone/state.json`, which `hygeia check` reads.
fn remember(record: &PhoneRecord) -> Result<std::path::PathBuf, String> {
    let dir = hygeia_host::answers::config_dir().map_err(|e| e.to_string())?;
    let [folder, file] = RELATIVE_PATH;
    let path = dir.join(folder).join(file);
    let mut state = read_state(&path)?;
    state.record(record.as_check());
    let parent = dir.join(folder);
    std::fs::create_dir_all(&parent)
        .map_err(|e| format!("could not create {}: {e}", parent.display()))?;
    let json = serde_json::to_vec_pretty(&state).map_err(|e| e.to_string())?;
    hygeia_core::private_file::replace_file(&path, &json, 0o600).map_err(|e| {
        format!(
            "could not save the phone's results to {}: {e}",
            path.display()
        )
    })?;
    Ok(path)
}

fn read_state(path: &Path) -> Result<PhoneState, String> {
    let size = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(PhoneState::default()),
        Err(e) => return Err(format!("could not read {}: {e}", path.display())),
    };
    let damaged = || {
        format!(
            "{} is damaged; move it away and run `hygeia phone check` again",
            path.display()
        )
    };
    if size > MAX_STATE_BYTES {
        return Err(damaged());
    }
    let bytes =
        std::fs::read(path).map_err(|e| format!("could not read {}: {e}", path.display()))?;
    serde_json::from_slice::<PhoneState>(&bytes)
        .ok()
        .filter(|s| s.schema == SCHEMA)
        .ok_or_else(damaged)
}

/// Runs `hygeia phone import`.
pub fn import(args: PhoneImportArgs) -> Result<u8, Failure> {
    let (catalog, releases) = catalogs()?;
    let size = std::fs::metadata(&args.file)
        .map_err(|e| Failure::Input(format!("cannot read {}: {e}", args.file.display())))?
        .len();
    if size > MAX_EXPORT_BYTES {
        return Err(Failure::Input(format!(
            "{} is {size} bytes, more than an export of one practice can be ({MAX_EXPORT_BYTES})",
            args.file.display()
        )));
    }
    let bytes = std::fs::read(&args.file)
        .map_err(|e| Failure::Input(format!("cannot read {}: {e}", args.file.display())))?;
    let export = hygeia_phone::mdm::read_export(&bytes)
        .map_err(|e| Failure::Input(format!("{}: {e}", args.file.display())))?;
    let judge = Judge {
        releases: &releases,
        catalog: &catalog,
        observed_at: time::OffsetDateTime::now_utc(),
    };
    let records: Vec<PhoneRecord> = export
        .phones
        .into_iter()
        .map(|phone| {
            PhoneRecord::judged(
                phone.id,
                phone.name,
                phone.owner,
                export.kind.source(),
                phone.last_seen,
                phone.facts,
                &judge,
            )
            .0
        })
        .collect();
    for skipped in &export.skipped {
        eprintln!("hygeia: {}: left out {skipped}", args.file.display());
    }
    if args.json {
        let json = serde_json::to_string_pretty(&records).context("serialising the phones")?;
        println!("{json}");
        return Ok(0);
    }
    if records.is_empty() {
        println!("No phone or tablet in {}.", args.file.display());
        return Ok(0);
    }
    for record in &records {
        println!(
            "{} - {} - {} ({})",
            record.name,
            record.facts.describe(),
            record.owner,
            record.worst_status().label()
        );
        for result in record.results.iter().filter(|r| r.status.label() != "PASS") {
            println!(
                "    {} {}: {}",
                result.control,
                result.status.label(),
                result.reason
            );
        }
    }
    Ok(0)
}
