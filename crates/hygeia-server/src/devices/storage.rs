//! The device tables: writing an upload and a match, reading a practice's devices back as typed
//! values for the API and the pages.

use hygeia_devices::inventory::Device;
use serde::Serialize;
use sqlx::{Any, AnyConnection, Row, Transaction};
use std::collections::BTreeMap;

/// Rows written per INSERT statement (well under both databases' limits on bound values).
const ROWS_PER_INSERT: usize = 100;

/// An uploaded inventory.
#[derive(Debug, Clone, Serialize)]
pub struct InventoryInfo {
    /// Its id.
    pub id: i64,
    /// When it was uploaded (Unix seconds).
    pub uploaded_at: i64,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// The file's name as uploaded.
    pub file_name: String,
    /// Devices and components read from it.
    pub devices: i64,
    /// Rows left out.
    pub skipped_rows: i64,
    /// What was wrong with rows, one line each (left out or only noted).
    pub problems: Vec<String>,
    /// When it was last matched (Unix seconds).
    pub matched_at: Option<i64>,
    /// Which advisories that match used.
    pub advisories: String,
}

/// What an advisory says to do.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Step {
    /// `vendor_fix`, `mitigation`, `workaround`, `none_available`, `no_fix_planned`.
    pub category: String,
    /// The advisory's words.
    pub details: String,
    /// A link, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One advisory that affects a device.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceFinding {
    /// Advisory id.
    pub advisory: String,
    /// Advisory title.
    pub title: String,
    /// Advisory page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The product entry as the advisory writes it.
    pub product: String,
    /// CVEs.
    pub cves: Vec<String>,
    /// `exact`, `range`, `heuristic` or `unparsed`.
    pub basis: String,
    /// Why it matched, in one sentence.
    pub basis_note: String,
    /// `critical`, `high`, `medium`, `low`.
    pub priority: String,
    /// Why this priority.
    pub priority_reasons: Vec<String>,
    /// In CISA's KEV catalog.
    pub kev: bool,
    /// In KEV with known ransomware use.
    pub ransomware: bool,
    /// What to do.
    pub remediation: Vec<Step>,
}

/// One device of the inventory in force, with its findings.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceRow {
    /// The inventory's name of the device.
    pub name: String,
    /// Name, maker, model and version, for people.
    pub label: String,
    /// Kind of device.
    pub kind: String,
    /// Maker.
    pub vendor: String,
    /// Model.
    pub model: String,
    /// Software version.
    pub version: String,
    /// Embedded operating system.
    pub operating_system: String,
    /// Network segment.
    pub segment: String,
    /// Keeps a patient alive or is needed for treatment.
    pub life_critical: bool,
    /// Stores patient data.
    pub stores_phi: bool,
    /// Who patches it.
    pub patch_owner: String,
    /// Where it is listed in the file.
    pub source: String,
    /// Advisories that affect it, most urgent first.
    pub findings: Vec<DeviceFinding>,
}

/// HY-MD-101..104 for the practice.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceControl {
    /// `HY-MD-101`.
    pub control_id: String,
    /// `pass`, `warn`, `fail`, `unknown`, `not_applicable`.
    pub status: String,
    /// Severity.
    pub severity: String,
    /// What was found.
    pub reason: String,
    /// The devices behind it.
    pub evidence: Vec<String>,
    /// When measured (Unix seconds).
    pub observed_at: i64,
    /// Since when it has had this status.
    pub since: i64,
}

/// Findings counted by priority.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct FindingCounts {
    /// All findings.
    pub total: i64,
    /// Critical.
    pub critical: i64,
    /// High.
    pub high: i64,
    /// Medium.
    pub medium: i64,
    /// Low.
    pub low: i64,
    /// In KEV.
    pub kev: i64,
    /// Devices with at least one finding.
    pub devices_affected: i64,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn priority_rank(priority: &str) -> i64 {
    match priority {
        "critical" => 3,
        "high" => 2,
        "medium" => 1,
        _ => 0,
    }
}

