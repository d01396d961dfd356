//! The practice's per-control statistics (`practice_control_stats`): running sums that every
//! stored report and every revoked computer moves, so the overview never counts all hosts.

use sqlx::Row;
use std::fmt::Write as _;

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
