//! One computer: what to fix (with the steps for its operating system, from the report its
//! agent sent), what awaits an answer, what a person attested and until when, and the timeline
//! of what broke and was fixed.

use super::layout::{
    capitalized, control, control_title, csrf_field, date, datetime, empty_state, last_seen, page,
    platform_of, severity_badge, status_badge,
};
use super::{CsrfForm, PageResult, Viewer};
use crate::api::admin::{self, HostChange};
use crate::api::read::{self, HostChangeRow, Page};
use crate::auth::Role;
use crate::db::now;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use hygeia_core::attestation::ATTESTATION_VALID_DAYS;
use hygeia_core::finding::UnknownCause;
use hygeia_core::model::Status;
use hygeia_core::report::{ControlResult, Report};
use maud::{Markup, html};
use serde::Deserialize;

/// The attestation's time as Unix seconds.
fn unix_of(rfc3339: &str) -> Option<i64> {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// What to fix. The words (title, why, fix steps, references) come from this server's catalog by
/// control id, never from the report: an agent says what it measured, not what the dashboard
/// tells people to do. A control the catalog does not know is not shown.
fn to_fix(controls: &[ControlResult], platform: Option<hygeia_core::Platform>) -> Markup {
    let mut failing: Vec<(&ControlResult, &hygeia_core::Control)> = controls
        .iter()
        .filter(|c| c.needs_action())
        .filter_map(|c| Some((c, control(&c.id)?)))
        .collect();
    // Most severe first (Severity orders low < critical).
    failing.sort_by_key(|(c, known)| (std::cmp::Reverse(c.severity), known.id.clone()));
    html! {
        @if failing.is_empty() {
            (empty_state("Nothing to fix", html! { "Every measured control passed in the latest report." }))
        } @else {
            @for (c, known) in &failing {
                @let fix = platform.map(|p| known.fix.for_platform(p)).unwrap_or("");
                article.card {
                    h3 { (status_badge(c.status.as_str())) " " (known.title) " " (severity_badge(c.severity.as_str())) }
                    p { (c.reason) }
                    @if !fix.is_empty() {
                        div.fix { strong { "How to fix: " } (fix) }
                    }
                    details {
                        summary { "Why this matters and what was seen" }
                        p { (known.why) }
                        @if !c.evidence.is_empty() {
                            ul { @for e in &c.evidence { li { code { (e) } } } }
                        }
                        p.hint { (known.id) " · " (known.hicp) " · HIPAA " (known.hipaa) }
                    }
                }
            }
        }
    }
}

fn awaiting(controls: &[ControlResult]) -> Markup {
    let open: Vec<&ControlResult> = controls
        .iter()
        .filter(|c| {
            c.status == Status::Unknown && c.unknown_cause == Some(UnknownCause::NotAttested)
        })
        .collect();
    html! {
        @if !open.is_empty() {
            section aria-labelledby="awaiting" {
                h2 #awaiting { "Waiting for an answer" }
                p.hint { "No program can see these. The person who uses the computer answers on it, for example: " code { "hygeia attest HY-EM-001 --yes" } }
                ul { @for c in &open { li { (control_title(&c.id)) " — " (c.reason) " " span.hint { "(" (c.id) ")" } } } }
            }
        }
    }
}

fn attested(controls: &[ControlResult], at: i64) -> Markup {
    let answered: Vec<(&ControlResult, &hygeia_core::attestation::Attestation)> = controls
        .iter()
        .filter_map(|c| Some((c, c.attestation.as_ref()?)))
        .collect();
    html! {
        section aria-labelledby="attested" {
            h2 #attested { "Attested controls" }
            @if answered.is_empty() {
                p { "Nobody has answered any of this computer's attested controls yet." }
            } @else {
                p.hint { "Names and notes are as the person typed them on the computer (self-reported)." }
                div.table-wrap { table {
                    thead { tr { th { "Control" } th { "Answer" } th { "By (self-reported)" } th { "On" } th { "Counts until" } } }
                    tbody { @for (c, a) in &answered {
                        @let when = unix_of(&a.at);
                        @let until = when.map(|t| t + ATTESTATION_VALID_DAYS * 86_400);
                        tr {
                            td { (control_title(&c.id)) @if let Some(note) = &a.note { br; span.hint { "Note (self-reported): " (note) } } }
                            td { @if a.answer { "Yes, in place" } @else { "No, not in place" } }
                            td { (a.by) }
                            td { (when.map(date).unwrap_or_default()) }
                            td { @match until {
                                Some(u) if u < at => { span.badge.warn { "Expired" } " " (date(u)) }
                                Some(u) => { (date(u)) }
                                None => { "unknown" }
                            } }
                        }
                    } }
                } }
            }
        }
    }
}

fn change_word(from: Option<&str>, to: &str) -> &'static str {
    match (from, to) {
        (None, _) => "First reported",
        (Some("pass" | "attested"), "fail" | "warn") => "Broke",
        (Some("fail" | "warn"), "pass" | "attested") => "Fixed",
        _ => "Changed",
    }
}

