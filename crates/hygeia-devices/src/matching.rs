//! Which advisories affect which devices, and how sure the match is (`basis`).
//!
//! Products are indexed by canonical vendor, so a device is compared only with its own maker's
//! products. A match is `exact` when the advisory names the device's version, `range` when the
//! version falls in a named range (or "all versions"), `heuristic` when the product name only
//! contains the model's words, a remark had to be dropped, or the inventory gives no version,
//! and `unparsed` when the advisory's versions cannot be read: possibly affected, never "not
//! affected".

use crate::advisory::{Advisory, Origin, Product};
use crate::inventory::Device;
use crate::names::{
    ModelRange, ProductFit, VendorTable, family_fit, product_alternatives, product_fit,
    split_exclusions, words,
};
use crate::os::OsCatalog;
use crate::spec::{Alternative, SpecAnswer, VersionSpec};
use crate::version::Version;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// How a match was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The advisory's versions could not be read: possibly affected, read the advisory.
    Unparsed,
    /// Probably affected; the note says why it is not certain.
    Heuristic,
    /// The version is inside a range the advisory names.
    Range,
    /// The advisory names this product and version.
    Exact,
}

impl Basis {
    /// The word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Exact => "exact",
            Basis::Range => "range",
            Basis::Heuristic => "heuristic",
            Basis::Unparsed => "unparsed",
        }
    }
}

/// One device affected by one advisory product.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    /// The device.
    pub device: &'a Device,
    /// The advisory.
    pub advisory: &'a Advisory,
    /// The product entry that matched.
    pub product: &'a Product,
    /// How sure.
    pub basis: Basis,
    /// Why, in one sentence.
    pub basis_note: String,
    /// CVEs of the advisory that affect this product.
    pub cves: Vec<String>,
    /// Highest CVSS base score among them.
    pub cvss: Option<f32>,
    /// The advisory marks one of them as exploited.
    pub exploited_per_advisory: bool,
}

struct Entry {
    advisory: usize,
    product: usize,
    names: Vec<Vec<String>>,
    /// The name calls itself a family or series: its members carry numbers after its words.
    family: bool,
    /// Model ranges the name gives ("MX400-550").
    ranges: Vec<ModelRange>,
    /// Members the advisory leaves out ("not including LOGIQ 100 Pro").
    excluded: Vec<Vec<String>>,
}

impl Entry {
    /// How well the entry fits a model, and which rule decided.
    fn fit(&self, model: &[String]) -> ProductFit {
        if self
            .excluded
            .iter()
            .any(|e| product_fit(e, model) != ProductFit::None)
        {
            return ProductFit::None;
        }
        let by_name = self
            .names
            .iter()
            .map(|name| product_fit(name, model))
            .max()
            .unwrap_or(ProductFit::None);
        if by_name != ProductFit::None {
            return by_name;
        }
        if self.family
            && self
                .names
                .iter()
                .any(|name| family_fit(name, model) != ProductFit::None)
        {
            return ProductFit::Contained;
        }
        if self
            .ranges
            .iter()
            .any(|r| model.iter().any(|m| r.contains(m)))
        {
            return ProductFit::Contained;
        }
        ProductFit::None
    }
}

/// Advisories indexed for matching.
pub struct Matcher<'a> {
    advisories: &'a [Advisory],
    vendors: &'a VendorTable,
    os_catalog: &'a OsCatalog,
    by_vendor: HashMap<String, Vec<Entry>>,
    os_by_vendor: HashMap<String, Vec<Entry>>,
}

