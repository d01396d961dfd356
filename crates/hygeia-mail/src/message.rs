//! A parsed message as the indicators see it: sender, subject, bodies, links and attachments.

use crate::html::{self, HtmlFacts};
use mail_parser::{Address, HeaderName, MessageParser, MimeHeaders, PartType};

/// Nested messages deeper than this are not opened.
pub const MAX_NESTING: usize = 8;
/// Messages with more MIME parts than this are not analysed part by part.
pub const MAX_PARTS: usize = 2_000;

/// A sender address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sender {
    /// Display name.
    pub name: String,
    /// Address as written.
    pub address: String,
    /// Lower-case domain after the last `@` (empty when there is none).
    pub domain: String,
    /// The name and the address were separate entries of the header
    /// (`Microsoft account team ,_<no-reply@evil.example>`), so mail programs show the name alone.
    pub name_split_from_address: bool,
}

impl Sender {
    fn from_address(address: Option<&Address<'_>>) -> Option<Sender> {
        let address = address?;
        let first = address.first()?;
        let mut addr = first.address().unwrap_or_default().trim().to_string();
        let mut name_split_from_address = false;
        if addr.is_empty() {
            // A name without an address followed by an address without a name is one sender
            // whose header was broken on purpose.
            if let Some(second) = address.iter().nth(1)
                && let Some(found) = second.address().map(str::trim).filter(|a| !a.is_empty())
            {
                addr = found.to_string();
                name_split_from_address = true;
            }
        }
        let domain = addr
            .rsplit_once('@')
            .map(|(_, d)| d.trim_end_matches('>').to_lowercase())
            .unwrap_or_default();
        Some(Sender {
            name: first.name().unwrap_or_default().trim().to_string(),
            address: addr,
            domain,
            name_split_from_address,
        })
    }

    /// `Name <address>` for people.
    pub fn display(&self) -> String {
        match (self.name.is_empty(), self.address.is_empty()) {
            (true, _) => self.address.clone(),
            (false, true) => self.name.clone(),
            (false, false) => format!("{} <{}>", self.name, self.address),
        }
    }
}

/// An attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name as declared (may be empty).
    pub name: String,
    /// Declared content type, lower-case (`application/pdf`).
    pub content_type: String,
    /// Decoded contents.
    pub data: Vec<u8>,
    /// What a PDF holds (links, actions, pages, text), read once at parse time.
    pub pdf: Option<crate::pdf::PdfFacts>,
}

/// One link with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The URL.
    pub href: String,
    /// Text shown for it (HTML anchors), if any.
    pub text: Option<String>,
}

/// What the indicators read.
#[derive(Debug, Clone, Default)]
pub struct Mail {
    /// From.
    pub from: Option<Sender>,
    /// Reply-To.
    pub reply_to: Option<Sender>,
    /// Return-Path address, lower-case.
    pub return_path: Option<String>,
    /// Subject.
    pub subject: String,
    /// Message-ID.
    pub message_id: Option<String>,
    /// Authentication-Results header values.
    pub auth_results: Vec<String>,
    /// Plain-text bodies.
    pub text: String,
    /// Facts of every HTML body.
    pub html: Vec<HtmlFacts>,
    /// All links (HTML anchors, form targets, and URLs written in plain text).
    pub links: Vec<Link>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Web addresses read from QR codes in pictures.
    pub qr_links: Vec<String>,
    /// Limits that were hit while reading the message.
    pub limits_hit: Vec<String>,
    /// The original sender when the message forwards another one (see `forward.rs`).
    pub forwarded_from: Option<Sender>,
    /// To and Cc names and addresses, lower-case. Read only by the learned model (`learn.rs`),
    /// to leave out who the mail was sent to; no indicator may key on the recipient.
    pub recipients: Vec<String>,
}

impl Mail {
    /// Visible text of the whole message: subject, plain text and visible HTML text, lower-case.
    pub fn visible_text_lower(&self) -> String {
        let mut all = String::with_capacity(self.text.len() + 256);
        all.push_str(&self.subject);
        all.push(' ');
        all.push_str(&self.text);
        for h in &self.html {
            all.push(' ');
            all.push_str(&h.visible_text);
        }
        let lower = all.to_lowercase();
        // "c\u{34f}a\u{34f}n\u{34f}c\u{34f}e\u{34f}l" reads "cancel" on screen: the reader
        // never sees these characters, so the phrases are matched without them.
        if lower.contains(is_invisible_format) {
            lower.chars().filter(|c| !is_invisible_format(*c)).collect()
        } else {
            lower
        }
    }
}

