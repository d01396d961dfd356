//! Simulated phishing messages: filled in for one person, built as a text and HTML message that
//! names itself a Hygeia simulation in a header, and sent through the practice's SMTP relay.

use super::catalog::{Lure, Template};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// The header every simulation carries, so the practice's mail filter can let it through and
/// anyone reading the source can see what it is.
pub const SIMULATION_HEADER: &str = "X-Hygeia-Simulation";

/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// How the server talks to the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (port 587); refused if the relay cannot.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only to a relay on this same computer (loopback).
    Plain,
}

impl Security {
    /// Reads the stored word.
    pub fn parse(word: &str) -> Option<Security> {
        match word {
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::Tls),
            "plain" => Some(Security::Plain),
            _ => None,
        }
    }

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Security::StartTls => "starttls",
            Security::Tls => "tls",
            Security::Plain => "plain",
        }
    }
}

/// A practice's relay, with its password opened.
#[derive(Clone)]
pub struct Relay {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Encryption.
    pub security: Security,
    /// User name; empty for a relay without authentication.
    pub username: String,
    /// Password.
    pub password: String,
    /// The address every simulation comes from.
    pub from_address: String,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("from_address", &self.from_address)
            .finish_non_exhaustive()
    }
}

/// Whether `host` is this computer (where a plain connection is acceptable).
pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The person a message goes to and what fills its placeholders.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// Full name as the dashboard knows it.
    pub display_name: String,
    /// Address.
    pub email: String,
    /// The practice's name.
    pub practice: String,
}

impl Recipient {
    /// The first word of the name, or the address's local part.
    pub fn first_name(&self) -> String {
        self.display_name
            .split_whitespace()
            .next()
            .map(str::to_string)
            .unwrap_or_else(|| self.email.split('@').next().unwrap_or("").to_string())
    }
}

