//! The practice's devices: upload an inventory, read its devices, findings and hygiene
//! controls, and the state of the server's advisory store. The work is in `crate::devices`.

use super::read::Page;
use crate::audit::{self, Entry};
use crate::auth::{Caller, Role, check_practice_managed, check_practice_visible};
use crate::devices::advisories::StoreStatus;
use crate::devices::evaluate::parse_and_evaluate;
use crate::devices::storage::{self, DeviceControl, DeviceRow, FindingCounts, InventoryInfo};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The largest inventory accepted in one upload (a 10,000-device CSV is about 1.5 MB).
pub const MAX_INVENTORY_BYTES: usize = 16 * 1024 * 1024;

/// The largest request body of an upload: the inventory, escaped in JSON or in a form.
pub const UPLOAD_BODY_BYTES: usize = 2 * MAX_INVENTORY_BYTES + 64 * 1024;

/// The devices of a practice.
#[derive(Debug, Serialize)]
pub struct PracticeDevices {
    /// The practice.
    pub practice_id: i64,
    /// The inventory in force; absent before the first upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory: Option<InventoryInfo>,
    /// Its findings counted by priority.
    pub counts: FindingCounts,
    /// HY-MD-101..104 as last measured.
    pub controls: Vec<DeviceControl>,
    /// A page of devices with their findings.
    pub items: Vec<DeviceRow>,
    /// Page size.
    pub limit: i64,
    /// Devices skipped.
    pub offset: i64,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<i64>,
    /// The advisories the server matches against.
    pub advisory_store: StoreStatus,
}

/// Query of `GET /api/v1/practices/{id}/devices`.
#[derive(Debug, Deserialize)]
pub struct DevicesQuery {
    /// Items per page (1 to 500, default 50).
    pub limit: Option<i64>,
    /// Items to skip.
    pub offset: Option<i64>,
    /// Only devices with at least one finding, most urgent first.
    #[serde(default)]
    pub affected: Option<bool>,
}

/// Only the practice's administrators and its insurer read the device inventory: it names
/// every device and its weaknesses.
fn refuse_clinicians(caller: &Caller) -> ApiResult<()> {
    if caller.role == Role::Clinician {
        return Err(ApiError::forbidden(
            "The device inventory is for the practice's administrators and its insurer.",
        ));
    }
    Ok(())
}

/// Reads a practice's devices (for the API and the page).
pub async fn practice_devices(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
    query: &DevicesQuery,
) -> ApiResult<PracticeDevices> {
    check_practice_visible(state, caller, practice_id).await?;
    refuse_clinicians(caller)?;
    let (limit, offset) = Page {
        limit: query.limit,
        offset: query.offset,
    }
    .bounds()?;
    // One snapshot: a match landing between these reads must not show new findings beside
    // old counts.
    let mut snapshot = state.db.snapshot().await?;
    let inventory = storage::inventory_at(&mut snapshot, practice_id, i64::MAX).await?;
    let (counts, mut items) = match &inventory {
        Some(i) => (
            storage::finding_counts(&mut snapshot, i.id).await?,
            storage::devices_of(
                &mut snapshot,
                i.id,
                query.affected.unwrap_or(false),
                limit,
                offset,
            )
            .await?,
        ),
        None => (FindingCounts::default(), Vec::new()),
    };
    let controls = storage::controls_of(&mut snapshot, practice_id).await?;
    snapshot.commit().await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    Ok(PracticeDevices {
        practice_id,
        inventory,
        counts,
        controls,
        items,
        limit,
        offset,
        next_offset: more.then_some(offset + limit),
        advisory_store: state.advisories.status(),
    })
}

/// `GET /api/v1/practices/{id}/devices`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Query(query): Query<DevicesQuery>,
) -> ApiResult<Json<PracticeDevices>> {
    practice_devices(&state, &caller, practice_id, &query)
        .await
        .map(Json)
}

/// Body of `POST /api/v1/practices/{id}/devices`.
#[derive(Debug, Deserialize)]
pub struct Upload {
    /// The file's name (`inventory.csv`, `monitor.cdx.json`): tells CSV from JSON.
    pub file_name: String,
    /// The file's text: CSV, JSON, CycloneDX JSON or SPDX JSON.
    pub content: String,
}

/// What an upload produced.
#[derive(Debug, Serialize)]
pub struct Uploaded {
    /// The new inventory.
    pub inventory: InventoryInfo,
    /// Its findings counted by priority.
    pub counts: FindingCounts,
    /// HY-MD-101..104 as measured on it.
    pub controls: Vec<DeviceControl>,
}

/// Stores an uploaded inventory and its match (for the API and the page).
pub async fn store_upload(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
    file_name: &str,
    body: Vec<u8>,
) -> ApiResult<Uploaded> {
    check_practice_managed(state, caller, practice_id).await?;
    let file_name = super::plain_text(
        "file_name",
        file_name,
        200,
        "Give the file's name, such as inventory.csv.",
    )?;
    if body.len() > MAX_INVENTORY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "The inventory is larger than {} MB; split it or leave out columns Hygeia does not read.",
                MAX_INVENTORY_BYTES >> 20
            ),
        ));
    }
    let body = Arc::new(body);
    let (inventory, evaluation) =
        parse_and_evaluate(state, file_name.clone(), Arc::clone(&body)).await?;
    let mut tx = state.db.write.begin().await?;
    let inventory_id = storage::insert_inventory(
        &mut tx,
        practice_id,
        caller.user_id,
        &file_name,
        &inventory,
        &body,
    )
    .await?;
    storage::replace_findings(
        &mut tx,
        inventory_id,
        &evaluation.findings,
        &evaluation.advisories,
        &evaluation.snapshot,
    )
    .await?;
    storage::save_controls(&mut tx, practice_id, &evaluation.controls).await?;
    audit::record(
        &mut *tx,
        Entry {
            organization_id: Some(caller.organization_id),
            practice_id: Some(practice_id),
            user_id: Some(caller.user_id),
            actor: &caller.email,
            action: "devices.upload",
            target: &format!("device_inventory {inventory_id}"),
            ip: &caller.ip,
            detail: &format!(
                "{file_name}: {} devices, {} findings",
                inventory.devices.len(),
                evaluation.findings.len()
            ),
        },
    )
    .await?;
    tx.commit().await?;
    let mut snapshot = state.db.snapshot().await?;
    let info = storage::inventory_at(&mut snapshot, practice_id, i64::MAX)
        .await?
        .ok_or_else(|| ApiError::not_found("inventory"))?;
    let uploaded = Uploaded {
        counts: storage::finding_counts(&mut snapshot, info.id).await?,
        controls: storage::controls_of(&mut snapshot, practice_id).await?,
        inventory: info,
    };
    snapshot.commit().await?;
    Ok(uploaded)
}

/// `POST /api/v1/practices/{id}/devices`: replaces the practice's inventory; the findings come
/// in the answer's counts and from `GET` on the same path.
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Json(body): Json<Upload>,
) -> ApiResult<(StatusCode, Json<Uploaded>)> {
    let uploaded = store_upload(
        &state,
        &caller,
        practice_id,
        &body.file_name,
        body.content.into_bytes(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(uploaded)))
}

/// `GET /api/v1/advisory-store`: what the server matches inventories against.
pub async fn advisory_store(State(state): State<AppState>, _caller: Caller) -> Json<StoreStatus> {
    Json(state.advisories.status())
}
