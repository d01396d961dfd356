//! Simulations and training in the dashboard: the practice's relay, new campaigns and their
//! results, each person's training (administrators; the insurer reads numbers), and "My
//! training", where anyone signed in takes a lesson. The pages call the API's handlers, so the
//! rules (who may, what is valid) are the API's.

use super::layout::{capitalized, csrf_field, date, datetime, empty_state, page, percent};
use super::learn::{module_page, results, score};
use super::{CsrfForm, PageError, PageResult, Viewer};
use crate::api::admin::users_of;
use crate::api::awareness::{
    CampaignForm, CampaignSummary, RelayForm, ReportMailboxForm, TemplateCopyForm, campaign_detail,
    copy_template, create_campaign, link_base, practice_campaigns, practice_relay,
    practice_report_mailbox, practice_templates, practice_training, set_relay, set_report_mailbox,
};
use crate::api::read::Page;
use crate::auth::Role;
use crate::awareness::{catalog, storage};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

fn catalog_broken(e: String) -> PageError {
    PageError::Shown {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: format!("The simulation catalog of this server cannot be read ({e})."),
    }
}

fn rate(share: Option<f64>) -> String {
    share.map(percent).unwrap_or_else(|| "–".into())
}

fn campaigns_table(items: &[CampaignSummary]) -> Markup {
    html! {
        div.table-wrap { table {
            thead { tr {
                th { "Campaign" } th { "Template" } th { "Sending" } th.num { "Sent" }
                th.num { "Clicked" } th.num { "Typed" } th.num { "Reported" } th { "First report" }
            } }
            tbody { @for c in items { tr {
                td { a href={ "/campaigns/" (c.id) } { (c.name) } @if c.cancelled_at.is_some() { br; span.hint { "cancelled" } } }
                td { (c.template_name) }
                td { (datetime(c.starts_at)) br; span.hint { "to " (datetime(c.ends_at)) } }
                td.num { (c.sent) " of " (c.recipients) }
                td.num { (c.clicked) br; span.hint { (rate(c.click_rate)) } }
                td.num { (c.submitted) }
                td.num { (c.reported) br; span.hint { (rate(c.report_rate)) } }
                td { @match c.first_report_after_seconds {
                    Some(s) if s < 3600 => { (s / 60) " min after the first message" },
                    Some(s) => { (s / 3600) " h after the first message" },
                    None => { span.hint { "none yet" } },
                } }
            } } }
        } }
    }
}

/// Sent, clicked and reported per month of the campaigns' start, oldest first: whether the
/// practice is getting better at spotting them.
fn monthly_trend(campaigns: &[CampaignSummary]) -> Vec<(String, i64, i64, i64)> {
    let mut months: std::collections::BTreeMap<String, (i64, i64, i64)> = Default::default();
    for c in campaigns.iter().filter(|c| c.sent > 0) {
        let month = date(c.starts_at).chars().take(7).collect::<String>();
        let entry = months.entry(month).or_default();
        entry.0 += c.sent;
        entry.1 += c.clicked;
        entry.2 += c.reported;
    }
    months
        .into_iter()
        .map(|(month, (sent, clicked, reported))| (month, sent, clicked, reported))
        .collect()
}

