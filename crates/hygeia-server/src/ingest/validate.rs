//! Checks a `hygeia.check/1` report before anything of it is stored: its schema, its clock, its
//! size and every text field; keeps only the controls this server's catalog knows.

use hygeia_core::model::Platform;
use hygeia_core::report::{ReadError, Report};
use std::fmt::Write as _;

/// The report schema this server accepts.
pub const ACCEPTED_SCHEMA: &str = hygeia_core::report::REPORT_SCHEMA;
/// Controls per report at most (the catalog has about fifty).
const MAX_CONTROLS: usize = 1_000;
/// Reports dated further ahead than this are refused: the agent's clock is wrong.
const MAX_CLOCK_AHEAD_SECONDS: i64 = 24 * 3600;
/// Reports older than this are refused: the agent queues at most about a month of reports, so
/// anything older is a wrong clock or an attempt to rewrite history.
const MAX_AGE_SECONDS: i64 = 45 * 24 * 3600;

/// Text an agent sends, checked before it is stored: no control characters (PostgreSQL refuses
/// U+0000, and terminal escapes or line breaks would forge lines in logs and exports), at most
/// `max` characters. `multiline` allows line breaks and tabs (a reason, a note).
pub fn agent_text(field: &str, value: &str, max: usize, multiline: bool) -> Result<String, String> {
    let allowed = |c: char| !c.is_control() || (multiline && (c == '\n' || c == '\t'));
    if let Some(bad) = value.chars().find(|c| !allowed(*c)) {
        return Err(format!(
            "{field} contains the control character U+{:04X}; send plain text",
            u32::from(bad)
        ));
    }
    Ok(value.chars().take(max).collect())
}

/// The control ids of the catalog this server knows.
fn known_control(id: &str) -> bool {
    static KNOWN: std::sync::OnceLock<Option<std::collections::HashSet<String>>> =
        std::sync::OnceLock::new();
    let known = KNOWN.get_or_init(|| {
        hygeia_core::Catalog::builtin()
            .ok()
            .map(|c| c.controls.iter().map(|c| c.id.clone()).collect())
    });
    known.as_ref().is_none_or(|ids| ids.contains(id))
}

/// Why a report was refused, in words for the agent's log.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Invalid {
    /// Not JSON or not the expected shape.
    #[error("the report is not a valid hygeia.check/1 document: {0}")]
    Malformed(String),
    /// Another schema.
    #[error(
        "the report has schema {0:?}; this server accepts {ACCEPTED_SCHEMA:?} (update the agent or the server so they match)"
    )]
    Schema(String),
    /// Something inside is out of range.
    #[error("the report cannot be stored: {0}")]
    Content(String),
}

/// A report that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReport {
    /// Host name the agent reported.
    pub hostname: String,
    /// `linux`, `macos`, `windows`.
    pub platform: &'static str,
    /// Operating system for people.
    pub os: String,
    /// When the facts were collected (Unix seconds).
    pub collected_at: i64,
    /// One per control, sorted by id.
    pub results: Vec<ControlOutcome>,
    /// SHA-256 over the sorted (id, status, severity, answer time) rows: equal results, equal
    /// hash.
    pub results_hash: String,
}

/// One control's result as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlOutcome {
    /// `HY-PC-001`.
    pub control_id: String,
    /// `pass`, `fail`, ...
    pub status: &'static str,
    /// `low` ... `critical`.
    pub severity: &'static str,
    /// The finding's sentence.
    pub reason: String,
    /// The person's answer, for attested controls.
    pub attestation: Option<AttestationAnswer>,
}

/// What a person declared about a control (`hygeia attest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationAnswer {
    /// Yes, it is in place; or no.
    pub answer: bool,
    /// Who answered.
    pub by: String,
    /// When (Unix seconds).
    pub at: i64,
    /// Their note.
    pub note: String,
}

fn valid_control_id(id: &str) -> bool {
    (3..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

fn parse_time(text: &str, what: &str) -> Result<i64, Invalid> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|_| {
            Invalid::Content(format!(
                "{what} {:?} is not an RFC 3339 time",
                text.chars().take(40).collect::<String>()
            ))
        })
}

/// SHA-256 over the sorted (id, status, severity, answer time) rows: equal results, equal hash.
pub fn results_hash(results: &[ControlOutcome]) -> String {
    let mut canonical = String::new();
    for r in results {
        let _ = write!(canonical, "{}\t{}\t{}", r.control_id, r.status, r.severity);
        // A renewed answer is news even when the status stays the same.
        if let Some(a) = &r.attestation {
            let _ = write!(canonical, "\t{}\t{}", a.answer, a.at);
        }
        canonical.push('\n');
    }
    crate::secrets::sha256_hex(canonical.as_bytes())
}

