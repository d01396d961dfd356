//! Phishing awareness for a practice: its SMTP relay, the simulation templates, campaigns and
//! their results, and who completed training. Storage is in `crate::awareness::storage`.

use crate::audit;
use crate::auth::{Caller, Role, check_practice_managed, check_practice_visible};
use crate::awareness::catalog::{self, Template};
use crate::awareness::mailer::{Security, is_loopback};
use crate::awareness::storage::{self, NewCampaign, RelayView};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// The latest start accepted (2100-01-01), as the API document says.
const LATEST_START: i64 = 4_102_444_800;

/// Longest sending window, in hours (two weeks).
pub const MAX_WINDOW_HOURS: i64 = 14 * 24;

fn catalog_error(e: String) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        format!(
            "The simulation catalog of this build cannot be read ({e}); install the server again."
        ),
    )
}

/// Appends an administrator's action on a practice to the audit log.
async fn record_action(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    caller: &Caller,
    practice_id: i64,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    audit::record(
        &mut **tx,
        super::admin::entry(caller, Some(practice_id), action, target, detail),
    )
    .await
}

/// A mail server's host and port from a form: a host name or address only, a port in range.
fn mail_server(
    host: &str,
    port: Option<i64>,
    example: &str,
    ports: &str,
) -> ApiResult<(String, u16)> {
    let host = super::plain_text(
        "host",
        host,
        253,
        &format!("Give the server's host name, such as {example}."),
    )?;
    if host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
        return Err(ApiError::bad_request(format!(
            "host is a host name or address only, such as {example}."
        )));
    }
    let port = port
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p > 0)
        .ok_or_else(|| ApiError::bad_request(format!("port is 1 to 65535: usually {ports}.")))?;
    Ok((host, port))
}

/// A mail password from a form, sealed with the server's key; `None` keeps the stored one.
fn sealed_password(state: &AppState, password: Option<&String>) -> ApiResult<Option<String>> {
    match password {
        Some(p) if p.chars().count() > 500 || p.chars().any(char::is_control) => Err(
            ApiError::bad_request("password has at most 500 characters and no control characters."),
        ),
        Some(p) => Ok(Some(state.settings.sealing_key.seal(p))),
        None => Ok(None),
    }
}

/// The practice's administrators and its insurer's analysts read awareness data; clinicians
/// see only their own training.
async fn check_practice_reader(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
) -> ApiResult<()> {
    check_practice_visible(state, caller, practice_id).await?;
    if caller.role == Role::Clinician {
        return Err(ApiError::forbidden(
            "Simulations and training results are for the practice's administrators and its insurer.",
        ));
    }
    Ok(())
}

/// The relay, or none yet.
#[derive(Debug, Clone, Serialize)]
pub struct RelayAnswer {
    /// `null` until an administrator sets one up.
    pub relay: Option<RelayView>,
}

/// `GET /api/v1/practices/{id}/smtp-relay` (never the password).
pub async fn get_relay(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
) -> ApiResult<Json<RelayAnswer>> {
    practice_relay(&state, &caller, practice_id)
        .await
        .map(|relay| Json(RelayAnswer { relay }))
}

/// The practice's relay as the dashboard shows it (for the API and the page).
pub async fn practice_relay(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
) -> ApiResult<Option<RelayView>> {
    check_practice_reader(state, caller, practice_id).await?;
    let mut tx = state.db.snapshot().await?;
    let relay = storage::relay(&mut tx, practice_id).await?;
    tx.commit().await?;
    Ok(relay.map(|(view, _)| view))
}

/// Body of `POST /api/v1/practices/{id}/smtp-relay`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayForm {
    /// Host name or address.
    pub host: String,
    /// Port.
    #[serde(deserialize_with = "super::whole_number")]
    pub port: Option<i64>,
    /// `starttls`, `tls` or `plain`.
    pub security: String,
    /// User name; empty for none.
    #[serde(default)]
    pub username: String,
    /// Password; left out to keep the stored one.
    #[serde(default, deserialize_with = "super::not_null")]
    pub password: Option<String>,
    /// The sender of every simulation.
    pub from_address: String,
}

