//! Listening: HTTPS with rustls from a certificate and key file, or plain HTTP on loopback only
//! (or anywhere with an explicit `--insecure-http`, for a TLS proxy in front). Each connection
//! runs on its own task; a slow TLS handshake never holds up the others.

use crate::state::AppState;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How often the daily roll-up for trends is refreshed.
const ROLLUP_EVERY: Duration = Duration::from_secs(300);
/// Time allowed for a TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for a request's line and headers, and for the next request on a kept-alive
/// connection: a client that sends headers a byte a minute is cut off here.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Plain HTTP on a non-loopback address.
    #[error(
        "refusing to serve plain HTTP on {0}: passwords and reports would cross the network unencrypted. Give --tls-cert and --tls-key, listen on 127.0.0.1, or put a TLS proxy in front and pass --insecure-http"
    )]
    PlainHttpOnNetwork(SocketAddr),
    /// The port is taken or not allowed.
    #[error("cannot listen on {address}: {source} (is another server using the port?)")]
    Bind {
        /// Where.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The certificate or key cannot be used.
    #[error("cannot use the TLS certificate {cert} with key {key}: {why}")]
    Tls {
        /// Certificate file.
        cert: PathBuf,
        /// Key file.
        key: PathBuf,
        /// Why.
        why: String,
    },
}

/// Where and how to listen.
#[derive(Debug, Clone)]
pub struct Listen {
    /// Address and port.
    pub address: SocketAddr,
    /// Certificate chain and private key (PEM).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Plain HTTP allowed beyond loopback.
    pub insecure_http: bool,
}

/// Reads a PEM certificate chain and key into a rustls server configuration.
pub fn tls_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, ServeError> {
    let fail = |why: String| ServeError::Tls {
        cert: cert.to_path_buf(),
        key: key.to_path_buf(),
        why,
    };
    let cert_pem =
        std::fs::read(cert).map_err(|e| fail(format!("reading the certificate: {e}")))?;
    let key_pem = std::fs::read(key).map_err(|e| fail(format!("reading the key: {e}")))?;
    let chain: Vec<_> = rustls_pemfile::certs(&mut cert_pem.as_slice())
        .collect::<Result<_, _>>()
        .map_err(|e| fail(format!("the certificate file is not PEM: {e}")))?;
    if chain.is_empty() {
        return Err(fail("the certificate file holds no certificate".into()));
    }
    let private_key = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .map_err(|e| fail(format!("the key file is not PEM: {e}")))?
        .ok_or_else(|| fail("the key file holds no private key".into()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| fail(e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(chain, private_key)
    .map_err(|e| {
        fail(format!(
            "the key does not fit the certificate or is unsupported: {e}"
        ))
    })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Binds the listening socket, refusing plain HTTP beyond loopback unless allowed.
pub async fn bind(listen: &Listen) -> Result<TcpListener, ServeError> {
    if listen.tls.is_none() && !listen.insecure_http && !listen.address.ip().is_loopback() {
        return Err(ServeError::PlainHttpOnNetwork(listen.address));
    }
    TcpListener::bind(listen.address)
        .await
        .map_err(|source| ServeError::Bind {
            address: listen.address,
            source,
        })
}

/// Open connections: all of them, and per client address. A connection beyond either cap is
/// closed at once, so slow or idle clients cannot take every socket the server may open.
#[derive(Debug)]
struct ConnectionCount {
    limits: ConnectionLimits,
    open: std::sync::Mutex<(usize, std::collections::HashMap<std::net::IpAddr, usize>)>,
}

/// How many connections may be open at once.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// In all.
    pub total: usize,
    /// From one client address (an IPv6 client counts by its /64).
    pub per_address: usize,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            total: 4096,
            per_address: 128,
        }
    }
}

/// Holds one connection's place; gives it back when dropped.
struct ConnectionSlot {
    count: Arc<ConnectionCount>,
    address: std::net::IpAddr,
}

impl ConnectionCount {
    fn take(self: &Arc<Self>, peer: std::net::IpAddr, exempt: bool) -> Option<ConnectionSlot> {
        let address = crate::ratelimit::bucket_address(peer);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let (total, per_address) = &mut *open;
        let mine = per_address.get(&address).copied().unwrap_or(0);
        if *total >= self.limits.total || (!exempt && mine >= self.limits.per_address) {
            return None;
        }
        *total += 1;
        per_address.insert(address, mine + 1);
        Some(ConnectionSlot {
            count: Arc::clone(self),
            address,
        })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.count.open.lock().unwrap_or_else(|e| e.into_inner());
        let (total, per_address) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(n) = per_address.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                per_address.remove(&self.address);
            }
        }
    }
}

/// Serves until `shutdown` completes, then stops accepting and lets open requests finish.
pub async fn run(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send,
) {
    let rollup_db = state.db.clone();
    let rollups = tokio::spawn(async move {
        loop {
            if let Err(error) = crate::rollup::run(&rollup_db, crate::db::now()).await {
                eprintln!("hygeia serve: the daily roll-up failed: {error}");
            }
            tokio::time::sleep(ROLLUP_EVERY).await;
        }
    });
    let devices = tokio::spawn(crate::devices::advisories::schedule(state.clone()));
    let simulations = tokio::spawn(crate::awareness::sender::schedule(state.clone()));
    let report_mailboxes = tokio::spawn(crate::awareness::reports::schedule(state.clone()));
    let yearly_lessons = state.settings.yearly_lessons_every.map(|every| {
        tokio::spawn(crate::awareness::training::schedule_yearly(
            state.clone(),
            every,
        ))
    });
    let limits = state.settings.connection_limits;
    let trusted_proxies: Arc<[crate::proxy::Cidr]> = state.settings.trusted_proxies.clone().into();
    let router = crate::routes::router(state);
    let count = Arc::new(ConnectionCount {
        limits,
        open: std::sync::Mutex::new((0, std::collections::HashMap::new())),
    });
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    eprintln!("hygeia serve: accepting a connection failed: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // A proxy in front carries many clients on its connections: only the total caps it.
        let exempt = trusted_proxies.iter().any(|net| net.contains(peer.ip()));
        let Some(slot) = count.take(peer.ip(), exempt) else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let trusted = Arc::clone(&trusted_proxies);
        let service = router.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                // Handlers see the client (behind a trusted proxy: the one it names) as the
                // connection's address, for rate limits, lockouts and the audit log.
                let forwarded: Vec<&str> = request
                    .headers()
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .collect();
                let client = crate::proxy::client_address(peer.ip(), &forwarded, &trusted);
                request
                    .extensions_mut()
                    .insert(ConnectInfo(SocketAddr::new(client, peer.port())));
                request
            },
        );
        let service = hyper_util::service::TowerToHyperService::new(service);
        let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .keep_alive(true);
        match &acceptor {
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let _slot = slot;
                    let Ok(Ok(tls_stream)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    let connection = builder
                        .serve_connection(TokioIo::new(tls_stream), service)
                        .into_owned();
                    let _ = watcher.watch(connection).await;
                });
            }
            None => {
                let connection = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .into_owned();
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _slot = slot;
                    let _ = connection.await;
                });
            }
        }
    }
    rollups.abort();
    devices.abort();
    simulations.abort();
    report_mailboxes.abort();
    if let Some(task) = yearly_lessons {
        task.abort();
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
}
