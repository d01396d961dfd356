//! `hygeia mail`: explainable phishing and ransomware-lure triage. Messages come from files,
//! folders, mbox files, Maildir folders or standard input ([`source`]); each is parsed
//! ([`message`]), examined by small named indicators ([`indicators`]) and given a verdict with
//! the reasons.

pub mod archive;
pub mod batch;
pub mod catalog;
#[cfg(feature = "verify-dns")]
pub mod dnsauth;
pub mod forward;
pub mod html;
#[cfg(feature = "imap")]
pub mod imap;
pub mod indicators;
pub mod learn;
pub mod message;
pub mod pdf;
pub mod qr;
pub mod source;
pub mod tally;
pub mod url;
pub mod weights;

pub use catalog::MailCatalog;
pub use indicators::{Context, Indicator, SenderVerifier, Settings, live_verifier};

use serde::Serialize;

/// Score at or above which a message is `phishing`.
pub const PHISHING_SCORE: f32 = 6.0;
/// Score at or above which a message is `suspicious`.
pub const SUSPICIOUS_SCORE: f32 = 3.0;

/// The outcome for one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No meaningful evidence.
    Clean,
    /// Some evidence: look twice before clicking or opening.
    Suspicious,
    /// Strong evidence of phishing or a malware lure.
    Phishing,
}

impl Verdict {
    /// The identifier used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Suspicious => "suspicious",
            Verdict::Phishing => "phishing",
        }
    }
}

/// The analysis of one message.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Message-ID header.
    pub message_id: Option<String>,
    /// From, for people.
    pub from: String,
    /// Subject.
    pub subject: String,
    /// Verdict.
    pub verdict: Verdict,
    /// Sum of the indicator weights.
    pub score: f32,
    /// The evidence, strongest first.
    pub indicators: Vec<Indicator>,
}

/// [`analyze`], but a bug in an indicator becomes a `suspicious` verdict for that message
/// instead of ending the whole scan.
pub fn analyze_guarded(raw: &[u8], over_size_limit: Option<usize>, context: &Context) -> Analysis {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze(raw, over_size_limit, context))).unwrap_or_else(|_| Analysis {
        message_id: None,
        from: String::new(),
        subject: String::new(),
        verdict: Verdict::Suspicious,
        score: SUSPICIOUS_SCORE,
        indicators: vec![Indicator::new(
            "internal.error",
            SUSPICIOUS_SCORE,
            "Hygeia hit an internal error while examining this message; treat it with care and please report it.",
            String::new(),
        )],
    })
}

/// Analyses one raw message. `over_size_limit` marks a message that was cut at the size limit.
pub fn analyze(raw: &[u8], over_size_limit: Option<usize>, context: &Context) -> Analysis {
    let mail = message::parse(raw);
    let mut found = indicators::all(&mail, context);
    // The receiving server's own results, taken at delivery, come before today's DNS.
    if let Some(verifier) = context.verifier
        && !found.iter().any(|f| f.id == "sender.authentication-failed")
    {
        found.extend(verifier.verify(raw));
    }
    if let Some(limit) = over_size_limit {
        found.push(Indicator::new(
            "limit.size",
            SUSPICIOUS_SCORE,
            format!(
                "The message is larger than {} MB and was only partly examined.",
                limit / (1024 * 1024)
            ),
            format!("limit {limit} bytes"),
        ));
    }
    found.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let score = (found.iter().map(|i| i.weight).sum::<f32>() * 10.0).round() / 10.0;
    let verdict = if score >= PHISHING_SCORE {
        Verdict::Phishing
    } else if score >= SUSPICIOUS_SCORE {
        Verdict::Suspicious
    } else {
        Verdict::Clean
    };
    Analysis {
        message_id: mail.message_id.clone(),
        from: mail.from.as_ref().map(|f| f.display()).unwrap_or_default(),
        subject: mail.subject.clone(),
        verdict,
        score,
        indicators: found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(raw: &[u8]) -> Analysis {
        let catalog = MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        let settings = Settings::default();
        analyze(
            raw,
            None,
            &Context {
                catalog: &catalog,
                settings: &settings,
                verifier: None,
            },
        )
    }

    #[test]
    fn classic_phish_is_phishing() {
        let raw = b"From: \"PayPal Security\" <alert@paypal-secure-check.example>\r\nSubject: Your account has been limited\r\nContent-Type: text/html\r\n\r\n<p>We noticed unusual activity. Please verify your account within 24 hours or it will be suspended.</p><a href=\"http://198.51.100.23/pp/login\">https://www.paypal.com/signin</a>";
        let analysis = run(raw);
        assert_eq!(analysis.verdict, Verdict::Phishing, "{analysis:#?}");
        let ids: Vec<&str> = analysis.indicators.iter().map(|i| i.id).collect();
        for id in [
            "sender.brand-impersonation",
            "link.text-mismatch",
            "link.ip-address",
            "content.credential-request",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
    }

    #[test]
    fn ordinary_mail_is_clean() {
        let raw = b"From: Alice <alice@clinic.example>\r\nTo: bob@clinic.example\r\nSubject: Lunch on Friday?\r\n\r\nAre you free for lunch on Friday? The menu is at http://www.bistro.example/menu\r\n";
        let analysis = run(raw);
        assert_eq!(analysis.verdict, Verdict::Clean, "{analysis:#?}");
    }

    #[test]
    fn newsletter_through_a_click_tracker_is_clean() {
        let raw = b"From: Example News <news@example-news.example>\r\nSubject: This week\r\nContent-Type: text/html\r\n\r\n<p>Read more at <a href=\"https://us1.list-manage.com/track/click?u=1&id=2\">www.example-news.example</a></p>";
        assert_eq!(run(raw).verdict, Verdict::Clean);
    }
}
