//! Reports from agents: validated before anything is stored, stored in one transaction, and
//! answered "unchanged" when the results equal the host's previous ones.

use crate::db::{Db, DbError, new_time_ordered_id};
use hygeia_core::model::{Platform, Severity, Status};
use serde::Deserialize;
use sqlx::Row;
use std::fmt::Write as _;

/// The report schema this server accepts.
pub const ACCEPTED_SCHEMA: &str = hygeia_core::report::REPORT_SCHEMA;
/// Controls per report at most (the catalog has about fifty).
const MAX_CONTROLS: usize = 1_000;
/// Reports dated further ahead than this are refused: the agent's clock is wrong.
const MAX_CLOCK_AHEAD_SECONDS: i64 = 24 * 3600;
/// Reports older than this are refused: the agent queues at most about a month of reports, so
/// anything older is a wrong clock or an attempt to rewrite history.
const MAX_AGE_SECONDS: i64 = 45 * 24 * 3600;

/// Text an agent sends, checked before it is stored: no control characters (PostgreSQL refuses
/// U+0000, and terminal escapes or line breaks would forge lines in logs and exports), at most
/// `max` characters. `multiline` allows line breaks and tabs (a reason, a note).
pub fn agent_text(field: &str, value: &str, max: usize, multiline: bool) -> Result<String, String> {
    let allowed = |c: char| !c.is_control() || (multiline && (c == '\n' || c == '\t'));
    if let Some(bad) = value.chars().find(|c| !allowed(*c)) {
        return Err(format!(
            "{field} contains the control character U+{:04X}; send plain text",
            u32::from(bad)
        ));
    }
    Ok(value.chars().take(max).collect())
}

/// The control ids of the catalog this server knows.
fn known_control(id: &str) -> bool {
    static KNOWN: std::sync::OnceLock<Option<std::collections::HashSet<String>>> =
        std::sync::OnceLock::new();
    let known = KNOWN.get_or_init(|| {
        hygeia_core::Catalog::builtin()
            .ok()
            .map(|c| c.controls.iter().map(|c| c.id.clone()).collect())
    });
    known.as_ref().is_none_or(|ids| ids.contains(id))
}

/// Why a report was refused, in words for the agent's log.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Invalid {
    /// Not JSON or not the expected shape.
    #[error("the report is not a valid hygeia.check/1 document: {0}")]
    Malformed(String),
    /// Another schema.
    #[error(
        "the report has schema {0:?}; this server accepts {ACCEPTED_SCHEMA:?} (update the agent or the server so they match)"
    )]
    Schema(String),
    /// Something inside is out of range.
    #[error("the report cannot be stored: {0}")]
    Content(String),
}

#[derive(Debug, Deserialize)]
struct Document {
    schema: String,
    host: HostPart,
    controls: Vec<ControlPart>,
}

#[derive(Debug, Deserialize)]
struct HostPart {
    hostname: String,
    platform: Platform,
    os: String,
    collected_at: String,
}

#[derive(Debug, Deserialize)]
struct ControlPart {
    id: String,
    status: Status,
    severity: Severity,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    attestation: Option<AttestationPart>,
}

#[derive(Debug, Deserialize)]
struct AttestationPart {
    answer: bool,
    by: String,
    at: String,
    #[serde(default)]
    note: Option<String>,
}

/// A report that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReport {
    /// Host name the agent reported.
    pub hostname: String,
    /// `linux`, `macos`, `windows`.
    pub platform: &'static str,
    /// Operating system for people.
    pub os: String,
    /// When the facts were collected (Unix seconds).
    pub collected_at: i64,
    /// One per control, sorted by id.
    pub results: Vec<ControlOutcome>,
    /// SHA-256 over the sorted (id, status, severity, answer time) rows: equal results, equal
    /// hash.
    pub results_hash: String,
}

/// One control's result as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlOutcome {
    /// `HY-PC-001`.
    pub control_id: String,
    /// `pass`, `fail`, ...
    pub status: &'static str,
    /// `low` ... `critical`.
    pub severity: &'static str,
    /// The finding's sentence.
    pub reason: String,
    /// The person's answer, for attested controls.
    pub attestation: Option<AttestationAnswer>,
}

