//! Mail data from `catalog/`: impersonated brands, link services and lure phrases.

use hygeia_core::catalog_files::{self, CatalogFileError};
use serde::Deserialize;

/// A brand or authority and the domains it really uses.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// Name for people.
    pub name: String,
    /// Words that name it in a display name or a domain.
    #[serde(default)]
    pub names: Vec<String>,
    /// Ambiguous short names that count only as the whole display name (or with a department
    /// word after them).
    #[serde(default)]
    pub exact_names: Vec<String>,
    /// Its real domains.
    pub domains: Vec<String>,
    /// Top-level domains the brand itself owns (".microsoft", ".google": dot-brand TLDs that
    /// no one else can register under), without the dot.
    #[serde(default)]
    pub tlds: Vec<String>,
    /// `government` for an agency: bulk services that send only for agencies
    /// (`sends_for = "government"` in `mail-senders.toml`) send in its name.
    #[serde(default)]
    pub kind: Option<String>,
    /// Its name is white-labelled: customers send under it from their own domains (Epic's
    /// MyChart, sent by each health system). Such a sender is the brand's customer, not an
    /// impersonator, unless its mail leads somewhere other than its own site.
    #[serde(default)]
    pub white_label: bool,
    /// Every domain it owns, sorted for [`host_in`]: `domains` plus its `.com` domains under
    /// the country suffixes of `country_suffixes` (yahoo.com.au, amazon.de). Built on load.
    #[serde(skip)]
    pub owned_domains: Vec<String>,
}

/// Department words that may follow an exact brand name ("Chase Security").
const DEPARTMENTS: [&str; 10] = [
    "team",
    "support",
    "security",
    "service",
    "services",
    "notification",
    "notifications",
    "alert",
    "alerts",
    "billing",
];

/// A service that sends mail on behalf of other organisations (`catalog/mail-senders.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendingService {
    /// Name for people.
    pub name: String,
    /// Where it sends from.
    pub domains: Vec<String>,
    /// Its click-tracking redirect hosts.
    pub link_hosts: Vec<String>,
    /// The kind of brand it sends in the name of: `government` (agencies only) or `businesses`
    /// (any brand without a kind); none when it only carries the sender's own mail.
    #[serde(default)]
    pub sends_for: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSenders {
    service: Vec<SendingService>,
}

/// A mail provider whose delivered mail always carries its Authentication-Results.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Name for people.
    pub name: String,
    /// Its IMAP servers.
    pub imap_hosts: Vec<String>,
    /// The authserv-id it writes (`microsoft365` for Microsoft's id-less headers).
    pub authserv_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProviders {
    provider: Vec<Provider>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBrands {
    country_suffixes: Vec<String>,
    brand: Vec<Brand>,
}

/// Link hosts that matter to the link indicators.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkServices {
    /// Click trackers and safe-link redirectors.
    pub trackers: Vec<String>,
    /// Multi-tenant services missing from the Public Suffix List (read by
    /// [`crate::url::registrable_domain`]).
    pub tenant_suffixes: Vec<String>,
    /// URL shorteners.
    pub shorteners: Vec<String>,
    /// Free hosting, forms and file sharing.
    pub free_hosting: Vec<String>,
    /// Free mailbox providers.
    pub freemail: Vec<String>,
    /// Display-name words of organizations and departments.
    pub organization_words: Vec<String>,
    /// Top-level domains with the highest abuse rates.
    pub abused_tlds: Vec<String>,
}

/// Lure phrases by kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lures {
    /// Requests for credentials or payment details.
    pub credential: Vec<String>,
    /// Verbs of a credential request ("verify").
    pub credential_verbs: Vec<String>,
    /// Objects of a credential request ("account").
    pub credential_objects: Vec<String>,
    /// Words that address the reader ("your"), required between a verb and its object.
    pub credential_reader_words: Vec<String>,
    /// Deadlines and threats.
    pub urgency: Vec<String>,
    /// Invoice pretexts.
    pub invoice: Vec<String>,
    /// Voicemail pretexts.
    pub voicemail: Vec<String>,
    /// Shared-document pretexts.
    pub shared_document: Vec<String>,
    /// Delivery pretexts.
    pub delivery: Vec<String>,
    /// Health-authority pretexts.
    pub health_authority: Vec<String>,
    /// Prize pretexts.
    pub prize: Vec<String>,
    /// Threats of court or police action.
    pub legal_threat: Vec<String>,
    /// Offers that hardly exist outside scams, by kind.
    pub scam: Vec<ScamKind>,
    /// Words phishing writes with a capital I for their first l ("Iog in", "Iocked"), as they
    /// should read, lower-case.
    pub l_words: Vec<String>,
}