/// `GET /practices/{id}/simulations`.
pub async fn simulations(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
) -> PageResult<Markup> {
    let caller = viewer.caller();
    let campaigns = practice_campaigns(&state, &caller, practice_id).await?;
    let relay = practice_relay(&state, &caller, practice_id).await?;
    let training = practice_training(&state, &caller, practice_id).await?;
    let mailbox = practice_report_mailbox(&state, &caller, practice_id).await?;
    let manages = viewer.role == Role::PracticeAdmin && viewer.practice_id == Some(practice_id);
    let people = if manages {
        users_of(
            &state,
            &caller,
            practice_id,
            &Page {
                limit: Some(500),
                offset: None,
            },
        )
        .await?
        .items
        .into_iter()
        .filter(|u| !u.disabled && u.role != "insurer_analyst")
        .collect()
    } else {
        Vec::new()
    };
    let templates = practice_templates(&state, &caller, practice_id).await?;
    let sent: i64 = campaigns.iter().map(|c| c.sent).sum();
    let clicked: i64 = campaigns.iter().map(|c| c.clicked).sum();
    let reported: i64 = campaigns.iter().map(|c| c.reported).sum();
    let trained = training.iter().filter(|t| t.status == "trained").count();
    let share = |n: i64| (sent > 0).then(|| n as f64 / sent as f64);
    let body = html! {
        h1 { "Phishing simulations and training" }
        p.lead { "Send your people realistic practice phishing messages; whoever clicks sees at once what gave it away and gets a five-minute lesson. A lesson passed counts as this year's awareness training (HY-EM-002)." }
        div.tiles {
            div.tile { span.number { (sent) } "simulations sent" }
            div.tile { span.number { (rate(share(clicked))) } "clicked (phish-prone)" }
            div.tile { span.number { (rate(share(reported))) } "reported" }
            div.tile { span.number { (trained) " of " (training.len()) } "people trained in the last 12 months" }
        }
        section aria-labelledby="campaigns" {
            h2 #campaigns { "Campaigns" }
            @if campaigns.is_empty() {
                (empty_state("No campaign yet", html! { "Set up the practice's mail relay, then start a campaign below." }))
            } @else {
                (campaigns_table(&campaigns))
                @let trend = monthly_trend(&campaigns);
                @if trend.len() > 1 {
                    h3 { "Month by month" }
                    div.table-wrap { table {
                        thead { tr { th { "Month" } th.num { "Sent" } th.num { "Clicked" } th.num { "Reported" } } }
                        tbody { @for (month, sent, clicked, reported) in &trend { tr {
                            td { (month) }
                            td.num { (sent) }
                            td.num { (percent(*clicked as f64 / *sent as f64)) }
                            td.num { (percent(*reported as f64 / *sent as f64)) }
                        } } }
                    } }
                }
            }
        }
        @if manages {
            section.card aria-labelledby="new" {
                h2 #new { "Start a campaign" }
                @if relay.is_none() {
                    p.notice role="status" { "Set up the mail relay first (below): messages wait until it is." }
                }
                form.stack method="post" action={ "/practices/" (practice_id) "/simulations/campaigns" } {
                    (csrf_field(&viewer))
                    label for="name" { "Name" }
                    input #name type="text" name="name" maxlength="120" required placeholder="December: shared document";
                    label for="template" { "Message" }
                    select #template name="template" {
                        @for t in &templates {
                            option value=(t.id) { (t.name) " (" (capitalized(&format!("{:?}", t.difficulty).to_lowercase())) ")" }
                        }
                    }
                    fieldset {
                        legend { "To (the practice's own people only)" }
                        @for u in &people {
                            label { input type="checkbox" name="recipient" value=(u.id) checked; " " (u.display_name) " (" (u.email) ")" }
                        }
                    }
                    label for="window" { "Spread over (hours, 0 sends at once)" }
                    input #window type="number" name="window_hours" min="0" max="336" value="24";
                    label { input type="checkbox" name="track_opens" value="on"; " Track opens (adds an image; off by default)" }
                    label { input type="checkbox" name="share_names" value="on"; " Let our insurer see who clicked (otherwise only numbers)" }
                    button type="submit" { "Start the campaign" }
                }
            }
        }
        @if manages {
            section aria-labelledby="messages" {
                h2 #messages { "Messages" }
                p.hint { "Each is modelled on a lure that reaches practices. Edit a copy to use your EHR's or your suppliers' names." }
                div.table-wrap { table {
                    thead { tr { th { "Message" } th { "Pretends to be" } th { "Difficulty" } th { "Lesson for who clicks" } th {} } }
                    tbody { @for t in &templates { tr {
                        td { (t.name) br; span.hint { (t.subject) } }
                        td { (capitalized(&format!("{:?}", t.lure).to_lowercase())) }
                        td { (capitalized(&format!("{:?}", t.difficulty).to_lowercase())) }
                        td { (storage::module_title(&t.training)) }
                        td { a href={ "/practices/" (practice_id) "/simulations/templates/" (t.id) } { "Edit a copy" } }
                    } } }
                } }
            }
        }
        section aria-labelledby="training" {
            h2 #training { "Training" }
            @if manages {
                div.table-wrap { table {
                    thead { tr { th { "Person" } th { "Status" } th { "Latest lesson passed" } th { "Assigned" } } }
                    tbody { @for t in &training { tr {
                        td { (t.name.clone().unwrap_or_default()) }
                        td { @if t.status == "trained" { span.badge.ok { "Trained" } } @else { span.badge.unknown { "Not yet" } } }
                        td { @match (&t.module, t.completed_at) {
                            (Some(m), Some(at)) => { (storage::module_title(m)) br; span.hint { (date(at)) @if let Some(s) = t.score { " · " (s) "/5" } } },
                            _ => { span.hint { "none in 12 months" } },
                        } }
                        td { @for m in &t.assigned { div { (storage::module_title(m)) } } }
                    } } }
                } }
                p.hint { "Anyone signed in takes the lessons under My training; people who click a simulation get the lesson's link right away." }
            } @else {
                p { (trained) " of " (training.len()) " people passed a lesson in the last 12 months." }
            }
        }
        @if manages {
            section.card aria-labelledby="relay" {
                h2 #relay { "Mail relay" }
                p { "Simulations go out through the practice's own mail server (for example smtp.office365.com, port 587, STARTTLS) from one sender address. Every message carries the header " code { "X-Hygeia-Simulation" } ": allow it in your mail filter." }
                @if let Some(r) = &relay {
                    p { "Now: " strong { (r.host) ":" (r.port) } " (" (r.security) "), from " (r.from_address) @if r.has_password { ", with a password" } ". Changed " (datetime(r.updated_at)) "." }
                }
                form.stack method="post" action={ "/practices/" (practice_id) "/simulations/relay" } autocomplete="off" {
                    (csrf_field(&viewer))
                    label for="host" { "Server" }
                    input #host type="text" name="host" required value=(relay.as_ref().map(|r| r.host.clone()).unwrap_or_default());
                    label for="port" { "Port" }
                    input #port type="number" name="port" min="1" max="65535" required value=(relay.as_ref().map(|r| r.port).unwrap_or(587));
                    label for="security" { "Encryption" }
                    select #security name="security" {
                        option value="starttls" selected[relay.as_ref().is_some_and(|r| r.security == "starttls")] { "STARTTLS (port 587)" }
                        option value="tls" selected[relay.as_ref().is_some_and(|r| r.security == "tls")] { "TLS (port 465)" }
                        option value="plain" selected[relay.as_ref().is_some_and(|r| r.security == "plain")] { "None (only a relay on this server)" }
                    }
                    label for="username" { "User name (empty for none)" }
                    input #username type="text" name="username" autocomplete="off" value=(relay.as_ref().map(|r| r.username.clone()).unwrap_or_default());
                    label for="password" { "Password (leave empty to keep the stored one)" }
                    input #password type="password" name="password" autocomplete="new-password";
                    label for="from" { "Sender address" }
                    input #from type="email" name="from_address" required value=(relay.as_ref().map(|r| r.from_address.clone()).unwrap_or_default());
                    button type="submit" { "Save the relay" }
                }
            }
            section.card aria-labelledby="mailbox" {
                h2 #mailbox { "Report mailbox" }
                p { "The address your people forward suspicious messages to. Hygeia reads it every few minutes without changing anything (read-only IMAP) and counts a forwarded simulation as reported." }
                @if let Some(m) = &mailbox {
                    p { "Now: " strong { (m.username) } " at " (m.host) ":" (m.port) " (" (m.security) "), folder " (m.folder) ". "
                        @match (m.checked_at, &m.last_error) {
                            (_, Some(e)) => { strong { "The last reading failed: " } (e) },
                            (Some(at), None) => { "Last read " (datetime(at)) "." },
                            (None, None) => { "Not read yet." },
                        } }
                }
                form.stack method="post" action={ "/practices/" (practice_id) "/simulations/report-mailbox" } autocomplete="off" {
                    (csrf_field(&viewer))
                    label for="imap-host" { "IMAP server" }
                    input #imap-host type="text" name="host" required value=(mailbox.as_ref().map(|m| m.host.clone()).unwrap_or_default());
                    label for="imap-port" { "Port" }
                    input #imap-port type="number" name="port" min="1" max="65535" required value=(mailbox.as_ref().map(|m| m.port).unwrap_or(993));
                    label for="imap-security" { "Encryption" }
                    select #imap-security name="security" {
                        option value="tls" selected[mailbox.as_ref().is_some_and(|m| m.security == "tls")] { "TLS (port 993)" }
                        option value="starttls" selected[mailbox.as_ref().is_some_and(|m| m.security == "starttls")] { "STARTTLS (port 143)" }
                    }
                    label for="imap-user" { "Account" }
                    input #imap-user type="text" name="username" required value=(mailbox.as_ref().map(|m| m.username.clone()).unwrap_or_default());
                    label for="imap-password" { "Password (leave empty to keep the stored one)" }
                    input #imap-password type="password" name="password" autocomplete="new-password";
                    label for="imap-folder" { "Folder" }
                    input #imap-folder type="text" name="folder" value=(mailbox.as_ref().map(|m| m.folder.clone()).unwrap_or_else(|| "INBOX".into()));
                    button type="submit" { "Save the report mailbox" }
                }
            }
        }
    };
    Ok(page("Simulations", &viewer, body))
}

