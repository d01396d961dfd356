//! A statistical model trained on the practice's own labelled mail (`hygeia mail train`), the
//! way SpamAssassin's and Rspamd's Bayes learners are: never shipped pretrained.
//!
//! Each message becomes a set of tokens: the words of its subject and visible text (letters
//! only, 3 to 24 of them, lower-case) and the domains its sender and links use. Headers, dates
//! and numbers are left out, so the model learns what the mail says and where it leads, not when
//! or how it was sent. A message is judged with Robinson's per-token probabilities combined by
//! Fisher's method (as in SpamBayes); the strongest tokens are shown as the reason.

use crate::message::Mail;
use crate::url::{parse_url, registrable_domain};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// The schema identifier of a saved model.
pub const MODEL_SCHEMA: &str = "hygeia.mail-model/1";
/// Fewer labelled messages of either kind than this make a model that guesses.
pub const MIN_TRAINING_MESSAGES: u32 = 50;
/// Tokens taken from one message, at most.
const MAX_TOKENS_PER_MESSAGE: usize = 1_500;
/// Tokens combined for one verdict: the strongest this many.
const MAX_CLUES: usize = 150;
/// Robinson's strength of the prior belief for rare tokens, and the prior itself.
const PRIOR_STRENGTH: f64 = 0.45;
const PRIOR: f64 = 0.5;
/// Tokens closer to 0.5 than this say nothing.
const MIN_STRENGTH: f64 = 0.1;

/// Token counts from labelled mail.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Model {
    /// Always [`MODEL_SCHEMA`].
    pub schema: String,
    /// Phishing and scam messages learned.
    pub phish_messages: u32,
    /// Legitimate messages learned.
    pub ham_messages: u32,
    /// Per token: in how many phishing and in how many legitimate messages it occurred.
    pub tokens: HashMap<String, (u32, u32)>,
}

/// What the model says about one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    /// 0 (like the legitimate mail) to 1 (like the phishing).
    pub probability: f64,
    /// The tokens that pointed most towards phishing, strongest first.
    pub clues: Vec<String>,
}

/// The tokens of one message, each once.
pub fn tokens(mail: &Mail) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut add_words = |text: &str| {
        for word in text.split(|c: char| !c.is_alphabetic()) {
            let letters = word.chars().count();
            if (3..=24).contains(&letters) {
                found.insert(word.to_lowercase());
            }
        }
    };
    add_words(&mail.subject);
    add_words(&mail.text);
    for html in &mail.html {
        add_words(&html.visible_text);
    }
    if let Some(from) = &mail.from
        && !from.domain.is_empty()
    {
        found.insert(format!("from:{}", registrable_domain(&from.domain)));
    }
    for link in mail.links.iter().take(200) {
        if let Some(url) = parse_url(&link.href)
            && !url.host.is_empty()
        {
            found.insert(format!("link:{}", registrable_domain(&url.host)));
        }
    }
    // Who the mail was sent to says nothing about the sender: the practice's own names and
    // domain are left out, so the model cannot learn the recipient.
    let mut recipient_words: BTreeSet<String> = BTreeSet::new();
    for recipient in &mail.recipients {
        recipient_words.extend(
            recipient
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| !w.is_empty())
                .map(str::to_string),
        );
        if let Some((_, domain)) = recipient.rsplit_once('@') {
            let domain = registrable_domain(domain);
            recipient_words.insert(format!("from:{domain}"));
            recipient_words.insert(format!("link:{domain}"));
        }
    }
    found.retain(|token| !recipient_words.contains(token));
    if found.len() > MAX_TOKENS_PER_MESSAGE {
        found = found.into_iter().take(MAX_TOKENS_PER_MESSAGE).collect();
    }
    found
}

