//! Administration pages: enroll secrets (create, copy the agent command, revoke), users and
//! roles, and the audit log. Each change goes through the API handler that does it.

use super::layout::{csrf_field, datetime, empty_state, page, role_word};
use super::sign_in::Empty;
use super::{CsrfForm, PageResult, Viewer};
use crate::api::admin::{self, EnrollSecretRow, NewEnrollSecret, NewUser, UserChange, UserRow};
use crate::api::read::Page;
use crate::auth::Role;
use crate::db::now;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, html};
use serde::Deserialize;

fn all() -> Page {
    Page {
        limit: Some(500),
        offset: None,
    }
}

/// The address agents reach this server at, as the browser sees it (the form's `Origin`).
pub(crate) fn server_url(headers: &HeaderMap) -> String {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| o.starts_with("https://") || o.starts_with("http://"));
    match origin {
        Some(origin) => origin.to_string(),
        None => format!(
            "https://{}",
            headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("SERVER")
        ),
    }
}

/// A newly created secret, shown once.
struct NewSecret {
    secret: String,
    server: String,
}

fn secret_status(s: &EnrollSecretRow, at: i64) -> Markup {
    if s.revoked_at.is_some() {
        html! { span.badge.unknown { "Revoked" } }
    } else if s.expires_at.is_some_and(|e| e <= at) {
        html! { span.badge.unknown { "Expired" } }
    } else {
        html! { span.badge.ok { "Active" } }
    }
}

async fn enrolment_page(
    state: &AppState,
    viewer: &Viewer,
    practice_id: i64,
    created: Option<NewSecret>,
) -> PageResult<Markup> {
    let secrets = admin::enroll_secrets_of(state, &viewer.caller(), practice_id, &all())
        .await?
        .items;
    let at = now();
    let body = html! {
        h1 { "Enrol computers" }
        p.lead { "An enroll secret lets the Hygeia agent on a computer join this practice. Give it only to the people who set up the practice's computers; revoke it when they are done." }
        @if let Some(new) = &created {
            section.card.notice role="status" aria-labelledby="new-secret" {
                h2 #new-secret { "New enroll secret" }
                p { strong { "Copy it now: " } "it is shown only this once." }
                p { code #secret { (new.secret) } " " button.secondary type="button" data-copy="secret" { "Copy" } }
                p.hint { "The secret goes in an environment variable, not on the command line, where other accounts on the computer could read it." }
                h3 { "On each Linux or Mac computer (in a terminal)" }
                pre.command #cmd-unix { "export HYGEIA_ENROLL_SECRET='" (new.secret) "'\nsudo --preserve-env=HYGEIA_ENROLL_SECRET hygeia agent enroll --server " (new.server) "\nunset HYGEIA_ENROLL_SECRET\nsudo hygeia agent run --once" }
                button.secondary type="button" data-copy="cmd-unix" { "Copy the commands" }
                h3 { "On each Windows computer (in PowerShell opened as administrator)" }
                pre.command #cmd-windows { "$env:HYGEIA_ENROLL_SECRET = '" (new.secret) "'\r\nhygeia agent enroll --server " (new.server) "\r\nRemove-Item Env:\\HYGEIA_ENROLL_SECRET\r\nStart-Service HygeiaAgent" }
                button.secondary type="button" data-copy="cmd-windows" { "Copy the commands" }
                p.hint { "Then the agent checks the computer every hour: the Windows installer's HygeiaAgent service does so once started; on Linux enable the timer the .deb installs (" code { "sudo systemctl enable --now hygeia-agent.timer" } "); on a Mac load the launchd job (docs/install.md)." }
            }
        }
        section.card aria-labelledby="create" {
            h2 #create { "Create an enroll secret" }
            form.inline method="post" action={ "/practices/" (practice_id) "/enrolment" } {
                (csrf_field(viewer))
                label { "Label" input name="label" required maxlength="100" placeholder="front desk laptops"; }
                label { "Valid for"
                    select name="expires_in_days" {
                        option value="1" { "1 day" }
                        option value="7" { "7 days" }
                        option value="30" selected { "30 days" }
                        option value="90" { "90 days" }
                        option value="0" { "until revoked" }
                    }
                }
                button type="submit" { "Create secret" }
            }
        }
        section aria-labelledby="secrets" {
            h2 #secrets { "Enroll secrets" }
            @if secrets.is_empty() {
                (empty_state("No enroll secret yet", html! { "Create one above, then run the command it shows on each computer." }))
            } @else {
                div.table-wrap { table {
                    thead { tr { th { "Label" } th { "Status" } th { "Created" } th { "Expires" } th.num { "Computers enrolled" } th { span.hint { "Action" } } } }
                    tbody { @for s in &secrets {
                        @let active = s.active;
                        tr {
                            td { (s.label) }
                            td { (secret_status(s, at)) }
                            td { (datetime(s.created_at)) }
                            td { @match s.expires_at { Some(e) => { (datetime(e)) }, None => { "never" } } }
                            td.num { (s.uses) }
                            td { @if active {
                                form method="post" action={ "/practices/" (practice_id) "/enrolment/" (s.id) "/revoke" } data-confirm={ "Revoke the secret \"" (s.label) "\"? Computers already enrolled keep working." } {
                                    (csrf_field(viewer))
                                    button.danger type="submit" aria-label={ "Revoke " (s.label) } { "Revoke" }
                                }
                            } }
                        }
                    } }
                } }
            }
        }
    };
    Ok(page("Enrol computers", viewer, body))
}

/// `GET /practices/{id}/enrolment`.
pub async fn enrolment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
) -> PageResult<Markup> {
    enrolment_page(&state, &viewer, practice_id, None).await
}

