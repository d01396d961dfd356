//! `--verify-dns`: the sender checked live in DNS. DKIM signatures are verified against the keys
//! the signing domains publish today, SPF is evaluated for the server that handed the message to
//! the recipient's mail provider (the address in the topmost `Received` header), and DMARC
//! combines both for the From domain. Only failures are evidence, as with Authentication-Results:
//! a missing record or a DNS error says nothing.
//!
//! The results reflect DNS now, not at delivery: keys are rotated and SPF records change, which
//! is why this is off by default and why a trusted receiving server's own results
//! (`--trusted-authserv`) take precedence.

use crate::indicators::{Indicator, SenderVerifier};
use crate::weights::{variant, weight};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::dmarc::Policy;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts,
};
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, DkimResult, DmarcResult, MessageAuthenticator, Parameters, ResolverCache,
    SpfOutput, SpfResult, Txt,
};
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The one indicator this module adds.
const ID: &str = "sender.dns-authentication-failed";

/// DNS answers kept between messages (the same domains recur in a mailbox).
const CACHE_ENTRIES: usize = 10_000;
/// The longest one message may take to check.
const PER_MESSAGE: Duration = Duration::from_secs(10);

/// TXT records (SPF, DKIM keys, DMARC policies) by name, shared by all messages of a run.
#[derive(Default)]
pub struct TxtCache {
    entries: Mutex<HashMap<Box<str>, (Txt, Instant)>>,
}

impl TxtCache {
    /// Adds a record as if DNS had answered `text` for `name` (used to check records offline).
    pub fn add_record(&self, name: &str, text: &str) -> Result<(), String> {
        let bytes = text.as_bytes();
        let txt = if text.starts_with("v=spf1") {
            Txt::Spf(Arc::new(
                mail_auth::spf::Spf::parse(bytes).map_err(|e| e.to_string())?,
            ))
        } else if text.starts_with("v=DMARC1") {
            Txt::Dmarc(Arc::new(
                mail_auth::dmarc::Dmarc::parse(bytes).map_err(|e| e.to_string())?,
            ))
        } else {
            Txt::DomainKey(Arc::new(
                mail_auth::common::verify::DomainKey::parse(bytes).map_err(|e| e.to_string())?,
            ))
        };
        let far = Instant::now() + Duration::from_secs(365 * 24 * 3600);
        self.insert(format!("{}.", name.trim_end_matches('.')).into(), txt, far);
        Ok(())
    }
}

impl TxtCache {
    /// Records that `name` has no TXT record, as if DNS had answered so.
    pub fn add_missing(&self, name: &str) {
        let far = Instant::now() + Duration::from_secs(365 * 24 * 3600);
        let missing = Txt::Error(mail_auth::Error::Dns(
            mail_auth::DnsError::InvalidRecordType,
        ));
        self.insert(
            format!("{}.", name.trim_end_matches('.')).into(),
            missing,
            far,
        );
    }
}

impl ResolverCache<Box<str>, Txt> for TxtCache {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let entries = self.entries.lock().ok()?;
        let (txt, valid_until) = entries.get(name)?;
        (*valid_until > Instant::now()).then(|| txt.clone())
    }

    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries.lock().ok()?.remove(name).map(|(txt, _)| txt)
    }

    fn insert(&self, key: Box<str>, value: Txt, valid_until: Instant) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CACHE_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (value, valid_until));
        }
    }
}

/// Checks senders in DNS; one per run, shared by the scanning threads.
pub struct DnsVerifier {
    runtime: tokio::runtime::Runtime,
    authenticator: MessageAuthenticator,
    /// Records already looked up (or added by [`TxtCache::add_record`]).
    pub cache: TxtCache,
    /// Messages whose sender could not be checked because DNS did not answer in time.
    unanswered: AtomicUsize,
}

/// A verifier that could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("cannot check senders in DNS: {0}")]
pub struct DnsSetupError(String);

