//! Phones and tablets of a practice: each phone's latest record (from the phone check page, an
//! MDM export or `hygeia phone check`), judged by `hygeia_phone`, and the single-use links of
//! the phone check page. The API (`api::phones`) and the pages (`pages::phones`) use these.

use hygeia_core::phone_state::PhoneResult;
use hygeia_core::{Area, Catalog, Status};
use hygeia_phone::judge::Judge;
use hygeia_phone::{MobileOsCatalog, PhoneFacts, PhoneRecord};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

/// How long a phone check link works.
pub const LINK_VALID_SECONDS: i64 = 24 * 3600;

/// The catalogs phones are judged with, loaded once.
fn catalogs() -> Option<&'static (Catalog, MobileOsCatalog)> {
    static LOADED: std::sync::OnceLock<Option<(Catalog, MobileOsCatalog)>> =
        std::sync::OnceLock::new();
    LOADED
        .get_or_init(|| {
            let catalog = Catalog::builtin()
                .ok()?
                .restricted_to(|c| c.area == Area::Phone);
            let releases = MobileOsCatalog::builtin().ok()?;
            Some((catalog, releases))
        })
        .as_ref()
}

/// Judges a phone's facts now and makes its record.
pub fn judge(
    id: String,
    name: String,
    owner: String,
    source: hygeia_phone::PhoneSource,
    seen_at: String,
    facts: PhoneFacts,
) -> Option<PhoneRecord> {
    let (catalog, releases) = catalogs()?;
    let judge = Judge {
        releases,
        catalog,
        observed_at: time::OffsetDateTime::now_utc(),
    };
    Some(PhoneRecord::judged(id, name, owner, source, seen_at, facts, &judge).0)
}

/// One phone as the API and the pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct PhoneRow {
    /// The phone's identifier (a hash, not its serial number).
    pub id: String,
    /// Device name or model.
    pub name: String,
    /// Who it belongs to.
    pub owner: String,
    /// The dashboard user it belongs to, when known.
    pub owner_user_id: Option<i64>,
    /// `ios` or `android`.
    pub family: String,
    /// OS version ("" when unknown).
    pub os_version: String,
    /// Android security patch level ("" when unknown or iOS).
    pub security_patch: String,
    /// Model.
    pub model: String,
    /// `usb`, `browser`, `intune` or `google-workspace`.
    pub source: String,
    /// When the facts were collected (Unix seconds).
    pub seen_at: i64,
    /// The worst result of HY-PH-001..004.
    pub status: String,
    /// HY-PH-001 alone: whether the phone is up to date.
    pub updates_status: String,
    /// One result per phone control.
    pub results: Vec<PhoneResult>,
    /// What a program read from the phone.
    pub measured: Vec<String>,
    /// What a person (or a management system) declared.
    pub answered: Vec<String>,
}

/// The facts of a record by how they are known, as "topic: value" lines.
fn facts_by_origin(facts: &PhoneFacts) -> (Vec<String>, Vec<String>) {
    use hygeia_phone::Reading;
    let mut measured = Vec::new();
    let mut answered = Vec::new();
    let mut put = |topic: &str, how: &Reading<String>| match how {
        Reading::Measured { value } => measured.push(format!("{topic}: {value}")),
        Reading::Answered { value } => answered.push(format!("{topic}: {value}")),
        Reading::Unknown { .. } => {}
    };
    let yes = |r: &Reading<bool>| match r {
        Reading::Measured { value } => {
            Reading::measured(if *value { "yes" } else { "no" }.to_string())
        }
        Reading::Answered { value } => {
            Reading::answered(if *value { "yes" } else { "no" }.to_string())
        }
        Reading::Unknown { why } => Reading::unknown(why.clone()),
    };
    let list = |r: &Reading<Vec<String>>| match r {
        Reading::Measured { value } => Reading::measured(value.join(", ")),
        Reading::Answered { value } => Reading::answered(value.join(", ")),
        Reading::Unknown { why } => Reading::unknown(why.clone()),
    };
    put("OS version", &facts.os_version);
    put("security patch", &facts.security_patch);
    put("screen lock", &yes(&facts.screen_lock));
    put("encrypted", &yes(&facts.encrypted));
    put("automatic updates", &yes(&facts.automatic_updates));
    put("apps used for video visits", &list(&facts.visit_apps));
    (measured, answered)
}

/// Where a phone's facts came from, for people ("Intune export").
pub fn source_label(source: &str) -> &'static str {
    hygeia_phone::PhoneSource::parse(source).map_or("unknown", hygeia_phone::PhoneSource::label)
}

