//! Signing in and out: password (argon2id), lockout after 5 failures for 15 minutes, TOTP
//! second factor, first-login password change, authenticator enrolment.

use crate::audit::{self, Entry};
use crate::auth::{Role, SESSION_COOKIE, Signed, Via, password, totp};
use crate::db::now;
use crate::error::{ApiError, ApiResult};
use crate::secrets::{new_secret, sha256_hex};
use crate::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::Row;
use std::net::SocketAddr;

/// Failed sign-ins (wrong passwords, or wrong codes) before the account locks.
const MAX_FAILURES: i64 = 5;
/// Wrong codes one session may send before it ends.
const MAX_CODE_FAILURES_PER_SESSION: i64 = 5;
/// How long it stays locked.
const LOCK_SECONDS: i64 = 15 * 60;

/// A failed step, counted toward the account's lockout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// A wrong password at sign-in, or a wrong current password.
    Password,
    /// A wrong authenticator code. Counted apart: a correct password does not clear it.
    Code,
}

/// Body of `POST /api/v1/session/login`.
#[derive(Debug, Deserialize)]
pub struct Login {
    email: String,
    password: String,
}

fn session_cookie(value: &str, max_age: i64) -> HeaderValue {
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={max_age}"
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Starts a session for a user; returns the Set-Cookie value and the CSRF token.
async fn start_session(
    state: &AppState,
    user_id: i64,
    mfa_passed: bool,
    ip: &str,
) -> ApiResult<(HeaderValue, String)> {
    let session_id = new_secret("hys_");
    let csrf = new_secret("");
    let at = now();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, mfa_passed, created_at, last_seen_at, expires_at, ip) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
    )
    .bind(sha256_hex(session_id.as_bytes()))
    .bind(user_id)
    .bind(&csrf)
    .bind(i64::from(mfa_passed))
    .bind(at)
    .bind(at + state.settings.session_max_seconds)
    .bind(ip)
    .execute(&state.db.write)
    .await?;
    Ok((
        session_cookie(&session_id, state.settings.session_max_seconds),
        csrf,
    ))
}

/// Ends the session and starts a new one with the second factor given: a new session id once
/// the factor is given, so an id seen before (session fixation) is worth nothing.
async fn rotate_after_mfa(
    state: &AppState,
    signed: &Signed,
    id_hash: &str,
) -> ApiResult<(HeaderValue, String)> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&state.db.write)
        .await?;
    start_session(state, signed.user_id, true, &signed.ip).await
}

fn signed_in_answer((cookie, csrf): (HeaderValue, String)) -> Response {
    (
        [(header::SET_COOKIE, cookie)],
        Json(json!({"csrf_token": csrf, "next": "done"})),
    )
        .into_response()
}

/// What a signed-in user still has to do, for the answer of login and `GET /session`.
pub fn next_step(
    must_change: bool,
    role: Role,
    totp_enabled: bool,
    mfa_passed: bool,
) -> &'static str {
    if must_change {
        "change_password"
    } else if role.needs_mfa() && !totp_enabled {
        "setup_totp"
    } else if role.needs_mfa() && !mfa_passed {
        "enter_totp"
    } else {
        "done"
    }
}

/// `POST /api/v1/session/login`.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Json(body): Json<Login>,
) -> ApiResult<Response> {
    let signed_in = sign_in(&state, client.ip(), &body.email, &body.password).await?;
    let body = json!({"csrf_token": signed_in.csrf, "next": signed_in.next});
    Ok(([(header::SET_COOKIE, signed_in.cookie)], Json(body)).into_response())
}

/// A new session after the password was accepted.
pub struct SignedIn {
    /// The `Set-Cookie` value.
    pub cookie: HeaderValue,
    /// The session's CSRF token.
    pub csrf: String,
    /// What the user must do next (`change_password`, `setup_totp`, `enter_totp`, `done`).
    pub next: &'static str,
}

