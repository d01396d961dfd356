//! The practice's phones: read them, import an Intune or Google Workspace export, and make a
//! single-use link to the phone check page. The storage is in `crate::phones`.

use crate::audit::{self, Entry};
use crate::auth::{Caller, Role, check_practice_managed, check_practice_visible};
use crate::error::{ApiError, ApiResult};
use crate::phones::{self, PhoneCounts, PhoneRow};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// The largest export accepted (an export of 10,000 devices is about 5 MB).
pub const MAX_EXPORT_BYTES: usize = 16 * 1024 * 1024;

/// The largest request body of an import.
pub const IMPORT_BODY_BYTES: usize = 2 * MAX_EXPORT_BYTES + 64 * 1024;

/// The phones of a practice.
#[derive(Debug, Serialize)]
pub struct PracticePhones {
    /// The practice.
    pub practice_id: i64,
    /// Counts for the overview.
    pub counts: PhoneCounts,
    /// Every phone, worst first.
    pub items: Vec<PhoneRow>,
}

/// Reads a practice's phones (administrators and the insurer; for the API and the page).
pub async fn practice_phones(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
) -> ApiResult<PracticePhones> {
    check_practice_visible(state, caller, practice_id).await?;
    if caller.role == Role::Clinician {
        return Err(ApiError::forbidden(
            "The practice's phone list is for its administrators and its insurer; your own phone is under My computers.",
        ));
    }
    let mut snapshot = state.db.snapshot().await?;
    let items = phones::list(&mut snapshot, practice_id, None).await?;
    let counts = phones::counts(&mut snapshot, practice_id).await?;
    snapshot.commit().await?;
    Ok(PracticePhones {
        practice_id,
        counts,
        items,
    })
}

/// `GET /api/v1/practices/{id}/phones`.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
) -> ApiResult<Json<PracticePhones>> {
    practice_phones(&state, &caller, practice_id)
        .await
        .map(Json)
}

/// Body of `POST /api/v1/practices/{id}/phones/import`.
#[derive(Debug, Deserialize)]
pub struct Import {
    /// The file's name, for the audit log.
    pub file_name: String,
    /// The CSV text.
    pub content: String,
}

/// What an import did.
#[derive(Debug, Serialize)]
pub struct Imported {
    /// `intune` or `google-workspace`.
    pub source: String,
    /// Phones stored (new or updated).
    pub imported: usize,
    /// Rows left out, with their line and reason.
    pub skipped: Vec<String>,
    /// The practice's phones counted after the import.
    pub counts: PhoneCounts,
}

/// Stores the phones of an export (for the API and the page).
pub async fn store_import(
    state: &AppState,
    caller: &Caller,
    practice_id: i64,
    file_name: &str,
    body: &[u8],
) -> ApiResult<Imported> {
    check_practice_managed(state, caller, practice_id).await?;
    let file_name = super::plain_text(
        "file_name",
        file_name,
        200,
        "Give the file's name, such as devices.csv.",
    )?;
    if body.len() > MAX_EXPORT_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "The export is larger than {} MB; export one practice at a time.",
                MAX_EXPORT_BYTES >> 20
            ),
        ));
    }
    let export = hygeia_phone::mdm::read_export(body)
        .map_err(|e| ApiError::bad_request(format!("{file_name}: {e}.")))?;
    if export.phones.is_empty() {
        return Err(ApiError::bad_request(format!(
            "{file_name} lists no phone or tablet (iOS, iPadOS or Android){}.",
            if export.skipped.is_empty() {
                String::new()
            } else {
                format!("; left out: {}", export.skipped.join("; "))
            }
        )));
    }
    let source = export.kind.source();
    let now = crate::db::now();
    let mut tx = state.db.write.begin().await?;
    let mut imported = 0;
    for phone in export.phones {
        let Some(record) = phones::judge(
            phone.id,
            phone.name,
            phone.owner,
            source,
            phone.last_seen,
            phone.facts,
        ) else {
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "The phone catalog of this build cannot be read; install the server again.",
            ));
        };
        phones::save(&mut tx, practice_id, None, &record, now).await?;
        imported += 1;
    }
    audit::record(
        &mut *tx,
        Entry {
            organization_id: Some(caller.organization_id),
            practice_id: Some(practice_id),
            user_id: Some(caller.user_id),
            actor: &caller.email,
            action: "phones.import",
            target: &format!("practice {practice_id}"),
            ip: &caller.ip,
            detail: &format!(
                "{file_name} ({}): {imported} phones, {} rows left out",
                source.as_str(),
                export.skipped.len()
            ),
        },
    )
    .await?;
    tx.commit().await?;
    let mut snapshot = state.db.snapshot().await?;
    let counts = phones::counts(&mut snapshot, practice_id).await?;
    snapshot.commit().await?;
    Ok(Imported {
        source: source.as_str().to_string(),
        imported,
        skipped: export.skipped,
        counts,
    })
}

