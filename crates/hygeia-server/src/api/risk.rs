//! `GET /api/v1/risk`: every practice the caller may read, most at risk first, as typed rows
//! that the insurer's page and CSV read too. Each query answers one row per practice (or
//! three): on SQLite every row crosses a thread boundary, so sums, rankings and the trend's
//! days are put together by the database.

use super::read::{SILENT_AFTER_SECONDS, bind_all};
use crate::auth::{Caller, Role, practice_scope};
use crate::db::now;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// A control failing on some of a practice's computers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TopFailing {
    /// `HY-PC-001`.
    pub control_id: String,
    /// Computers failing it.
    pub failing: i64,
}

/// One day of a practice's trend.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DayRate {
    /// `2026-11-28`.
    pub day: String,
    /// Passing results among all results that day.
    pub pass_rate: f64,
}

/// A practice's devices, when it uploaded an inventory.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DeviceRisk {
    /// Devices in the inventory in force.
    pub devices: i64,
    /// Devices with at least one finding.
    pub devices_affected: i64,
    /// Findings critical or high.
    pub findings_critical_or_high: i64,
    /// Findings in KEV.
    pub findings_kev: i64,
    /// HY-MD-101..104 failing or warning.
    pub safeguards_not_in_place: i64,
}

/// One practice of the ranking.
#[derive(Debug, Clone, Serialize)]
pub struct RankedPractice {
    /// Its id.
    pub practice_id: i64,
    /// Its name.
    pub name: String,
    /// Computers enrolled and not removed.
    pub hosts: i64,
    /// Of them, failing a critical or high control.
    pub hosts_failing_serious: i64,
    /// Of them, silent for more than a day.
    pub not_reporting: i64,
    /// Results of every computer's latest report.
    pub results: i64,
    /// Of them, passing (or attested).
    pub passing: i64,
    /// The three controls failing on most computers.
    pub top_failing: Vec<TopFailing>,
    /// Daily pass rate of the last 30 days (days with data only).
    pub trend: Vec<DayRate>,
    /// Its devices; `None` without an inventory (not measured, not "no risk").
    pub devices: Option<DeviceRisk>,
    /// Its phones and tablets; `None` when none is on record (not measured, not "no risk").
    pub phones: Option<crate::phones::PhoneCounts>,
    /// Its phishing simulations of the last 12 months; `None` when it sent none.
    pub phishing: Option<PhishingRisk>,
    /// Passing results among all; `None` without results.
    pub pass_rate: Option<f64>,
    /// `high`, `medium`, `low` or `no data`.
    pub risk: &'static str,
    /// Share of computers failing a critical or high control.
    pub share_failing_serious: f64,
}

/// The answer of `GET /api/v1/risk`.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    /// Practices, most at risk first.
    pub items: Vec<RankedPractice>,
}

/// `2026-11-28=1200/1500,...` (day=passing/results) as days with their pass rate.
fn parse_trend_days(text: &str) -> Vec<DayRate> {
    text.split(',')
        .filter_map(|entry| {
            let (day, counts) = entry.split_once('=')?;
            let (passing, results) = counts.split_once('/')?;
            let (passing, results) = (passing.parse::<f64>().ok()?, results.parse::<f64>().ok()?);
            let pass_rate = if results > 0.0 {
                passing / results
            } else {
                0.0
            };
            Some(DayRate {
                day: day.to_string(),
                pass_rate,
            })
        })
        .collect()
}