/// Checks an e-mail address and password (rate limit, lockout, audit) and starts a session.
pub async fn sign_in(
    state: &AppState,
    client: std::net::IpAddr,
    email: &str,
    given_password: &str,
) -> ApiResult<SignedIn> {
    state
        .login_limiter
        .check(client)
        .map_err(ApiError::too_many)?;
    let ip = client.to_string();
    let email = email.trim().to_lowercase();
    state
        .account_limiter
        .check_key(email.clone())
        .map_err(ApiError::too_many)?;
    // One answer for an unknown address, a wrong password, a locked or a disabled account, so
    // that the answer does not tell which addresses have accounts.
    let wrong = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong_credentials",
            format!(
                "The e-mail address or the password is wrong. After {MAX_FAILURES} failed attempts an account is locked for {} minutes; ask your administrator if it stays locked.",
                LOCK_SECONDS / 60
            ),
        )
    };
    let row = sqlx::query(
        "SELECT id, organization_id, practice_id, role, password_hash, must_change_password, \
         totp_enabled, failed_logins, locked_until, disabled FROM users WHERE email = $1",
    )
    .bind(&email)
    .fetch_optional(&state.db.read)
    .await?;
    let Some(row) = row else {
        // As slow as a real check, so the answer does not tell which addresses exist.
        password::verify_off_thread(&state.hashing, given_password, password::dummy_hash()).await;
        return Err(wrong());
    };
    let user_id: i64 = row.try_get("id")?;
    let organization_id: i64 = row.try_get("organization_id")?;
    let practice_id: Option<i64> = row.try_get("practice_id")?;
    let at = now();
    let locked_until: i64 = row.try_get("locked_until")?;
    let stored: String = row.try_get("password_hash")?;
    let disabled: i64 = row.try_get("disabled")?;
    // The hash is checked even for a locked account: the same time for every failure.
    let right = password::verify_off_thread(&state.hashing, given_password, &stored).await;
    // The audit entry of this sign-in attempt.
    let target = format!("user {user_id}");
    let record = |action: &'static str, detail: &'static str| {
        audit::record(
            &state.db.write,
            Entry {
                organization_id: Some(organization_id),
                practice_id,
                user_id: Some(user_id),
                actor: &email,
                action,
                target: &target,
                ip: &ip,
                detail,
            },
        )
    };
    if locked_until > at {
        record("session.login_refused", "account locked").await?;
        return Err(wrong());
    }
    if !right || disabled != 0 {
        record_failure(
            state,
            user_id,
            organization_id,
            practice_id,
            &email,
            &ip,
            Failure::Password,
        )
        .await?;
        return Err(wrong());
    }
    sqlx::query("UPDATE users SET failed_logins = 0 WHERE id = $1")
        .bind(user_id)
        .execute(&state.db.write)
        .await?;
    let role = Role::parse(&row.try_get::<String, _>("role")?).ok_or_else(wrong)?;
    let must_change = row.try_get::<i64, _>("must_change_password")? != 0;
    let totp_enabled = row.try_get::<i64, _>("totp_enabled")? != 0;
    let (cookie, csrf) = start_session(state, user_id, false, &ip).await?;
    record("session.login", "password accepted").await?;
    Ok(SignedIn {
        cookie,
        csrf,
        next: next_step(must_change, role, totp_enabled, false),
    })
}

/// Counts a failed sign-in step and locks the account at the limit. Locking ends the user's
/// sessions that still wait for their second factor, so a session opened with a known password
/// cannot go on guessing codes.
async fn record_failure(
    state: &AppState,
    user_id: i64,
    organization_id: i64,
    practice_id: Option<i64>,
    email: &str,
    ip: &str,
    failure: Failure,
) -> ApiResult<()> {
    let at = now();
    let (column, what) = match failure {
        Failure::Password => ("failed_logins", "password"),
        Failure::Code => ("failed_codes", "authenticator code"),
    };
    let failures: i64 = sqlx::query_scalar(&format!(
        "UPDATE users SET {column} = {column} + 1 WHERE id = $1 RETURNING {column}"
    ))
    .bind(user_id)
    .fetch_one(&state.db.write)
    .await?;
    let locked = failures >= MAX_FAILURES;
    if locked {
        let mut tx = state.db.write.begin().await?;
        sqlx::query(
            "UPDATE users SET failed_logins = 0, failed_codes = 0, locked_until = $1 WHERE id = $2",
        )
        .bind(at + LOCK_SECONDS)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND mfa_passed = 0")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    audit::record(
        &state.db.write,
        Entry {
            organization_id: Some(organization_id),
            practice_id,
            user_id: Some(user_id),
            actor: email,
            action: if locked {
                "user.locked"
            } else {
                "session.login_failed"
            },
            target: &format!("user {user_id}"),
            ip,
            detail: &format!("wrong {what} ({failures} in a row)"),
        },
    )
    .await?;
    Ok(())
}

