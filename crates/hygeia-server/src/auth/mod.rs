//! Who is calling: a browser session (cookie, CSRF token on every change) or an API token, and
//! what that caller may see and do. Every data query takes its scope from here.

pub mod password;
pub mod totp;

use crate::error::{ApiError, ApiResult};
use crate::secrets::{constant_time_eq, sha256_hex};
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use sqlx::Row;
use std::net::SocketAddr;

/// The session cookie's name. The `__Host-` prefix makes browsers insist on `Secure`, path `/`
/// and no `Domain`, so no other site or subdomain can set or read it.
pub const SESSION_COOKIE: &str = "__Host-hygeia_session";
/// The header that carries the CSRF token on requests that change something.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// API tokens start with this.
pub const TOKEN_PREFIX: &str = "hyt_";

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Reads every practice of its organization.
    InsurerAnalyst,
    /// Manages its practice.
    PracticeAdmin,
    /// Sees only its own computers.
    Clinician,
}

impl Role {
    /// From the database word.
    pub fn parse(word: &str) -> Option<Role> {
        match word {
            "insurer_analyst" => Some(Role::InsurerAnalyst),
            "practice_admin" => Some(Role::PracticeAdmin),
            "clinician" => Some(Role::Clinician),
            _ => None,
        }
    }

    /// The database word.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::InsurerAnalyst => "insurer_analyst",
            Role::PracticeAdmin => "practice_admin",
            Role::Clinician => "clinician",
        }
    }

    /// Roles that see more than their own computer must use a second factor.
    pub fn needs_mfa(self) -> bool {
        matches!(self, Role::InsurerAnalyst | Role::PracticeAdmin)
    }
}

/// How the caller proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session.
    Session {
        /// Hash of the session id.
        id_hash: String,
        /// The second factor was given in this session.
        mfa_passed: bool,
        /// The session's CSRF token.
        csrf_token: String,
    },
    /// An API token (made only by a caller who passed MFA).
    Token {
        /// May change something (`write` scope); read-only otherwise.
        write: bool,
    },
}

/// How long an API token lives at most, in days; tokens made before every token had an expiry
/// end this long after they were made.
pub const TOKEN_MAX_DAYS: i64 = 365;

/// A signed-in user, whatever the state of their password and second factor.
#[derive(Debug, Clone)]
pub struct Signed {
    /// User id.
    pub user_id: i64,
    /// E-mail address.
    pub email: String,
    /// Name to show.
    pub display_name: String,
    /// Organization.
    pub organization_id: i64,
    /// Practice (none for insurer analysts).
    pub practice_id: Option<i64>,
    /// Role.
    pub role: Role,
    /// Must choose a new password before anything else.
    pub must_change_password: bool,
    /// Has an authenticator app enrolled.
    pub totp_enabled: bool,
    /// Session or token.
    pub via: Via,
    /// Client address.
    pub ip: String,
}

impl Signed {
    /// Whether everything the role requires is done: password changed, second factor given.
    pub fn fully_signed_in(&self) -> bool {
        let mfa_ok = match &self.via {
            Via::Token { .. } => true,
            Via::Session { mfa_passed, .. } => *mfa_passed,
        };
        !self.must_change_password && (!self.role.needs_mfa() || (self.totp_enabled && mfa_ok))
    }

    /// Refuses API tokens: credentials, second factors, roles and tokens change only from a
    /// browser session that passed every sign-in step, so a leaked token cannot take over or
    /// lock out its user, nor make administrators or more tokens.
    pub fn require_session(&self) -> ApiResult<()> {
        match self.via {
            Via::Session { .. } => Ok(()),
            Via::Token { .. } => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "session_required",
                "Passwords, second factors, users, roles and API tokens change only from a signed-in dashboard session, not with an API token.",
            )),
        }
    }
}

/// A caller who may use the API: signed in, password changed, second factor given where the
/// role needs it.
#[derive(Debug, Clone)]
pub struct Caller(pub Signed);

impl std::ops::Deref for Caller {
    type Target = Signed;
    fn deref(&self) -> &Signed {
        &self.0
    }
}

