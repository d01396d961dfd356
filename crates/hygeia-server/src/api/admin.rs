//! Administration: enroll secrets, users and roles, computers (revoke, assign), API tokens and
//! the audit log. Every change is written to the audit log in the same transaction.

use super::read::{Page, paged};
use crate::audit::{self, Entry};
use crate::auth::{
    Caller, Role, TOKEN_MAX_DAYS, TOKEN_PREFIX, check_practice_managed, password, practice_scope,
};
use crate::db::{new_id, now};
use crate::error::{ApiError, ApiResult};
use crate::secrets::{new_secret, sha256_hex};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;

/// Enroll secrets start with this.
pub const ENROLL_SECRET_PREFIX: &str = "hye_";

fn entry<'a>(
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

/// `GET /api/v1/practices/{id}/enroll-secrets`.
pub async fn list_enroll_secrets(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    check_practice_managed(&state, &caller, practice_id).await?;
    let (limit, offset) = page.bounds()?;
    let rows = sqlx::query(
        "SELECT id, label, created_at, expires_at, revoked_at, uses FROM enroll_secrets \
         WHERE practice_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
    )
    .bind(practice_id)
    .bind(limit + 1)
    .bind(offset)
    .fetch_all(&state.db.read)
    .await?;
    let at = now();
    let mut items = Vec::new();
    for row in rows {
        let expires: Option<i64> = row.try_get("expires_at")?;
        let revoked: Option<i64> = row.try_get("revoked_at")?;
        items.push(json!({
            "id": row.try_get::<i64, _>("id")?,
            "label": row.try_get::<String, _>("label")?,
            "created_at": row.try_get::<i64, _>("created_at")?,
            "expires_at": expires,
            "revoked_at": revoked,
            "uses": row.try_get::<i64, _>("uses")?,
            "active": revoked.is_none() && expires.is_none_or(|e| e > at),
        }));
    }
    Ok(paged(items, limit, offset))
}

/// Body of a new enroll secret.
#[derive(Debug, Deserialize)]
pub struct NewEnrollSecret {
    /// What the secret is for ("front desk laptops").
    pub label: String,
    /// Days until it expires (default 30; 0 = never).
    #[serde(default, deserialize_with = "super::whole_number")]
    pub expires_in_days: Option<i64>,
}

/// `POST /api/v1/practices/{id}/enroll-secrets`: the secret is shown once, in this answer.
pub async fn create_enroll_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Json(body): Json<NewEnrollSecret>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    check_practice_managed(&state, &caller, practice_id).await?;
    let label = super::plain_text(
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
        Json(json!({"id": id, "label": label, "secret": secret, "expires_at": expires})),
    ))
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
    #[serde(default, deserialize_with = "super::whole_number")]
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

/// `GET /api/v1/practices/{id}/users`.
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    check_practice_managed(&state, &caller, practice_id).await?;
    let (limit, offset) = page.bounds()?;
    let rows = sqlx::query(
        "SELECT id, email, display_name, role, totp_enabled, disabled, locked_until, created_at FROM users \
         WHERE practice_id = $1 ORDER BY email LIMIT $2 OFFSET $3",
    )
    .bind(practice_id)
    .bind(limit + 1)
    .bind(offset)
    .fetch_all(&state.db.read)
    .await?;
    let at = now();
    let mut items = Vec::new();
    for row in rows {
        items.push(json!({
            "id": row.try_get::<i64, _>("id")?,
            "email": row.try_get::<String, _>("email")?,
            "display_name": row.try_get::<String, _>("display_name")?,
            "role": row.try_get::<String, _>("role")?,
            "totp_enabled": row.try_get::<i64, _>("totp_enabled")? != 0,
            "disabled": row.try_get::<i64, _>("disabled")? != 0,
            "locked": row.try_get::<i64, _>("locked_until")? > at,
            "created_at": row.try_get::<i64, _>("created_at")?,
        }));
    }
    Ok(paged(items, limit, offset))
}

/// Body of a new user.
#[derive(Debug, Deserialize)]
pub struct NewUser {
    /// Their e-mail address (their sign-in name).
    pub email: String,
    /// Their name as shown in the dashboard.
    pub display_name: String,
    /// `practice_admin` or `clinician`.
    pub role: String,
}

/// Whether an address looks like one (one @, something on both sides, a dot in the domain).
fn plausible_email(email: &str) -> bool {
    let mut parts = email.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(local), Some(domain), None)
        if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
}

/// `POST /api/v1/practices/{id}/users`: a user of the practice with a one-time password, shown
/// once, to be changed at first sign-in.
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Json(body): Json<NewUser>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    caller.require_session()?;
    check_practice_managed(&state, &caller, practice_id).await?;
    let email = body.email.trim().to_lowercase();
    if !plausible_email(&email) {
        return Err(ApiError::bad_request("That is not an e-mail address."));
    }
    let display_name = super::plain_text(
        "display_name",
        &body.display_name,
        100,
        "Give the user's name as the dashboard should show it.",
    )?;
    let role = match Role::parse(&body.role) {
        Some(role @ (Role::PracticeAdmin | Role::Clinician)) => role,
        _ => {
            return Err(ApiError::bad_request(
                "A practice user's role is practice_admin or clinician.",
            ));
        }
    };
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&state.db.read)
        .await?;
    if taken.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "email_taken",
            "A user with that e-mail address exists.",
        ));
    }
    let one_time = password::one_time_password();
    let id = new_id();
    let mut tx = state.db.write.begin().await?;
    sqlx::query(
        "INSERT INTO users (id, organization_id, practice_id, email, display_name, role, password_hash, must_change_password, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
    )
    .bind(id)
    .bind(caller.organization_id)
    .bind(practice_id)
    .bind(&email)
    .bind(&display_name)
    .bind(role.as_str())
    .bind(password::hash(&one_time))
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        entry(
            &caller,
            Some(practice_id),
            "user.create",
            &format!("user {id}"),
            &format!("{email} as {}", role.as_str()),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": id, "email": email, "role": role.as_str(), "one_time_password": one_time}),
        ),
    ))
}

