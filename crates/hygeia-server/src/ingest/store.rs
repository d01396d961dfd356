//! Stores a validated report in one transaction: posture, changes, answers and (at the end of
//! a batch) the statistics and the latest report text.

use super::statistics::StatsDelta;
use super::validate::{ControlOutcome, ValidReport};
use crate::db::{Db, DbError, new_time_ordered_id};
use sqlx::Row;
use std::fmt::Write as _;

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
    /// The latest awareness module its person passed (module id, when), for HY-EM-002.
    pub training: Option<(String, i64)>,
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

    #[test]
    fn stored_reports_read_back() {
        let text = r#"{"schema":"hygeia.check/1","controls":[]}"#.repeat(20);
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
}