/// Every practice the caller may read, most at risk first (for the API and the page).
pub async fn ranking(state: &AppState, caller: &Caller) -> ApiResult<Vec<RankedPractice>> {
    if caller.role == Role::Clinician {
        return Err(ApiError::forbidden(
            "Clinicians see their own computers only.",
        ));
    }
    let at = now();
    let (scope, values) = practice_scope(caller, "id", 1);
    let practices = bind_all(
        sqlx::query(&format!(
            "SELECT id, name FROM practices WHERE {scope} ORDER BY name, id"
        )),
        &values,
    )
    .fetch_all(&state.db.read)
    .await?;
    let mut by_id: BTreeMap<i64, RankedPractice> = BTreeMap::new();
    for row in practices {
        let id: i64 = row.try_get("id")?;
        by_id.insert(
            id,
            RankedPractice {
                practice_id: id,
                name: row.try_get("name")?,
                hosts: 0,
                hosts_failing_serious: 0,
                not_reporting: 0,
                results: 0,
                passing: 0,
                top_failing: Vec::new(),
                trend: Vec::new(),
                devices: None,
                phones: None,
                phishing: None,
                pass_rate: None,
                risk: "no data",
                share_failing_serious: 0.0,
            },
        );
    }
    let (scope, values) = practice_scope(caller, "practice_id", 2);
    let hosts = bind_all(
        sqlx::query(&format!(
            "SELECT practice_id, COUNT(*) AS hosts, \
             CAST(SUM(CASE WHEN failing_serious > 0 THEN 1 ELSE 0 END) AS BIGINT) AS serious, \
             CAST(SUM(CASE WHEN last_seen_at IS NULL OR last_seen_at < $1 THEN 1 ELSE 0 END) AS BIGINT) AS silent \
             FROM hosts WHERE revoked_at IS NULL AND {scope} GROUP BY practice_id"
        ))
        .bind(at - SILENT_AFTER_SECONDS),
        &values,
    )
    .fetch_all(&state.db.read)
    .await?;
    for row in hosts {
        if let Some(p) = by_id.get_mut(&row.try_get::<i64, _>("practice_id")?) {
            p.hosts = row.try_get("hosts")?;
            p.hosts_failing_serious = row.try_get("serious")?;
            p.not_reporting = row.try_get("silent")?;
        }
    }
    let (scope, values) = practice_scope(caller, "practice_id", 1);
    let sums = bind_all(
        sqlx::query(&format!(
            "SELECT practice_id, CAST(SUM(hosts) AS BIGINT) AS results, \
             CAST(SUM(passing) AS BIGINT) AS passing FROM practice_control_stats \
             WHERE hosts > 0 AND {scope} GROUP BY practice_id"
        )),
        &values,
    )
    .fetch_all(&state.db.read)
    .await?;
    for row in sums {
        if let Some(p) = by_id.get_mut(&row.try_get::<i64, _>("practice_id")?) {
            p.results = row.try_get("results")?;
            p.passing = row.try_get("passing")?;
        }
    }
    let top = bind_all(
        sqlx::query(&format!(
            "SELECT practice_id, control_id, failing FROM (\
             SELECT practice_id, control_id, failing, ROW_NUMBER() OVER \
             (PARTITION BY practice_id ORDER BY failing DESC, control_id) AS rank \
             FROM practice_control_stats WHERE failing > 0 AND {scope}) ranked \
             WHERE rank <= 3 ORDER BY practice_id, rank"
        )),
        &values,
    )
    .fetch_all(&state.db.read)
    .await?;
    for row in top {
        if let Some(p) = by_id.get_mut(&row.try_get::<i64, _>("practice_id")?) {
            p.top_failing.push(TopFailing {
                control_id: row.try_get("control_id")?,
                failing: row.try_get("failing")?,
            });
        }
    }
    add_device_risk(state, caller, &mut by_id).await?;
    add_phone_risk(state, caller, &mut by_id).await?;
    add_phishing_risk(state, caller, &mut by_id).await?;
    // The days of each practice's trend as one text: `2026-11-28=1200/1500,...`.
    let first = crate::rollup::day_of(at - 29 * 86_400);
    let (scope, values) = practice_scope(caller, "practice_id", 2);
    let trend = bind_all(
        sqlx::query(&format!(
            "SELECT practice_id, string_agg(day || '=' || CAST(passing AS TEXT) || '/' || \
             CAST(results AS TEXT), ',' ORDER BY day) AS days FROM daily_practice_rollups \
             WHERE day >= $1 AND {scope} GROUP BY practice_id"
        ))
        .bind(&first),
        &values,
    )
    .fetch_all(&state.db.read)
    .await?;
    for row in trend {
        if let Some(p) = by_id.get_mut(&row.try_get::<i64, _>("practice_id")?) {
            p.trend = parse_trend_days(&row.try_get::<String, _>("days")?);
        }
    }
    let bands = crate::practice_risk::bands()?;
    let mut items: Vec<RankedPractice> = by_id
        .into_values()
        .map(|mut p| {
            p.pass_rate = (p.results > 0).then(|| p.passing as f64 / p.results as f64);
            p.risk = bands.level(p.hosts, p.hosts_failing_serious);
            p.share_failing_serious = if p.hosts > 0 {
                p.hosts_failing_serious as f64 / p.hosts as f64
            } else {
                0.0
            };
            p
        })
        .collect();
    items.sort_by(|a, b| {
        let key = |p: &RankedPractice| {
            (
                p.share_failing_serious,
                p.devices
                    .as_ref()
                    .map_or(0, |d| d.findings_critical_or_high) as f64,
                p.phones.as_ref().map_or(0, |c| c.out_of_date) as f64,
                -p.pass_rate.unwrap_or(1.0),
            )
        };
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(items)
}

/// `GET /api/v1/risk`: every practice the caller may read, most at risk first: computers,
/// share with a failing critical or high control, pass rate, silent computers, the controls
/// failing most often, the daily pass rate of the last 30 days, and the devices.
pub async fn practices_by_risk(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Ranking>> {
    Ok(Json(Ranking {
        items: ranking(&state, &caller).await?,
    }))
}

/// Adds each practice's devices: the inventory in force, its findings that are critical or
/// high or in KEV, and the device safeguards (HY-MD-101..104) not in place. A practice without
/// an inventory keeps `devices: None` (not measured, not "no risk").
async fn add_device_risk(
    state: &AppState,
    caller: &Caller,
    by_id: &mut BTreeMap<i64, RankedPractice>,
) -> ApiResult<()> {
    let (scope, values) = practice_scope(caller, "i.practice_id", 1);
    let inventories = bind_all(
        sqlx::query(&format!(
            "SELECT i.practice_id, i.devices, \
             (SELECT COUNT(DISTINCT f.device_source) FROM device_findings f WHERE f.inventory_id = i.id) AS affected, \
             (SELECT COUNT(*) FROM device_findings f WHERE f.inventory_id = i.id AND f.priority_rank >= 2) AS serious, \
             (SELECT COUNT(*) FROM device_findings f WHERE f.inventory_id = i.id AND f.kev = 1) AS kev \
             FROM device_inventories i WHERE {scope} AND i.id = (SELECT l.id FROM device_inventories l \
             WHERE l.practice_id = i.practice_id ORDER BY l.uploaded_at DESC, l.id DESC LIMIT 1)"
        )),
        &values,
    )
    .fetch_all(&state.db.read)
    .await?;
    for row in inventories {
        if let Some(p) = by_id.get_mut(&row.try_get::<i64, _>("practice_id")?) {
            p.devices = Some(DeviceRisk {
                devices: row.try_get("devices")?,
                devices_affected: row.try_get("affected")?,
                findings_critical_or_high: row.try_get("serious")?,
                findings_kev: row.try_get("kev")?,
                safeguards_not_in_place: 0,
            });
        }
    }
    let (scope, values) = practice_scope(caller, "practice_id", 1);
    let safeguards = bind_all(
        sqlx::query(&format!(
            "SELECT practice_id, COUNT(*) AS failing FROM practice_device_controls \
             WHERE status IN ('fail', 'warn') AND {scope} GROUP BY practice_id"
        )),
        &values,
    )
    .fetch_all(&state.db.read)
    .await?;
    for row in safeguards {
        if let Some(devices) = by_id
            .get_mut(&row.try_get::<i64, _>("practice_id")?)
            .and_then(|p| p.devices.as_mut())
        {
            devices.safeguards_not_in_place = row.try_get("failing")?;
        }
    }
    Ok(())
}

/// Adds each practice's phones: how many are on record, out of date (HY-PH-001 failing), and
/// failing any phone control. A practice without phones keeps `phones: None`.
async fn add_phone_risk(
    state: &AppState,
    caller: &Caller,
    by_id: &mut BTreeMap<i64, RankedPractice>,
) -> ApiResult<()> {
    let (scope, values) = practice_scope(caller, "practice_id", 1);
    let rows = bind_all(
        sqlx::query(&format!(
            "SELECT practice_id, COUNT(*) AS phones, \
             COALESCE(SUM(CASE WHEN updates_status = 'fail' THEN 1 ELSE 0 END), 0) AS out_of_date, \
             COALESCE(SUM(CASE WHEN status = 'fail' THEN 1 ELSE 0 END), 0) AS failing \
             FROM phones WHERE {scope} GROUP BY practice_id"
        )),
        &values,
    )
    .fetch_all(&state.db.read)
    .await?;
    for row in rows {
        if let Some(p) = by_id.get_mut(&row.try_get::<i64, _>("practice_id")?) {
            p.phones = Some(crate::phones::PhoneCounts {
                phones: row.try_get("phones")?,
                out_of_date: row.try_get("out_of_date")?,
                failing: row.try_get("failing")?,
            });
        }
    }
    Ok(())
}

/// A practice's phishing simulations of the last 12 months, in numbers only (never names).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PhishingRisk {
    /// Simulated messages sent.
    pub sent: i64,
    /// Of them, clicked.
    pub clicked: i64,
    /// Of them, reported.
    pub reported: i64,
    /// clicked / sent: the share of simulations that would have caught someone.
    pub phish_prone: f64,
    /// reported / sent.
    pub report_rate: f64,
}

/// Adds each practice's phishing simulations of the last 12 months. A practice that sent none
/// keeps `phishing: None` (not measured, not "no risk").
async fn add_phishing_risk(
    state: &AppState,
    caller: &Caller,
    by_id: &mut BTreeMap<i64, RankedPractice>,
) -> ApiResult<()> {
    let (scope, values) = practice_scope(caller, "c.practice_id", 2);
    let rows = bind_all(
        sqlx::query(&format!(
            "SELECT c.practice_id, COUNT(r.sent_at) AS sent, COUNT(r.clicked_at) AS clicked, \
             COUNT(r.reported_at) AS reported \
             FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id \
             WHERE r.sent_at > $1 AND {scope} GROUP BY c.practice_id"
        ))
        .bind(now() - crate::awareness::storage::TRAINING_VALID_SECONDS),
        &values,
    )
    .fetch_all(&state.db.read)
    .await?;
    for row in rows {
        let sent: i64 = row.try_get("sent")?;
        if sent == 0 {
            continue;
        }
        if let Some(p) = by_id.get_mut(&row.try_get::<i64, _>("practice_id")?) {
            let clicked: i64 = row.try_get("clicked")?;
            let reported: i64 = row.try_get("reported")?;
            p.phishing = Some(PhishingRisk {
                sent,
                clicked,
                reported,
                phish_prone: clicked as f64 / sent as f64,
                report_rate: reported as f64 / sent as f64,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_text_reads_as_days() {
        let days = parse_trend_days("2026-11-28=3/4,2026-11-29=0/0,broken");
        assert_eq!(
            days,
            [
                DayRate {
                    day: "2026-11-28".into(),
                    pass_rate: 0.75
                },
                DayRate {
                    day: "2026-11-29".into(),
                    pass_rate: 0.0
                }
            ]
        );
    }
}
