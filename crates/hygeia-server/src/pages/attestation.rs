//! The practice attestation report's content for a chosen day, built from stored history: the
//! computers in service that day, each one's latest results on or before its end, the answers
//! people gave, and from those the open risks and the remediation plan. `report.rs` draws it as
//! HTML and `pdf.rs` as PDF; the wording and rating rules are `catalog/attestation-report.toml`.

use super::layout::control;
use super::layout::platform_of;
use crate::auth::{Role, Signed, check_practice_visible};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use hygeia_core::attestation::ATTESTATION_VALID_DAYS;
use hygeia_core::catalog_files::CatalogFileError;
use serde::Deserialize;
use sqlx::Row;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// `catalog/attestation-report.toml`.
#[derive(Debug, Deserialize)]
pub struct Wording {
    /// The report's title.
    pub title: String,
    /// What the report covers.
    pub scope: String,
    /// How statuses and ratings were found.
    pub method: String,
    likelihood: Likelihood,
    impact: BTreeMap<String, String>,
    risk: BTreeMap<String, BTreeMap<String, String>>,
    due_days: BTreeMap<String, i64>,
    /// The sign-off lines.
    pub signoff: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Likelihood {
    high_from: f64,
    medium_from: f64,
}

/// The report's wording, parsed once (a test parses it at build time of the tests). A broken
/// file is reported with the parser's words (line and column), not just "cannot be read".
pub fn wording() -> ApiResult<&'static Wording> {
    static WORDING: OnceLock<Result<Wording, CatalogFileError>> = OnceLock::new();
    WORDING
        .get_or_init(|| hygeia_core::catalog_files::read("attestation-report.toml"))
        .as_ref()
        .map_err(|error| ApiError::catalog(error, "The report's wording"))
}

impl Wording {
    /// `high`, `medium` or `low` for a share of computers failing.
    pub fn likelihood(&self, share_failing: f64) -> &'static str {
        if share_failing >= self.likelihood.high_from {
            "high"
        } else if share_failing >= self.likelihood.medium_from {
            "medium"
        } else {
            "low"
        }
    }

    /// Impact of a failing control of this severity.
    pub fn impact(&self, severity: &str) -> String {
        self.impact
            .get(severity)
            .cloned()
            .unwrap_or_else(|| "medium".into())
    }

    /// Risk level of a likelihood and an impact.
    pub fn risk(&self, likelihood: &str, impact: &str) -> String {
        self.risk
            .get(likelihood)
            .and_then(|row| row.get(impact))
            .cloned()
            .unwrap_or_else(|| "medium".into())
    }

    /// Days allowed to fix a control of this severity.
    pub fn due_days(&self, severity: &str) -> i64 {
        self.due_days.get(severity).copied().unwrap_or(90)
    }
}

/// An enrolled computer in service on the day.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Host name.
    pub hostname: String,
    /// `linux`, `macos`, `windows`.
    pub platform: String,
    /// Operating system as last reported.
    pub os_version: String,
    /// Enrolled (Unix seconds).
    pub enrolled_at: i64,
    /// Its latest report on or before the day's end.
    pub last_report_at: Option<i64>,
    /// Who uses it.
    pub owner: Option<String>,
    /// Controls failing on the day.
    pub failing: usize,
}

/// One control's status across the practice's computers.
#[derive(Debug, Clone)]
pub struct ControlRow {
    /// `HY-PC-001`.
    pub id: String,
    /// Plain-language title.
    pub title: String,
    /// HIPAA Security Rule citation.
    pub hipaa: String,
    /// Severity.
    pub severity: String,
    /// Computers measured passing.
    pub passing: usize,
    /// Computers where a person attested it.
    pub attested: usize,
    /// Computers failing (or warning).
    pub failing: usize,
    /// Computers where it could not be told (unknown, not applicable, awaiting an answer).
    pub other: usize,
    /// For a control measured on the device inventory rather than on computers: what was found
    /// (the counts are then 1 for the inventory's status).
    pub inventory_reason: Option<String>,
}