/// Checks and stores a relay (for the API and the page).
pub async fn set_relay(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
    form: &RelayForm,
) -> ApiResult<RelayView> {
    check_practice_managed(state, caller, practice_id).await?;
    // The relay's password is a credential: like passwords, it changes only from a session.
    caller.require_session()?;
    let (host, port) = mail_server(
        &form.host,
        form.port,
        "smtp.office365.com",
        "587 (STARTTLS) or 465 (TLS)",
    )?;
    let security = Security::parse(&form.security)
        .ok_or_else(|| ApiError::bad_request("security is starttls, tls or plain."))?;
    if security == Security::Plain && !is_loopback(&host) {
        return Err(ApiError::bad_request(
            "plain (unencrypted) is only allowed to a relay on this same server (127.0.0.1); use starttls or tls.",
        ));
    }
    let username = form.username.trim();
    if username.chars().count() > 200 || username.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "username has at most 200 characters and no control characters.",
        ));
    }
    let password = sealed_password(state, form.password.as_ref())?;
    let from_address = form.from_address.trim();
    if from_address.parse::<lettre::Address>().is_err() || from_address.len() > 254 {
        return Err(ApiError::bad_request(
            "from_address is one e-mail address, such as simulations@your-practice.example.",
        ));
    }
    let mut tx = state.db.write.begin().await?;
    storage::save_relay(
        &mut tx,
        practice_id,
        &host,
        port,
        security,
        username,
        password,
        from_address,
        caller.user_id,
    )
    .await?;
    record_action(
        &mut tx,
        caller,
        practice_id,
        "smtp_relay.set",
        &format!("practice {practice_id}"),
        &format!("{host}:{port} {}", security.as_str()),
    )
    .await?;
    let view = storage::relay(&mut tx, practice_id).await?.map(|(v, _)| v);
    tx.commit().await?;
    view.ok_or_else(|| ApiError::not_found("SMTP relay"))
}

/// `POST /api/v1/practices/{id}/smtp-relay`.
pub async fn post_relay(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Json(form): Json<RelayForm>,
) -> ApiResult<Json<RelayView>> {
    set_relay(&state, &caller, practice_id, &form)
        .await
        .map(Json)
}

/// The report mailbox, or none yet.
#[derive(Debug, Clone, Serialize)]
pub struct ReportMailboxAnswer {
    /// `null` until an administrator sets one up.
    pub mailbox: Option<storage::ReportMailboxView>,
}

/// `GET /api/v1/practices/{id}/report-mailbox` (never the password).
pub async fn get_report_mailbox(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
) -> ApiResult<Json<ReportMailboxAnswer>> {
    practice_report_mailbox(&state, &caller, practice_id)
        .await
        .map(|mailbox| Json(ReportMailboxAnswer { mailbox }))
}

/// The practice's report mailbox as the dashboard shows it (for the API and the page).
pub async fn practice_report_mailbox(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
) -> ApiResult<Option<storage::ReportMailboxView>> {
    check_practice_reader(state, caller, practice_id).await?;
    let mut tx = state.db.snapshot().await?;
    let mailbox = storage::report_mailbox(&mut tx, practice_id).await?;
    tx.commit().await?;
    Ok(mailbox)
}

/// Body of `POST /api/v1/practices/{id}/report-mailbox`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportMailboxForm {
    /// IMAP host.
    pub host: String,
    /// Port (993 with TLS, 143 with STARTTLS).
    #[serde(deserialize_with = "super::whole_number")]
    pub port: Option<i64>,
    /// `tls` or `starttls`.
    pub security: String,
    /// Account.
    pub username: String,
    /// Password; left out to keep the stored one.
    #[serde(default, deserialize_with = "super::not_null")]
    pub password: Option<String>,
    /// Folder; INBOX when left out.
    #[serde(default, deserialize_with = "super::not_null")]
    pub folder: Option<String>,
}