/// The new-secret form.
#[derive(Debug, Deserialize)]
pub struct SecretForm {
    label: String,
    expires_in_days: Option<i64>,
}

/// `POST /practices/{id}/enrolment`: creates a secret and shows it once.
pub async fn create_secret(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<SecretForm>,
) -> PageResult<Markup> {
    let (_, Json(created)) = admin::create_enroll_secret(
        State(state.clone()),
        viewer.caller(),
        Path(practice_id),
        Json(NewEnrollSecret {
            label: form.label,
            expires_in_days: form.expires_in_days,
        }),
    )
    .await?;
    let new = NewSecret {
        secret: created.secret,
        server: server_url(&headers),
    };
    enrolment_page(&state, &viewer, practice_id, Some(new)).await
}

/// `POST /practices/{id}/enrolment/{secret}/revoke`.
pub async fn revoke_secret(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((practice_id, secret_id)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let _ = admin::revoke_enroll_secret(State(state), viewer.caller(), Path(secret_id)).await?;
    Ok(Redirect::to(&format!("/practices/{practice_id}/enrolment")).into_response())
}

/// A one-time password to hand over: of a user created just now, or whose password was reset.
struct NewUserShown {
    heading: &'static str,
    email: String,
    one_time_password: String,
}

fn user_state(u: &UserRow) -> Markup {
    html! {
        @if u.disabled { span.badge.unknown { "Disabled" } }
        @else if u.locked { span.badge.warn { "Locked" } }
        @else { span.badge.ok { "Active" } }
        " "
        @if u.totp_enabled { span.badge.ok { "Second factor on" } }
        @else { span.badge.unknown { "No second factor" } }
    }
}

async fn users_page(
    state: &AppState,
    viewer: &Viewer,
    practice_id: i64,
    created: Option<NewUserShown>,
) -> PageResult<Markup> {
    let users = admin::users_of(state, &viewer.caller(), practice_id, &all())
        .await?
        .items;
    let body = html! {
        h1 { "Users" }
        p.lead { "Practice administrators manage computers and users and must use an authenticator app. Clinicians see only the computers assigned to them." }
        @if let Some(new) = &created {
            section.card.notice role="status" {
                h2 { (new.heading) }
                p { "Give " strong { (new.email) } " this one-time password in person or by phone (not by e-mail). They choose their own at first sign-in." }
                p { code #otp { (new.one_time_password) } " " button.secondary type="button" data-copy="otp" { "Copy" } }
            }
        }
        section.card aria-labelledby="add" {
            h2 #add { "Add a user" }
            form.inline method="post" action={ "/practices/" (practice_id) "/users" } {
                (csrf_field(viewer))
                label { "E-mail address" input type="email" name="email" required autocomplete="off"; }
                label { "Name" input name="display_name" required maxlength="100"; }
                label { "Role"
                    select name="role" {
                        option value="clinician" { "Clinician" }
                        option value="practice_admin" { "Practice administrator" }
                    }
                }
                button type="submit" { "Add user" }
            }
        }
        section aria-labelledby="list" {
            h2 #list { "Users of the practice" }
            div.table-wrap { table {
                thead { tr { th { "Name" } th { "E-mail" } th { "Role" } th { "State" } th { "Change" } } }
                tbody { @for u in &users {
                    @let id = u.id;
                    @let own = id == viewer.user_id;
                    tr {
                        td { (u.display_name) }
                        td { (u.email) }
                        td { (Role::parse(&u.role).map(role_word).unwrap_or("")) }
                        td { (user_state(u)) }
                        td { @if own { span.hint { "You" } } @else {
                            form.inline method="post" action={ "/practices/" (practice_id) "/users/" (id) } {
                                (csrf_field(viewer))
                                label { "Action"
                                    select name="action" {
                                        @if u.role == "clinician" { option value="make_admin" { "Make administrator" } }
                                        @else { option value="make_clinician" { "Make clinician" } }
                                        @if u.disabled { option value="enable" { "Enable" } }
                                        @else { option value="disable" { "Disable" } }
                                        option value="reset_totp" { "Reset second factor" }
                                        option value="reset_password" { "Reset password" }
                                        @if u.locked { option value="unlock" { "Unlock" } }
                                    }
                                }
                                button.secondary type="submit" aria-label={ "Apply to " (u.email) } { "Apply" }
                            }
                        } }
                    }
                } }
            } }
        }
    };
    Ok(page("Users", viewer, body))
}

/// `GET /practices/{id}/users`.
pub async fn users(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
) -> PageResult<Markup> {
    users_page(&state, &viewer, practice_id, None).await
}

/// The new-user form.
#[derive(Debug, Deserialize)]
pub struct UserForm {
    email: String,
    display_name: String,
    role: String,
}

/// `POST /practices/{id}/users`.
pub async fn create_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    CsrfForm(form): CsrfForm<UserForm>,
) -> PageResult<Markup> {
    let (_, Json(created)) = admin::create_user(
        State(state.clone()),
        viewer.caller(),
        Path(practice_id),
        Json(NewUser {
            email: form.email,
            display_name: form.display_name,
            role: form.role,
        }),
    )
    .await?;
    let shown = NewUserShown {
        heading: "User created",
        email: created.email,
        one_time_password: created.one_time_password,
    };
    users_page(&state, &viewer, practice_id, Some(shown)).await
}

/// The change-user form.
#[derive(Debug, Deserialize)]
pub struct UserActionForm {
    action: String,
}

/// `POST /practices/{id}/users/{user}`.
pub async fn change_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((practice_id, user_id)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<UserActionForm>,
) -> PageResult {
    let mut change = UserChange {
        role: None,
        disabled: None,
        reset_totp: None,
        unlock: None,
        reset_password: None,
    };
    match form.action.as_str() {
        "make_admin" => change.role = Some("practice_admin".into()),
        "make_clinician" => change.role = Some("clinician".into()),
        "disable" => change.disabled = Some(true),
        "enable" => change.disabled = Some(false),
        "reset_totp" => change.reset_totp = Some(true),
        "unlock" => change.unlock = Some(true),
        "reset_password" => change.reset_password = Some(true),
        _ => {
            return Err(super::PageError::Shown {
                status: axum::http::StatusCode::BAD_REQUEST,
                message: "Choose one of the listed actions.".into(),
            });
        }
    }
    let Json(changed) = admin::change_user(
        State(state.clone()),
        viewer.caller(),
        Path(user_id),
        Json(change),
    )
    .await?;
    if let Some(one_time) = changed.one_time_password {
        let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&state.db.read)
            .await
            .map_err(crate::error::ApiError::from)?;
        let shown = NewUserShown {
            heading: "Password reset",
            email: email.unwrap_or_default(),
            one_time_password: one_time.to_string(),
        };
        let page = users_page(&state, &viewer, practice_id, Some(shown)).await?;
        return Ok(page.into_response());
    }
    Ok(Redirect::to(&format!("/practices/{practice_id}/users")).into_response())
}

