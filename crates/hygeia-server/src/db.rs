//! The database: an SQLite file by default, PostgreSQL with a `postgres://` URL. One set of
//! migrations and one set of queries serve both (sqlx's `Any` driver, `$1` placeholders, only
//! BIGINT and TEXT columns).

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, Executor, Row, Transaction};
use std::time::Duration;

/// The migrations, in order. A migration is never edited once released: a change is a new file.
const MIGRATIONS: [(i64, &str, &str); 5] = [
    (
        1,
        "initial schema",
        include_str!("../migrations/0001_initial.sql"),
    ),
    (
        2,
        "security hardening",
        include_str!("../migrations/0002_hardening.sql"),
    ),
    (3, "devices", include_str!("../migrations/0003_devices.sql")),
    (4, "phones", include_str!("../migrations/0004_phones.sql")),
    (
        5,
        "phishing awareness",
        include_str!("../migrations/0005_awareness.sql"),
    ),
];

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (WAL mode).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A database error with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL is neither `sqlite:` nor `postgres:`.
    #[error(
        "the database address {0} is not understood: give a file path, sqlite://PATH or postgres://USER@HOST/DB"
    )]
    BadUrl(String),
    /// Connecting failed.
    #[error("cannot open the database {url}: {source}")]
    Connect {
        /// Where (without the password).
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("cannot bring the database schema to version {version} ({description}): {source}")]
    Migrate {
        /// The migration's version.
        version: i64,
        /// Its description.
        description: &'static str,
        /// Why.
        source: sqlx::Error,
    },
    /// The database was made by a newer Hygeia.
    #[error(
        "the database has schema version {found}, newer than this hygeia understands ({known}); use the newer hygeia"
    )]
    TooNew {
        /// In the database.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// Any query.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

/// The connection pools. SQLite takes one writer at a time, so writes go through a pool of one
/// connection and never wait on a lock another connection holds; reads use the other pool.
/// With PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    /// For reads.
    pub read: AnyPool,
    /// For writes (and reads inside a write transaction).
    pub write: AnyPool,
    /// Which database.
    pub backend: Backend,
}

/// A file or folder kept beside the database: `DB<suffix>` for an SQLite file (the sealing key
/// `hygeia.db.key`, the advisory store `hygeia.db.devices`), else `fallback` in the current
/// folder (PostgreSQL has no folder of its own).
pub fn beside_database(given: &str, suffix: &str, fallback: &str) -> std::path::PathBuf {
    match database_url(given) {
        Ok((url, Backend::Sqlite)) => {
            let mut path = sqlite_path(&url).into_os_string();
            path.push(suffix);
            path.into()
        }
        _ => std::path::PathBuf::from(fallback),
    }
}

/// `sqlite:` URL for a plain path; URLs are kept as they are.
pub fn database_url(given: &str) -> Result<(String, Backend), DbError> {
    if given.starts_with("postgres://") || given.starts_with("postgresql://") {
        return Ok((given.to_string(), Backend::Postgres));
    }
    if let Some(rest) = given.strip_prefix("sqlite:") {
        let rest = rest.trim_start_matches("//");
        return Ok((format!("sqlite://{rest}"), Backend::Sqlite));
    }
    if given.contains("://") {
        return Err(DbError::BadUrl(redact_url(given)));
    }
    Ok((format!("sqlite://{given}"), Backend::Sqlite))
}