/// Checks and stores a report mailbox (for the API and the page).
pub async fn set_report_mailbox(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
    form: &ReportMailboxForm,
) -> ApiResult<storage::ReportMailboxView> {
    check_practice_managed(state, caller, practice_id).await?;
    caller.require_session()?;
    let (host, port) = mail_server(
        &form.host,
        form.port,
        "outlook.office365.com",
        "993 (TLS) or 143 (STARTTLS)",
    )?;
    let security = match form.security.as_str() {
        "tls" | "starttls" => form.security.as_str(),
        _ => {
            return Err(ApiError::bad_request(
                "security is tls or starttls: the mailbox is always read encrypted.",
            ));
        }
    };
    let username = super::plain_text(
        "username",
        &form.username,
        200,
        "Give the mailbox's account, such as report-phishing@your-practice.example.",
    )?;
    let folder = match &form.folder {
        Some(f) => super::plain_text("folder", f, 200, "Give the folder, such as INBOX.")?,
        None => "INBOX".to_string(),
    };
    let password = sealed_password(state, form.password.as_ref())?;
    let mut tx = state.db.write.begin().await?;
    storage::save_report_mailbox(
        &mut tx,
        practice_id,
        &host,
        port,
        security,
        &username,
        password,
        &folder,
        caller.user_id,
    )
    .await?;
    record_action(
        &mut tx,
        caller,
        practice_id,
        "report_mailbox.set",
        &format!("practice {practice_id}"),
        &format!("{username} at {host}:{port} {folder}"),
    )
    .await?;
    let view = storage::report_mailbox(&mut tx, practice_id).await?;
    tx.commit().await?;
    view.ok_or_else(|| ApiError::not_found("report mailbox"))
}

/// `POST /api/v1/practices/{id}/report-mailbox`.
pub async fn post_report_mailbox(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Json(form): Json<ReportMailboxForm>,
) -> ApiResult<Json<storage::ReportMailboxView>> {
    set_report_mailbox(&state, &caller, practice_id, &form)
        .await
        .map(Json)
}

/// `GET /api/v1/practices/{id}/simulation-templates`: the shipped templates, then the
/// practice's own copies (`copy-N`), newest first.
pub async fn templates(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
) -> ApiResult<Json<Vec<Template>>> {
    practice_templates(&state, &caller, practice_id)
        .await
        .map(Json)
}

/// The templates a practice may send (for the API and the page).
pub async fn practice_templates(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
) -> ApiResult<Vec<Template>> {
    check_practice_reader(state, caller, practice_id).await?;
    let mut all = catalog::builtin().map_err(catalog_error)?.templates.clone();
    let mut tx = state.db.snapshot().await?;
    all.extend(storage::template_copies(&mut tx, practice_id).await?);
    tx.commit().await?;
    Ok(all)
}

/// Body of `POST /api/v1/practices/{id}/simulation-templates`: an edited copy of a template.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateCopyForm {
    /// The template it starts from (a shipped one or a copy).
    pub based_on: String,
    /// Its name.
    pub name: String,
    /// The sender's display name.
    pub sender_name: String,
    /// Subject.
    pub subject: String,
    /// The link's button.
    pub button: String,
    /// Body, with `{link}`.
    pub body: String,
    /// What gives it away (one or more).
    pub red_flags: Vec<String>,
}

/// Checks and stores a copy (for the API and the page).
pub async fn copy_template(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
    form: &TemplateCopyForm,
) -> ApiResult<Template> {
    check_practice_managed(state, caller, practice_id).await?;
    // New phishing text is written on the dashboard: a leaked API token cannot author messages
    // to send through the practice's relay.
    caller.require_session()?;
    let mut tx = state.db.write.begin().await?;
    let base = storage::template_for(&mut tx, practice_id, &form.based_on)
        .await?
        .ok_or_else(|| ApiError::not_found("template"))?;
    let template = Template {
        name: form.name.trim().to_string(),
        sender_name: form.sender_name.trim().to_string(),
        subject: form.subject.trim().to_string(),
        button: form.button.trim().to_string(),
        body: form.body.replace("\r\n", "\n"),
        red_flags: form
            .red_flags
            .iter()
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect(),
        ..base
    };
    catalog::check_template_text(&template)
        .map_err(|e| ApiError::bad_request(format!("The message cannot be used: {e}.")))?;
    if template
        .red_flags
        .iter()
        .any(|f| f.chars().count() > 300 || f.chars().any(char::is_control))
    {
        return Err(ApiError::bad_request(
            "Each red flag has at most 300 characters and no control characters.",
        ));
    }
    let copy = storage::save_template_copy(
        &mut tx,
        practice_id,
        &form.based_on,
        &template,
        caller.user_id,
    )
    .await?;
    record_action(
        &mut tx,
        caller,
        practice_id,
        "simulation_template.copy",
        &copy.id,
        &format!("from {}", form.based_on),
    )
    .await?;
    tx.commit().await?;
    Ok(copy)
}