/// A line of the timeline.
enum Entry<'a> {
    /// The computer's first report, summed up in one line.
    FirstReport {
        at: i64,
        failing: usize,
        total: usize,
    },
    /// A control that changed status.
    Change(&'a HostChangeRow),
}

/// The changes, newest first, with the controls' first appearances at one time folded into a
/// single line (a first report lists every control).
fn grouped(changes: &[HostChangeRow]) -> Vec<Entry<'_>> {
    let mut out: Vec<Entry> = Vec::new();
    for c in changes {
        if c.from.is_some() {
            out.push(Entry::Change(c));
            continue;
        }
        let at = c.at;
        let failing = usize::from(matches!(c.to.as_str(), "fail" | "warn"));
        match out.last_mut() {
            Some(Entry::FirstReport {
                at: same,
                failing: f,
                total,
            }) if *same == at => {
                *f += failing;
                *total += 1;
            }
            _ => out.push(Entry::FirstReport {
                at,
                failing,
                total: 1,
            }),
        }
    }
    out
}

fn timeline(changes: &[HostChangeRow]) -> Markup {
    html! {
        section aria-labelledby="timeline" {
            h2 #timeline { "Timeline of changes" }
            @if changes.is_empty() {
                p { "No report yet." }
            } @else {
                ol.timeline { @for entry in grouped(changes) { @match entry {
                    Entry::FirstReport { at, failing, total } => li {
                        time datetime=(at) { (datetime(at)) } " — " strong { "First report" } ": "
                        (total) " controls, " (failing) " failing"
                    },
                    Entry::Change(c) => {
                    @let from = c.from.as_deref();
                    @let to = c.to.as_str();
                    li {
                        time datetime=(c.at) { (datetime(c.at)) } " — "
                        strong { (change_word(from, to)) } ": "
                        (control_title(&c.control_id)) " "
                        @if let Some(from) = from { (status_badge(from)) " → " }
                        (status_badge(to))
                    }
                    }
                } } }
            }
        }
    }
}

