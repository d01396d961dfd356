//! Content indicators: what the message asks for and how it pressures the reader.

use super::{Context, Indicator};
use crate::message::Mail;
use crate::weights::{variant, weight};

/// "verify ... account": a request verb (a whole word) followed within a few words by what it
/// asks for, addressed to the reader ("update your account", not "updates the information").
fn verb_object<'a>(text: &'a str, catalog: &crate::catalog::MailCatalog) -> Option<&'a str> {
    const WINDOW: usize = 48;
    let lures = &catalog.lures;
    let verbs = &catalog.matchers.credential_verbs;
    for found in verbs.find_overlapping_iter(text) {
        let (at, after_verb) = (found.start(), found.end());
        let whole_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
            && text[after_verb..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
        if !whole_word {
            continue;
        }
        let mut end = (after_verb + WINDOW).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let window = &text[at..end];
        let sentence = window
            .split(['.', '\n', '!', '?'])
            .next()
            .unwrap_or(window)
            .trim();
        if lures
            .credential_objects
            .iter()
            .any(|o| super::contains_word(sentence, o))
            && lures
                .credential_reader_words
                .iter()
                .any(|w| super::contains_word(sentence, w))
        {
            return Some(sentence);
        }
    }
    None
}

/// Characters from Unicode's mathematical letter blocks (𝘾𝙊𝙉𝙂𝙍𝘼𝙏𝙎), used to spell words that
/// filters cannot read.
fn obfuscated_letters(text: &str) -> usize {
    text.chars()
        .filter(|c| matches!(*c as u32, 0x1D400..=0x1D7FF))
        .count()
}

/// Words that mix Latin letters with Greek or Cyrillic look-alikes ("Ѕuѕpеndеd"), written so
/// that filters do not recognise them while people read them normally.
fn homoglyph_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| {
            let latin = w.chars().any(|c| c.is_ascii_alphabetic());
            let lookalike = w.chars().any(|c| matches!(c as u32, 0x0370..=0x04FF));
            latin && lookalike
        })
        .take(5)
        .collect()
}

/// Offers that hardly exist outside scams: a kind counts when two different phrases of it occur.
/// A deadline or threat on top ("you have 24 hours to withdraw") adds 1.0, as it does for
/// credential requests: honest offers do not expire by the hour.
fn scam_offers(scams: &[(&str, f32, Vec<&str>)], urgency: &[&str], found: &mut Vec<Indicator>) {
    let mut kinds: Vec<&str> = Vec::new();
    let mut evidence: Vec<&str> = Vec::new();
    let mut weight: f32 = 0.0;
    for (kind, kind_weight, hits) in scams {
        if hits.len() >= 2 {
            kinds.push(kind);
            // Three different phrases of one kind leave little doubt.
            let certain = variant("content.scam-offer", "certain");
            weight = weight.max(if hits.len() >= 3 {
                certain
            } else {
                *kind_weight
            });
            evidence.extend(hits.iter());
        }
    }
    if kinds.is_empty() {
        return;
    }
    // Two kinds at once leave little doubt either.
    if kinds.len() > 1 {
        weight = weight.max(variant("content.scam-offer", "certain"));
    }
    let mut explanation = format!("The message has the marks of {}", kinds.join(" and of "));
    if !urgency.is_empty() {
        weight += variant("content.scam-offer", "urgency");
        explanation.push_str(", and it puts you under time pressure or threat");
        evidence.extend(urgency.iter().take(2));
    }
    explanation.push('.');
    found.push(Indicator::new(
        "content.scam-offer",
        weight,
        explanation,
        format!("\"{}\"", evidence.join("\", \"")),
    ));
}

/// A subject whose words are joined by underscores ("_Expiring_soon:_", "Your_Reward_Worth"):
/// more underscores than spaces, two or more of them between letters.
fn underscored(subject: &str) -> bool {
    let joined = subject
        .as_bytes()
        .windows(3)
        .filter(|w| w[1] == b'_' && w[0].is_ascii_alphabetic() && w[2].is_ascii_alphabetic())
        .count();
    let marks = subject.matches('_').count();
    let spaces = subject.trim().matches(' ').count();
    // Underscores in place of most spaces; a file name or an identifier has one or two.
    marks > spaces && (joined >= 2 || (joined >= 1 && marks >= 3))
}

