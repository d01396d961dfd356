//! The practice overview: how many computers pass each control, which controls fail most, the
//! computers most at risk, the trend, and the computers that went quiet. Also the clinician's
//! list of their own computers.

use super::chart;
use super::layout::{control_title, empty_state, last_seen, meter, page};
use super::{PageResult, Viewer};
use crate::api::read::{self, ControlRate, Days, HostRow, Page};
use crate::db::now;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use maud::{Markup, html};
use serde::Deserialize;

/// `?days=30|90&offset=N`: the trend's window and where the list of computers starts.
#[derive(Debug, Deserialize)]
pub struct OverviewQuery {
    days: Option<i64>,
    offset: Option<i64>,
}

/// Computers listed per page of the overview.
const HOSTS_PER_PAGE: i64 = 50;

/// The trend of a practice over `days` days, every day present (gaps as none).
pub async fn trend_days(
    state: &AppState,
    viewer: &Viewer,
    practice_id: i64,
    days: i64,
) -> PageResult<Vec<chart::Day>> {
    let trend = read::trend_of(
        state,
        &viewer.caller(),
        practice_id,
        &Days {
            days: Some(days),
            control: None,
        },
    )
    .await?;
    let known: Vec<(String, f64)> = trend
        .items
        .into_iter()
        .map(|d| (d.day, d.pass_rate))
        .collect();
    Ok(chart::fill_days(now() - (days - 1) * 86_400, days, &known))
}

fn host_link(id: i64, hostname: &str) -> Markup {
    let name = if hostname.is_empty() {
        "(no name)"
    } else {
        hostname
    };
    html! { a href={ "/hosts/" (id) } { (name) } }
}

/// A backup control's status in the 3-2-1-1-0 table: a word, not only a colour.
fn backup_cell(backups: &[read::BackupPosture], host_id: i64, control_id: &str) -> Markup {
    let status = backups
        .iter()
        .find(|b| b.host_id == host_id && b.control_id == control_id)
        .map(|b| b.status.as_str());
    let (class, word) = match status {
        Some("pass") => ("ok", "yes"),
        Some("attested") => ("ok", "yes (answered)"),
        Some("fail") => ("bad", "no"),
        Some("warn") => ("warn", "late"),
        Some(_) => ("unknown", "not measured"),
        None => ("unknown", "no report"),
    };
    html! { td { span class={ "badge " (class) } { (word) } } }
}

/// The practice's 3-2-1-1-0 coverage, one row per listed computer, from the backup controls
/// of each computer's latest report.
fn backup_coverage(hosts: &[HostRow], backups: &[read::BackupPosture]) -> Markup {
    html! {
        section aria-labelledby="backups" {
            h2 #backups { "Backups (3-2-1-1-0)" }
            p.hint {
                "Three copies, two kinds of media, one off-site, one offline or locked, zero errors in the last restore test. "
                "Measured on each computer from its hygeia backup history; \"answered\" is what a person declared."
            }
            @if hosts.is_empty() {
                p { "No computer to show." }
            } @else {
                div.table-wrap { table {
                    thead { tr {
                        th { "Computer" } th { "Backups set up" } th { "Recent backup" }
                        th { "Offline or locked copy" } th { "Off-site copy" } th { "Restore tested" }
                    } }
                    tbody { @for h in hosts { tr {
                        td { (host_link(h.id, &h.hostname)) }
                        @for control in read::BACKUP_CONTROLS { (backup_cell(backups, h.id, control)) }
                    } } }
                } }
            }
        }
    }
}