/// Stores a new inventory and its devices; returns its id.
pub async fn insert_inventory(
    tx: &mut Transaction<'static, Any>,
    practice_id: i64,
    user_id: i64,
    file_name: &str,
    inventory: &hygeia_devices::inventory::Inventory,
    body: &[u8],
) -> Result<i64, sqlx::Error> {
    let id = crate::db::new_time_ordered_id();
    let problems: Vec<String> = inventory
        .problems
        .iter()
        .map(|p| {
            let column = p
                .column
                .as_ref()
                .map(|c| format!(" (column {c})"))
                .unwrap_or_default();
            let what = if p.skipped { "left out" } else { "note" };
            format!("{}{column}: {what}: {}", p.location, p.message)
        })
        .collect();
    let skipped = inventory.problems.iter().filter(|p| p.skipped).count() as i64;
    sqlx::query(
        "INSERT INTO device_inventories (id, practice_id, uploaded_at, uploaded_by, file_name, \
         devices, skipped_rows, problems, body_deflate_base64) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(practice_id)
    .bind(crate::db::now())
    .bind(user_id)
    .bind(file_name)
    .bind(inventory.devices.len() as i64)
    .bind(skipped)
    .bind(problems.join("\n"))
    .bind(crate::ingest::compress(&String::from_utf8_lossy(body)))
    .execute(&mut **tx)
    .await?;
    for (chunk_index, chunk) in inventory.devices.chunks(ROWS_PER_INSERT).enumerate() {
        let mut sql = String::from(
            "INSERT INTO devices (inventory_id, position, name, label, kind, vendor, model, \
             version, operating_system, segment, life_critical, stores_phi, patch_owner, source) VALUES ",
        );
        let columns = 14;
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            let values: Vec<String> = (1..=columns)
                .map(|c| format!("${}", i * columns + c))
                .collect();
            sql.push_str(&format!("({})", values.join(", ")));
        }
        let mut query = sqlx::query(&sql);
        for (i, device) in chunk.iter().enumerate() {
            query = bind_device(
                query,
                id,
                (chunk_index * ROWS_PER_INSERT + i) as i64,
                device,
            );
        }
        query.execute(&mut **tx).await?;
    }
    Ok(id)
}

fn bind_device<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    inventory_id: i64,
    position: i64,
    device: &Device,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(inventory_id)
        .bind(position)
        .bind(device.name.clone())
        .bind(device.label())
        .bind(device.kind.clone())
        .bind(device.vendor.clone())
        .bind(device.model.clone())
        .bind(device.version.clone())
        .bind(device.operating_system())
        .bind(device.segment.clone())
        .bind(i64::from(device.life_critical))
        .bind(i64::from(device.stores_phi))
        .bind(device.patch_owner.clone())
        .bind(device.source.clone())
}

