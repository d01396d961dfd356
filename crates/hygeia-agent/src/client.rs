//! Talking to the server: enrolment and reports over HTTPS (certificate checked against the
//! public roots, or only against the practice's own CA with `--ca`).

use serde::Deserialize;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// The header with the agent's id for a report (the server stores each id once).
pub const REPORT_ID_HEADER: &str = "x-hygeia-report-id";
/// Answers read at most (the server's answers are small JSON objects).
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// Why the agent cannot talk to the server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server address is unusable.
    #[error("the server address {0:?} is not usable: {1}")]
    BadServer(String, &'static str),
    /// The CA file cannot be read.
    #[error("cannot use the CA file {path}: {why}")]
    BadCa {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
    /// The server refused the enrolment.
    #[error("the server refused the enrolment: {0}")]
    Refused(String),
    /// The server could not be reached or answered nonsense.
    #[error("cannot reach the server {server}: {why}")]
    Unreachable {
        /// The server.
        server: String,
        /// Why.
        why: String,
    },
}

/// What became of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Stored, unchanged or already stored: the server has it.
    Accepted(String),
    /// The server does not know this node key (the server's data was reset, or another server).
    InvalidNodeKey,
    /// An administrator removed this computer: stop reporting (the server's words).
    Revoked(String),
    /// The server will never take this report (malformed, too large, wrong schema).
    Rejected(String),
    /// Try again later (network down, server busy or restarting).
    Retry(String),
}

/// A connection to one server.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    server: String,
}

#[derive(Debug, Deserialize)]
struct EnrollAnswer {
    host_id: i64,
    node_key: String,
}

#[derive(Debug, Deserialize)]
struct ErrorAnswer {
    error: String,
    message: String,
}

#[derive(Debug, Deserialize)]
struct ReportAnswer {
    status: String,
}

fn loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks the server URL: HTTPS, or plain HTTP to this same computer only.
pub fn check_server_url(server: &str) -> Result<String, ClientError> {
    let server = server.trim().trim_end_matches('/').to_string();
    let (scheme, rest) = server
        .split_once("://")
        .ok_or_else(|| ClientError::BadServer(server.clone(), "it must start with https://"))?;
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(authority, |(h, _)| h);
    if host.is_empty() {
        return Err(ClientError::BadServer(server, "it names no host"));
    }
    match scheme {
        "https" => Ok(server),
        "http" if loopback_host(host) => Ok(server),
        "http" => Err(ClientError::BadServer(
            server,
            "reports carry this computer's security state, so they are only sent over https:// (plain http only to this computer itself)",
        )),
        _ => Err(ClientError::BadServer(
            server,
            "it must start with https://",
        )),
    }
}

impl Client {
    /// A client for `server`, trusting only `ca_file` when given.
    pub fn new(server: &str, ca_file: Option<&Path>) -> Result<Client, ClientError> {
        let server = check_server_url(server)?;
        let mut tls = ureq::tls::TlsConfig::builder().provider(ureq::tls::TlsProvider::Rustls);
        if let Some(path) = ca_file {
            let bad = |why: String| ClientError::BadCa {
                path: path.display().to_string(),
                why,
            };
            let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
            let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(cert)) => Some(cert),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(bad("it holds no PEM certificate".into()));
            }
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        let agent = ureq::Agent::config_builder()
            .tls_config(tls.build())
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("hygeia-agent/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(Client { agent, server })
    }

    /// The server's base URL.
    pub fn server(&self) -> &str {
        &self.server
    }

    fn unreachable(&self, why: impl std::fmt::Display) -> ClientError {
        ClientError::Unreachable {
            server: self.server.clone(),
            why: why.to_string(),
        }
    }

