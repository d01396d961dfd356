//! The practice's devices page: upload the inventory, then per device the advisories that
//! affect it (basis, priority, what to do) and the medical-device controls HY-MD-101..104.
//! Reads and writes through `crate::api::devices`, like the API.

use super::layout::{
    capitalized, control_title, csrf_field, datetime, empty_state, page, severity_badge,
    status_badge,
};
use super::{CsrfUpload, PageError, PageResult, UPLOAD_FIELD, Viewer};
use crate::api::devices::{DevicesQuery, PracticeDevices, practice_devices, store_upload};
use crate::auth::Role;
use crate::devices::advisories::StoreStatus;
use crate::devices::storage::{DeviceControl, DeviceFinding, DeviceRow};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

/// Devices with findings listed per page.
const AFFECTED_PER_PAGE: i64 = 50;
/// Devices listed per page in the full list.
const ALL_PER_PAGE: i64 = 100;

/// `?affected=N&all=N`: where each list starts.
#[derive(Debug, Deserialize)]
pub struct DevicesPageQuery {
    affected: Option<i64>,
    all: Option<i64>,
}

fn store_line(store: &StoreStatus) -> Markup {
    html! {
        @if store.available {
            p.hint {
                "Matched against " (store.advisories) " CISA medical advisories and the KEV catalog "
                (store.kev_version.as_deref().unwrap_or("")) ", downloaded "
                (store.fetched_at.as_deref().unwrap_or("at an unknown time")) ". "
                @match store.update_every_hours {
                    Some(h) => { "The server downloads new advisories every " (h) " hours and matches the inventory again." }
                    None => { "The server's operator updates them; the inventory is matched again whenever they change." }
                }
                @if let Some(last) = store.last_update.as_ref().filter(|a| !a.ok) {
                    " " strong { "The last download failed (" (datetime(last.at)) "): " (last.message) }
                }
            }
        } @else if let Some(problem) = &store.problem {
            p.notice role="status" { (problem) }
        }
    }
}

fn controls_table(controls: &[DeviceControl]) -> Markup {
    html! {
        div.table-wrap { table {
            thead { tr { th { "Control" } th { "Status" } th { "What was found" } } }
            tbody { @for c in controls { tr {
                td { (control_title(&c.control_id)) br; span.hint { (c.control_id) " · " (capitalized(&c.severity)) } }
                td { (status_badge(&c.status)) }
                td {
                    (c.reason)
                    @if !c.evidence.is_empty() {
                        details { summary { "Devices" } ul { @for e in &c.evidence { li { (e) } } } }
                    }
                }
            } } }
        } }
    }
}

fn step_word(category: &str) -> &'static str {
    match category {
        "vendor_fix" => "Update",
        "mitigation" => "Mitigation",
        "workaround" => "Workaround",
        "none_available" => "No fix available",
        "no_fix_planned" => "No fix planned",
        _ => "Step",
    }
}

fn finding_block(f: &DeviceFinding) -> Markup {
    html! {
        tr {
            td { (severity_badge(&f.priority)) @if f.ransomware { br; span.badge.bad { "Ransomware" } } @else if f.kev { br; span.badge.bad { "Exploited (KEV)" } } }
            td {
                @match &f.url { Some(url) => { a href=(url) rel="noreferrer" { (f.advisory) } }, None => { (f.advisory) } }
                br; (f.title)
                @if !f.cves.is_empty() { br; span.hint { (f.cves.join(", ")) } }
            }
            td { (capitalized(&f.basis)) br; span.hint { (f.basis_note) } }
            td {
                @if f.remediation.is_empty() {
                    "Ask the maker for a fixed version; until then keep the device on an isolated network segment."
                } @else {
                    ul { @for step in &f.remediation { li {
                        strong { (step_word(&step.category)) ": " } (step.details)
                        @if let Some(url) = &step.url { " " a href=(url) rel="noreferrer" { "link" } }
                    } } }
                }
                @if !f.priority_reasons.is_empty() {
                    details { summary { "Why this priority" } ul { @for r in &f.priority_reasons { li { (r) } } } }
                }
            }
        }
    }
}

