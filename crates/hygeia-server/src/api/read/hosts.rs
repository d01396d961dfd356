//! A practice's computers, one computer's latest posture and report, its history and changes.

use super::{Page, Paged, control_filter, fetch_page};
use crate::auth::{Caller, Role, check_practice_visible, visible_host_practice};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

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

/// The backup controls behind a practice's 3-2-1-1-0 table: HY-BK-001 (backups set up),
/// 002 (recent), 003 (offline or locked copy), 004 (off-site copy), 005 (restore tested).
pub const BACKUP_CONTROLS: [&str; 5] = [
    "HY-BK-001",
    "HY-BK-002",
    "HY-BK-003",
    "HY-BK-004",
    "HY-BK-005",
];

/// One computer's latest status of one backup control.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct BackupPosture {
    /// The computer.
    pub host_id: i64,
    /// One of [`BACKUP_CONTROLS`].
    pub control_id: String,
    /// `pass`, `fail`, `attested`, `unknown`...
    pub status: String,
}

/// The latest backup controls of a practice's computers (a clinician's own only), for the
/// overview's 3-2-1-1-0 table.
pub async fn backup_posture_of(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
) -> ApiResult<Vec<BackupPosture>> {
    check_practice_visible(state, caller, practice_id).await?;
    let own_only = caller.role == Role::Clinician;
    Ok(sqlx::query_as(
        "SELECT p.host_id, p.control_id, p.status FROM host_posture p \
         JOIN hosts h ON h.id = p.host_id \
         WHERE p.practice_id = $1 AND h.revoked_at IS NULL AND ($2 = 0 OR h.owner_user_id = $3) \
         AND p.control_id IN ('HY-BK-001', 'HY-BK-002', 'HY-BK-003', 'HY-BK-004', 'HY-BK-005')",
    )
    .bind(practice_id)
    .bind(i64::from(own_only))
    .bind(caller.user_id)
    .fetch_all(&state.db.read)
    .await?)
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
