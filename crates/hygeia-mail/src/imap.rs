//! A small, strictly read-only IMAP client: it opens the folder with EXAMINE (never SELECT) and
//! fetches with BODY.PEEK[], so no flag on the server ever changes. TLS is either implicit
//! (port 993) or STARTTLS (port 143); certificates are always checked, against the bundled
//! Mozilla roots or a CA file the user names.

use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Longest response line accepted (a UID SEARCH of a very large folder fits easily).
const MAX_LINE: usize = 16 * 1024 * 1024;

/// How to protect the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (usually port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS before logging in (usually port 143).
    StartTls,
}

/// Where and how to read.
#[derive(Debug, Clone)]
pub struct ImapConfig {
    /// Server host name (checked against its certificate).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Account name.
    pub user: String,
    /// Password (never logged).
    pub password: String,
    /// Folder, e.g. INBOX.
    pub folder: String,
    /// Only messages received on or after this day (`YYYY-MM-DD`).
    pub since: Option<String>,
    /// TLS mode.
    pub security: Security,
    /// Extra CA certificates (PEM) to trust, e.g. a practice's own mail server CA.
    pub ca_file: Option<PathBuf>,
    /// Largest message fetched in full.
    pub max_message_bytes: usize,
    /// Network time limit per operation.
    pub timeout: Duration,
}