/// Counts a failed step of a user who is already signed in (a wrong code or current password).
async fn record_signed_failure(
    state: &AppState,
    signed: &Signed,
    failure: Failure,
) -> ApiResult<()> {
    record_failure(
        state,
        signed.user_id,
        signed.organization_id,
        signed.practice_id,
        &signed.email,
        &signed.ip,
        failure,
    )
    .await
}

/// Counts a wrong code against the session that sent it, and ends the session at the limit.
async fn record_session_code_failure(state: &AppState, id_hash: &str) -> ApiResult<()> {
    let failures: Option<i64> = sqlx::query_scalar(
        "UPDATE sessions SET failed_codes = failed_codes + 1 WHERE id_hash = $1 RETURNING failed_codes",
    )
    .bind(id_hash)
    .fetch_optional(&state.db.write)
    .await?;
    if failures.is_some_and(|n| n >= MAX_CODE_FAILURES_PER_SESSION) {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&state.db.write)
            .await?;
    }
    Ok(())
}

/// An authenticator secret as stored, opened with the server's key. A secret the key cannot
/// open (the key file was replaced) is logged and treated as missing.
pub fn open_secret(state: &AppState, stored: &str) -> Option<String> {
    let opened = state.settings.sealing_key.open(stored);
    if opened.is_none() {
        eprintln!(
            "hygeia serve: an authenticator secret does not open with this server's key file; was the key file replaced?"
        );
    }
    opened
}

fn wrong_code() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "wrong_code",
        "That code is wrong or was already used; enter the current code from your authenticator app.",
    )
}

/// Body with a TOTP code.
#[derive(Debug, Deserialize)]
pub struct Code {
    code: String,
}

/// `POST /api/v1/session/totp`: the second factor for this session.
pub async fn totp_verify(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<Code>,
) -> ApiResult<Response> {
    Ok(signed_in_answer(
        verify_code(&state, &signed, &body.code).await?,
    ))
}

/// Checks the second factor of a session and replaces the session with one that passed it
/// (new cookie, new CSRF token).
pub async fn verify_code(
    state: &AppState,
    signed: &Signed,
    code: &str,
) -> ApiResult<(HeaderValue, String)> {
    let Via::Session { id_hash, .. } = &signed.via else {
        return Err(ApiError::bad_request("API tokens need no second factor."));
    };
    state
        .login_limiter
        .check(
            signed
                .ip
                .parse()
                .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0])),
        )
        .map_err(ApiError::too_many)?;
    let row = sqlx::query(
        "SELECT totp_secret, totp_last_step, totp_enabled, locked_until FROM users WHERE id = $1",
    )
    .bind(signed.user_id)
    .fetch_one(&state.db.read)
    .await?;
    let at = now();
    let locked_until: i64 = row.try_get("locked_until")?;
    if locked_until > at {
        // Locking already ended such sessions; this one slipped in between. End it too.
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&state.db.write)
            .await?;
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "locked",
            format!(
                "This account is locked after {MAX_FAILURES} failed attempts; sign in again in {} minutes or ask your administrator.",
                (locked_until - at + 59) / 60
            ),
        ));
    }
    let secret: Option<String> = row.try_get("totp_secret")?;
    let secret = secret.and_then(|s| open_secret(state, &s));
    let enabled: i64 = row.try_get("totp_enabled")?;
    let (Some(secret), 1) = (secret, enabled) else {
        return Err(ApiError::bad_request(
            "No authenticator app is set up for this account yet (POST /api/v1/session/totp/setup).",
        ));
    };
    let last: i64 = row.try_get("totp_last_step")?;
    let Some(step) = totp::verify(&secret, code, at, last) else {
        record_session_code_failure(state, id_hash).await?;
        record_signed_failure(state, signed, Failure::Code).await?;
        return Err(wrong_code());
    };
    // One conditional update: of two requests with the same code only one moves the step on,
    // and a lock that landed meanwhile still holds.
    let accepted = sqlx::query(
        "UPDATE users SET totp_last_step = $1, failed_codes = 0 \
         WHERE id = $2 AND totp_last_step < $1 AND locked_until <= $3",
    )
    .bind(step)
    .bind(signed.user_id)
    .bind(at)
    .execute(&state.db.write)
    .await?
    .rows_affected();
    if accepted != 1 {
        return Err(wrong_code());
    }
    rotate_after_mfa(state, signed, id_hash).await
}