/// Checks a report body; `now` is the server's clock (Unix seconds).
pub fn validate(body: &[u8], now: i64) -> Result<ValidReport, Invalid> {
    // The same type `hygeia check --format json` writes.
    let document = Report::from_json(body).map_err(|e| match e {
        ReadError::Malformed(message) => Invalid::Malformed(message),
        ReadError::Schema(schema) => Invalid::Schema(schema),
    })?;
    if document.controls.is_empty() {
        return Err(Invalid::Content("it lists no controls".into()));
    }
    if document.controls.len() > MAX_CONTROLS {
        return Err(Invalid::Content(format!(
            "it lists {} controls, more than the {MAX_CONTROLS} accepted",
            document.controls.len()
        )));
    }
    let collected_at = parse_time(&document.host.collected_at, "host.collected_at")?;
    if collected_at > now + MAX_CLOCK_AHEAD_SECONDS {
        return Err(Invalid::Content(
            "host.collected_at is more than a day in the future; set the computer's clock".into(),
        ));
    }
    if collected_at < now - MAX_AGE_SECONDS {
        return Err(Invalid::Content(format!(
            "host.collected_at is more than {} days in the past; only recent reports are taken",
            MAX_AGE_SECONDS / 86_400
        )));
    }
    let text = |field: &str, value: &str, max: usize, multiline: bool| {
        agent_text(field, value, max, multiline).map_err(Invalid::Content)
    };
    let hostname = text("host.hostname", &document.host.hostname, 255, false)?;
    let os = text("host.os", &document.host.os, 255, false)?;
    let mut results = Vec::with_capacity(document.controls.len());
    for control in document.controls {
        if !valid_control_id(&control.id) {
            return Err(Invalid::Content(format!(
                "control id {:?} is not a control id (upper-case letters, digits and hyphens)",
                control.id.chars().take(40).collect::<String>()
            )));
        }
        // A control this server's catalog does not know (a newer agent) is left out, not
        // stored: the dashboard could not name it, and free-form ids would let one agent grow
        // the tables without bound.
        if !known_control(&control.id) {
            continue;
        }
        let attestation = match control.attestation {
            None => None,
            Some(a) => Some(AttestationAnswer {
                answer: a.answer,
                by: text("an attestation's by", &a.by, 255, false)?,
                at: parse_time(&a.at, "an attestation's time")?,
                note: text(
                    "an attestation's note",
                    a.note.as_deref().unwrap_or_default(),
                    1_000,
                    true,
                )?,
            }),
        };
        results.push(ControlOutcome {
            reason: text(
                &format!("the reason of {}", control.id),
                &control.reason,
                2_000,
                true,
            )?,
            control_id: control.id,
            status: control.status.as_str(),
            severity: control.severity.as_str(),
            attestation,
        });
    }
    if results.is_empty() {
        return Err(Invalid::Content(
            "it lists no control this server knows; update the server".into(),
        ));
    }
    results.sort_by(|a, b| a.control_id.cmp(&b.control_id));
    if results
        .windows(2)
        .any(|w| w[0].control_id == w[1].control_id)
    {
        return Err(Invalid::Content("a control is listed twice".into()));
    }
    let results_hash = results_hash(&results);
    Ok(ValidReport {
        hostname,
        platform: match document.host.platform {
            Platform::Linux => "linux",
            Platform::Macos => "macos",
            Platform::Windows => "windows",
        },
        os,
        collected_at,
        results,
        results_hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(statuses: &[(&str, &str)]) -> String {
        let controls: Vec<String> = statuses
            .iter()
            .map(|(id, status)| {
                format!(
                    r#"{{"id":"{id}","title":"t","area":"computer","status":"{status}","severity":"high","evidence":[],"measured":"automatic","why":"w","hicp":"h","csf":"c","hipaa":"p","fix":"f","reason":"r"}}"#
                )
            })
            .collect();
        format!(
            r#"{{"schema":"hygeia.check/1","generated_at":"2026-11-28T10:00:01Z","host":{{"hostname":"pc1","platform":"linux","os":"Debian","user":"u","source":"live","collected_at":"2026-11-28T10:00:00Z"}},"controls":[{}]}}"#,
            controls.join(",")
        )
    }

    #[test]
    fn equal_results_hash_equally_whatever_the_order() {
        let now = 1_795_870_000;
        let a = validate(
            report(&[("HY-PC-001", "pass"), ("HY-PC-002", "fail")]).as_bytes(),
            now,
        );
        let b = validate(
            report(&[("HY-PC-002", "fail"), ("HY-PC-001", "pass")]).as_bytes(),
            now,
        );
        let c = validate(
            report(&[("HY-PC-002", "pass"), ("HY-PC-001", "pass")]).as_bytes(),
            now,
        );
        let (Ok(a), Ok(b), Ok(c)) = (a, b, c) else {
            panic!("valid reports refused");
        };
        assert_eq!(a.results_hash, b.results_hash);
        assert_ne!(a.results_hash, c.results_hash);
        assert_eq!(a.collected_at, 1_795_860_000);
    }

    #[test]
    fn answers_are_read_and_a_renewed_answer_is_news() {
        let now = 1_795_870_000;
        let with = |at: &str| {
            report(&[("HY-EM-001", "attested")]).replace(
                r#""reason":"r"}"#,
                &format!(
                    r#""reason":"r","attestation":{{"answer":true,"by":"dr.lee","at":"{at}","note":"app"}}}}"#
                ),
            )
        };
        let first = validate(with("2026-11-01T09:00:00Z").as_bytes(), now);
        let renewed = validate(with("2026-11-20T09:00:00Z").as_bytes(), now);
        let (Ok(first), Ok(renewed)) = (first, renewed) else {
            panic!("valid reports refused");
        };
        let answer = first.results[0].attestation.clone();
        assert_eq!(
            answer,
            Some(AttestationAnswer {
                answer: true,
                by: "dr.lee".into(),
                at: 1_793_523_600,
                note: "app".into()
            })
        );
        assert_ne!(first.results_hash, renewed.results_hash);
        match validate(with("last Tuesday").as_bytes(), now) {
            Err(Invalid::Content(why)) => assert!(why.contains("attestation's time"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_reports_are_refused_with_a_reason() {
        let now = 1_795_870_000;
        assert!(matches!(
            validate(b"{not json", now),
            Err(Invalid::Malformed(_))
        ));
        assert!(matches!(
            validate(report(&[]).replace("hygeia.check/1", "hygeia.check/9").as_bytes(), now),
            Err(Invalid::Schema(s)) if s == "hygeia.check/9"
        ));
        assert!(matches!(
            validate(report(&[]).as_bytes(), now),
            Err(Invalid::Content(_))
        ));
        assert!(matches!(
            validate(report(&[("HY-PC-001", "sort-of")]).as_bytes(), now),
            Err(Invalid::Malformed(_))
        ));
        assert!(matches!(
            validate(report(&[("x'; DROP TABLE hosts", "pass")]).as_bytes(), now),
            Err(Invalid::Content(_))
        ));
        assert!(matches!(
            validate(
                report(&[("HY-PC-001", "pass"), ("HY-PC-001", "fail")]).as_bytes(),
                now
            ),
            Err(Invalid::Content(_))
        ));
        let future = report(&[("HY-PC-001", "pass")]).replace("2026-11-28", "2031-01-01");
        assert!(matches!(
            validate(future.as_bytes(), now),
            Err(Invalid::Content(_))
        ));
        let backdated = report(&[("HY-PC-001", "pass")]).replace("2026-11-28", "2020-01-01");
        assert!(matches!(
            validate(backdated.as_bytes(), now),
            Err(Invalid::Content(why)) if why.contains("in the past")
        ));
    }

    #[test]
    fn control_characters_are_refused_and_unknown_controls_left_out() {
        let now = 1_795_870_000;
        let nul = report(&[("HY-PC-001", "pass")]).replace("pc1", "pc\\u0000one");
        match validate(nul.as_bytes(), now) {
            Err(Invalid::Content(why)) => assert!(why.contains("U+0000"), "{why}"),
            other => panic!("{other:?}"),
        }
        let escape = report(&[("HY-PC-001", "pass")]).replace(r#""r""#, r#""\u001b[2J""#);
        assert!(matches!(
            validate(escape.as_bytes(), now),
            Err(Invalid::Content(_))
        ));
        let lines = report(&[("HY-PC-001", "pass")]).replace(r#""r""#, r#""one\ntwo""#);
        assert!(validate(lines.as_bytes(), now).is_ok());
        let mixed = validate(
            report(&[("HY-PC-001", "pass"), ("HY-ZZ-999", "fail")]).as_bytes(),
            now,
        );
        let Ok(mixed) = mixed else {
            panic!("a report with one unknown control was refused");
        };
        assert_eq!(mixed.results.len(), 1);
        assert!(matches!(
            validate(report(&[("HY-ZZ-999", "fail")]).as_bytes(), now),
            Err(Invalid::Content(_))
        ));
    }
}