impl ControlRow {
    /// The status in words.
    pub fn status_word(&self) -> &'static str {
        if self.failing > 0 {
            "Not in place everywhere"
        } else if self.passing + self.attested == 0 {
            "Not determined"
        } else if self.other > 0 {
            "In place where determined"
        } else {
            "In place"
        }
    }
}

/// Controls of one HICP practice.
#[derive(Debug, Clone)]
pub struct HicpGroup {
    /// `HICP 7: Vulnerability Management`.
    pub practice: String,
    /// Its controls.
    pub controls: Vec<ControlRow>,
}

/// One device of the inventory in force on the day.
#[derive(Debug, Clone)]
pub struct DeviceAsset {
    /// Name, maker, model, version.
    pub label: String,
    /// Embedded operating system.
    pub operating_system: String,
    /// Network segment.
    pub segment: String,
    /// Life-critical.
    pub life_critical: bool,
    /// Stores patient data.
    pub stores_phi: bool,
    /// Who patches it.
    pub patch_owner: String,
    /// Advisories that affect it (as last matched).
    pub findings: usize,
    /// The most urgent of them.
    pub top_priority: Option<String>,
}

/// The device inventory in force on the day.
#[derive(Debug, Clone)]
pub struct DeviceInventory {
    /// The uploaded file.
    pub file_name: String,
    /// When it was uploaded.
    pub uploaded_at: i64,
    /// When its findings were last matched, and against what.
    pub matched: Option<(i64, String)>,
    /// Devices in it.
    pub total: usize,
    /// The first devices (the report lists at most [`DEVICES_LISTED`]).
    pub devices: Vec<DeviceAsset>,
}

/// Devices listed in the report at most; the rest are counted.
pub const DEVICES_LISTED: i64 = 500;

/// A person's answer in force (or expired) on the day.
#[derive(Debug, Clone)]
pub struct AttestedItem {
    /// The computer.
    pub hostname: String,
    /// Control title.
    pub title: String,
    /// Yes (in place) or no.
    pub answer: bool,
    /// Who.
    pub by: String,
    /// When.
    pub at: i64,
    /// Until when it counts.
    pub expires: i64,
    /// Their note.
    pub note: String,
}

/// A control failing on at least one computer.
#[derive(Debug, Clone)]
pub struct Risk {
    /// `HY-PC-001`.
    pub control_id: String,
    /// Title.
    pub title: String,
    /// Severity.
    pub severity: String,
    /// HIPAA citation.
    pub hipaa: String,
    /// Computers failing it.
    pub hosts_failing: Vec<String>,
    /// Computers that reported it.
    pub hosts_reporting: usize,
    /// `high`, `medium`, `low`.
    pub likelihood: &'static str,
    /// `high`, `medium`, `low`.
    pub impact: String,
    /// `high`, `medium`, `low`.
    pub level: String,
    /// When it started failing (earliest among the computers).
    pub since: i64,
    /// What to do.
    pub action: String,
    /// Who does it.
    pub owner: String,
    /// By when.
    pub due: i64,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    /// Practice id.
    pub practice_id: i64,
    /// Practice name.
    pub practice: String,
    /// Its organization (the insurer, or the practice itself).
    pub organization: String,
    /// The chosen day (`2026-11-28`).
    pub day: String,
    /// Its last second (Unix).
    pub day_end: i64,
    /// When the report was made.
    pub generated_at: i64,
    /// By whom.
    pub generated_by: String,
    /// Computers in service.
    pub assets: Vec<Asset>,
    /// The device inventory in force, when the practice had uploaded one by the day.
    pub devices: Option<DeviceInventory>,
    /// Section 2c: the phones and tablets on record by that day (each as last seen).
    pub phones: Vec<crate::phones::PhoneRow>,
    /// Section 2d: the practice's people, their awareness training and simulations.
    pub workforce: Vec<crate::awareness::storage::WorkforceRow>,
    /// Controls by HICP practice.
    pub groups: Vec<HicpGroup>,
    /// Answers people gave.
    pub attested: Vec<AttestedItem>,
    /// Open risks, highest first; each also a line of the remediation plan.
    pub risks: Vec<Risk>,
}