/// The file of an `sqlite://PATH?options` URL.
pub fn sqlite_path(url: &str) -> std::path::PathBuf {
    let rest = url.strip_prefix("sqlite://").unwrap_or(url);
    std::path::PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

/// Creates the database file readable by its owner only (SQLite gives its `-wal` and `-shm`
/// files the same mode), or narrows an existing one that others can read: it holds HIPAA
/// evidence and password hashes.
fn make_private(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if path.as_os_str().is_empty() || path.to_str() == Some(":memory:") {
            return Ok(());
        }
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                for file in [
                    path.to_path_buf(),
                    path.with_extension(wal_extension(path, "wal")),
                    path.with_extension(wal_extension(path, "shm")),
                ] {
                    if let Ok(metadata) = std::fs::metadata(&file)
                        && metadata.permissions().mode() & 0o077 != 0
                    {
                        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
                    }
                }
            }
            Err(error) => return Err(error),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// `db` + `-wal` keeps the file's own extension: `hygeia.db` -> `hygeia.db-wal`.
#[cfg(unix)]
fn wal_extension(path: &std::path::Path, suffix: &str) -> String {
    match path.extension() {
        Some(ext) => format!("{}-{suffix}", ext.to_string_lossy()),
        None => format!("-{suffix}"),
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

impl Db {
    /// Opens (and for SQLite creates) the database and brings its schema up to date.
    pub async fn open(given: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = database_url(given)?;
        let connect_error = |source| DbError::Connect {
            url: redact_url(&url),
            source,
        };
        let db = match backend {
            Backend::Sqlite => {
                make_private(&sqlite_path(&url)).map_err(|source| DbError::Connect {
                    url: redact_url(&url),
                    source: sqlx::Error::Io(source),
                })?;
                let url = if url.contains('?') {
                    url.clone()
                } else {
                    format!("{url}?mode=rwc")
                };
                let options = || {
                    AnyPoolOptions::new()
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                // WAL: readers never block the writer. NORMAL sync: a committed
                                // transaction survives a crash of the process (kill -9), which
                                // is what an acknowledgement promises.
                                conn.execute(
                                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                                )
                                .await?;
                                Ok(())
                            })
                        })
                };
                let write = options()
                    .max_connections(1)
                    .connect(&url)
                    .await
                    .map_err(connect_error)?;
                let read = options()
                    .max_connections(8)
                    .connect(&url)
                    .await
                    .map_err(connect_error)?;
                Db {
                    read,
                    write,
                    backend,
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(&url)
                    .await
                    .map_err(connect_error)?;
                Db {
                    read: pool.clone(),
                    write: pool,
                    backend,
                }
            }
        };
        db.migrate().await?;
        Ok(db)
    }

    /// A read-only transaction that sees one moment of the database: a page that reads
    /// several tables (a count and the rows it counts) never mixes before and after a write
    /// that lands between its queries. SQLite in WAL mode keeps the snapshot of the first read
    /// for the whole transaction; PostgreSQL needs REPEATABLE READ for the same.
    pub async fn snapshot(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        let mut tx = self.read.begin().await?;
        if self.backend == Backend::Postgres {
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await?;
        }
        Ok(tx)
    }

    /// Applies the migrations this database has not had yet, each in its own transaction.
    async fn migrate(&self) -> Result<(), DbError> {
        self.write
            .execute(
                "CREATE TABLE IF NOT EXISTS hygeia_schema (version BIGINT PRIMARY KEY, \
                 description TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .await?;
        let current: i64 =
            sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM hygeia_schema")
                .fetch_one(&self.write)
                .await?
                .try_get("v")?;
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        if current > known {
            return Err(DbError::TooNew {
                found: current,
                known,
            });
        }
        for (version, description, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            let failed = |source| DbError::Migrate {
                version: *version,
                description,
                source,
            };
            let mut tx = self.write.begin().await.map_err(failed)?;
            for statement in statements(sql) {
                tx.execute(statement.as_str()).await.map_err(failed)?;
            }
            sqlx::query(
                "INSERT INTO hygeia_schema (version, description, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(*version)
            .bind(*description)
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
            tx.commit().await.map_err(failed)?;
        }
        Ok(())
    }
}

/// The statements of a migration file, without comments.
fn statements(sql: &str) -> Vec<String> {
    let without_comments: String = sql
        .lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    without_comments
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Seconds since 1970 (UTC).
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A new id that grows with time: milliseconds since 1970 in the high bits, 22 random bits
/// below. Rows keyed by it are appended at the end of their table instead of anywhere in it.
pub fn new_time_ordered_id() -> i64 {
    let millis = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    let mut bytes = [0u8; 4];
    crate::secrets::fill_random(&mut bytes);
    let random = i64::from(u32::from_le_bytes(bytes) & 0x3F_FFFF);
    ((millis as i64) << 22) | random
}

/// A new random positive 63-bit id.
pub fn new_id() -> i64 {
    let mut bytes = [0u8; 8];
    crate::secrets::fill_random(&mut bytes);
    (u64::from_le_bytes(bytes) >> 1) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            database_url("/var/lib/hygeia/hygeia.db").ok(),
            Some((
                "sqlite:///var/lib/hygeia/hygeia.db".to_string(),
                Backend::Sqlite
            ))
        );
        assert_eq!(
            database_url("postgres://h@localhost/h").ok().map(|u| u.1),
            Some(Backend::Postgres)
        );
        assert!(database_url("mysql://x").is_err());
        assert_eq!(
            redact_url("postgres://hygeia:s3cret@db/hygeia"),
            "postgres://hygeia:***@db/hygeia"
        );
    }

    #[test]
    fn version_2_finds_the_changes_in_the_history_stored_before_it() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let dir = std::env::temp_dir().join(format!("hygeia-migrate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("v1.db").display().to_string();
        runtime.block_on(async {
            sqlx::any::install_default_drivers();
            let url = format!("sqlite://{path}?mode=rwc");
            let pool = AnyPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            pool.execute(
                "CREATE TABLE hygeia_schema (version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            for statement in statements(MIGRATIONS[0].2) {
                pool.execute(statement.as_str())
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            pool.execute(
                "INSERT INTO hygeia_schema VALUES (1, 'initial schema', 0); \
                 INSERT INTO organizations VALUES (1, 'O', 'practice', 0); \
                 INSERT INTO practices VALUES (1, 1, 'P', 0); \
                 INSERT INTO hosts (id, practice_id, hostname, os, os_version, node_key_hash, enrolled_at) \
                   VALUES (1, 1, 'pc', 'linux', '', 'h', 0); \
                 INSERT INTO reports VALUES (10, 1, 1, 'a', 0, 100, 'x', 0, 0), (11, 1, 1, 'b', 0, 200, 'y', 0, 0), (12, 1, 1, 'c', 0, 300, 'z', 0, 0); \
                 INSERT INTO results VALUES (10, 1, 'HY-PC-001', 'pass', 'high', 100), (10, 1, 'HY-PC-002', 'fail', 'low', 100), \
                   (11, 1, 'HY-PC-001', 'fail', 'high', 200), (11, 1, 'HY-PC-002', 'fail', 'low', 200), \
                   (12, 1, 'HY-PC-001', 'fail', 'high', 300), (12, 1, 'HY-PC-002', 'pass', 'low', 300)",
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            pool.close().await;
            let db = Db::open(&path).await.unwrap_or_else(|e| panic!("{e}"));
            let rows = sqlx::query(
                "SELECT control_id, at, from_status, to_status FROM host_changes ORDER BY control_id, at",
            )
            .fetch_all(&db.read)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            let changes: Vec<(String, i64, Option<String>, String)> = rows
                .iter()
                .map(|r| {
                    (
                        r.try_get("control_id").unwrap(),
                        r.try_get("at").unwrap(),
                        r.try_get("from_status").unwrap(),
                        r.try_get("to_status").unwrap(),
                    )
                })
                .collect();
            let change = |c: &str, at: i64, from: Option<&str>, to: &str| {
                (c.to_string(), at, from.map(str::to_string), to.to_string())
            };
            assert_eq!(
                changes,
                vec![
                    change("HY-PC-001", 100, None, "pass"),
                    change("HY-PC-001", 200, Some("pass"), "fail"),
                    change("HY-PC-002", 100, None, "fail"),
                    change("HY-PC-002", 300, Some("fail"), "pass"),
                ]
            );
        });
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn the_database_files_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let dir = std::env::temp_dir().join(format!("hygeia-private-db-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("server.db");
        let mode = |p: &std::path::Path| {
            std::fs::metadata(p)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0)
        };
        runtime.block_on(async {
            let db = Db::open(&path.display().to_string())
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            sqlx::query("CREATE TABLE t (x BIGINT)")
                .execute(&db.write)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&dir.join("server.db-wal")), 0o600);
            assert_eq!(mode(&dir.join("server.db-shm")), 0o600);
            db.read.close().await;
            db.write.close().await;
        });
        // An older database others could read is narrowed when opened.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))
            .unwrap_or_else(|e| panic!("{e}"));
        runtime.block_on(async {
            Db::open(&path.display().to_string())
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        });
        assert_eq!(mode(&path), 0o600);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn migration_statements_split_cleanly() {
        let parts = statements(MIGRATIONS[0].2);
        assert!(parts.iter().all(|s| !s.contains("--")));
        assert!(parts.iter().any(|s| s.starts_with("CREATE TABLE hosts")));
    }
}
