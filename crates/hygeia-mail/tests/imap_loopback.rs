//! `imap::read_mailbox` against a scripted IMAP server on loopback, over real TLS (implicit and
//! STARTTLS) with a certificate made for the test. The server records every command so the test
//! can prove the client stays read-only (EXAMINE, BODY.PEEK; never SELECT or STORE).
#![cfg(feature = "imap")]

use hygeia_mail::imap::{ImapConfig, ImapError, Security, read_mailbox, scan_mailbox};
use hygeia_mail::{Context, MailCatalog, Settings};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MESSAGES: [&[u8]; 2] = [
    b"From: Alice <alice@clinic.example>\r\nSubject: hello\r\n\r\nhi\r\n",
    b"From: \"PayPal\" <x@paypa1.example>\r\nSubject: verify\r\n\r\nverify your account\r\n",
];

struct Server {
    port: u16,
    commands: Arc<Mutex<Vec<String>>>,
    ca_pem: String,
}

fn serve(starttls: bool) -> Server {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
        .unwrap_or_else(|e| panic!("{e}"));
    let ca_pem = cert.cert.pem();
    let cert_der = rustls_pki_types_cert(&cert);
    let key_der = rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der())
        .unwrap_or_else(|e| panic!("{e}"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| panic!("{e}"))
        .with_no_client_auth()
        .with_single_cert(vec![cert_der], key_der)
        .unwrap_or_else(|e| panic!("{e}"));
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let commands = Arc::new(Mutex::new(Vec::new()));
    let log = commands.clone();
    std::thread::spawn(move || {
        let Ok((mut tcp, _)) = listener.accept() else {
            return;
        };
        let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
        if starttls {
            let _ = tcp.write_all(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
            let mut line = String::new();
            let mut reader = BufReader::new(tcp.try_clone().unwrap_or_else(|e| panic!("{e}")));
            let _ = reader.read_line(&mut line);
            log.lock().map(|mut l| l.push(line.trim().to_string())).ok();
            let _ = tcp.write_all(b"h0 OK begin TLS\r\n");
        }
        let connection = rustls::ServerConnection::new(config).unwrap_or_else(|e| panic!("{e}"));
        let mut tls = rustls::StreamOwned::new(connection, tcp);
        if !starttls {
            let _ = tls.write_all(b"* OK ready\r\n");
        }
        let mut pending = Vec::new();
        loop {
            let mut byte = [0u8; 1];
            match tls.read(&mut byte) {
                Ok(1) => pending.push(byte[0]),
                _ => return,
            }
            if !pending.ends_with(b"\r\n") {
                continue;
            }
            let line = String::from_utf8_lossy(&pending).trim().to_string();
            pending.clear();
            log.lock().map(|mut l| l.push(line.clone())).ok();
            let (tag, command) = line.split_once(' ').unwrap_or((&line, ""));
            let upper = command.to_uppercase();
            let reply: Vec<u8> = if upper.starts_with("LOGIN") {
                if command.contains("\"secret\"") {
                    format!("{tag} OK logged in\r\n").into()
                } else {
                    format!("{tag} NO wrong password\r\n").into()
                }
            } else if upper.starts_with("EXAMINE") {
                format!("* 2 EXISTS\r\n* OK [READ-ONLY]\r\n{tag} OK [READ-ONLY] done\r\n").into()
            } else if upper.starts_with("UID SEARCH") {
                format!("* SEARCH 7 9\r\n{tag} OK done\r\n").into()
            } else if upper.starts_with("UID FETCH") {
                let uid: usize = command
                    .split_whitespace()
                    .nth(2)
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let body = MESSAGES[if uid == 7 { 0 } else { 1 }];
                let mut r = format!(
                    "* {} FETCH (UID {uid} BODY[] {{{}}}\r\n",
                    if uid == 7 { 1 } else { 2 },
                    body.len()
                )
                .into_bytes();
                r.extend_from_slice(body);
                r.extend_from_slice(format!(")\r\n{tag} OK done\r\n").as_bytes());
                r
            } else if upper.starts_with("LOGOUT") {
                let _ = tls.write_all(format!("* BYE\r\n{tag} OK bye\r\n").as_bytes());
                return;
            } else {
                format!("{tag} BAD unknown\r\n").into()
            };
            let _ = tls.write_all(&reply);
            let _ = tls.flush();
        }
    });
    Server {
        port,
        commands,
        ca_pem,
    }
}

fn rustls_pki_types_cert(
    cert: &rcgen::CertifiedKey<rcgen::KeyPair>,
) -> rustls::pki_types::CertificateDer<'static> {
    cert.cert.der().clone()
}

