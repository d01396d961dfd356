//! Daily roll-ups for trends: per practice, day and control (and per practice and day over all
//! controls, for the insurer's view), how many computers passed and
//! failed, as of the last roll-up that day, copied from the running statistics that ingestion keeps
//! (`practice_control_stats`). The server runs one every few minutes; a day's row
//! stops changing when the day is over, so the history of trends is kept even though the
//! posture table only holds the latest state.

use crate::db::{Db, DbError};

/// The UTC day (`2026-11-28`) of a Unix time.
pub fn day_of(unix: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Writes (or rewrites) the roll-up rows of the day of `now`.
pub async fn run(db: &Db, now: i64) -> Result<(), DbError> {
    // "WHERE" before "ON CONFLICT" is required by SQLite to tell the upsert from a join.
    sqlx::query(
        "INSERT INTO daily_rollups (practice_id, day, control_id, hosts, passing, failing, other) \
         SELECT practice_id, $1, control_id, hosts, passing, failing, hosts - passing - failing \
         FROM practice_control_stats WHERE hosts > 0 \
         ON CONFLICT (practice_id, day, control_id) DO UPDATE SET hosts = excluded.hosts, \
         passing = excluded.passing, failing = excluded.failing, other = excluded.other",
    )
    .bind(day_of(now))
    .execute(&db.write)
    .await?;
    sqlx::query(
        "INSERT INTO daily_practice_rollups (practice_id, day, results, passing, failing) \
         SELECT practice_id, $1, SUM(hosts), SUM(passing), SUM(failing) \
         FROM practice_control_stats WHERE hosts > 0 GROUP BY practice_id \
         ON CONFLICT (practice_id, day) DO UPDATE SET results = excluded.results, \
         passing = excluded.passing, failing = excluded.failing",
    )
    .bind(day_of(now))
    .execute(&db.write)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_are_utc_dates() {
        assert_eq!(super::day_of(1_795_860_000), "2026-11-28");
        assert_eq!(super::day_of(0), "1970-01-01");
    }
}
