//! Sender indicators: who the message claims to be from.

use super::{Context, Indicator, contains_word, edit_distance, within_one_edit};
use crate::catalog::{Brand, MailCatalog, host_in, host_matches};
use crate::message::Mail;
use crate::url::registrable_domain;
use crate::weights::{variant, weight};

/// Brand names of at least this many letters are also looked for inside domain names.
const MIN_BRAND_IN_DOMAIN: usize = 5;

/// Words that phishing domains glue to a brand name (paypal-secure, securepaypal, ebayverify).
const PHISHING_AFFIXES: [&str; 24] = [
    "secure",
    "security",
    "login",
    "signin",
    "verify",
    "verification",
    "account",
    "accounts",
    "support",
    "update",
    "service",
    "services",
    "alert",
    "alerts",
    "billing",
    "help",
    "online",
    "team",
    "center",
    "id",
    "auth",
    "my",
    "app",
    "confirm",
];

/// The first brand (in catalog order) that a domain label names as a token of its own: a
/// one-word brand name of five letters or more equal to a hyphen-separated part, or glued to a
/// typical phishing word ("paypal-login", "securepaypal"). Looked up in one table, not brand by
/// brand: it runs for every link host.
fn label_brand(label: &str, catalog: &MailCatalog) -> Option<usize> {
    let mut best: Option<usize> = None;
    let mut consider = |name: &str| {
        if name.len() >= MIN_BRAND_IN_DOMAIN
            && let Some(index) = catalog.domain_token_brand(name)
        {
            best = Some(best.map_or(index, |b| b.min(index)));
        }
    };
    for token in label.split('-') {
        consider(token);
        for affix in PHISHING_AFFIXES {
            if let Some(name) = token.strip_prefix(affix) {
                consider(name);
            }
            if let Some(name) = token.strip_suffix(affix) {
                consider(name);
            }
        }
    }
    best
}

/// Combining marks and invisible characters that can be slipped between the letters of a name
/// ("Co̷rreio̷s", "Apܿplܿe") without changing how a reader sees the word.
pub(crate) fn is_invisible_or_mark(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x0300..=0x036F | 0x0591..=0x05C7 | 0x064B..=0x065F | 0x0730..=0x074A
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200B..=0x200F | 0x2060..=0x2064 | 0x20D0..=0x20FF
        | 0xFE20..=0xFE2F | 0xFEFF)
}

/// The Latin letter a Greek or Cyrillic look-alike stands for in a mostly Latin name
/// ("Μetamаsk" with a Greek capital Mu and a Cyrillic a). Only letters that look the same in
/// common fonts are mapped.
pub(crate) fn latin_look_alike(c: char) -> Option<char> {
    Some(match c {
        'А' | 'а' | 'Α' | 'α' => 'a',
        'В' | 'в' | 'Β' | 'β' => 'b',
        'С' | 'с' | 'ϲ' => 'c',
        'Е' | 'е' | 'Ε' | 'ε' => 'e',
        'Н' | 'н' | 'Η' => 'h',
        'І' | 'і' | 'Ι' | 'ι' => 'i',
        'Ј' | 'ј' => 'j',
        'К' | 'к' | 'Κ' | 'κ' => 'k',
        'М' | 'м' | 'Μ' => 'm',
        'Ν' | 'ν' => 'v',
        'О' | 'о' | 'Ο' | 'ο' => 'o',
        'Р' | 'р' | 'Ρ' | 'ρ' => 'p',
        'Ѕ' | 'ѕ' => 's',
        'Т' | 'т' | 'Τ' | 'τ' => 't',
        'Х' | 'х' | 'Χ' | 'χ' => 'x',
        'У' | 'у' | 'Υ' | 'γ' => 'y',
        'Ζ' => 'z',
        _ => return None,
    })
}

