//! Phones: the practice's phone list (with the Intune / Google Workspace import and links for
//! its people), the link a clinician makes under "My computers", and the phone check page that
//! opens on the phone itself without an account: it reads the OS from the browser (User-Agent
//! and Client Hints) and asks what no browser can see.

use super::layout::{
    bare_page, capitalized, csrf_field, datetime, empty_state, page, status_badge,
};
use super::{CsrfForm, CsrfUpload, OpenForm, PageError, PageResult, UPLOAD_FIELD, Viewer};
use crate::api::phones::{PhoneLink, make_link, practice_phones, store_import};
use crate::auth::Role;
use crate::phones::{self, PhoneRow, source_label};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hygeia_phone::browser::{BrowserSignals, read_browser};
use hygeia_phone::{PhoneFacts, PhoneSource, Reading};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

/// The Client Hints the phone check page asks for (Chrome sends them on the next request, or
/// at once when they are also critical).
const CLIENT_HINTS: &str = "Sec-CH-UA-Platform-Version, Sec-CH-UA-Model, Sec-CH-UA-Platform";

fn phones_table(items: &[PhoneRow]) -> Markup {
    html! {
        div.table-wrap { table {
            thead { tr { th { "Phone" } th { "Owner" } th { "System" } th { "Status" } th { "Source" } th { "Last seen" } } }
            tbody { @for p in items { tr {
                td { (p.name) br; span.hint { (p.model) } }
                td { (p.owner) }
                td {
                    (if p.family == "ios" { "iOS" } else { "Android" }) " " (p.os_version)
                    @if !p.security_patch.is_empty() { br; span.hint { "patch " (p.security_patch) } }
                }
                td {
                    (status_badge(&p.status))
                    details { summary { "Controls" } ul {
                        @for r in &p.results { li { strong { (r.control) " " (capitalized(r.status.as_str())) } ": " (r.reason) } }
                    } }
                    @if !p.answered.is_empty() {
                        details { summary { "Answered, not measured" } ul { @for a in &p.answered { li { (a) } } } }
                    }
                }
                td { (source_label(&p.source)) }
                td { (datetime(p.seen_at)) }
            } } }
        } }
    }
}

/// `GET /practices/{id}/phones`.
pub async fn phones_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
) -> PageResult<Markup> {
    let listed = practice_phones(&state, &viewer.caller(), practice_id).await?;
    let manages = viewer.practice_id == Some(practice_id) && viewer.role == Role::PracticeAdmin;
    let counts = listed.counts;
    let body = html! {
        h1 { "Phones and tablets" }
        p.lead { "Every phone that reads patient messages or runs video visits: its iOS or Android version, security patch, screen lock and apps." }
        div.tiles {
            div.tile { span.number { (counts.phones) } "phones and tablets" }
            div.tile { span.number { (counts.out_of_date) } "out of date (HY-PH-001)" }
            div.tile { span.number { (counts.failing) } "with a failing control" }
        }
        @if listed.items.is_empty() {
            (empty_state("No phone yet", html! {
                "Send each person a phone check link, or import the device list of Intune or Google Workspace."
            }))
        } @else {
            (phones_table(&listed.items))
        }
        @if manages {
            section.card aria-labelledby="link" {
                h2 #link { "Check a person's phone" }
                p { "A link works once, for 24 hours, and needs no account on the phone. Open it on the phone (or scan its QR code)." }
                form method="post" action={ "/practices/" (practice_id) "/phones/link" } {
                    (csrf_field(&viewer))
                    label for="email" { "Email of the person" }
                    input #email type="email" name="email" required;
                    button type="submit" { "Make a link" }
                }
            }
            section.card aria-labelledby="import" {
                h2 #import { "Import from device management" }
                p { "Intune: Devices > All devices > Export. Google Workspace: Devices > Mobile & endpoints > Devices > Download. Computers in the file are left out." }
                form method="post" enctype="multipart/form-data" action={ "/practices/" (practice_id) "/phones/import" } {
                    (csrf_field(&viewer))
                    label for="file" { "CSV export" }
                    input #file type="file" name=(UPLOAD_FIELD) accept=".csv,text/csv" required;
                    button type="submit" { "Import" }
                }
            }
        }
    };
    Ok(page("Phones", &viewer, body))
}

