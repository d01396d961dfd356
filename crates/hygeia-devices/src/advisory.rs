//! The one internal shape every advisory source becomes: CSAF documents, NVD CVE records and
//! the embedded operating-system catalog all turn into [`Advisory`] values, so matching and
//! priority never care where a record came from.

use crate::spec::VersionSpec;
use crate::version::Version;
use serde::Serialize;

/// Where an advisory came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// A CSAF 2.0 document (CISA ICSMA/ICSA or a vendor's).
    Csaf,
    /// An NVD CVE API 2.0 record.
    Nvd,
    /// `catalog/device-os.toml`: vulnerabilities of embedded operating systems past support.
    OsCatalog,
}

/// One product entry of an advisory.
#[derive(Debug, Clone)]
pub struct Product {
    /// The advisory's product id (CSAF `product_id`, or a generated one).
    pub id: String,
    /// Vendor as written.
    pub vendor: String,
    /// Product name as written.
    pub name: String,
    /// Version or range as written.
    pub version_text: String,
    /// The versions it covers.
    pub spec: VersionSpec,
    /// A fixed version read from the remediation text ("update to version 3.0 or later").
    pub fixed_in: Option<Version>,
    /// An operating system (NVD part `o`, or the OS catalog): matched against the device's OS.
    pub is_os: bool,
    /// Model numbers and SKUs the advisory lists for the product (CSAF
    /// `product_identification_helper`): other names of the same product.
    pub model_numbers: Vec<String>,
}

/// One vulnerability and the products it touches.
#[derive(Debug, Clone, Default)]
pub struct Vulnerability {
    /// CVE id, when there is one.
    pub cve: Option<String>,
    /// Product ids known to be affected.
    pub affected: Vec<String>,
    /// Product ids listed as fixed or not affected: never a match.
    pub unaffected: Vec<String>,
    /// CVSS base score (v3 preferred, then v2), per product id when the source says so.
    pub cvss: Vec<(f32, Vec<String>)>,
    /// The source says it is being exploited.
    pub exploited: bool,
}

impl Vulnerability {
    /// The CVSS base score that applies to `product`.
    pub fn score_for(&self, product: &str) -> Option<f32> {
        self.cvss
            .iter()
            .filter(|(_, products)| products.is_empty() || products.iter().any(|p| p == product))
            .map(|(score, _)| *score)
            .reduce(f32::max)
    }
}

/// What to do, from the advisory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remediation {
    /// `vendor_fix`, `mitigation`, `workaround`, `none_available` or `no_fix_planned`.
    pub category: String,
    /// The advisory's words.
    pub details: String,
    /// A link, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The products it applies to; empty means all.
    #[serde(skip)]
    pub product_ids: Vec<String>,
}

/// A part of an advisory that could not be interpreted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unparsed {
    /// The advisory.
    pub advisory: String,
    /// What could not be read and what it means for the reader.
    pub message: String,
}

/// One advisory in the internal shape.
#[derive(Debug, Clone)]
pub struct Advisory {
    /// `ICSMA-24-030-01`, `CVE-2019-0708`, ...
    pub id: String,
    /// Title.
    pub title: String,
    /// The advisory's web page, when known.
    pub url: Option<String>,
    /// Source kind.
    pub origin: Origin,
    /// Products.
    pub products: Vec<Product>,
    /// Vulnerabilities.
    pub vulnerabilities: Vec<Vulnerability>,
    /// Remediations of every vulnerability.
    pub remediations: Vec<Remediation>,
    /// `Some(true)` when the advisory says exploits are public, `Some(false)` when it says
    /// none are known, `None` when it does not say.
    pub public_exploit: Option<bool>,
}

impl Advisory {
    /// The vulnerabilities that affect `product_id` and do not list it as fixed.
    pub fn affecting<'a>(&'a self, product_id: &'a str) -> impl Iterator<Item = &'a Vulnerability> {
        self.vulnerabilities.iter().filter(move |v| {
            v.affected.iter().any(|p| p == product_id)
                && !v.unaffected.iter().any(|p| p == product_id)
        })
    }

    /// The remediations that apply to `product_id`.
    pub fn remediations_for(&self, product_id: &str) -> Vec<&Remediation> {
        self.remediations
            .iter()
            .filter(|r| r.product_ids.is_empty() || r.product_ids.iter().any(|p| p == product_id))
            .collect()
    }
}

/// Words around a version in a remediation that say it is the fixed one.
const FIX_WORDS: &[&str] = &[
    "update",
    "updated",
    "upgrade",
    "upgraded",
    "updating",
    "upgrading",
    "released",
    "fixed",
    "fix",
    "patched",
    "patch",
    "remediates",
    "remediated",
    "later",
    "higher",
    "newer",
];

/// The one fixed version a vendor-fix remediation names ("Users should update to version 3.0
/// or higher"), or `None` when it names none or several (then it is not guessed).
pub fn fixed_version_in(details: &str) -> Option<Version> {
    let lower = details.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    if !words
        .iter()
        .any(|w| FIX_WORDS.contains(&w.trim_end_matches('.')))
    {
        return None;
    }
    let version_like = |word: &str| -> Option<Version> {
        let token = word.trim_end_matches(['.', ':']);
        let plausible = token.chars().any(|c| c.is_ascii_digit())
            && token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
            && !token.starts_with("cve");
        if plausible {
            Version::parse(token)
        } else {
            None
        }
    };
    let mut found: Vec<Version> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let label = word.trim_end_matches(':');
        let next_is_number = words
            .get(i + 1)
            .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()));
        if !(matches!(
            label,
            "version" | "versions" | "release" | "firmware" | "software" | "v"
        ) || (label == "to" && next_is_number))
        {
            continue;
        }
        // "Version 8.0, 8.1, 8.4, or 8.5" lists affected versions, not one fixed version.
        let mut listed = words[i + 1..]
            .iter()
            .filter(|w| !matches!(**w, "or" | "and"))
            .map_while(|w| version_like(w));
        if let Some(first) = listed.next() {
            if listed.next().is_some() {
                return None;
            }
            if !found.contains(&first) {
                found.push(first);
            }
        }
    }
    if found.len() == 1 { found.pop() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_fixed_version_from_remediation_text() {
        let v = |t: &str| fixed_version_in(t).map(|v| v.as_str().to_string());
        assert_eq!(
            v("Dana Diabecare recommends users update the insulin pumps to Version 3.0 or higher."),
            Some("3.0".into())
        );
        assert_eq!(
            v("Philips released Version 12.2.8.0 in May of 2021 for Speech."),
            Some("12.2.8.0".into())
        );
        assert_eq!(
            v(
                "A free software update to NeuroWorks 8.5 GMA 3 is available to users using Version 8.0, 8.1, 8.4, or 8.5."
            ),
            None
        );
        assert_eq!(
            v("Contact Medtronic Technical Services at 800-638-1991."),
            None
        );
        assert_eq!(v("Upgrade to 2.3.7."), Some("2.3.7".into()));
    }
}