/// `POST /api/v1/practices/{id}/simulation-templates`.
pub async fn post_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Json(form): Json<TemplateCopyForm>,
) -> ApiResult<(StatusCode, Json<Template>)> {
    copy_template(&state, &caller, practice_id, &form)
        .await
        .map(|t| (StatusCode::CREATED, Json(t)))
}

/// Body of `POST /api/v1/practices/{id}/campaigns`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignForm {
    /// Its name.
    pub name: String,
    /// A shipped template's id.
    pub template: String,
    /// The practice's users it goes to; left out for every active user of the practice.
    #[serde(default, deserialize_with = "super::whole_numbers")]
    pub recipients: Option<Vec<i64>>,
    /// When sending starts (Unix time); left out for now.
    #[serde(default, deserialize_with = "super::whole_number")]
    pub starts_at: Option<i64>,
    /// Hours over which the messages are spread (0 to 336; 0 sends at once).
    #[serde(default, deserialize_with = "super::whole_number")]
    pub window_hours: Option<i64>,
    /// Open tracking (a pixel); off by default.
    #[serde(default)]
    pub track_opens: bool,
    /// Whether the insurer's analysts may see who clicked; off by default.
    #[serde(default)]
    pub share_names: bool,
}

/// A campaign and its numbers.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignSummary {
    /// Id.
    pub id: i64,
    /// Practice.
    pub practice_id: i64,
    /// Name.
    pub name: String,
    /// Template id.
    pub template: String,
    /// Template name.
    pub template_name: String,
    /// Window.
    pub starts_at: i64,
    /// Window end.
    pub ends_at: i64,
    /// Open tracking.
    pub track_opens: bool,
    /// Names shared with the insurer.
    pub share_names: bool,
    /// Cancelled when.
    pub cancelled_at: Option<i64>,
    /// People.
    pub recipients: i64,
    /// Messages sent.
    pub sent: i64,
    /// Opened (only with tracking).
    pub opened: i64,
    /// Clicked.
    pub clicked: i64,
    /// Typed something on the landing page.
    pub submitted: i64,
    /// Reported.
    pub reported: i64,
    /// clicked / sent.
    pub click_rate: Option<f64>,
    /// reported / sent.
    pub report_rate: Option<f64>,
    /// Seconds from the first message sent to the first report.
    pub first_report_after_seconds: Option<i64>,
}

/// What each person did (names only for the practice, or the insurer when shared).
#[derive(Debug, Clone, Serialize)]
pub struct RecipientRow {
    /// User id (absent for an insurer without shared names).
    pub user_id: Option<i64>,
    /// Name (absent likewise).
    pub name: Option<String>,
    /// Sent when.
    pub sent_at: Option<i64>,
    /// Why it was not sent yet.
    pub last_error: Option<String>,
    /// Opened when.
    pub opened_at: Option<i64>,
    /// Clicked when.
    pub clicked_at: Option<i64>,
    /// Typed something when.
    pub submitted_at: Option<i64>,
    /// Reported when.
    pub reported_at: Option<i64>,
}

/// A campaign with its people.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignDetail {
    /// The numbers.
    #[serde(flatten)]
    pub summary: CampaignSummary,
    /// The people, by name (or in sending order without names).
    pub people: Vec<RecipientRow>,
}

const SUMMARY_SQL: &str = "SELECT c.id, c.practice_id, c.name, c.template_json, c.starts_at, c.ends_at, c.track_opens, c.share_names, c.cancelled_at, \
     COUNT(r.user_id) AS recipients, COUNT(r.sent_at) AS sent, COUNT(r.opened_at) AS opened, COUNT(r.clicked_at) AS clicked, \
     COUNT(r.submitted_at) AS submitted, COUNT(r.reported_at) AS reported, MIN(r.sent_at) AS first_sent, MIN(r.reported_at) AS first_report \
     FROM campaigns c LEFT JOIN campaign_recipients r ON r.campaign_id = c.id";

/// What [`SUMMARY_SQL`] groups by (every campaign column it reads).
const SUMMARY_GROUP: &str = " GROUP BY c.id, c.practice_id, c.name, c.template_json, c.starts_at, c.ends_at, c.track_opens, c.share_names, c.cancelled_at";