/// `POST /practices/{id}/phones/import`.
pub async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    upload: CsrfUpload,
) -> PageResult<Response> {
    let name = if upload.file_name.trim().is_empty() {
        "devices.csv".to_string()
    } else {
        upload.file_name
    };
    store_import(&state, &viewer.caller(), practice_id, &name, &upload.bytes)
        .await
        .map_err(PageError::from)?;
    Ok(Redirect::to(&format!("/practices/{practice_id}/phones")).into_response())
}

/// The fields of the link form.
#[derive(Debug, Deserialize)]
pub struct LinkForm {
    email: String,
}

/// `POST /practices/{id}/phones/link`: a link for a person of the practice.
pub async fn link_for_person(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> PageResult<Markup> {
    crate::auth::check_practice_managed(&state, &viewer.caller(), practice_id).await?;
    let user: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE lower(email) = lower($1) AND practice_id = $2",
    )
    .bind(form.email.trim().to_string())
    .bind(practice_id)
    .fetch_optional(&state.db.read)
    .await?;
    let Some(user) = user else {
        return Err(PageError::Shown {
            status: StatusCode::NOT_FOUND,
            message: "Nobody of this practice has that email; add the person under Users first."
                .into(),
        });
    };
    let link = make_link(&state, &viewer.caller(), Some(user)).await?;
    Ok(link_page(&viewer, &headers, &link, form.email.trim()))
}

/// `POST /my-computers/phone-link`: a link for the signed-in person's own phone.
pub async fn link_for_me(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    CsrfForm(_form): CsrfForm<Empty>,
) -> PageResult<Markup> {
    let link = make_link(&state, &viewer.caller(), None).await?;
    let email = viewer.email.clone();
    Ok(link_page(&viewer, &headers, &link, &email))
}

/// A form without fields (only its CSRF token).
#[derive(Debug, Deserialize)]
pub struct Empty {}

fn link_page(viewer: &Viewer, headers: &HeaderMap, link: &PhoneLink, email: &str) -> Markup {
    let url = format!("{}{}", super::admin::server_url(headers), link.path);
    let qr = super::sign_in::qr_svg(&url).unwrap_or_default();
    let body = html! {
        h1 { "Phone check link" }
        p.lead { "For the phone of " (email) ". Open it on that phone: scan the code with the phone's camera, or send the link to it." }
        div.qr { (PreEscaped(qr.replace("QR code for the authenticator app", "QR code of the phone check link"))) }
        p { code #phone-link { (url) } }
        p.hint { "It works once, until " (datetime(link.expires_at)) ". Nobody needs to sign in on the phone." }
    };
    page("Phone check link", viewer, body)
}

/// The small card under "My computers".
pub fn my_phone_card(viewer: &Viewer) -> Markup {
    html! {
        section.card aria-labelledby="my-phone" {
            h2 #my-phone { "Your phone" }
            p { "Check the phone you use for patient messages or video visits: make a link, open it on the phone, and answer three questions." }
            form method="post" action="/my-computers/phone-link" {
                (csrf_field(viewer))
                button type="submit" { "Make a phone check link" }
            }
        }
    }
}

fn ask_client_hints(markup: Markup) -> Response {
    let mut response = markup.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::HeaderName::from_static("accept-ch"),
        HeaderValue::from_static(CLIENT_HINTS),
    );
    headers.insert(
        header::HeaderName::from_static("critical-ch"),
        HeaderValue::from_static(CLIENT_HINTS),
    );
    headers.insert(header::VARY, HeaderValue::from_static(CLIENT_HINTS));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn signals(headers: &HeaderMap, touch_points: Option<u32>) -> BrowserSignals {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(300).collect::<String>())
    };
    BrowserSignals {
        user_agent: get("user-agent").unwrap_or_default(),
        platform: get("sec-ch-ua-platform"),
        platform_version: get("sec-ch-ua-platform-version"),
        model: get("sec-ch-ua-model"),
        touch_points,
    }
}

