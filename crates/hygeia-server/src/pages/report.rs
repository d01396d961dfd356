//! The attestation report as a printable page and as a PDF, for any past day.

use super::attestation::{self, Report, wording};
use super::layout::{capitalized, date, datetime, page};
use super::{PageResult, Viewer};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

/// `?date=YYYY-MM-DD` (default: today).
#[derive(Debug, Deserialize)]
pub struct ReportDate {
    date: Option<String>,
}

impl ReportDate {
    fn day(&self) -> String {
        self.date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map_or_else(|| crate::rollup::day_of(crate::db::now()), str::to_string)
    }
}

fn level_badge(level: &str) -> Markup {
    let class = match level {
        "high" => "bad",
        "medium" => "warn",
        _ => "unknown",
    };
    html! { span class={ "badge " (class) } { (capitalized(level)) } }
}

/// The report's sections, shared by the page (and printed from it).
fn sections(report: &Report) -> PageResult<Markup> {
    let wording = wording()?;
    Ok(html! {
        section aria-labelledby="s1" {
            h2 #s1 { "1. Scope and date" }
            table { tbody {
                tr { th scope="row" { "Practice" } td { (report.practice) } }
                tr { th scope="row" { "Organization" } td { (report.organization) } }
                tr { th scope="row" { "Status as of" } td { "end of " (report.day) " (UTC)" } }
                tr { th scope="row" { "Computers in scope" } td { (report.assets.len()) } }
                tr { th scope="row" { "Devices in scope" } td { @match &report.devices { Some(d) => { (d.total) " (device inventory)" }, None => { "no device inventory uploaded" } } } }
                tr { th scope="row" { "Prepared" } td { (datetime(report.generated_at)) " by " (report.generated_by) " with Hygeia" } }
            } }
            p { (wording.scope) }
            p.hint { (wording.method) }
        }
        section aria-labelledby="s2" {
            h2 #s2 { "2. Asset inventory: enrolled computers" }
            @if report.assets.is_empty() {
                p { "No computer was enrolled on this day." }
            } @else {
                div.table-wrap { table {
                    thead { tr { th { "Computer" } th { "System" } th { "Used by" } th { "Enrolled" } th { "Latest report by that day" } th.num { "Failing controls" } } }
                    tbody { @for a in &report.assets { tr {
                        td { (a.hostname) }
                        td { (capitalized(&a.platform)) " · " (a.os_version) }
                        td { (a.owner.as_deref().unwrap_or("not assigned")) }
                        td { (date(a.enrolled_at)) }
                        td { @match a.last_report_at { Some(t) => { (datetime(t)) }, None => { "none" } } }
                        td.num { (a.failing) }
                    } } }
                } }
            }
        }
        section aria-labelledby="s2b" {
            h2 #s2b { "2b. Asset inventory: medical and IT devices" }
            @match &report.devices {
                None => { p { "No device inventory had been uploaded by this day, so the device safeguards (HICP 9) are not determined. The practice's administrator uploads it on the Devices page." } }
                Some(inventory) => {
                    p {
                        "Inventory " (inventory.file_name) ", uploaded " (datetime(inventory.uploaded_at)) ", " (inventory.total) " devices and components. "
                        @match &inventory.matched { Some((at, against)) => { "Findings as matched " (datetime(*at)) " against " (against) "." }, None => { "Not matched against advisories." } }
                    }
                    div.table-wrap { table {
                        thead { tr { th { "Device" } th { "System" } th { "Network" } th { "Patch owner" } th.num { "Advisories" } th { "Most urgent" } } }
                        tbody { @for d in &inventory.devices { tr {
                            td { (d.label) @if d.life_critical { br; span.hint { "life-critical" } } @if d.stores_phi { br; span.hint { "stores patient data" } } }
                            td { (d.operating_system) }
                            td { (d.segment) }
                            td { @if d.patch_owner.is_empty() { "none named" } @else { (d.patch_owner) } }
                            td.num { (d.findings) }
                            td { (d.top_priority.as_deref().map(capitalized).unwrap_or_default()) }
                        } } }
                    } }
                    @if inventory.total > inventory.devices.len() {
                        p.hint { "The first " (inventory.devices.len()) " are listed; the Devices page lists all " (inventory.total) "." }
                    }
                }
            }
        }
        section aria-labelledby="s2c" {
            h2 #s2c { "2c. Asset inventory: phones and tablets" }
            @if report.phones.is_empty() {
                p { "No phone or tablet was on record by this day. The practice's administrator imports them from device management or sends phone check links on the Phones page." }
            } @else {
                div.table-wrap { table {
                    thead { tr { th { "Phone" } th { "System" } th { "Owner" } th { "Source" } th { "Seen" } th { "Status" } } }
                    tbody { @for p in &report.phones { tr {
                        td { (p.name) br; span.hint { (p.model) } }
                        td { (super::pdf::phone_system(p)) }
                        td { (p.owner) }
                        td { (crate::phones::source_label(&p.source)) }
                        td { (datetime(p.seen_at)) }
                        td { (capitalized(&p.status)) }
                    } } }
                } }
            }
        }
        section aria-labelledby="s2d" {
            h2 #s2d { "2d. Workforce security awareness training" }
            p.hint { (super::pdf::WORKFORCE_NOTE) }
            @if report.workforce.is_empty() {
                p { "The practice had no dashboard users by this day." }
            } @else {
                div.table-wrap { table {
                    thead { tr { th { "Person" } th { "Role" } th { "Training (12 months)" } th.num { "Simulations" } th.num { "Clicked" } th.num { "Reported" } } }
                    tbody { @for w in &report.workforce {
                        @let cells = super::pdf::workforce_cells(w);
                        tr {
                            td { (cells[0]) } td { (cells[1]) } td { (cells[2]) }
                            td.num { (cells[3]) } td.num { (cells[4]) } td.num { (cells[5]) }
                        }
                    } }
                } }
            }
        }
        section aria-labelledby="s3" {
            h2 #s3 { "3. Safeguards by HICP practice" }
            @if report.groups.is_empty() {
                p { "No results were stored by this day." }
            }
            @for g in &report.groups {
                h3 { (g.practice) }
                div.table-wrap { table {
                    thead { tr { th { "Control" } th { "HIPAA" } th { "Status" } th.num { "Passing" } th.num { "Attested" } th.num { "Failing" } th.num { "Not determined" } } }
                    tbody { @for c in &g.controls { tr {
                        td { (c.title) br; span.hint { (c.id) } }
                        td { (c.hipaa) }
                        td { (c.status_word()) }
                        @if let Some(reason) = &c.inventory_reason {
                            td colspan="4" { "Measured on the device inventory: " (reason) }
                        } @else {
                            td.num { (c.passing) }
                            td.num { (c.attested) }
                            td.num { (c.failing) }
                            td.num { (c.other) }
                        }
                    } } }
                } }
            }
        }
        section aria-labelledby="s4" {
            h2 #s4 { "4. Attested safeguards" }
            p.hint { "What a person declared for controls no program can see. An answer counts for 90 days. Names and notes are self-reported: typed on the computer and sent by its agent, not checked by the server." }
            @if report.attested.is_empty() {
                p { "No answers were given by this day." }
            } @else {
                div.table-wrap { table {
                    thead { tr { th { "Computer" } th { "Control" } th { "Answer" } th { "By (self-reported)" } th { "On" } th { "Counts until" } } }
                    tbody { @for a in &report.attested { tr {
                        td { (a.hostname) }
                        td { (a.title) @if !a.note.is_empty() { br; span.hint { "Note (self-reported): " (a.note) } } }
                        td { @if a.answer { "In place" } @else { "Not in place" } }
                        td { (a.by) }
                        td { (date(a.at)) }
                        td { (date(a.expires)) @if a.expires < report.day_end { " " span.badge.warn { "Expired" } } }
                    } } }
                } }
            }
        }
        section aria-labelledby="s5" {
            h2 #s5 { "5. Open risks" }
            @if report.risks.is_empty() {
                p { "No control was failing on any computer or on the device inventory on this day." }
            } @else {
                div.table-wrap { table {
                    thead { tr { th { "Risk (control not in place)" } th { "Computers or devices" } th { "Likelihood" } th { "Impact" } th { "Risk level" } th { "HIPAA" } } }
                    tbody { @for r in &report.risks { tr {
                        td { (r.title) br; span.hint { (r.control_id) " · severity " (r.severity) } }
                        td { (r.hosts_failing.len()) " of " (r.hosts_reporting) ": " (r.hosts_failing.join(", ")) }
                        td { (capitalized(r.likelihood)) }
                        td { (capitalized(&r.impact)) }
                        td { (level_badge(&r.level)) }
                        td { (r.hipaa) }
                    } } }
                } }
            }
        }
        section aria-labelledby="s6" {
            h2 #s6 { "6. Remediation plan" }
            @if report.risks.is_empty() {
                p { "Nothing to remediate." }
            } @else {
                div.table-wrap { table {
                    thead { tr { th { "Control" } th { "Action" } th { "Owner" } th { "Failing since" } th { "Due" } } }
                    tbody { @for r in &report.risks { tr {
                        td { (r.title) }
                        td { (r.action) }
                        td { (r.owner) }
                        td { (date(r.since)) }
                        td { (date(r.due)) @if r.due < report.day_end { " " span.badge.bad { "Overdue" } } }
                    } } }
                } }
            }
        }
        section aria-labelledby="s7" {
            h2 #s7 { "7. Sign-off" }
            table.signoff {
                thead { tr { th { "Role" } th { "Name" } th { "Signature" } th { "Date" } } }
                tbody { @for line in &wording.signoff { tr { td { (line) } td {} td {} td {} } } }
            }
        }
    })
}