/// One kind of scam offer and the phrases that mark it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScamKind {
    /// What the reader is told ("online gambling").
    pub kind: String,
    /// Lower-case phrases; two different ones must occur.
    pub phrases: Vec<String>,
    /// Weight of the evidence when this kind is found (2.0 unless the catalog says otherwise).
    #[serde(default = "default_scam_weight")]
    pub weight: f32,
}

fn default_scam_weight() -> f32 {
    2.0
}

/// Several lists of phrases, all found in one pass over a text (Aho-Corasick), on whole words
/// only.
#[derive(Debug, Clone)]
pub struct PhraseIndex {
    lists: Vec<Vec<String>>,
    automaton: Option<aho_corasick::AhoCorasick>,
    /// Pattern i is phrase `owner[i].1` of list `owner[i].0`.
    owner: Vec<(usize, usize)>,
}

impl PhraseIndex {
    /// Builds the matcher for lists of lower-case phrases.
    pub fn new(lists: Vec<Vec<String>>) -> PhraseIndex {
        let mut patterns = Vec::new();
        let mut owner = Vec::new();
        for (list, phrases) in lists.iter().enumerate() {
            for (index, phrase) in phrases.iter().enumerate() {
                patterns.push(phrase.as_str());
                owner.push((list, index));
            }
        }
        let automaton = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(&patterns)
            .ok();
        PhraseIndex {
            lists,
            automaton,
            owner,
        }
    }

    /// For each list, up to three distinct phrases that occur in `text` (lower-case) as whole
    /// words, in the order in which they end in the text.
    pub fn hits(&self, text: &str) -> Vec<Vec<&str>> {
        let mut found: Vec<Vec<&str>> = vec![Vec::new(); self.lists.len()];
        let Some(automaton) = &self.automaton else {
            return found;
        };
        for m in automaton.find_overlapping_iter(text) {
            let Some(&(list, index)) = self.owner.get(m.pattern().as_usize()) else {
                continue;
            };
            if found[list].len() == 3 {
                continue;
            }
            let before = text[..m.start()]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after = text[m.end()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            let phrase = self.lists[list][index].as_str();
            if before && after && !found[list].contains(&phrase) {
                found[list].push(phrase);
            }
        }
        found
    }
}

/// The lure lists as matchers.
#[derive(Debug, Clone)]
pub struct LureMatchers {
    /// Every phrase list: credential requests, then urgency, then the pretexts in the order of
    /// `pretext_kinds`, then the scams in the order of `scam_kinds`.
    pub phrases: PhraseIndex,
    /// Request verbs ("verify"), found in one pass; pattern i is `Lures::credential_verbs[i]`.
    pub credential_verbs: aho_corasick::AhoCorasick,
    /// What each pretext is, for people ("a voicemail").
    pub pretext_kinds: Vec<&'static str>,
    /// What each scam is, for people ("online gambling"), and its weight.
    pub scam_kinds: Vec<(String, f32)>,
}

/// The lure phrases found in one text.
#[derive(Debug, Default)]
pub struct LureHits<'a> {
    /// Credential requests.
    pub credential: Vec<&'a str>,
    /// Deadlines and threats.
    pub urgency: Vec<&'a str>,
    /// Each pretext kind found, with its first phrase.
    pub pretexts: Vec<(&'a str, &'a str)>,
    /// Each scam kind with its weight and the phrases of it that were found (up to three).
    pub scams: Vec<(&'a str, f32, Vec<&'a str>)>,
}