/// Strings of random letters and digits ("Notificação - 6NwlyfzWcsNerv0") that bulk senders
/// add so that every copy of a campaign looks different to filters. CamelCase words
/// ("PerMsgStatus", "AmeriCorpsVISTA") have few lower-to-upper changes and are not counted.
fn random_codes(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|token| {
            let bytes = token.as_bytes();
            let upper = bytes.iter().filter(|b| b.is_ascii_uppercase()).count();
            let lower = bytes.iter().filter(|b| b.is_ascii_lowercase()).count();
            let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
            let lower_to_upper = bytes
                .windows(2)
                .filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
                .count();
            token.len() >= 8
                && (lower_to_upper >= 4
                    || (digits > 0
                        && lower_to_upper >= 2
                        && upper >= 2
                        && lower >= 2
                        && token.len() >= 10))
        })
        .take(3)
        .collect()
}

/// Words written with a capital I or a zero where a reader sees l or o ("eBay BiIIing",
/// "paypaI", "0fficial"): a capital I ending a lower-case word, two capital I between lower-case
/// letters, or a 0 inside or at the start of a lower-case word. CamelCase names ("WordInfo")
/// do not match.
fn disguised_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| {
            let b = word.as_bytes();
            let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
            if letters < 4 || !b.iter().any(u8::is_ascii_lowercase) {
                return false;
            }
            let lower = |i: usize| b.get(i).is_some_and(u8::is_ascii_lowercase);
            let capital_i_at_end = b.len() >= 2 && b[b.len() - 1] == b'I' && lower(b.len() - 2);
            let double_i = b.windows(4).any(|w| {
                w[0].is_ascii_lowercase() && &w[1..3] == b"II" && w[3].is_ascii_lowercase()
            });
            let zero_inside = b
                .windows(3)
                .any(|w| w[0].is_ascii_lowercase() && w[1] == b'0' && w[2].is_ascii_lowercase());
            let zero_first = b.len() >= 4 && b[0] == b'0' && (1..4).all(lower);
            capital_i_at_end || double_i || zero_inside || zero_first
        })
        .take(3)
        .collect()
}

/// Invisible characters (soft hyphens, zero-width spaces and joiners, direction marks, the
/// combining grapheme joiner) slipped
/// between Latin letters ("Pr\u{200e}i\u{200e}me", "R\u{ad}e\u{ad}a\u{ad}l"): the reader sees
/// the word, a filter does not. Emoji joiners and scripts that need joiners sit next to other
/// characters, so only a character between two ASCII letters counts.
fn invisible_between_letters(text: &str) -> usize {
    // Most text has none: one pass without allocating settles it.
    if !text.chars().any(super::sender::is_invisible_or_mark) {
        return 0;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut count = 0;
    for (i, &c) in chars.iter().enumerate() {
        // Accents are letters' marks, not hiding places; the combining grapheme joiner in their
        // block shows nothing and is the one used to break up words.
        let accent = (0x0300..=0x036F).contains(&(c as u32)) && c != '\u{34F}';
        if !super::sender::is_invisible_or_mark(c) || accent {
            continue;
        }
        let before = chars[..i]
            .iter()
            .rev()
            .find(|c| !super::sender::is_invisible_or_mark(**c));
        let after = chars[i + 1..]
            .iter()
            .find(|c| !super::sender::is_invisible_or_mark(**c));
        if before.is_some_and(char::is_ascii_alphabetic)
            && after.is_some_and(char::is_ascii_alphabetic)
        {
            count += 1;
        }
    }
    count
}

/// Short words written with a capital I for their first l ("Iog", "Iocked") and "lD" for "ID";
/// `l_words` lists the words as they should read.
fn capital_i_for_l<'a>(text: &'a str, l_words: &[String]) -> Vec<&'a str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| {
            *word == "lD"
                || word.strip_prefix('I').is_some_and(|rest| {
                    !rest.is_empty()
                        && rest.bytes().all(|b| b.is_ascii_lowercase())
                        && l_words.iter().any(|w| w.strip_prefix('l') == Some(rest))
                })
        })
        .collect()
}

