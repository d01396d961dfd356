//! Enroll secrets: list, create (shown once), revoke.

use super::{ENROLL_SECRET_PREFIX, ManagedTable, entry, expiry, managed_practice_of};
use crate::api::read::{Page, Paged, fetch_page};
use crate::audit;
use crate::auth::{Caller, check_practice_managed};
use crate::db::{new_id, now};
use crate::error::ApiResult;
use crate::secrets::{new_secret, sha256_hex};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// An enroll secret as listed (never the secret itself: only its hash is stored).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EnrollSecretRow {
    /// Its id.
    pub id: i64,
    /// What it is for.
    pub label: String,
    /// When it was made.
    pub created_at: i64,
    /// When it expires; `None` for never.
    pub expires_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
    /// Computers enrolled with it.
    pub uses: i64,
    /// Neither revoked nor expired.
    #[sqlx(skip)]
    pub active: bool,
}

/// The practice's enroll secrets, newest first (for the API and the page).
pub async fn enroll_secrets_of(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
    page: &Page,
) -> ApiResult<Paged<EnrollSecretRow>> {
    check_practice_managed(state, caller, practice_id).await?;
    let (limit, offset) = page.bounds()?;
    let query = sqlx::query_as(
        "SELECT id, label, created_at, expires_at, revoked_at, uses FROM enroll_secrets \
         WHERE practice_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
    )
    .bind(practice_id);
    let mut secrets: Paged<EnrollSecretRow> =
        fetch_page(query, &state.db.read, limit, offset).await?;
    let at = now();
    for secret in &mut secrets.items {
        secret.active = secret.revoked_at.is_none() && secret.expires_at.is_none_or(|e| e > at);
    }
    Ok(secrets)
}

/// `GET /api/v1/practices/{id}/enroll-secrets`.
pub async fn list_enroll_secrets(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<EnrollSecretRow>>> {
    enroll_secrets_of(&state, &caller, practice_id, &page)
        .await
        .map(Json)
}

/// Body of a new enroll secret.
#[derive(Debug, Deserialize)]
pub struct NewEnrollSecret {
    /// What the secret is for ("front desk laptops").
    pub label: String,
    /// Days until it expires (default 30; 0 = never).
    #[serde(default, deserialize_with = "crate::api::whole_number_or_null")]
    pub expires_in_days: Option<i64>,
}

/// A secret just created: the only time its text is shown.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedEnrollSecret {
    /// Its id.
    pub id: i64,
    /// Its label.
    pub label: String,
    /// The secret itself (only its hash is kept).
    pub secret: String,
    /// When it stops enrolling computers (Unix seconds); none for a secret that does not expire.
    pub expires_at: Option<i64>,
}

/// `POST /api/v1/practices/{id}/enroll-secrets`: the secret is shown once, in this answer.
pub async fn create_enroll_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Json(body): Json<NewEnrollSecret>,
) -> ApiResult<(StatusCode, Json<CreatedEnrollSecret>)> {
    check_practice_managed(&state, &caller, practice_id).await?;
    let label = crate::api::plain_text(
        "label",
        &body.label,
        100,
        "Give the secret a label, such as \"front desk laptops\".",
    )?;
    let at = now();
    let expires = expiry(body.expires_in_days, 30, at)?;
    let secret = new_secret(ENROLL_SECRET_PREFIX);
    let id = new_id();
    let mut tx = state.db.write.begin().await?;
    sqlx::query(
        "INSERT INTO enroll_secrets (id, practice_id, label, secret_hash, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(practice_id)
    .bind(&label)
    .bind(sha256_hex(secret.as_bytes()))
    .bind(caller.user_id)
    .bind(at)
    .bind(expires)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        entry(
            &caller,
            Some(practice_id),
            "enroll_secret.create",
            &format!("enroll_secret {id}"),
            &label,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedEnrollSecret {
            id,
            label,
            secret,
            expires_at: expires,
        }),
    ))
}

/// `DELETE /api/v1/enroll-secrets/{id}`: revokes it; computers already enrolled keep their keys.
pub async fn revoke_enroll_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(secret_id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let practice_id =
        managed_practice_of(&state, &caller, ManagedTable::EnrollSecret, secret_id).await?;
    let mut tx = state.db.write.begin().await?;
    sqlx::query("UPDATE enroll_secrets SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(secret_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        entry(
            &caller,
            Some(practice_id),
            "enroll_secret.revoke",
            &format!("enroll_secret {secret_id}"),
            "",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(json!({"id": secret_id, "revoked": true})))
}