/// `GET /practices/{id}/simulations/templates/{template}`: a template in a form, to save as
/// the practice's own copy (the insurer reads it as it is).
pub async fn edit_template(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((practice_id, template_id)): Path<(i64, String)>,
) -> PageResult<Markup> {
    let templates = practice_templates(&state, &viewer.caller(), practice_id).await?;
    let manages = viewer.role == Role::PracticeAdmin && viewer.practice_id == Some(practice_id);
    let Some(t) = templates.into_iter().find(|t| t.id == template_id) else {
        return Err(PageError::Shown {
            status: StatusCode::NOT_FOUND,
            message: "There is no such message; choose one on the Simulations page.".into(),
        });
    };
    if !manages {
        // The insurer reads the message as it is sent.
        let body = html! {
            h1 { (t.name) }
            p.lead { "From \"" (t.sender_name) "\": " (t.subject) }
            pre.message { (t.body) }
            h2 { "What gives it away" }
            ul { @for flag in &t.red_flags { li { (flag) } } }
        };
        return Ok(page(&t.name, &viewer, body));
    }
    let body = html! {
        h1 { "Edit a copy of \"" (t.name) "\"" }
        p.lead { "Your copy is saved as a new message; the original stays as it is. Use " code { "{first_name}" } ", " code { "{practice}" } ", " code { "{date}" } " and, in the text, " code { "{link}" } " where the link goes." }
        form.stack method="post" action={ "/practices/" (practice_id) "/simulations/templates" } {
            (csrf_field(&viewer))
            input type="hidden" name="based_on" value=(t.id);
            label for="t-name" { "Name" }
            input #t-name type="text" name="name" maxlength="120" required value={ (t.name) " (our copy)" };
            label for="t-sender" { "Sender's name" }
            input #t-sender type="text" name="sender_name" maxlength="80" required value=(t.sender_name);
            label for="t-subject" { "Subject" }
            input #t-subject type="text" name="subject" maxlength="200" required value=(t.subject);
            label for="t-button" { "Words of the link's button" }
            input #t-button type="text" name="button" maxlength="60" required value=(t.button);
            label for="t-body" { "Text" }
            textarea #t-body name="body" rows="14" required { (t.body) }
            label for="t-flags" { "What gives it away (one per line; shown right after a click)" }
            textarea #t-flags name="red_flags" rows="6" required { (t.red_flags.join("\n")) }
            button type="submit" { "Save my copy" }
        }
    };
    Ok(page("Edit a message", &viewer, body))
}