/// A template filled in for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// Fills in a template. `link` is the person's own link; `open_pixel` the address of the
/// tracking image when open tracking is on.
pub fn fill(
    template: &Template,
    recipient: &Recipient,
    link: &str,
    date: &str,
    open_pixel: Option<&str>,
    qr_cid: Option<&str>,
) -> Filled {
    let first_name = recipient.first_name();
    let replace = |text: &str, link_text: &str| {
        text.replace("{first_name}", &first_name)
            .replace("{practice}", &recipient.practice)
            .replace("{date}", date)
            .replace("{link}", link_text)
    };
    let subject = replace(&template.subject, "");
    let text = replace(&template.body, link);
    // The HTML part: the same paragraphs, escaped, with the link as a button.
    const LINK_MARK: &str = "\u{1}LINK\u{1}";
    let marked = replace(&template.body, LINK_MARK);
    let mut html = String::from(
        "<!DOCTYPE html><html><body style=\"font-family:Arial,sans-serif;font-size:15px;color:#222\">",
    );
    for paragraph in marked.trim().split("\n\n") {
        let escaped = escape_html(paragraph.trim()).replace('\n', "<br>");
        let button = format!(
            "<a href=\"{}\" style=\"display:inline-block;padding:10px 18px;background:#1a5fb4;color:#fff;text-decoration:none;border-radius:4px\">{}</a>",
            escape_html(link),
            escape_html(&template.button)
        );
        let with_link = if escaped.contains(LINK_MARK) {
            let qr = qr_cid
                .map(|cid| format!("<br><img src=\"cid:{cid}\" width=\"180\" height=\"180\" alt=\"QR code\"><br>"))
                .unwrap_or_default();
            escaped.replace(LINK_MARK, &format!("{qr}{button}"))
        } else {
            escaped
        };
        html.push_str(&format!("<p>{with_link}</p>"));
    }
    if let Some(pixel) = open_pixel {
        html.push_str(&format!(
            "<img src=\"{}\" width=\"1\" height=\"1\" alt=\"\">",
            escape_html(pixel)
        ));
    }
    html.push_str("</body></html>");
    Filled {
        subject,
        text,
        html,
    }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The `X-Hygeia-Simulation` header: the campaign's id.
#[derive(Debug, Clone)]
struct SimulationHeader(String);

impl Header for SimulationHeader {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str(SIMULATION_HEADER)
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(SimulationHeader(text.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// Builds the message for one person of a campaign.
pub fn build(
    relay: &Relay,
    template: &Template,
    recipient: &Recipient,
    campaign_id: i64,
    link: &str,
    date: &str,
    open_pixel: Option<&str>,
) -> Result<Message, String> {
    let from_address = relay.from_address.parse().map_err(|e| {
        format!(
            "the relay's sender address {} is not valid: {e}",
            relay.from_address
        )
    })?;
    let to_address = recipient
        .email
        .parse()
        .map_err(|e| format!("{} is not a valid address: {e}", recipient.email))?;
    let qr_cid = "qr@hygeia";
    let qr = (template.lure == Lure::Qr).then(|| qr_png(link)).flatten();
    let filled = fill(
        template,
        recipient,
        link,
        date,
        open_pixel,
        qr.as_ref().map(|_| qr_cid),
    );
    let html_part = SinglePart::builder()
        .header(ContentType::TEXT_HTML)
        .body(filled.html);
    let html = match qr {
        Some(png) => MultiPart::related().singlepart(html_part).singlepart(
            Attachment::new_inline(qr_cid.to_string()).body(
                png,
                ContentType::parse("image/png").map_err(|e| e.to_string())?,
            ),
        ),
        None => MultiPart::related().singlepart(html_part),
    };
    Message::builder()
        .from(Mailbox::new(
            Some(template.sender_name.clone()),
            from_address,
        ))
        .to(Mailbox::new(
            Some(recipient.display_name.clone()),
            to_address,
        ))
        .subject(filled.subject)
        .header(SimulationHeader(campaign_id.to_string()))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(filled.text))
                .multipart(html),
        )
        .map_err(|e| format!("the message could not be built: {e}"))
}

/// The certificates of a PEM text (a CA bundle may hold several).
fn pem_certificates(pem: &str) -> Vec<String> {
    const END: &str = "-----END CERTIFICATE-----";
    pem.split_inclusive(END)
        .filter_map(|chunk| {
            let start = chunk.find("-----BEGIN CERTIFICATE-----")?;
            chunk.ends_with(END).then(|| chunk[start..].to_string())
        })
        .collect()
}

/// TLS for the relay: its name checked against its certificate, which chains to a public CA
/// or to one of `extra_ca_pem` (a practice's own mail server).
fn tls_parameters(host: &str, extra_ca_pem: Option<&str>) -> Result<TlsParameters, String> {
    let mut builder = TlsParameters::builder(host.to_string());
    for pem in extra_ca_pem.map(pem_certificates).unwrap_or_default() {
        let certificate = Certificate::from_pem(pem.as_bytes())
            .map_err(|e| format!("the mail CA certificate cannot be read: {e}"))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder
        .build()
        .map_err(|e| format!("TLS for {host} cannot be set up: {e}"))
}

/// Sends one message through the relay; `extra_ca_pem` is `--mail-ca`'s content.
pub async fn send(
    relay: &Relay,
    message: Message,
    extra_ca_pem: Option<&str>,
) -> Result<(), String> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&relay.host);
    let transport = match relay.security {
        // Refused when the relay does not offer STARTTLS: never sent in the clear.
        Security::StartTls => {
            transport.tls(Tls::Required(tls_parameters(&relay.host, extra_ca_pem)?))
        }
        Security::Tls => transport.tls(Tls::Wrapper(tls_parameters(&relay.host, extra_ca_pem)?)),
        Security::Plain => {
            if !is_loopback(&relay.host) {
                return Err(format!(
                    "{} is not this computer: a relay elsewhere needs STARTTLS or TLS",
                    relay.host
                ));
            }
            transport
        }
    };
    let mut transport = transport.port(relay.port).timeout(Some(SMTP_TIMEOUT));
    if !relay.username.is_empty() {
        transport = transport.credentials(Credentials::new(
            relay.username.clone(),
            relay.password.clone(),
        ));
    }
    transport
        .build()
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| {
            format!(
                "the relay {}:{} refused or failed: {e}",
                relay.host, relay.port
            )
        })
}

