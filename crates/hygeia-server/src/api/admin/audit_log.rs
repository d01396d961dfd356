//! The audit log, scoped to the caller's organization or practice.

use crate::api::read::{Page, paged};
use crate::auth::{Caller, Role, practice_scope};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};
use sqlx::Row;

/// `GET /api/v1/audit-log`: administrators see their practice's entries, insurer analysts
/// their organization's; clinicians none.
pub async fn audit_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    if caller.role == Role::Clinician {
        return Err(ApiError::forbidden("The audit log is for administrators."));
    }
    let (limit, offset) = page.bounds()?;
    let (scope, values) = match caller.role {
        Role::InsurerAnalyst => (
            "organization_id = $1".to_string(),
            vec![caller.organization_id],
        ),
        _ => practice_scope(&caller, "practice_id", 1),
    };
    let n = values.len();
    let sql = format!(
        "SELECT id, at, actor, action, target, ip, detail, practice_id FROM audit_log WHERE {scope} \
         ORDER BY at DESC, id LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut query = sqlx::query(&sql);
    for v in &values {
        query = query.bind(*v);
    }
    let rows = query
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(&state.db.read)
        .await?;
    let mut items = Vec::new();
    for row in rows {
        items.push(json!({
            "id": row.try_get::<i64, _>("id")?,
            "at": row.try_get::<i64, _>("at")?,
            "actor": row.try_get::<String, _>("actor")?,
            "action": row.try_get::<String, _>("action")?,
            "target": row.try_get::<String, _>("target")?,
            "ip": row.try_get::<String, _>("ip")?,
            "detail": row.try_get::<String, _>("detail")?,
            "practice_id": row.try_get::<Option<i64>, _>("practice_id")?,
        }));
    }
    Ok(paged(items, limit, offset))
}
