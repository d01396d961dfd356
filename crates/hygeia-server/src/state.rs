//! What every request handler shares.

use crate::db::Db;
use crate::ratelimit::{Limit, RateLimiter};
use std::sync::Arc;

/// Server settings chosen on the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest report body accepted, in bytes.
    pub max_report_bytes: usize,
    /// Sign-in attempts per client address.
    pub login_limit: Limit,
    /// Enrolments per client address.
    pub enroll_limit: Limit,
    /// Reports per computer (node key): a backlog after an outage goes out at once, a flood
    /// does not.
    pub report_limit: Limit,
    /// A session ends after this many seconds without a request (HIPAA automatic logoff).
    pub session_idle_seconds: i64,
    /// And at the latest this many seconds after sign-in.
    pub session_max_seconds: i64,
    /// Time allowed for a whole request, body included, and its answer.
    pub request_timeout: std::time::Duration,
    /// Open connections allowed, in all and per client address.
    pub connection_limits: crate::serve::ConnectionLimits,
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: Vec<crate::proxy::Cidr>,
    /// Seals authenticator secrets in the database (`--key-file`; a random one by default,
    /// which is right only for a server whose users never come back after a restart: tests).
    pub sealing_key: Arc<crate::sealing::SealingKey>,
    /// The advisory store device inventories are matched against (`--devices-store`); `None`
    /// for none.
    pub devices_store: Option<std::path::PathBuf>,
    /// Time between downloads of new advisories into it (`--devices-update-hours`); `None`
    /// for never (a server without internet).
    pub devices_update_every: Option<std::time::Duration>,
    /// How often the server looks for a new snapshot in the advisory store.
    pub devices_watch_every: std::time::Duration,
    /// Where scheduled updates download from: CISA's feeds by default, or mirrors.
    pub devices_sources: hygeia_devices::update::Sources,
    /// How often the server looks for phishing simulations due to be sent.
    pub simulation_every: std::time::Duration,
    /// How often it assigns the yearly awareness lesson to people due for one; `None` for never
    /// (tests that count assignments).
    pub yearly_lessons_every: Option<std::time::Duration>,
    /// How often it reads the practices' report mailboxes.
    pub report_mailbox_every: std::time::Duration,
    /// Extra CA certificates (PEM) trusted for the practices' SMTP relays and report mailboxes
    /// (`--mail-ca`), for a practice's own mail server; the bundled Mozilla roots are always
    /// trusted.
    pub mail_ca: Option<std::path::PathBuf>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            max_report_bytes: 1024 * 1024,
            login_limit: Limit {
                burst: 10.0,
                per_minute: 10.0,
            },
            enroll_limit: Limit {
                burst: 20.0,
                per_minute: 60.0,
            },
            report_limit: Limit {
                burst: 60.0,
                per_minute: 6.0,
            },
            session_idle_seconds: 30 * 60,
            session_max_seconds: 12 * 3600,
            request_timeout: std::time::Duration::from_secs(60),
            connection_limits: crate::serve::ConnectionLimits::default(),
            trusted_proxies: Vec::new(),
            sealing_key: Arc::new(crate::sealing::SealingKey::random()),
            devices_store: None,
            devices_update_every: None,
            devices_watch_every: crate::devices::advisories::WATCH_EVERY,
            devices_sources: hygeia_devices::update::Sources::default(),
            simulation_every: std::time::Duration::from_secs(30),
            report_mailbox_every: std::time::Duration::from_secs(300),
            yearly_lessons_every: Some(crate::awareness::training::YEARLY_CHECK_EVERY),
            mail_ca: None,
        }
    }
}

/// Shared by all handlers.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Sign-in rate limit.
    pub login_limiter: Arc<RateLimiter>,
    /// Sign-in rate limit per account (e-mail address), beside the one per address: many
    /// addresses cannot together guess one account's password faster than this.
    pub account_limiter: Arc<RateLimiter<String>>,
    /// Enrolment rate limit.
    pub enroll_limiter: Arc<RateLimiter>,
    /// Report rate limit per computer.
    pub report_limiter: Arc<RateLimiter<i64>>,
    /// Stores reports, several per transaction.
    pub writer: crate::writer::Writer,
    /// Password hashes computed at once (one per core): sign-in floods queue here instead of
    /// taking every thread.
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// The advisory store device inventories are matched against.
    pub advisories: Arc<crate::devices::AdvisoryStore>,
}

impl AppState {
    /// State for a database and settings. Call it inside the tokio runtime: it starts the
    /// report writer task.
    pub fn new(db: Db, settings: Settings) -> AppState {
        AppState {
            writer: crate::writer::Writer::start(db.clone()),
            db,
            advisories: Arc::new(crate::devices::AdvisoryStore::new(
                settings.devices_store.clone(),
                settings.devices_update_every,
                settings.devices_sources.clone(),
            )),
            login_limiter: Arc::new(RateLimiter::new(settings.login_limit)),
            account_limiter: Arc::new(RateLimiter::new(settings.login_limit)),
            enroll_limiter: Arc::new(RateLimiter::new(settings.enroll_limit)),
            report_limiter: Arc::new(RateLimiter::new(settings.report_limit)),
            settings: Arc::new(settings),
            hashing: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
        }
    }
}