impl LureMatchers {
    /// Every lure phrase in `text` (lower-case), in one pass.
    pub fn find<'a>(&'a self, text: &str) -> LureHits<'a> {
        let mut lists = self.phrases.hits(text).into_iter();
        let mut next = || lists.next().unwrap_or_default();
        let credential = next();
        let urgency = next();
        let pretexts = self
            .pretext_kinds
            .iter()
            .filter_map(|kind| next().first().map(|p| (*kind, *p)))
            .collect();
        let scams = self
            .scam_kinds
            .iter()
            .map(|(kind, weight)| (kind.as_str(), *weight, next()))
            .filter(|(_, _, hits)| !hits.is_empty())
            .collect();
        LureHits {
            credential,
            urgency,
            pretexts,
            scams,
        }
    }
}

/// Everything the mail indicators read from `catalog/`.
#[derive(Debug, Clone)]
pub struct MailCatalog {
    /// Brands.
    pub brands: Vec<Brand>,
    /// Link services.
    pub links: LinkServices,
    /// Lures.
    pub lures: Lures,
    /// Lures, ready for matching.
    pub matchers: LureMatchers,
    /// Every brand's domains, sorted (for [`host_in`]).
    pub brand_domains: Vec<String>,
    /// Finds brand domains written inside a text; pattern i belongs to brand `brand_of[i]`.
    pub brand_domain_finder: aho_corasick::AhoCorasick,
    /// The brand index of each `brand_domain_finder` pattern.
    pub brand_of: Vec<usize>,
    /// Mail providers whose Authentication-Results `mail imap` trusts on their own servers.
    pub providers: Vec<Provider>,
    /// Services that send for other organisations.
    pub senders: Vec<SendingService>,
    /// Every brand's owned domains together, sorted (for [`MailCatalog::owned_by_a_brand`]).
    pub all_owned_domains: Vec<String>,
    /// The name part of every brand domain of five letters or more ("paypal"), with its brand.
    pub brand_labels: Vec<(String, usize)>,
    /// Every brand name (`names`), found in one pass; pattern i belongs to brand
    /// `name_brand_of[i]`.
    pub brand_name_finder: aho_corasick::AhoCorasick,
    /// The brand index of each `brand_name_finder` pattern.
    pub name_brand_of: Vec<usize>,
    /// One-word brand names and brand domain names of five letters or more, each with the
    /// first brand that has it: what an address's local part may name ("paypal-service@").
    pub local_part_names: std::collections::HashMap<String, usize>,
    /// One-word brand names (`names`) of five letters or more, each with the first brand that
    /// has it: what a domain label may name ("paypal-login.example").
    pub domain_token_names: std::collections::HashMap<String, usize>,
}

/// A catalog file that cannot be used, with its file, line and column.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct MailCatalogError(#[from] CatalogFileError);