/// `2026-11-28` → that day's last second (UTC), if it is a date.
pub fn day_end(day: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day, &format).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp() + 86_399)
}

fn level_rank(level: &str) -> u8 {
    match level {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    }
}

/// A computer a control fails on: (hostname, platform, owner, failing since).
type FailingOn = (String, String, Option<String>, i64);

/// One computer's state on the day: per control (status, severity, since).
type Posture = BTreeMap<String, (String, String, i64)>;

/// A computer's state at `end` read from its history (for a day before its latest change):
/// per control, the last change on or before the day, and when the computer last reported.
async fn posture_on(state: &AppState, host_id: i64, end: i64) -> ApiResult<(Posture, Option<i64>)> {
    let rows = sqlx::query(
        "SELECT c.control_id, c.to_status, c.severity, c.at, \
         (SELECT MAX(r.observed_at) FROM results r WHERE r.host_id = c.host_id \
          AND r.control_id = c.control_id AND r.observed_at <= $2) AS last_seen \
         FROM host_changes c WHERE c.host_id = $1 AND c.at = \
         (SELECT MAX(l.at) FROM host_changes l WHERE l.host_id = $1 \
          AND l.control_id = c.control_id AND l.at <= $2)",
    )
    .bind(host_id)
    .bind(end)
    .fetch_all(&state.db.read)
    .await?;
    let mut posture = Posture::new();
    let mut latest: Option<i64> = None;
    for row in rows {
        let last_seen: Option<i64> = row.try_get("last_seen")?;
        latest = latest.max(last_seen);
        posture.insert(
            row.try_get("control_id")?,
            (
                row.try_get("to_status")?,
                row.try_get("severity")?,
                row.try_get("at")?,
            ),
        );
    }
    Ok((posture, latest))
}