/// A display name as the reader sees it, with the usual disguises undone: marks and invisible
/// characters removed, Greek and Cyrillic look-alikes inside Latin words read as Latin, a
/// capital I or a | inside a lower-case word read as l ("Iedger", "BiIIing"), and a 0 or 1
/// between letters read as o or l ("C0NSUMER"). Lower-case.
pub(crate) fn undisguised(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_inclusive(|c: char| c.is_whitespace()) {
        let mut chars: Vec<char> = word.chars().filter(|c| !is_invisible_or_mark(*c)).collect();
        // Look-alikes count only inside a word that also has Latin letters: a Greek or Russian
        // name stays as it is.
        if chars.iter().any(char::is_ascii_alphabetic) {
            for c in &mut chars {
                if let Some(latin) = latin_look_alike(*c) {
                    *c = latin;
                }
            }
        }
        let has_lower = chars.iter().any(|c| c.is_lowercase());
        for (i, &c) in chars.iter().enumerate() {
            let letter_before = i > 0 && chars[i - 1].is_alphabetic();
            let letter_after = chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
            let mapped = match c {
                'I' | '|' if has_lower => 'l',
                '0' if letter_before || letter_after => 'o',
                '1' if letter_before && letter_after => 'l',
                other => other,
            };
            out.extend(mapped.to_lowercase());
        }
    }
    out
}

pub(crate) fn brand_owns(brand: &Brand, host: &str) -> bool {
    host_in(host, &brand.owned_domains)
}

/// The brand whose domain `host` imitates, with how: edit distance to a real domain's name, or
/// the brand's name inside an unrelated domain.
pub(crate) fn imitated_brand<'a>(
    host: &str,
    catalog: &'a MailCatalog,
    protected: &[String],
) -> Option<(&'a str, &'static str)> {
    let brands = &catalog.brands;
    if host.is_empty()
        || catalog.owned_by_a_brand(host)
        || protected.iter().any(|p| host_matches(host, p))
    {
        return None;
    }
    let registrable = registrable_domain(host);
    let label = registrable.split('.').next().unwrap_or("");
    let one_letter = (label.len() >= 4)
        .then(|| {
            catalog
                .brand_labels
                .iter()
                .filter(|(real, _)| label.len().abs_diff(real.len()) <= 1 && label != real)
                .find(|(real, _)| within_one_edit(label, real))
                .map(|(_, brand)| *brand)
        })
        .flatten();
    let token = label_brand(label, catalog);
    match (one_letter, token) {
        (Some(a), Some(b)) if b < a => Some((&brands[b].name, "the name of")),
        (Some(a), _) => Some((&brands[a].name, "a one-letter change of")),
        (None, Some(b)) => Some((&brands[b].name, "the name of")),
        (None, None) => None,
    }
}

/// [`imitated_brand`] for a host of this message. A one-letter change counts only when the
/// message also shows the brand's name (sender, subject or text): a look-alike is made to pose
/// as the brand, while plenty of real domains are one letter from some brand ("imail.org",
/// "space.com").
pub(crate) fn imitated_brand_in<'a>(
    mail: &Mail,
    context: &'a Context,
    host: &str,
) -> Option<(&'a str, &'static str)> {
    let (brand, how) = imitated_brand(host, context.catalog, &context.settings.protected)?;
    if how == "a one-letter change of" && !message_names_brand(mail, context, brand) {
        return None;
    }
    Some((brand, how))
}

/// Whether the message shows the brand called `brand` to the reader: in the sender's name, the
/// subject or the visible text.
fn message_names_brand(mail: &Mail, context: &Context, brand: &str) -> bool {
    let catalog = context.catalog;
    let Some(index) = catalog.brands.iter().position(|b| b.name == brand) else {
        return false;
    };
    let name = mail
        .from
        .as_ref()
        .map(|f| f.name.to_lowercase())
        .unwrap_or_default();
    [name, mail.subject.to_lowercase(), mail.visible_text_lower()]
        .iter()
        .any(|text| catalog.brands_named(text).contains(&index))
}

