//! Vendor and product names made comparable: case, punctuation, legal suffixes, the alias table
//! in `catalog/device-vendors.toml`, and product names with the vendor's name in front.

use crate::DevicesError;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

/// Words that say what kind of company it is, not which one.
const LEGAL_WORDS: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "co",
    "company",
    "gmbh",
    "ag",
    "sa",
    "plc",
    "bv",
    "nv",
    "kg",
    "se",
    "spa",
    "srl",
    "oy",
    "ab",
    "as",
    "pty",
    "kk",
    "the",
];

/// Trailing words that many makers add to their name in some documents and not in others.
const TRAILING_WORDS: &[&str] = &[
    "healthcare",
    "health",
    "medical",
    "systems",
    "system",
    "technologies",
    "technology",
    "solutions",
    "international",
    "group",
    "usa",
    "diagnostics",
    "developments",
    "devices",
    "software",
    "foundation",
    "project",
    "labs",
];

/// Generic words in product names that do not tell one model from another.
const PRODUCT_FILLER: &[&str] = &["family", "series", "products", "product", "and"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVendors {
    vendor: Vec<RawVendor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVendor {
    name: String,
    aliases: Vec<String>,
}

/// Lower-case words of a name, with punctuation as separators and `&` read as "and".
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('&', " and ")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// UTF-8 text that was once read as Latin-1 ("YhtymÃ¤" for "Yhtymä", as in some CISA
/// advisories), read back as UTF-8; other text unchanged.
pub fn repair_mojibake(text: &str) -> String {
    if !text.contains(['Ã', 'Â']) {
        return text.to_string();
    }
    let bytes: Option<Vec<u8>> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect();
    bytes
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| text.to_string())
}

/// The comparable key of one vendor name: "Becton, Dickinson and Company" -> "becton dickinson".
pub fn vendor_key(name: &str) -> String {
    let mut kept: Vec<String> = words(&repair_mojibake(name))
        .into_iter()
        .filter(|w| !LEGAL_WORDS.contains(&w.as_str()))
        .collect();
    while kept.len() > 1
        && kept
            .last()
            .is_some_and(|w| TRAILING_WORDS.contains(&w.as_str()) || w == "and")
    {
        kept.pop();
    }
    kept.join(" ")
}

/// Vendor names and their aliases.
#[derive(Debug, Clone)]
pub struct VendorTable {
    /// Normalised alias key -> canonical name.
    canonical: HashMap<String, String>,
    /// Canonical name -> the words of every alias, for stripping a vendor prefix from a model.
    prefixes: HashMap<String, Vec<Vec<String>>>,
}

impl VendorTable {
    /// The table shipped in `catalog/device-vendors.toml`.
    pub fn builtin() -> Result<VendorTable, DevicesError> {
        VendorTable::from_toml(hygeia_core::catalog_files::text("device-vendors.toml")?)
    }

    /// Reads a vendor table.
    pub fn from_toml(text: &str) -> Result<VendorTable, DevicesError> {
        let raw: RawVendors = hygeia_core::catalog_files::parse("device-vendors.toml", text)?;
        let mut canonical = HashMap::new();
        let mut prefixes: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for vendor in raw.vendor {
            let id = vendor_key(&vendor.name);
            for alias in std::iter::once(&vendor.name).chain(vendor.aliases.iter()) {
                canonical.insert(vendor_key(alias), id.clone());
                prefixes.entry(id.clone()).or_default().push(words(alias));
            }
        }
        Ok(VendorTable {
            canonical,
            prefixes,
        })
    }

    /// The canonical key of a vendor name: its alias entry when there is one, else its own key.
    pub fn canonical(&self, name: &str) -> String {
        let key = vendor_key(name);
        if let Some(id) = self.canonical.get(&key) {
            return id.clone();
        }
        // "Natus Medical, Inc. (Natus)": the bracketed short name may be the known one.
        if let Some((_, inner)) = name.split_once('(') {
            let inner = vendor_key(inner.trim_end_matches(')'));
            if let Some(id) = self.canonical.get(&inner) {
                return id.clone();
            }
        }
        key
    }

    /// Every maker an advisory's vendor field names ("ENEA, Green Hills Software, ITRON, IP
    /// Infusion, and Wind River" names five).
    pub fn makers(&self, field: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let whole = self.canonical(field);
        if !whole.is_empty() {
            found.insert(whole);
        }
        let field = field.replace(" and ", ",");
        for piece in field.split(',') {
            let key = self.canonical(piece);
            if !key.is_empty() && !vendor_key(piece).is_empty() {
                found.insert(key);
            }
        }
        found
    }

    /// The words of a model for every way its front may be the maker's name: "Medtronic MiniMed
    /// 620G" is "620g" after the alias "Medtronic MiniMed" and "minimed 620g" after "Medtronic",
    /// and MiniMed is also a product line.
    pub fn model_word_forms(&self, vendor_id: &str, name: &str) -> Vec<Vec<String>> {
        let all = words(name);
        let mut forms = vec![self.product_words(vendor_id, name)];
        let prefixes = self.prefixes.get(vendor_id).into_iter().flatten();
        for prefix in prefixes {
            if !prefix.is_empty() && all.len() > prefix.len() && all.starts_with(prefix) {
                let mut form: Vec<String> = all[prefix.len()..].to_vec();
                form.retain(|word| !PRODUCT_FILLER.contains(&word.as_str()));
                if !form.is_empty() && !forms.contains(&form) {
                    forms.push(form);
                }
            }
        }
        forms
    }

    /// The words of a product or model name without a leading vendor name ("BD Alaris GS" ->
    /// alaris, gs) and without filler words.
    pub fn product_words(&self, vendor_id: &str, name: &str) -> Vec<String> {
        let mut w = words(name);
        let mut prefixes: Vec<Vec<String>> =
            self.prefixes.get(vendor_id).cloned().unwrap_or_default();
        prefixes.push(vendor_id.split(' ').map(str::to_string).collect());
        prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for prefix in &prefixes {
            if !prefix.is_empty() && w.len() > prefix.len() && w.starts_with(prefix) {
                w.drain(..prefix.len());
                break;
            }
        }
        w.retain(|word| !PRODUCT_FILLER.contains(&word.as_str()));
        w
    }
}

/// How well an advisory's product name fits a device's model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProductFit {
    /// Not the same product.
    None,
    /// Every word of the advisory's name is in the model, which has more ("Alaris" family
    /// against "Alaris GS Syringe Pump"): probably, not certainly, the same product.
    Contained,
    /// The same name once vendor prefixes, case and punctuation are set aside.
    Same,
}

