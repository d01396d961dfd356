//! First setup from the server's own command line (`hygeia serve init`, `hygeia serve
//! add-practice`): whoever can run commands on the server already holds its database, so these
//! need no sign-in. Each new administrator gets a one-time password to change at first sign-in.

use crate::audit::{self, Entry};
use crate::auth::{Role, password};
use crate::db::{Db, DbError, new_id, now};

/// What `init` or `add-practice` made.
#[derive(Debug, Clone)]
pub struct Created {
    /// The organization.
    pub organization_id: i64,
    /// The practice, when one was made.
    pub practice_id: Option<i64>,
    /// The administrator's e-mail address.
    pub email: String,
    /// Their role.
    pub role: Role,
    /// Their one-time password.
    pub one_time_password: String,
}

/// Why setup refused.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// Database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The e-mail address is taken.
    #[error("a user with the e-mail address {0} exists already")]
    EmailTaken(String),
    /// No such organization.
    #[error(
        "there is no insurer organization named {0:?}; `hygeia serve init --insurer NAME` creates one"
    )]
    NoOrganization(String),
    /// A practice with that name exists.
    #[error("the organization has a practice named {0:?} already")]
    PracticeExists(String),
    /// Bad input.
    #[error("{0}")]
    Invalid(String),
}

impl From<sqlx::Error> for InitError {
    fn from(error: sqlx::Error) -> InitError {
        InitError::Db(DbError::Query(error))
    }
}

/// What to create.
#[derive(Debug, Clone)]
pub enum Setup {
    /// An insurer organization and its first analyst.
    Insurer {
        /// Organization name.
        name: String,
    },
    /// A stand-alone practice (organization and practice of the same name) and its administrator.
    Practice {
        /// Practice name.
        name: String,
    },
    /// A practice inside an existing insurer organization, and its administrator.
    PracticeOfInsurer {
        /// The insurer organization's name.
        insurer: String,
        /// Practice name.
        name: String,
    },
}

fn check_name(name: &str) -> Result<String, InitError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(InitError::Invalid(
            "give a name of 1 to 200 characters".into(),
        ));
    }
    Ok(name.to_string())
}

/// Creates what `setup` says and its administrator `email` (`display_name`).
pub async fn create(
    db: &Db,
    setup: &Setup,
    email: &str,
    display_name: &str,
) -> Result<Created, InitError> {
    let email = email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 254 {
        return Err(InitError::Invalid(format!(
            "{email:?} is not an e-mail address"
        )));
    }
    let mut tx = db.write.begin().await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(InitError::EmailTaken(email));
    }
    let at = now();
    let (organization_id, practice_id, role, what) = match setup {
        Setup::Insurer { name } => {
            let name = check_name(name)?;
            let org = new_id();
            sqlx::query("INSERT INTO organizations (id, name, kind, created_at) VALUES ($1, $2, 'insurer', $3)")
                .bind(org)
                .bind(&name)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            (org, None, Role::InsurerAnalyst, format!("insurer {name}"))
        }
        Setup::Practice { name } => {
            let name = check_name(name)?;
            let org = new_id();
            let practice = new_id();
            sqlx::query("INSERT INTO organizations (id, name, kind, created_at) VALUES ($1, $2, 'practice', $3)")
                .bind(org)
                .bind(&name)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO practices (id, organization_id, name, created_at) VALUES ($1, $2, $3, $4)")
                .bind(practice)
                .bind(org)
                .bind(&name)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            (
                org,
                Some(practice),
                Role::PracticeAdmin,
                format!("practice {name}"),
            )
        }
        Setup::PracticeOfInsurer { insurer, name } => {
            let name = check_name(name)?;
            let org: i64 = sqlx::query_scalar(
                "SELECT id FROM organizations WHERE name = $1 AND kind = 'insurer'",
            )
            .bind(insurer.trim())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| InitError::NoOrganization(insurer.clone()))?;
            let exists: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM practices WHERE organization_id = $1 AND name = $2",
            )
            .bind(org)
            .bind(&name)
            .fetch_optional(&mut *tx)
            .await?;
            if exists.is_some() {
                return Err(InitError::PracticeExists(name));
            }
            let practice = new_id();
            sqlx::query("INSERT INTO practices (id, organization_id, name, created_at) VALUES ($1, $2, $3, $4)")
                .bind(practice)
                .bind(org)
                .bind(&name)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            (
                org,
                Some(practice),
                Role::PracticeAdmin,
                format!("practice {name} of {insurer}"),
            )
        }
    };
    let one_time = password::one_time_password();
    let user_id = new_id();
    sqlx::query(
        "INSERT INTO users (id, organization_id, practice_id, email, display_name, role, password_hash, must_change_password, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
    )
    .bind(user_id)
    .bind(organization_id)
    .bind(practice_id)
    .bind(&email)
    .bind(display_name.trim().chars().take(100).collect::<String>())
    .bind(role.as_str())
    .bind(password::hash(&one_time))
    .bind(at)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        Entry {
            organization_id: Some(organization_id),
            practice_id,
            user_id: None,
            actor: "hygeia serve (server command line)",
            action: "setup.create",
            target: &what,
            ip: "local",
            detail: &format!("administrator {email} as {}", role.as_str()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Created {
        organization_id,
        practice_id,
        email,
        role,
        one_time_password: one_time,
    })
}

/// Seals the authenticator secrets stored in the clear by versions before sealing, and counts
/// sealed ones this key cannot open (a replaced key file). Run when the server starts.
pub async fn seal_stored_secrets(
    db: &Db,
    key: &crate::sealing::SealingKey,
) -> Result<SealedSecrets, DbError> {
    let rows = sqlx::query("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")
        .fetch_all(&db.read)
        .await?;
    let mut counts = SealedSecrets::default();
    for row in rows {
        let id: i64 = sqlx::Row::try_get(&row, "id")?;
        let stored: String = sqlx::Row::try_get(&row, "totp_secret")?;
        if crate::sealing::SealingKey::is_sealed(&stored) {
            if key.open(&stored).is_none() {
                counts.unreadable += 1;
            }
            continue;
        }
        sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3")
            .bind(key.seal(&stored))
            .bind(id)
            .bind(&stored)
            .execute(&db.write)
            .await?;
        counts.sealed_now += 1;
    }
    Ok(counts)
}

/// What [`seal_stored_secrets`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SealedSecrets {
    /// Secrets that were in the clear and are sealed now.
    pub sealed_now: usize,
    /// Sealed secrets this key does not open.
    pub unreadable: usize,
}
