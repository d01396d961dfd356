//! The audit log: every administrative action, with who, what, when and from where.

use crate::db::{new_id, now};

/// One entry.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// Organization the action concerns.
    pub organization_id: Option<i64>,
    /// Practice it concerns.
    pub practice_id: Option<i64>,
    /// The user who acted, if a user did.
    pub user_id: Option<i64>,
    /// Who, for people: an e-mail address, `agent host 42`, `hygeia serve init`.
    pub actor: &'a str,
    /// What: `enroll_secret.create`, `user.login_failed`, ...
    pub action: &'a str,
    /// On what: `enroll_secret 123`.
    pub target: &'a str,
    /// From where: the client's address.
    pub ip: &'a str,
    /// Details (no secrets).
    pub detail: &'a str,
}

/// Appends an entry, inside the caller's transaction or on a pool.
pub async fn record<'e, E>(executor: E, entry: Entry<'_>) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (id, at, organization_id, practice_id, user_id, actor, action, target, ip, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(now())
    .bind(entry.organization_id)
    .bind(entry.practice_id)
    .bind(entry.user_id)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.target)
    .bind(entry.ip)
    .bind(entry.detail)
    .execute(executor)
    .await?;
    Ok(())
}
