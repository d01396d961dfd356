//! Matching a practice's inventory: on upload, and again for every practice when the advisory
//! store changes. The CPU work (parsing, matching) runs on the blocking pool; the results are
//! written in one transaction per inventory.

use super::advisories::Loaded;
use super::storage;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use hygeia_devices::inventory::Inventory;
use hygeia_devices::{AdvisorySet, DevicesError};
use sqlx::Row;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What matching an inventory produced.
#[derive(Debug)]
pub struct Evaluation {
    /// Findings, most urgent first.
    pub findings: Vec<hygeia_devices::priority::Finding>,
    /// HY-MD-101..104.
    pub controls: BTreeMap<String, hygeia_core::Finding>,
    /// Which advisories were used, in words.
    pub advisories: String,
    /// The store snapshot used ('' for none).
    pub snapshot: String,
}

/// Matches an inventory against the store's snapshot (or, without one, the built-in catalog of
/// end-of-support systems only) and measures the hygiene controls. Blocking.
pub fn evaluate(
    inventory: &Inventory,
    loaded: Option<&Loaded>,
) -> Result<Evaluation, DevicesError> {
    let empty = AdvisorySet::default();
    let (set, kev, epss) = match loaded {
        Some(l) => (&l.set, Some(&l.kev), l.epss.as_ref()),
        None => (&empty, None, None),
    };
    let report = hygeia_devices::match_inventory(inventory, set, kev, epss)?;
    let os_catalog = hygeia_devices::os::OsCatalog::builtin()?;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let controls = hygeia_devices::hygiene::evaluate(inventory, &os_catalog, &today);
    Ok(Evaluation {
        findings: report.findings,
        controls,
        advisories: loaded.map_or_else(
            || "no advisory store: end-of-support systems only".to_string(),
            Loaded::describe,
        ),
        snapshot: loaded.map(|l| l.snapshot.clone()).unwrap_or_default(),
    })
}

fn internal(message: String) -> ApiError {
    eprintln!("hygeia serve: {message}");
    ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "The server could not match the inventory; try again shortly.",
    )
}

/// Parses and matches an upload on the blocking pool.
pub async fn parse_and_evaluate(
    state: &AppState,
    file_name: String,
    body: Arc<Vec<u8>>,
) -> ApiResult<(Inventory, Evaluation)> {
    let store = Arc::clone(&state.advisories);
    tokio::task::spawn_blocking(move || {
        let inventory = hygeia_devices::inventory::parse(&file_name, &body)
            .map_err(|e| ApiError::bad_request(format!("The inventory cannot be read: {e}.")))?;
        if inventory.devices.is_empty() {
            let why: Vec<String> = inventory
                .problems
                .iter()
                .take(5)
                .map(|p| format!("{}: {}", p.location, p.message))
                .collect();
            return Err(ApiError::bad_request(format!(
                "The inventory lists no usable device. {} Use a CSV file with the columns name, vendor and model (see the example on the page), or a CycloneDX or SPDX JSON file.",
                why.join(" ")
            )));
        }
        // A damaged store must not stop an upload: the hygiene controls still count.
        let loaded = store.current().unwrap_or_else(|e| {
            eprintln!("hygeia serve: the advisory store cannot be read: {e}");
            None
        });
        let evaluation =
            evaluate(&inventory, loaded.as_deref()).map_err(|e| internal(e.to_string()))?;
        Ok((inventory, evaluation))
    })
    .await
    .map_err(|e| internal(format!("matching stopped: {e}")))?
}

/// Matches every practice's current inventory whose last match used another snapshot than the
/// store's active one; returns how many were matched.
pub async fn rematch_all(state: &AppState) -> ApiResult<usize> {
    let store = Arc::clone(&state.advisories);
    let loaded = tokio::task::spawn_blocking(move || store.current())
        .await
        .map_err(|e| internal(format!("reading the advisory store stopped: {e}")))?
        .map_err(|e| internal(format!("the advisory store cannot be read: {e}")))?;
    let Some(loaded) = loaded else {
        return Ok(0);
    };
    let stale = sqlx::query(
        "SELECT i.id, i.practice_id, i.file_name, i.body_deflate_base64 FROM device_inventories i \
         WHERE i.snapshot <> $1 AND i.id = (SELECT l.id FROM device_inventories l \
         WHERE l.practice_id = i.practice_id ORDER BY l.uploaded_at DESC, l.id DESC LIMIT 1)",
    )
    .bind(&loaded.snapshot)
    .fetch_all(&state.db.read)
    .await?;
    let mut matched = 0;
    for row in stale {
        let inventory_id: i64 = row.try_get("id")?;
        let practice_id: i64 = row.try_get("practice_id")?;
        let file_name: String = row.try_get("file_name")?;
        let Some(body) =
            crate::ingest::decompress(&row.try_get::<String, _>("body_deflate_base64")?)
        else {
            eprintln!("hygeia serve: the stored inventory {inventory_id} cannot be read back");
            continue;
        };
        let for_match = Arc::clone(&loaded);
        let evaluation = tokio::task::spawn_blocking(move || {
            let inventory = hygeia_devices::inventory::parse(&file_name, body.as_bytes())?;
            evaluate(&inventory, Some(&for_match))
        })
        .await
        .map_err(|e| internal(format!("matching stopped: {e}")))?;
        let evaluation = match evaluation {
            Ok(e) => e,
            Err(e) => {
                eprintln!("hygeia serve: inventory {inventory_id}: {e}");
                continue;
            }
        };
        let mut tx = state.db.write.begin().await?;
        storage::replace_findings(
            &mut tx,
            inventory_id,
            &evaluation.findings,
            &evaluation.advisories,
            &evaluation.snapshot,
        )
        .await?;
        // An upload may have replaced the inventory while this one was matched: its controls
        // are then already newer than these.
        if storage::current_inventory_id(&mut tx, practice_id).await? == Some(inventory_id) {
            storage::save_controls(&mut tx, practice_id, &evaluation.controls).await?;
        }
        tx.commit().await?;
        matched += 1;
    }
    Ok(matched)
}
