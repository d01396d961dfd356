//! Computers: remove one (it stops reporting; its history stays) and assign it to a clinician.

use super::{ManagedTable, entry, managed_practice_of};
use crate::audit;
use crate::auth::Caller;
use crate::db::now;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

/// `DELETE /api/v1/hosts/{id}`: revokes the computer's node key; its history stays.
pub async fn revoke_host(
    State(state): State<AppState>,
    caller: Caller,
    Path(host_id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let practice_id = managed_practice_of(&state, &caller, ManagedTable::Host, host_id).await?;
    let mut tx = state.db.write.begin().await?;
    let revoked =
        sqlx::query("UPDATE hosts SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now())
            .bind(host_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    // A revoked computer no longer counts in its practice's pass rates.
    if revoked > 0 {
        crate::ingest::remove_from_stats(&mut tx, host_id, practice_id).await?;
    }
    audit::record(
        &mut *tx,
        entry(
            &caller,
            Some(practice_id),
            "host.revoke",
            &format!("host {host_id}"),
            "",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(json!({"id": host_id, "revoked": true})))
}

/// Body of `PATCH /api/v1/hosts/{id}`.
#[derive(Debug, Deserialize)]
pub struct HostChange {
    /// The clinician who uses the computer (null: nobody).
    #[serde(default, deserialize_with = "crate::api::whole_number_or_null")]
    pub owner_user_id: Option<i64>,
}

/// `PATCH /api/v1/hosts/{id}`: says which clinician uses the computer.
pub async fn assign_host(
    State(state): State<AppState>,
    caller: Caller,
    Path(host_id): Path<i64>,
    Json(body): Json<HostChange>,
) -> ApiResult<Json<Value>> {
    let practice_id = managed_practice_of(&state, &caller, ManagedTable::Host, host_id).await?;
    if let Some(owner) = body.owner_user_id {
        let same_practice: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND practice_id = $2")
                .bind(owner)
                .bind(practice_id)
                .fetch_optional(&state.db.read)
                .await?;
        if same_practice.is_none() {
            // 404 like any other reference to something the caller cannot see.
            return Err(ApiError::not_found("user in this computer's practice"));
        }
    }
    let mut tx = state.db.write.begin().await?;
    sqlx::query("UPDATE hosts SET owner_user_id = $1 WHERE id = $2")
        .bind(body.owner_user_id)
        .bind(host_id)
        .execute(&mut *tx)
        .await?;
    let detail = body
        .owner_user_id
        .map(|o| format!("owner user {o}"))
        .unwrap_or_else(|| "no owner".into());
    audit::record(
        &mut *tx,
        entry(
            &caller,
            Some(practice_id),
            "host.assign",
            &format!("host {host_id}"),
            &detail,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(
        json!({"id": host_id, "owner_user_id": body.owner_user_id}),
    ))
}