/// Whether the sender uses a white-labelled brand's name ("MyChart", sent by each health
/// system) as that brand's customer: from its own domain, with every link leading to its own
/// organisation or to a portal named after the brand ("mychart.examplehealth.org").
fn white_label_customer(mail: &Mail, context: &Context, brand: &Brand) -> bool {
    brand.white_label
        && super::links::leads_only_home_or(mail, context, |host| {
            host.split('.')
                .next()
                .is_some_and(|label| brand.names.iter().any(|n| label.contains(n.as_str())))
        })
}

fn protected_lookalike<'a>(host: &str, protected: &'a [String]) -> Option<&'a str> {
    let registrable = registrable_domain(host);
    let label = registrable.split('.').next().unwrap_or("");
    protected.iter().map(String::as_str).find(|p| {
        let real = p.split('.').next().unwrap_or("");
        !host_matches(host, p)
            && real.len() >= 4
            && label != real
            && (edit_distance(label, real, 2) <= 2 || label.contains(real))
    })
}

/// The brand named by a token of an address's local part (`paypal-service@`, `ledger.notify@`):
/// a one-word brand name or the first label of a brand domain, of five letters or more.
fn brand_in_local_part<'a>(address: &str, catalog: &'a MailCatalog) -> Option<&'a Brand> {
    let local = address.split('@').next()?.to_lowercase();
    local
        .split(['-', '.', '_', '+'])
        .filter(|token| token.len() >= MIN_BRAND_IN_DOMAIN)
        .find_map(|token| catalog.local_part_brand(token))
        .map(|index| &catalog.brands[index])
}

/// The free hosting service (`free_hosting` in `mail-link-services.toml`) of which `domain` is
/// a tenant's site (`win-prize-7f3.firebaseapp.com`), if it is one. The service's own domain
/// (`dropbox.com`, `mail.dropbox.com`) is the service writing, not a tenant.
fn free_hosting_tenant<'a>(domain: &str, catalog: &'a MailCatalog) -> Option<&'a str> {
    let registrable = registrable_domain(domain);
    catalog
        .links
        .free_hosting
        .iter()
        .find(|service| {
            domain.len() > service.len()
                && domain.ends_with(service.as_str())
                && domain.as_bytes()[domain.len() - service.len() - 1] == b'.'
                && registrable != registrable_domain(service)
        })
        .map(String::as_str)
}

/// How a display name is dressed up against word filters, if it is: wrapped in `#`, `*` or `_`
/// ("*Congratulations#", "#el_ROyale_Casino#") or with its words joined by underscores
/// ("Your_Reward_Center").
fn decorated_name(name: &str) -> Option<&'static str> {
    let name = name.trim();
    let marks = ['#', '*', '_'];
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 3 {
        return None;
    }
    if name.starts_with(marks) || name.ends_with(marks) {
        return Some("wrapped in # * _ marks");
    }
    let joined = name
        .as_bytes()
        .windows(3)
        .filter(|w| w[1] == b'_' && w[0].is_ascii_alphabetic() && w[2].is_ascii_alphabetic())
        .count();
    (joined >= 2 && !name.contains(' ') && !name.contains('@'))
        .then_some("written with underscores for spaces")
}