/// Compares a product name from an advisory (already in words) with a device model (in words).
pub fn product_fit(product: &[String], model: &[String]) -> ProductFit {
    if product.is_empty() || model.is_empty() {
        return ProductFit::None;
    }
    // "MiniMed 640G" and "Minimed640G" are the same name; "Pump 300" and "Pump 3000" are not.
    if product == model || product.concat() == model.concat() {
        return ProductFit::Same;
    }
    let model_set: BTreeSet<&str> = model.iter().map(String::as_str).collect();
    if product.iter().all(|w| model_set.contains(w.as_str())) {
        return ProductFit::Contained;
    }
    // "Medfusion 4000" against "Medfusion 4000 Wireless Syringe Infusion Pump": the inventory
    // wrote less than the advisory. Only when the model has a model number, so that a bare
    // family name ("Alaris") does not claim every sibling ("Alaris GS", "Alaris GH").
    let product_set: BTreeSet<&str> = product.iter().map(String::as_str).collect();
    if model.len() >= 2
        && model.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()))
        && model.iter().all(|w| product_set.contains(w.as_str()))
    {
        return ProductFit::Contained;
    }
    ProductFit::None
}

/// A family name fits a model that carries a member number after one of its words: the
/// "Efficia CM Series" fits "Efficia CM12", the "Gemini" family "Gemini 16". Every word of the
/// family is in the model or is the letters in front of a model word's number.
pub fn family_fit(family: &[String], model: &[String]) -> ProductFit {
    if family.is_empty() || model.is_empty() {
        return ProductFit::None;
    }
    let fits = |word: &String| {
        model.iter().any(|m| {
            m == word
                || (word.chars().all(char::is_alphabetic)
                    && m.strip_prefix(word.as_str())
                        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit())))
        })
    };
    if family.iter().all(fits) && family.iter().any(|w| model.contains(w)) {
        ProductFit::Contained
    } else {
        ProductFit::None
    }
}

/// A model range in a product name ("MX400-550", "X400-X850"): letters, the first and the last
/// number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRange {
    /// Lower-case letters in front of the numbers.
    pub letters: String,
    /// First model number.
    pub first: u32,
    /// Last model number.
    pub last: u32,
}

impl ModelRange {
    /// Every range written in `name`.
    pub fn find_all(name: &str) -> Vec<ModelRange> {
        let lower = name.to_lowercase();
        lower
            .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | '/'))
            .filter_map(|token| {
                let (low, high) = token.split_once('-')?;
                let letters: String = low.chars().take_while(|c| c.is_alphabetic()).collect();
                let first: u32 = low[letters.len()..].parse().ok()?;
                let high = high.strip_prefix(letters.as_str()).unwrap_or(high);
                let last: u32 = high.parse().ok()?;
                (!letters.is_empty() && first < last).then_some(ModelRange {
                    letters,
                    first,
                    last,
                })
            })
            .collect()
    }

    /// Whether a model word ("mx450") is inside the range.
    pub fn contains(&self, word: &str) -> bool {
        word.strip_prefix(self.letters.as_str())
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| (self.first..=self.last).contains(&n))
    }
}

/// A product name without the members an advisory leaves out: "LOGIQ, not including LOGIQ 100
/// Pro" is the LOGIQ family except LOGIQ 100 Pro; "Venue, not including Venue 40 R1-3 and Venue
/// 50 R4-5" excludes two.
pub fn split_exclusions(name: &str) -> (String, Vec<String>) {
    let lower = name.to_lowercase();
    for marker in [
        ", not including ",
        " not including ",
        ", excluding ",
        " except ",
    ] {
        if let Some(at) = lower.find(marker) {
            let excluded = name[at + marker.len()..]
                .split(" and ")
                .flat_map(|p| p.split(','))
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect();
            return (name[..at].trim().to_string(), excluded);
        }
    }
    (name.to_string(), Vec::new())
}