/// The copy form as posted.
#[derive(Debug, Deserialize)]
pub struct TemplateFields {
    based_on: String,
    name: String,
    sender_name: String,
    subject: String,
    button: String,
    body: String,
    red_flags: String,
}

/// `POST /practices/{id}/simulations/templates`.
pub async fn save_template(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    CsrfForm(fields): CsrfForm<TemplateFields>,
) -> PageResult<Response> {
    let form = TemplateCopyForm {
        based_on: fields.based_on,
        name: fields.name,
        sender_name: fields.sender_name,
        subject: fields.subject,
        button: fields.button,
        body: fields.body,
        red_flags: fields.red_flags.lines().map(str::to_string).collect(),
    };
    copy_template(&state, &viewer.caller(), practice_id, &form).await?;
    Ok(Redirect::to(&format!("/practices/{practice_id}/simulations#messages")).into_response())
}

/// The relay form as posted.
#[derive(Debug, Deserialize)]
pub struct RelayFields {
    host: String,
    port: String,
    security: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    from_address: String,
}

/// `POST /practices/{id}/simulations/relay`.
pub async fn save_relay(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    CsrfForm(fields): CsrfForm<RelayFields>,
) -> PageResult<Response> {
    let form = RelayForm {
        host: fields.host,
        port: fields.port.trim().parse().ok(),
        security: fields.security,
        username: fields.username,
        password: (!fields.password.is_empty()).then_some(fields.password),
        from_address: fields.from_address,
    };
    set_relay(&state, &viewer.caller(), practice_id, &form).await?;
    Ok(Redirect::to(&format!("/practices/{practice_id}/simulations")).into_response())
}