/// `POST /api/v1/practices/{id}/phones/import`.
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(practice_id): Path<i64>,
    Json(body): Json<Import>,
) -> ApiResult<(StatusCode, Json<Imported>)> {
    store_import(
        &state,
        &caller,
        practice_id,
        &body.file_name,
        body.content.as_bytes(),
    )
    .await
    .map(|i| (StatusCode::CREATED, Json(i)))
}

/// Body of `POST /api/v1/phone-links`.
#[derive(Debug, Default, Deserialize)]
pub struct LinkRequest {
    /// The user whose phone the link checks (administrators); the caller when absent or null.
    #[serde(default, deserialize_with = "super::whole_number_or_null")]
    pub user_id: Option<i64>,
}

/// A new link to the phone check page, shown once.
#[derive(Debug, Serialize)]
pub struct PhoneLink {
    /// The page's path with its single-use token (`/phone-check/hyp_...`).
    pub path: String,
    /// The user whose phone it checks.
    pub user_id: i64,
    /// Until when it works (Unix seconds).
    pub expires_at: i64,
}

/// Makes a link for `user_id` (or the caller), checking who may (for the API and the pages).
pub async fn make_link(
    state: &AppState,
    caller: &Caller,
    user_id: Option<i64>,
) -> ApiResult<PhoneLink> {
    let Some(practice_id) = caller.practice_id else {
        return Err(ApiError::forbidden(
            "Phone checks are for the people of a practice.",
        ));
    };
    let user_id = user_id.unwrap_or(caller.user_id);
    if user_id != caller.user_id {
        if caller.role != Role::PracticeAdmin {
            return Err(ApiError::forbidden(
                "Only the practice's administrators can make a link for someone else.",
            ));
        }
        let member: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM users WHERE id = $1 AND practice_id = $2 AND disabled = 0",
        )
        .bind(user_id)
        .bind(practice_id)
        .fetch_optional(&state.db.read)
        .await?;
        if member.is_none() {
            return Err(ApiError::not_found("user"));
        }
    }
    let mut tx = state.db.write.begin().await?;
    let (token, expires_at) =
        phones::create_link(&mut tx, practice_id, user_id, caller.user_id).await?;
    audit::record(
        &mut *tx,
        Entry {
            organization_id: Some(caller.organization_id),
            practice_id: Some(practice_id),
            user_id: Some(caller.user_id),
            actor: &caller.email,
            action: "phones.link",
            target: &format!("user {user_id}"),
            ip: &caller.ip,
            detail: "phone check link made",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(PhoneLink {
        path: format!("/phone-check/{token}"),
        user_id,
        expires_at,
    })
}

/// `POST /api/v1/phone-links`.
pub async fn create_link(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<LinkRequest>,
) -> ApiResult<(StatusCode, Json<PhoneLink>)> {
    make_link(&state, &caller, body.user_id)
        .await
        .map(|l| (StatusCode::CREATED, Json(l)))
}