/// `GET /practices/{id}/attestation?date=`.
pub async fn page_html(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    Query(when): Query<ReportDate>,
) -> PageResult<Markup> {
    let day = when.day();
    let report = attestation::build(&state, &viewer, practice_id, &day).await?;
    let title = &wording()?.title;
    let body = html! {
        div.report {
            h1 { (capitalized(title)) ": " (report.practice) }
            form.filters.noprint method="get" {
                label { "Status as of" input type="date" name="date" value=(report.day) max=(crate::rollup::day_of(report.generated_at)); }
                button type="submit" { "Show" }
                a href={ "/practices/" (practice_id) "/attestation.pdf?date=" (report.day) } download { "Download PDF" }
                button.secondary type="button" data-print { "Print" }
            }
            (sections(&report)?)
        }
    };
    Ok(page(
        &format!("{title}: {}", report.practice),
        &viewer,
        body,
    ))
}

/// `GET /practices/{id}/attestation.pdf?date=`.
pub async fn pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    Query(when): Query<ReportDate>,
) -> PageResult<Response> {
    let report = attestation::build(&state, &viewer, practice_id, &when.day()).await?;
    let bytes = super::pdf::render(&report, wording()?);
    let filename = format!(
        "attachment; filename=\"hygeia-attestation-{}-{}.pdf\"",
        report.practice_id, report.day
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        bytes,
    )
        .into_response())
}