/// What a person declared about a control (`hygeia attest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationAnswer {
    /// Yes, it is in place; or no.
    pub answer: bool,
    /// Who answered.
    pub by: String,
    /// When (Unix seconds).
    pub at: i64,
    /// Their note.
    pub note: String,
}

fn valid_control_id(id: &str) -> bool {
    (3..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

fn parse_time(text: &str, what: &str) -> Result<i64, Invalid> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|_| {
            Invalid::Content(format!(
                "{what} {:?} is not an RFC 3339 time",
                text.chars().take(40).collect::<String>()
            ))
        })
}

/// Checks a report body; `now` is the server's clock (Unix seconds).
pub fn validate(body: &[u8], now: i64) -> Result<ValidReport, Invalid> {
    let document: Document = serde_json::from_slice(body).map_err(|e| {
        // serde's message names the line and column; the body itself is never echoed.
        Invalid::Malformed(e.to_string())
    })?;
    if document.schema != ACCEPTED_SCHEMA {
        return Err(Invalid::Schema(document.schema.chars().take(64).collect()));
    }
    if document.controls.is_empty() {
        return Err(Invalid::Content("it lists no controls".into()));
    }
    if document.controls.len() > MAX_CONTROLS {
        return Err(Invalid::Content(format!(
            "it lists {} controls, more than the {MAX_CONTROLS} accepted",
            document.controls.len()
        )));
    }
    let collected_at = parse_time(&document.host.collected_at, "host.collected_at")?;
    if collected_at > now + MAX_CLOCK_AHEAD_SECONDS {
        return Err(Invalid::Content(
            "host.collected_at is more than a day in the future; set the computer's clock".into(),
        ));
    }
    if collected_at < now - MAX_AGE_SECONDS {
        return Err(Invalid::Content(format!(
            "host.collected_at is more than {} days in the past; only recent reports are taken",
            MAX_AGE_SECONDS / 86_400
        )));
    }
    let text = |field: &str, value: &str, max: usize, multiline: bool| {
        agent_text(field, value, max, multiline).map_err(Invalid::Content)
    };
    let hostname = text("host.hostname", &document.host.hostname, 255, false)?;
    let os = text("host.os", &document.host.os, 255, false)?;
    let mut results = Vec::with_capacity(document.controls.len());
    for control in document.controls {
        if !valid_control_id(&control.id) {
            return Err(Invalid::Content(format!(
                "control id {:?} is not a control id (upper-case letters, digits and hyphens)",
                control.id.chars().take(40).collect::<String>()
            )));
        }
        // A control this server's catalog does not know (a newer agent) is left out, not
        // stored: the dashboard could not name it, and free-form ids would let one agent grow
        // the tables without bound.
        if !known_control(&control.id) {
            continue;
        }
        let attestation = match control.attestation {
            None => None,
            Some(a) => Some(AttestationAnswer {
                answer: a.answer,
                by: text("an attestation's by", &a.by, 255, false)?,
                at: parse_time(&a.at, "an attestation's time")?,
                note: text(
                    "an attestation's note",
                    &a.note.unwrap_or_default(),
                    1_000,
                    true,
                )?,
            }),
        };
        results.push(ControlOutcome {
            reason: text(
                &format!("the reason of {}", control.id),
                &control.reason,
                2_000,
                true,
            )?,
            control_id: control.id,
            status: control.status.as_str(),
            severity: control.severity.as_str(),
            attestation,
        });
    }
    if results.is_empty() {
        return Err(Invalid::Content(
            "it lists no control this server knows; update the server".into(),
        ));
    }
    results.sort_by(|a, b| a.control_id.cmp(&b.control_id));
    if results
        .windows(2)
        .any(|w| w[0].control_id == w[1].control_id)
    {
        return Err(Invalid::Content("a control is listed twice".into()));
    }
    let mut canonical = String::new();
    for r in &results {
        let _ = write!(canonical, "{}\t{}\t{}", r.control_id, r.status, r.severity);
        // A renewed answer is news even when the status stays the same.
        if let Some(a) = &r.attestation {
            let _ = write!(canonical, "\t{}\t{}", a.answer, a.at);
        }
        canonical.push('\n');
    }
    let results_hash = crate::secrets::sha256_hex(canonical.as_bytes());
    Ok(ValidReport {
        hostname,
        platform: match document.host.platform {
            Platform::Linux => "linux",
            Platform::Macos => "macos",
            Platform::Windows => "windows",
        },
        os,
        collected_at,
        results,
        results_hash,
    })
}