    /// Exchanges the practice's enroll secret for this computer's node key.
    pub fn enroll(
        &self,
        secret: &str,
        hostname: &str,
        os: &str,
        os_version: &str,
    ) -> Result<(i64, String), ClientError> {
        let body = serde_json::json!({
            "secret": secret, "hostname": hostname, "os": os, "os_version": os_version,
        });
        let mut response = self
            .agent
            .post(&format!("{}/api/agent/v1/enroll", self.server))
            .header("content-type", "application/json")
            .send(body.to_string())
            .map_err(|e| self.unreachable(e))?;
        let status = response.status().as_u16();
        let mut text = String::new();
        let _ = response
            .body_mut()
            .as_reader()
            .take(MAX_ANSWER_BYTES)
            .read_to_string(&mut text);
        if status == 200 {
            let answer: EnrollAnswer = serde_json::from_str(&text).map_err(|_| {
                self.unreachable("it answered something that is not a hygeia server's enrolment")
            })?;
            return Ok((answer.host_id, answer.node_key));
        }
        let message = serde_json::from_str::<ErrorAnswer>(&text)
            .map(|e| e.message)
            .unwrap_or_else(|_| format!("HTTP {status}"));
        if (400..500).contains(&status) {
            Err(ClientError::Refused(message))
        } else {
            Err(self.unreachable(message))
        }
    }

    /// Sends one report.
    pub fn send(&self, node_key: &str, report_id: &str, body: &[u8]) -> Sent {
        let response = self
            .agent
            .post(&format!("{}/api/agent/v1/report", self.server))
            .header("content-type", "application/json")
            .header("authorization", &format!("Bearer {node_key}"))
            .header(REPORT_ID_HEADER, report_id)
            .send(body);
        let mut response = match response {
            Ok(response) => response,
            Err(error) => return Sent::Retry(error.to_string()),
        };
        let status = response.status().as_u16();
        let mut text = String::new();
        let _ = response
            .body_mut()
            .as_reader()
            .take(MAX_ANSWER_BYTES)
            .read_to_string(&mut text);
        let error = serde_json::from_str::<ErrorAnswer>(&text).ok();
        match status {
            200 => match serde_json::from_str::<ReportAnswer>(&text) {
                Ok(answer) => Sent::Accepted(answer.status),
                Err(_) => Sent::Retry("the server's answer was not understood".into()),
            },
            401 if error
                .as_ref()
                .is_some_and(|e| e.error == "invalid_node_key") =>
            {
                Sent::InvalidNodeKey
            }
            403 if error.as_ref().is_some_and(|e| e.error == "revoked") => Sent::Revoked(
                error
                    .map(|e| e.message)
                    .unwrap_or_else(|| "this computer was removed".into()),
            ),
            408 | 429 | 500..=599 => Sent::Retry(
                error
                    .map(|e| e.message)
                    .unwrap_or_else(|| format!("HTTP {status}")),
            ),
            _ => Sent::Rejected(
                error
                    .map(|e| e.message)
                    .unwrap_or_else(|| format!("HTTP {status}")),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_this_computer() {
        assert!(check_server_url("https://hygeia.clinic.example").is_ok());
        assert!(check_server_url("https://hygeia.clinic.example:8443/").is_ok());
        assert!(check_server_url("http://127.0.0.1:8080").is_ok());
        assert!(check_server_url("http://[::1]:8080").is_ok());
        assert!(check_server_url("http://localhost:8080").is_ok());
        assert!(check_server_url("http://hygeia.clinic.example").is_err());
        assert!(check_server_url("hygeia.clinic.example").is_err());
        assert!(check_server_url("ftp://x").is_err());
        assert!(check_server_url("https://").is_err());
    }

    #[test]
    fn unreachable_server_is_a_retry() {
        // Port 9 on loopback (discard) is closed on test machines: the connection is refused.
        let client = Client::new("http://127.0.0.1:9", None).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            client.send("hyn_x", "0123456789", b"{}"),
            Sent::Retry(_)
        ));
        assert!(matches!(
            client.enroll("s", "h", "linux", ""),
            Err(ClientError::Unreachable { .. })
        ));
    }
}