/// `GET /practices/{id}`.
pub async fn practice(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    Query(window): Query<OverviewQuery>,
) -> PageResult<Markup> {
    let overview = read::overview_of(&state, &viewer.caller(), practice_id).await?;
    let days = if window.days == Some(90) { 90 } else { 30 };
    let listed = read::hosts_of(
        &state,
        &viewer.caller(),
        practice_id,
        &Page {
            limit: Some(HOSTS_PER_PAGE),
            offset: window.offset,
        },
    )
    .await?;
    let listed_hosts = &listed.items;
    let offset = window.offset.unwrap_or(0).max(0);
    let trend = trend_days(&state, &viewer, practice_id, days).await?;
    let name = overview.name.as_str();
    let hosts = overview.hosts;
    let silent = overview.not_reporting;
    let controls = &overview.controls;
    let failing: Vec<&ControlRate> = controls.iter().filter(|c| c.failing > 0).take(10).collect();
    let at_risk = &overview.most_at_risk;
    let quiet = &overview.not_reporting_hosts;
    // Controls every computer passes (measured or attested), not merely none fails.
    let passing_all = controls.iter().filter(|c| c.passing == c.hosts).count();
    let hosts_failing = overview.hosts_failing;
    let hosts_serious = overview.hosts_failing_critical_or_high;
    let at = now();
    let manages =
        viewer.practice_id == Some(practice_id) && viewer.role == crate::auth::Role::PracticeAdmin;
    let devices_card = super::devices::overview_card(&state, &viewer, practice_id).await?;
    let phones_card = phones_overview_card(&state, &viewer, practice_id).await?;
    let backups = read::backup_posture_of(&state, &viewer.caller(), practice_id).await?;
    let backup_table = backup_coverage(listed_hosts, &backups);
    let body = html! {
        h1 { (name) }
        p.lead {
            "Security posture of the practice's enrolled computers. "
            a href={ "/practices/" (practice_id) "/attestation" } { "Attestation report" }
            " · "
            a href={ "/practices/" (practice_id) "/devices" } { "Devices" }
            @if viewer.role != crate::auth::Role::Clinician {
                " · "
                a href={ "/practices/" (practice_id) "/phones" } { "Phones" }
            }
        }
        (phones_card)
        @if hosts == 0 {
            (empty_state("No computers enrolled yet", html! {
                "Each computer that sees patient data runs the Hygeia agent, which checks it every hour and reports here. "
                @if manages {
                    a href={ "/practices/" (practice_id) "/enrolment" } { "Create an enroll secret and copy the agent command" } "."
                } @else {
                    "The practice's administrator enrols them."
                }
            }))
        } @else {
            div.tiles {
                div.tile { span.number { (hosts) } "computers enrolled" }
                div.tile { span.number { (hosts_failing) } "with a failing control (" (hosts_serious) " critical or high)" }
                div.tile { span.number { (passing_all) " of " (controls.len()) } "controls passing on every computer" }
                div.tile { span.number { (silent) } "not reporting for more than a day" }
            }
            section.card aria-labelledby="trend" {
                h2 #trend { "Trend of passing results" }
                p.noprint {
                    @if days == 30 { strong { "30 days" } " · " a href={ "?days=90#trend" } { "90 days" } }
                    @else { a href={ "?days=30#trend" } { "30 days" } " · " strong { "90 days" } }
                }
                (chart::trend_chart(&trend, &format!("Share of passing results per day, last {days} days")))
            }
            section aria-labelledby="failing" {
                h2 #failing { "Controls failing most often" }
                @if failing.is_empty() {
                    (empty_state("No control is failing", html! { "Every computer passes every measured control it reported." }))
                } @else {
                    div.table-wrap { table {
                        thead { tr { th { "Control" } th.num { "Computers failing" } th { "Computers passing" } } }
                        tbody { @for c in &failing { tr {
                            td { (control_title(&c.control_id)) br; span.hint { (c.control_id) } }
                            td.num { (c.failing) " of " (c.hosts) }
                            td { (meter(c.pass_rate)) }
                        } } }
                    } }
                }
            }
            section aria-labelledby="risky" {
                h2 #risky { "Computers most at risk" }
                @if at_risk.is_empty() {
                    (empty_state("No computer has a failing control", html! { "Nothing to fix right now." }))
                } @else {
                    div.table-wrap { table {
                        thead { tr { th { "Computer" } th.num { "Critical or high failing" } th.num { "All failing" } th { "Last report" } } }
                        tbody { @for h in at_risk { tr {
                            td { (host_link(h.host_id, &h.hostname)) }
                            td.num { (h.failing_critical_or_high) }
                            td.num { (h.failing) }
                            td { (last_seen(h.last_seen_at, at)) }
                        } } }
                    } }
                }
            }
            section aria-labelledby="quiet" {
                h2 #quiet { "Not reporting for more than a day" }
                @if quiet.is_empty() {
                    p { "Every computer reported within the last day." }
                } @else {
                    p.hint { "A computer that stops reporting may be switched off, offline, or have lost its agent. Its last known state is shown elsewhere." }
                    ul { @for h in quiet { li { (host_link(h.host_id, &h.hostname)) " — last report " (last_seen(h.last_seen_at, at)) } } }
                }
            }
            section aria-labelledby="computers" {
                h2 #computers { "Computers" }
                div.table-wrap { table {
                    thead { tr { th { "Computer" } th { "System" } th.num { "Failing controls" } th { "Last report" } } }
                    tbody { @for h in listed_hosts { tr {
                        td { (host_link(h.id, &h.hostname)) }
                        td { (h.os_version) }
                        td.num { (h.failing) }
                        td { (last_seen(h.last_seen_at, at)) }
                    } } }
                } }
                p.noprint {
                    @if offset > 0 {
                        a href={ "?days=" (days) "&offset=" ((offset - HOSTS_PER_PAGE).max(0)) "#computers" } { "Previous computers" } " "
                    }
                    @if let Some(next) = listed.next_offset {
                        a href={ "?days=" (days) "&offset=" (next) "#computers" } { "More computers" }
                    }
                }
            }
            (backup_table)
            section aria-labelledby="all" {
                h2 #all { "Share of computers passing each control" }
                div.table-wrap { table {
                    thead { tr { th { "Control" } th.num { "Passing" } th.num { "Failing" } th.num { "Other" } th { "Share passing" } } }
                    tbody { @for c in controls {
                        @let hosts_c = c.hosts;
                        @let pass = c.passing;
                        @let fail = c.failing;
                        tr {
                            td { (control_title(&c.control_id)) }
                            td.num { (pass) }
                            td.num { (fail) }
                            td.num { (hosts_c - pass - fail) }
                            td { @if pass + fail > 0 { (meter(c.pass_rate)) } @else { "not measured" } }
                        }
                    } }
                } }
                p.hint { "Other: not measured on that computer (unknown, not applicable, or awaiting an answer)." }
            }
        }
        (devices_card)
    };
    Ok(page(&format!("{name} overview"), &viewer, body))
}

