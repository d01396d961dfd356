//! Administration: enroll secrets, users and roles, computers (remove, assign), API tokens and
//! the audit log, one module per resource. Every change is written to the audit log in the same
//! transaction; the helpers the resources share are here.

mod audit_log;
mod enroll_secrets;
mod hosts;
mod tokens;
mod users;

pub use audit_log::{AuditEntry, audit_log, entries as audit_entries};
pub use enroll_secrets::{
    EnrollSecretRow, NewEnrollSecret, create_enroll_secret, enroll_secrets_of, list_enroll_secrets,
    revoke_enroll_secret,
};
pub use hosts::{HostChange, assign_host, revoke_host};
pub use tokens::{NewToken, create_token, list_tokens, revoke_token};
pub use users::{NewUser, UserChange, UserRow, change_user, create_user, list_users, users_of};

use crate::audit::Entry;
use crate::auth::{Caller, check_practice_managed};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::http::StatusCode;

/// Enroll secrets start with this.
pub const ENROLL_SECRET_PREFIX: &str = "hye_";

/// An audit entry of an administrator's action.
pub(crate) fn entry<'a>(
    caller: &'a Caller,
    practice_id: Option<i64>,
    action: &'a str,
    target: &'a str,
    detail: &'a str,
) -> Entry<'a> {
    Entry {
        organization_id: Some(caller.organization_id),
        practice_id,
        user_id: Some(caller.user_id),
        actor: &caller.email,
        action,
        target,
        ip: &caller.ip,
        detail,
    }
}

/// When a secret made at `at` expires: after `days` (or `default_days`), never for 0.
fn expiry(days: Option<i64>, default_days: i64, at: i64) -> ApiResult<Option<i64>> {
    let days = days.unwrap_or(default_days);
    if !(0..=3650).contains(&days) {
        return Err(ApiError::bad_request(
            "expires_in_days must be between 0 (never) and 3650.",
        ));
    }
    Ok((days > 0).then_some(at + days * 86_400))
}

/// The practice of a row the caller wants to change, when the caller manages that practice.
/// A row outside the caller's scope answers 404 with `what`, like a row that does not exist.
async fn managed_practice_of(
    state: &AppState,
    caller: &Caller,
    table: ManagedTable,
    id: i64,
) -> ApiResult<i64> {
    let (sql, what) = match table {
        ManagedTable::EnrollSecret => (
            "SELECT practice_id FROM enroll_secrets WHERE id = $1",
            "enroll secret",
        ),
        ManagedTable::Host => ("SELECT practice_id FROM hosts WHERE id = $1", "computer"),
        ManagedTable::User => ("SELECT practice_id FROM users WHERE id = $1", "user"),
    };
    let practice_id: Option<i64> = sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(&state.db.read)
        .await?
        .flatten();
    let practice_id = practice_id.ok_or_else(|| ApiError::not_found(what))?;
    match check_practice_managed(state, caller, practice_id).await {
        Err(e) if e.status == StatusCode::NOT_FOUND => Err(ApiError::not_found(what)),
        Err(e) => Err(e),
        Ok(()) => Ok(practice_id),
    }
}

/// Tables of rows that belong to a practice.
#[derive(Debug, Clone, Copy)]
enum ManagedTable {
    EnrollSecret,
    Host,
    User,
}