/// Inserts or replaces a phone's record.
pub async fn save(
    tx: &mut Transaction<'static, Any>,
    practice_id: i64,
    owner_user_id: Option<i64>,
    record: &PhoneRecord,
    seen_at: i64,
) -> Result<(), sqlx::Error> {
    let json = serde_json::to_string(record).unwrap_or_default();
    let updates = record
        .result("HY-PH-001")
        .map_or(Status::Unknown, |r| r.status);
    sqlx::query(
        "INSERT INTO phones (practice_id, phone_key, owner_user_id, owner, name, family, os_version, \
         security_patch, model, source, seen_at, status, updates_status, record_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (practice_id, phone_key) DO UPDATE SET owner_user_id = $3, owner = $4, \
         name = $5, family = $6, os_version = $7, security_patch = $8, model = $9, source = $10, \
         seen_at = $11, status = $12, updates_status = $13, record_json = $14",
    )
    .bind(practice_id)
    .bind(record.id.clone())
    .bind(owner_user_id)
    .bind(record.owner.clone())
    .bind(record.name.clone())
    .bind(record.facts.family.as_str())
    .bind(record.facts.os_version.value().cloned().unwrap_or_default())
    .bind(record.facts.security_patch.value().cloned().unwrap_or_default())
    .bind(record.facts.model.clone())
    .bind(record.source.as_str())
    .bind(seen_at)
    .bind(record.worst_status().as_str())
    .bind(updates.as_str())
    .bind(json)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The phones of a practice (only `owner_user_id`'s when given), worst first.
pub async fn list(
    executor: &mut Transaction<'static, Any>,
    practice_id: i64,
    owner_user_id: Option<i64>,
) -> Result<Vec<PhoneRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT phone_key, name, owner, owner_user_id, family, os_version, security_patch, model, \
         source, seen_at, status, updates_status, record_json FROM phones \
         WHERE practice_id = $1 AND ($2 = -1 OR owner_user_id = $2) \
         ORDER BY CASE status WHEN 'fail' THEN 0 WHEN 'warn' THEN 1 WHEN 'unknown' THEN 2 ELSE 3 END, name",
    )
    .bind(practice_id)
    .bind(owner_user_id.unwrap_or(-1))
    .fetch_all(&mut **executor)
    .await?;
    rows.iter()
        .map(|row| {
            let record: Option<PhoneRecord> =
                serde_json::from_str(&row.try_get::<String, _>("record_json")?).ok();
            let (measured, answered) = record
                .as_ref()
                .map(|r| facts_by_origin(&r.facts))
                .unwrap_or_default();
            Ok(PhoneRow {
                id: row.try_get("phone_key")?,
                name: row.try_get("name")?,
                owner: row.try_get("owner")?,
                owner_user_id: row.try_get("owner_user_id")?,
                family: row.try_get("family")?,
                os_version: row.try_get("os_version")?,
                security_patch: row.try_get("security_patch")?,
                model: row.try_get("model")?,
                source: row.try_get("source")?,
                seen_at: row.try_get("seen_at")?,
                status: row.try_get("status")?,
                updates_status: row.try_get("updates_status")?,
                results: record.map(|r| r.results).unwrap_or_default(),
                measured,
                answered,
            })
        })
        .collect()
}

/// Phones counted for the overview: total, failing HY-PH-001 (out of date), failing any.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct PhoneCounts {
    /// Phones on record.
    pub phones: i64,
    /// Phones whose OS is out of date or unsupported (HY-PH-001 fails).
    pub out_of_date: i64,
    /// Phones with any failing control.
    pub failing: i64,
}

/// The counts of one practice.
pub async fn counts(
    executor: &mut Transaction<'static, Any>,
    practice_id: i64,
) -> Result<PhoneCounts, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS phones, \
         COALESCE(SUM(CASE WHEN updates_status = 'fail' THEN 1 ELSE 0 END), 0) AS out_of_date, \
         COALESCE(SUM(CASE WHEN status = 'fail' THEN 1 ELSE 0 END), 0) AS failing \
         FROM phones WHERE practice_id = $1",
    )
    .bind(practice_id)
    .fetch_one(&mut **executor)
    .await?;
    Ok(PhoneCounts {
        phones: row.try_get("phones")?,
        out_of_date: row.try_get("out_of_date")?,
        failing: row.try_get("failing")?,
    })
}

/// Creates a link for `user_id`'s phone; returns the token (shown once, only its hash is kept).
pub async fn create_link(
    tx: &mut Transaction<'static, Any>,
    practice_id: i64,
    user_id: i64,
    created_by: i64,
) -> Result<(String, i64), sqlx::Error> {
    let token = crate::secrets::new_secret("hyp_");
    let now = crate::db::now();
    let expires_at = now + LINK_VALID_SECONDS;
    sqlx::query(
        "INSERT INTO phone_links (token_hash, practice_id, user_id, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(crate::secrets::sha256_hex(token.as_bytes()))
    .bind(practice_id)
    .bind(user_id)
    .bind(created_by)
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok((token, expires_at))
}

/// A link that may still be used.
#[derive(Debug, Clone)]
pub struct LiveLink {
    /// Its hash (the key).
    pub token_hash: String,
    /// The practice.
    pub practice_id: i64,
    /// The user whose phone it checks.
    pub user_id: i64,
    /// That user's email.
    pub email: String,
}

/// The link of `token` when it exists, is unused and has not expired.
pub async fn live_link(
    tx: &mut Transaction<'static, Any>,
    token: &str,
) -> Result<Option<LiveLink>, sqlx::Error> {
    if !token.starts_with("hyp_") || token.len() > 100 {
        return Ok(None);
    }
    let hash = crate::secrets::sha256_hex(token.as_bytes());
    let row = sqlx::query(
        "SELECT l.practice_id, l.user_id, u.email FROM phone_links l JOIN users u ON u.id = l.user_id \
         WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2",
    )
    .bind(hash.clone())
    .bind(crate::db::now())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| {
        Ok(LiveLink {
            token_hash: hash,
            practice_id: row.try_get("practice_id")?,
            user_id: row.try_get("user_id")?,
            email: row.try_get("email")?,
        })
    })
    .transpose()
}

/// Marks a link used; false when another request used it first.
pub async fn use_link(
    tx: &mut Transaction<'static, Any>,
    token_hash: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE phone_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(crate::db::now())
    .bind(token_hash)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
