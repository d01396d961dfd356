//! Every route of the server in one table: method, path, who may call it, handler. The router is
//! built from this table, and the tests walk the same table (every route refuses anonymous
//! callers and callers from other practices; every route is in the OpenAPI document).

use crate::api::{admin, agent, awareness, devices, phones, read, risk, session};
use crate::pages;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{MethodFilter, MethodRouter, on};

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

/// The HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Verb {
    /// The method as HTTP writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Patch => MethodFilter::PATCH,
            Verb::Delete => MethodFilter::DELETE,
        }
    }
}

/// A route of the table: the router answers `verb` on `path` with `handler`, so the method the
/// tests read is the one the router serves.
fn route<H, T>(verb: Verb, path: &'static str, access: Access, handler: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Route {
        method: verb.as_str(),
        path,
        access,
        handler: on(verb.filter(), handler),
    }
}

impl Route {
    /// Accepts request bodies up to `bytes` on this route (the default is 2 MB).
    fn body_limit(mut self, bytes: usize) -> Route {
        self.handler = self.handler.layer(DefaultBodyLimit::max(bytes));
        self
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
    use Verb::*;
    vec![
        route(Get, "/healthz", Public, health),
        route(Get, "/api/openapi.json", Public, openapi),
        route(Post, "/api/agent/v1/enroll", Public, agent::enroll),
        route(Post, "/api/agent/v1/report", Agent, agent::report).body_limit(max_report_bytes),
        route(Post, "/api/v1/session/login", Public, session::login),
        route(Get, "/api/v1/session", Signed, session::whoami),
        route(Post, "/api/v1/session/logout", Signed, session::logout),
        route(
            Post,
            "/api/v1/session/password",
            Signed,
            session::change_password,
        ),
        route(Post, "/api/v1/session/totp", Signed, session::totp_verify),
        route(
            Post,
            "/api/v1/session/totp/setup",
            Signed,
            session::totp_setup,
        ),
        route(
            Post,
            "/api/v1/session/totp/confirm",
            Signed,
            session::totp_confirm,
        ),
        route(Get, "/api/v1/practices", User, read::practices),
        route(Get, "/api/v1/practices/{id}", User, read::practice_overview),
        route(
            Get,
            "/api/v1/practices/{id}/controls",
            User,
            read::practice_controls,
        ),
        route(
            Get,
            "/api/v1/practices/{id}/trend",
            User,
            read::practice_trend,
        ),
        route(
            Get,
            "/api/v1/practices/{id}/hosts",
            User,
            read::practice_hosts,
        ),
        route(
            Get,
            "/api/v1/practices/{id}/enroll-secrets",
            User,
            admin::list_enroll_secrets,
        ),
        route(
            Post,
            "/api/v1/practices/{id}/enroll-secrets",
            User,
            admin::create_enroll_secret,
        ),
        route(
            Delete,
            "/api/v1/enroll-secrets/{id}",
            User,
            admin::revoke_enroll_secret,
        ),
        route(Get, "/api/v1/practices/{id}/users", User, admin::list_users),
        route(
            Post,
            "/api/v1/practices/{id}/users",
            User,
            admin::create_user,
        ),
        route(Patch, "/api/v1/users/{id}", User, admin::change_user),
        route(Get, "/api/v1/practices/{id}/devices", User, devices::list),
        route(
            Post,
            "/api/v1/practices/{id}/devices",
            User,
            devices::upload,
        )
        .body_limit(devices::UPLOAD_BODY_BYTES),
        route(Get, "/api/v1/advisory-store", User, devices::advisory_store),
        route(Get, "/api/v1/practices/{id}/phones", User, phones::list),
        route(
            Post,
            "/api/v1/practices/{id}/phones/import",
            User,
            phones::import,
        )
        .body_limit(phones::IMPORT_BODY_BYTES),
        route(Post, "/api/v1/phone-links", User, phones::create_link),
        route(Get, "/api/v1/hosts/{id}", User, read::host),
        route(Patch, "/api/v1/hosts/{id}", User, admin::assign_host),
        route(Delete, "/api/v1/hosts/{id}", User, admin::revoke_host),
        route(Get, "/api/v1/hosts/{id}/report", User, read::host_report),
        route(Get, "/api/v1/hosts/{id}/history", User, read::host_history),
        route(Get, "/api/v1/hosts/{id}/changes", User, read::host_changes),
        route(Get, "/api/v1/tokens", User, admin::list_tokens),
        route(Post, "/api/v1/tokens", User, admin::create_token),
        route(Delete, "/api/v1/tokens/{id}", User, admin::revoke_token),
        route(Get, "/api/v1/audit-log", User, admin::audit_log),
        route(Get, "/api/v1/risk", User, risk::practices_by_risk),
        // The dashboard's pages.
        route(Get, "/", Page, pages::home),
        route(Get, "/login", PublicPage, pages::sign_in::login_form),
        route(Post, "/login", PublicPage, pages::sign_in::login),
        route(Get, "/login/code", Page, pages::sign_in::code_form),
        route(Post, "/login/code", Page, pages::sign_in::code),
        route(
            Get,
            "/account/password",
            Page,
            pages::sign_in::password_form,
        ),
        route(Post, "/account/password", Page, pages::sign_in::password),
        route(
            Get,
            "/account/authenticator",
            Page,
            pages::sign_in::authenticator_form,
        ),
        route(
            Post,
            "/account/authenticator",
            Page,
            pages::sign_in::authenticator,
        ),
        route(Post, "/logout", Page, pages::sign_in::logout),
        route(Get, "/my-computers", Page, pages::overview::my_computers),
        route(
            Post,
            "/my-computers/phone-link",
            Page,
            pages::phones::link_for_me,
        ),
        route(
            Get,
            "/practices/{id}/phones",
            Page,
            pages::phones::phones_page,
        ),
        route(
            Post,
            "/practices/{id}/phones/import",
            Page,
            pages::phones::import,
        )
        .body_limit(phones::IMPORT_BODY_BYTES),
        route(
            Post,
            "/practices/{id}/phones/link",
            Page,
            pages::phones::link_for_person,
        ),
        route(
            Get,
            "/api/v1/practices/{id}/smtp-relay",
            User,
            awareness::get_relay,
        ),
        route(
            Post,
            "/api/v1/practices/{id}/smtp-relay",
            User,
            awareness::post_relay,
        ),
        route(
            Get,
            "/api/v1/practices/{id}/report-mailbox",
            User,
            awareness::get_report_mailbox,
        ),
        route(
            Post,
            "/api/v1/practices/{id}/report-mailbox",
            User,
            awareness::post_report_mailbox,
        ),
        route(
            Get,
            "/api/v1/practices/{id}/simulation-templates",
            User,
            awareness::templates,
        ),
        route(
            Post,
            "/api/v1/practices/{id}/simulation-templates",
            User,
            awareness::post_template,
        ),
        route(
            Get,
            "/api/v1/practices/{id}/campaigns",
            User,
            awareness::list,
        ),
        route(
            Post,
            "/api/v1/practices/{id}/campaigns",
            User,
            awareness::create,
        ),
        route(Get, "/api/v1/campaigns/{id}", User, awareness::detail),
        route(
            Post,
            "/api/v1/campaigns/{id}/cancel",
            User,
            awareness::cancel,
        ),
        route(
            Get,
            "/api/v1/practices/{id}/training",
            User,
            awareness::training,
        ),
        route(
            Get,
            "/practices/{id}/simulations",
            Page,
            pages::awareness::simulations,
        ),
        route(
            Post,
            "/practices/{id}/simulations/relay",
            Page,
            pages::awareness::save_relay,
        ),
        route(
            Get,
            "/practices/{id}/simulations/templates/{template}",
            Page,
            pages::awareness::edit_template,
        ),
        route(
            Post,
            "/practices/{id}/simulations/templates",
            Page,
            pages::awareness::save_template,
        ),
        route(
            Post,
            "/practices/{id}/simulations/report-mailbox",
            Page,
            pages::awareness::save_report_mailbox,
        ),
        route(
            Post,
            "/practices/{id}/simulations/campaigns",
            Page,
            pages::awareness::start_campaign,
        ),
        route(Get, "/campaigns/{id}", Page, pages::awareness::campaign),
        route(
            Post,
            "/campaigns/{id}/cancel",
            Page,
            pages::awareness::cancel,
        ),
        route(Get, "/training", Page, pages::awareness::my_training),
        route(Get, "/training/{module}", Page, pages::awareness::lesson),
        route(Post, "/training/{module}", Page, pages::awareness::answers),
        route(Get, "/s/{token}", PublicPage, pages::learn::landing),
        route(Post, "/s/{token}", PublicPage, pages::learn::typed),
        route(Post, "/s/{token}/report", PublicPage, pages::learn::report),
        route(Get, "/s/{token}/o.gif", PublicPage, pages::learn::opened),
        route(Get, "/s/{token}/learn", PublicPage, pages::learn::lesson),
        route(Post, "/s/{token}/learn", PublicPage, pages::learn::answers),
        route(
            Get,
            "/training/pictures/{name}",
            PublicPage,
            pages::learn::picture,
        ),
        route(
            Get,
            "/phone-check/{token}",
            PublicPage,
            pages::phones::check_form,
        ),
        route(
            Post,
            "/phone-check/{token}",
            PublicPage,
            pages::phones::check_submit,
        ),
        route(Get, "/practices/{id}", Page, pages::overview::practice),
        route(
            Get,
            "/practices/{id}/enrolment",
            Page,
            pages::admin::enrolment,
        ),
        route(
            Post,
            "/practices/{id}/enrolment",
            Page,
            pages::admin::create_secret,
        ),
        route(
            Post,
            "/practices/{id}/enrolment/{secret}/revoke",
            Page,
            pages::admin::revoke_secret,
        ),
        route(Get, "/practices/{id}/users", Page, pages::admin::users),
        route(
            Post,
            "/practices/{id}/users",
            Page,
            pages::admin::create_user,
        ),
        route(
            Post,
            "/practices/{id}/users/{user}",
            Page,
            pages::admin::change_user,
        ),
        route(
            Get,
            "/practices/{id}/attestation",
            Page,
            pages::report::page_html,
        ),
        route(
            Get,
            "/practices/{id}/attestation.pdf",
            Page,
            pages::report::pdf,
        ),
        route(
            Get,
            "/practices/{id}/devices",
            Page,
            pages::devices::devices,
        ),
        route(
            Post,
            "/practices/{id}/devices",
            Page,
            pages::devices::upload,
        )
        .body_limit(devices::UPLOAD_BODY_BYTES),
        route(Get, "/hosts/{id}", Page, pages::host::host),
        route(Post, "/hosts/{id}/owner", Page, pages::host::assign),
        route(Post, "/hosts/{id}/revoke", Page, pages::host::revoke),
        route(Get, "/insurer", Page, pages::insurer::practices),
        route(Get, "/insurer.csv", Page, pages::insurer::practices_csv),
        route(Get, "/audit-log", Page, pages::admin::audit_log),
        route(Get, pages::assets::CSS_PATH, PublicPage, pages::assets::css),
        route(
            Get,
            pages::assets::ICON_PATH,
            PublicPage,
            pages::assets::icon,
        ),
        route(Get, pages::assets::JS_PATH, PublicPage, pages::assets::js),
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
