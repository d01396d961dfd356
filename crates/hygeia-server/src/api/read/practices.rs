//! A practice's list entry, overview, pass rates per control and trend.

use super::{Page, Paged, SILENT_AFTER_SECONDS, control_filter, fetch_page, share};
use crate::auth::{Caller, Role, check_practice_visible, practice_scope};
use crate::db::now;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use sqlx::Row;

/// A practice as listed.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct PracticeRow {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// When it was created (Unix seconds).
    pub created_at: i64,
    /// Computers enrolled and not removed.
    pub hosts: i64,
}

/// `GET /api/v1/practices`.
pub async fn practices(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<PracticeRow>>> {
    let (limit, offset) = page.bounds()?;
    let (scope, values) = practice_scope(&caller, "p.id", 1);
    let n = values.len();
    let sql = format!(
        "SELECT p.id, p.name, p.created_at, \
         (SELECT COUNT(*) FROM hosts h WHERE h.practice_id = p.id AND h.revoked_at IS NULL) AS hosts \
         FROM practices p WHERE {scope} ORDER BY p.name, p.id LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut query = sqlx::query_as(&sql);
    for v in &values {
        query = query.bind(*v);
    }
    Ok(Json(
        fetch_page(query, &state.db.read, limit, offset).await?,
    ))
}

/// One control across a practice's computers.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ControlRate {
    /// `HY-PC-001`.
    pub control_id: String,
    /// Computers reporting it.
    pub hosts: i64,
    /// Passing (or attested) on them.
    pub passing: i64,
    /// Failing on them.
    pub failing: i64,
    /// Passing among reporting.
    #[sqlx(skip)]
    pub pass_rate: f64,
}

/// A computer with failing controls.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct HostAtRisk {
    /// Its id.
    pub host_id: i64,
    /// Its name.
    pub hostname: String,
    /// Its last report.
    pub last_seen_at: Option<i64>,
    /// Critical or high controls failing.
    pub failing_critical_or_high: i64,
    /// All controls failing.
    pub failing: i64,
}

/// A computer silent for more than a day.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct SilentHost {
    /// Its id.
    pub host_id: i64,
    /// Its name.
    pub hostname: String,
    /// Its last report, if it ever reported.
    pub last_seen_at: Option<i64>,
}

/// The overview of one practice.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PracticeOverview {
    /// The practice.
    pub practice_id: i64,
    /// Its name.
    pub name: String,
    /// Computers enrolled and not removed.
    pub hosts: i64,
    /// Of them, silent for more than a day.
    pub not_reporting: i64,
    /// Of them, with a failing control.
    pub hosts_failing: i64,
    /// Of them, with a failing critical or high control.
    pub hosts_failing_critical_or_high: i64,
    /// Every control reported, failing most first.
    pub controls: Vec<ControlRate>,
    /// The ten computers most at risk.
    pub most_at_risk: Vec<HostAtRisk>,
    /// Up to 50 silent computers, longest silent first.
    pub not_reporting_hosts: Vec<SilentHost>,
}

/// The overview of one practice (for the API and the page).
pub async fn overview_of(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
) -> ApiResult<PracticeOverview> {
    if caller.role == Role::Clinician {
        return Err(ApiError::forbidden(
            "Clinicians see their own computers only.",
        ));
    }
    check_practice_visible(state, caller, practice_id).await?;
    let at = now();
    let practice = sqlx::query("SELECT name FROM practices WHERE id = $1")
        .bind(practice_id)
        .fetch_one(&state.db.read)
        .await?;
    let counts = sqlx::query(
        "SELECT COUNT(*) AS hosts, \
         CAST(COALESCE(SUM(CASE WHEN last_seen_at IS NULL OR last_seen_at < $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS silent, \
         CAST(COALESCE(SUM(CASE WHEN failing > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS failing, \
         CAST(COALESCE(SUM(CASE WHEN failing_serious > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS serious \
         FROM hosts WHERE practice_id = $1 AND revoked_at IS NULL",
    )
    .bind(practice_id)
    .bind(at - SILENT_AFTER_SECONDS)
    .fetch_one(&state.db.read)
    .await?;
    let controls = control_rates(state, practice_id).await?;
    // Computers most at risk: most failing critical and high controls first (kept on the host
    // row by ingestion, so this reads ten index entries, not every result).
    let most_at_risk = sqlx::query_as(
        "SELECT id AS host_id, hostname, last_seen_at, failing_serious AS failing_critical_or_high, \
         failing FROM hosts \
         WHERE practice_id = $1 AND revoked_at IS NULL AND failing > 0 \
         ORDER BY failing_serious DESC, failing DESC LIMIT 10",
    )
    .bind(practice_id)
    .fetch_all(&state.db.read)
    .await?;
    let not_reporting_hosts = sqlx::query_as(
        "SELECT id AS host_id, hostname, last_seen_at FROM hosts \
         WHERE practice_id = $1 AND revoked_at IS NULL AND (last_seen_at IS NULL OR last_seen_at < $2) \
         ORDER BY last_seen_at LIMIT 50",
    )
    .bind(practice_id)
    .bind(at - SILENT_AFTER_SECONDS)
    .fetch_all(&state.db.read)
    .await?;
    Ok(PracticeOverview {
        practice_id,
        name: practice.try_get("name")?,
        hosts: counts.try_get("hosts")?,
        not_reporting: counts.try_get("silent")?,
        hosts_failing: counts.try_get("failing")?,
        hosts_failing_critical_or_high: counts.try_get("serious")?,
        controls,
        most_at_risk,
        not_reporting_hosts,
    })
}