/// Gathers the report of a practice for a day.
pub async fn build(
    state: &AppState,
    viewer: &Signed,
    practice_id: i64,
    day: &str,
) -> ApiResult<Report> {
    if viewer.role == Role::Clinician {
        return Err(ApiError::forbidden(
            "The attestation report is for the practice's administrators and its insurer.",
        ));
    }
    check_practice_visible(state, viewer, practice_id).await?;
    let wording = wording()?;
    let now = crate::db::now();
    let Some(end) = day_end(day) else {
        return Err(ApiError::bad_request("Choose a date as YYYY-MM-DD."));
    };
    if end - 86_399 > now {
        return Err(ApiError::bad_request(
            "Choose today or a day in the past: the report shows what was stored.",
        ));
    }
    let names = sqlx::query(
        "SELECT p.name AS practice, o.name AS organization FROM practices p \
         JOIN organizations o ON o.id = p.organization_id WHERE p.id = $1",
    )
    .bind(practice_id)
    .fetch_one(&state.db.read)
    .await?;
    let hosts = sqlx::query(
        "SELECT h.id, h.hostname, h.os, h.os_version, h.enrolled_at, u.display_name AS owner \
         FROM hosts h LEFT JOIN users u ON u.id = h.owner_user_id \
         WHERE h.practice_id = $1 AND h.enrolled_at <= $2 AND (h.revoked_at IS NULL OR h.revoked_at > $2) \
         ORDER BY h.hostname, h.id",
    )
    .bind(practice_id)
    .bind(end)
    .fetch_all(&state.db.read)
    .await?;
    let admins: Vec<String> = sqlx::query_scalar(
        "SELECT display_name FROM users WHERE practice_id = $1 AND role = 'practice_admin' \
         AND disabled = 0 ORDER BY display_name",
    )
    .bind(practice_id)
    .fetch_all(&state.db.read)
    .await?;
    let admin_owner = if admins.is_empty() {
        "Practice administrator".to_string()
    } else {
        admins.join(", ")
    };

    // The latest posture of every computer: when a computer's latest stored report is from the
    // chosen day or before, its state that day is its current state, status start included.
    // Only computers that reported changes after the day need their history read.
    let current = sqlx::query(
        "SELECT host_id, control_id, status, severity, since, observed_at FROM host_posture \
         WHERE practice_id = $1",
    )
    .bind(practice_id)
    .fetch_all(&state.db.read)
    .await?;
    let mut postures: BTreeMap<i64, (Posture, Option<i64>)> = BTreeMap::new();
    let mut changed_after: std::collections::BTreeSet<i64> = Default::default();
    for row in current {
        let host_id: i64 = row.try_get("host_id")?;
        let observed: i64 = row.try_get("observed_at")?;
        if observed > end {
            changed_after.insert(host_id);
            continue;
        }
        let entry = postures.entry(host_id).or_default();
        entry.1 = entry.1.max(Some(observed));
        entry.0.insert(
            row.try_get("control_id")?,
            (
                row.try_get("status")?,
                row.try_get("severity")?,
                row.try_get("since")?,
            ),
        );
    }
    let mut assets = Vec::new();
    let mut rows: BTreeMap<String, ControlRow> = BTreeMap::new();
    let mut failing: BTreeMap<String, Vec<FailingOn>> = BTreeMap::new();
    let mut hostnames = BTreeMap::new();
    for host in &hosts {
        let host_id: i64 = host.try_get("id")?;
        let hostname: String = host.try_get("hostname")?;
        let platform: String = host.try_get("os")?;
        let owner: Option<String> = host.try_get("owner")?;
        hostnames.insert(host_id, hostname.clone());
        let (posture, latest) = if changed_after.contains(&host_id) {
            posture_on(state, host_id, end).await?
        } else {
            postures.remove(&host_id).unwrap_or_default()
        };
        let mut host_failing = 0;
        for (control_id, (status, severity, since)) in &posture {
            let row = rows.entry(control_id.clone()).or_insert_with(|| {
                let c = control(control_id);
                ControlRow {
                    id: control_id.clone(),
                    title: c.map_or_else(|| control_id.clone(), |c| c.title.clone()),
                    hipaa: c.map(|c| c.hipaa.clone()).unwrap_or_default(),
                    severity: severity.clone(),
                    passing: 0,
                    attested: 0,
                    failing: 0,
                    other: 0,
                    inventory_reason: None,
                }
            });
            match status.as_str() {
                "pass" => row.passing += 1,
                "attested" => row.attested += 1,
                "fail" | "warn" => {
                    row.failing += 1;
                    host_failing += 1;
                    failing.entry(control_id.clone()).or_default().push((
                        hostname.clone(),
                        platform.clone(),
                        owner.clone(),
                        *since,
                    ));
                }
                _ => row.other += 1,
            }
        }
        assets.push(Asset {
            hostname,
            platform,
            os_version: host.try_get("os_version")?,
            enrolled_at: host.try_get("enrolled_at")?,
            last_report_at: latest,
            owner,
            failing: host_failing,
        });
    }

    let mut snapshot = state.db.snapshot().await?;
    let devices = device_inventory(&mut snapshot, practice_id, end).await?;
    let phones: Vec<crate::phones::PhoneRow> =
        crate::phones::list(&mut snapshot, practice_id, None)
            .await?
            .into_iter()
            .filter(|p| p.seen_at <= end)
            .collect();
    let workforce = crate::awareness::storage::workforce(&mut snapshot, practice_id, end).await?;
    let device_controls =
        crate::devices::storage::controls_at(&mut snapshot, practice_id, end).await?;
    snapshot.commit().await?;
    if devices.is_some() {
        for c in &device_controls {
            rows.insert(c.control_id.clone(), inventory_row(c));
        }
    }

    let mut groups: BTreeMap<String, Vec<ControlRow>> = BTreeMap::new();
    for row in rows.values() {
        let practice =
            control(&row.id).map_or_else(|| "Other controls".to_string(), |c| c.hicp.clone());
        groups.entry(practice).or_default().push(row.clone());
    }

    let mut risks = Vec::new();
    for (control_id, hosts_failing) in &failing {
        let Some(row) = rows.get(control_id) else {
            continue;
        };
        let reporting = row.passing + row.attested + row.failing + row.other;
        let likelihood = wording.likelihood(hosts_failing.len() as f64 / reporting.max(1) as f64);
        let impact = wording.impact(&row.severity);
        let level = wording.risk(likelihood, &impact);
        let since = hosts_failing.iter().map(|h| h.3).min().unwrap_or(end);
        let mut platforms: Vec<&str> = hosts_failing.iter().map(|h| h.1.as_str()).collect();
        platforms.sort_unstable();
        platforms.dedup();
        let fix = match (control(control_id), platforms.as_slice()) {
            (Some(c), [one]) => platform_of(one)
                .map(|p| c.fix.for_platform(p).to_string())
                .unwrap_or_default(),
            _ => "Follow the fix steps shown on each computer's page in the dashboard.".into(),
        };
        let mut owners: Vec<String> = hosts_failing.iter().filter_map(|h| h.2.clone()).collect();
        owners.sort();
        owners.dedup();
        let owner = if owners.is_empty() {
            admin_owner.clone()
        } else {
            owners.join(", ")
        };
        risks.push(Risk {
            control_id: control_id.clone(),
            title: row.title.clone(),
            severity: row.severity.clone(),
            hipaa: row.hipaa.clone(),
            hosts_failing: hosts_failing.iter().map(|h| h.0.clone()).collect(),
            hosts_reporting: reporting,
            likelihood,
            impact,
            level,
            since,
            action: fix,
            owner,
            due: since + wording.due_days(&row.severity) * 86_400,
        });
    }
    if let Some(inventory) = &devices {
        for c in device_controls
            .iter()
            .filter(|c| c.status == "fail" || c.status == "warn")
        {
            risks.push(inventory_risk(c, inventory, wording, &admin_owner));
        }
    }
    risks.sort_by(|a, b| {
        level_rank(&a.level)
            .cmp(&level_rank(&b.level))
            .then(b.hosts_failing.len().cmp(&a.hosts_failing.len()))
            .then(a.control_id.cmp(&b.control_id))
    });

    let answers = sqlx::query(
        "SELECT a.host_id, a.control_id, a.answer, a.attested_by, a.attested_at, a.note \
         FROM attestations a JOIN hosts h ON h.id = a.host_id \
         WHERE h.practice_id = $1 AND a.attested_at <= $2 \
         ORDER BY a.host_id, a.control_id, a.attested_at",
    )
    .bind(practice_id)
    .bind(end)
    .fetch_all(&state.db.read)
    .await?;
    // The latest answer per computer and control.
    let mut latest: BTreeMap<(i64, String), AttestedItem> = BTreeMap::new();
    for row in answers {
        let host_id: i64 = row.try_get("host_id")?;
        let Some(hostname) = hostnames.get(&host_id) else {
            continue;
        };
        let control_id: String = row.try_get("control_id")?;
        let at: i64 = row.try_get("attested_at")?;
        latest.insert(
            (host_id, control_id.clone()),
            AttestedItem {
                hostname: hostname.clone(),
                title: super::layout::control_title(&control_id),
                answer: row.try_get::<i64, _>("answer")? != 0,
                by: row.try_get("attested_by")?,
                at,
                expires: at + ATTESTATION_VALID_DAYS * 86_400,
                note: row.try_get("note")?,
            },
        );
    }

    Ok(Report {
        practice_id,
        practice: names.try_get("practice")?,
        organization: names.try_get("organization")?,
        day: day.to_string(),
        day_end: end,
        generated_at: now,
        generated_by: viewer.display_name.clone(),
        assets,
        devices,
        phones,
        workforce,
        groups: groups
            .into_iter()
            .map(|(practice, controls)| HicpGroup { practice, controls })
            .collect(),
        attested: latest.into_values().collect(),
        risks,
    })
}

