//! Mail data from `catalog/`: impersonated brands, link services and lure phrases.

use serde::Deserialize;

const BRANDS_TOML: &str = include_str!("../../../catalog/mail-brands.toml");
const LINK_SERVICES_TOML: &str = include_str!("../../../catalog/mail-link-services.toml");
const LURES_TOML: &str = include_str!("../../../catalog/mail-lures.toml");

/// A brand or authority and the domains it really uses.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// Name for people.
    pub name: String,
    /// Words that name it in a display name or a domain.
    pub names: Vec<String>,
    /// Its real domains.
    pub domains: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBrands {
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
        let lower = |list: &mut Vec<String>| list.iter_mut().for_each(|s| *s = s.to_lowercase());
        for brand in &mut brands.brand {
            lower(&mut brand.names);
            lower(&mut brand.domains);
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
            &mut lures.urgency,
            &mut lures.invoice,
            &mut lures.voicemail,
            &mut lures.shared_document,
            &mut lures.delivery,
            &mut lures.health_authority,
            &mut lures.prize,
        ] {
            lower(list);
        }
        Ok(MailCatalog {
            brands: brands.brand,
            links,
            lures,
        })
    }
}

/// Whether `host` is `domain` or one of its subdomains.
pub fn host_matches(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// Whether `host` falls under any entry of `list`.
pub fn host_in(host: &str, list: &[String]) -> bool {
    list.iter().any(|d| host_matches(host, d))
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
    }
}