/// Characters that take no space and show nothing: soft hyphen, combining grapheme joiner,
/// zero-width spaces and joiners, direction marks, word joiner, byte-order mark.
pub(crate) fn is_invisible_format(c: char) -> bool {
    matches!(c as u32, 0x00AD | 0x034F | 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF)
}

/// Parses raw message bytes. Never fails: a message that cannot be parsed at all yields an empty
/// view with a limit noted.
pub fn parse(raw: &[u8]) -> Mail {
    let mut mail = Mail::default();
    let Some(message) = MessageParser::default().parse(raw) else {
        mail.limits_hit
            .push("the message could not be parsed as email".into());
        return mail;
    };
    mail.from =
        Sender::from_address(message.from()).or_else(|| Sender::from_address(message.sender()));
    mail.reply_to = Sender::from_address(message.reply_to());
    for list in [message.to(), message.cc()].into_iter().flatten() {
        for recipient in list.iter().take(100) {
            for part in [recipient.name(), recipient.address()]
                .into_iter()
                .flatten()
            {
                mail.recipients.push(part.to_lowercase());
            }
        }
    }
    mail.return_path = message
        .return_address()
        .map(|a| a.trim_matches(['<', '>', ' ']).to_lowercase());
    mail.subject = message.subject().unwrap_or_default().to_string();
    mail.message_id = message.message_id().map(str::to_string);
    for header in message.headers() {
        if header.name == HeaderName::AuthenticationResults
            && let Some(text) = header.value.as_text()
        {
            mail.auth_results.push(text.to_string());
        }
    }
    collect_parts(&message, &mut mail, 0);
    extract_text_links(&mut mail);
    read_qr_codes(&mut mail);
    read_pdfs(&mut mail);
    mail.forwarded_from =
        crate::forward::forwarded_sender(&mail.subject, &mail.text).or_else(|| {
            mail.html
                .iter()
                .find_map(|h| crate::forward::forwarded_sender(&mail.subject, &h.visible_text))
        });
    mail
}

fn collect_parts(message: &mail_parser::Message<'_>, mail: &mut Mail, depth: usize) {
    if message.parts.len() > MAX_PARTS {
        mail.limits_hit
            .push(format!("more than {MAX_PARTS} MIME parts"));
        return;
    }
    for (index, part) in message.parts.iter().enumerate() {
        let name = part.attachment_name().unwrap_or_default().to_string();
        let disposition_attachment = part
            .content_disposition()
            .is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"));
        let content_type = part
            .content_type()
            .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_lowercase())
            .unwrap_or_default();
        let is_attachment = index > 0 && (!name.is_empty() || disposition_attachment);
        match &part.body {
            PartType::Text(text) if !is_attachment => {
                if !mail.text.is_empty() {
                    mail.text.push('\n');
                }
                mail.text.push_str(text);
            }
            PartType::Html(html_text) if !is_attachment => {
                let facts = html::scan(html_text);
                for anchor in &facts.anchors {
                    mail.links.push(Link {
                        href: anchor.href.clone(),
                        text: Some(anchor.text.clone()),
                    });
                }
                for action in facts.form_actions.iter().filter(|a| !a.is_empty()) {
                    mail.links.push(Link {
                        href: action.clone(),
                        text: None,
                    });
                }
                if let Some(target) = &facts.meta_refresh {
                    mail.links.push(Link {
                        href: target.clone(),
                        text: None,
                    });
                }
                mail.html.push(facts);
            }
            PartType::Text(text) | PartType::Html(text) => mail.attachments.push(Attachment {
                name,
                content_type,
                data: text.as_bytes().to_vec(),
                pdf: None,
            }),
            PartType::Binary(data) | PartType::InlineBinary(data) => {
                mail.attachments.push(Attachment {
                    name,
                    content_type,
                    data: data.to_vec(),
                    pdf: None,
                })
            }
            PartType::Message(inner) => {
                if depth + 1 >= MAX_NESTING {
                    mail.limits_hit
                        .push(format!("messages nested more than {MAX_NESTING} deep"));
                } else {
                    collect_parts(inner, mail, depth + 1);
                }
            }
            PartType::Multipart(_) => {}
        }
    }
}

/// Pictures examined for QR codes per message.
const MAX_QR_PICTURES: usize = 10;

