//! The awareness tables (migration 0005): relays, campaigns and their recipients, training
//! results. Queries only; who may call them is decided by the API.

use super::catalog::Template;
use super::mailer::{Relay, Security};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

/// The prefix of a simulation link's token.
pub const TOKEN_PREFIX: &str = "hys_";

/// Sending attempts before a message is given up.
pub const MAX_ATTEMPTS: i64 = 5;

/// A module completed this long ago still counts for HY-EM-002.
pub const TRAINING_VALID_SECONDS: i64 = 365 * 86_400;

type Tx = Transaction<'static, Any>;

/// A relay as the dashboard shows it (never the password).
#[derive(Debug, Clone, Serialize)]
pub struct RelayView {
    /// Host.
    pub host: String,
    /// Port.
    pub port: i64,
    /// `starttls`, `tls` or `plain`.
    pub security: String,
    /// User name (empty: no authentication).
    pub username: String,
    /// Whether a password is stored.
    pub has_password: bool,
    /// Sender of every simulation.
    pub from_address: String,
    /// When it was last changed.
    pub updated_at: i64,
}

/// Stores (or replaces) a practice's relay; `password_sealed` is `None` to keep the stored one.
#[allow(clippy::too_many_arguments)]
pub async fn save_relay(
    tx: &mut Tx,
    practice_id: i64,
    host: &str,
    port: u16,
    security: Security,
    username: &str,
    password_sealed: Option<String>,
    from_address: &str,
    user_id: i64,
) -> Result<(), sqlx::Error> {
    let kept: Option<String> =
        sqlx::query("SELECT password_sealed FROM smtp_relays WHERE practice_id = $1")
            .bind(practice_id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|row| row.try_get("password_sealed"))
            .transpose()?;
    let password = password_sealed.or(kept).unwrap_or_default();
    sqlx::query("DELETE FROM smtp_relays WHERE practice_id = $1")
        .bind(practice_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO smtp_relays (practice_id, host, port, security, username, password_sealed, from_address, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(practice_id)
    .bind(host)
    .bind(i64::from(port))
    .bind(security.as_str())
    .bind(username)
    .bind(password)
    .bind(from_address)
    .bind(user_id)
    .bind(crate::db::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The relay of a practice: what the dashboard shows, and the sealed password.
pub async fn relay(
    tx: &mut Tx,
    practice_id: i64,
) -> Result<Option<(RelayView, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT host, port, security, username, password_sealed, from_address, updated_at \
         FROM smtp_relays WHERE practice_id = $1",
    )
    .bind(practice_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| {
        let sealed: String = row.try_get("password_sealed")?;
        Ok((
            RelayView {
                host: row.try_get("host")?,
                port: row.try_get("port")?,
                security: row.try_get("security")?,
                username: row.try_get("username")?,
                has_password: !sealed.is_empty(),
                from_address: row.try_get("from_address")?,
                updated_at: row.try_get("updated_at")?,
            },
            sealed,
        ))
    })
    .transpose()
}

/// The relay ready to send, its password opened with `key`; `None` when there is none or the
/// password cannot be opened (another server's key).
pub async fn open_relay(
    tx: &mut Tx,
    practice_id: i64,
    key: &crate::sealing::SealingKey,
) -> Result<Option<Relay>, sqlx::Error> {
    let Some((view, sealed)) = relay(tx, practice_id).await? else {
        return Ok(None);
    };
    let password = if sealed.is_empty() {
        String::new()
    } else {
        match key.open(&sealed) {
            Some(password) => password,
            None => return Ok(None),
        }
    };
    let (Some(security), Ok(port)) = (Security::parse(&view.security), u16::try_from(view.port))
    else {
        return Ok(None);
    };
    Ok(Some(Relay {
        host: view.host,
        port,
        security,
        username: view.username,
        password,
        from_address: view.from_address,
    }))
}

/// A new campaign.
#[derive(Debug, Clone)]
pub struct NewCampaign<'a> {
    /// The practice.
    pub practice_id: i64,
    /// Its name.
    pub name: &'a str,
    /// The template as it will be sent.
    pub template: &'a Template,
    /// Start of the links (`https://hygeia.clinic.example`).
    pub link_base: &'a str,
    /// Sending window.
    pub starts_at: i64,
    /// End of the window.
    pub ends_at: i64,
    /// Open tracking.
    pub track_opens: bool,
    /// Insurer may see names.
    pub share_names: bool,
    /// Who created it.
    pub created_by: i64,
    /// The practice's users it goes to.
    pub recipients: &'a [i64],
}

/// Stores a campaign and gives each recipient a random sending time within the window.
pub async fn create_campaign(tx: &mut Tx, campaign: &NewCampaign<'_>) -> Result<i64, sqlx::Error> {
    let id = crate::db::new_time_ordered_id();
    let template_json = serde_json::to_string(campaign.template).unwrap_or_default();
    sqlx::query(
        "INSERT INTO campaigns (id, practice_id, name, template_json, link_base, starts_at, ends_at, track_opens, share_names, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(campaign.practice_id)
    .bind(campaign.name)
    .bind(template_json)
    .bind(campaign.link_base)
    .bind(campaign.starts_at)
    .bind(campaign.ends_at)
    .bind(i64::from(campaign.track_opens))
    .bind(i64::from(campaign.share_names))
    .bind(campaign.created_by)
    .bind(crate::db::now())
    .execute(&mut **tx)
    .await?;
    let window = (campaign.ends_at - campaign.starts_at).max(0);
    for user_id in campaign.recipients {
        let offset = if window == 0 {
            0
        } else {
            let mut bytes = [0u8; 8];
            crate::secrets::fill_random(&mut bytes);
            (u64::from_le_bytes(bytes) % (window as u64 + 1)) as i64
        };
        sqlx::query(
            "INSERT INTO campaign_recipients (campaign_id, user_id, send_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(user_id)
        .bind(campaign.starts_at + offset)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// A message due to go out.
#[derive(Debug, Clone)]
pub struct Due {
    /// Campaign.
    pub campaign_id: i64,
    /// Practice.
    pub practice_id: i64,
    /// Practice's name.
    pub practice: String,
    /// Recipient.
    pub user_id: i64,
    /// Their address.
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// The template as stored.
    pub template_json: String,
    /// Start of the links.
    pub link_base: String,
    /// Open tracking.
    pub track_opens: bool,
    /// Attempts so far.
    pub attempts: i64,
}

/// Messages whose time has come, oldest first (disabled users and cancelled campaigns left out).
pub async fn due(tx: &mut Tx, now: i64, limit: i64) -> Result<Vec<Due>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT r.campaign_id, c.practice_id, p.name AS practice, r.user_id, u.email, u.display_name, \
         c.template_json, c.link_base, c.track_opens, r.attempts \
         FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id \
         JOIN users u ON u.id = r.user_id JOIN practices p ON p.id = c.practice_id \
         WHERE r.sent_at IS NULL AND r.send_at <= $1 AND r.attempts < $2 \
         AND c.cancelled_at IS NULL AND u.disabled = 0 \
         ORDER BY r.send_at LIMIT $3",
    )
    .bind(now)
    .bind(MAX_ATTEMPTS)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Due {
                campaign_id: row.try_get("campaign_id")?,
                practice_id: row.try_get("practice_id")?,
                practice: row.try_get("practice")?,
                user_id: row.try_get("user_id")?,
                email: row.try_get("email")?,
                display_name: row.try_get("display_name")?,
                template_json: row.try_get("template_json")?,
                link_base: row.try_get("link_base")?,
                track_opens: row.try_get::<i64, _>("track_opens")? != 0,
                attempts: row.try_get("attempts")?,
            })
        })
        .collect()
}

/// Gives a recipient a new link token (its hash) before the message goes out, and counts the
/// attempt. A message sent but not marked (the server stopped in between) goes out again with
/// a new link; the old one then leads nowhere.
pub async fn claim(
    tx: &mut Tx,
    campaign_id: i64,
    user_id: i64,
    token_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaign_recipients SET token_hash = $1, attempts = attempts + 1 \
         WHERE campaign_id = $2 AND user_id = $3 AND sent_at IS NULL",
    )
    .bind(token_hash)
    .bind(campaign_id)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records the outcome of a sending attempt; a failure waits 5 minutes per attempt so far.
pub async fn sent(
    tx: &mut Tx,
    campaign_id: i64,
    user_id: i64,
    outcome: Result<(), &str>,
) -> Result<(), sqlx::Error> {
    let now = crate::db::now();
    match outcome {
        Ok(()) => sqlx::query(
            "UPDATE campaign_recipients SET sent_at = $1, last_error = NULL WHERE campaign_id = $2 AND user_id = $3",
        )
        .bind(now),
        Err(error) => sqlx::query(
            "UPDATE campaign_recipients SET last_error = $1, send_at = $4 + 300 * attempts WHERE campaign_id = $2 AND user_id = $3",
        )
        .bind(error.chars().take(500).collect::<String>()),
    }
    .bind(campaign_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whose link a token is.
#[derive(Debug, Clone)]
pub struct LinkOwner {
    /// Campaign.
    pub campaign_id: i64,
    /// Practice.
    pub practice_id: i64,
    /// Recipient.
    pub user_id: i64,
    /// The template as sent.
    pub template_json: String,
    /// Whether the practice cancelled the campaign (nothing more is sent; links already sent
    /// still teach and count).
    pub cancelled: bool,
}

/// The recipient a link token belongs to.
pub async fn link_owner(tx: &mut Tx, token: &str) -> Result<Option<LinkOwner>, sqlx::Error> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT r.campaign_id, c.practice_id, r.user_id, c.template_json, c.cancelled_at \
         FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id WHERE r.token_hash = $1",
    )
    .bind(crate::secrets::sha256_hex(token.as_bytes()))
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| {
        Ok(LinkOwner {
            campaign_id: row.try_get("campaign_id")?,
            practice_id: row.try_get("practice_id")?,
            user_id: row.try_get("user_id")?,
            template_json: row.try_get("template_json")?,
            cancelled: row.try_get::<Option<i64>, _>("cancelled_at")?.is_some(),
        })
    })
    .transpose()
}