fn expired() -> PageError {
    PageError::Shown {
        status: StatusCode::NOT_FOUND,
        message: "This phone check link was already used or has expired. Ask for a new one (under My computers, or from the practice's administrator).".into(),
    }
}

/// `GET /phone-check/{token}`: the questions, with what the browser says about the phone.
pub async fn check_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> PageResult<Response> {
    let mut tx = state.db.snapshot().await?;
    let link = phones::live_link(&mut tx, &token).await?;
    tx.commit().await?;
    if link.is_none() {
        return Err(expired());
    }
    let seen = read_browser(&signals(&headers, None));
    let apps: Vec<String> = super::layout::catalog()
        .map(|c| c.telehealth.iter().map(|a| a.name.clone()).collect())
        .unwrap_or_default();
    let body = html! {
        h1 { "Phone check" }
        @match &seen {
            Ok(reading) => p.lead {
                "This looks like " strong { (reading.model) } " with " (reading.family.os_name()) " "
                @match reading.os_version.value() { Some(v) => { (v) }, None => { "(version not shown by this browser)" } } "."
            },
            Err(message) => p.notice role="status" { (message) },
        }
        form method="post" {
            input #touch-points type="hidden" name="touch_points" value="";
            fieldset {
                legend { "Is a screen lock (PIN, pattern, Face ID or fingerprint with a passcode) set on this phone?" }
                label { input type="radio" name="screen_lock" value="yes" required; " Yes" }
                label { input type="radio" name="screen_lock" value="no"; " No" }
            }
            fieldset {
                legend { "Does it install software updates automatically?" }
                label { input type="radio" name="automatic_updates" value="yes" required; " Yes" }
                label { input type="radio" name="automatic_updates" value="no"; " No" }
            }
            fieldset {
                legend { "Which apps do you use for video visits with patients on this phone?" }
                label { input type="checkbox" name="visit_app" value="none"; " None: no video visits from this phone" }
                @for app in &apps { label { input type="checkbox" name="visit_app" value=(app); " " (app) } }
            }
            label for="patch" { "Android only, if you know it: security patch level (Settings > About phone > Android version), e.g. 2026-11-05" }
            input #patch type="text" name="security_patch" maxlength="10" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}";
            button type="submit" { "Send" }
        }
    };
    Ok(ask_client_hints(bare_page("Phone check", body)))
}

/// What the phone check form sent.
struct PageAnswers {
    screen_lock: Option<bool>,
    automatic_updates: Option<bool>,
    visit_apps: Vec<String>,
    security_patch: Option<String>,
    touch_points: Option<u32>,
}

/// The fields of the phone check form (checkboxes repeat, so read as pairs).
fn answers(fields: &[(String, String)]) -> PageAnswers {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
    };
    let yes = |name: &str| {
        one(name).and_then(|v| match v.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        })
    };
    PageAnswers {
        screen_lock: yes("screen_lock"),
        automatic_updates: yes("automatic_updates"),
        visit_apps: fields
            .iter()
            .filter(|(k, _)| k == "visit_app")
            .map(|(_, v)| v.chars().take(100).collect())
            .take(40)
            .collect(),
        security_patch: one("security_patch")
            .filter(|p| hygeia_core::time_util::parse_ymd(p).is_some()),
        touch_points: one("touch_points").and_then(|t| t.parse().ok()),
    }
}