/// The client's address as the connection shows it.
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The value of a cookie in the request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.organization_id, u.practice_id, u.role, \
    u.must_change_password, u.totp_enabled, u.disabled";

fn signed_from_row(row: &sqlx::any::AnyRow, via: Via, ip: String) -> ApiResult<Option<Signed>> {
    let disabled: i64 = row.try_get("disabled")?;
    let role: String = row.try_get("role")?;
    let (Some(role), 0) = (Role::parse(&role), disabled) else {
        return Ok(None);
    };
    Ok(Some(Signed {
        user_id: row.try_get("id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        organization_id: row.try_get("organization_id")?,
        practice_id: row.try_get("practice_id")?,
        role,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        totp_enabled: row.try_get::<i64, _>("totp_enabled")? != 0,
        via,
        ip,
    }))
}

/// A session's last-seen time is written at most this often, not on every request.
const TOUCH_EVERY_SECONDS: i64 = 60;

async fn from_session(state: &AppState, session_id: &str, ip: String) -> ApiResult<Option<Signed>> {
    let now = crate::db::now();
    let id_hash = sha256_hex(session_id.as_bytes());
    let sql = format!(
        "SELECT s.csrf_token, s.mfa_passed, s.last_seen_at, {USER_COLUMNS} FROM sessions s \
         JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3"
    );
    let Some(row) = sqlx::query(&sql)
        .bind(&id_hash)
        .bind(now)
        .bind(now - state.settings.session_idle_seconds)
        .fetch_optional(&state.db.read)
        .await?
    else {
        return Ok(None);
    };
    let last_seen: i64 = row.try_get("last_seen_at")?;
    let via = Via::Session {
        id_hash: id_hash.clone(),
        mfa_passed: row.try_get::<i64, _>("mfa_passed")? != 0,
        csrf_token: row.try_get("csrf_token")?,
    };
    let signed = signed_from_row(&row, via, ip)?;
    if signed.is_some() && now - last_seen >= TOUCH_EVERY_SECONDS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(&id_hash)
            .execute(&state.db.write)
            .await?;
    }
    Ok(signed)
}

async fn from_token(state: &AppState, token: &str, ip: String) -> ApiResult<Option<Signed>> {
    let now = crate::db::now();
    let sql = format!(
        "SELECT t.id AS token_id, t.last_used_at, t.scope, {USER_COLUMNS} FROM api_tokens t \
         JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL \
         AND COALESCE(t.expires_at, t.created_at + $3) > $2"
    );
    let Some(row) = sqlx::query(&sql)
        .bind(sha256_hex(token.as_bytes()))
        .bind(now)
        .bind(TOKEN_MAX_DAYS * 86_400)
        .fetch_optional(&state.db.read)
        .await?
    else {
        return Ok(None);
    };
    let write = row.try_get::<String, _>("scope")? == "write";
    let signed = signed_from_row(&row, Via::Token { write }, ip)?;
    let last_used: Option<i64> = row.try_get("last_used_at")?;
    if signed.is_some() && last_used.is_none_or(|t| now - t >= TOUCH_EVERY_SECONDS) {
        let token_id: i64 = row.try_get("token_id")?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(token_id)
            .execute(&state.db.write)
            .await?;
    }
    Ok(signed)
}