/// What went wrong talking to the server.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// No connection.
    #[error("cannot connect to {0}: {1}")]
    Connect(String, String),
    /// TLS setup or certificate problem.
    #[error("TLS with {0} failed: {1}")]
    Tls(String, String),
    /// The server refused a command.
    #[error("the server refused {0}: {1}")]
    Refused(&'static str, String),
    /// The server answered something this client does not understand.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    /// Reading or writing failed.
    #[error("connection error: {0}")]
    Io(#[from] std::io::Error),
    /// The CA file could not be used.
    #[error("cannot use the CA file {0}: {1}")]
    CaFile(String, String),
}

trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

struct Session {
    reader: BufReader<Box<dyn Stream>>,
    tag: u32,
}

fn tls_config(config: &ImapConfig) -> Result<Arc<rustls::ClientConfig>, ImapError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = &config.ca_file {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| ImapError::CaFile(path.display().to_string(), e.to_string()))?
            .collect::<Result<_, _>>()
            .map_err(|e| ImapError::CaFile(path.display().to_string(), e.to_string()))?;
        if certs.is_empty() {
            return Err(ImapError::CaFile(
                path.display().to_string(),
                "no certificate in it".into(),
            ));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| ImapError::CaFile(path.display().to_string(), e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ImapError::Tls(config.host.clone(), e.to_string()))?;
    Ok(Arc::new(
        builder.with_root_certificates(roots).with_no_client_auth(),
    ))
}

fn wrap_tls(stream: TcpStream, config: &ImapConfig) -> Result<Box<dyn Stream>, ImapError> {
    let name = ServerName::try_from(config.host.clone())
        .map_err(|e| ImapError::Tls(config.host.clone(), e.to_string()))?;
    let connection = rustls::ClientConnection::new(tls_config(config)?, name)
        .map_err(|e| ImapError::Tls(config.host.clone(), e.to_string()))?;
    let mut tls = rustls::StreamOwned::new(connection, stream);
    // Finish the handshake now so a bad certificate is reported as such.
    while tls.conn.is_handshaking() {
        tls.conn
            .complete_io(&mut tls.sock)
            .map_err(|e| ImapError::Tls(config.host.clone(), e.to_string()))?;
    }
    Ok(Box::new(tls))
}

/// Quotes a string for IMAP (`"..."` with `\` and `"` escaped); refuses line breaks.
fn quote(text: &str) -> Result<String, ImapError> {
    if text.contains(['\r', '\n']) {
        return Err(ImapError::Protocol(
            "a user name, password or folder contains a line break".into(),
        ));
    }
    Ok(format!(
        "\"{}\"",
        text.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

impl Session {
    fn read_line(&mut self) -> Result<Vec<u8>, ImapError> {
        let mut line = Vec::new();
        let read = (&mut self.reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Err(ImapError::Protocol(
                "the server closed the connection".into(),
            ));
        }
        Ok(line)
    }

    /// Sends a tagged command and collects the untagged lines until its tagged answer.
    /// Literals (`{n}`) inside untagged answers are read whole, up to `literal_limit` bytes.
    fn command(
        &mut self,
        name: &'static str,
        command: &str,
        literal_limit: usize,
    ) -> Result<Vec<Response>, ImapError> {
        self.tag += 1;
        let tag = format!("h{}", self.tag);
        let stream = self.reader.get_mut();
        stream.write_all(format!("{tag} {command}\r\n").as_bytes())?;
        stream.flush()?;
        let mut responses = Vec::new();
        loop {
            let line = self.read_line()?;
            let text = String::from_utf8_lossy(&line).trim_end().to_string();
            if let Some(rest) = text.strip_prefix(&format!("{tag} ")) {
                if rest.starts_with("OK") {
                    return Ok(responses);
                }
                return Err(ImapError::Refused(name, rest.to_string()));
            }
            let mut response = Response {
                line: text.clone(),
                literal: None,
                truncated: false,
            };
            if let Some(size) = literal_size(&text) {
                let mut data = Vec::with_capacity(size.min(literal_limit));
                (&mut self.reader)
                    .take(size.min(literal_limit) as u64)
                    .read_to_end(&mut data)?;
                if size > literal_limit {
                    // Skip the rest without keeping it.
                    std::io::copy(
                        &mut (&mut self.reader).take((size - literal_limit) as u64),
                        &mut std::io::sink(),
                    )?;
                    response.truncated = true;
                }
                response.literal = Some(data);
                // The rest of the line after the literal (for example the closing parenthesis).
                let tail = self.read_line()?;
                response
                    .line
                    .push_str(String::from_utf8_lossy(&tail).trim_end());
            }
            responses.push(response);
        }
    }
}

/// An untagged answer with its literal, if any.
struct Response {
    line: String,
    literal: Option<Vec<u8>>,
    truncated: bool,
}

/// The size of a literal announced at the end of a line (`... {1234}`).
fn literal_size(line: &str) -> Option<usize> {
    let open = line.rfind('{')?;
    line.strip_suffix('}')?[open + 1..]
        .trim_end_matches('+')
        .parse()
        .ok()
}

/// The server and port of `HOST`, `HOST:PORT`, `[IPv6]` or `[IPv6]:PORT`; without a port, the
/// standard one (993 for TLS, 143 for STARTTLS).
pub fn server_and_port(text: &str, starttls: bool) -> Result<(String, u16), String> {
    match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') || host.ends_with(']') => {
            let port = port
                .parse()
                .map_err(|_| format!("{port:?} is not a valid port"))?;
            Ok((host.trim_matches(['[', ']']).to_string(), port))
        }
        _ => Ok((
            text.trim_matches(['[', ']']).to_string(),
            if starttls { 143 } else { 993 },
        )),
    }
}

/// Converts `YYYY-MM-DD` to IMAP's `1-Jan-2024`.
pub fn imap_date(date: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = date.trim().split('-');
    let year: u32 = parts.next()?.parse().ok()?;
    let month: usize = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    (parts.next().is_none() && (1..=31).contains(&day) && (1900..=9999).contains(&year))
        .then(|| {
            Some(format!(
                "{day}-{}-{year}",
                MONTHS.get(month.checked_sub(1)?)?
            ))
        })
        .flatten()
}

/// Reads and analyses every message of the mailbox, in the server's order. Each message's
/// origin is `imap://USER@HOST/FOLDER;UID=n`. Returns the messages and the seconds taken.
pub fn scan_mailbox(
    config: &ImapConfig,
    context: &crate::Context,
) -> Result<(Vec<crate::batch::Scanned>, f64), ImapError> {
    let started = std::time::Instant::now();
    let mut scanned = Vec::new();
    read_mailbox(config, &mut |uid, bytes, truncated| {
        let analysis = crate::analyze_guarded(
            &bytes,
            truncated.then_some(config.max_message_bytes),
            context,
        );
        scanned.push(crate::batch::Scanned {
            origin: format!(
                "imap://{}@{}/{};UID={uid}",
                config.user, config.host, config.folder
            ),
            analysis,
        });
    })?;
    Ok((scanned, started.elapsed().as_secs_f64()))
}

/// Connects, logs in, opens the folder read-only and calls `each(uid, bytes, truncated)` for
/// every message (received on or after `since`). Returns the number of messages read.
pub fn read_mailbox(
    config: &ImapConfig,
    each: &mut dyn FnMut(u32, Vec<u8>, bool),
) -> Result<usize, ImapError> {
    let address = format!("{}:{}", config.host, config.port);
    let target = address
        .to_socket_addrs()
        .map_err(|e| ImapError::Connect(address.clone(), e.to_string()))?
        .next()
        .ok_or_else(|| ImapError::Connect(address.clone(), "the name does not resolve".into()))?;
    let tcp = TcpStream::connect_timeout(&target, config.timeout)
        .map_err(|e| ImapError::Connect(address.clone(), e.to_string()))?;
    tcp.set_read_timeout(Some(config.timeout))?;
    tcp.set_write_timeout(Some(config.timeout))?;
    let stream: Box<dyn Stream> = match config.security {
        Security::Tls => wrap_tls(tcp, config)?,
        Security::StartTls => {
            let mut plain = BufReader::new(tcp);
            let mut greeting = Vec::new();
            plain.read_until(b'\n', &mut greeting)?;
            let mut tcp = plain.into_inner();
            tcp.write_all(b"h0 STARTTLS\r\n")?;
            let mut answer = BufReader::new(tcp);
            let mut line = Vec::new();
            answer.read_until(b'\n', &mut line)?;
            if !String::from_utf8_lossy(&line).starts_with("h0 OK") {
                return Err(ImapError::Refused(
                    "STARTTLS",
                    String::from_utf8_lossy(&line).trim().to_string(),
                ));
            }
            wrap_tls(answer.into_inner(), config)?
        }
    };
    let mut session = Session {
        reader: BufReader::new(stream),
        tag: 0,
    };
    if config.security == Security::Tls {
        let greeting = String::from_utf8_lossy(&session.read_line()?).to_string();
        if !greeting.starts_with("* OK") && !greeting.starts_with("* PREAUTH") {
            return Err(ImapError::Protocol(format!(
                "greeting {:?}",
                greeting.trim()
            )));
        }
    }
    session.command(
        "LOGIN",
        &format!(
            "LOGIN {} {}",
            quote(&config.user)?,
            quote(&config.password)?
        ),
        0,
    )?;
    session.command("EXAMINE", &format!("EXAMINE {}", quote(&config.folder)?), 0)?;
    let criteria = match &config.since {
        Some(day) => format!(
            "SINCE {}",
            imap_date(day)
                .ok_or_else(|| ImapError::Protocol(format!("--since {day:?} is not YYYY-MM-DD")))?
        ),
        None => "ALL".into(),
    };
    let found = session.command("SEARCH", &format!("UID SEARCH {criteria}"), 0)?;
    let uids: Vec<u32> = found
        .iter()
        .filter_map(|r| r.line.strip_prefix("* SEARCH"))
        .flat_map(|rest| {
            rest.split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect();
    let mut count = 0;
    for uid in uids {
        // BODY.PEEK never sets \Seen: the mailbox is left exactly as it was.
        let responses = session.command(
            "FETCH",
            &format!("UID FETCH {uid} BODY.PEEK[]"),
            config.max_message_bytes,
        )?;
        for response in responses {
            if let Some(data) = response.literal {
                each(uid, data, response.truncated);
                count += 1;
            }
        }
    }
    let _ = session.command("LOGOUT", "LOGOUT", 0);
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_and_port_reads_every_written_form() {
        let read = |t: &str, starttls| server_and_port(t, starttls).unwrap();
        assert_eq!(read("imap.example", false), ("imap.example".into(), 993));
        assert_eq!(read("imap.example", true), ("imap.example".into(), 143));
        assert_eq!(
            read("imap.example:1143", false),
            ("imap.example".into(), 1143)
        );
        assert_eq!(read("[::1]:1993", false), ("::1".into(), 1993));
        assert_eq!(read("[::1]", false), ("::1".into(), 993));
        assert!(server_and_port("imap.example:http", false).is_err());
    }

    #[test]
    fn helpers() {
        assert_eq!(imap_date("2024-03-07").as_deref(), Some("7-Mar-2024"));
        assert_eq!(imap_date("2024-13-07"), None);
        assert_eq!(imap_date("yesterday"), None);
        assert_eq!(literal_size("* 1 FETCH (UID 5 BODY[] {1234}"), Some(1234));
        assert_eq!(literal_size("* OK done"), None);
        assert_eq!(quote("a\"b\\c").ok().as_deref(), Some("\"a\\\"b\\\\c\""));
        assert!(quote("x\r\nA1 DELETE INBOX").is_err());
    }
}
