//! Users and roles: list, add (with a one-time password), change role, disable, reset.

use super::{ManagedTable, entry, managed_practice_of};
use crate::api::read::{Page, Paged};
use crate::audit;
use crate::auth::{Caller, Role, check_practice_managed, password};
use crate::db::{new_id, now};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use sqlx::Row;

/// A user of the practice as listed.
#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    /// Their id.
    pub id: i64,
    /// Their sign-in name.
    pub email: String,
    /// Their name as shown.
    pub display_name: String,
    /// `practice_admin` or `clinician`.
    pub role: String,
    /// An authenticator app is set up.
    pub totp_enabled: bool,
    /// They cannot sign in.
    pub disabled: bool,
    /// Locked out for now after wrong passwords or codes.
    pub locked: bool,
    /// When the account was made.
    pub created_at: i64,
}

/// The practice's users by e-mail address (for the API and the page).
pub async fn users_of(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
    page: &Page,
) -> ApiResult<Paged<UserRow>> {
    check_practice_managed(state, caller, practice_id).await?;
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
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(UserRow {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            role: row.try_get("role")?,
            totp_enabled: row.try_get::<i64, _>("totp_enabled")? != 0,
            disabled: row.try_get::<i64, _>("disabled")? != 0,
            locked: row.try_get::<i64, _>("locked_until")? > at,
            created_at: row.try_get("created_at")?,
        });
    }
    Ok(Paged::new(items, limit, offset))
}

/// `GET /api/v1/practices/{id}/users`.
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Paged<UserRow>>> {
    users_of(&state, &caller, practice_id, &page)
        .await
        .map(Json)
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

/// A user just created, with the one-time password shown only here.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedUser {
    /// Their id.
    pub id: i64,
    /// Their email address.
    pub email: String,
    /// `practice_admin` or `clinician`.
    pub role: &'static str,
    /// To be changed at first sign-in.
    pub one_time_password: String,
}

/// What a change to a user did.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedUser {
    /// The user.
    pub id: i64,
    /// What changed, in words (`role clinician`, `disabled`, ...).
    pub changed: Vec<String>,
    /// The new one-time password, after a reset (shown only here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_time_password: Option<String>,
}

/// `POST /api/v1/practices/{id}/users`: a user of the practice with a one-time password, shown
/// once, to be changed at first sign-in.
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Json(body): Json<NewUser>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    caller.require_session()?;
    check_practice_managed(&state, &caller, practice_id).await?;
    let email = body.email.trim().to_lowercase();
    if !plausible_email(&email) {
        return Err(ApiError::bad_request("That is not an e-mail address."));
    }
    let display_name = crate::api::plain_text(
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
        Json(CreatedUser {
            id,
            email,
            role: role.as_str(),
            one_time_password: one_time,
        }),
    ))
}

/// Body of `PATCH /api/v1/users/{id}`.
#[derive(Debug, Deserialize)]
pub struct UserChange {
    /// A new role.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    pub role: Option<String>,
    /// Disable (true) or enable (false) the account.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    pub disabled: Option<bool>,
    /// Removes the authenticator app (the user sets up a new one at next sign-in).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    pub reset_totp: Option<bool>,
    /// Lifts a lockout.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    pub unlock: Option<bool>,
    /// Replaces the password with a new one-time password (shown once in the answer), to be
    /// changed at next sign-in; the user's sessions and API tokens end.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    pub reset_password: Option<bool>,
}

/// `PATCH /api/v1/users/{id}`.
pub async fn change_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<i64>,
    Json(body): Json<UserChange>,
) -> ApiResult<Json<ChangedUser>> {
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
    Ok(Json(ChangedUser {
        id: user_id,
        changed: done,
        one_time_password: one_time.map(|(password, _)| password),
    }))
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
