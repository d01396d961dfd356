//! Every route of the server in one table: method, path, who may call it, handler. The router is
//! built from this table, and the tests walk the same table (every route refuses anonymous
//! callers and callers from other practices; every route is in the OpenAPI document).

use crate::api::{admin, agent, devices, read, session};
use crate::pages;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, delete, get, patch, post};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, OpenAPI, sign-in, enrolment with a secret).
    Public,
    /// An agent with its node key.
    Agent,
    /// Any signed-in user, before the password change and second factor are done.
    Signed,
    /// A fully signed-in user; the handler scopes by organization, practice and role.
    User,
    /// A dashboard page anyone may open (the sign-in form, the style sheet).
    PublicPage,
    /// A dashboard page for signed-in users; anyone else is sent to the sign-in page. Scoped
    /// like `User` (the pages call the same handlers).
    Page,
}

impl Access {
    /// Whether the route is a dashboard page rather than part of the JSON API.
    pub fn is_page(self) -> bool {
        matches!(self, Access::PublicPage | Access::Page)
    }
}

/// One route.
pub struct Route {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// axum path (`/api/v1/hosts/{id}`).
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// The handler.
    pub handler: MethodRouter<AppState>,
}

fn route(
    method: &'static str,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        method,
        path,
        access,
        handler,
    }
}

/// The OpenAPI 3.1 document of this API.
pub const OPENAPI: &str = include_str!("../openapi.json");

async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
}

async fn health() -> &'static str {
    "ok\n"
}