/// `GET /my-computers`: the computers assigned to the signed-in person.
pub async fn my_computers(State(state): State<AppState>, viewer: Viewer) -> PageResult<Markup> {
    let at = now();
    let items: Vec<HostRow> = match viewer.practice_id {
        Some(practice) => {
            read::hosts_of(
                &state,
                &viewer.caller(),
                practice,
                &Page {
                    limit: Some(100),
                    offset: None,
                },
            )
            .await?
            .items
        }
        None => Vec::new(),
    };
    let body = html! {
        h1 { "My computers" }
        @if viewer.practice_id.is_some() { (super::phones::my_phone_card(&viewer)) }
        @if items.is_empty() {
            (empty_state("No computer is assigned to you yet", html! {
                "When your practice administrator enrols your computer and assigns it to you, its checks and what to fix appear here."
            }))
        } @else {
            div.table-wrap { table {
                thead { tr { th { "Computer" } th { "System" } th.num { "Failing controls" } th { "Last report" } } }
                tbody { @for h in &items { tr {
                    td { (host_link(h.id, &h.hostname)) }
                    td { (h.os_version) }
                    td.num { (h.failing) }
                    td { (last_seen(h.last_seen_at, at)) }
                } } }
            } }
        }
    };
    Ok(page("My computers", &viewer, body))
}

/// The phones tile of the practice overview (administrators and the insurer).
async fn phones_overview_card(
    state: &AppState,
    viewer: &Viewer,
    practice_id: i64,
) -> PageResult<Markup> {
    if viewer.role == crate::auth::Role::Clinician {
        return Ok(html! {});
    }
    let mut snapshot = state.db.snapshot().await?;
    let counts = crate::phones::counts(&mut snapshot, practice_id).await?;
    snapshot.commit().await?;
    let link = format!("/practices/{practice_id}/phones");
    Ok(html! {
        div.tiles aria-label="Phones" {
            div.tile { span.number { (counts.phones) } a href=(link) { "phones and tablets" } }
            div.tile { span.number { (counts.out_of_date) } "phones out of date" }
        }
    })
}