/// `GET /audit-log?offset=`.
pub async fn audit_log(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(paging): Query<Page>,
) -> PageResult<Markup> {
    let list = admin::audit_entries(
        &state,
        &viewer.caller(),
        &Page {
            limit: Some(100),
            offset: paging.offset,
        },
    )
    .await?;
    let items = &list.items;
    let body = html! {
        h1 { "Audit log" }
        p.lead { "Every sign-in and every administrative change: who, what, when and from where. Kept for HIPAA's audit controls (45 CFR 164.312(b))." }
        @if items.is_empty() {
            (empty_state("Nothing recorded yet", html! { "Sign-ins and changes appear here as they happen." }))
        } @else {
            div.table-wrap { table {
                thead { tr { th { "When" } th { "Who" } th { "What" } th { "On" } th { "From" } th { "Detail" } } }
                tbody { @for e in items { tr {
                    td { (datetime(e.at)) }
                    td { (e.actor) }
                    td { code { (e.action) } }
                    td { (e.target) }
                    td { (e.ip) }
                    td { (e.detail) }
                } } }
            } }
            @if let Some(next) = list.next_offset {
                p { a href={ "/audit-log?offset=" (next) } { "Older entries" } }
            }
        }
    };
    Ok(page("Audit log", &viewer, body))
}