/// All routes.
pub fn table(max_report_bytes: usize) -> Vec<Route> {
    use Access::*;
    vec![
        route("GET", "/healthz", Public, get(health)),
        route("GET", "/api/openapi.json", Public, get(openapi)),
        route("POST", "/api/agent/v1/enroll", Public, post(agent::enroll)),
        route(
            "POST",
            "/api/agent/v1/report",
            Agent,
            post(agent::report).layer(DefaultBodyLimit::max(max_report_bytes)),
        ),
        route(
            "POST",
            "/api/v1/session/login",
            Public,
            post(session::login),
        ),
        route("GET", "/api/v1/session", Signed, get(session::whoami)),
        route(
            "POST",
            "/api/v1/session/logout",
            Signed,
            post(session::logout),
        ),
        route(
            "POST",
            "/api/v1/session/password",
            Signed,
            post(session::change_password),
        ),
        route(
            "POST",
            "/api/v1/session/totp",
            Signed,
            post(session::totp_verify),
        ),
        route(
            "POST",
            "/api/v1/session/totp/setup",
            Signed,
            post(session::totp_setup),
        ),
        route(
            "POST",
            "/api/v1/session/totp/confirm",
            Signed,
            post(session::totp_confirm),
        ),
        route("GET", "/api/v1/practices", User, get(read::practices)),
        route(
            "GET",
            "/api/v1/practices/{id}",
            User,
            get(read::practice_overview),
        ),
        route(
            "GET",
            "/api/v1/practices/{id}/controls",
            User,
            get(read::practice_controls),
        ),
        route(
            "GET",
            "/api/v1/practices/{id}/trend",
            User,
            get(read::practice_trend),
        ),
        route(
            "GET",
            "/api/v1/practices/{id}/hosts",
            User,
            get(read::practice_hosts),
        ),
        route(
            "GET",
            "/api/v1/practices/{id}/enroll-secrets",
            User,
            get(admin::list_enroll_secrets),
        ),
        route(
            "POST",
            "/api/v1/practices/{id}/enroll-secrets",
            User,
            post(admin::create_enroll_secret),
        ),
        route(
            "DELETE",
            "/api/v1/enroll-secrets/{id}",
            User,
            delete(admin::revoke_enroll_secret),
        ),
        route(
            "GET",
            "/api/v1/practices/{id}/users",
            User,
            get(admin::list_users),
        ),
        route(
            "POST",
            "/api/v1/practices/{id}/users",
            User,
            post(admin::create_user),
        ),
        route(
            "PATCH",
            "/api/v1/users/{id}",
            User,
            patch(admin::change_user),
        ),
        route(
            "GET",
            "/api/v1/practices/{id}/devices",
            User,
            get(devices::list),
        ),
        route(
            "POST",
            "/api/v1/practices/{id}/devices",
            User,
            post(devices::upload).layer(DefaultBodyLimit::max(devices::UPLOAD_BODY_BYTES)),
        ),
        route(
            "GET",
            "/api/v1/advisory-store",
            User,
            get(devices::advisory_store),
        ),
        route("GET", "/api/v1/hosts/{id}", User, get(read::host)),
        route(
            "PATCH",
            "/api/v1/hosts/{id}",
            User,
            patch(admin::assign_host),
        ),
        route(
            "DELETE",
            "/api/v1/hosts/{id}",
            User,
            delete(admin::revoke_host),
        ),
        route(
            "GET",
            "/api/v1/hosts/{id}/report",
            User,
            get(read::host_report),
        ),
        route(
            "GET",
            "/api/v1/hosts/{id}/history",
            User,
            get(read::host_history),
        ),
        route(
            "GET",
            "/api/v1/hosts/{id}/changes",
            User,
            get(read::host_changes),
        ),
        route("GET", "/api/v1/tokens", User, get(admin::list_tokens)),
        route("POST", "/api/v1/tokens", User, post(admin::create_token)),
        route(
            "DELETE",
            "/api/v1/tokens/{id}",
            User,
            delete(admin::revoke_token),
        ),
        route("GET", "/api/v1/audit-log", User, get(admin::audit_log)),
        route("GET", "/api/v1/risk", User, get(read::practices_by_risk)),
        // The dashboard's pages.
        route("GET", "/", Page, get(pages::home)),
        route("GET", "/login", PublicPage, get(pages::sign_in::login_form)),
        route("POST", "/login", PublicPage, post(pages::sign_in::login)),
        route("GET", "/login/code", Page, get(pages::sign_in::code_form)),
        route("POST", "/login/code", Page, post(pages::sign_in::code)),
        route(
            "GET",
            "/account/password",
            Page,
            get(pages::sign_in::password_form),
        ),
        route(
            "POST",
            "/account/password",
            Page,
            post(pages::sign_in::password),
        ),
        route(
            "GET",
            "/account/authenticator",
            Page,
            get(pages::sign_in::authenticator_form),
        ),
        route(
            "POST",
            "/account/authenticator",
            Page,
            post(pages::sign_in::authenticator),
        ),
        route("POST", "/logout", Page, post(pages::sign_in::logout)),
        route(
            "GET",
            "/my-computers",
            Page,
            get(pages::overview::my_computers),
        ),
        route(
            "GET",
            "/practices/{id}",
            Page,
            get(pages::overview::practice),
        ),
        route(
            "GET",
            "/practices/{id}/enrolment",
            Page,
            get(pages::admin::enrolment),
        ),
        route(
            "POST",
            "/practices/{id}/enrolment",
            Page,
            post(pages::admin::create_secret),
        ),
        route(
            "POST",
            "/practices/{id}/enrolment/{secret}/revoke",
            Page,
            post(pages::admin::revoke_secret),
        ),
        route(
            "GET",
            "/practices/{id}/users",
            Page,
            get(pages::admin::users),
        ),
        route(
            "POST",
            "/practices/{id}/users",
            Page,
            post(pages::admin::create_user),
        ),
        route(
            "POST",
            "/practices/{id}/users/{user}",
            Page,
            post(pages::admin::change_user),
        ),
        route(
            "GET",
            "/practices/{id}/attestation",
            Page,
            get(pages::report::page_html),
        ),
        route(
            "GET",
            "/practices/{id}/attestation.pdf",
            Page,
            get(pages::report::pdf),
        ),
        route(
            "GET",
            "/practices/{id}/devices",
            Page,
            get(pages::devices::devices),
        ),
        route(
            "POST",
            "/practices/{id}/devices",
            Page,
            post(pages::devices::upload).layer(DefaultBodyLimit::max(devices::UPLOAD_BODY_BYTES)),
        ),
        route("GET", "/hosts/{id}", Page, get(pages::host::host)),
        route("POST", "/hosts/{id}/owner", Page, post(pages::host::assign)),
        route(
            "POST",
            "/hosts/{id}/revoke",
            Page,
            post(pages::host::revoke),
        ),
        route("GET", "/insurer", Page, get(pages::insurer::practices)),
        route(
            "GET",
            "/insurer.csv",
            Page,
            get(pages::insurer::practices_csv),
        ),
        route("GET", "/audit-log", Page, get(pages::admin::audit_log)),
        route(
            "GET",
            pages::assets::CSS_PATH,
            PublicPage,
            get(pages::assets::css),
        ),
        route(
            "GET",
            pages::assets::ICON_PATH,
            PublicPage,
            get(pages::assets::icon),
        ),
        route(
            "GET",
            pages::assets::JS_PATH,
            PublicPage,
            get(pages::assets::js),
        ),
    ]
}

