//! The dashboard: HTML pages rendered on the server (maud), with one small script for copy
//! buttons and confirmations. Every page reads and changes data through the same handlers as
//! the JSON API (`crate::api`), so scoping and validation live in one place.
//!
//! Where things live: the page shell and shared pieces in `layout.rs`, sign-in steps in
//! `sign_in.rs`, one module per page after that; the attestation report's data in
//! `attestation.rs`, drawn as HTML by `report.rs` and as PDF by `pdf.rs`.

pub mod admin;
pub mod assets;
pub mod attestation;
pub mod awareness;
pub mod chart;
pub mod devices;
pub mod host;
pub mod insurer;
pub mod layout;
pub mod learn;
pub mod overview;
pub mod pdf;
pub mod phones;
pub mod report;
pub mod sign_in;

use crate::api::session::next_step_of;
use crate::auth::{Caller, Signed, Via, signed_without_csrf_check};
use crate::error::ApiError;
use crate::secrets::constant_time_eq;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// Go elsewhere first (sign in, finish the second factor).
    Redirect(String),
    /// A page that explains what went wrong.
    Shown {
        /// HTTP status.
        status: StatusCode,
        /// What went wrong and what to do.
        message: String,
    },
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> PageError {
        if error.status == StatusCode::UNAUTHORIZED && error.code == "unauthenticated" {
            return PageError::Redirect("/login".into());
        }
        PageError::Shown {
            status: error.status,
            message: error.message,
        }
    }
}

impl From<sqlx::Error> for PageError {
    fn from(error: sqlx::Error) -> PageError {
        PageError::from(ApiError::from(error))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Redirect(to) => Redirect::to(&to).into_response(),
            PageError::Shown { status, message } => {
                let title = match status {
                    StatusCode::NOT_FOUND => "Not found",
                    StatusCode::FORBIDDEN => "Not allowed",
                    StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
                    s if s.is_server_error() => "Temporarily unavailable",
                    _ => "Cannot do that",
                };
                let body = maud::html! {
                    h1 { (title) }
                    p role="alert" { (message) }
                    p { a href="/" { "Back to the dashboard" } }
                };
                (status, layout::bare_page(title, body)).into_response()
            }
        }
    }
}

/// Result of a page handler.
pub type PageResult<T = Response> = Result<T, PageError>;

/// Where a signed-in user goes for their next sign-in step.
pub fn step_page(next: &str) -> &'static str {
    match next {
        "change_password" => "/account/password",
        "setup_totp" => "/account/authenticator",
        "enter_totp" => "/login/code",
        _ => "/",
    }
}

/// A fully signed-in user looking at a page. Anyone else is sent to the sign-in step they
/// still owe.
#[derive(Debug, Clone)]
pub struct Viewer(pub Caller);

impl std::ops::Deref for Viewer {
    type Target = Signed;
    fn deref(&self) -> &Signed {
        &self.0.0
    }
}

impl Viewer {
    /// The caller, for the API handlers the pages call.
    pub fn caller(&self) -> Caller {
        self.0.clone()
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> PageResult<Viewer> {
        let signed = Visitor::from_request_parts(parts, state).await?.0;
        let next = next_step_of(&signed);
        if next != "done" {
            return Err(PageError::Redirect(step_page(next).into()));
        }
        Ok(Viewer(Caller(signed)))
    }
}

/// A signed-in user in the middle of signing in (new password, second factor). Pages for the
/// sign-in steps take this; everything else takes [`Viewer`].
#[derive(Debug, Clone)]
pub struct Visitor(pub Signed);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> PageResult<Visitor> {
        let signed = signed_without_csrf_check(parts, state)
            .await
            .map_err(|_| PageError::Redirect(sign_in_then_back(parts)))?;
        // Browsers only: the pages' forms are checked against the session's CSRF token, which
        // API tokens do not have.
        if matches!(signed.via, Via::Token { .. }) {
            return Err(PageError::Redirect("/login".into()));
        }
        parts.extensions.insert(signed.clone());
        Ok(Visitor(signed))
    }
}

/// The sign-in page, with the page asked for to come back to after signing in (for pages
/// opened with GET; a form's answer is not worth coming back to).
fn sign_in_then_back(parts: &Parts) -> String {
    let wanted = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    if parts.method != axum::http::Method::GET || wanted == "/" {
        return "/login".into();
    }
    format!(
        "/login?{}",
        serde_urlencoded::to_string([("next", wanted)]).unwrap_or_default()
    )
}

/// `next` if it is a path on this server (not `//elsewhere`, not a full address), else `/`:
/// a sign-in link must not be able to send the person to another site.
pub fn local_path(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.len() <= 1_000
        && !next.chars().any(char::is_control);
    if local { next } else { "/" }
}

/// The session's CSRF token of a signed-in user, for forms.
pub fn csrf_of(signed: &Signed) -> &str {
    match &signed.via {
        Via::Session { csrf_token, .. } => csrf_token,
        Via::Token { .. } => "",
    }
}