/// The device inventory in force at `end`, with its first devices.
async fn device_inventory(
    snapshot: &mut sqlx::AnyConnection,
    practice_id: i64,
    end: i64,
) -> ApiResult<Option<DeviceInventory>> {
    use crate::devices::storage;
    let Some(info) = storage::inventory_at(snapshot, practice_id, end).await? else {
        return Ok(None);
    };
    let rows = storage::devices_of(snapshot, info.id, false, DEVICES_LISTED, 0).await?;
    let devices = rows
        .into_iter()
        .take(DEVICES_LISTED as usize)
        .map(|d| DeviceAsset {
            top_priority: d.findings.first().map(|f| f.priority.clone()),
            findings: d.findings.len(),
            label: d.label,
            operating_system: d.operating_system,
            segment: d.segment,
            life_critical: d.life_critical,
            stores_phi: d.stores_phi,
            patch_owner: d.patch_owner,
        })
        .collect();
    Ok(Some(DeviceInventory {
        file_name: info.file_name,
        uploaded_at: info.uploaded_at,
        matched: info.matched_at.map(|at| (at, info.advisories)),
        total: usize::try_from(info.devices).unwrap_or(0),
        devices,
    }))
}

/// A control measured on the device inventory, as a row of the safeguards table.
fn inventory_row(c: &crate::devices::storage::DeviceControl) -> ControlRow {
    let catalog = control(&c.control_id);
    let (passing, failing, other) = match c.status.as_str() {
        "pass" => (1, 0, 0),
        "fail" | "warn" => (0, 1, 0),
        _ => (0, 0, 1),
    };
    ControlRow {
        id: c.control_id.clone(),
        title: catalog.map_or_else(|| c.control_id.clone(), |k| k.title.clone()),
        hipaa: catalog.map(|k| k.hipaa.clone()).unwrap_or_default(),
        severity: c.severity.clone(),
        passing,
        attested: 0,
        failing,
        other,
        inventory_reason: Some(c.reason.clone()),
    }
}

