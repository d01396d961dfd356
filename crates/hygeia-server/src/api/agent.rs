//! The agent protocol (the osquery/FleetDM pattern): an enroll secret of the practice buys a
//! per-host node key; every report carries the node key. An unknown key is answered
//! `invalid_node_key`; the key of a computer an administrator removed is answered `revoked`, and
//! the agent stops. The agent does not keep the enroll secret, so a removed computer (or root on
//! an enrolled one) cannot enroll itself again: that takes a secret from an administrator.

use crate::audit::{self, Entry};
use crate::db::{new_id, now};
use crate::error::{ApiError, ApiResult};
use crate::ingest::{self, ReportingHost};
use crate::secrets::{new_secret, sha256_hex};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;
use std::net::SocketAddr;

/// Node keys start with this.
pub const NODE_KEY_PREFIX: &str = "hyn_";
/// The header with the agent's id for a report, so a resent report is stored once.
pub const REPORT_ID_HEADER: &str = "x-hygeia-report-id";

/// Body of `POST /api/agent/v1/enroll`.
#[derive(Debug, Deserialize)]
pub struct Enroll {
    secret: String,
    hostname: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    os_version: String,
}

fn invalid_secret() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_enroll_secret",
        "The enroll secret is unknown, revoked or expired; ask the practice administrator for a current one.",
    )
}

/// `POST /api/agent/v1/enroll`.
pub async fn enroll(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Json(body): Json<Enroll>,
) -> ApiResult<Json<Value>> {
    state
        .enroll_limiter
        .check(client.ip())
        .map_err(ApiError::too_many)?;
    let at = now();
    let row = sqlx::query(
        "SELECT e.id, e.practice_id, p.organization_id FROM enroll_secrets e \
         JOIN practices p ON p.id = e.practice_id \
         WHERE e.secret_hash = $1 AND e.revoked_at IS NULL AND (e.expires_at IS NULL OR e.expires_at > $2)",
    )
    .bind(sha256_hex(body.secret.trim().as_bytes()))
    .bind(at)
    .fetch_optional(&state.db.read)
    .await?
    .ok_or_else(invalid_secret)?;
    let secret_id: i64 = row.try_get("id")?;
    let practice_id: i64 = row.try_get("practice_id")?;
    let organization_id: i64 = row.try_get("organization_id")?;
    let hostname = super::plain_text(
        "hostname",
        &body.hostname,
        255,
        "The enrolment names no host.",
    )?;
    let optional = |field: &str, value: &str, max: usize| {
        if value.trim().is_empty() {
            Ok(String::new())
        } else {
            super::plain_text(field, value, max, "")
        }
    };
    let os = optional("os", &body.os, 32)?;
    let os_version = optional("os_version", &body.os_version, 255)?;
    let node_key = new_secret(NODE_KEY_PREFIX);
    let host_id = new_id();
    let mut tx = state.db.write.begin().await?;
    sqlx::query(
        "INSERT INTO hosts (id, practice_id, hostname, os, os_version, node_key_hash, enroll_secret_id, enrolled_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(host_id)
    .bind(practice_id)
    .bind(&hostname)
    .bind(&os)
    .bind(&os_version)
    .bind(sha256_hex(node_key.as_bytes()))
    .bind(secret_id)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE enroll_secrets SET uses = uses + 1 WHERE id = $1")
        .bind(secret_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        Entry {
            organization_id: Some(organization_id),
            practice_id: Some(practice_id),
            user_id: None,
            actor: &format!("agent on {hostname}"),
            action: "host.enrolled",
            target: &format!("host {host_id}"),
            ip: &client.ip().to_string(),
            detail: &format!("enroll secret {secret_id}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(json!({"host_id": host_id, "node_key": node_key})))
}

fn invalid_node_key() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_node_key",
        "This computer's node key is unknown or was revoked; enroll it again.",
    )
}

/// An agent that proved its node key, and the computer it speaks for: the extractor of every
/// agent route, as [`crate::auth::Caller`] is of the user routes. Refuses an unknown key (401),
/// a removed computer (403) and a computer over its report rate (429).
#[derive(Debug)]
pub struct Agent(pub ReportingHost);

impl axum::extract::FromRequestParts<AppState> for Agent {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> ApiResult<Agent> {
        let node_key = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .filter(|k| k.starts_with(NODE_KEY_PREFIX))
            .ok_or_else(invalid_node_key)?;
        let row = sqlx::query(
            "SELECT h.id, h.practice_id, h.last_results_hash, h.revoked_at, t.module_id AS trained_module, t.finished_at AS trained_at \
             FROM hosts h LEFT JOIN training_results t ON t.id = (SELECT t2.id FROM training_results t2 \
             WHERE t2.user_id = h.owner_user_id AND t2.passed = 1 ORDER BY t2.finished_at DESC LIMIT 1) \
             WHERE h.node_key_hash = $1",
        )
        .bind(sha256_hex(node_key.trim().as_bytes()))
        .fetch_optional(&state.db.read)
        .await?
        .ok_or_else(invalid_node_key)?;
        if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "revoked",
                "A practice administrator removed this computer: it no longer reports. To enroll it again, ask the administrator for a new enroll secret.",
            ));
        }
        let host_id: i64 = row.try_get("id")?;
        state
            .report_limiter
            .check_key(host_id)
            .map_err(ApiError::too_many)?;
        Ok(Agent(ReportingHost {
            id: host_id,
            practice_id: row.try_get("practice_id")?,
            last_results_hash: row.try_get("last_results_hash")?,
            training: row
                .try_get::<Option<String>, _>("trained_module")?
                .zip(row.try_get::<Option<i64>, _>("trained_at")?),
        }))
    }
}

/// `POST /api/agent/v1/report`: a `hygeia.check/1` document.
pub async fn report(
    State(state): State<AppState>,
    Agent(host): Agent,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    let host_id = host.id;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "The report is larger than the {} bytes this server accepts.",
                    state.settings.max_report_bytes
                ),
            )
        } else {
            ApiError::bad_request(format!("The report could not be read: {rejection}"))
        }
    })?;
    let report_id: String = headers
        .get(REPORT_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (8..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "The report has no {REPORT_ID_HEADER} header (8 to 64 letters, digits or hyphens)."
            ))
        })?;
    let at = now();
    let mut valid = ingest::validate(&body, at).map_err(|invalid| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_report",
            invalid.to_string(),
        )
    })?;
    // HY-EM-002 is measured here, from the training its person passed on this server.
    crate::awareness::training::apply(&mut valid, host.training.as_ref(), at);
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("The report is not UTF-8."))?;
    let outcome = state
        .writer
        .store(ingest::Incoming {
            host,
            agent_report_id: report_id,
            report: valid,
            compressed_body: ingest::compress(text),
            now: at,
        })
        .await?;
    Ok(Json(
        json!({"status": outcome.as_str(), "host_id": host_id}),
    ))
}