/// `GET /api/v1/practices/{id}`: the overview of one practice.
pub async fn practice_overview(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
) -> ApiResult<Json<PracticeOverview>> {
    overview_of(&state, &caller, practice_id).await.map(Json)
}

/// Share of computers passing each control in a practice, failing most first (from the
/// running statistics ingestion keeps, see `practice_control_stats`).
async fn control_rates(state: &AppState, practice_id: i64) -> ApiResult<Vec<ControlRate>> {
    let mut rates: Vec<ControlRate> = sqlx::query_as(
        "SELECT control_id, hosts, passing, failing FROM practice_control_stats \
         WHERE practice_id = $1 AND hosts > 0 ORDER BY failing DESC, control_id",
    )
    .bind(practice_id)
    .fetch_all(&state.db.read)
    .await?;
    for rate in &mut rates {
        rate.pass_rate = share(rate.passing, rate.hosts);
    }
    Ok(rates)
}

/// Every control a practice's computers report, failing most first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ControlRates {
    /// One per control.
    pub items: Vec<ControlRate>,
}

/// `GET /api/v1/practices/{id}/controls`: pass rates per control.
pub async fn practice_controls(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
) -> ApiResult<Json<ControlRates>> {
    if caller.role == Role::Clinician {
        return Err(ApiError::forbidden(
            "Clinicians see their own computers only.",
        ));
    }
    check_practice_visible(&state, &caller, practice_id).await?;
    Ok(Json(ControlRates {
        items: control_rates(&state, practice_id).await?,
    }))
}

/// `?days=&control=` for trends.
#[derive(Debug, Deserialize)]
pub struct Days {
    /// 1 to 366, default 30.
    pub days: Option<i64>,
    /// Only this control (default: all).
    pub control: Option<String>,
}

/// `GET /api/v1/practices/{id}/trend?days=30&control=HY-PC-001`: daily share of passing results,
/// of all controls or of one.
pub async fn practice_trend(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Query(days_query): Query<Days>,
) -> ApiResult<Json<Trend>> {
    Ok(Json(
        trend_of(&state, &caller, practice_id, &days_query).await?,
    ))
}

/// One day of a practice's trend.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct TrendDay {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Results counted that day.
    pub results: i64,
    /// Of which passing or attested.
    pub passing: i64,
    /// Of which failing.
    pub failing: i64,
    /// `passing / results` (0 when nothing was counted).
    #[sqlx(skip)]
    pub pass_rate: f64,
}

/// A practice's trend: the days that have figures, oldest first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Trend {
    /// The window asked for.
    pub days: i64,
    /// Days with figures (a day without reports is absent).
    pub items: Vec<TrendDay>,
}

/// A practice's daily pass rates over the last `days` days.
pub async fn trend_of(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
    days_query: &Days,
) -> ApiResult<Trend> {
    if caller.role == Role::Clinician {
        return Err(ApiError::forbidden(
            "Clinicians see their own computers only.",
        ));
    }
    check_practice_visible(state, caller, practice_id).await?;
    let days = days_query.days.unwrap_or(30);
    if !(1..=366).contains(&days) {
        return Err(ApiError::bad_request("days must be between 1 and 366."));
    }
    let first = crate::rollup::day_of(now() - (days - 1) * 86_400);
    let mut items: Vec<TrendDay> = sqlx::query_as(
        "SELECT day, CAST(SUM(hosts) AS BIGINT) AS results, CAST(SUM(passing) AS BIGINT) AS passing, \
         CAST(SUM(failing) AS BIGINT) AS failing FROM daily_rollups \
         WHERE practice_id = $1 AND day >= $2 AND ($3 = '' OR control_id = $3) GROUP BY day ORDER BY day",
    )
    .bind(practice_id)
    .bind(&first)
    .bind(control_filter(days_query.control.as_deref())?)
    .fetch_all(&state.db.read)
    .await?;
    for day in &mut items {
        day.pass_rate = share(day.passing, day.results);
    }
    Ok(Trend { days, items })
}
