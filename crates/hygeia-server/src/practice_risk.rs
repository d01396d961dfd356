//! A practice's risk level for the insurer's view, with the bands of
//! `catalog/practice-risk.toml` (the page states them from the same numbers).

use crate::error::{ApiError, ApiResult};
use hygeia_core::catalog_files::{self, CatalogFileError};
use serde::Deserialize;
use std::sync::OnceLock;

const FILE: &str = "practice-risk.toml";

/// `catalog/practice-risk.toml`.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PracticeRisk {
    /// High risk from this share of computers failing a critical or high control.
    pub high_from: f64,
    /// Medium risk from this share.
    pub medium_from: f64,
}

impl PracticeRisk {
    fn parse(text: &str) -> Result<PracticeRisk, CatalogFileError> {
        let bands: PracticeRisk = catalog_files::parse(FILE, text)?;
        if !(0.0 <= bands.medium_from
            && bands.medium_from <= bands.high_from
            && bands.high_from <= 1.0)
        {
            return Err(catalog_files::invalid(
                FILE,
                Some("medium_from"),
                "the bands must satisfy 0 <= medium_from <= high_from <= 1",
            ));
        }
        Ok(bands)
    }

    /// `high`, `medium`, `low`, or `no data` for a practice without computers.
    pub fn level(&self, hosts: i64, serious_hosts: i64) -> &'static str {
        if hosts <= 0 {
            return "no data";
        }
        let share = serious_hosts as f64 / hosts as f64;
        if share >= self.high_from {
            "high"
        } else if share >= self.medium_from {
            "medium"
        } else {
            "low"
        }
    }

    /// "high from 50%, medium from 20%", for the page.
    pub fn describe(&self) -> String {
        format!(
            "high from {:.0}%, medium from {:.0}%",
            self.high_from * 100.0,
            self.medium_from * 100.0
        )
    }
}

/// The bands, read once. A broken file is logged with the parser's words and answers 500.
pub fn bands() -> ApiResult<&'static PracticeRisk> {
    static BANDS: OnceLock<Result<PracticeRisk, CatalogFileError>> = OnceLock::new();
    BANDS
        .get_or_init(|| catalog_files::text(FILE).and_then(PracticeRisk::parse))
        .as_ref()
        .map_err(|error| ApiError::catalog(error, "The risk bands"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_bands_rate_practices() {
        let bands = bands().unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(bands.level(0, 0), "no data");
        assert_eq!(bands.level(10, 5), "high");
        assert_eq!(bands.level(10, 2), "medium");
        assert_eq!(bands.level(10, 1), "low");
        assert_eq!(bands.describe(), "high from 50%, medium from 20%");
    }

    #[test]
    fn bands_out_of_order_are_refused() {
        assert!(PracticeRisk::parse("high_from = 0.2\nmedium_from = 0.5\n").is_err());
        assert!(PracticeRisk::parse("high_from = 1.5\nmedium_from = 0.5\n").is_err());
        assert!(PracticeRisk::parse("high_from = 0.5\n").is_err());
    }
}