fn summary_of(row: &sqlx::any::AnyRow) -> Result<CampaignSummary, sqlx::Error> {
    let template: Option<Template> =
        serde_json::from_str(&row.try_get::<String, _>("template_json")?).ok();
    let sent: i64 = row.try_get("sent")?;
    let rate = |n: i64| (sent > 0).then(|| n as f64 / sent as f64);
    let clicked: i64 = row.try_get("clicked")?;
    let reported: i64 = row.try_get("reported")?;
    let first_sent: Option<i64> = row.try_get("first_sent")?;
    let first_report: Option<i64> = row.try_get("first_report")?;
    Ok(CampaignSummary {
        id: row.try_get("id")?,
        practice_id: row.try_get("practice_id")?,
        name: row.try_get("name")?,
        template: template.as_ref().map(|t| t.id.clone()).unwrap_or_default(),
        template_name: template.map(|t| t.name).unwrap_or_default(),
        starts_at: row.try_get("starts_at")?,
        ends_at: row.try_get("ends_at")?,
        track_opens: row.try_get::<i64, _>("track_opens")? != 0,
        share_names: row.try_get::<i64, _>("share_names")? != 0,
        cancelled_at: row.try_get("cancelled_at")?,
        recipients: row.try_get("recipients")?,
        sent,
        opened: row.try_get("opened")?,
        clicked,
        submitted: row.try_get("submitted")?,
        reported,
        click_rate: rate(clicked),
        report_rate: rate(reported),
        first_report_after_seconds: first_sent.zip(first_report).map(|(s, r)| (r - s).max(0)),
    })
}

/// The campaigns of a practice, newest first (administrators and the insurer).
pub async fn practice_campaigns(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
) -> ApiResult<Vec<CampaignSummary>> {
    check_practice_reader(state, caller, practice_id).await?;
    let mut tx = state.db.snapshot().await?;
    let rows = sqlx::query(&format!(
        "{SUMMARY_SQL} WHERE c.practice_id = $1{SUMMARY_GROUP} ORDER BY c.id DESC"
    ))
    .bind(practice_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    rows.iter()
        .map(|r| summary_of(r).map_err(ApiError::from))
        .collect()
}

/// `GET /api/v1/practices/{id}/campaigns`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
) -> ApiResult<Json<Vec<CampaignSummary>>> {
    practice_campaigns(&state, &caller, practice_id)
        .await
        .map(Json)
}