impl MailCatalog {
    /// The catalog compiled into this program, lower-cased for matching.
    pub fn builtin() -> Result<MailCatalog, MailCatalogError> {
        crate::weights::Weights::builtin()?;
        let mut brands: RawBrands = catalog_files::read("mail-brands.toml")?;
        let mut links: LinkServices = catalog_files::read("mail-link-services.toml")?;
        let lower = |list: &mut Vec<String>| list.iter_mut().for_each(|s| *s = s.to_lowercase());
        let mut lures: Lures = catalog_files::read("mail-lures.toml")?;
        let mut providers: RawProviders = catalog_files::read("mail-providers.toml")?;
        let mut senders: RawSenders = catalog_files::read("mail-senders.toml")?;
        for service in &mut senders.service {
            lower(&mut service.domains);
            lower(&mut service.link_hosts);
            // A sending service's tracking hosts are click trackers like any other.
            links.trackers.extend(service.link_hosts.iter().cloned());
        }
        for provider in &mut providers.provider {
            provider
                .imap_hosts
                .iter_mut()
                .for_each(|h| *h = h.to_lowercase());
            provider.authserv_id = provider.authserv_id.to_lowercase();
        }
        lower(&mut brands.country_suffixes);
        for brand in &mut brands.brand {
            lower(&mut brand.names);
            lower(&mut brand.exact_names);
            lower(&mut brand.domains);
            let country_sites: Vec<String> = brand
                .domains
                .iter()
                .filter_map(|d| d.strip_suffix(".com"))
                .filter(|label| !label.contains('.'))
                .flat_map(|label| {
                    brands
                        .country_suffixes
                        .iter()
                        .map(move |suffix| format!("{label}.{suffix}"))
                })
                .collect();
            lower(&mut brand.tlds);
            brand.owned_domains = brand
                .domains
                .iter()
                .cloned()
                .chain(country_sites)
                .chain(brand.tlds.iter().cloned())
                .collect();
            brand.owned_domains.sort();
            brand.owned_domains.dedup();
        }
        for list in [
            &mut links.trackers,
            &mut links.shorteners,
            &mut links.free_hosting,
            &mut links.freemail,
        ] {
            lower(list);
        }
        for list in [
            &mut lures.credential,
            &mut lures.credential_verbs,
            &mut lures.credential_objects,
            &mut lures.credential_reader_words,
            &mut lures.urgency,
            &mut lures.invoice,
            &mut lures.voicemail,
            &mut lures.shared_document,
            &mut lures.delivery,
            &mut lures.health_authority,
            &mut lures.prize,
            &mut lures.legal_threat,
        ] {
            lower(list);
        }
        for scam in &mut lures.scam {
            lower(&mut scam.phrases);
        }
        let pretexts: [(&'static str, &Vec<String>); 7] = [
            ("an unpaid invoice", &lures.invoice),
            ("a voicemail", &lures.voicemail),
            ("a shared document", &lures.shared_document),
            ("a parcel delivery", &lures.delivery),
            ("a health authority", &lures.health_authority),
            ("a prize or reward", &lures.prize),
            ("a court or police threat", &lures.legal_threat),
        ];
        let mut lists = vec![lures.credential.clone(), lures.urgency.clone()];
        lists.extend(pretexts.iter().map(|(_, list)| (*list).clone()));
        lists.extend(lures.scam.iter().map(|scam| scam.phrases.clone()));
        // A finder that cannot be built is a broken catalog, said as such: never a check that
        // quietly stops finding anything.
        let finder = |file: &'static str, patterns: &[&str]| {
            aho_corasick::AhoCorasick::new(patterns).map_err(|e| {
                MailCatalogError(catalog_files::invalid(
                    file,
                    None,
                    format!("its phrases cannot be searched for: {e}"),
                ))
            })
        };
        let verbs: Vec<&str> = lures.credential_verbs.iter().map(String::as_str).collect();
        let matchers = LureMatchers {
            phrases: PhraseIndex::new(lists),
            credential_verbs: finder("mail-lures.toml", &verbs)?,
            pretext_kinds: pretexts.iter().map(|(kind, _)| *kind).collect(),
            scam_kinds: lures
                .scam
                .iter()
                .map(|scam| (scam.kind.clone(), scam.weight))
                .collect(),
        };
        for list in [
            &mut links.trackers,
            &mut links.shorteners,
            &mut links.free_hosting,
            &mut links.freemail,
        ] {
            list.sort();
            list.dedup();
        }
        let mut all_owned_domains: Vec<String> = brands
            .brand
            .iter()
            .flat_map(|b| b.owned_domains.iter().cloned())
            .collect();
        all_owned_domains.sort();
        all_owned_domains.dedup();
        let mut brand_labels: Vec<(String, usize)> = Vec::new();
        let mut name_patterns: Vec<&str> = Vec::new();
        let mut name_brand_of = Vec::new();
        for (index, brand) in brands.brand.iter().enumerate() {
            for domain in &brand.domains {
                let registrable = crate::url::registrable_domain(domain);
                let label = registrable.split('.').next().unwrap_or("").to_string();
                if label.len() >= 5 && !brand_labels.iter().any(|(l, _)| *l == label) {
                    brand_labels.push((label, index));
                }
            }
            for name in &brand.names {
                name_patterns.push(name);
                name_brand_of.push(index);
            }
        }
        let brand_name_finder = finder("mail-brands.toml", &name_patterns)?;
        let mut domain_token_names = std::collections::HashMap::new();
        for (index, brand) in brands.brand.iter().enumerate() {
            for name in brand
                .names
                .iter()
                .filter(|n| n.len() >= 5 && !n.contains(' '))
            {
                domain_token_names.entry(name.clone()).or_insert(index);
            }
        }
        let mut local_part_names = std::collections::HashMap::new();
        for (index, brand) in brands.brand.iter().enumerate() {
            let names = brand.names.iter().filter(|n| !n.contains(' ')).cloned();
            let labels = brand.domains.iter().filter_map(|d| {
                let registrable = crate::url::registrable_domain(d);
                registrable.split('.').next().map(str::to_string)
            });
            for name in names.chain(labels).filter(|n| n.len() >= 5) {
                local_part_names.entry(name).or_insert(index);
            }
        }
        let mut patterns = Vec::new();
        let mut brand_of = Vec::new();
        for (index, brand) in brands.brand.iter().enumerate() {
            for domain in &brand.domains {
                patterns.push(domain.clone());
                brand_of.push(index);
            }
        }
        let domain_patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
        let brand_domain_finder = finder("mail-brands.toml", &domain_patterns)?;
        let mut brand_domains = patterns;
        brand_domains.sort();
        brand_domains.dedup();
        Ok(MailCatalog {
            brands: brands.brand,
            links,
            lures,
            matchers,
            brand_domains,
            brand_domain_finder,
            brand_of,
            providers: providers.provider,
            senders: senders.service,
            all_owned_domains,
            brand_labels,
            brand_name_finder,
            name_brand_of,
            local_part_names,
            domain_token_names,
        })
    }