/// Replaces the findings of an inventory with a new match, and notes when and against what.
pub async fn replace_findings(
    tx: &mut Transaction<'static, Any>,
    inventory_id: i64,
    findings: &[hygeia_devices::priority::Finding],
    advisories: &str,
    snapshot: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM device_findings WHERE inventory_id = $1")
        .bind(inventory_id)
        .execute(&mut **tx)
        .await?;
    let columns = 18;
    for (chunk_index, chunk) in findings.chunks(ROWS_PER_INSERT).enumerate() {
        let mut sql = String::from(
            "INSERT INTO device_findings (inventory_id, position, device_name, device_label, \
             advisory, title, url, product, cves, basis, basis_note, priority, priority_rank, \
             priority_reasons, kev, ransomware, remediation, device_source) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            let values: Vec<String> = (1..=columns)
                .map(|c| format!("${}", i * columns + c))
                .collect();
            sql.push_str(&format!("({})", values.join(", ")));
        }
        let mut query = sqlx::query(&sql);
        for (i, f) in chunk.iter().enumerate() {
            let remediation: Vec<String> = f
                .remediation
                .iter()
                .map(|r| {
                    format!(
                        "{}\t{}\t{}",
                        r.category,
                        one_line(&r.details),
                        r.url.as_deref().unwrap_or("")
                    )
                })
                .collect();
            query = query
                .bind(inventory_id)
                .bind((chunk_index * ROWS_PER_INSERT + i) as i64)
                .bind(f.device_name.clone())
                .bind(f.device.clone())
                .bind(f.advisory.clone())
                .bind(f.title.clone())
                .bind(f.url.clone().unwrap_or_default())
                .bind(f.product.clone())
                .bind(f.cves.join(" "))
                .bind(f.basis.as_str().to_string())
                .bind(f.basis_note.clone())
                .bind(f.priority.as_str().to_string())
                .bind(priority_rank(f.priority.as_str()))
                .bind(
                    f.priority_reasons
                        .iter()
                        .map(|r| one_line(r))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
                .bind(i64::from(f.kev))
                .bind(i64::from(f.ransomware))
                .bind(remediation.join("\n"))
                .bind(f.device_source.clone());
        }
        query.execute(&mut **tx).await?;
    }
    sqlx::query(
        "UPDATE device_inventories SET matched_at = $1, advisories = $2, snapshot = $3 WHERE id = $4",
    )
    .bind(crate::db::now())
    .bind(advisories)
    .bind(snapshot)
    .bind(inventory_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Text that must stay on one line of a stored list.
fn one_line(text: &str) -> String {
    text.split(['\n', '\r', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Stores the practice's HY-MD controls as measured now; a changed status is also written to
/// the history.
pub async fn save_controls(
    tx: &mut Transaction<'static, Any>,
    practice_id: i64,
    controls: &BTreeMap<String, hygeia_core::Finding>,
) -> Result<(), sqlx::Error> {
    let at = crate::db::now();
    for (control_id, finding) in controls {
        let severity =
            crate::pages::layout::control(control_id).map_or("medium", |c| c.severity.as_str());
        let status = finding.status.as_str();
        let previous: Option<(String, i64)> = sqlx::query(
            "SELECT status, since FROM practice_device_controls WHERE practice_id = $1 AND control_id = $2",
        )
        .bind(practice_id)
        .bind(control_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|row| Ok::<_, sqlx::Error>((row.try_get("status")?, row.try_get("since")?)))
        .transpose()?;
        let changed = previous.as_ref().is_none_or(|(s, _)| s != status);
        let since = match &previous {
            Some((_, since)) if !changed => *since,
            _ => at,
        };
        // One statement, so two uploads at once cannot both insert the row.
        sqlx::query(
            "INSERT INTO practice_device_controls (practice_id, control_id, status, severity, \
             reason, evidence, observed_at, since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (practice_id, control_id) DO UPDATE SET status = excluded.status, \
             severity = excluded.severity, reason = excluded.reason, evidence = excluded.evidence, \
             observed_at = excluded.observed_at, since = excluded.since",
        )
        .bind(practice_id)
        .bind(control_id)
        .bind(status)
        .bind(severity)
        .bind(&finding.reason)
        .bind(
            finding
                .evidence
                .iter()
                .map(|e| one_line(e))
                .collect::<Vec<_>>()
                .join("\n"),
        )
        .bind(at)
        .bind(since)
        .execute(&mut **tx)
        .await?;
        if changed {
            sqlx::query(
                "INSERT INTO practice_device_control_changes (practice_id, control_id, at, status, \
                 severity, reason) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(practice_id)
            .bind(control_id)
            .bind(at)
            .bind(status)
            .bind(severity)
            .bind(&finding.reason)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// The id of the inventory in force for a practice now, read inside a transaction.
pub async fn current_inventory_id(
    tx: &mut Transaction<'static, Any>,
    practice_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM device_inventories WHERE practice_id = $1 \
         ORDER BY uploaded_at DESC, id DESC LIMIT 1",
    )
    .bind(practice_id)
    .fetch_optional(&mut **tx)
    .await
}

/// The inventory in force for a practice at `end` (Unix seconds; `i64::MAX` for now).
pub async fn inventory_at(
    conn: &mut AnyConnection,
    practice_id: i64,
    end: i64,
) -> Result<Option<InventoryInfo>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT i.id, i.uploaded_at, i.file_name, i.devices, i.skipped_rows, i.problems, \
         i.matched_at, i.advisories, COALESCE(u.display_name, '') AS uploaded_by \
         FROM device_inventories i LEFT JOIN users u ON u.id = i.uploaded_by \
         WHERE i.practice_id = $1 AND i.uploaded_at <= $2 \
         ORDER BY i.uploaded_at DESC, i.id DESC LIMIT 1",
    )
    .bind(practice_id)
    .bind(end)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(InventoryInfo {
            id: row.try_get("id")?,
            uploaded_at: row.try_get("uploaded_at")?,
            uploaded_by: row.try_get("uploaded_by")?,
            file_name: row.try_get("file_name")?,
            devices: row.try_get("devices")?,
            skipped_rows: row.try_get("skipped_rows")?,
            problems: lines(&row.try_get::<String, _>("problems")?),
            matched_at: row.try_get("matched_at")?,
            advisories: row.try_get("advisories")?,
        })
    })
    .transpose()
}

/// A page of an inventory's devices with their findings: all in the inventory's order, or only
/// those with findings, most urgent first. One more than `limit` is read, to tell whether there
/// is a next page.
pub async fn devices_of(
    conn: &mut AnyConnection,
    inventory_id: i64,
    affected_only: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<DeviceRow>, sqlx::Error> {
    let sql = if affected_only {
        "SELECT d.name, d.label, d.kind, d.vendor, d.model, d.version, d.operating_system,          d.segment, d.life_critical, d.stores_phi, d.patch_owner, d.source FROM devices d          JOIN (SELECT device_source, MAX(priority_rank) AS top FROM device_findings                WHERE inventory_id = $1 GROUP BY device_source) f ON f.device_source = d.source          WHERE d.inventory_id = $1 ORDER BY f.top DESC, d.position LIMIT $2 OFFSET $3"
    } else {
        "SELECT name, label, kind, vendor, model, version, operating_system, segment,          life_critical, stores_phi, patch_owner, source FROM devices          WHERE inventory_id = $1 ORDER BY position LIMIT $2 OFFSET $3"
    };
    let rows = sqlx::query(sql)
        .bind(inventory_id)
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(&mut *conn)
        .await?;
    let mut findings: BTreeMap<String, Vec<DeviceFinding>> = BTreeMap::new();
    let finding_rows = sqlx::query(
        "SELECT device_source, advisory, title, url, product, cves, basis, basis_note, priority, \
         priority_reasons, kev, ransomware, remediation FROM device_findings \
         WHERE inventory_id = $1 ORDER BY position",
    )
    .bind(inventory_id)
    .fetch_all(&mut *conn)
    .await?;
    for row in finding_rows {
        let url: String = row.try_get("url")?;
        let remediation = lines(&row.try_get::<String, _>("remediation")?)
            .into_iter()
            .map(|line| {
                let mut parts = line.splitn(3, '\t');
                let category = parts.next().unwrap_or("").to_string();
                let details = parts.next().unwrap_or("").to_string();
                let url = parts.next().filter(|u| !u.is_empty()).map(str::to_string);
                Step {
                    category,
                    details,
                    url,
                }
            })
            .collect();
        findings
            .entry(row.try_get("device_source")?)
            .or_default()
            .push(DeviceFinding {
                advisory: row.try_get("advisory")?,
                title: row.try_get("title")?,
                url: (!url.is_empty()).then_some(url),
                product: row.try_get("product")?,
                cves: row
                    .try_get::<String, _>("cves")?
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
                basis: row.try_get("basis")?,
                basis_note: row.try_get("basis_note")?,
                priority: row.try_get("priority")?,
                priority_reasons: lines(&row.try_get::<String, _>("priority_reasons")?),
                kev: row.try_get::<i64, _>("kev")? != 0,
                ransomware: row.try_get::<i64, _>("ransomware")? != 0,
                remediation,
            });
    }
    let mut devices = Vec::with_capacity(rows.len());
    for row in rows {
        let source: String = row.try_get("source")?;
        devices.push(DeviceRow {
            name: row.try_get("name")?,
            label: row.try_get("label")?,
            kind: row.try_get("kind")?,
            vendor: row.try_get("vendor")?,
            model: row.try_get("model")?,
            version: row.try_get("version")?,
            operating_system: row.try_get("operating_system")?,
            segment: row.try_get("segment")?,
            life_critical: row.try_get::<i64, _>("life_critical")? != 0,
            stores_phi: row.try_get::<i64, _>("stores_phi")? != 0,
            patch_owner: row.try_get("patch_owner")?,
            findings: findings.remove(&source).unwrap_or_default(),
            source,
        });
    }
    Ok(devices)
}

/// Findings of an inventory counted by priority.
pub async fn finding_counts(
    conn: &mut AnyConnection,
    inventory_id: i64,
) -> Result<FindingCounts, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS total, \
         CAST(COALESCE(SUM(CASE WHEN priority_rank = 3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS critical, \
         CAST(COALESCE(SUM(CASE WHEN priority_rank = 2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS high, \
         CAST(COALESCE(SUM(CASE WHEN priority_rank = 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS medium, \
         CAST(COALESCE(SUM(CASE WHEN priority_rank = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS low, \
         CAST(COALESCE(SUM(kev), 0) AS BIGINT) AS kev, COUNT(DISTINCT device_source) AS devices_affected \
         FROM device_findings WHERE inventory_id = $1",
    )
    .bind(inventory_id)
    .fetch_one(&mut *conn)
    .await?;
    // Sums are cast to BIGINT: PostgreSQL would answer NUMERIC, which the driver does not read.
    let number = |name: &str| row.try_get::<i64, _>(name);
    Ok(FindingCounts {
        total: number("total")?,
        critical: number("critical")?,
        high: number("high")?,
        medium: number("medium")?,
        low: number("low")?,
        kev: number("kev")?,
        devices_affected: number("devices_affected")?,
    })
}

/// The practice's HY-MD controls as last measured.
pub async fn controls_of(
    conn: &mut AnyConnection,
    practice_id: i64,
) -> Result<Vec<DeviceControl>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT control_id, status, severity, reason, evidence, observed_at, since \
         FROM practice_device_controls WHERE practice_id = $1 ORDER BY control_id",
    )
    .bind(practice_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(DeviceControl {
                control_id: row.try_get("control_id")?,
                status: row.try_get("status")?,
                severity: row.try_get("severity")?,
                reason: row.try_get("reason")?,
                evidence: lines(&row.try_get::<String, _>("evidence")?),
                observed_at: row.try_get("observed_at")?,
                since: row.try_get("since")?,
            })
        })
        .collect()
}

/// The practice's HY-MD controls as they stood at `end`, from their history.
pub async fn controls_at(
    conn: &mut AnyConnection,
    practice_id: i64,
    end: i64,
) -> Result<Vec<DeviceControl>, sqlx::Error> {
    let current = controls_of(conn, practice_id).await?;
    if current.iter().all(|c| c.observed_at <= end) {
        return Ok(current);
    }
    let rows = sqlx::query(
        "SELECT c.control_id, c.status, c.severity, c.reason, c.at FROM practice_device_control_changes c \
         WHERE c.practice_id = $1 AND c.at = (SELECT MAX(l.at) FROM practice_device_control_changes l \
         WHERE l.practice_id = $1 AND l.control_id = c.control_id AND l.at <= $2) ORDER BY c.control_id",
    )
    .bind(practice_id)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let at: i64 = row.try_get("at")?;
            Ok(DeviceControl {
                control_id: row.try_get("control_id")?,
                status: row.try_get("status")?,
                severity: row.try_get("severity")?,
                reason: row.try_get("reason")?,
                evidence: Vec::new(),
                observed_at: at,
                since: at,
            })
        })
        .collect()
}