/// Why a sender domain looks machine-generated, if it does: four or more one-letter labels
/// (a.d.b.u.d.b.example), letters split by hyphens (x-ny-io-k-uk-unv), or a label of eight or
/// more characters with seven consonants in a row or letters and digits alternating
/// (d5pvjttquw, g9askpz0zr). Organizations send from names people can read.
pub(crate) fn generated_domain_reason(domain: &str) -> Option<&'static str> {
    let labels: Vec<&str> = domain.split('.').collect();
    let inner = &labels[..labels.len().saturating_sub(1)];
    if inner.iter().filter(|l| l.len() == 1).count() >= 4 {
        return Some("it is built of single letters");
    }
    for label in inner {
        let parts: Vec<&str> = label.split('-').collect();
        if parts.len() >= 5 && parts.iter().filter(|p| p.len() <= 2).count() >= 4 {
            return Some("it is letters split by hyphens");
        }
        if label.len() < 8 {
            continue;
        }
        let letters: String = label.chars().filter(|c| c.is_ascii_alphabetic()).collect();
        let longest_consonants = letters
            .split(|c| "aeiouy".contains(c))
            .map(str::len)
            .max()
            .unwrap_or(0);
        let bytes = label.as_bytes();
        let digit_switches = bytes
            .windows(2)
            .filter(|w| {
                w[0].is_ascii_alphanumeric()
                    && w[1].is_ascii_alphanumeric()
                    && w[0].is_ascii_digit() != w[1].is_ascii_digit()
            })
            .count();
        if longest_consonants >= 7 || digit_switches >= 3 {
            return Some("it is a random string of letters and digits");
        }
    }
    None
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_alphabetic()))
}