/// `POST /phone-check/{token}`: records the phone for the link's person and shows the result.
pub async fn check_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    OpenForm(fields): OpenForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let mut tx = state.db.write.begin().await?;
    let Some(link) = phones::live_link(&mut tx, &token).await? else {
        return Err(expired());
    };
    let PageAnswers {
        screen_lock,
        automatic_updates,
        visit_apps: apps,
        security_patch: patch,
        touch_points: touch,
    } = answers(&fields);
    let reading = read_browser(&signals(&headers, touch)).map_err(|message| PageError::Shown {
        status: StatusCode::BAD_REQUEST,
        message: format!("{message} The link still works: open it on the phone."),
    })?;
    let mut facts = PhoneFacts::new(reading.family, reading.model.clone());
    facts.os_version = reading.os_version.clone();
    facts.security_patch = match (reading.family, patch) {
        (hygeia_phone::Family::Android, Some(day)) => Reading::answered(day),
        (hygeia_phone::Family::Android, None) => {
            Reading::unknown("a browser cannot read the security patch level, and none was given")
        }
        (hygeia_phone::Family::Ios, _) => Reading::unknown("iPhones have no separate patch level"),
    };
    let unanswered = "not answered";
    facts.screen_lock = screen_lock
        .map(Reading::answered)
        .unwrap_or_else(|| Reading::unknown(unanswered));
    // Current phones encrypt everything once a screen lock is set.
    facts.encrypted = screen_lock
        .map(Reading::answered)
        .unwrap_or_else(|| Reading::unknown(unanswered));
    facts.automatic_updates = automatic_updates
        .map(Reading::answered)
        .unwrap_or_else(|| Reading::unknown(unanswered));
    facts.visit_apps = if apps.is_empty() {
        Reading::unknown(unanswered)
    } else {
        Reading::answered(apps)
    };
    let browser_cannot =
        "a browser cannot see this; plug the phone into a computer and run hygeia phone check";
    facts.installed_apps = Reading::unknown(browser_cannot);
    facts.unknown_sources = Reading::unknown(browser_cannot);
    facts.developer_options = Reading::unknown(browser_cannot);
    facts.usb_debugging = Reading::unknown(browser_cannot);
    facts.management = Reading::unknown(browser_cannot);
    // One phone per person and kind from the page: a new check replaces the earlier one.
    let key = hygeia_phone::record::identifier(
        reading.family,
        &format!("browser:{}:{}", link.user_id, reading.model),
    );
    let now = crate::db::now();
    let seen_at = hygeia_core::time_util::rfc3339(time::OffsetDateTime::now_utc());
    let record = phones::judge(
        key,
        reading.model.clone(),
        link.email.clone(),
        PhoneSource::Browser,
        seen_at,
        facts,
    )
    .ok_or_else(|| PageError::Shown {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message:
            "The phone catalog of this server cannot be read; tell the practice's administrator."
                .into(),
    })?;
    if !phones::use_link(&mut tx, &link.token_hash).await? {
        return Err(expired());
    }
    phones::save(&mut tx, link.practice_id, Some(link.user_id), &record, now).await?;
    crate::audit::record(
        &mut *tx,
        crate::audit::Entry {
            organization_id: None,
            practice_id: Some(link.practice_id),
            user_id: Some(link.user_id),
            actor: &link.email,
            action: "phones.check",
            target: &format!("phone {}", record.id),
            ip: "",
            detail: &format!(
                "phone check page: {} {}",
                record.facts.family.os_name(),
                record.facts.os_version.value().cloned().unwrap_or_default()
            ),
        },
    )
    .await?;
    tx.commit().await?;
    let body = html! {
        h1 { "Thank you" }
        p.lead { (record.facts.describe()) " is recorded for " (link.email) ". This link no longer works." }
        ul.results {
            @for r in &record.results {
                li { (status_badge(r.status.as_str())) " " strong { (super::layout::control_title(&r.control)) } br; (r.reason) }
            }
        }
        p.hint { "What you answered is marked as answered, not measured. For a full check, plug the phone into a computer with Hygeia and run: hygeia phone check" }
    };
    Ok(bare_page("Phone check", body).into_response())
}