/// What happened to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// New results were stored.
    Stored,
    /// Same results as the previous report: only the host's last-seen time moved.
    Unchanged,
    /// This report id was stored before (the agent resent it after a lost answer).
    Duplicate,
}

impl Outcome {
    /// The word in the API's answer.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Stored => "stored",
            Outcome::Unchanged => "unchanged",
            Outcome::Duplicate => "duplicate",
        }
    }
}

/// The host a node key belongs to.
#[derive(Debug, Clone)]
pub struct ReportingHost {
    /// Host id.
    pub id: i64,
    /// Its practice.
    pub practice_id: i64,
    /// Hash of its last stored results.
    pub last_results_hash: Option<String>,
}

/// A report's text deflated and in base64 (a 38 KB report becomes about 6 KB: less to write
/// with every stored report).
pub fn compress(text: &str) -> String {
    use std::io::Write;
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = encoder.write_all(text.as_bytes());
    base64(&encoder.finish().unwrap_or_default())
}

/// The text [`compress`] stored, if it reads back.
pub fn decompress(stored: &str) -> Option<String> {
    use std::io::Read;
    let bytes = unbase64(stored)?;
    let mut text = String::new();
    flate2::read::DeflateDecoder::new(bytes.as_slice())
        .take(16 * 1024 * 1024)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unbase64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// How a result counts in the practice's statistics.
fn bucket(status: &str) -> (i64, i64) {
    match status {
        "pass" | "attested" => (1, 0),
        "fail" => (0, 1),
        _ => (0, 0),
    }
}

/// Changes to `practice_control_stats` for one computer: per control, the difference in
/// (computers, passing, failing).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StatsDelta(pub std::collections::BTreeMap<String, (i64, i64, i64)>);

impl StatsDelta {
    /// Counts a result in (`sign` 1) or out (`sign` -1).
    pub fn add(&mut self, control_id: &str, status: &str, sign: i64) {
        let (passing, failing) = bucket(status);
        let entry = self.0.entry(control_id.to_string()).or_default();
        entry.0 += sign;
        entry.1 += sign * passing;
        entry.2 += sign * failing;
    }

    /// Writes the non-zero differences.
    pub async fn apply(
        &self,
        tx: &mut sqlx::AnyConnection,
        practice_id: i64,
    ) -> Result<(), sqlx::Error> {
        let changes: Vec<(&String, &(i64, i64, i64))> =
            self.0.iter().filter(|(_, d)| **d != (0, 0, 0)).collect();
        for chunk in changes.chunks(100) {
            let mut sql = String::from(
                "INSERT INTO practice_control_stats (practice_id, control_id, hosts, passing, failing) VALUES ",
            );
            for i in 0..chunk.len() {
                let b = i * 4;
                let _ = write!(
                    sql,
                    "{}($1, ${}, ${}, ${}, ${})",
                    if i == 0 { "" } else { ", " },
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5
                );
            }
            sql.push_str(
                " ON CONFLICT (practice_id, control_id) DO UPDATE SET \
                 hosts = practice_control_stats.hosts + excluded.hosts, \
                 passing = practice_control_stats.passing + excluded.passing, \
                 failing = practice_control_stats.failing + excluded.failing",
            );
            let mut query = sqlx::query(&sql).bind(practice_id);
            for (control, (hosts, passing, failing)) in chunk {
                query = query
                    .bind(control.as_str())
                    .bind(*hosts)
                    .bind(*passing)
                    .bind(*failing);
            }
            query.execute(&mut *tx).await?;
        }
        Ok(())
    }
}

/// Takes a computer's latest results out of its practice's statistics (when it is revoked).
pub async fn remove_from_stats(
    tx: &mut sqlx::AnyConnection,
    host_id: i64,
    practice_id: i64,
) -> Result<(), sqlx::Error> {
    let rows = sqlx::query("SELECT control_id, status FROM host_posture WHERE host_id = $1")
        .bind(host_id)
        .fetch_all(&mut *tx)
        .await?;
    let mut delta = StatsDelta::default();
    for row in rows {
        let control: String = row.try_get("control_id")?;
        let status: String = row.try_get("status")?;
        delta.add(&control, &status, -1);
    }
    delta.apply(tx, practice_id).await
}

/// One report to store.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The computer that sent it.
    pub host: ReportingHost,
    /// The agent's id for it.
    pub agent_report_id: String,
    /// Its validated content.
    pub report: ValidReport,
    /// Its text as sent, already compressed with [`compress`] (by the request handler, so the
    /// writer does not spend its time on it).
    pub compressed_body: String,
    /// When it arrived (Unix seconds).
    pub now: i64,
}