/// The largest form body the pages accept.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// A submitted form whose hidden `csrf` field matches the session's token, and which came from
/// a page of this server. Must follow a [`Viewer`] or [`Visitor`] among the handler's arguments.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, _state: &AppState) -> PageResult<CsrfForm<T>> {
        let (parts, body) = request.into_parts();
        check_same_origin(&parts)?;
        let signed = parts
            .extensions
            .get::<Signed>()
            .cloned()
            .ok_or_else(|| PageError::Redirect("/login".into()))?;
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| bad_form("The form is larger than the server accepts."))?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| bad_form("The form could not be read; reload the page and try again."))?;
        let sent = fields
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), csrf_of(&signed).as_bytes()) {
            return Err(PageError::Shown {
                status: StatusCode::FORBIDDEN,
                message: "This form has expired or did not come from this dashboard; reload the page and try again.".into(),
            });
        }
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|_| {
            bad_form("A field of the form is missing or not valid; reload the page and try again.")
        })?;
        Ok(CsrfForm(form))
    }
}

/// A file sent from a dashboard form (`multipart/form-data`) whose `csrf` field matches the
/// session's token and which came from a page of this server. Must follow a [`Viewer`] among
/// the handler's arguments. The route's body limit bounds the whole request.
#[derive(Debug)]
pub struct CsrfUpload {
    /// The file's name as the browser gave it (without any folder).
    pub file_name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The form field that carries the file of a [`CsrfUpload`].
pub const UPLOAD_FIELD: &str = "file";

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> PageResult<CsrfUpload> {
        let (parts, body) = request.into_parts();
        check_same_origin(&parts)?;
        let signed = parts
            .extensions
            .get::<Signed>()
            .cloned()
            .ok_or_else(|| PageError::Redirect("/login".into()))?;
        let request = Request::from_parts(parts, body);
        let mut multipart = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|_| bad_form("Choose a file with the form on the page and send it again."))?;
        let mut csrf = String::new();
        let mut file: Option<(String, Vec<u8>)> = None;
        loop {
            let field = multipart.next_field().await.map_err(|_| {
                bad_form("The file did not arrive whole, or is larger than the server accepts.")
            })?;
            let Some(field) = field else { break };
            match field.name() {
                Some("csrf") => {
                    csrf = field.text().await.map_err(|_| {
                        bad_form("The form could not be read; reload the page and try again.")
                    })?;
                }
                Some(UPLOAD_FIELD) => {
                    let name = field
                        .file_name()
                        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or("").to_string())
                        .unwrap_or_default();
                    let bytes = field.bytes().await.map_err(|_| {
                        bad_form(
                            "The file did not arrive whole, or is larger than the server accepts.",
                        )
                    })?;
                    file = Some((name, bytes.to_vec()));
                }
                _ => {}
            }
        }
        if !constant_time_eq(csrf.as_bytes(), csrf_of(&signed).as_bytes()) {
            return Err(PageError::Shown {
                status: StatusCode::FORBIDDEN,
                message: "This form has expired or did not come from this dashboard; reload the page and try again.".into(),
            });
        }
        match file {
            Some((file_name, bytes)) if !bytes.is_empty() => Ok(CsrfUpload { file_name, bytes }),
            _ => Err(bad_form(
                "Choose a file to upload, then send the form again.",
            )),
        }
    }
}

/// A form posted before anyone is signed in (the sign-in form itself): only the origin check.
#[derive(Debug)]
pub struct OpenForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for OpenForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, _state: &AppState) -> PageResult<OpenForm<T>> {
        let (parts, body) = request.into_parts();
        check_same_origin(&parts)?;
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| bad_form("The form is larger than the server accepts."))?;
        serde_urlencoded::from_bytes(&bytes)
            .map(OpenForm)
            .map_err(|_| bad_form("The form could not be read; reload the page and try again."))
    }
}

fn bad_form(message: &str) -> PageError {
    PageError::Shown {
        status: StatusCode::BAD_REQUEST,
        message: message.into(),
    }
}

/// Refuses a form sent from another site: browsers name the page's origin in `Origin` on every
/// POST, and it must be this server's.
fn check_same_origin(parts: &Parts) -> PageResult<()> {
    let Some(origin) = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    if origin_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(PageError::Shown {
            status: StatusCode::FORBIDDEN,
            message: "This form was sent from another website; open the dashboard directly and try again.".into(),
        })
    }
}

/// `GET /`: where each role starts.
pub async fn home(viewer: Viewer) -> Response {
    use crate::auth::Role;
    match (viewer.role, viewer.practice_id) {
        (Role::InsurerAnalyst, _) => Redirect::to("/insurer").into_response(),
        (Role::PracticeAdmin, Some(practice)) => {
            Redirect::to(&format!("/practices/{practice}")).into_response()
        }
        _ => Redirect::to("/my-computers").into_response(),
    }
}