/// The router for all routes, with security headers on every answer.
pub fn router(state: AppState) -> Router {
    let max = state.settings.max_report_bytes;
    let mut router = Router::new();
    for r in table(max) {
        router = router.route(r.path, r.handler);
    }
    router
        .fallback(not_found)
        .layer(axum::middleware::from_fn(api_errors_as_json))
        .layer(axum::middleware::from_fn_with_state(
            state.settings.request_timeout,
            request_deadline,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Every error answer of the API has the documented shape `{"error", "message"}`, including the
/// plain-text ones the framework's extractors make (a path id that is not a number, a body that
/// is not JSON, a missing `Content-Type`, an unknown method).
async fn api_errors_as_json(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (code, fallback) = match status.as_u16() {
        400 => ("bad_request", "The request is not understood."),
        404 => ("not_found", "No such page or API route."),
        405 => (
            "method_not_allowed",
            "This route does not take that method.",
        ),
        408 => (
            "timeout",
            "The request took too long to arrive; send it again.",
        ),
        413 => ("too_large", "The request body is too large."),
        415 => (
            "unsupported_media_type",
            "Send the body as JSON with Content-Type: application/json.",
        ),
        422 => (
            "invalid_body",
            "The request body does not have the expected fields.",
        ),
        _ if status.is_server_error() => ("internal", "The server failed; try again shortly."),
        _ => ("bad_request", "The request is not understood."),
    };
    // A framework message names the field or value at fault; an internal one stays inside.
    let message = if text.is_empty() || status.is_server_error() {
        fallback.to_string()
    } else {
        text
    };
    let mut answer = crate::error::ApiError::new(status, code, message).into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            answer.headers_mut().append(name.clone(), value.clone());
        }
    }
    answer
}

/// A client that trickles its body a byte at a time is cut off at the deadline instead of
/// holding a connection and a task forever.
async fn request_deadline(
    axum::extract::State(deadline): axum::extract::State<std::time::Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => crate::error::ApiError::new(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            "timeout",
            "The request took too long to arrive; send it again.",
        )
        .into_response(),
    }
}

/// Unknown paths: a page for browsers, JSON for programs.
async fn not_found(headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::response::IntoResponse;
    let wants_page = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_page {
        return pages::PageError::Shown {
            status: axum::http::StatusCode::NOT_FOUND,
            message: "There is no page at this address.".into(),
        }
        .into_response();
    }
    crate::error::ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        "No such page or API route.",
    )
    .into_response()
}

async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::HeaderValue;
    let headers = response.headers_mut();
    for (name, value) in [
        ("strict-transport-security", "max-age=31536000"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        // Not `no-referrer`: with it browsers send `Origin: null` on form posts, and the pages
        // check that a form came from this server.
        ("referrer-policy", "same-origin"),
        (
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
        ("cache-control", "no-store"),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}
