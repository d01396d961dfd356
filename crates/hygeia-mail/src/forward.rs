//! The original sender of a forwarded message ("---------- Forwarded message ----------",
//! "De: Facebook <security@fb-alerts.example> Enviado: ... Assunto: ..."). Staff forward
//! suspicious mail to the practice's administrator, and phishing arrives as forwards too: the
//! sender that matters is the one in the forwarded header block, not the person who forwarded it.

use crate::message::Sender;

/// Subject prefixes of forwards in the languages of `catalog/mail-lures.toml`.
const FORWARD_PREFIXES: [&str; 6] = ["fw:", "fwd:", "enc:", "wg:", "tr:", "rv:"];

/// Lines mail programs put above a forwarded message.
const FORWARD_MARKERS: [&str; 9] = [
    "forwarded message",
    "original message",
    "mensagem encaminhada",
    "mensaje reenviado",
    "message transféré",
    "weitergeleitete nachricht",
    "doorgestuurd bericht",
    "messaggio inoltrato",
    "início da mensagem encaminhada",
];

/// "From:" in the header block of a forwarded message, as mail programs write it.
const FROM_LABELS: [&str; 7] = ["From:", "De:", "Von:", "Van:", "Da:", "Från:", "Od:"];

/// Labels of the other lines of the header block, which end the From value.
const OTHER_LABELS: [&str; 17] = [
    "Sent:",
    "Date:",
    "Enviado:",
    "Enviada:",
    "Data:",
    "Gesendet:",
    "Datum:",
    "Verzonden:",
    "Inviato:",
    "Envoyé :",
    "Envoyé:",
    "To:",
    "Para:",
    "An:",
    "Aan:",
    "A:",
    "Cc:",
];

/// Labels of the subject line, which must follow for the block to count as a header block.
const SUBJECT_LABELS: [&str; 8] = [
    "Subject:",
    "Assunto:",
    "Asunto:",
    "Betreff:",
    "Onderwerp:",
    "Oggetto:",
    "Objet :",
    "Objet:",
];

/// How far after the From label the subject label may be.
const BLOCK_SPAN: usize = 600;

/// Whether the message presents itself as a forward.
fn is_forward(subject: &str, text: &str) -> bool {
    let subject = subject.trim_start().to_lowercase();
    if FORWARD_PREFIXES.iter().any(|p| subject.starts_with(p)) {
        return true;
    }
    let head: String = text.chars().take(4_000).collect::<String>().to_lowercase();
    FORWARD_MARKERS.iter().any(|m| head.contains(m))
}

/// The sender of the forwarded message in `text`, when the message is a forward and the
/// header block names an address.
pub fn forwarded_sender(subject: &str, text: &str) -> Option<Sender> {
    if !is_forward(subject, text) {
        return None;
    }
    for label in FROM_LABELS {
        let mut start = 0;
        while let Some(found) = text[start..].find(label) {
            let at = start + found;
            start = at + label.len();
            // The label starts a line or follows a space or a bold marker.
            let starts_field = text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| c.is_whitespace() || c == '*' || c == '>');
            if !starts_field {
                continue;
            }
            let value_start = at + label.len();
            let mut block_end = (value_start + BLOCK_SPAN).min(text.len());
            while !text.is_char_boundary(block_end) {
                block_end -= 1;
            }
            let block = &text[value_start..block_end];
            if !SUBJECT_LABELS.iter().any(|s| block.contains(s)) {
                continue;
            }
            let value_end = OTHER_LABELS
                .iter()
                .chain(SUBJECT_LABELS.iter())
                .filter_map(|next| block.find(next))
                .chain(block.find('\n'))
                .min()
                .unwrap_or(block.len());
            if let Some(sender) = parse_sender(&block[..value_end]) {
                return Some(sender);
            }
        }
    }
    None
}

/// `Name <address>`, `Name [mailto:address]`, `"Name" address` or a bare address.
fn parse_sender(value: &str) -> Option<Sender> {
    let value = value.trim().trim_matches('*').trim();
    let (name, address) = if let Some((name, rest)) = value.split_once('<') {
        (name, rest.split('>').next().unwrap_or(rest))
    } else if let Some((name, rest)) = value.split_once("[mailto:") {
        (name, rest.split(']').next().unwrap_or(rest))
    } else {
        let address = value
            .split_whitespace()
            .find(|w| w.contains('@'))
            .unwrap_or("");
        (value.strip_suffix(address).unwrap_or(""), address)
    };
    let address = address
        .trim()
        .trim_matches(|c: char| "\"'*()[]".contains(c));
    let (local, domain) = address.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() || address.contains(char::is_whitespace) {
        return None;
    }
    Some(Sender {
        name: name
            .trim()
            .trim_matches(|c: char| c == '"' || c == '\'' || c == '*')
            .trim()
            .to_string(),
        address: address.to_string(),
        domain: domain.to_lowercase(),
        name_split_from_address: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_original_sender_of_forwards() {
        let outlook = "Please look at this.\n\n________________________________\nDe: Facebook <security@fb-alerts.example>\nEnviado: terça-feira, 10 de janeiro de 2023 21:48\nPara: Dr Lee <dr.lee@clinic.example>\nAssunto: Someone tried to log in\n";
        let sender = forwarded_sender("ENC: Someone tried to log in", outlook);
        assert_eq!(
            sender.map(|s| (s.name, s.address, s.domain)),
            Some((
                "Facebook".to_string(),
                "security@fb-alerts.example".to_string(),
                "fb-alerts.example".to_string()
            ))
        );
        let gmail = "---------- Forwarded message ---------\nFrom: PayPal Service <service@paypal-check.example>\nDate: Mon, 1 Jan 2024\nSubject: Your account\nTo: <me@clinic.example>\n";
        assert_eq!(
            forwarded_sender("Fwd: Your account", gmail).map(|s| s.address),
            Some("service@paypal-check.example".to_string())
        );
        let mailto = "From: IT Desk [mailto:it@helpdesk-mail.example] Sent: Monday Subject: quota";
        assert_eq!(
            forwarded_sender("FW: quota", mailto).map(|s| s.name),
            Some("IT Desk".to_string())
        );
    }

    #[test]
    fn ordinary_messages_and_nameless_blocks_have_no_forwarded_sender() {
        assert!(forwarded_sender("Lunch", "From: Alice <a@clinic.example>\nSubject: x").is_none());
        assert!(forwarded_sender("Fw: hello", "De: Ambassador Kelapile\nAssunto: hi").is_none());
        assert!(forwarded_sender("Fw: hello", "").is_none());
    }
}