/// Reads QR codes in attached or inline pictures and adds their web addresses as links.
fn read_qr_codes(mail: &mut Mail) {
    let urls: Vec<String> = mail
        .attachments
        .iter()
        .filter(|a| crate::qr::is_picture(&a.data))
        .take(MAX_QR_PICTURES)
        .flat_map(|a| crate::qr::decode_qr_codes(&a.data))
        .filter_map(|text| crate::qr::url_in(&text))
        .collect();
    for url in urls {
        mail.links.push(Link {
            href: url.clone(),
            text: None,
        });
        mail.qr_links.push(url);
    }
}

/// PDF attachments read per message.
const MAX_PDFS: usize = 10;

/// Reads PDF attachments and adds the web addresses their links open to the message's links:
/// a PDF that only carries a link is a common way past filters that check the message alone.
fn read_pdfs(mail: &mut Mail) {
    let mut links = Vec::new();
    for attachment in mail
        .attachments
        .iter_mut()
        .filter(|a| crate::pdf::is_pdf(&a.data))
        .take(MAX_PDFS)
    {
        let facts = crate::pdf::read(&attachment.data);
        links.extend(facts.web_links.iter().cloned());
        attachment.pdf = Some(facts);
    }
    for href in links {
        mail.links.push(Link { href, text: None });
    }
}

/// Adds URLs written as text (`http://`, `https://`, `www.`), in the plain body and in the
/// visible text of HTML bodies: mail programs turn them into links the reader can click.
fn extract_text_links(mail: &mut Mail) {
    let mut found = Vec::new();
    let texts = std::iter::once(mail.text.as_str())
        .chain(mail.html.iter().map(|h| h.visible_text.as_str()));
    for word in texts.flat_map(|text| {
        text.split(|c: char| {
            c.is_whitespace() || matches!(c, '<' | '>' | '"' | '(' | ')' | '[' | ']')
        })
    }) {
        let lower = word.to_ascii_lowercase();
        let url = if lower.starts_with("http://") || lower.starts_with("https://") {
            word.to_string()
        } else if lower.starts_with("www.") {
            format!("http://{word}")
        } else {
            continue;
        };
        let href = url
            .trim_end_matches(['.', ',', ';', ':', '!', '?', '\''])
            .to_string();
        // An anchor's own text ("www.bank.com" over a tracker) is already judged with its link.
        let shown_by_anchor = mail
            .links
            .iter()
            .any(|l| l.text.as_deref().is_some_and(|t| t.contains(word)));
        if shown_by_anchor || found.iter().any(|l: &Link| l.href == href) {
            continue;
        }
        found.push(Link { href, text: None });
        if found.len() >= 500 {
            break;
        }
    }
    mail.links.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_multipart_message() {
        let raw = b"From: \"PayPal\" <service@paypa1-secure.example>\r\nReply-To: x@gmail.com\r\nSubject: Verify your account\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<a href=\"http://198.51.100.23/\">www.paypal.com</a>\r\n--b\r\nContent-Type: application/octet-stream; name=\"invoice.pdf.exe\"\r\nContent-Disposition: attachment; filename=\"invoice.pdf.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n";
        let mail = parse(raw);
        let from = mail.from.clone().unwrap();
        assert_eq!(
            (from.name.as_str(), from.domain.as_str()),
            ("PayPal", "paypa1-secure.example")
        );
        assert_eq!(
            mail.reply_to.map(|r| r.domain).as_deref(),
            Some("gmail.com")
        );
        assert_eq!(mail.links.len(), 1);
        assert_eq!(mail.attachments.len(), 1);
        assert!(mail.attachments[0].data.starts_with(b"MZ"));
    }

    #[test]
    fn web_addresses_written_in_html_text_are_links_once() {
        let raw = b"Subject: x\r\nContent-Type: text/html\r\n\r\n<p>Open https://forms.gle/abc now</p><a href=\"https://t.example/c\">www.bank.example</a>";
        let mail = parse(raw);
        let hrefs: Vec<&str> = mail.links.iter().map(|l| l.href.as_str()).collect();
        assert_eq!(hrefs, ["https://t.example/c", "https://forms.gle/abc"]);
    }

    #[test]
    fn never_fails_on_garbage() {
        for raw in [
            &b""[..],
            b"\x00\xff\xfe",
            b"From:\r\n\r\n",
            b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x\r\n",
        ] {
            let _ = parse(raw);
        }
        let text = parse(b"Subject: hi\r\n\r\nsee www.example.com/a, or https://b.example/x.\r\n");
        assert_eq!(
            text.links
                .iter()
                .map(|l| l.href.as_str())
                .collect::<Vec<_>>(),
            vec!["http://www.example.com/a", "https://b.example/x"]
        );
    }
}