/// Body of `PATCH /api/v1/users/{id}`.
#[derive(Debug, Deserialize)]
pub struct UserChange {
    /// A new role.
    pub role: Option<String>,
    /// Disable (true) or enable (false) the account.
    pub disabled: Option<bool>,
    /// Removes the authenticator app (the user sets up a new one at next sign-in).
    pub reset_totp: Option<bool>,
    /// Lifts a lockout.
    pub unlock: Option<bool>,
    /// Replaces the password with a new one-time password (shown once in the answer), to be
    /// changed at next sign-in; the user's sessions and API tokens end.
    pub reset_password: Option<bool>,
}

/// `PATCH /api/v1/users/{id}`.
pub async fn change_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<i64>,
    Json(body): Json<UserChange>,
) -> ApiResult<Json<Value>> {
    caller.require_session()?;
    let practice_id = managed_practice_of(&state, &caller, ManagedTable::User, user_id).await?;
    if user_id == caller.user_id
        && (body.disabled == Some(true) || body.role.is_some() || body.reset_password == Some(true))
    {
        return Err(ApiError::bad_request(
            "You cannot disable yourself, change your own role or reset your own password here; change your password under Account.",
        ));
    }
    let one_time = match body.reset_password {
        Some(true) => {
            let one_time = password::one_time_password();
            let hash = password::hash_off_thread(&state.hashing, &one_time).await;
            Some((one_time, hash))
        }
        _ => None,
    };
    let mut tx = state.db.write.begin().await?;
    let mut done = Vec::new();
    if let Some(role) = &body.role {
        let role = match Role::parse(role) {
            Some(role @ (Role::PracticeAdmin | Role::Clinician)) => role,
            _ => {
                return Err(ApiError::bad_request(
                    "A practice user's role is practice_admin or clinician.",
                ));
            }
        };
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        done.push(format!("role {}", role.as_str()));
    }
    if let Some(disabled) = body.disabled {
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            end_sessions_and_tokens(&mut tx, user_id).await?;
        }
        done.push(if disabled {
            "disabled".into()
        } else {
            "enabled".into()
        });
    }
    if body.reset_totp == Some(true) {
        sqlx::query("UPDATE users SET totp_enabled = 0, totp_secret = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        done.push("authenticator reset".into());
    }
    if let Some((_, hash)) = &one_time {
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 1, failed_logins = 0, \
             failed_codes = 0, locked_until = 0 WHERE id = $2",
        )
        .bind(hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        end_sessions_and_tokens(&mut tx, user_id).await?;
        done.push("password reset".into());
    }
    if body.unlock == Some(true) {
        sqlx::query(
            "UPDATE users SET locked_until = 0, failed_logins = 0, failed_codes = 0 WHERE id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        done.push("unlocked".into());
    }
    let detail = done.join(", ");
    audit::record(
        &mut *tx,
        entry(
            &caller,
            Some(practice_id),
            "user.change",
            &format!("user {user_id}"),
            &detail,
        ),
    )
    .await?;
    tx.commit().await?;
    let mut answer = json!({"id": user_id, "changed": done});
    if let Some((one_time, _)) = one_time {
        answer["one_time_password"] = json!(one_time);
    }
    Ok(Json(answer))
}

/// Ends every session of a user and revokes their API tokens.
async fn end_sessions_and_tokens(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
) -> ApiResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `GET /api/v1/tokens`: the caller's API tokens.
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    let (limit, offset) = page.bounds()?;
    let rows = sqlx::query(
        "SELECT id, name, scope, created_at, last_used_at, expires_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
    )
    .bind(caller.user_id)
    .bind(limit + 1)
    .bind(offset)
    .fetch_all(&state.db.read)
    .await?;
    let mut items = Vec::new();
    for row in rows {
        items.push(json!({
            "id": row.try_get::<i64, _>("id")?,
            "name": row.try_get::<String, _>("name")?,
            "scope": row.try_get::<String, _>("scope")?,
            "created_at": row.try_get::<i64, _>("created_at")?,
            "last_used_at": row.try_get::<Option<i64>, _>("last_used_at")?,
            "expires_at": row.try_get::<Option<i64>, _>("expires_at")?,
            "revoked_at": row.try_get::<Option<i64>, _>("revoked_at")?,
        }));
    }
    Ok(paged(items, limit, offset))
}

/// Body of a new API token.
#[derive(Debug, Deserialize)]
pub struct NewToken {
    /// What the token is for.
    pub name: String,
    /// Days until it expires: 1 to 365, 90 when left out. Every token expires.
    #[serde(default, deserialize_with = "super::whole_number")]
    pub expires_in_days: Option<i64>,
    /// `read` (the default) or `write`.
    pub scope: Option<String>,
}

/// `POST /api/v1/tokens`: shown once.
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewToken>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    caller.require_session()?;
    let name = super::plain_text(
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