/// The report mailbox form as posted.
#[derive(Debug, Deserialize)]
pub struct MailboxFields {
    host: String,
    port: String,
    security: String,
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    folder: String,
}

/// `POST /practices/{id}/simulations/report-mailbox`.
pub async fn save_report_mailbox(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    CsrfForm(fields): CsrfForm<MailboxFields>,
) -> PageResult<Response> {
    let form = ReportMailboxForm {
        host: fields.host,
        port: fields.port.trim().parse().ok(),
        security: fields.security,
        username: fields.username,
        password: (!fields.password.is_empty()).then_some(fields.password),
        folder: (!fields.folder.trim().is_empty()).then_some(fields.folder),
    };
    set_report_mailbox(&state, &viewer.caller(), practice_id, &form).await?;
    Ok(Redirect::to(&format!("/practices/{practice_id}/simulations")).into_response())
}

/// `POST /practices/{id}/simulations/campaigns`: the fields come as pairs, because a campaign
/// has one `recipient` per person.
pub async fn start_campaign(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    headers: HeaderMap,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let recipients: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "recipient")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if recipients.is_empty() {
        return Err(PageError::Shown {
            status: StatusCode::BAD_REQUEST,
            message: "Choose at least one person for the campaign.".into(),
        });
    }
    let form = CampaignForm {
        name: field("name").unwrap_or_default(),
        template: field("template").unwrap_or_default(),
        recipients: Some(recipients),
        starts_at: None,
        window_hours: field("window_hours").and_then(|w| w.trim().parse().ok()),
        track_opens: field("track_opens").is_some(),
        share_names: field("share_names").is_some(),
    };
    let base = link_base(None, &headers)?;
    let created = create_campaign(&state, &viewer.caller(), practice_id, &form, &base).await?;
    Ok(Redirect::to(&format!("/campaigns/{}", created.id)).into_response())
}

/// `GET /campaigns/{id}`.
pub async fn campaign(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(campaign_id): Path<i64>,
) -> PageResult<Markup> {
    let detail = campaign_detail(&state, &viewer.caller(), campaign_id).await?;
    let c = &detail.summary;
    let manages = viewer.role == Role::PracticeAdmin && viewer.practice_id == Some(c.practice_id);
    let mark = |at: Option<i64>| html! { @match at { Some(t) => { (datetime(t)) }, None => { span.hint { "–" } } } };
    let body = html! {
        h1 { (c.name) }
        p.lead { (c.template_name) " · " (c.recipients) " people · sending " (datetime(c.starts_at)) " to " (datetime(c.ends_at))
            @if c.track_opens { " · opens tracked" } @if c.cancelled_at.is_some() { " · cancelled" } }
        (campaigns_table(std::slice::from_ref(c)))
        @if detail.people.iter().all(|p| p.name.is_none()) {
            p.hint { "The practice keeps who clicked to itself: only the numbers are shown." }
        }
        div.table-wrap { table {
            thead { tr { th { "Person" } th { "Sent" } th { "Opened" } th { "Clicked" } th { "Typed" } th { "Reported" } } }
            tbody { @for p in &detail.people { tr {
                td { (p.name.clone().unwrap_or_else(|| "(not shared)".into()))
                    @if let Some(e) = &p.last_error { br; span.hint { "not sent yet: " (e) } } }
                td { (mark(p.sent_at)) } td { (mark(p.opened_at)) } td { (mark(p.clicked_at)) }
                td { (mark(p.submitted_at)) } td { (mark(p.reported_at)) }
            } } }
        } }
        @if manages && c.cancelled_at.is_none() {
            form method="post" action={ "/campaigns/" (c.id) "/cancel" } data-confirm="Cancel this campaign? Messages not sent yet will not go out." {
                (csrf_field(&viewer))
                button.danger type="submit" { "Cancel the campaign" }
            }
        }
        p { a href={ "/practices/" (c.practice_id) "/simulations" } { "All campaigns" } }
    };
    Ok(page(&c.name, &viewer, body))
}