/// What a recipient did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Opened the message (the tracking image loaded).
    Opened,
    /// Followed the link.
    Clicked,
    /// Typed something on the landing page (never what).
    Submitted,
    /// Reported the message.
    Reported,
}

impl Event {
    fn column(self) -> &'static str {
        match self {
            Event::Opened => "opened_at",
            Event::Clicked => "clicked_at",
            Event::Submitted => "submitted_at",
            Event::Reported => "reported_at",
        }
    }
}

/// Records the first time of an event; true when this was the first.
pub async fn record(
    tx: &mut Tx,
    campaign_id: i64,
    user_id: i64,
    event: Event,
) -> Result<bool, sqlx::Error> {
    let column = event.column();
    let done = sqlx::query(&format!(
        "UPDATE campaign_recipients SET {column} = $1 WHERE campaign_id = $2 AND user_id = $3 AND {column} IS NULL"
    ))
    .bind(crate::db::now())
    .bind(campaign_id)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A finished quiz.
pub async fn record_training(
    tx: &mut Tx,
    practice_id: i64,
    user_id: i64,
    module_id: &str,
    score: usize,
    questions: usize,
    passed: bool,
) -> Result<(), sqlx::Error> {
    let now = crate::db::now();
    sqlx::query(
        "INSERT INTO training_results (id, practice_id, user_id, module_id, score, questions, passed, finished_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(crate::db::new_time_ordered_id())
    .bind(practice_id)
    .bind(user_id)
    .bind(module_id)
    .bind(score as i64)
    .bind(questions as i64)
    .bind(i64::from(passed))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if passed {
        sqlx::query(
            "UPDATE training_assignments SET completed_at = $1 WHERE user_id = $2 AND module_id = $3 AND completed_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(module_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Assigns a module to a person unless it is already assigned and not completed.
#[allow(clippy::too_many_arguments)]
pub async fn assign(
    tx: &mut Tx,
    practice_id: i64,
    user_id: i64,
    module_id: &str,
    reason: &str,
    campaign_id: Option<i64>,
    due_in_seconds: i64,
) -> Result<bool, sqlx::Error> {
    let open: Option<i64> = sqlx::query(
        "SELECT id FROM training_assignments WHERE user_id = $1 AND module_id = $2 AND completed_at IS NULL",
    )
    .bind(user_id)
    .bind(module_id)
    .fetch_optional(&mut **tx)
    .await?
    .map(|row| row.try_get("id"))
    .transpose()?;
    if open.is_some() {
        return Ok(false);
    }
    let now = crate::db::now();
    sqlx::query(
        "INSERT INTO training_assignments (id, practice_id, user_id, module_id, reason, campaign_id, assigned_at, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(crate::db::new_time_ordered_id())
    .bind(practice_id)
    .bind(user_id)
    .bind(module_id)
    .bind(reason)
    .bind(campaign_id)
    .bind(now)
    .bind(now + due_in_seconds)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// A person's latest passed module within the last 12 months: (module, when, score, questions).
pub async fn latest_training(
    tx: &mut Tx,
    user_id: i64,
    now: i64,
) -> Result<Option<(String, i64, i64, i64)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT module_id, finished_at, score, questions FROM training_results \
         WHERE user_id = $1 AND passed = 1 AND finished_at > $2 ORDER BY finished_at DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(now - TRAINING_VALID_SECONDS)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| {
        Ok((
            row.try_get("module_id")?,
            row.try_get("finished_at")?,
            row.try_get("score")?,
            row.try_get("questions")?,
        ))
    })
    .transpose()
}

/// One person of the practice in the attestation report's training section.
#[derive(Debug, Clone, Serialize)]
pub struct WorkforceRow {
    /// Name.
    pub name: String,
    /// Role (`practice_admin`, `clinician`).
    pub role: String,
    /// Latest module passed within the 12 months before the day: (module id, when, score, questions).
    pub training: Option<(String, i64, i64, i64)>,
    /// Simulations sent to them in those 12 months.
    pub simulations: i64,
    /// Of which clicked.
    pub clicked: i64,
    /// Of which reported.
    pub reported: i64,
}

/// The practice's people as of `end` (Unix time): training and simulations of the 12 months
/// before it.
pub async fn workforce(
    tx: &mut Tx,
    practice_id: i64,
    end: i64,
) -> Result<Vec<WorkforceRow>, sqlx::Error> {
    let since = end - TRAINING_VALID_SECONDS;
    let people = sqlx::query(
        "SELECT u.id, u.display_name, u.role, \
         (SELECT COUNT(*) FROM campaign_recipients r WHERE r.user_id = u.id AND r.sent_at > $2 AND r.sent_at <= $3) AS simulations, \
         (SELECT COUNT(*) FROM campaign_recipients r WHERE r.user_id = u.id AND r.sent_at > $2 AND r.clicked_at <= $3) AS clicked, \
         (SELECT COUNT(*) FROM campaign_recipients r WHERE r.user_id = u.id AND r.sent_at > $2 AND r.reported_at <= $3) AS reported \
         FROM users u WHERE u.practice_id = $1 AND u.role IN ('practice_admin', 'clinician') AND u.created_at <= $3 \
         ORDER BY u.display_name, u.id",
    )
    .bind(practice_id)
    .bind(since)
    .bind(end)
    .fetch_all(&mut **tx)
    .await?;
    let mut rows = Vec::new();
    for person in &people {
        let user_id: i64 = person.try_get("id")?;
        let training = sqlx::query(
            "SELECT module_id, finished_at, score, questions FROM training_results \
             WHERE user_id = $1 AND passed = 1 AND finished_at > $2 AND finished_at <= $3 \
             ORDER BY finished_at DESC LIMIT 1",
        )
        .bind(user_id)
        .bind(since)
        .bind(end)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| -> Result<_, sqlx::Error> {
            Ok((
                r.try_get("module_id")?,
                r.try_get("finished_at")?,
                r.try_get("score")?,
                r.try_get("questions")?,
            ))
        })
        .transpose()?;
        rows.push(WorkforceRow {
            name: person.try_get("display_name")?,
            role: person.try_get("role")?,
            training,
            simulations: person.try_get("simulations")?,
            clicked: person.try_get("clicked")?,
            reported: person.try_get("reported")?,
        });
    }
    Ok(rows)
}

/// A module's title, or its id when this build does not know it.
pub fn module_title(module_id: &str) -> String {
    super::catalog::builtin()
        .ok()
        .and_then(|c| c.module(module_id))
        .map(|m| m.title.clone())
        .unwrap_or_else(|| module_id.to_string())
}

/// The modules a person passed within the 12 months before `now`.
pub async fn passed_modules(
    tx: &mut Tx,
    user_id: i64,
    now: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("SELECT DISTINCT module_id FROM training_results WHERE user_id = $1 AND passed = 1 AND finished_at > $2")
        .bind(user_id)
        .bind(now - TRAINING_VALID_SECONDS)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get("module_id"))
        .collect()
}

/// The modules assigned to a person and not completed.
pub async fn assigned_modules(tx: &mut Tx, user_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("SELECT module_id FROM training_assignments WHERE user_id = $1 AND completed_at IS NULL ORDER BY assigned_at")
        .bind(user_id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get("module_id"))
        .collect()
}

/// A report mailbox as the dashboard shows it (never the password).
#[derive(Debug, Clone, Serialize)]
pub struct ReportMailboxView {
    /// IMAP host.
    pub host: String,
    /// Port.
    pub port: i64,
    /// `tls` or `starttls`.
    pub security: String,
    /// Account.
    pub username: String,
    /// Folder.
    pub folder: String,
    /// When it was last read.
    pub checked_at: Option<i64>,
    /// Why the last reading failed.
    pub last_error: Option<String>,
    /// When it was last changed.
    pub updated_at: i64,
}

/// Stores (or replaces) a practice's report mailbox; `password_sealed` is `None` to keep the
/// stored one.
#[allow(clippy::too_many_arguments)]
pub async fn save_report_mailbox(
    tx: &mut Tx,
    practice_id: i64,
    host: &str,
    port: u16,
    security: &str,
    username: &str,
    password_sealed: Option<String>,
    folder: &str,
    user_id: i64,
) -> Result<(), sqlx::Error> {
    let kept: Option<String> =
        sqlx::query("SELECT password_sealed FROM report_mailboxes WHERE practice_id = $1")
            .bind(practice_id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|row| row.try_get("password_sealed"))
            .transpose()?;
    sqlx::query("DELETE FROM report_mailboxes WHERE practice_id = $1")
        .bind(practice_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO report_mailboxes (practice_id, host, port, security, username, password_sealed, folder, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(practice_id)
    .bind(host)
    .bind(i64::from(port))
    .bind(security)
    .bind(username)
    .bind(password_sealed.or(kept).unwrap_or_default())
    .bind(folder)
    .bind(user_id)
    .bind(crate::db::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A practice's report mailbox, if it has one.
pub async fn report_mailbox(
    tx: &mut Tx,
    practice_id: i64,
) -> Result<Option<ReportMailboxView>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT host, port, security, username, folder, checked_at, last_error, updated_at \
         FROM report_mailboxes WHERE practice_id = $1",
    )
    .bind(practice_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| {
        Ok(ReportMailboxView {
            host: row.try_get("host")?,
            port: row.try_get("port")?,
            security: row.try_get("security")?,
            username: row.try_get("username")?,
            folder: row.try_get("folder")?,
            checked_at: row.try_get("checked_at")?,
            last_error: row.try_get("last_error")?,
            updated_at: row.try_get("updated_at")?,
        })
    })
    .transpose()
}

/// The prefix of an administrator's copy's template id (`copy-123`).
pub const COPY_PREFIX: &str = "copy-";

/// Stores an administrator's copy of a template; returns it with its id (`copy-N`).
pub async fn save_template_copy(
    tx: &mut Tx,
    practice_id: i64,
    based_on: &str,
    template: &Template,
    user_id: i64,
) -> Result<Template, sqlx::Error> {
    let id = crate::db::new_time_ordered_id();
    let copy = Template {
        id: format!("{COPY_PREFIX}{id}"),
        ..template.clone()
    };
    let now = crate::db::now();
    sqlx::query(
        "INSERT INTO simulation_templates (id, practice_id, based_on, template_json, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id)
    .bind(practice_id)
    .bind(based_on)
    .bind(serde_json::to_string(&copy).unwrap_or_default())
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(copy)
}

/// The practice's copies, newest first.
pub async fn template_copies(tx: &mut Tx, practice_id: i64) -> Result<Vec<Template>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT template_json FROM simulation_templates WHERE practice_id = $1 ORDER BY id DESC",
    )
    .bind(practice_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>("template_json").ok())
        .filter_map(|json| serde_json::from_str(&json).ok())
        .collect())
}

/// A template by id for a practice: a shipped one, or one of the practice's own copies.
pub async fn template_for(
    tx: &mut Tx,
    practice_id: i64,
    id: &str,
) -> Result<Option<Template>, sqlx::Error> {
    if let Some(number) = id.strip_prefix(COPY_PREFIX) {
        let Ok(number) = number.parse::<i64>() else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT template_json FROM simulation_templates WHERE id = $1 AND practice_id = $2",
        )
        .bind(number)
        .bind(practice_id)
        .fetch_optional(&mut **tx)
        .await?;
        return Ok(row
            .and_then(|r| r.try_get::<String, _>("template_json").ok())
            .and_then(|json| serde_json::from_str(&json).ok()));
    }
    Ok(super::catalog::builtin()
        .ok()
        .and_then(|c| c.template(id))
        .cloned())
}