/// `GET /hosts/{id}`.
pub async fn host(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(host_id): Path<i64>,
) -> PageResult<Markup> {
    let host = read::host_detail(&state, &viewer.caller(), host_id).await?;
    // The report was validated as this type when it arrived.
    let mut controls: Vec<ControlResult> = read::latest_report_text(&state, host_id)
        .await?
        .and_then(|t| Report::from_json(t.as_bytes()).ok())
        .map(|r| r.controls)
        .unwrap_or_default();
    // HY-EM-002 as the server measures it: the training the computer's person passed here.
    if let Some(owner) = host.owner_user_id {
        let mut tx = state.db.snapshot().await?;
        let training = crate::awareness::storage::latest_training(&mut tx, owner, now()).await?;
        tx.commit().await?;
        let training = training.map(|(module, at, _, _)| (module, at));
        for control in &mut controls {
            crate::awareness::training::apply_to_control(control, training.as_ref(), now());
        }
    }
    let changes = read::changes_of(
        &state,
        &viewer.caller(),
        host_id,
        &Page {
            limit: Some(100),
            offset: None,
        },
    )
    .await?
    .items;
    let practice_id = host.practice_id;
    let manages = viewer.role == Role::PracticeAdmin && viewer.practice_id == Some(practice_id);
    let users = if manages {
        admin::users_of(
            &state,
            &viewer.caller(),
            practice_id,
            &Page {
                limit: Some(500),
                offset: None,
            },
        )
        .await?
        .items
    } else {
        Vec::new()
    };
    let at = now();
    let hostname = host.hostname.clone();
    let revoked = host.revoked_at;
    let owner = host.owner_user_id;
    let body = html! {
        h1 { (hostname) }
        p.lead {
            (capitalized(&host.os)) " · " (host.os_version)
            " · enrolled " (date(host.enrolled_at))
            " · last report " (last_seen(host.last_seen_at, at))
        }
        @if let Some(r) = revoked {
            p.alert { "This computer was removed from the practice on " (datetime(r)) ". Its history is kept; it can no longer report." }
        }
        @if controls.is_empty() {
            (empty_state("No report yet", html! { "The agent sends its first report a few seconds after it is enrolled. If nothing arrives, check that it runs: " code { "hygeia agent status" } }))
        } @else {
            section aria-labelledby="fix" {
                h2 #fix { "What to fix" }
                (to_fix(&controls, platform_of(&host.os)))
            }
            (awaiting(&controls))
            (attested(&controls, at))
        }
        (timeline(&changes))
        @if !controls.is_empty() {
            section aria-labelledby="all" {
                h2 #all { "All controls in the latest report" }
                div.table-wrap { table {
                    thead { tr { th { "Control" } th { "Status" } th { "Severity" } th { "Since" } } }
                    tbody { @for p in &host.posture { tr {
                        td { (control_title(&p.control_id)) }
                        td { (status_badge(&p.status)) }
                        td { (capitalized(&p.severity)) }
                        td { (date(p.since)) }
                    } } }
                } }
            }
        }
        @if manages && revoked.is_none() {
            section.card.noprint aria-labelledby="manage" {
                h2 #manage { "Manage this computer" }
                form.inline method="post" action={ "/hosts/" (host_id) "/owner" } {
                    (csrf_field(&viewer))
                    label { "Used by"
                        select name="owner_user_id" {
                            option value="" selected[owner.is_none()] { "Nobody assigned" }
                            @for u in &users {
                                option value=(u.id) selected[owner == Some(u.id)] { (u.display_name) " (" (u.email) ")" }
                            }
                        }
                    }
                    button type="submit" { "Save" }
                }
                form.inline method="post" action={ "/hosts/" (host_id) "/revoke" } data-confirm={ "Remove " (hostname) " from the practice? Its agent will no longer be able to report." } {
                    (csrf_field(&viewer))
                    button.danger type="submit" { "Remove this computer" }
                }
            }
        }
    };
    Ok(page(&hostname, &viewer, body))
}

/// The owner form.
#[derive(Debug, Deserialize)]
pub struct OwnerForm {
    owner_user_id: String,
}

/// `POST /hosts/{id}/owner`.
pub async fn assign(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(host_id): Path<i64>,
    CsrfForm(form): CsrfForm<OwnerForm>,
) -> PageResult {
    let owner_user_id = form.owner_user_id.trim().parse::<i64>().ok();
    let _ = admin::assign_host(
        State(state),
        viewer.caller(),
        Path(host_id),
        Json(HostChange { owner_user_id }),
    )
    .await?;
    Ok(Redirect::to(&format!("/hosts/{host_id}")).into_response())
}

/// `POST /hosts/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(host_id): Path<i64>,
    CsrfForm(_): CsrfForm<super::sign_in::Empty>,
) -> PageResult {
    let _ = admin::revoke_host(State(state), viewer.caller(), Path(host_id)).await?;
    Ok(Redirect::to(&format!("/hosts/{host_id}")).into_response())
}