impl DnsVerifier {
    /// Uses this computer's DNS settings (`/etc/resolv.conf` and its equivalents).
    pub fn system() -> Result<DnsVerifier, DnsSetupError> {
        let authenticator =
            MessageAuthenticator::new_system_conf().map_err(|e| DnsSetupError(e.to_string()))?;
        DnsVerifier::with(authenticator)
    }

    /// Asks only the DNS server at `server`, waiting at most `timeout` for each answer.
    pub fn with_nameserver(
        server: SocketAddr,
        timeout: Duration,
    ) -> Result<DnsVerifier, DnsSetupError> {
        let mut connection = ConnectionConfig::udp();
        connection.port = server.port();
        let mut nameserver = NameServerConfig::udp(server.ip());
        nameserver.connections = vec![connection];
        let mut options = ResolverOpts::default();
        options.timeout = timeout;
        options.attempts = 1;
        let config = ResolverConfig::from_name_servers(vec![nameserver]);
        let authenticator =
            MessageAuthenticator::new(config, options).map_err(|e| DnsSetupError(e.to_string()))?;
        DnsVerifier::with(authenticator)
    }

    fn with(authenticator: MessageAuthenticator) -> Result<DnsVerifier, DnsSetupError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| DnsSetupError(e.to_string()))?;
        Ok(DnsVerifier {
            runtime,
            authenticator,
            cache: TxtCache::default(),
            unanswered: AtomicUsize::new(0),
        })
    }

    async fn check(&self, raw: &[u8]) -> Vec<Indicator> {
        let mut found = Vec::new();
        let Some(message) = AuthenticatedMessage::parse(raw) else {
            return found;
        };
        let dkim = self
            .authenticator
            .verify_dkim(Parameters::new(&message).with_txt_cache(&self.cache))
            .await;
        if let Some(domain) = dkim.iter().find_map(|output| match output.result() {
            DkimResult::Fail(_) => {
                Some(output.signature().map_or_else(String::new, |s| s.d.clone()))
            }
            _ => None,
        }) {
            found.push(Indicator::new(
                "sender.dns-authentication-failed",
                weight("sender.dns-authentication-failed"),
                format!("Checked in DNS: the message's digital signature from {domain} does not match; it was changed after signing or the signature is forged."),
                "dkim=fail".to_string(),
            ));
        }
        let headers = &message.headers;
        let Some((ip, helo)) = delivering_server(headers) else {
            // Without the delivering server neither SPF nor DMARC can be concluded.
            return found;
        };
        let mail_from = return_path(headers)
            .or_else(|| message.from.first().cloned())
            .unwrap_or_default();
        let mail_from_domain = mail_from
            .rsplit_once('@')
            .map(|(_, d)| d.to_lowercase())
            .unwrap_or_else(|| helo.clone());
        let spf: SpfOutput = self
            .authenticator
            .verify_spf(
                Parameters::new(SpfParameters::verify_mail_from(
                    ip,
                    &helo,
                    "hygeia.invalid",
                    &mail_from,
                ))
                .with_txt_cache(&self.cache),
            )
            .await;
        if spf.result() == SpfResult::TempError {
            self.unanswered.fetch_add(1, Ordering::Relaxed);
        }
        let (spf_weight, spf_words) = match spf.result() {
            SpfResult::Fail => (variant(ID, "spf"), "is not one that"),
            SpfResult::SoftFail => (variant(ID, "spf-softfail"), "is probably not one that"),
            _ => (0.0, ""),
        };
        if spf_weight > 0.0 {
            found.push(Indicator::new(
                "sender.dns-authentication-failed",
                spf_weight,
                format!("Checked in DNS: the server that delivered the message ({ip}) {spf_words} {mail_from_domain} sends mail from (SPF)."),
                format!("spf={:?} ip={ip}", spf.result()).to_lowercase(),
            ));
        }
        let dmarc = self
            .authenticator
            .verify_dmarc(
                Parameters::new(DmarcParameters {
                    message: &message,
                    dkim_output: &dkim,
                    dkim2_output: None,
                    rfc5321_mail_from_domain: &mail_from_domain,
                    spf_output: &spf,
                })
                .with_txt_cache(&self.cache),
            )
            .await;
        // A pass of either mechanism, or a DNS error, is not a failure.
        if matches!(dmarc.result(), DmarcResult::Fail(_)) {
            let (weight, policy) = match dmarc.policy() {
                Policy::Reject => (variant(ID, "dmarc-enforced"), "to reject"),
                Policy::Quarantine => (variant(ID, "dmarc-enforced"), "to quarantine"),
                _ => (variant(ID, "dmarc-report"), "to report"),
            };
            found.push(Indicator::new(
                "sender.dns-authentication-failed",
                weight,
                format!("Checked in DNS: the message fails the DMARC policy of {}, which asks receivers {policy} such mail: the sender is probably forged.", dmarc.domain()),
                "dmarc=fail".to_string(),
            ));
        }
        found
    }
}