    /// The brands a display name (lower-case) names, in catalog order: one of a brand's `names`
    /// as a whole word, or one of its `exact_names` as the whole name (optionally followed by a
    /// department word such as "Support").
    pub fn brands_named(&self, display_lower: &str) -> Vec<usize> {
        // "Trust-Wallet", "#Harbor_Freight_Rewards#": hyphens and underscores join words.
        let spaced = display_lower.replace(['-', '_'], " ");
        let display_lower = spaced.as_str();
        let mut named: Vec<usize> = Vec::new();
        for m in self.brand_name_finder.find_overlapping_iter(display_lower) {
            let before = display_lower[..m.start()]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after = display_lower[m.end()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            if before
                && after
                && let Some(&brand) = self.name_brand_of.get(m.pattern().as_usize())
            {
                named.push(brand);
            }
        }
        let trimmed = display_lower
            .trim()
            .trim_matches(|c: char| !c.is_alphanumeric());
        // "Katie from Ledger": a person of the brand; the brand is what follows "from".
        let trimmed = trimmed
            .rsplit_once(" from ")
            .map(|(_, brand)| brand.trim())
            .unwrap_or(trimmed);
        // "Support Team, Ledger©": department words, a comma, then the name. ("Smith, Chase",
        // a person's name written last name first, has no department before the comma.)
        let trimmed = match trimmed.split_once(',') {
            Some((before, after))
                if !before.trim().is_empty()
                    && before
                        .split_whitespace()
                        .all(|w| DEPARTMENTS.contains(&w) || w == "customer") =>
            {
                after.trim().trim_matches(|c: char| !c.is_alphanumeric())
            }
            _ => trimmed,
        };
        for (index, brand) in self.brands.iter().enumerate() {
            // "Chase Security", "Meta-support", and "GLS | Seguimiento del paquete": a name
            // followed by a department word, or by a bar or colon that starts a description.
            let exact = brand.exact_names.iter().any(|exact| {
                trimmed == exact
                    || trimmed.strip_prefix(exact.as_str()).is_some_and(|rest| {
                        let department = rest.trim();
                        DEPARTMENTS.contains(&department)
                            || rest.trim_start().starts_with(['|', ':'])
                    })
            });
            if exact {
                named.push(index);
            }
        }
        named.sort_unstable();
        named.dedup();
        named
    }

    /// Whether `host` belongs to one of the catalog's brands.
    pub fn owned_by_a_brand(&self, host: &str) -> bool {
        host_in(host, &self.all_owned_domains)
    }

    /// Whether mail from `domain` may carry `brand`'s name: the brand's own domains, or a
    /// service that sends for brands of its kind (`government`: GovDelivery for agencies;
    /// `businesses`, every brand without a kind: invoice and signature platforms).
    pub fn sends_for(&self, brand: &Brand, domain: &str) -> bool {
        if host_in(domain, &brand.owned_domains) {
            return true;
        }
        let kind = brand.kind.as_deref().unwrap_or("businesses");
        self.senders.iter().any(|service| {
            service.sends_for.as_deref() == Some(kind)
                && service.domains.iter().any(|d| host_matches(domain, d))
        })
    }

    /// The brand a one-word name in a domain label names, if any.
    pub fn domain_token_brand(&self, name: &str) -> Option<usize> {
        self.domain_token_names.get(name).copied()
    }

    /// The brand a token of an address's local part names, if any.
    pub fn local_part_brand(&self, token: &str) -> Option<usize> {
        self.local_part_names.get(token).copied()
    }

    /// The provider that runs the IMAP server `host`, if it is a known one.
    pub fn provider_for_imap_host(&self, host: &str) -> Option<&Provider> {
        let host = host.trim_end_matches('.').to_lowercase();
        self.providers.iter().find(|p| p.imap_hosts.contains(&host))
    }
}

/// Whether `host` is `domain` or one of its subdomains.
pub fn host_matches(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// Whether `host` falls under any entry of `list`, which must be sorted: each parent domain of
/// the host is looked up (a few binary searches instead of a scan of the list).
pub fn host_in(host: &str, list: &[String]) -> bool {
    let mut rest = host;
    loop {
        if list.binary_search_by(|d| d.as_str().cmp(rest)).is_ok() {
            return true;
        }
        match rest.split_once('.') {
            Some((_, parent)) if !parent.is_empty() => rest = parent,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_names_in_display_names() {
        let catalog = MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        let named = |name: &str| -> Vec<&str> {
            catalog
                .brands_named(name)
                .into_iter()
                .map(|i| catalog.brands[i].name.as_str())
                .collect()
        };
        assert_eq!(named("ledger"), ["Ledger"]);
        assert_eq!(named("support team, ledger\u{a9}"), ["Ledger"]);
        assert_eq!(named("katie from ledger"), ["Ledger"]);
        assert_eq!(named("fb-support"), ["Facebook / Meta"]);
        assert_eq!(named("gls | seguimiento del paquete"), ["GLS"]);
        assert_eq!(named("trust-wallet ltd"), ["Trust Wallet"]);
        // A person's name, last name first, and a word that is only part of a name.
        assert!(named("smith, chase").is_empty());
        assert!(named("ledger of accounts").is_empty());
    }

    #[test]
    fn builtin_catalog_loads() {
        let catalog = MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(catalog.brands.iter().any(|b| b.name == "PayPal"));
        let mut names: Vec<&str> = catalog.brands.iter().map(|b| b.name.as_str()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(
            names.len(),
            before,
            "a brand is listed twice in mail-brands.toml"
        );
        assert!(host_in("us1.list-manage.com", &catalog.links.trackers));
        assert!(!host_matches("evillist-manage.com", "list-manage.com"));
        let index = PhraseIndex::new(vec![
            vec!["facture".to_string()],
            vec!["verify your account".to_string(), "verify".to_string()],
        ]);
        assert_eq!(index.hits("manufacture"), vec![Vec::<&str>::new(), vec![]]);
        assert_eq!(
            index.hits("please verify your account now"),
            vec![vec![], vec!["verify", "verify your account"]]
        );
        assert_eq!(
            catalog
                .provider_for_imap_host("Outlook.Office365.com")
                .map(|p| p.authserv_id.as_str()),
            Some("microsoft365")
        );
        assert!(
            catalog
                .provider_for_imap_host("imap.clinic.example")
                .is_none()
        );
        let yahoo = catalog.brands.iter().find(|b| b.name == "Yahoo");
        assert!(yahoo.is_some_and(|b| host_in("uk.yahoo.com.au", &b.owned_domains)));
    }
}