fn config(server: &Server, security: Security, password: &str) -> ImapConfig {
    let ca = std::env::temp_dir().join(format!(
        "hygeia-imap-ca-{}-{}.pem",
        std::process::id(),
        server.port
    ));
    std::fs::write(&ca, &server.ca_pem).unwrap_or_else(|e| panic!("{e}"));
    ImapConfig {
        host: "localhost".into(),
        port: server.port,
        user: "drlee".into(),
        password: password.into(),
        folder: "INBOX".into(),
        since: Some("2024-01-01".into()),
        security,
        ca_file: Some(ca),
        max_message_bytes: 1024 * 1024,
        timeout: Duration::from_secs(10),
    }
}

#[test]
fn reads_over_tls_without_changing_anything() {
    for security in [Security::Tls, Security::StartTls] {
        let server = serve(security == Security::StartTls);
        let mut seen = Vec::new();
        let count = read_mailbox(
            &config(&server, security, "secret"),
            &mut |uid, bytes, _| seen.push((uid, bytes)),
        )
        .unwrap_or_else(|e| panic!("{security:?}: {e}"));
        assert_eq!(count, 2);
        assert_eq!(seen[1].0, 9);
        assert_eq!(seen[1].1, MESSAGES[1]);
        let commands = server
            .commands
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default();
        let all = commands.join("\n").to_uppercase();
        assert!(
            all.contains("EXAMINE \"INBOX\"") && all.contains("UID SEARCH SINCE 1-JAN-2024"),
            "{all}"
        );
        assert!(all.contains("BODY.PEEK[]"), "{all}");
        for forbidden in ["SELECT", "STORE", "EXPUNGE", "COPY", "MOVE", "BODY[]\r"] {
            assert!(!all.contains(forbidden), "{forbidden} sent: {all}");
        }
    }
}

#[test]
fn a_scanned_mailbox_names_each_message_by_its_uid() {
    let server = serve(false);
    let catalog = MailCatalog::builtin().unwrap();
    let settings = Settings::from_options(&[], &[], None).unwrap();
    let context = Context {
        catalog: &catalog,
        settings: &settings,
        verifier: None,
    };
    let config = config(&server, Security::Tls, "secret");
    let (scanned, _) = scan_mailbox(&config, &context).unwrap();
    assert_eq!(scanned.len(), 2);
    assert_eq!(scanned[1].origin, "imap://drlee@localhost/INBOX;UID=9");
    assert_eq!(scanned[1].analysis.subject, "verify");
}

#[test]
fn wrong_password_and_untrusted_certificate_are_clear_errors() {
    let server = serve(false);
    let refused = read_mailbox(&config(&server, Security::Tls, "wrong"), &mut |_, _, _| {});
    assert!(
        matches!(refused, Err(ImapError::Refused("LOGIN", _))),
        "{refused:?}"
    );
    let server = serve(false);
    let mut untrusted = config(&server, Security::Tls, "secret");
    untrusted.ca_file = None;
    let tls = read_mailbox(&untrusted, &mut |_, _, _| {});
    assert!(matches!(tls, Err(ImapError::Tls(_, _))), "{tls:?}");
    let closed = TcpListener::bind("127.0.0.1:0")
        .map(|l| l.local_addr().map(|a| a.port()).unwrap_or(1))
        .unwrap_or(1);
    let mut down = config(&server, Security::Tls, "secret");
    down.port = closed;
    assert!(matches!(
        read_mailbox(&down, &mut |_, _, _| {}),
        Err(ImapError::Connect(_, _))
    ));
}