pub(crate) fn check(mail: &Mail, context: &Context, found: &mut Vec<Indicator>) {
    let Some(from) = &mail.from else {
        found.push(Indicator::new(
            "sender.missing-address",
            weight("sender.missing-address"),
            "The message has no sender address at all; every real mail system puts one in.",
            "no From address",
        ));
        return;
    };
    if from.address.is_empty() {
        found.push(Indicator::new(
            "sender.missing-address",
            weight("sender.missing-address"),
            format!("The sender \"{}\" gives no address; every real mail system puts one in, forged headers leave it out.", from.name),
            from.name.clone(),
        ));
    }
    if from.name_split_from_address {
        found.push(Indicator::new(
            "sender.split-from-header",
            weight("sender.split-from-header"),
            format!("The sender line is broken so that the name \"{}\" stands apart from the real address {}; many mail programs then show only the name.", from.name, from.address),
            from.display(),
        ));
    }
    let brands = &context.catalog.brands;
    let protected = &context.settings.protected;
    let name_lower = from.name.to_lowercase();
    if !from.address.is_empty() && !valid_domain(&from.domain) {
        found.push(Indicator::new(
            "sender.invalid-domain",
            weight("sender.invalid-domain"),
            format!("The sender's address {} has no valid internet domain; real mail systems do not send from such addresses, forged ones do.", from.address),
            from.address.clone(),
        ));
    }
    if let Some(reason) = generated_domain_reason(&from.domain) {
        found.push(Indicator::new(
            "sender.random-domain",
            weight("sender.random-domain"),
            format!("The sender's domain {} looks machine-made ({reason}): bulk and scam senders use throw-away names like this.", from.domain),
            from.domain.clone(),
        ));
    }
    // A display name that names a brand while the address belongs to someone else.
    if !name_lower.is_empty() {
        let plain_name = undisguised(&from.name);
        let openly = context.catalog.brands_named(&name_lower);
        let hidden = if plain_name != name_lower {
            context.catalog.brands_named(&plain_name)
        } else {
            Vec::new()
        };
        for (index, brand) in brands.iter().enumerate() {
            let named_openly = openly.contains(&index);
            let named = named_openly || hidden.contains(&index);
            if !named {
                continue;
            }
            let sends_for = context.catalog.sends_for(brand, &from.domain);
            if !named_openly && !sends_for {
                found.push(Indicator::new(
                    "sender.disguised-brand",
                    weight("sender.disguised-brand"),
                    format!("The sender's name \"{}\" spells {} with look-alike or hidden characters, so that filters miss it while you read the brand.", from.name, brand.name),
                    from.display(),
                ));
                break;
            }
            if !sends_for
                && !white_label_customer(mail, context, brand)
                && !protected.iter().any(|p| host_matches(&from.domain, p))
            {
                found.push(Indicator::new(
                    "sender.brand-impersonation",
                    weight("sender.brand-impersonation"),
                    format!("The sender calls itself \"{}\" but writes from {}, which does not belong to {}.", from.name, from.domain, brand.name),
                    from.display(),
                ));
                break;
            }
        }
        // An address in the display name that differs from the real one.
        if let Some(shown) = name_lower
            .split_whitespace()
            .find(|w| w.contains('@') && w.contains('.'))
        {
            let shown_domain = shown
                .rsplit('@')
                .next()
                .unwrap_or("")
                .trim_matches(|c: char| !c.is_alphanumeric());
            if !shown_domain.is_empty()
                && registrable_domain(shown_domain) != registrable_domain(&from.domain)
            {
                // Showing a well-known brand's address is the classic trick; other mismatches also come
                // from mailing lists that rewrite senders.
                let brand_shown = context.catalog.owned_by_a_brand(shown_domain);
                found.push(Indicator::new(
                    "sender.display-address-mismatch",
                    if brand_shown {
                        variant("sender.display-address-mismatch", "brand-address")
                    } else {
                        weight("sender.display-address-mismatch")
                    },
                    format!("The sender's name shows the address {shown}, but the message really comes from {}.", from.address),
                    from.display(),
                ));
            }
        }
        for p in protected {
            let real = p.split('.').next().unwrap_or("");
            if contains_word(&name_lower, real) && !host_matches(&from.domain, p) {
                found.push(Indicator::new(
                    "sender.protected-impersonation",
                    weight("sender.protected-impersonation"),
                    format!(
                        "The sender uses your practice's name \"{}\" but writes from {}.",
                        from.name, from.domain
                    ),
                    from.display(),
                ));
                break;
            }
        }
    }
    if let Some(brand) = brand_in_local_part(&from.address, context.catalog)
        && !brand_owns(brand, &from.domain)
        && !white_label_customer(mail, context, brand)
        && !found.iter().any(|f| f.id == "sender.brand-impersonation")
    {
        found.push(Indicator::new(
            "sender.brand-in-address",
            weight("sender.brand-in-address"),
            format!(
                "The sender's address {} uses {}'s name but comes from {}, which is not {}'s.",
                from.address, brand.name, from.domain, brand.name
            ),
            from.address.clone(),
        ));
    }
    if let Some(service) = free_hosting_tenant(&from.domain, context.catalog) {
        found.push(Indicator::new(
            "sender.free-hosting",
            weight("sender.free-hosting"),
            format!("The sender writes from {}, a site on the free hosting service {service}: organisations send mail from their own domains, throw-away scam sites from names like this.", from.domain),
            from.address.clone(),
        ));
    }
    if let Some(disguise) = decorated_name(&from.name) {
        found.push(Indicator::new(
            "sender.decorated-name",
            weight("sender.decorated-name"),
            format!("The sender's name \"{}\" is {disguise}, a way bulk senders slip past filters that look for words.", from.name),
            from.display(),
        ));
    }
    let freemail = &context.catalog.links.freemail;
    if host_in(&from.domain, freemail)
        && let Some(word) = context
            .catalog
            .links
            .organization_words
            .iter()
            .find(|w| contains_word(&name_lower, w))
    {
        found.push(Indicator::new(
            "sender.organization-on-freemail",
            weight("sender.organization-on-freemail"),
            format!("The sender presents itself as an organization (\"{}\") but writes from a free mailbox ({}).", from.name, from.domain),
            format!("{} ({word})", from.display()),
        ));
    }
    if let Some((brand, how)) = imitated_brand_in(mail, context, &from.domain) {
        found.push(Indicator::new(
            "sender.lookalike-domain",
            weight("sender.lookalike-domain"),
            format!(
                "The sender's domain {} uses {how} {brand}'s domain without belonging to {brand}.",
                from.domain
            ),
            from.address.clone(),
        ));
    } else if let Some(p) = protected_lookalike(&from.domain, protected) {
        found.push(Indicator::new(
            "sender.lookalike-domain",
            variant("sender.lookalike-domain", "protected"),
            format!(
                "The sender's domain {} imitates your practice's domain {p}.",
                from.domain
            ),
            from.address.clone(),
        ));
    }
    if let Some(reply) = &mail.reply_to {
        let freemail = &context.catalog.links.freemail;
        let differs = registrable_domain(&reply.domain) != registrable_domain(&from.domain);
        if differs && host_in(&reply.domain, freemail) && !host_in(&from.domain, freemail) {
            // With nothing to click or open, the message exists to start a conversation in
            // that mailbox: the pattern of advance-fee and business-email-compromise fraud.
            let only_a_reply = mail.links.is_empty() && mail.attachments.is_empty();
            let (weight, why) = if only_a_reply {
                (
                    variant("sender.reply-to-freemail", "only-a-reply"),
                    ", and the message has nothing to click or open: it only wants you to write back",
                )
            } else {
                (weight("sender.reply-to-freemail"), "")
            };
            found.push(Indicator::new(
                "sender.reply-to-freemail",
                weight,
                format!(
                    "Replies go to a free mailbox ({}) instead of the sender's own domain {}{why}.",
                    reply.address, from.domain
                ),
                reply.address.clone(),
            ));
        }
    }
    auth_failures(mail, context, found);
}