fn device_card(d: &DeviceRow) -> Markup {
    html! {
        section.card {
            h3 { (d.label) }
            p.hint {
                @if !d.kind.is_empty() { (d.kind) " · " }
                "network: " (d.segment)
                @if d.life_critical { " · life-critical" }
                @if d.stores_phi { " · stores patient data" }
                " · patch owner: " @if d.patch_owner.is_empty() { strong { "none named" } } @else { (d.patch_owner) }
                " · " (d.source)
            }
            div.table-wrap { table {
                thead { tr { th { "Priority" } th { "Advisory" } th { "Why it matches" } th { "What to do" } } }
                tbody { @for f in &d.findings { (finding_block(f)) } }
            } }
        }
    }
}

fn all_devices_table(devices: &[DeviceRow]) -> Markup {
    html! {
        div.table-wrap { table {
            thead { tr { th { "Device" } th { "System" } th { "Network" } th { "Patch owner" } th.num { "Findings" } } }
            tbody { @for d in devices { tr {
                td { (d.label) }
                td { (d.operating_system) }
                td { (d.segment) @if d.life_critical { br; span.hint { "life-critical" } } }
                td { @if d.patch_owner.is_empty() { span.badge.warn { "None" } } @else { (d.patch_owner) } }
                td.num { (d.findings.len()) }
            } } }
        } }
    }
}

fn upload_form(viewer: &Viewer, practice_id: i64, has_inventory: bool) -> Markup {
    html! {
        section.card aria-labelledby="upload" {
            h2 #upload { @if has_inventory { "Upload a new inventory" } @else { "Upload the inventory" } }
            p { "A CSV file with one device per line, or a CycloneDX or SPDX JSON file from the device's maker. The new file replaces the current inventory; earlier ones stay in the history of the attestation report." }
            details {
                summary { "CSV columns" }
                p { code { "name,kind,vendor,model,version,os,os_version,segment,life_critical,stores_phi,patch_owner" } }
                p.hint { "name, vendor and model are required. segment is the device's network: flat (shared with office computers), clinical-vlan, isolated. life_critical and stores_phi are yes or no." }
            }
            form method="post" enctype="multipart/form-data" action={ "/practices/" (practice_id) "/devices" } {
                (csrf_field(viewer))
                label { "Inventory file" input type="file" name=(UPLOAD_FIELD) required accept=".csv,.json,.txt,text/csv,application/json"; }
                button type="submit" { "Upload and check" }
            }
        }
    }
}

fn paging(
    label: &str,
    param: &str,
    other: &str,
    offset: i64,
    per_page: i64,
    next: Option<i64>,
    anchor: &str,
) -> Markup {
    html! {
        p.noprint {
            @if offset > 0 {
                a href={ "?" (param) "=" ((offset - per_page).max(0)) "&" (other) "#" (anchor) } { "Previous " (label) } " "
            }
            @if let Some(next) = next {
                a href={ "?" (param) "=" (next) "&" (other) "#" (anchor) } { "More " (label) }
            }
        }
    }
}