/// `-2 ln p` summed over `n` probabilities follows chi-square with 2n degrees of freedom; this
/// is the chance of a value at least `x2` (the series for even degrees of freedom).
fn chi2_q(x2: f64, degrees: usize) -> f64 {
    let m = x2 / 2.0;
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..degrees / 2 {
        term *= m / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

impl Model {
    /// An empty model.
    pub fn new() -> Model {
        Model {
            schema: MODEL_SCHEMA.to_string(),
            ..Model::default()
        }
    }

    /// Learns one message labelled phishing (`true`) or legitimate (`false`).
    pub fn learn(&mut self, mail: &Mail, phishing: bool) {
        for token in tokens(mail) {
            let counts = self.tokens.entry(token).or_insert((0, 0));
            if phishing {
                counts.0 += 1;
            } else {
                counts.1 += 1;
            }
        }
        if phishing {
            self.phish_messages += 1;
        } else {
            self.ham_messages += 1;
        }
    }

    /// Whether both kinds have enough messages for the model to mean something.
    pub fn is_trained(&self) -> bool {
        self.phish_messages >= MIN_TRAINING_MESSAGES && self.ham_messages >= MIN_TRAINING_MESSAGES
    }

    /// Robinson's probability that a message with `token` is phishing.
    fn token_probability(&self, phish: u32, ham: u32) -> f64 {
        let phish_ratio = f64::from(phish) / f64::from(self.phish_messages.max(1));
        let ham_ratio = f64::from(ham) / f64::from(self.ham_messages.max(1));
        let p = phish_ratio / (phish_ratio + ham_ratio);
        let n = f64::from(phish + ham);
        ((PRIOR_STRENGTH * PRIOR + n * p) / (PRIOR_STRENGTH + n)).clamp(0.01, 0.99)
    }

    /// Judges one message; `None` when the model is not trained or no token says anything.
    pub fn judge(&self, mail: &Mail) -> Option<Judgement> {
        if !self.is_trained() {
            return None;
        }
        let mut clues: Vec<(f64, String)> = tokens(mail)
            .into_iter()
            .filter_map(|token| {
                let (phish, ham) = *self.tokens.get(&token)?;
                let p = self.token_probability(phish, ham);
                ((p - 0.5).abs() >= MIN_STRENGTH).then_some((p, token))
            })
            .collect();
        if clues.is_empty() {
            return None;
        }
        clues.sort_by(|a, b| (b.0 - 0.5).abs().total_cmp(&(a.0 - 0.5).abs()));
        clues.truncate(MAX_CLUES);
        let n = clues.len();
        let ham_evidence: f64 = clues.iter().map(|(p, _)| p.ln()).sum();
        let phish_evidence: f64 = clues.iter().map(|(p, _)| (1.0 - p).ln()).sum();
        let h = 1.0 - chi2_q(-2.0 * ham_evidence, 2 * n);
        let s = 1.0 - chi2_q(-2.0 * phish_evidence, 2 * n);
        let probability = ((s - h + 1.0) / 2.0).clamp(0.0, 1.0);
        let mut phishy: Vec<&(f64, String)> = clues.iter().filter(|(p, _)| *p > 0.5).collect();
        phishy.sort_by(|a, b| b.0.total_cmp(&a.0));
        Some(Judgement {
            probability,
            clues: phishy.iter().take(5).map(|(_, t)| t.clone()).collect(),
        })
    }

    /// Reads a model written by [`Model::save`].
    pub fn load(path: &Path) -> Result<Model, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read the model {}: {e}", path.display()))?;
        let model: Model = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "{} is not a model written by `hygeia mail train` ({e})",
                path.display()
            )
        })?;
        if model.schema != MODEL_SCHEMA {
            return Err(format!(
                "{} is a model of another version ({}); train it again with `hygeia mail train`",
                path.display(),
                model.schema
            ));
        }
        Ok(model)
    }

    /// Writes the model (to a temporary file first, then renamed, so a crash leaves no half
    /// model). Tokens seen only once are dropped from large models to keep them small.
    pub fn save(&mut self, path: &Path) -> Result<(), String> {
        if self.tokens.len() > 200_000 {
            self.tokens.retain(|_, (p, h)| *p + *h > 1);
        }
        let text = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, text)
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| format!("cannot write the model to {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    fn mail(subject: &str, body: &str) -> Mail {
        parse(format!("From: a@sender.example\r\nSubject: {subject}\r\n\r\n{body}\r\n").as_bytes())
    }

    #[test]
    fn learns_words_and_explains_with_them() {
        let mut model = Model::new();
        for i in 0..60 {
            model.learn(
                &mail(
                    "solar panels offer",
                    &format!("cheap solar panels save money now {i}"),
                ),
                true,
            );
            model.learn(
                &mail(
                    "meeting notes",
                    &format!("agenda for the clinic staff meeting {i}"),
                ),
                false,
            );
        }
        let spam = model
            .judge(&mail("solar", "solar panels cheap"))
            .unwrap_or_else(|| panic!("no judgement"));
        assert!(spam.probability > 0.9, "{spam:?}");
        assert!(spam.clues.contains(&"solar".to_string()));
        let ham = model
            .judge(&mail("staff", "clinic meeting agenda"))
            .unwrap_or_else(|| panic!("no judgement"));
        assert!(ham.probability < 0.1, "{ham:?}");
        assert!(
            model
                .judge(&mail("hello", "unknown words entirely"))
                .is_none()
        );
    }

    #[test]
    fn an_untrained_model_says_nothing() {
        let mut model = Model::new();
        model.learn(&mail("a", "solar panels"), true);
        assert!(model.judge(&mail("a", "solar panels")).is_none());
    }

    #[test]
    fn tokens_leave_out_numbers_and_keep_domains() {
        let t = tokens(&mail(
            "Invoice 2023",
            "Pay at https://pay.example.net/x 12345 now",
        ));
        assert!(
            t.contains("invoice")
                && t.contains("link:example.net")
                && t.contains("from:sender.example")
        );
        assert!(!t.iter().any(|w| w.contains("2023") || w.contains("12345")));
    }

    #[test]
    fn the_recipient_is_not_learned() {
        let m = parse(
            b"From: Dr Lee <dr.lee@clinic.example>\r\nTo: Dr Lee <dr.lee@clinic.example>\r\nSubject: Fw: solar offer\r\n\r\nDear Lee, cheap solar at https://clinic.example/x\r\n",
        );
        let t = tokens(&m);
        assert!(t.contains("solar") && t.contains("cheap"));
        assert!(
            !t.contains("lee")
                && !t.contains("from:clinic.example")
                && !t.contains("link:clinic.example"),
            "{t:?}"
        );
    }

    #[test]
    fn chi_square_tail() {
        assert!((chi2_q(0.0, 4) - 1.0).abs() < 1e-9);
        assert!(chi2_q(100.0, 4) < 1e-10);
    }
}