/// The text with every word that mixes Latin letters and Greek or Cyrillic look-alikes written
/// in Latin letters only; words in one script stay as they are.
fn latin_reading(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(|c: char| !c.is_alphanumeric()) {
        let latin = word.chars().any(|c| c.is_ascii_alphabetic());
        let lookalike = word.chars().any(|c| matches!(c as u32, 0x0370..=0x04FF));
        if latin && lookalike {
            out.extend(
                word.chars()
                    .map(|c| super::sender::latin_look_alike(c).unwrap_or(c)),
            );
        } else {
            out.push_str(word);
        }
    }
    out
}

/// Adds the indicator `id` when `words` (disguised or odd words found in the message) is not
/// empty, with those words as evidence.
fn flag_words(
    found: &mut Vec<Indicator>,
    id: &'static str,
    weight: f32,
    why: &str,
    words: &[&str],
) {
    if !words.is_empty() {
        found.push(Indicator::new(id, weight, why, words.join(", ")));
    }
}

pub(crate) fn check(mail: &Mail, context: &Context, found: &mut Vec<Indicator>) {
    let name = mail.from.as_ref().map(|f| f.name.as_str()).unwrap_or("");
    let in_subject_and_name = |find: fn(&str) -> Vec<&str>| -> Vec<&str> {
        find(&mail.subject)
            .into_iter()
            .chain(find(name))
            .take(3)
            .collect()
    };
    let mixed: Vec<&str> = homoglyph_words(name)
        .into_iter()
        .chain(homoglyph_words(&mail.subject))
        .chain(homoglyph_words(&mail.text))
        .chain(
            mail.html
                .iter()
                .flat_map(|h| homoglyph_words(&h.visible_text)),
        )
        .take(5)
        .collect();
    flag_words(
        found,
        "content.homoglyphs",
        weight("content.homoglyphs"),
        "Words in the message mix Latin letters with look-alike Greek or Cyrillic ones, so filters cannot read them while you can.",
        &mixed,
    );
    flag_words(
        found,
        "content.random-code",
        weight("content.random-code"),
        "The subject or the sender's name carries a random string, added so that every copy of a mass mailing looks different to mail filters.",
        &in_subject_and_name(random_codes),
    );
    let mut disguised = in_subject_and_name(disguised_words);
    let l_words = &context.catalog.lures.l_words;
    disguised.extend(
        capital_i_for_l(&mail.subject, l_words)
            .into_iter()
            .chain(capital_i_for_l(name, l_words))
            .take(3),
    );
    flag_words(
        found,
        "content.disguised-words",
        weight("content.disguised-words"),
        "The subject or the sender's name writes words with a capital I or a zero where you read l or o, so that filters do not recognise them.",
        &disguised,
    );
    // In the body only characters with no typographic use count, and only many of them: a
    // soft hyphen is a legitimate hyphenation hint in long words.
    let body_invisible: usize = mail
        .html
        .iter()
        .map(|h| h.visible_text.as_str())
        .chain(std::iter::once(mail.text.as_str()))
        .map(|t| {
            if t.contains('\u{ad}') {
                invisible_between_letters(&t.replace('\u{ad}', ""))
            } else {
                invisible_between_letters(t)
            }
        })
        .sum();
    let invisible = invisible_between_letters(&mail.subject)
        + invisible_between_letters(name)
        + if body_invisible >= 10 {
            body_invisible
        } else {
            0
        };
    if invisible >= 2 {
        found.push(Indicator::new(
            "content.invisible-characters",
            weight("content.invisible-characters"),
            "The subject, the sender's name or the text hides invisible characters between letters, so that mail filters cannot read the words you see.",
            format!("{invisible} invisible characters between letters"),
        ));
    }
    let mut text = mail.visible_text_lower();
    // Words that mix Latin with Greek or Cyrillic look-alikes are read as the reader reads
    // them, so that "vеrify your wаllet" still matches the lure phrases.
    if text.chars().any(|c| matches!(c as u32, 0x0370..=0x04FF)) {
        text = latin_reading(&text);
    }
    let lures = context.catalog.matchers.find(&text);
    let mut credential = lures.credential.clone();
    if credential.is_empty()
        && let Some(phrase) = verb_object(&text, context.catalog)
    {
        credential.push(phrase);
    }
    let urgency = &lures.urgency;
    if !credential.is_empty() {
        let mut weight = weight("content.credential-request");
        let mut explanation =
            "The message asks you to sign in, confirm an account or give payment details"
                .to_string();
        if !urgency.is_empty() {
            weight += variant("content.credential-request", "urgency");
            explanation.push_str(", under time pressure or threat");
        }
        let offsite = super::links::offsite_link(mail, context);
        if let Some(host) = &offsite {
            weight += variant("content.credential-request", "offsite-link");
            explanation.push_str(&format!(
                ", and its link goes to {host}, not to the sender's own site"
            ));
        }
        explanation.push('.');
        let mut evidence: Vec<&str> = credential.clone();
        evidence.extend(urgency.iter().take(2));
        let mut evidence = format!("\"{}\"", evidence.join("\", \""));
        if let Some(host) = offsite {
            evidence.push_str(&format!(" -> {host}"));
        }
        found.push(Indicator::new(
            "content.credential-request",
            weight,
            explanation,
            evidence,
        ));
    }
    let matched = &lures.pretexts;
    if !matched.is_empty()
        && (!credential.is_empty()
            || !urgency.is_empty()
            || !mail.links.is_empty()
            || !mail.attachments.is_empty())
    {
        let weight = if matched.len() > 1 {
            variant("content.lure", "several")
        } else {
            weight("content.lure")
        };
        found.push(Indicator::new(
            "content.lure",
            weight,
            format!(
                "The message uses a common lure: {}.",
                matched
                    .iter()
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            matched
                .iter()
                .map(|(_, p)| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    scam_offers(&lures.scams, urgency, found);
    if underscored(&mail.subject) {
        found.push(Indicator::new(
            "content.underscored-subject",
            weight("content.underscored-subject"),
            "The subject is written with underscores for spaces (\"_Your_Reward_\"), a way bulk senders slip past filters that look for words.",
            mail.subject.clone(),
        ));
    }
    let obfuscated = obfuscated_letters(&mail.subject) + obfuscated_letters(&text);
    if obfuscated >= 4 {
        found.push(Indicator::new(
            "content.obfuscated-letters",
            weight("content.obfuscated-letters"),
            "The message spells words with look-alike mathematical letters, which mail filters cannot read.",
            format!("{obfuscated} look-alike letters"),
        ));
    }
    let hidden: usize = mail.html.iter().map(|h| h.hidden_chars).sum();
    if hidden > 300 {
        found.push(Indicator::new(
            "content.hidden-text",
            weight("content.hidden-text"),
            "The message hides a lot of text from the reader, a trick to fool mail filters.",
            format!("{hidden} hidden characters"),
        ));
    }
    if mail.html.iter().any(|h| h.pushed_out_of_view) {
        found.push(Indicator::new(
            "content.pushed-out-of-view",
            weight("content.pushed-out-of-view"),
            "The message moves part of its content thousands of pixels below what you can see, a trick to show mail filters different text from what you read.",
            "CSS offset of more than 5,000 pixels",
        ));
    }
    let visible: usize = mail
        .html
        .iter()
        .map(|h| h.visible_text.chars().filter(|c| c.is_alphabetic()).count())
        .sum::<usize>()
        + mail.text.chars().filter(|c| c.is_alphabetic()).count();
    let images: usize = mail.html.iter().map(|h| h.images).sum();
    if images > 0 && visible < 40 && !mail.links.is_empty() {
        found.push(Indicator::new(
            "content.image-only",
            weight("content.image-only"),
            "The message is a picture with a link and almost no text, which hides its words from mail filters.",
            format!("{images} image(s), {visible} letters of text"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_with_underscores_for_spaces() {
        assert!(underscored("_Your_Reward_Worth_"));
        assert!(underscored("_Expiring_soon:_"));
        assert!(!underscored("Re: the build_id field"));
        assert!(!underscored("report_2026.pdf"));
        assert!(underscored(
            "_Welcome_to_El_Royale_Casino_??_ Enjoy_a_wide_range"
        ));
        assert!(!underscored("Re: build_id and run_id in the report"));
    }

    #[test]
    fn random_codes_but_not_camel_case() {
        assert_eq!(
            random_codes("Liberação de IRPF - 6NwlyfzWcsNerv0"),
            ["6NwlyfzWcsNerv0"]
        );
        assert_eq!(
            random_codes("Dispositivo Bloqueado-WBmmvfJdFtGqOvWw"),
            ["WBmmvfJdFtGqOvWw"]
        );
        assert!(random_codes("Re: [SAtalk] PerMsgStatus.pm error? AmeriCorpsVISTA").is_empty());
        assert!(random_codes("Order 1Z999AA10123456784 shipped via iPhone15Pro").is_empty());
    }

    #[test]
    fn disguised_words_but_not_camel_case() {
        assert_eq!(
            disguised_words("eBay BiIIing Department: 0fficial notice from paypaI"),
            ["BiIIing", "0fficial", "paypaI"]
        );
        assert!(
            disguised_words("[Spambayes] Ditching WordInfo, MyIncErrors, VoID, iPhone").is_empty()
        );
    }

    #[test]
    fn mixed_words_are_read_in_latin() {
        assert_eq!(
            latin_reading(
                "v\u{435}rify your w\u{430}llet, \u{43c}\u{43e}\u{441}\u{43a}\u{432}\u{430}"
            ),
            "verify your wallet, \u{43c}\u{43e}\u{441}\u{43a}\u{432}\u{430}"
        );
    }

    #[test]
    fn capital_i_written_for_l() {
        let words: Vec<String> = ["log", "locked"].iter().map(|w| w.to_string()).collect();
        assert_eq!(
            capital_i_for_l("Someone tried to Iog in, User lD", &words),
            ["Iog", "lD"]
        );
        assert!(capital_i_for_l("Ion Iocal Ideal I ID", &words).is_empty());
    }

    #[test]
    fn invisible_characters_between_letters() {
        assert_eq!(
            invisible_between_letters("New Me\u{200e}\u{200e}m\u{200e}ber"),
            3
        );
        assert_eq!(invisible_between_letters("\u{ad}R\u{ad}e\u{ad}a\u{ad}l"), 3);
        // Emoji sequences and words without hidden characters.
        assert_eq!(
            invisible_between_letters("Diet \u{1f938}\u{200d}\u{2640}\u{fe0f} plan"),
            0
        );
        assert_eq!(invisible_between_letters("Caf\u{e9} cre\u{301}me"), 0);
        // The combining grapheme joiner sits among the accents but shows nothing.
        assert_eq!(invisible_between_letters("c\u{34f}a\u{34f}n\u{34f}cel"), 3);
        let mail = crate::message::parse(
            "Subject: Order\r\n\r\nTo c\u{34f}a\u{34f}n\u{34f}c\u{34f}e\u{34f}l this order call us"
                .as_bytes(),
        );
        assert!(mail.visible_text_lower().contains("to cancel this order"));
    }

    #[test]
    fn request_verb_then_object() {
        let catalog = crate::catalog::MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        let c = &catalog;
        assert!(verb_object("please verify your mychart account today", c).is_some());
        assert!(verb_object("we verify nothing here", c).is_none());
        assert!(verb_object("updates to keep site information fresh", c).is_none());
        assert!(verb_object("it confirms that your key is fine", c).is_none());
    }

    fn scam_weight(text: &str) -> Option<f32> {
        let catalog = crate::catalog::MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        let lures = catalog.matchers.find(text);
        let mut found = Vec::new();
        scam_offers(&lures.scams, &lures.urgency, &mut found);
        found.first().map(|i| i.weight)
    }

    #[test]
    fn scam_offer_weighs_more_with_a_deadline() {
        let calm = "your bitcoin balance is ready, withdraw it from your account";
        let rushed = "your bitcoin balance is ready, withdraw it within 24 hours";
        assert_eq!(scam_weight(calm), Some(2.0));
        assert_eq!(scam_weight(rushed), Some(3.0));
        assert_eq!(scam_weight("we paid the invoice within 24 hours"), None);
    }

    #[test]
    fn dutch_dating_bait_is_a_scam_offer() {
        assert_eq!(
            scam_weight("gratis flirt avontuur, bekijk mijn naakte video"),
            Some(3.0)
        );
    }
}
