//! Mail data from `catalog/`: impersonated brands, link services and lure phrases.

use serde::Deserialize;

const BRANDS_TOML: &str = include_str!("../../../catalog/mail-brands.toml");
const LINK_SERVICES_TOML: &str = include_str!("../../../catalog/mail-link-services.toml");
const LURES_TOML: &str = include_str!("../../../catalog/mail-lures.toml");
const PROVIDERS_TOML: &str = include_str!("../../../catalog/mail-providers.toml");

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
    /// Its `.com` domains under the country suffixes of `country_suffixes` (yahoo.com.au,
    /// amazon.de), built when the catalog is loaded.
    #[serde(skip)]
    pub country_domains: Vec<String>,
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
}

/// One kind of scam offer and the phrases that mark it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScamKind {
    /// What the reader is told ("online gambling").
    pub kind: String,
    /// Lower-case phrases; two different ones must occur.
    pub phrases: Vec<String>,
}

/// A list of phrases found in one pass over a text (Aho-Corasick), on whole words only.
#[derive(Debug, Clone)]
pub struct PhraseSet {
    phrases: Vec<String>,
    automaton: Option<aho_corasick::AhoCorasick>,
}

impl PhraseSet {
    /// Builds the matcher for lower-case phrases.
    pub fn new(phrases: &[String]) -> PhraseSet {
        let automaton = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(phrases)
            .ok();
        PhraseSet {
            phrases: phrases.to_vec(),
            automaton,
        }
    }

    /// Up to three distinct phrases that occur in `text` (lower-case) as whole words.
    pub fn hits(&self, text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = Vec::new();
        let Some(automaton) = &self.automaton else {
            return found;
        };
        for m in automaton.find_overlapping_iter(text) {
            let before = text[..m.start()]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after = text[m.end()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            let phrase = self.phrases[m.pattern().as_usize()].as_str();
            if before && after && !found.contains(&phrase) {
                found.push(phrase);
                if found.len() == 3 {
                    break;
                }
            }
        }
        found
    }
}

/// The lure lists as matchers.
#[derive(Debug, Clone)]
pub struct LureMatchers {
    /// Credential requests.
    pub credential: PhraseSet,
    /// Deadlines and threats.
    pub urgency: PhraseSet,
    /// Pretexts by kind, with a description for people.
    pub pretexts: Vec<(&'static str, PhraseSet)>,
    /// Scam offers by kind, with a description for people.
    pub scams: Vec<(String, PhraseSet)>,
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
    pub brand_domain_finder: Option<aho_corasick::AhoCorasick>,
    /// The brand index of each `brand_domain_finder` pattern.
    pub brand_of: Vec<usize>,
    /// Mail providers whose Authentication-Results `mail imap` trusts on their own servers.
    pub providers: Vec<Provider>,
}

/// A catalog file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("catalog/{file} is not valid: {message}")]
pub struct MailCatalogError {
    file: &'static str,
    message: String,
}

impl MailCatalog {
    /// The catalog compiled into this program, lower-cased for matching.
    pub fn builtin() -> Result<MailCatalog, MailCatalogError> {
        let err = |file: &'static str| {
            move |e: toml::de::Error| MailCatalogError {
                file,
                message: e.to_string(),
            }
        };
        let mut brands: RawBrands = toml::from_str(BRANDS_TOML).map_err(err("mail-brands.toml"))?;
        let mut links: LinkServices =
            toml::from_str(LINK_SERVICES_TOML).map_err(err("mail-link-services.toml"))?;
        let mut lures: Lures = toml::from_str(LURES_TOML).map_err(err("mail-lures.toml"))?;
        let mut providers: RawProviders =
            toml::from_str(PROVIDERS_TOML).map_err(err("mail-providers.toml"))?;
        for provider in &mut providers.provider {
            provider
                .imap_hosts
                .iter_mut()
                .for_each(|h| *h = h.to_lowercase());
            provider.authserv_id = provider.authserv_id.to_lowercase();
        }
        let lower = |list: &mut Vec<String>| list.iter_mut().for_each(|s| *s = s.to_lowercase());
        lower(&mut brands.country_suffixes);
        for brand in &mut brands.brand {
            lower(&mut brand.names);
            lower(&mut brand.exact_names);
            lower(&mut brand.domains);
            brand.country_domains = brand
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
        let matchers = LureMatchers {
            credential: PhraseSet::new(&lures.credential),
            urgency: PhraseSet::new(&lures.urgency),
            pretexts: vec![
                ("an unpaid invoice", PhraseSet::new(&lures.invoice)),
                ("a voicemail", PhraseSet::new(&lures.voicemail)),
                ("a shared document", PhraseSet::new(&lures.shared_document)),
                ("a parcel delivery", PhraseSet::new(&lures.delivery)),
                (
                    "a health authority",
                    PhraseSet::new(&lures.health_authority),
                ),
                ("a prize or reward", PhraseSet::new(&lures.prize)),
                (
                    "a court or police threat",
                    PhraseSet::new(&lures.legal_threat),
                ),
            ],
            scams: lures
                .scam
                .iter()
                .map(|scam| (scam.kind.clone(), PhraseSet::new(&scam.phrases)))
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
        let mut patterns = Vec::new();
        let mut brand_of = Vec::new();
        for (index, brand) in brands.brand.iter().enumerate() {
            for domain in &brand.domains {
                patterns.push(domain.clone());
                brand_of.push(index);
            }
        }
        let brand_domain_finder = aho_corasick::AhoCorasick::new(&patterns).ok();
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
        })
    }

    /// The provider that runs the IMAP server `host`, if it is a known one.
    pub fn provider_for_imap_host(&self, host: &str) -> Option<&Provider> {
        let host = host.trim_end_matches('.').to_lowercase();
        self.providers
            .iter()
            .find(|p| p.imap_hosts.iter().any(|h| *h == host))
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
    fn builtin_catalog_loads() {
        let catalog = MailCatalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(catalog.brands.iter().any(|b| b.name == "PayPal"));
        assert!(host_in("us1.list-manage.com", &catalog.links.trackers));
        assert!(!host_matches("evillist-manage.com", "list-manage.com"));
        let set = PhraseSet::new(&["facture".to_string(), "verify your account".to_string()]);
        assert!(set.hits("manufacture").is_empty());
        assert_eq!(
            set.hits("please verify your account now"),
            vec!["verify your account"]
        );
        assert_eq!(
            catalog
                .provider_for_imap_host("Outlook.Office365.com")
                .map(|p| p.authserv_id.as_str()),
            Some("microsoft365")
        );
        assert!(catalog.provider_for_imap_host("imap.clinic.example").is_none());
        let yahoo = catalog.brands.iter().find(|b| b.name == "Yahoo");
        assert!(yahoo.is_some_and(|b| b.country_domains.iter().any(|d| d == "yahoo.com.au")));
    }
}