/// Other names an advisory gives a product inside one field: "Patient Information Center iX
/// (PICiX)" is also "PICiX"; "Accent/Anthem" is Accent and Anthem.
pub fn product_alternatives(name: &str) -> Vec<String> {
    let mut names = vec![name.to_string()];
    if let Some((before, after)) = name.split_once('(') {
        names.push(before.trim().to_string());
        names.push(after.trim_end_matches(')').trim().to_string());
    }
    if name.contains('/') && !name.trim().contains(' ') {
        let pieces: Vec<&str> = name.split('/').map(str::trim).collect();
        // "Accent/Anthem" names two products, "PET/CT" one kind of scanner: split only when
        // both sides are words of their own.
        if pieces.iter().all(|p| p.len() >= 4) {
            names.extend(pieces.iter().map(|p| p.to_string()));
        }
    }
    names.retain(|n| !n.is_empty());
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> VendorTable {
        VendorTable::builtin().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn vendor_spellings_meet() {
        let t = table();
        assert_eq!(t.canonical("Philips Healthcare"), t.canonical("Philips"));
        assert_eq!(t.canonical("Phillips"), t.canonical("Philips"));
        assert_eq!(t.canonical("GE"), t.canonical("General Electric (GE)"));
        assert_eq!(
            t.canonical("GE Healthcare"),
            t.canonical("General Electric")
        );
        assert_eq!(t.canonical("B Braun"), t.canonical("B. Braun Melsungen AG"));
        assert_eq!(
            t.canonical("BD"),
            t.canonical("Becton, Dickinson and Company (BD)")
        );
        assert_eq!(
            t.canonical("Natus"),
            t.canonical("Natus Medical, Inc. (Natus)")
        );
        assert_ne!(t.canonical("Philips"), t.canonical("Siemens"));
        assert_eq!(t.canonical("Acme Widgets, Inc."), "acme widgets");
    }

    #[test]
    fn several_makers_in_one_field() {
        let t = table();
        let makers = t.makers("ENEA, Green Hills Software, ITRON, IP Infusion, and Wind River");
        assert!(makers.contains(&t.canonical("Wind River Systems")));
        assert!(makers.contains("enea"));
    }

    #[test]
    fn products_with_and_without_the_vendor_prefix() {
        let t = table();
        let bd = t.canonical("BD");
        let product = t.product_words(&bd, "Alaris GS");
        assert_eq!(
            product_fit(&product, &t.product_words(&bd, "BD Alaris GS")),
            ProductFit::Same
        );
        assert_eq!(
            product_fit(&product, &t.product_words(&bd, "Alaris GS Syringe Pump")),
            ProductFit::Contained
        );
        assert_eq!(
            product_fit(&product, &t.product_words(&bd, "Alaris GH")),
            ProductFit::None
        );
        let ge = t.canonical("GE");
        assert_eq!(
            product_fit(
                &t.product_words(&ge, "GE Carestation"),
                &t.product_words(&ge, "Carestation 650")
            ),
            ProductFit::Contained
        );
    }

    #[test]
    fn families_ranges_and_exclusions() {
        let w = |s: &str| words(s);
        assert_eq!(
            family_fit(&w("efficia cm"), &w("Efficia CM12")),
            ProductFit::Contained
        );
        assert_eq!(
            family_fit(&w("efficia cm"), &w("Efficia")),
            ProductFit::None
        );
        assert_eq!(family_fit(&w("cm"), &w("XCM12")), ProductFit::None);
        let ranges = ModelRange::find_all("IntelliVue Patient Monitors MX (MX400-550)");
        assert_eq!(ranges.len(), 1);
        assert!(ranges[0].contains("mx450"));
        assert!(!ranges[0].contains("mx800"));
        assert!(ModelRange::find_all("X400-X850")[0].contains("x450"));
        let (family, excluded) =
            split_exclusions("Venue, not including Venue 40 R1-3 and Venue 50 R4-5");
        assert_eq!(family, "Venue");
        assert_eq!(excluded, ["Venue 40 R1-3", "Venue 50 R4-5"]);
        assert_eq!(repair_mojibake("Innokas YhtymÃ¤ Oy"), "Innokas Yhtymä Oy");
        assert_eq!(repair_mojibake("Dräger"), "Dräger");
        let t = table();
        assert_eq!(
            t.canonical("Innokas YhtymÃ¤ Oy"),
            t.canonical("Innokas Yhtymä")
        );
    }

    #[test]
    fn bracketed_and_slashed_names() {
        let names = product_alternatives("Patient Information Center iX (PICiX)");
        assert!(names.contains(&"PICiX".to_string()));
        let names = product_alternatives("Accent/Anthem");
        assert!(names.contains(&"Anthem".to_string()));
        assert_eq!(product_alternatives("Gemini PET/CT Family").len(), 1);
    }
}
