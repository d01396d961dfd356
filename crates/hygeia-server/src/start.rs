//! `hygeia serve` from start to stop: open the sealing key and seal what an earlier version
//! stored in the clear, listen, say where the dashboard is, serve until Ctrl-C or SIGTERM.

use crate::db::{Db, DbError, redact_url};
use crate::sealing::{KeyError, SealingKey};
use crate::serve::{Listen, ServeError, bind, run, tls_config};
use crate::{AppState, Settings};
use std::path::Path;
use std::sync::Arc;

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Listening or TLS.
    #[error(transparent)]
    Serve(#[from] ServeError),
    /// The sealing key file.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Serves `db` (named `database` in messages, its password hidden) on `listen` with the sealing
/// key in `key_file` (created when missing) until Ctrl-C or SIGTERM.
pub async fn serve(
    db: Db,
    database: &str,
    listen: &Listen,
    key_file: &Path,
    mut settings: Settings,
) -> Result<(), StartError> {
    let tls = match &listen.tls {
        Some((cert, key)) => Some(tls_config(cert, key)?),
        None => None,
    };
    let listener = bind(listen).await?;
    let sealing_key = SealingKey::load_or_create(key_file)?;
    let sealed = crate::init::seal_stored_secrets(&db, &sealing_key).await?;
    if sealed.sealed_now > 0 {
        eprintln!(
            "hygeia serve: sealed {} authenticator secret(s) stored in the clear by an earlier version",
            sealed.sealed_now
        );
    }
    if sealed.unreadable > 0 {
        eprintln!(
            "hygeia serve: warning: {} authenticator secret(s) do not open with the key file {}; those users cannot sign in until it is restored or an administrator resets their second factor",
            sealed.unreadable,
            key_file.display()
        );
    }
    settings.sealing_key = Arc::new(sealing_key);
    let scheme = if tls.is_some() { "https" } else { "http" };
    let address = listener.local_addr().unwrap_or(listen.address);
    eprintln!(
        "hygeia serve: listening on {scheme}://{address} (database {}); Ctrl-C stops",
        redact_url(database)
    );
    // 0.0.0.0 is where it listens, not an address to open: name the port instead.
    let dashboard = if address.ip().is_unspecified() {
        format!("{scheme}://<this server's name>:{}/", address.port())
    } else {
        format!("{scheme}://{address}/")
    };
    eprintln!("hygeia serve: the dashboard is at {dashboard} (sign in there)");
    run(
        listener,
        tls,
        AppState::new(db, settings),
        shutdown_signal(),
    )
    .await;
    eprintln!("hygeia serve: stopped");
    Ok(())
}

/// Ctrl-C, or SIGTERM (systemd stopping the service).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