/// Rows that many reports of one batch add to the same tables, written together at the end of
/// the batch (one statement per table instead of one per report).
#[derive(Debug, Default)]
pub struct Deferred {
    /// Statistics changes per practice.
    stats: std::collections::BTreeMap<i64, StatsDelta>,
    /// The latest report per host (a later one of the same host replaces an earlier one).
    latest: std::collections::BTreeMap<i64, (i64, String)>,
}

/// Rows per multi-row statement. Small on purpose: SQLite finds each parameter by walking a list
/// of names, so a statement with n parameters costs about n² steps to bind.
const ROWS_PER_STATEMENT: usize = 40;

impl Deferred {
    /// Writes everything collected, then forgets it.
    pub async fn flush(&mut self, tx: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
        for (practice_id, delta) in &self.stats {
            delta.apply(tx, *practice_id).await?;
        }
        let latest: Vec<(&i64, &(i64, String))> = self.latest.iter().collect();
        for chunk in latest.chunks(ROWS_PER_STATEMENT) {
            let mut sql = String::from(
                "INSERT INTO host_latest_report (host_id, received_at, body_deflate_base64) VALUES ",
            );
            for i in 0..chunk.len() {
                let b = i * 3;
                let _ = write!(
                    sql,
                    "{}(${}, ${}, ${})",
                    if i == 0 { "" } else { ", " },
                    b + 1,
                    b + 2,
                    b + 3
                );
            }
            sql.push_str(
                " ON CONFLICT (host_id) DO UPDATE SET received_at = excluded.received_at, \
                 body_deflate_base64 = excluded.body_deflate_base64",
            );
            let mut query = sqlx::query(&sql);
            for (host_id, (received_at, body)) in chunk {
                query = query.bind(**host_id).bind(*received_at).bind(body.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        *self = Deferred::default();
        Ok(())
    }
}

/// Stores one report inside the caller's transaction; rows that can wait for the end of the
/// batch go to `deferred`, which the caller flushes before committing. `last_results_hash` is
/// the host's hash as of this transaction (a batch may hold an earlier report of the same host).
pub async fn store_in(
    tx: &mut sqlx::AnyConnection,
    incoming: &Incoming,
    last_results_hash: Option<&str>,
    deferred: &mut Deferred,
) -> Result<Outcome, sqlx::Error> {
    let Incoming {
        host,
        agent_report_id,
        report,
        compressed_body,
        now,
    } = incoming;
    let now = *now;
    if last_results_hash == Some(report.results_hash.as_str()) {
        sqlx::query(
            "UPDATE hosts SET last_seen_at = $1, hostname = $2, os_version = $3 WHERE id = $4",
        )
        .bind(now)
        .bind(&report.hostname)
        .bind(&report.os)
        .bind(host.id)
        .execute(&mut *tx)
        .await?;
        return Ok(Outcome::Unchanged);
    }
    let report_id = new_time_ordered_id();
    let passed = report.results.iter().filter(|r| r.status == "pass").count() as i64;
    let failed = report.results.iter().filter(|r| r.status == "fail").count() as i64;
    let serious = report
        .results
        .iter()
        .filter(|r| r.status == "fail" && matches!(r.severity, "critical" | "high"))
        .count() as i64;
    // A report id seen before (the agent resent it after a lost answer) inserts nothing.
    let inserted = sqlx::query(
        "INSERT INTO reports (id, host_id, practice_id, agent_report_id, received_at, collected_at, \
         results_hash, passed, failed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (host_id, agent_report_id) DO NOTHING",
    )
    .bind(report_id)
    .bind(host.id)
    .bind(host.practice_id)
    .bind(agent_report_id)
    .bind(now)
    .bind(report.collected_at)
    .bind(&report.results_hash)
    .bind(passed)
    .bind(failed)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(Outcome::Duplicate);
    }
    // The previous results, to move the practice's statistics by the difference.
    let previous = sqlx::query("SELECT control_id, status FROM host_posture WHERE host_id = $1")
        .bind(host.id)
        .fetch_all(&mut *tx)
        .await?;
    let mut delta = StatsDelta::default();
    let mut removed = Vec::new();
    let mut before: std::collections::HashMap<String, String> = Default::default();
    for row in &previous {
        let control: String = row.try_get("control_id")?;
        let status: String = row.try_get("status")?;
        delta.add(&control, &status, -1);
        before.insert(control.clone(), status.clone());
        if report
            .results
            .binary_search_by(|r| r.control_id.as_str().cmp(control.as_str()))
            .is_err()
        {
            removed.push(control);
        }
    }
    for r in &report.results {
        delta.add(&r.control_id, r.status, 1);
    }
    // Multi-row statements: one round trip for all results instead of one per control. The
    // report's shared values are bound once ($1 to $3): SQLite looks parameters up by name in a
    // list, so a statement's cost grows with the square of its parameter count.
    for chunk in report.results.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO results (report_id, host_id, control_id, status, severity, observed_at) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 3;
            let _ = write!(
                sql,
                "{}($1, $2, ${}, ${}, ${}, $3)",
                if i == 0 { "" } else { ", " },
                b + 4,
                b + 5,
                b + 6
            );
        }
        let mut query = sqlx::query(&sql)
            .bind(report_id)
            .bind(host.id)
            .bind(report.collected_at);
        for r in chunk {
            query = query.bind(&r.control_id).bind(r.status).bind(r.severity);
        }
        query.execute(&mut *tx).await?;

        let mut sql = String::from(
            "INSERT INTO host_posture (host_id, practice_id, control_id, status, severity, observed_at, reason, since) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 4;
            let _ = write!(
                sql,
                "{}($1, $2, ${}, ${}, ${}, $3, ${}, $3)",
                if i == 0 { "" } else { ", " },
                b + 4,
                b + 5,
                b + 6,
                b + 7
            );
        }
        sql.push_str(
            " ON CONFLICT (host_id, control_id) DO UPDATE SET \
             since = CASE WHEN host_posture.status = excluded.status THEN host_posture.since ELSE excluded.observed_at END, \
             status = excluded.status, severity = excluded.severity, \
             observed_at = excluded.observed_at, reason = excluded.reason",
        );
        let mut query = sqlx::query(&sql)
            .bind(host.id)
            .bind(host.practice_id)
            .bind(report.collected_at);
        for r in chunk {
            query = query
                .bind(&r.control_id)
                .bind(r.status)
                .bind(r.severity)
                .bind(&r.reason);
        }
        query.execute(&mut *tx).await?;
    }
    let changed: Vec<&ControlOutcome> = report
        .results
        .iter()
        .filter(|r| before.get(&r.control_id).map(String::as_str) != Some(r.status))
        .collect();
    for chunk in changed.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::from(
            "INSERT INTO host_changes (host_id, control_id, at, from_status, to_status, severity) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 4;
            let _ = write!(
                sql,
                "{}($1, ${}, $2, ${}, ${}, ${})",
                if i == 0 { "" } else { ", " },
                b + 3,
                b + 4,
                b + 5,
                b + 6
            );
        }
        let mut query = sqlx::query(&sql).bind(host.id).bind(report.collected_at);
        for r in chunk {
            query = query
                .bind(&r.control_id)
                .bind(before.get(&r.control_id).cloned())
                .bind(r.status)
                .bind(r.severity);
        }
        query.execute(&mut *tx).await?;
    }
    store_attestations(tx, host.id, &report.results).await?;
    // Controls the agent no longer reports (removed from its catalog) leave the posture.
    for control in &removed {
        sqlx::query("DELETE FROM host_posture WHERE host_id = $1 AND control_id = $2")
            .bind(host.id)
            .bind(control)
            .execute(&mut *tx)
            .await?;
    }
    let practice_delta = deferred.stats.entry(host.practice_id).or_default();
    for (control, change) in delta.0 {
        let entry = practice_delta.0.entry(control).or_default();
        entry.0 += change.0;
        entry.1 += change.1;
        entry.2 += change.2;
    }
    deferred
        .latest
        .insert(host.id, (now, compressed_body.clone()));
    sqlx::query(
        "UPDATE hosts SET last_seen_at = $1, last_report_id = $2, last_results_hash = $3, \
         failing = $4, failing_serious = $5, hostname = $6, os_version = $7 WHERE id = $8",
    )
    .bind(now)
    .bind(report_id)
    .bind(&report.results_hash)
    .bind(failed)
    .bind(serious)
    .bind(&report.hostname)
    .bind(&report.os)
    .bind(host.id)
    .execute(&mut *tx)
    .await?;
    Ok(Outcome::Stored)
}