async fn devices_page(
    state: &AppState,
    viewer: &Viewer,
    practice_id: i64,
    query: &DevicesPageQuery,
) -> PageResult<Markup> {
    let affected_offset = query.affected.unwrap_or(0).max(0);
    let all_offset = query.all.unwrap_or(0).max(0);
    let caller = viewer.caller();
    let affected: PracticeDevices = practice_devices(
        state,
        &caller,
        practice_id,
        &DevicesQuery {
            limit: Some(AFFECTED_PER_PAGE),
            offset: Some(affected_offset),
            affected: Some(true),
        },
    )
    .await?;
    let all: PracticeDevices = practice_devices(
        state,
        &caller,
        practice_id,
        &DevicesQuery {
            limit: Some(ALL_PER_PAGE),
            offset: Some(all_offset),
            affected: Some(false),
        },
    )
    .await?;
    let manages = viewer.role == Role::PracticeAdmin && viewer.practice_id == Some(practice_id);
    let counts = &affected.counts;
    let body = html! {
        h1 { "Medical and IT devices" }
        p.lead {
            "The practice's devices checked against CISA's medical-device advisories and the catalog of vulnerabilities known to be exploited, with the device hygiene the AMA/AHA guidance asks for. "
            a href={ "/practices/" (practice_id) } { "Back to the overview" }
        }
        (store_line(&affected.advisory_store))
        @match &affected.inventory {
            None => {
                (empty_state("No inventory yet", html! {
                    @if manages { "Upload the practice's list of devices below: Hygeia then shows which need a patch or isolation first." }
                    @else { "The practice's administrator uploads the list of devices." }
                }))
            }
            Some(inventory) => {
                p.hint {
                    "Inventory " strong { (inventory.file_name) } ", uploaded " (datetime(inventory.uploaded_at))
                    @if !inventory.uploaded_by.is_empty() { " by " (inventory.uploaded_by) }
                    @if let Some(at) = inventory.matched_at { "; matched " (datetime(at)) " against " (inventory.advisories) }
                    "."
                }
                div.tiles {
                    div.tile { span.number { (inventory.devices) } "devices and components" }
                    div.tile { span.number { (counts.devices_affected) } "with a known vulnerability" }
                    div.tile { span.number { (counts.critical + counts.high) } "findings critical or high" }
                    div.tile { span.number { (counts.kev) } "findings exploited in the wild (KEV)" }
                }
                @if !inventory.problems.is_empty() {
                    section.card.notice aria-labelledby="problems" {
                        h2 #problems { (inventory.skipped_rows) " rows left out, " (inventory.problems.len()) " notes" }
                        ul { @for p in &inventory.problems { li { (p) } } }
                    }
                }
                section aria-labelledby="hygiene" {
                    h2 #hygiene { "Device safeguards (HICP 9)" }
                    (controls_table(&affected.controls))
                }
                section aria-labelledby="affected" {
                    h2 #affected { "Devices to patch or isolate, most urgent first" }
                    @if affected.items.is_empty() {
                        (empty_state("No known vulnerability", html! { "No device of the inventory is named in the advisories the server has. Keep the inventory current: a device that is not listed is not checked." }))
                    }
                    @for d in &affected.items { (device_card(d)) }
                    (paging("devices to fix", "affected", &format!("all={all_offset}"), affected_offset, AFFECTED_PER_PAGE, affected.next_offset, "affected"))
                }
                section aria-labelledby="all" {
                    h2 #all { "All devices" }
                    (all_devices_table(&all.items))
                    (paging("devices", "all", &format!("affected={affected_offset}"), all_offset, ALL_PER_PAGE, all.next_offset, "all"))
                }
            }
        }
        @if manages { (upload_form(viewer, practice_id, affected.inventory.is_some())) }
    };
    Ok(page("Devices", viewer, body))
}

/// `GET /practices/{id}/devices`.
pub async fn devices(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    Query(query): Query<DevicesPageQuery>,
) -> PageResult<Markup> {
    devices_page(&state, &viewer, practice_id, &query).await
}

/// `POST /practices/{id}/devices`: stores the uploaded inventory and shows the page again.
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(practice_id): Path<i64>,
    upload: CsrfUpload,
) -> PageResult<Response> {
    let file_name = if upload.file_name.trim().is_empty() {
        "inventory".to_string()
    } else {
        upload.file_name
    };
    store_upload(
        &state,
        &viewer.caller(),
        practice_id,
        &file_name,
        upload.bytes,
    )
    .await
    .map_err(PageError::from)?;
    Ok(Redirect::to(&format!("/practices/{practice_id}/devices#affected")).into_response())
}

/// The devices card of the practice overview: the inventory's state in a few numbers.
pub async fn overview_card(
    state: &AppState,
    viewer: &Viewer,
    practice_id: i64,
) -> PageResult<Markup> {
    if viewer.role == Role::Clinician {
        return Ok(html! {});
    }
    let summary = practice_devices(
        state,
        &viewer.caller(),
        practice_id,
        &DevicesQuery {
            limit: Some(1),
            offset: None,
            affected: Some(true),
        },
    )
    .await?;
    let link = format!("/practices/{practice_id}/devices");
    let failing = summary
        .controls
        .iter()
        .filter(|c| c.status == "fail" || c.status == "warn")
        .count();
    Ok(html! {
        section.card aria-labelledby="devices" {
            h2 #devices { "Medical and IT devices" }
            @match &summary.inventory {
                None => p { "No device inventory yet. " a href=(link) { "Upload the practice's device list" } " to see which devices need a patch or isolation." },
                Some(inventory) => {
                    p {
                        (inventory.devices) " devices; " (summary.counts.devices_affected) " with a known vulnerability ("
                        (summary.counts.critical) " critical, " (summary.counts.high) " high findings, "
                        (summary.counts.kev) " exploited in the wild); "
                        (failing) " of " (summary.controls.len()) " device safeguards not in place. "
                        a href=(link) { "See the devices" }
                    }
                }
            }
        }
    })
}