impl SenderVerifier for DnsVerifier {
    fn verify(&self, raw: &[u8]) -> Vec<Indicator> {
        self.runtime.block_on(async {
            match tokio::time::timeout(PER_MESSAGE, self.check(raw)).await {
                Ok(found) => found,
                Err(_) => {
                    self.unanswered.fetch_add(1, Ordering::Relaxed);
                    Vec::new()
                }
            }
        })
    }

    fn shortfall(&self) -> Option<String> {
        let unanswered = self.unanswered.load(Ordering::Relaxed);
        (unanswered > 0).then(|| {
            format!("DNS did not answer for {unanswered} message(s): their senders were not checked in DNS (--verify-dns). Check this computer's network and DNS settings.")
        })
    }
}

/// The address and greeting name of the server that handed the message to the recipient's
/// provider: the first public address in brackets in the topmost `Received` header.
fn delivering_server(headers: &[(&[u8], &[u8])]) -> Option<(IpAddr, String)> {
    let (_, value) = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(b"Received"))?;
    let value = String::from_utf8_lossy(value);
    let ip = value
        .split(['[', ']'])
        .skip(1)
        .step_by(2)
        .filter_map(|inside| inside.trim_start_matches("IPv6:").parse::<IpAddr>().ok())
        .find(is_public)?;
    let helo = value
        .split_whitespace()
        .skip_while(|w| !w.eq_ignore_ascii_case("from"))
        .nth(1)
        .unwrap_or("")
        .trim_matches(|c: char| c == '(' || c == ')')
        .to_lowercase();
    Some((ip, helo))
}

