//! The weight of every indicator, from `catalog/mail-indicators.toml`: one table a reviewer can
//! read and change without touching the code that finds the evidence. Indicators look their
//! weight up by id ([`weight`]) or by id and the name of a stronger or weaker form
//! ([`variant`]); `tests/weights_in_catalog.rs` checks that every id and variant the code uses
//! is in the table.

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

use hygeia_core::catalog_files::{self, CatalogFileError};

const FILE: &str = "mail-indicators.toml";

/// One indicator's weights.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    weight: f32,
    #[serde(default)]
    variants: HashMap<String, f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicators {
    indicator: Vec<Entry>,
}

/// Every indicator's weights by id.
#[derive(Debug, Clone, Default)]
pub struct Weights {
    by_id: HashMap<String, Entry>,
}

impl Weights {
    /// Reads the compiled-in table; an error names what is wrong with it.
    pub fn builtin() -> Result<Weights, CatalogFileError> {
        let raw: RawIndicators = catalog_files::read(FILE)?;
        let mut by_id = HashMap::new();
        for entry in raw.indicator {
            let bad = |w: f32| !w.is_finite() || !(0.0..=10.0).contains(&w);
            if bad(entry.weight) || entry.variants.values().any(|w| bad(*w)) {
                return Err(catalog_files::invalid(
                    FILE,
                    Some(&format!("\"{}\"", entry.id)),
                    format!("{}: weights must be between 0 and 10", entry.id),
                ));
            }
            if let Some(old) = by_id.insert(entry.id.clone(), entry) {
                return Err(catalog_files::invalid(
                    FILE,
                    None,
                    format!("{} is listed twice", old.id),
                ));
            }
        }
        Ok(Weights { by_id })
    }

    /// Whether the table has `id`, and `variant` of it when one is named.
    pub fn has(&self, id: &str, variant: Option<&str>) -> bool {
        self.by_id
            .get(id)
            .is_some_and(|e| variant.is_none_or(|v| e.variants.contains_key(v)))
    }

    /// Every id in the table.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().map(String::as_str)
    }
}

fn table() -> &'static Weights {
    static TABLE: OnceLock<Weights> = OnceLock::new();
    // `MailCatalog::builtin` reads the same table first and refuses to start when it is not
    // valid, so the empty fallback is never what a scan uses.
    TABLE.get_or_init(|| Weights::builtin().unwrap_or_default())
}

/// The weight of indicator `id` in its usual form.
pub fn weight(id: &str) -> f32 {
    table().by_id.get(id).map_or(0.0, |e| e.weight)
}

/// The weight of the form `name` of indicator `id` (a stronger, weaker or added form).
pub fn variant(id: &str, name: &str) -> f32 {
    table()
        .by_id
        .get(id)
        .and_then(|e| e.variants.get(name))
        .copied()
        .unwrap_or(0.0)
}
