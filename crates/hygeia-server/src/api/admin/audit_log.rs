//! The audit log, scoped to the caller's organization or practice.

use crate::api::read::{Page, Paged, fetch_page};
use crate::auth::{Caller, Role, practice_scope};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;

/// One entry of the audit log.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    /// Its id.
    pub id: i64,
    /// When (Unix seconds).
    pub at: i64,
    /// Who (e-mail address, or the agent on a computer).
    pub actor: String,
    /// What (`enroll_secret.create`, `devices.upload`, ...).
    pub action: String,
    /// On what.
    pub target: String,
    /// From which address.
    pub ip: String,
    /// Details in words.
    pub detail: String,
    /// The practice concerned, when one is.
    pub practice_id: Option<i64>,
}

/// `GET /api/v1/audit-log`: administrators see their practice's entries, insurer analysts
/// their organization's; clinicians none.
pub async fn audit_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<AuditEntry>>> {
    entries(&state, &caller, &page).await.map(Json)
}

/// The audit log entries the caller may read, newest first (for the API and the page).
pub async fn entries(
    state: &AppState,
    caller: &Caller,
    page: &Page,
) -> ApiResult<Paged<AuditEntry>> {
    if caller.role == Role::Clinician {
        return Err(ApiError::forbidden("The audit log is for administrators."));
    }
    let (limit, offset) = page.bounds()?;
    let (scope, values) = match caller.role {
        Role::InsurerAnalyst => (
            "organization_id = $1".to_string(),
            vec![caller.organization_id],
        ),
        _ => practice_scope(caller, "practice_id", 1),
    };
    let n = values.len();
    let sql = format!(
        "SELECT id, at, actor, action, target, ip, detail, practice_id FROM audit_log WHERE {scope} \
         ORDER BY at DESC, id LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut query = sqlx::query_as(&sql);
    for v in &values {
        query = query.bind(*v);
    }
    Ok(fetch_page(query, &state.db.read, limit, offset).await?)
}