/// Checks and stores a campaign (for the API and the page).
pub async fn create_campaign(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
    form: &CampaignForm,
    link_base: &str,
) -> ApiResult<CampaignSummary> {
    check_practice_managed(state, caller, practice_id).await?;
    let name = super::plain_text(
        "name",
        &form.name,
        120,
        "Give the campaign a name, such as \"December: shared document\".",
    )?;
    let template = {
        let mut tx = state.db.snapshot().await?;
        let found = storage::template_for(&mut tx, practice_id, &form.template).await?;
        tx.commit().await?;
        found.ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("template {} does not exist; list them with GET /api/v1/practices/{practice_id}/simulation-templates.", form.template),
            )
        })?
    };
    let now = crate::db::now();
    // A start in the past means now.
    let starts_at = form.starts_at.unwrap_or(now).max(now);
    if starts_at > LATEST_START {
        return Err(ApiError::bad_request(
            "starts_at is a Unix time before 2100.",
        ));
    }
    let window = form.window_hours.unwrap_or(24);
    if !(0..=MAX_WINDOW_HOURS).contains(&window) {
        return Err(ApiError::bad_request(format!(
            "window_hours is 0 to {MAX_WINDOW_HOURS}."
        )));
    }
    let mut tx = state.db.write.begin().await?;
    // Only the practice's own people: never an address typed in, so this cannot phish anyone else.
    let members: Vec<i64> = sqlx::query(
        "SELECT id FROM users WHERE practice_id = $1 AND disabled = 0 AND role IN ('practice_admin', 'clinician') ORDER BY id",
    )
    .bind(practice_id)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect::<Result<_, _>>()?;
    let recipients: Vec<i64> = match &form.recipients {
        None => members.clone(),
        Some(chosen) => {
            if let Some(stranger) = chosen.iter().find(|id| !members.contains(id)) {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    format!(
                        "user {stranger} is not an active person of this practice; simulations go only to the practice's own users."
                    ),
                ));
            }
            let mut unique = chosen.clone();
            unique.sort_unstable();
            unique.dedup();
            unique
        }
    };
    if recipients.is_empty() {
        return Err(ApiError::bad_request(
            "The campaign has nobody to go to: add the practice's people as users first.",
        ));
    }
    let id = storage::create_campaign(
        &mut tx,
        &NewCampaign {
            practice_id,
            name: &name,
            template: &template,
            link_base,
            starts_at,
            ends_at: starts_at + window * 3600,
            track_opens: form.track_opens,
            share_names: form.share_names,
            created_by: caller.user_id,
            recipients: &recipients,
        },
    )
    .await?;
    record_action(
        &mut tx,
        caller,
        practice_id,
        "campaign.create",
        &format!("campaign {id}"),
        &format!(
            "{} to {} people over {window} h",
            template.id,
            recipients.len()
        ),
    )
    .await?;
    let row = sqlx::query(&format!("{SUMMARY_SQL} WHERE c.id = $1{SUMMARY_GROUP}"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let summary = summary_of(&row)?;
    tx.commit().await?;
    Ok(summary)
}

/// The start of the links: `link_base` when given (`https://host[:port]`), otherwise the
/// address the caller's browser used.
pub fn link_base(given: Option<&str>, headers: &HeaderMap) -> ApiResult<String> {
    let base = match given {
        Some(base) => base.trim().trim_end_matches('/').to_string(),
        None => crate::pages::admin::server_url(headers),
    };
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .unwrap_or("");
    if rest.is_empty()
        || base.len() > 200
        || rest.contains(|c: char| {
            !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
    {
        return Err(ApiError::bad_request(
            "link_base is the server's address as people reach it, such as https://hygeia.clinic.example:8443 (no path).",
        ));
    }
    Ok(base)
}

/// `POST /api/v1/practices/{id}/campaigns`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    headers: HeaderMap,
    Json(request): Json<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<CampaignSummary>)> {
    let mut request = request;
    let base = match request.as_object_mut().and_then(|o| o.remove("link_base")) {
        None => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(_) => {
            return Err(ApiError::bad_request(
                "link_base is a text such as https://hygeia.clinic.example, or left out.",
            ));
        }
    };
    let form: CampaignForm = serde_json::from_value(request)
        .map_err(|e| ApiError::bad_request(format!("The campaign is not understood: {e}.")))?;
    // Whether the caller may, before what they sent is judged.
    check_practice_managed(&state, &caller, practice_id).await?;
    let base = link_base(base.as_deref(), &headers)?;
    create_campaign(&state, &caller, practice_id, &form, &base)
        .await
        .map(|s| (StatusCode::CREATED, Json(s)))
}

/// The practice a campaign belongs to, when the caller may read it.
async fn campaign_practice(state: &AppState, caller: &Caller, campaign_id: i64) -> ApiResult<i64> {
    let mut tx = state.db.snapshot().await?;
    let practice: Option<i64> = sqlx::query("SELECT practice_id FROM campaigns WHERE id = $1")
        .bind(campaign_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("practice_id"))
        .transpose()?;
    tx.commit().await?;
    let practice = practice.ok_or_else(|| ApiError::not_found("campaign"))?;
    check_practice_visible(state, caller, practice)
        .await
        .map_err(|_| ApiError::not_found("campaign"))?;
    if caller.role == Role::Clinician {
        return Err(ApiError::not_found("campaign"));
    }
    Ok(practice)
}

/// One campaign with its people (for the API and the page).
pub async fn campaign_detail(
    state: &AppState,
    caller: &Caller,
    campaign_id: i64,
) -> ApiResult<CampaignDetail> {
    campaign_practice(state, caller, campaign_id).await?;
    let mut tx = state.db.snapshot().await?;
    let row = sqlx::query(&format!("{SUMMARY_SQL} WHERE c.id = $1{SUMMARY_GROUP}"))
        .bind(campaign_id)
        .fetch_one(&mut *tx)
        .await?;
    let summary = summary_of(&row)?;
    let names_visible = caller.role == Role::PracticeAdmin || summary.share_names;
    let rows = sqlx::query(
        "SELECT r.user_id, u.display_name, r.sent_at, r.last_error, r.opened_at, r.clicked_at, r.submitted_at, r.reported_at \
         FROM campaign_recipients r JOIN users u ON u.id = r.user_id WHERE r.campaign_id = $1 ORDER BY u.display_name, r.user_id",
    )
    .bind(campaign_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let people = rows
        .iter()
        .map(|r| {
            Ok(RecipientRow {
                user_id: if names_visible {
                    Some(r.try_get("user_id")?)
                } else {
                    None
                },
                name: if names_visible {
                    Some(r.try_get("display_name")?)
                } else {
                    None
                },
                sent_at: r.try_get("sent_at")?,
                last_error: if names_visible {
                    r.try_get("last_error")?
                } else {
                    None
                },
                opened_at: r.try_get("opened_at")?,
                clicked_at: r.try_get("clicked_at")?,
                submitted_at: r.try_get("submitted_at")?,
                reported_at: r.try_get("reported_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(CampaignDetail { summary, people })
}

/// `GET /api/v1/campaigns/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(campaign_id): Path<i64>,
) -> ApiResult<Json<CampaignDetail>> {
    campaign_detail(&state, &caller, campaign_id)
        .await
        .map(Json)
}

/// `POST /api/v1/campaigns/{id}/cancel`: nothing more is sent; links already sent still teach.
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(campaign_id): Path<i64>,
) -> ApiResult<Json<CampaignDetail>> {
    cancel_campaign(&state, &caller, campaign_id)
        .await
        .map(Json)
}

/// Cancels a campaign (for the API and the page).
pub async fn cancel_campaign(
    state: &AppState,
    caller: &Caller,
    campaign_id: i64,
) -> ApiResult<CampaignDetail> {
    let practice_id = campaign_practice(state, caller, campaign_id).await?;
    check_practice_managed(state, caller, practice_id)
        .await
        .map_err(|_| ApiError::not_found("campaign"))?;
    let mut tx = state.db.write.begin().await?;
    sqlx::query("UPDATE campaigns SET cancelled_at = $1 WHERE id = $2 AND cancelled_at IS NULL")
        .bind(crate::db::now())
        .bind(campaign_id)
        .execute(&mut *tx)
        .await?;
    record_action(
        &mut tx,
        caller,
        practice_id,
        "campaign.cancel",
        &format!("campaign {campaign_id}"),
        "",
    )
    .await?;
    tx.commit().await?;
    campaign_detail(state, caller, campaign_id).await
}

/// A person's training state (HY-EM-002). The insurer sees the rows without who they are.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingRow {
    /// User (practice administrators only).
    pub user_id: Option<i64>,
    /// Name (practice administrators only).
    pub name: Option<String>,
    /// Latest module passed within 12 months.
    pub module: Option<String>,
    /// When.
    pub completed_at: Option<i64>,
    /// Its score.
    pub score: Option<i64>,
    /// Modules assigned and not completed.
    pub assigned: Vec<String>,
    /// `trained` with a module passed on this server within 12 months, otherwise
    /// `not_trained` (which is not a failure: the person may have trained elsewhere).
    pub status: String,
}

/// `GET /api/v1/practices/{id}/training`.
pub async fn training(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
) -> ApiResult<Json<Vec<TrainingRow>>> {
    practice_training(&state, &caller, practice_id)
        .await
        .map(Json)
}

/// Each person's training (for the API and the page).
pub async fn practice_training(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
) -> ApiResult<Vec<TrainingRow>> {
    check_practice_reader(state, caller, practice_id).await?;
    let names_visible = caller.role == Role::PracticeAdmin;
    let now = crate::db::now();
    let mut tx = state.db.snapshot().await?;
    let users = sqlx::query(
        "SELECT id, display_name FROM users WHERE practice_id = $1 AND disabled = 0 AND role IN ('practice_admin', 'clinician') ORDER BY display_name, id",
    )
    .bind(practice_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut rows = Vec::new();
    for user in &users {
        let user_id: i64 = user.try_get("id")?;
        let latest = storage::latest_training(&mut tx, user_id, now).await?;
        let assigned = storage::assigned_modules(&mut tx, user_id).await?;
        rows.push(TrainingRow {
            user_id: names_visible.then_some(user_id),
            name: if names_visible {
                Some(user.try_get("display_name")?)
            } else {
                None
            },
            status: if latest.is_some() {
                "trained"
            } else {
                "not_trained"
            }
            .into(),
            module: latest.as_ref().map(|l| l.0.clone()),
            completed_at: latest.as_ref().map(|l| l.1),
            score: latest.as_ref().map(|l| l.2),
            assigned,
        });
    }
    tx.commit().await?;
    Ok(rows)
}