/// A device safeguard not in place, as a risk: likelihood from the share of devices behind it.
fn inventory_risk(
    c: &crate::devices::storage::DeviceControl,
    inventory: &DeviceInventory,
    wording: &Wording,
    admin_owner: &str,
) -> Risk {
    let catalog = control(&c.control_id);
    // Evidence lines name devices; a closing "... and N more" line counts the rest.
    let mut devices: Vec<String> = Vec::new();
    let mut more = 0usize;
    for line in &c.evidence {
        match line
            .strip_prefix("... and ")
            .and_then(|rest| rest.strip_suffix(" more"))
        {
            Some(n) => more += n.parse::<usize>().unwrap_or(0),
            None => devices.push(line.clone()),
        }
    }
    let affected = (devices.len() + more).max(1);
    let likelihood = wording.likelihood(affected as f64 / inventory.total.max(1) as f64);
    let impact = wording.impact(&c.severity);
    let level = wording.risk(likelihood, &impact);
    if more > 0 {
        devices.push(format!("and {more} more devices"));
    }
    if devices.is_empty() {
        devices.push("the device inventory".into());
    }
    Risk {
        control_id: c.control_id.clone(),
        title: catalog.map_or_else(|| c.control_id.clone(), |k| k.title.clone()),
        severity: c.severity.clone(),
        hipaa: catalog.map(|k| k.hipaa.clone()).unwrap_or_default(),
        hosts_failing: devices,
        hosts_reporting: inventory.total,
        likelihood,
        impact,
        level,
        since: c.since,
        action: catalog
            .map(|k| k.fix.for_platform(hygeia_core::Platform::Linux).to_string())
            .unwrap_or_default(),
        owner: admin_owner.to_string(),
        due: c.since + wording.due_days(&c.severity) * 86_400,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wording_parses_and_rates_risks() {
        let w = wording().unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(w.likelihood(0.6), "high");
        assert_eq!(w.likelihood(0.25), "medium");
        assert_eq!(w.likelihood(0.1), "low");
        assert_eq!(w.risk("low", &w.impact("critical")), "medium");
        assert_eq!(w.risk("high", &w.impact("high")), "high");
        assert_eq!(w.due_days("critical"), 15);
        assert_eq!(w.signoff.len(), 3);
    }

    #[test]
    fn days_end_at_their_last_second() {
        assert_eq!(day_end("2026-11-28"), Some(1_795_910_399));
        assert_eq!(day_end("2026-02-30"), None);
        assert_eq!(day_end("yesterday"), None);
    }
}