/// `POST /api/v1/session/totp/setup`: a new authenticator secret (not active until confirmed).
pub async fn totp_setup(State(state): State<AppState>, signed: Signed) -> ApiResult<Json<Value>> {
    let (secret, otpauth_url) = begin_authenticator(&state, &signed).await?;
    Ok(Json(json!({"secret": secret, "otpauth_url": otpauth_url})))
}

/// Draws a new authenticator secret for a user who has none enabled: the secret and its
/// `otpauth://` address (for the QR code).
pub async fn begin_authenticator(state: &AppState, signed: &Signed) -> ApiResult<(String, String)> {
    if signed.must_change_password {
        return Err(ApiError::forbidden("Choose a new password first."));
    }
    if signed.totp_enabled {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "totp_already_set_up",
            "An authenticator app is already set up; ask an administrator to reset it if you lost it.",
        ));
    }
    let secret = totp::new_secret();
    sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
        .bind(state.settings.sealing_key.seal(&secret))
        .bind(signed.user_id)
        .execute(&state.db.write)
        .await?;
    let url = totp::otpauth_url(&secret, &signed.email);
    Ok((secret, url))
}

/// `POST /api/v1/session/totp/confirm`: the first code from the app turns the factor on.
pub async fn totp_confirm(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<Code>,
) -> ApiResult<Response> {
    Ok(signed_in_answer(
        confirm_authenticator(&state, &signed, &body.code).await?,
    ))
}

/// Enables the authenticator drawn by [`begin_authenticator`] once a code from it matches, and
/// replaces the session with one that passed the second factor.
pub async fn confirm_authenticator(
    state: &AppState,
    signed: &Signed,
    code: &str,
) -> ApiResult<(HeaderValue, String)> {
    let Via::Session { id_hash, .. } = &signed.via else {
        return Err(ApiError::bad_request(
            "Set up the authenticator app from a browser session.",
        ));
    };
    let secret: Option<String> =
        sqlx::query_scalar("SELECT totp_secret FROM users WHERE id = $1 AND totp_enabled = 0")
            .bind(signed.user_id)
            .fetch_optional(&state.db.read)
            .await?
            .flatten();
    let Some(secret) = secret.and_then(|s| open_secret(state, &s)) else {
        return Err(ApiError::bad_request(
            "Start with POST /api/v1/session/totp/setup.",
        ));
    };
    let Some(step) = totp::verify(&secret, code, now(), 0) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong_code",
            "That code does not match; check the phone's clock and enter the current code.",
        ));
    };
    sqlx::query("UPDATE users SET totp_enabled = 1, totp_last_step = $1 WHERE id = $2")
        .bind(step)
        .bind(signed.user_id)
        .execute(&state.db.write)
        .await?;
    audit::record(
        &state.db.write,
        Entry {
            organization_id: Some(signed.organization_id),
            practice_id: signed.practice_id,
            user_id: Some(signed.user_id),
            actor: &signed.email,
            action: "user.totp_enabled",
            target: &format!("user {}", signed.user_id),
            ip: &signed.ip,
            detail: "",
        },
    )
    .await?;
    rotate_after_mfa(state, signed, id_hash).await
}

/// Body of a password change.
#[derive(Debug, Deserialize)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// `POST /api/v1/session/password`.
pub async fn change_password(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<PasswordChange>,
) -> ApiResult<Json<Value>> {
    let next = set_password(&state, &signed, &body.current_password, &body.new_password).await?;
    Ok(Json(json!({"next": next})))
}