/// A QR code of `text` as a PNG (8-bit grey, 6 pixels per module, 4 modules of margin).
pub fn qr_png(text: &str) -> Option<Vec<u8>> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let modules = code.width();
    let colors = code.to_colors();
    let (scale, quiet) = (6usize, 4usize);
    let size = (modules + 2 * quiet) * scale;
    let mut raw = Vec::with_capacity(size * (size + 1));
    for y in 0..size {
        raw.push(0); // filter: none
        let my = (y / scale).checked_sub(quiet);
        for x in 0..size {
            let mx = (x / scale).checked_sub(quiet);
            let dark = match (mx, my) {
                (Some(mx), Some(my)) if mx < modules && my < modules => {
                    colors[my * modules + mx] == qrcode::Color::Dark
                }
                _ => false,
            };
            raw.push(if dark { 0 } else { 255 });
        }
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, &raw).ok()?;
    let compressed = encoder.finish().ok()?;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let side = u32::try_from(size).ok()?.to_be_bytes();
    let mut header = Vec::new();
    header.extend_from_slice(&side);
    header.extend_from_slice(&side);
    header.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale, no interlace
    png_chunk(&mut png, b"IHDR", &header);
    png_chunk(&mut png, b"IDAT", &compressed);
    png_chunk(&mut png, b"IEND", &[]);
    Some(png)
}

fn png_chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    png.extend_from_slice(&crc.sum().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipient() -> Recipient {
        Recipient {
            display_name: "Dana Lee".into(),
            email: "dana@clinic.example".into(),
            practice: "Lee Family Practice".into(),
        }
    }

    fn template(id: &str) -> Template {
        super::super::catalog::builtin()
            .unwrap_or_else(|e| panic!("{e}"))
            .template(id)
            .cloned()
            .unwrap_or_else(|| panic!("no template {id}"))
    }

    #[test]
    fn a_template_is_filled_in_and_its_html_escaped() {
        let mut t = template("shared-document");
        t.body = "Hi {first_name} <b>\n\nOpen: {link}\n\nBye".into();
        let filled = fill(
            &t,
            &recipient(),
            "https://h.example/s/hys_x",
            "2026-12-06",
            None,
            None,
        );
        assert_eq!(
            filled.subject,
            "Lee Family Practice: \"Updated referral list\" was shared with you"
        );
        assert!(
            filled.text.contains("Hi Dana <b>")
                && filled.text.contains("Open: https://h.example/s/hys_x")
        );
        assert!(filled.html.contains("Hi Dana &lt;b&gt;"), "{}", filled.html);
        assert!(
            filled
                .html
                .contains("<a href=\"https://h.example/s/hys_x\""),
            "{}",
            filled.html
        );
        assert!(!filled.html.contains("<img"), "no pixel unless asked");
        let tracked = fill(
            &t,
            &recipient(),
            "https://h.example/s/hys_x",
            "2026-12-06",
            Some("https://h.example/s/hys_x/o.gif"),
            None,
        );
        assert!(tracked.html.contains("o.gif"));
    }

    #[test]
    fn a_message_names_itself_a_simulation_and_a_qr_lure_carries_its_code() {
        let relay = Relay {
            host: "127.0.0.1".into(),
            port: 2525,
            security: Security::Plain,
            username: String::new(),
            password: String::new(),
            from_address: "simulations@clinic.example".into(),
        };
        let message = build(
            &relay,
            &template("qr-code"),
            &recipient(),
            42,
            "https://h.example/s/hys_x",
            "2026-12-06",
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&message.formatted()).into_owned();
        assert!(text.contains("X-Hygeia-Simulation: 42"), "{text}");
        assert!(
            text.contains("From: \"IT Security\" <simulations@clinic.example>"),
            "{text}"
        );
        assert!(
            text.contains("image/png") && text.contains("Content-ID: <qr@hygeia>"),
            "{text}"
        );
        let bad = Recipient {
            email: "not an address".into(),
            ..recipient()
        };
        assert!(
            build(
                &relay,
                &template("invoice"),
                &bad,
                1,
                "https://h",
                "d",
                None
            )
            .is_err()
        );
    }

    #[test]
    fn the_qr_code_is_a_png() {
        let png = qr_png("https://h.example/s/hys_abc").unwrap_or_else(|| panic!("no png"));
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(&png[12..16], b"IHDR");
        assert!(png.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "IEND's CRC");
    }

    #[test]
    fn a_ca_bundle_is_read_certificate_by_certificate() {
        let one = "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----";
        let bundle = format!("# a comment\n{one}\n{one}\ntrailing");
        assert_eq!(
            pem_certificates(&bundle),
            vec![one.to_string(), one.to_string()]
        );
        assert!(pem_certificates("no certificate").is_empty());
    }

    #[test]
    fn only_loopback_may_be_plain() {
        assert!(is_loopback("127.0.0.1") && is_loopback("::1") && is_loopback("localhost"));
        assert!(!is_loopback("smtp.clinic.example") && !is_loopback("10.0.0.5"));
    }
}