fn changes_something(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The user behind a request's API token or session cookie, without the CSRF check (the
/// dashboard's forms carry their token in the form body; see `pages::CsrfForm`).
pub async fn signed_without_csrf_check(parts: &Parts, state: &AppState) -> ApiResult<Signed> {
    let ip = client_ip(parts);
    if let Some(token) = bearer(parts) {
        if !token.starts_with(TOKEN_PREFIX) {
            return Err(ApiError::unauthenticated());
        }
        return from_token(state, token, ip)
            .await?
            .ok_or_else(ApiError::unauthenticated);
    }
    let Some(session_id) = cookie(parts, SESSION_COOKIE) else {
        return Err(ApiError::unauthenticated());
    };
    from_session(state, session_id, ip)
        .await?
        .ok_or_else(ApiError::unauthenticated)
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Signed> {
        let signed = signed_without_csrf_check(parts, state).await?;
        if changes_something(&parts.method)
            && let Via::Session { csrf_token, .. } = &signed.via
        {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), csrf_token.as_bytes()) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "This request lacks the page's security token (X-CSRF-Token); reload the page and try again.",
                ));
            }
        }
        Ok(signed)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Caller> {
        let signed = Signed::from_request_parts(parts, state).await?;
        if signed.via == (Via::Token { write: false }) && changes_something(&parts.method) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "read_only_token",
                "This API token may only read; to change things, make one with \"scope\": \"write\" (POST /api/v1/tokens from a signed-in session).",
            ));
        }
        if signed.must_change_password {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "Choose a new password first (POST /api/v1/session/password).",
            ));
        }
        if !signed.fully_signed_in() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "mfa_required",
                if signed.totp_enabled {
                    "Enter the code from your authenticator app first (POST /api/v1/session/totp)."
                } else {
                    "Your role needs a second factor: set up an authenticator app first (POST /api/v1/session/totp/setup)."
                },
            ));
        }
        Ok(Caller(signed))
    }
}

/// The practices a caller may read, as an SQL condition on a column holding a practice id,
/// with its bound values. Insurer analysts: every practice of their organization; everyone
/// else: their own practice.
pub fn practice_scope(
    caller: &Signed,
    column: &str,
    first_placeholder: usize,
) -> (String, Vec<i64>) {
    match (caller.role, caller.practice_id) {
        (Role::InsurerAnalyst, _) => (
            format!(
                "{column} IN (SELECT id FROM practices WHERE organization_id = ${first_placeholder})"
            ),
            vec![caller.organization_id],
        ),
        (_, Some(practice)) => (format!("{column} = ${first_placeholder}"), vec![practice]),
        // A practice role without a practice sees nothing.
        (_, None) => ("1 = 0".into(), vec![]),
    }
}

/// Whether the caller may read this practice (404 otherwise, so other organizations' practices
/// stay invisible).
pub async fn check_practice_visible(
    state: &AppState,
    caller: &Signed,
    practice_id: i64,
) -> ApiResult<()> {
    let organization: Option<i64> =
        sqlx::query_scalar("SELECT organization_id FROM practices WHERE id = $1")
            .bind(practice_id)
            .fetch_optional(&state.db.read)
            .await?;
    let visible = match (organization, caller.role) {
        (None, _) => false,
        (Some(org), Role::InsurerAnalyst) => org == caller.organization_id,
        (Some(_), _) => caller.practice_id == Some(practice_id),
    };
    if visible {
        Ok(())
    } else {
        Err(ApiError::not_found("practice"))
    }
}

/// Whether the caller may manage this practice (its administrator).
pub async fn check_practice_managed(
    state: &AppState,
    caller: &Signed,
    practice_id: i64,
) -> ApiResult<()> {
    check_practice_visible(state, caller, practice_id).await?;
    if caller.role == Role::PracticeAdmin && caller.practice_id == Some(practice_id) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Only the practice's administrators can do this.",
        ))
    }
}

/// The practice of a host the caller may read; clinicians only see computers assigned to them.
pub async fn visible_host_practice(
    state: &AppState,
    caller: &Signed,
    host_id: i64,
) -> ApiResult<i64> {
    let row = sqlx::query("SELECT practice_id, owner_user_id FROM hosts WHERE id = $1")
        .bind(host_id)
        .fetch_optional(&state.db.read)
        .await?
        .ok_or_else(|| ApiError::not_found("computer"))?;
    let practice_id: i64 = row.try_get("practice_id")?;
    let owner: Option<i64> = row.try_get("owner_user_id")?;
    check_practice_visible(state, caller, practice_id)
        .await
        .map_err(|_| ApiError::not_found("computer"))?;
    if caller.role == Role::Clinician && owner != Some(caller.user_id) {
        return Err(ApiError::not_found("computer"));
    }
    Ok(practice_id)
}