/// Replaces a user's password (the current one must be right, the new one strong) and ends
/// their other sessions. Answers the next sign-in step.
pub async fn set_password(
    state: &AppState,
    signed: &Signed,
    current_password: &str,
    new_password: &str,
) -> ApiResult<&'static str> {
    signed.require_session()?;
    // With the password alone, changing it would lock the real user out: the change needs every
    // sign-in step done, except the forced change of a one-time password, which comes first.
    if !signed.must_change_password && !signed.fully_signed_in() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "mfa_required",
            "Enter the code from your authenticator app before changing your password.",
        ));
    }
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(signed.user_id)
        .fetch_one(&state.db.read)
        .await?;
    if !password::verify_off_thread(&state.hashing, current_password, &stored).await {
        record_signed_failure(state, signed, Failure::Password).await?;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong_credentials",
            "The current password is wrong.",
        ));
    }
    if new_password == current_password {
        return Err(ApiError::bad_request(
            "Choose a password different from the current one.",
        ));
    }
    if let Some(why) = password::weakness(new_password, &signed.email) {
        return Err(ApiError::bad_request(why));
    }
    let mut tx = state.db.write.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0 WHERE id = $2")
        .bind(password::hash_off_thread(&state.hashing, new_password).await)
        .bind(signed.user_id)
        .execute(&mut *tx)
        .await?;
    // Other sessions of this user end: whoever knew the old password is out.
    let keep = match &signed.via {
        Via::Session { id_hash, .. } => id_hash.clone(),
        Via::Token { .. } => String::new(),
    };
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(signed.user_id)
        .bind(&keep)
        .execute(&mut *tx)
        .await?;
    // And so are the API tokens made under the old password.
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(signed.user_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        Entry {
            organization_id: Some(signed.organization_id),
            practice_id: signed.practice_id,
            user_id: Some(signed.user_id),
            actor: &signed.email,
            action: "user.password_changed",
            target: &format!("user {}", signed.user_id),
            ip: &signed.ip,
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    let mfa_passed = matches!(
        signed.via,
        Via::Session {
            mfa_passed: true,
            ..
        }
    );
    Ok(next_step(
        false,
        signed.role,
        signed.totp_enabled,
        mfa_passed,
    ))
}

/// The next sign-in step of a signed-in user (`done` when there is none).
pub fn next_step_of(signed: &Signed) -> &'static str {
    let mfa_passed = match &signed.via {
        Via::Session { mfa_passed, .. } => *mfa_passed,
        Via::Token { .. } => true,
    };
    next_step(
        signed.must_change_password,
        signed.role,
        signed.totp_enabled,
        mfa_passed,
    )
}

/// `GET /api/v1/session`: who is signed in and what is still to do.
pub async fn whoami(signed: Signed) -> Json<Value> {
    let (mfa_passed, csrf) = match &signed.via {
        Via::Session {
            mfa_passed,
            csrf_token,
            ..
        } => (*mfa_passed, Some(csrf_token.clone())),
        Via::Token { .. } => (true, None),
    };
    Json(json!({
        "user_id": signed.user_id,
        "email": signed.email,
        "display_name": signed.display_name,
        "role": signed.role.as_str(),
        "organization_id": signed.organization_id,
        "practice_id": signed.practice_id,
        "csrf_token": csrf,
        "next": next_step(signed.must_change_password, signed.role, signed.totp_enabled, mfa_passed),
    }))
}

/// `POST /api/v1/session/logout`.
pub async fn logout(State(state): State<AppState>, signed: Signed) -> ApiResult<Response> {
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, end_session(&state, &signed).await?);
    Ok((headers, Json(json!({"signed_out": true}))).into_response())
}

/// Deletes the caller's session; answers the `Set-Cookie` value that clears the cookie.
pub async fn end_session(state: &AppState, signed: &Signed) -> ApiResult<HeaderValue> {
    if let Via::Session { id_hash, .. } = &signed.via {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&state.db.write)
            .await?;
    }
    Ok(session_cookie("", 0))
}
