//! Indicators: small named functions that each look at one parsed message and return evidence
//! with a weight and a sentence a clinician understands. `docs/mail-indicators.md` lists them.

pub mod attachments;
pub mod content;
pub mod learned;
pub mod links;
pub mod sender;

use crate::catalog::MailCatalog;
use crate::message::Mail;
use crate::weights::weight;
use serde::Serialize;

/// One piece of evidence about a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Stable identifier, e.g. `link.text-mismatch`.
    pub id: &'static str,
    /// Contribution to the score.
    pub weight: f32,
    /// One plain sentence.
    pub explanation: String,
    /// The exact thing seen (an address, a URL, a file name).
    pub evidence: String,
}

impl Indicator {
    /// A new indicator.
    pub fn new(
        id: &'static str,
        weight: f32,
        explanation: impl Into<String>,
        evidence: impl Into<String>,
    ) -> Indicator {
        Indicator {
            id,
            weight,
            explanation: explanation.into(),
            evidence: evidence.into(),
        }
    }
}

/// Options from the command line.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The practice's own domains (`--protect`), lower-case.
    pub protected: Vec<String>,
    /// Receiving servers whose Authentication-Results are trusted (`--trusted-authserv`).
    pub trusted_authserv: Vec<String>,
    /// A model trained on the practice's own labelled mail (`--model`), when given.
    pub model: Option<std::sync::Arc<crate::learn::Model>>,
}

impl Settings {
    /// Settings from what a person typed: domains trimmed, without a leading `@`, lower-case;
    /// the model at `model_path` loaded and refused when it was trained on too few messages.
    pub fn from_options(
        protect: &[String],
        trusted_authserv: &[String],
        model_path: Option<&std::path::Path>,
    ) -> Result<Settings, String> {
        let lower = |v: &[String]| {
            v.iter()
                .map(|d| d.trim().trim_start_matches('@').to_lowercase())
                .filter(|d| !d.is_empty())
                .collect()
        };
        let model = match model_path {
            Some(path) => {
                let model = crate::learn::Model::load(path)?;
                if !model.is_trained() {
                    return Err(format!(
                        "{} was trained on too few messages; train it with at least {min} phishing and {min} legitimate ones",
                        path.display(),
                        min = crate::learn::MIN_TRAINING_MESSAGES
                    ));
                }
                Some(std::sync::Arc::new(model))
            }
            None => None,
        };
        Ok(Settings {
            protected: lower(protect),
            trusted_authserv: lower(trusted_authserv),
            model,
        })
    }
}

/// What every indicator may read besides the message.
pub struct Context<'a> {
    /// Brands, link services, lures.
    pub catalog: &'a MailCatalog,
    /// Command-line options.
    pub settings: &'a Settings,
    /// Live checks of the sender (`--verify-dns`), when asked for.
    pub verifier: Option<&'a dyn SenderVerifier>,
}

/// The live sender checks `--verify-dns` asks for (none without the flag). A build without
/// the `verify-dns` feature says so instead of checking nothing.
pub fn live_verifier(wanted: bool) -> Result<Option<Box<dyn SenderVerifier>>, String> {
    if !wanted {
        return Ok(None);
    }
    #[cfg(feature = "verify-dns")]
    {
        crate::dnsauth::DnsVerifier::system()
            .map(|v| Some(Box::new(v) as Box<dyn SenderVerifier>))
            .map_err(|e| {
                format!("{e}. Check this computer's DNS settings, or run without --verify-dns.")
            })
    }
    #[cfg(not(feature = "verify-dns"))]
    Err("this build of hygeia cannot check senders in DNS (it was built without the verify-dns feature)".into())
}

/// Checks a message's sender against live data, such as SPF, DKIM and DMARC records in DNS.
pub trait SenderVerifier: Sync {
    /// Indicators for the raw message; none when nothing could be concluded.
    fn verify(&self, raw: &[u8]) -> Vec<Indicator>;

    /// A sentence for the reader about checks that could not be made, if any ("DNS could not be
    /// reached for 12 messages").
    fn shortfall(&self) -> Option<String> {
        None
    }
}

/// The sender checks, run again on the original sender of a forwarded message (a staff member
/// forwarding a suspicious message, or phishing dressed as a forward). An indicator the outer
/// sender already showed is not counted twice.
fn forwarded_sender(mail: &Mail, context: &Context, found: &mut Vec<Indicator>) {
    let Some(original) = &mail.forwarded_from else {
        return;
    };
    if mail
        .from
        .as_ref()
        .is_some_and(|f| f.address.eq_ignore_ascii_case(&original.address))
    {
        return;
    }
    let inner = Mail {
        from: Some(original.clone()),
        ..Mail::default()
    };
    let mut inner_found = Vec::new();
    sender::check(&inner, context, &mut inner_found);
    for indicator in inner_found {
        if found.iter().any(|f| f.id == indicator.id) {
            continue;
        }
        found.push(Indicator {
            explanation: format!("In the forwarded message: {}", indicator.explanation),
            ..indicator
        });
    }
}

/// One step of the analysis: it adds the indicators of one area, or combines what the steps
/// before it found into stronger evidence.
pub type Step = fn(&Mail, &Context, &mut Vec<Indicator>);

/// The steps, in order, with a name for people. The first six look at one part of the message
/// each; the last three combine their findings. A new indicator goes into the step of its area;
/// its weight goes into `catalog/mail-indicators.toml`.
pub const STEPS: [(&str, Step); 9] = [
    ("sender", sender::check),
    ("original sender of a forward", forwarded_sender),
    ("links", links::check),
    ("content", content::check),
    ("attachments", attachments_step),
    ("the practice's own model", learned::check),
    ("a form with a request or a brand", form_with_request),
    ("a brand's request that links elsewhere", off_brand_request),
    ("safety limits", limits_exceeded),
];