fn is_public(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// The envelope sender recorded by the receiving server.
fn return_path(headers: &[(&[u8], &[u8])]) -> Option<String> {
    let (_, value) = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(b"Return-Path"))?;
    let value = String::from_utf8_lossy(value);
    let address = value
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    address.contains('@').then(|| address.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A verifier that can reach no DNS server: only records added to its cache exist.
    fn offline() -> DnsVerifier {
        let verifier = DnsVerifier::with_nameserver(
            "127.0.0.1:9".parse().unwrap_or_else(|e| panic!("{e}")),
            Duration::from_millis(200),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for (name, record) in [
            ("bank.example", "v=spf1 ip4:198.51.100.0/24 -all"),
            ("_dmarc.bank.example", "v=DMARC1; p=reject"),
        ] {
            verifier
                .cache
                .add_record(name, record)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        // DMARC looks for a policy up the tree of names too.
        verifier.cache.add_missing("_dmarc.example");
        verifier
    }

    fn message(delivering_ip: &str) -> Vec<u8> {
        format!(
            "Return-Path: <alerts@bank.example>\r\nReceived: from mail.sender.example (mail.sender.example [{delivering_ip}])\r\n\tby mx.clinic.example with ESMTPS; Mon, 3 Jun 2024 09:12:00 +0000\r\nFrom: Bank <alerts@bank.example>\r\nTo: frontdesk@clinic.example\r\nSubject: Unusual sign-in\r\n\r\nPlease verify your account.\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn forged_sender_fails_spf_and_dmarc() {
        let verifier = offline();
        let found = verifier.verify(&message("203.0.113.9"));
        let evidence: Vec<&str> = found.iter().map(|f| f.evidence.as_str()).collect();
        assert!(
            evidence.iter().any(|e| e.starts_with("spf=fail")),
            "{found:?}"
        );
        assert!(evidence.contains(&"dmarc=fail"), "{found:?}");
    }

    #[test]
    fn allowed_server_passes() {
        let verifier = offline();
        assert!(verifier.verify(&message("198.51.100.20")).is_empty());
    }

    #[test]
    fn unknown_records_and_private_servers_are_neutral() {
        let verifier = offline();
        // Only a private address: the delivering server is unknown, nothing is concluded.
        assert!(verifier.verify(&message("10.1.2.3")).is_empty());
        assert!(verifier.shortfall().is_none());
        let other = String::from_utf8_lossy(&message("203.0.113.9"))
            .replace("bank.example", "unlisted.example");
        assert!(verifier.verify(other.as_bytes()).is_empty());
        // No DNS server answers this verifier: the reader is told.
        assert!(
            verifier
                .shortfall()
                .is_some_and(|s| s.contains("1 message"))
        );
    }

    fn base64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n =
                chunk.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn altered_signed_message_fails_dkim() {
        use mail_auth::common::crypto::Ed25519Key;
        use mail_auth::common::headers::HeaderWriter;
        use mail_auth::dkim::DkimSigner;
        let verifier = offline();
        let pkcs8 = Ed25519Key::generate_pkcs8().unwrap_or_else(|e| panic!("{e}"));
        let key = Ed25519Key::from_pkcs8_der(&pkcs8).unwrap_or_else(|e| panic!("{e}"));
        let public = base64(&key.public_key());
        verifier
            .cache
            .add_record(
                "s1._domainkey.bank.example",
                &format!("v=DKIM1; k=ed25519; p={public}"),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let message = "From: Bank <alerts@bank.example>\r\nTo: frontdesk@clinic.example\r\nSubject: Statement\r\n\r\nYour statement is ready.\r\n";
        let signature = DkimSigner::from_key(key)
            .domain("bank.example")
            .selector("s1")
            .headers(["From", "To", "Subject"])
            .sign(message.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let signed = format!("{}{message}", signature.to_header());
        let intact = verifier.verify(signed.as_bytes());
        assert!(
            intact.iter().all(|f| f.evidence != "dkim=fail"),
            "{intact:?}"
        );
        // A changed signed header breaks the signature (a changed body alone is "neutral" in
        // mail-auth, as mailing lists rewrite bodies).
        let altered = verifier.verify(
            signed
                .replace("Subject: Statement", "Subject: Statement overdue")
                .as_bytes(),
        );
        assert!(
            altered.iter().any(|f| f.evidence == "dkim=fail"),
            "{altered:?}"
        );
    }

    #[test]
    fn delivering_server_is_the_first_public_address() {
        let headers: Vec<(&[u8], &[u8])> = vec![
            (b"Received", b"from relay (relay [10.0.0.5]) by mx"),
            (b"Received", b"from outer (outer [192.0.2.1]) by relay"),
        ];
        assert!(delivering_server(&headers).is_none());
        let headers: Vec<(&[u8], &[u8])> = vec![(
            b"Received",
            b"from mail.x.example (mail.x.example [IPv6:2001:db8::5]) by mx",
        )];
        assert_eq!(
            delivering_server(&headers).map(|(ip, helo)| (ip.to_string(), helo)),
            Some(("2001:db8::5".to_string(), "mail.x.example".to_string()))
        );
    }
}