/// The pseudo authserv-id for Microsoft 365 and Outlook.com, whose Authentication-Results headers
/// carry no authserv-id (against RFC 8601) but always end with Microsoft's `compauth=` verdict.
pub const MICROSOFT_365_AUTHSERV: &str = "microsoft365";

/// The receiving server that wrote an Authentication-Results header: its authserv-id, or
/// `microsoft365` for Exchange Online's id-less format.
fn authserv_id(header: &str) -> String {
    let first = header
        .split(';')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_lowercase();
    if first.contains('=') {
        if header.to_lowercase().contains("compauth=") {
            return MICROSOFT_365_AUTHSERV.to_string();
        }
        return String::new();
    }
    first
}

/// SPF, DKIM and DMARC failures reported by a receiving server the user trusts. Only failures
/// count: a header a sender forged to claim a failure would only hurt that sender.
fn auth_failures(mail: &Mail, context: &Context, found: &mut Vec<Indicator>) {
    let trusted = &context.settings.trusted_authserv;
    if trusted.is_empty() {
        return;
    }
    for header in &mail.auth_results {
        let authserv = authserv_id(header);
        if authserv.is_empty() || !trusted.contains(&authserv) {
            continue;
        }
        let lower = header.to_lowercase();
        let result = |method: &str| {
            lower.split(';').find_map(|clause| {
                clause
                    .trim()
                    .strip_prefix(method)
                    .map(|r| r.split_whitespace().next().unwrap_or("").to_string())
            })
        };
        let dmarc_failed = result("dmarc=").as_deref() == Some("fail");
        let id = "sender.authentication-failed";
        for (method, fail_weight, soft_weight) in [
            ("dmarc=", variant(id, "dmarc"), 0.0),
            ("spf=", variant(id, "spf"), variant(id, "spf-softfail")),
            ("dkim=", variant(id, "dkim"), 0.0),
            // Microsoft's composite verdict (SPF, DKIM, DMARC and its own sender reputation);
            // counted only when DMARC has not already failed, since it includes DMARC.
            (
                "compauth=",
                if dmarc_failed {
                    0.0
                } else {
                    variant(id, "compauth")
                },
                0.0,
            ),
        ] {
            match result(method).as_deref() {
                Some("fail") if fail_weight > 0.0 => found.push(Indicator::new(
                    "sender.authentication-failed",
                    fail_weight,
                    format!("Your mail server ({authserv}) found that the message failed {} checks: the sender is probably forged.", method.trim_end_matches('=').to_uppercase()),
                    format!("{method}fail"),
                )),
                Some("softfail") if soft_weight > 0.0 => found.push(Indicator::new(
                    "sender.authentication-failed",
                    soft_weight,
                    format!("Your mail server ({authserv}) reports an SPF soft failure: the sending server is not one the domain uses."),
                    "spf=softfail".to_string(),
                )),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disguised_names_are_read_as_people_read_them() {
        assert_eq!(undisguised("Ledger Iive"), "ledger live");
        assert_eq!(undisguised("Amie from Iedger"), "amie from ledger");
        assert_eq!(undisguised("eBay BiIIing"), "ebay billing");
        assert_eq!(undisguised("Co\u{337}rreio\u{337}s"), "correios");
        assert_eq!(undisguised("\u{39c}etam\u{430}sk"), "metamask");
        assert_eq!(
            undisguised("\u{41c}\u{43e}\u{441}\u{43a}\u{432}\u{430}"),
            "\u{43c}\u{43e}\u{441}\u{43a}\u{432}\u{430}"
        );
        assert_eq!(undisguised("Ap\u{73f}pl\u{73f}e ID"), "apple id");
        assert_eq!(undisguised("C0NSUMER REWARDS"), "consumer rewards");
        assert_eq!(undisguised("IBM Support"), "ibm support");
        assert_eq!(undisguised("Suite 100"), "suite 100");
    }

    #[test]
    fn machine_made_domains() {
        assert!(generated_domain_reason("d5pvjttquw.com").is_some());
        assert!(generated_domain_reason("a.d.b.u.d.b.n.wizzo.example").is_some());
        assert!(generated_domain_reason("x-ny-io-k-uk-unv-nx-vz41.dabdob.work").is_some());
        assert!(generated_domain_reason("mail.hospital.example").is_none());
        assert!(generated_domain_reason("web2print.example").is_none());
        assert!(generated_domain_reason("lists.sourceforge.net").is_none());
    }

    #[test]
    fn decorated_names() {
        assert!(decorated_name("*Congratulations#").is_some());
        assert!(decorated_name("#el_ROyale_Casino#").is_some());
        assert!(decorated_name("Your_Reward_Center").is_some());
        assert!(decorated_name("Mary O'Brien").is_none());
        assert!(decorated_name("first_last").is_none());
        assert!(decorated_name("[ILUG] list").is_none());
    }

    #[test]
    fn free_hosting_tenants() {
        let catalog = MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            free_hosting_tenant("casino-win-7f3.firebaseapp.com", &catalog),
            Some("firebaseapp.com")
        );
        assert_eq!(free_hosting_tenant("dropbox.com", &catalog), None);
        assert_eq!(free_hosting_tenant("mail.dropbox.com", &catalog), None);
        assert_eq!(free_hosting_tenant("examplehealth.org", &catalog), None);
    }

    #[test]
    fn authserv_ids() {
        assert_eq!(
            authserv_id("mx.clinic.example; spf=fail"),
            "mx.clinic.example"
        );
        assert_eq!(
            authserv_id(
                "spf=fail (sender IP is 192.0.2.1) smtp.mailfrom=a.example; dmarc=fail header.from=a.example;compauth=fail reason=000"
            ),
            MICROSOFT_365_AUTHSERV
        );
        assert_eq!(authserv_id("spf=fail smtp.mailfrom=a.example"), "");
    }

    #[test]
    fn brand_tokens_in_domains() {
        let catalog = MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        let brand =
            |label: &str| label_brand(label, &catalog).map(|i| catalog.brands[i].name.as_str());
        assert_eq!(brand("paypal-secure"), Some("PayPal"));
        assert_eq!(brand("securepaypal"), Some("PayPal"));
        assert_eq!(brand("account-paypal-check"), Some("PayPal"));
        assert_eq!(brand("shagmail"), None);
        assert_eq!(brand("netflixprize"), None);
    }
}