/// `POST /campaigns/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(campaign_id): Path<i64>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    crate::api::awareness::cancel_campaign(&state, &viewer.caller(), campaign_id).await?;
    Ok(Redirect::to(&format!("/campaigns/{campaign_id}")).into_response())
}

/// `GET /training`: the lessons, and which ones the viewer completed or was assigned.
pub async fn my_training(State(state): State<AppState>, viewer: Viewer) -> PageResult<Markup> {
    let modules = &catalog::builtin().map_err(catalog_broken)?.modules;
    let mut tx = state.db.snapshot().await?;
    let latest = storage::latest_training(&mut tx, viewer.user_id, crate::db::now()).await?;
    let passed = storage::passed_modules(&mut tx, viewer.user_id, crate::db::now()).await?;
    let assigned = storage::assigned_modules(&mut tx, viewer.user_id).await?;
    tx.commit().await?;
    let body = html! {
        h1 { "My training" }
        @match &latest {
            Some((module, at, _, _)) => p.lead { "You passed " (storage::module_title(module)) " on " (date(*at)) ": your awareness training counts for 12 months from then." },
            None => p.lead { "Pass one lesson's quiz to complete this year's awareness training (HY-EM-002). Each takes about five minutes." },
        }
        ul.cards {
            @for m in modules { li.card {
                h2 { a href={ "/training/" (m.id) } { (m.title) } }
                p.hint { (m.minutes) " minutes"
                    @if passed.contains(&m.id) { " · passed" }
                    @if assigned.contains(&m.id) { " · assigned to you" } }
            } }
        }
    };
    Ok(page("My training", &viewer, body))
}

fn module_or_404(module_id: &str) -> PageResult<&'static catalog::Module> {
    catalog::builtin()
        .map_err(catalog_broken)?
        .module(module_id)
        .ok_or_else(|| PageError::Shown {
            status: StatusCode::NOT_FOUND,
            message: "There is no such lesson; see My training.".into(),
        })
}

/// `GET /training/{module}`.
pub async fn lesson(viewer: Viewer, Path(module_id): Path<String>) -> PageResult<Markup> {
    let module = module_or_404(&module_id)?;
    let body = module_page(
        &format!("/training/{}", module.id),
        module,
        csrf_field(&viewer),
    );
    Ok(page(&module.title, &viewer, body))
}

/// `POST /training/{module}`: the viewer's answers, kept as their training result.
pub async fn answers(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(module_id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Markup> {
    let module = module_or_404(&module_id)?;
    let Some(practice_id) = viewer.practice_id else {
        return Err(PageError::Shown {
            status: StatusCode::FORBIDDEN,
            message: "Lessons are recorded for a practice's people; an insurer's analyst can read them but not take them.".into(),
        });
    };
    let (chosen, right) = score(module, &fields)?;
    let mut tx = state.db.write.begin().await?;
    storage::record_training(
        &mut tx,
        practice_id,
        viewer.user_id,
        &module.id,
        right,
        module.questions.len(),
        right >= module.pass_score,
    )
    .await?;
    tx.commit().await?;
    let body = results(module, &chosen, right, &format!("/training/{}", module.id));
    Ok(page(&module.title, &viewer, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign(starts_at: i64, sent: i64, clicked: i64, reported: i64) -> CampaignSummary {
        CampaignSummary {
            id: starts_at,
            practice_id: 1,
            name: "c".into(),
            template: "invoice".into(),
            template_name: "Invoice".into(),
            starts_at,
            ends_at: starts_at,
            track_opens: false,
            share_names: false,
            cancelled_at: None,
            recipients: sent,
            sent,
            opened: 0,
            clicked,
            submitted: 0,
            reported,
            click_rate: None,
            report_rate: None,
            first_report_after_seconds: None,
        }
    }

    #[test]
    fn the_trend_adds_up_campaigns_by_month_and_leaves_out_unsent_ones() {
        // 2026-10-05, 2026-10-20, 2026-11-10 and one not sent yet.
        let campaigns = [
            campaign(1_791_158_400, 10, 4, 1),
            campaign(1_792_454_400, 10, 2, 3),
            campaign(1_794_268_800, 20, 2, 10),
            campaign(1_796_000_000, 0, 0, 0),
        ];
        assert_eq!(
            monthly_trend(&campaigns),
            vec![
                ("2026-10".to_string(), 20, 6, 4),
                ("2026-11".to_string(), 20, 2, 10)
            ]
        );
    }
}