impl<'a> Matcher<'a> {
    /// Indexes every product of every advisory by canonical vendor.
    pub fn new(
        advisories: &'a [Advisory],
        vendors: &'a VendorTable,
        os_catalog: &'a OsCatalog,
    ) -> Matcher<'a> {
        let mut by_vendor: HashMap<String, Vec<Entry>> = HashMap::new();
        let mut os_by_vendor: HashMap<String, Vec<Entry>> = HashMap::new();
        for (a, advisory) in advisories.iter().enumerate() {
            for (p, product) in advisory.products.iter().enumerate() {
                let (family_name, excluded_names) = split_exclusions(&product.name);
                // Models listed where the versions belong ("882476 Gemini TF Big Bore"), without
                // their catalogue number.
                let listed_models: Vec<String> = match &product.spec {
                    VersionSpec::Models(models) => models
                        .iter()
                        .map(|m| {
                            m.split_whitespace()
                                .skip_while(|w| w.chars().all(|c| c.is_ascii_digit()))
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let lower = family_name.to_lowercase();
                let family = lower
                    .split_whitespace()
                    .any(|w| matches!(w, "series" | "family" | "products" | "models"))
                    || !excluded_names.is_empty();
                for vendor in vendors.makers(&product.vendor) {
                    let names = product_alternatives(&family_name)
                        .iter()
                        .chain(product.model_numbers.iter())
                        .chain(listed_models.iter())
                        .map(|n| vendors.product_words(&vendor, n))
                        .filter(|w| !w.is_empty())
                        .collect();
                    let excluded = excluded_names
                        .iter()
                        .map(|n| vendors.product_words(&vendor, n))
                        .filter(|w| !w.is_empty())
                        .collect();
                    let entry = Entry {
                        advisory: a,
                        product: p,
                        names,
                        family,
                        ranges: ModelRange::find_all(&product.name),
                        excluded,
                    };
                    let index = if product.is_os {
                        &mut os_by_vendor
                    } else {
                        &mut by_vendor
                    };
                    index.entry(vendor).or_default().push(entry);
                }
            }
        }
        Matcher {
            advisories,
            vendors,
            os_catalog,
            by_vendor,
            os_by_vendor,
        }
    }

    /// Every advisory product that affects `device`, its own and its operating system's.
    pub fn matches(&self, device: &'a Device) -> Vec<Hit<'a>> {
        let mut hits = Vec::new();
        let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
        let vendor = self.vendors.canonical(&device.vendor);
        let forms = self.vendors.model_word_forms(&vendor, &device.model);
        let version = Version::parse(&device.version);
        for entry in self.by_vendor.get(&vendor).into_iter().flatten() {
            if !seen.insert((entry.advisory, entry.product)) {
                continue;
            }
            let Some((fit, model)) = forms
                .iter()
                .map(|form| (entry.fit(form), form))
                .max_by_key(|(fit, _)| *fit)
            else {
                continue;
            };
            if fit == ProductFit::None {
                continue;
            }
            if let Some(hit) = self.judge(device, entry, fit, model, version.as_ref()) {
                hits.push(hit);
            }
        }
        if !device.operating_system().is_empty() {
            self.os_matches(device, &mut hits);
        }
        hits
    }

    fn judge(
        &self,
        device: &'a Device,
        entry: &Entry,
        fit: ProductFit,
        model: &[String],
        version: Option<&Version>,
    ) -> Option<Hit<'a>> {
        let advisory = &self.advisories[entry.advisory];
        let product = &advisory.products[entry.product];
        let (mut basis, mut note) = match (&product.spec, version) {
            (VersionSpec::Unparsed(raw), _) => (
                Basis::Unparsed,
                format!(
                    "The advisory's affected versions (`{raw}`) cannot be read: possibly affected, read the advisory."
                ),
            ),
            (VersionSpec::Models(models), _) => {
                let named = models.iter().any(|m| {
                    let w = words(m);
                    !w.is_empty() && w.iter().all(|x| model.contains(x))
                });
                if named {
                    (
                        Basis::Heuristic,
                        format!(
                            "The advisory lists this model under `{}`.",
                            product.version_text
                        ),
                    )
                } else {
                    (
                        Basis::Unparsed,
                        format!(
                            "The advisory lists models, not versions (`{}`): possibly affected, read the advisory.",
                            product.version_text
                        ),
                    )
                }
            }
            (VersionSpec::All, None) => {
                (Basis::Range, "The advisory names all versions.".to_string())
            }
            (_, None) => (
                Basis::Heuristic,
                format!(
                    "The inventory gives no version; the advisory names `{}`.",
                    product.version_text
                ),
            ),
            (spec, Some(v)) => match spec.answer(v) {
                SpecAnswer::Exact => (Basis::Exact, format!("The advisory names version {v}.")),
                SpecAnswer::InRange => (
                    Basis::Range,
                    format!("Version {v} is within `{}`.", product.version_text),
                ),
                SpecAnswer::Heuristic => (
                    Basis::Heuristic,
                    format!(
                        "Version {v} is within `{}` once its remark or wildcard is read loosely.",
                        product.version_text
                    ),
                ),
                SpecAnswer::Unknown => (
                    Basis::Unparsed,
                    format!(
                        "The advisory's versions (`{}`) cannot be compared: possibly affected.",
                        product.version_text
                    ),
                ),
                SpecAnswer::Outside => {
                    // "GE Carestation" with versions "620 | 650 | 650c": models written as versions.
                    let model_named = matches!(spec, VersionSpec::AnyOf { alternatives, .. }
                        if alternatives.iter().any(|a| matches!(a, Alternative::Exact(x)
                            if model.iter().any(|m| Version::parse(m).as_ref() == Some(x) && m.chars().any(|c| c.is_ascii_digit())))));
                    if !model_named {
                        return None;
                    }
                    (
                        Basis::Heuristic,
                        format!(
                            "The advisory lists this model's number among `{}`.",
                            product.version_text
                        ),
                    )
                }
            },
        };
        if let (Some(fixed), Some(v)) = (&product.fixed_in, version) {
            if v >= fixed {
                return None;
            }
            note.push_str(&format!(" The advisory's fix is version {fixed}."));
        }
        if fit == ProductFit::Contained && basis > Basis::Heuristic {
            basis = Basis::Heuristic;
            note = format!(
                "The model contains the advisory's product name `{}`. {note}",
                product.name
            );
        }
        let vulnerabilities: Vec<_> = advisory.affecting(&product.id).collect();
        if vulnerabilities.is_empty() {
            return None;
        }
        let cves = vulnerabilities
            .iter()
            .filter_map(|v| v.cve.clone())
            .collect();
        let cvss = vulnerabilities
            .iter()
            .filter_map(|v| v.score_for(&product.id))
            .reduce(f32::max);
        let exploited_per_advisory =
            vulnerabilities.iter().any(|v| v.exploited) || advisory.public_exploit == Some(true);
        Some(Hit {
            device,
            advisory,
            product,
            basis,
            basis_note: note,
            cves,
            cvss,
            exploited_per_advisory,
        })
    }

    /// The device's embedded OS against the OS catalog and against NVD's OS records.
    fn os_matches(&self, device: &'a Device, hits: &mut Vec<Hit<'a>>) {
        let os_name = device.operating_system();
        let Some(system) = self.os_catalog.identify(&os_name) else {
            return;
        };
        let vendor = self.vendors.canonical(&system.vendor);
        let os_words = words(&os_name);
        let os_version = Version::parse(&device.os_version);
        for entry in self.os_by_vendor.get(&vendor).into_iter().flatten() {
            let advisory = &self.advisories[entry.advisory];
            let product = &advisory.products[entry.product];
            let fit = if advisory.origin == Origin::OsCatalog {
                if product.name == system.name {
                    ProductFit::Contained
                } else {
                    ProductFit::None
                }
            } else {
                // NVD's windows_7 covers every edition: "Windows 7 Professional" is the same OS.
                entry
                    .names
                    .iter()
                    .map(|n| {
                        if !n.is_empty() && os_words.starts_with(n) {
                            ProductFit::Same
                        } else {
                            product_fit(n, &os_words)
                        }
                    })
                    .max()
                    .unwrap_or(ProductFit::None)
            };
            if fit == ProductFit::None {
                continue;
            }
            let Some(mut hit) = self.judge(device, entry, fit, &os_words, os_version.as_ref())
            else {
                continue;
            };
            if advisory.origin == Origin::OsCatalog {
                hit.basis = Basis::Heuristic;
                hit.basis_note = format!(
                    "The device runs {os_name}; every copy without the maker's patches has these vulnerabilities."
                );
            } else {
                hit.basis_note =
                    format!("Through its operating system {os_name}: {}", hit.basis_note);
            }
            hits.push(hit);
        }
    }
}