/// Keeps the answers a report carries that were not stored before (an answer is identified by
/// its computer, control and time).
async fn store_attestations(
    tx: &mut sqlx::AnyConnection,
    host_id: i64,
    results: &[ControlOutcome],
) -> Result<(), sqlx::Error> {
    for r in results {
        let Some(a) = &r.attestation else { continue };
        sqlx::query(
            "INSERT INTO attestations (host_id, control_id, answer, attested_by, attested_at, note) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (host_id, control_id, attested_at) DO NOTHING",
        )
        .bind(host_id)
        .bind(&r.control_id)
        .bind(i64::from(a.answer))
        .bind(&a.by)
        .bind(a.at)
        .bind(&a.note)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Stores one report in its own transaction: either wholly stored or not at all.
pub async fn store(db: &Db, incoming: &Incoming) -> Result<Outcome, DbError> {
    let mut tx = db.write.begin().await?;
    let mut deferred = Deferred::default();
    let outcome = store_in(
        &mut tx,
        incoming,
        incoming.host.last_results_hash.as_deref(),
        &mut deferred,
    )
    .await?;
    deferred.flush(&mut tx).await?;
    tx.commit().await?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(statuses: &[(&str, &str)]) -> String {
        let controls: Vec<String> = statuses
            .iter()
            .map(|(id, status)| {
                format!(r#"{{"id":"{id}","status":"{status}","severity":"high","reason":"r"}}"#)
            })
            .collect();
        format!(
            r#"{{"schema":"hygeia.check/1","host":{{"hostname":"pc1","platform":"linux","os":"Debian","collected_at":"2026-11-28T10:00:00Z"}},"controls":[{}]}}"#,
            controls.join(",")
        )
    }

    #[test]
    fn equal_results_hash_equally_whatever_the_order() {
        let now = 1_795_870_000;
        let a = validate(
            report(&[("HY-PC-001", "pass"), ("HY-PC-002", "fail")]).as_bytes(),
            now,
        );
        let b = validate(
            report(&[("HY-PC-002", "fail"), ("HY-PC-001", "pass")]).as_bytes(),
            now,
        );
        let c = validate(
            report(&[("HY-PC-002", "pass"), ("HY-PC-001", "pass")]).as_bytes(),
            now,
        );
        let (Ok(a), Ok(b), Ok(c)) = (a, b, c) else {
            panic!("valid reports refused");
        };
        assert_eq!(a.results_hash, b.results_hash);
        assert_ne!(a.results_hash, c.results_hash);
        assert_eq!(a.collected_at, 1_795_860_000);
    }

    #[test]
    fn answers_are_read_and_a_renewed_answer_is_news() {
        let now = 1_795_870_000;
        let with = |at: &str| {
            report(&[("HY-EM-001", "attested")]).replace(
                r#""reason":"r"}"#,
                &format!(
                    r#""reason":"r","attestation":{{"answer":true,"by":"dr.lee","at":"{at}","note":"app"}}}}"#
                ),
            )
        };
        let first = validate(with("2026-11-01T09:00:00Z").as_bytes(), now);
        let renewed = validate(with("2026-11-20T09:00:00Z").as_bytes(), now);
        let (Ok(first), Ok(renewed)) = (first, renewed) else {
            panic!("valid reports refused");
        };
        let answer = first.results[0].attestation.clone();
        assert_eq!(
            answer,
            Some(AttestationAnswer {
                answer: true,
                by: "dr.lee".into(),
                at: 1_793_523_600,
                note: "app".into()
            })
        );
        assert_ne!(first.results_hash, renewed.results_hash);
        match validate(with("last Tuesday").as_bytes(), now) {
            Err(Invalid::Content(why)) => assert!(why.contains("attestation's time"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn stored_reports_read_back() {
        let text = report(&[("HY-PC-001", "pass"), ("HY-PC-002", "fail")]);
        let stored = compress(&text);
        assert!(stored.len() < text.len());
        assert_eq!(decompress(&stored).as_deref(), Some(text.as_str()));
        for n in 0..5 {
            let text = "é".repeat(n);
            assert_eq!(decompress(&compress(&text)).as_deref(), Some(text.as_str()));
        }
        assert_eq!(decompress("not base64!"), None);
        // Standard alphabet with padding, as the hand-written encoder of earlier versions
        // stored it: those rows still read back.
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(unbase64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
    }

    #[test]
    fn bad_reports_are_refused_with_a_reason() {
        let now = 1_795_870_000;
        assert!(matches!(
            validate(b"{not json", now),
            Err(Invalid::Malformed(_))
        ));
        assert!(matches!(
            validate(report(&[]).replace("hygeia.check/1", "hygeia.check/9").as_bytes(), now),
            Err(Invalid::Schema(s)) if s == "hygeia.check/9"
        ));
        assert!(matches!(
            validate(report(&[]).as_bytes(), now),
            Err(Invalid::Content(_))
        ));
        assert!(matches!(
            validate(report(&[("HY-PC-001", "sort-of")]).as_bytes(), now),
            Err(Invalid::Malformed(_))
        ));
        assert!(matches!(
            validate(report(&[("x'; DROP TABLE hosts", "pass")]).as_bytes(), now),
            Err(Invalid::Content(_))
        ));
        assert!(matches!(
            validate(
                report(&[("HY-PC-001", "pass"), ("HY-PC-001", "fail")]).as_bytes(),
                now
            ),
            Err(Invalid::Content(_))
        ));
        let future = report(&[("HY-PC-001", "pass")]).replace("2026-11-28", "2031-01-01");
        assert!(matches!(
            validate(future.as_bytes(), now),
            Err(Invalid::Content(_))
        ));
        let backdated = report(&[("HY-PC-001", "pass")]).replace("2026-11-28", "2020-01-01");
        assert!(matches!(
            validate(backdated.as_bytes(), now),
            Err(Invalid::Content(why)) if why.contains("in the past")
        ));
    }

    #[test]
    fn control_characters_are_refused_and_unknown_controls_left_out() {
        let now = 1_795_870_000;
        let nul = report(&[("HY-PC-001", "pass")]).replace("pc1", "pc\\u0000one");
        match validate(nul.as_bytes(), now) {
            Err(Invalid::Content(why)) => assert!(why.contains("U+0000"), "{why}"),
            other => panic!("{other:?}"),
        }
        let escape = report(&[("HY-PC-001", "pass")]).replace(r#""r""#, r#""\u001b[2J""#);
        assert!(matches!(
            validate(escape.as_bytes(), now),
            Err(Invalid::Content(_))
        ));
        let lines = report(&[("HY-PC-001", "pass")]).replace(r#""r""#, r#""one\ntwo""#);
        assert!(validate(lines.as_bytes(), now).is_ok());
        let mixed = validate(
            report(&[("HY-PC-001", "pass"), ("HY-ZZ-999", "fail")]).as_bytes(),
            now,
        );
        let Ok(mixed) = mixed else {
            panic!("a report with one unknown control was refused");
        };
        assert_eq!(mixed.results.len(), 1);
        assert!(matches!(
            validate(report(&[("HY-ZZ-999", "fail")]).as_bytes(), now),
            Err(Invalid::Content(_))
        ));
    }
}
