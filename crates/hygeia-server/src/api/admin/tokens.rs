//! API tokens for scripts: list, create (shown once), revoke.

use super::entry;
use crate::api::read::{Page, Paged, fetch_page};
use crate::audit;
use crate::auth::{Caller, TOKEN_MAX_DAYS, TOKEN_PREFIX};
use crate::db::{new_id, now};
use crate::error::{ApiError, ApiResult};
use crate::secrets::{new_secret, sha256_hex};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// An API token as listed (never the token itself: only its hash is stored).
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct TokenRow {
    /// Its id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    /// When it was made (Unix seconds).
    pub created_at: i64,
    /// When it was last used.
    pub last_used_at: Option<i64>,
    /// When it expires.
    pub expires_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
}

/// `GET /api/v1/tokens`: the caller's API tokens.
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<TokenRow>>> {
    let (limit, offset) = page.bounds()?;
    let query = sqlx::query_as(
        "SELECT id, name, scope, created_at, last_used_at, expires_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
    )
    .bind(caller.user_id);
    Ok(Json(
        fetch_page(query, &state.db.read, limit, offset).await?,
    ))
}

/// Body of a new API token.
#[derive(Debug, Deserialize)]
pub struct NewToken {
    /// What the token is for.
    pub name: String,
    /// Days until it expires: 1 to 365, 90 when left out. Every token expires.
    #[serde(default, deserialize_with = "crate::api::whole_number_or_null")]
    pub expires_in_days: Option<i64>,
    /// `read` (the default) or `write`.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    pub scope: Option<String>,
}

/// `POST /api/v1/tokens`: shown once.
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewToken>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    caller.require_session()?;
    let name = crate::api::plain_text(
        "name",
        &body.name,
        100,
        "Name the token after the script that uses it.",
    )?;
    let at = now();
    let days = body.expires_in_days.unwrap_or(90);
    if !(1..=TOKEN_MAX_DAYS).contains(&days) {
        return Err(ApiError::bad_request(format!(
            "expires_in_days must be between 1 and {TOKEN_MAX_DAYS}: every token expires."
        )));
    }
    let expires = at + days * 86_400;
    let scope = match body.scope.as_deref().unwrap_or("read") {
        scope @ ("read" | "write") => scope,
        _ => return Err(ApiError::bad_request("scope is read or write.")),
    };
    let token = new_secret(TOKEN_PREFIX);
    let id = new_id();
    let mut tx = state.db.write.begin().await?;
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at, scope) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(caller.user_id)
    .bind(&name)
    .bind(sha256_hex(token.as_bytes()))
    .bind(at)
    .bind(expires)
    .bind(scope)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        entry(
            &caller,
            caller.practice_id,
            "api_token.create",
            &format!("api_token {id}"),
            &format!("{name} ({scope})"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": id, "name": name, "token": token, "expires_at": expires, "scope": scope}),
        ),
    ))
}

/// `DELETE /api/v1/tokens/{id}`.
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(token_id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.write.begin().await?;
    let changed = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(now())
        .bind(token_id)
        .bind(caller.user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(ApiError::not_found("API token"));
    }
    audit::record(
        &mut *tx,
        entry(
            &caller,
            caller.practice_id,
            "api_token.revoke",
            &format!("api_token {token_id}"),
            "",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(json!({"id": token_id, "revoked": true})))
}
