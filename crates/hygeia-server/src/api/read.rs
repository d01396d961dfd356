//! What the dashboard shows: practices, computers, their latest posture, pass rates, history and
//! trends. Every list is paginated; every query is limited to what the caller may see.

use crate::auth::{Caller, Role, check_practice_visible, practice_scope, visible_host_practice};
use crate::db::now;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use sqlx::Row;

/// `?limit=&offset=` on every list.
#[derive(Debug, Deserialize)]
pub struct Page {
    /// Items per page (1 to 500, default 50).
    pub limit: Option<i64>,
    /// Items to skip.
    pub offset: Option<i64>,
}

impl Page {
    /// The limit and offset; a value outside the documented range is refused, not bent.
    pub fn bounds(&self) -> ApiResult<(i64, i64)> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=500).contains(&limit) {
            return Err(ApiError::bad_request("limit must be between 1 and 500."));
        }
        let offset = self.offset.unwrap_or(0);
        if !(0..=MAX_OFFSET).contains(&offset) {
            return Err(ApiError::bad_request(format!(
                "offset must be between 0 and {MAX_OFFSET}."
            )));
        }
        Ok((limit, offset))
    }
}

/// The largest offset accepted: beyond any list's length, and far from integer overflow.
const MAX_OFFSET: i64 = 1_000_000_000;

/// A `?control=` filter: a control id (`HY-PC-001`); left out, all controls (`""` inside).
fn control_filter(control: Option<&str>) -> ApiResult<&str> {
    let Some(control) = control else {
        return Ok("");
    };
    let mut parts = control.split('-');
    let well_formed = matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("HY"), Some(area), Some(number), None)
            if !area.is_empty() && area.bytes().all(|b| b.is_ascii_uppercase())
            && number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit())
    );
    if well_formed {
        Ok(control)
    } else {
        Err(ApiError::bad_request(
            "control must be a control id such as HY-PC-001 (leave it out for all controls).",
        ))
    }
}

/// A page of a list, typed: what the JSON list routes answer and the pages read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Paged<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Page size asked for.
    pub limit: i64,
    /// Items skipped.
    pub offset: i64,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<i64>,
}

impl<T> Paged<T> {
    /// A page from rows read with one extra row (to know whether there is a next page).
    pub fn new(mut items: Vec<T>, limit: i64, offset: i64) -> Paged<T> {
        let more = items.len() as i64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(0));
        Paged {
            items,
            limit,
            offset,
            next_offset: more.then_some(offset + limit),
        }
    }
}

/// `part / whole`, 0 when there is no whole.
fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 / whole as f64
    } else {
        0.0
    }
}

/// Hosts silent for longer than this count as not reporting.
pub const SILENT_AFTER_SECONDS: i64 = 24 * 3600;

pub(crate) fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: &[i64],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for v in values {
        query = query.bind(*v);
    }
    query
}

/// Reads a page of typed rows. The query's SQL ends with `LIMIT $n OFFSET $n+1`, which this
/// binds (one row more than `limit`, to know whether there is a next page).
pub(crate) async fn fetch_page<'q, T>(
    query: sqlx::query::QueryAs<'q, sqlx::Any, T, sqlx::any::AnyArguments<'q>>,
    db: &sqlx::AnyPool,
    limit: i64,
    offset: i64,
) -> Result<Paged<T>, sqlx::Error>
where
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    let items = query.bind(limit + 1).bind(offset).fetch_all(db).await?;
    Ok(Paged::new(items, limit, offset))
}

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

/// A computer of a practice, as listed.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct HostRow {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub hostname: String,
    /// `linux`, `macos`, `windows`.
    pub os: String,
    /// Its system for people.
    pub os_version: String,
    /// When it was enrolled.
    pub enrolled_at: i64,
    /// Its last report.
    pub last_seen_at: Option<i64>,
    /// The clinician it is assigned to.
    pub owner_user_id: Option<i64>,
    /// Controls failing in its latest report.
    pub failing: i64,
}

/// A practice's computers by name; clinicians get only those assigned to them (for the API
/// and the pages).
pub async fn hosts_of(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
    page: &Page,
) -> ApiResult<Paged<HostRow>> {
    check_practice_visible(state, caller, practice_id).await?;
    let (limit, offset) = page.bounds()?;
    let own_only = caller.role == Role::Clinician;
    let query = sqlx::query_as(
        "SELECT h.id, h.hostname, h.os, h.os_version, h.enrolled_at, h.last_seen_at, h.owner_user_id, h.failing \
         FROM hosts h WHERE h.practice_id = $1 AND h.revoked_at IS NULL \
         AND ($2 = 0 OR h.owner_user_id = $3) \
         ORDER BY h.hostname, h.id LIMIT $4 OFFSET $5",
    )
    .bind(practice_id)
    .bind(i64::from(own_only))
    .bind(caller.user_id);
    Ok(fetch_page(query, &state.db.read, limit, offset).await?)
}

/// `GET /api/v1/practices/{id}/hosts`.
pub async fn practice_hosts(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<HostRow>>> {
    hosts_of(&state, &caller, practice_id, &page)
        .await
        .map(Json)
}

/// A control's latest result on a computer.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct PostureRow {
    /// `HY-PC-001`.
    pub control_id: String,
    /// `pass`, `fail`, ...
    pub status: String,
    /// `low` ... `critical`.
    pub severity: String,
    /// When it was last reported.
    pub observed_at: i64,
    /// Since when it has had this status.
    pub since: i64,
    /// The finding's sentence.
    pub reason: String,
}

