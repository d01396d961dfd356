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
    /// A session ends after this many seconds without a request (HIPAA automatic logoff).
    pub session_idle_seconds: i64,
    /// And at the latest this many seconds after sign-in.
    pub session_max_seconds: i64,
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
            session_idle_seconds: 30 * 60,
            session_max_seconds: 12 * 3600,
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
    /// Enrolment rate limit.
    pub enroll_limiter: Arc<RateLimiter>,
    /// Stores reports, several per transaction.
    pub writer: crate::writer::Writer,
}

impl AppState {
    /// State for a database and settings. Call it inside the tokio runtime: it starts the
    /// report writer task.
    pub fn new(db: Db, settings: Settings) -> AppState {
        AppState {
            writer: crate::writer::Writer::start(db.clone()),
            db,
            login_limiter: Arc::new(RateLimiter::new(settings.login_limit)),
            enroll_limiter: Arc::new(RateLimiter::new(settings.enroll_limit)),
            settings: Arc::new(settings),
        }
    }
}