/// Runs every step.
pub fn all(mail: &Mail, context: &Context) -> Vec<Indicator> {
    let mut found = Vec::new();
    for (_, step) in STEPS {
        step(mail, context, &mut found);
    }
    found
}

fn attachments_step(mail: &Mail, _: &Context, found: &mut Vec<Indicator>) {
    attachments::check(mail, found);
}

/// A form in the body matters when the message asks for credentials or claims a brand;
/// newsletters embed harmless search forms.
fn form_with_request(mail: &Mail, context: &Context, found: &mut Vec<Indicator>) {
    let asks = found.iter().any(|f| f.id == "content.credential-request");
    let form = mail
        .html
        .iter()
        .flat_map(|h| h.form_actions.iter())
        .find(|a| a.starts_with("http"));
    if let Some(action) = form
        && (asks || links::claimed_brand(mail, context).is_some())
    {
        found.push(Indicator::new(
            "body.form",
            weight("body.form"),
            "The message contains a form that sends what you type straight to a website.",
            action.clone(),
        ));
    }
}

/// The core pattern: a message that claims to be a brand and asks the reader to act, with a
/// link that leaves the brand's own domains.
fn off_brand_request(mail: &Mail, context: &Context, found: &mut Vec<Indicator>) {
    let asks = found.iter().any(|f| f.id == "content.credential-request");
    // A brand's lure or a brand's picture-only message does its asking too.
    let acts = asks
        || found.iter().any(|f| {
            matches!(
                f.id,
                "link.ip-address" | "content.lure" | "content.image-only"
            )
        });
    // A brand never hosts its pages on free hosting: a brand's message linking there acts too.
    let free_hosting = found.iter().any(|f| f.id == "link.free-hosting");
    let claimed = links::claimed_brand(mail, context);
    let brand = claimed.or_else(|| {
        // A subject that names a brand makes the same claim, but only a credential request
        // or a lure makes it a lure: newsletters name brands in subjects all the time.
        acts.then(|| links::brand_in_subject(mail, context))
            .flatten()
    });
    if (acts || free_hosting)
        && let Some(brand) = brand
        && let Some(host) = links::off_brand_link(mail, context, brand, claimed.is_none())
    {
        found.push(Indicator::new(
            "link.off-brand",
            weight("link.off-brand"),
            format!("The message presents itself as {} and asks you to act (sign in, pay, open a document or claim something), but its link goes to {host}, which is not {}'s.", brand.name, brand.name),
            host,
        ));
    }
}

fn limits_exceeded(mail: &Mail, _: &Context, found: &mut Vec<Indicator>) {
    for limit in &mail.limits_hit {
        found.push(Indicator::new(
            "limit.exceeded",
            weight("limit.exceeded"),
            "The message is built in a way that exceeds Hygeia's safety limits, which hostile mail does to hide from scanners.",
            limit.clone(),
        ));
    }
}

/// Levenshtein distance, capped: returns `cap + 1` as soon as it is exceeded.
pub fn edit_distance(a: &str, b: &str, cap: usize) -> usize {
    // Each character is 1 to 4 bytes, so a large byte-length gap means a large distance; this
    // cheap test spares most comparisons the allocation below.
    if a.len().abs_diff(b.len()) > cap * 4 {
        return cap + 1;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > cap {
        return cap + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            row[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(row[j] + 1);
        }
        if row.iter().min().copied().unwrap_or(0) > cap {
            return cap + 1;
        }
        prev = row;
    }
    prev[b.len()]
}

/// Whether `a` and `b` differ by at most one inserted, deleted or replaced character: the
/// edit distance 0 or 1, in one pass without allocating (it runs for every link host against
/// every brand name).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.chars(), b.chars());
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => {
                // First difference: replace, insert into a, or insert into b; the rests must match.
                let rest_a: String = x.into_iter().chain(a.clone()).collect();
                let rest_b: String = y.into_iter().chain(b.clone()).collect();
                let tail = |s: &str| s.chars().skip(1).collect::<String>();
                return tail(&rest_a) == tail(&rest_b)
                    || tail(&rest_a) == rest_b
                    || rest_a == tail(&rest_b);
            }
        }
    }
}

/// Whether `word` occurs in `text` with non-alphanumeric characters (or the ends) on both sides.
pub fn contains_word(text: &str, word: &str) -> bool {
    let mut start = 0;
    while let Some(found) = text[start..].find(word) {
        let at = start + found;
        let before = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = text[at + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            return true;
        }
        start = at + word.len().max(1);
        while !text.is_char_boundary(start) {
            start += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(edit_distance("paypal", "paypa1", 2), 1);
        assert_eq!(edit_distance("microsoft", "rnicrosoft", 2), 2);
        assert_eq!(edit_distance("abc", "xyzxyz", 1), 2);
        for (a, b, near) in [
            ("paypal", "paypal", true),
            ("paypal", "paypa1", true),
            ("paypal", "paypall", true),
            ("paypal", "aypal", true),
            ("paypal", "pyapal", false),
            ("docusign", "dokusing", false),
            ("é-mail", "e-mail", true),
        ] {
            assert_eq!(within_one_edit(a, b), near, "{a} {b}");
            assert_eq!(edit_distance(a, b, 1) <= 1, near, "{a} {b}");
        }
        assert!(contains_word("your paypal account", "paypal"));
        assert!(!contains_word("groups", "ups"));
        assert!(contains_word("UPS delivery".to_lowercase().as_str(), "ups"));
    }
}
