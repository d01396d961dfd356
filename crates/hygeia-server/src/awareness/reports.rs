//! The practice's report mailbox: people forward suspicious messages there, and a forwarded
//! simulation counts as reported. The server reads the folder with hygeia mail's read-only
//! IMAP client (EXAMINE and BODY.PEEK: no flag changes) every `Settings::report_mailbox_every`,
//! looking at the last 7 days, and finds the simulation's link token in the forwarded message
//! (as an attachment, inline, quoted-printable or base64).

use super::storage::{self, Event, TOKEN_PREFIX};
use crate::state::AppState;
use hygeia_mail::imap::{ImapConfig, Security};
use sqlx::Row;
use std::collections::BTreeSet;
use std::time::Duration;

/// Days of mail looked at on each reading.
const DAYS_BACK: i64 = 7;

/// Largest message read in full.
const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

/// Hex digits after the prefix of a link token.
const TOKEN_HEX: usize = 64;

/// The simulation link tokens in a message: in its raw text, in its raw text with
/// quoted-printable line breaks undone, and in every decoded text part, attached messages
/// included.
pub fn tokens_in(message: &[u8]) -> BTreeSet<String> {
    let mut texts: Vec<String> = Vec::new();
    let raw = String::from_utf8_lossy(message).into_owned();
    texts.push(raw.replace("=\r\n", "").replace("=\n", ""));
    texts.push(raw);
    if let Some(parsed) = mail_parser::MessageParser::default().parse(message) {
        collect_texts(&parsed, &mut texts, 0);
    }
    let mut found = BTreeSet::new();
    for text in &texts {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(TOKEN_PREFIX) {
            let candidate = &rest[at..];
            let hex: String = candidate[TOKEN_PREFIX.len()..]
                .chars()
                .take_while(char::is_ascii_hexdigit)
                .collect();
            if hex.len() == TOKEN_HEX {
                found.insert(format!("{TOKEN_PREFIX}{}", hex.to_ascii_lowercase()));
            }
            rest = &candidate[TOKEN_PREFIX.len()..];
        }
    }
    found
}

/// Forwarded messages nest; a hostile one could nest without end.
const MAX_NESTING: usize = 8;

fn collect_texts(message: &mail_parser::Message<'_>, texts: &mut Vec<String>, depth: usize) {
    if depth > MAX_NESTING {
        return;
    }
    for part in &message.parts {
        match &part.body {
            mail_parser::PartType::Text(text) | mail_parser::PartType::Html(text) => {
                texts.push(text.to_string())
            }
            mail_parser::PartType::Message(inner) => collect_texts(inner, texts, depth + 1),
            _ => {}
        }
    }
}

/// A report mailbox as stored.
struct Mailbox {
    practice_id: i64,
    config: ImapConfig,
}

async fn mailboxes(state: &AppState) -> Result<Vec<Mailbox>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT practice_id, host, port, security, username, password_sealed, folder FROM report_mailboxes",
    )
    .fetch_all(&state.db.read)
    .await?;
    let since = time::OffsetDateTime::now_utc() - time::Duration::days(DAYS_BACK);
    let since = format!(
        "{:04}-{:02}-{:02}",
        since.year(),
        u8::from(since.month()),
        since.day()
    );
    let mut found = Vec::new();
    for row in rows {
        let sealed: String = row.try_get("password_sealed")?;
        // A password sealed with another key (a restored database) cannot be opened: skipped,
        // and the page says to enter it again.
        let Some(password) = state.settings.sealing_key.open(&sealed) else {
            continue;
        };
        let security = match row.try_get::<String, _>("security")?.as_str() {
            "starttls" => Security::StartTls,
            _ => Security::Tls,
        };
        found.push(Mailbox {
            practice_id: row.try_get("practice_id")?,
            config: ImapConfig {
                host: row.try_get("host")?,
                port: u16::try_from(row.try_get::<i64, _>("port")?).unwrap_or(993),
                user: row.try_get("username")?,
                password,
                folder: row.try_get("folder")?,
                since: Some(since.clone()),
                security,
                ca_file: state.settings.mail_ca.clone(),
                max_message_bytes: MAX_MESSAGE_BYTES,
                timeout: Duration::from_secs(20),
            },
        });
    }
    Ok(found)
}

/// Reads every practice's report mailbox once; returns the reports newly counted.
pub async fn read_reports(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut counted = 0;
    for mailbox in mailboxes(state).await? {
        let config = mailbox.config.clone();
        let read = tokio::task::spawn_blocking(move || {
            let mut tokens = BTreeSet::new();
            hygeia_mail::imap::read_mailbox(&config, &mut |_, bytes, _| {
                tokens.extend(tokens_in(&bytes))
            })
            .map(|_| tokens)
            .map_err(|e| e.to_string())
        })
        .await
        .unwrap_or_else(|e| Err(format!("the reader stopped: {e}")));
        let mut tx = state.db.write.begin().await?;
        let error = match read {
            Ok(tokens) => {
                for token in tokens {
                    let Some(owner) = storage::link_owner(&mut tx, &token).await? else {
                        continue;
                    };
                    // Only the practice's own simulations count in its mailbox.
                    if owner.practice_id == mailbox.practice_id
                        && storage::record(
                            &mut tx,
                            owner.campaign_id,
                            owner.user_id,
                            Event::Reported,
                        )
                        .await?
                    {
                        counted += 1;
                    }
                }
                None
            }
            Err(error) => {
                eprintln!(
                    "hygeia serve: the report mailbox of practice {} could not be read: {error}",
                    mailbox.practice_id
                );
                Some(error)
            }
        };
        sqlx::query(
            "UPDATE report_mailboxes SET checked_at = $1, last_error = $2 WHERE practice_id = $3",
        )
        .bind(crate::db::now())
        .bind(error.map(|e| e.chars().take(500).collect::<String>()))
        .bind(mailbox.practice_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(counted)
}

/// The loop `hygeia serve` runs.
pub async fn schedule(state: AppState) {
    loop {
        if let Err(error) = read_reports(&state).await {
            eprintln!("hygeia serve: reading the report mailboxes failed: {error}");
        }
        tokio::time::sleep(state.settings.report_mailbox_every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "hys_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_token_is_found_inline_in_quoted_printable_and_in_an_attached_message() {
        let inline = format!("Subject: Fwd\r\n\r\nSee https://h.example/s/{TOKEN} please\r\n");
        assert!(tokens_in(inline.as_bytes()).contains(TOKEN));
        // Quoted-printable cuts long lines with "=" at the end.
        let (a, b) = TOKEN.split_at(30);
        let qp = format!(
            "Subject: Fwd\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nhttps://h.example/s/{a}=\r\n{b}\r\n"
        );
        assert!(tokens_in(qp.as_bytes()).contains(TOKEN));
        // Forwarded as an attachment whose text is base64.
        use base64::Engine;
        let inner_body = base64::engine::general_purpose::STANDARD
            .encode(format!("Click https://h.example/s/{TOKEN}"));
        let attached = format!(
            "Subject: Fwd: invoice\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPhishing?\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: Overdue invoice\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n{inner_body}\r\n--b--\r\n"
        );
        assert_eq!(
            tokens_in(attached.as_bytes()),
            BTreeSet::from([TOKEN.to_string()])
        );
        // Too short, or not hex: not a token.
        assert!(tokens_in(b"hys_0123 and hys_zzzz").is_empty());
    }
}