/// A computer and its latest result per control.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct HostDetail {
    /// Its id.
    pub id: i64,
    /// Its practice.
    pub practice_id: i64,
    /// Its name.
    pub hostname: String,
    /// `linux`, `macos`, `windows`.
    pub os: String,
    /// Its system for people.
    pub os_version: String,
    /// When it was enrolled.
    pub enrolled_at: i64,
    /// Its last report.
    pub last_seen_at: Option<i64>,
    /// The clinician it is assigned to.
    pub owner_user_id: Option<i64>,
    /// When an administrator removed it.
    pub revoked_at: Option<i64>,
    /// Its latest result per control, by control id.
    #[sqlx(skip)]
    pub posture: Vec<PostureRow>,
}

/// A computer the caller may read (for the API and the page).
pub async fn host_detail(state: &AppState, caller: &Caller, host_id: i64) -> ApiResult<HostDetail> {
    let practice_id = visible_host_practice(state, caller, host_id).await?;
    let mut host: HostDetail = sqlx::query_as(
        "SELECT id, practice_id, hostname, os, os_version, enrolled_at, last_seen_at, owner_user_id, \
         revoked_at FROM hosts WHERE id = $1 AND practice_id = $2",
    )
    .bind(host_id)
    .bind(practice_id)
    .fetch_one(&state.db.read)
    .await?;
    host.posture = sqlx::query_as(
        "SELECT control_id, status, severity, observed_at, since, reason FROM host_posture \
         WHERE host_id = $1 ORDER BY control_id",
    )
    .bind(host_id)
    .fetch_all(&state.db.read)
    .await?;
    Ok(host)
}

/// `GET /api/v1/hosts/{id}`: a computer and its latest result per control.
pub async fn host(
    State(state): State<AppState>,
    caller: Caller,
    Path(host_id): Path<i64>,
) -> ApiResult<Json<HostDetail>> {
    host_detail(&state, &caller, host_id).await.map(Json)
}

/// `GET /api/v1/hosts/{id}/report`: the computer's latest report as its agent sent it
/// (`hygeia.check/1`, with evidence and fix steps).
pub async fn host_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(host_id): Path<i64>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    visible_host_practice(&state, &caller, host_id).await?;
    let Some(text) = latest_report_text(&state, host_id).await? else {
        return Err(ApiError::not_found("report for this computer yet"));
    };
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response())
}

/// The latest report a computer sent, as its agent sent it (none before its first report).
/// The caller checks that the computer is visible.
pub async fn latest_report_text(state: &AppState, host_id: i64) -> ApiResult<Option<String>> {
    let stored: Option<String> =
        sqlx::query_scalar("SELECT body_deflate_base64 FROM host_latest_report WHERE host_id = $1")
            .bind(host_id)
            .fetch_optional(&state.db.read)
            .await?;
    let Some(stored) = stored else {
        return Ok(None);
    };
    crate::ingest::decompress(&stored).map(Some).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "damaged",
            "The stored report cannot be read back.",
        )
    })
}

/// `?control=&limit=&offset=` for history.
#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    /// Only this control.
    pub control: Option<String>,
    /// Items per page.
    pub limit: Option<i64>,
    /// Items to skip.
    pub offset: Option<i64>,
}

/// A stored result of a control on a computer.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct HistoryRow {
    /// `HY-PC-001`.
    pub control_id: String,
    /// `pass`, `fail`, ...
    pub status: String,
    /// `low` ... `critical`.
    pub severity: String,
    /// When it was observed (Unix seconds).
    pub observed_at: i64,
    /// The stored report it came in.
    pub report_id: i64,
}

/// `GET /api/v1/hosts/{id}/history`: every stored result, newest first (one row per control
/// and report that differed from the one before).
pub async fn host_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(host_id): Path<i64>,
    Query(query): Query<HistoryQuery>,
) -> ApiResult<Json<Paged<HistoryRow>>> {
    visible_host_practice(&state, &caller, host_id).await?;
    let (limit, offset) = Page {
        limit: query.limit,
        offset: query.offset,
    }
    .bounds()?;
    let control = control_filter(query.control.as_deref())?;
    let query = sqlx::query_as(
        "SELECT control_id, status, severity, observed_at, report_id FROM results \
         WHERE host_id = $1 AND ($2 = '' OR control_id = $2) \
         ORDER BY observed_at DESC, control_id LIMIT $3 OFFSET $4",
    )
    .bind(host_id)
    .bind(control);
    Ok(Json(
        fetch_page(query, &state.db.read, limit, offset).await?,
    ))
}

/// A control of a computer that changed status (or was first reported).
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct HostChangeRow {
    /// When (Unix seconds).
    pub at: i64,
    /// The control.
    pub control_id: String,
    /// The status before; absent the first time the control was reported.
    #[sqlx(rename = "from_status")]
    pub from: Option<String>,
    /// The status after.
    #[sqlx(rename = "to_status")]
    pub to: String,
}

/// A page of a computer's changes, newest first.
pub async fn changes_of(
    state: &AppState,
    caller: &Caller,
    host_id: i64,
    page: &Page,
) -> ApiResult<Paged<HostChangeRow>> {
    visible_host_practice(state, caller, host_id).await?;
    let (limit, offset) = page.bounds()?;
    // Ingestion writes a row per change, so a page reads only its own rows however long the
    // computer's history is.
    let query = sqlx::query_as(
        "SELECT at, control_id, from_status, to_status FROM host_changes WHERE host_id = $1 \
         ORDER BY at DESC, control_id LIMIT $2 OFFSET $3",
    )
    .bind(host_id);
    Ok(fetch_page(query, &state.db.read, limit, offset).await?)
}

/// `GET /api/v1/hosts/{id}/changes`: when each control's status changed (broke, was fixed).
pub async fn host_changes(
    State(state): State<AppState>,
    caller: Caller,
    Path(host_id): Path<i64>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<HostChangeRow>>> {
    Ok(Json(changes_of(&state, &caller, host_id, &page).await?))
}
