//! `catalog/mobile-os.toml`: iOS/iPadOS and Android releases, which still get security fixes,
//! the Android security bulletins, and the iPhones their maker stopped updating.

use crate::version::OsVersion;
use hygeia_core::catalog_files::{self, CatalogFileError};
use hygeia_core::time_util::parse_ymd;
use serde::Deserialize;
use time::Date;

const FILE: &str = "mobile-os.toml";

/// How fully Apple still fixes an iOS major version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Support {
    /// Every fix: the newest major.
    Full,
    /// Some security fixes, for devices that cannot take the newest major.
    Partial,
    /// No more fixes.
    Ended,
}

/// One iOS major version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IosMajor {
    /// 18, 26...
    pub major: u32,
    /// First release (YYYY-MM-DD).
    pub released: String,
    /// Whether Apple still fixes it.
    pub support: Support,
    /// Not confirmed from the source (see the file's header).
    #[serde(default)]
    pub estimated: bool,
}

/// One iOS point release.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IosRelease {
    /// "26.0.1".
    pub version: String,
    /// Publication day (YYYY-MM-DD).
    pub released: String,
    /// Not confirmed from the source.
    #[serde(default)]
    pub estimated: bool,
}

/// iPhone or iPad models that stopped at a major version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IosDevice {
    /// For people.
    pub name: String,
    /// Apple model identifiers (ProductType), e.g. "iPhone10,6".
    pub models: Vec<String>,
    /// The newest major they can run.
    pub last_major: u32,
    /// Where this was read.
    pub source: String,
}

/// The iOS part of the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IosCatalog {
    /// Where the releases are published.
    pub source: String,
    /// Major versions.
    pub major: Vec<IosMajor>,
    /// Point releases.
    pub release: Vec<IosRelease>,
    /// Models stuck on an old major.
    #[serde(default)]
    pub device: Vec<IosDevice>,
}

/// One Android version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AndroidVersion {
    /// 14, 15...
    pub version: u32,
    /// API level.
    pub api: u32,
    /// Release day.
    pub released: String,
    /// First month whose bulletin no longer covers it (YYYY-MM-DD); absent while covered.
    pub support_ended: Option<String>,
    /// Not confirmed from the source.
    #[serde(default)]
    pub estimated: bool,
}

/// The Android part of the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AndroidCatalog {
    /// Where the bulletins are published.
    pub source: String,
    /// App stores and system installers, not counted as "unknown sources".
    #[serde(default)]
    pub stores: Vec<String>,
    /// Months with a bulletin ("2026-11"), oldest first.
    pub bulletins: Vec<String>,
    /// Versions.
    pub version: Vec<AndroidVersion>,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobileOsCatalog {
    /// The day the lists were last checked.
    pub updated: String,
    /// iOS and iPadOS.
    pub ios: IosCatalog,
    /// Android.
    pub android: AndroidCatalog,
}

impl MobileOsCatalog {
    /// The catalog built into this program.
    pub fn builtin() -> Result<MobileOsCatalog, CatalogFileError> {
        let catalog: MobileOsCatalog = catalog_files::read(FILE)?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Parses and validates a catalog text (tests give their own).
    pub fn parse(text: &str) -> Result<MobileOsCatalog, CatalogFileError> {
        let catalog: MobileOsCatalog = catalog_files::parse(FILE, text)?;
        catalog.validate()?;
        Ok(catalog)
    }

    fn validate(&self) -> Result<(), CatalogFileError> {
        let bad =
            |needle: &str, message: String| catalog_files::invalid(FILE, Some(needle), message);
        let date = |text: &str| {
            parse_ymd(text).ok_or_else(|| bad(text, format!("{text:?} is not a YYYY-MM-DD date")))
        };
        date(&self.updated)?;
        for major in &self.ios.major {
            date(&major.released)?;
        }
        if self
            .ios
            .major
            .iter()
            .filter(|m| m.support == Support::Full)
            .count()
            != 1
        {
            return Err(bad(
                "[[ios.major]]",
                "exactly one iOS major must have support = \"full\"".into(),
            ));
        }
        for release in &self.ios.release {
            date(&release.released)?;
            let version = OsVersion::parse(&release.version).ok_or_else(|| {
                bad(
                    &release.version,
                    format!("{:?} is not a version", release.version),
                )
            })?;
            if !self.ios.major.iter().any(|m| m.major == version.major()) {
                return Err(bad(
                    &release.version,
                    format!("iOS {} has no [[ios.major]] entry", release.version),
                ));
            }
        }
        for version in &self.android.version {
            date(&version.released)?;
            if let Some(end) = &version.support_ended {
                date(end)?;
            }
        }
        let mut previous = "";
        for month in &self.android.bulletins {
            if parse_ymd(&format!("{month}-01")).is_none() || month.as_str() <= previous {
                return Err(bad(
                    month,
                    format!("bulletin month {month:?} is not YYYY-MM in increasing order"),
                ));
            }
            previous = month;
        }
        Ok(())
    }

    /// The day the lists were last checked.
    pub fn updated_on(&self) -> Option<Date> {
        parse_ymd(&self.updated)
    }

    /// The newest iOS major (the one with full support).
    pub fn newest_ios_major(&self) -> Option<&IosMajor> {
        self.ios.major.iter().find(|m| m.support == Support::Full)
    }

    /// An iOS major version's entry.
    pub fn ios_major(&self, major: u32) -> Option<&IosMajor> {
        self.ios.major.iter().find(|m| m.major == major)
    }

    /// The newest point release listed for an iOS major.
    pub fn newest_ios_release(&self, major: u32) -> Option<(&IosRelease, OsVersion)> {
        self.ios
            .release
            .iter()
            .filter_map(|r| OsVersion::parse(&r.version).map(|v| (r, v)))
            .filter(|(_, v)| v.major() == major)
            .max_by(|a, b| a.1.cmp(&b.1))
    }

    /// The oldest release of the same major newer than `version`: the first update it missed.
    pub fn first_ios_release_after(&self, version: &OsVersion) -> Option<(&IosRelease, OsVersion)> {
        self.ios
            .release
            .iter()
            .filter_map(|r| OsVersion::parse(&r.version).map(|v| (r, v)))
            .filter(|(_, v)| v.major() == version.major() && v > version)
            .min_by(|a, b| a.1.cmp(&b.1))
    }

    /// The model group an Apple model identifier belongs to, when its maker stopped updating it.
    pub fn stuck_ios_device(&self, model_id: &str) -> Option<&IosDevice> {
        self.ios
            .device
            .iter()
            .find(|d| d.models.iter().any(|m| m.eq_ignore_ascii_case(model_id)))
    }

    /// An Android version's entry.
    pub fn android_version(&self, version: u32) -> Option<&AndroidVersion> {
        self.android.version.iter().find(|v| v.version == version)
    }

    /// The newest Android version listed.
    pub fn newest_android(&self) -> Option<&AndroidVersion> {
        self.android.version.iter().max_by_key(|v| v.version)
    }

    /// Bulletins published after the month of `patch_level` (YYYY-MM-DD): those it lacks.
    pub fn bulletins_missed(&self, patch_level: &str) -> usize {
        let month = patch_level.get(..7).unwrap_or(patch_level);
        self.android
            .bulletins
            .iter()
            .filter(|b| b.as_str() > month)
            .count()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalog_loads_and_answers() {
        let catalog = MobileOsCatalog::builtin().unwrap();
        let newest = catalog.newest_ios_major().unwrap();
        assert!(newest.major >= 26);
        let (release, version) = catalog.newest_ios_release(newest.major).unwrap();
        assert_eq!(version.major(), newest.major);
        assert!(parse_ymd(&release.released).is_some());
        assert_eq!(
            catalog.stuck_ios_device("iPhone10,6").unwrap().last_major,
            16
        );
        assert_eq!(catalog.android_version(11).unwrap().api, 30);
        assert!(catalog.android_version(14).unwrap().support_ended.is_none());
        assert_eq!(catalog.bulletins_missed("2026-09-05"), 2);
        let after = catalog
            .first_ios_release_after(&OsVersion::parse("26.0").unwrap())
            .unwrap();
        assert_eq!(after.1.to_string(), "26.0.1");
    }

    #[test]
    fn a_broken_catalog_is_refused_with_where() {
        let text = minimal().replace("2025-09-15", "2025-13-45");
        let error = MobileOsCatalog::parse(&text).unwrap_err();
        assert!(error.message.contains("2025-13-45"), "{error}");
        let text = minimal().replace("support = \"full\"", "support = \"partial\"");
        assert!(
            MobileOsCatalog::parse(&text)
                .unwrap_err()
                .message
                .contains("exactly one")
        );
        let text = minimal().replace("\"2026-10\", \"2026-11\"", "\"2026-11\", \"2026-10\"");
        assert!(MobileOsCatalog::parse(&text).is_err());
    }

    /// A small catalog for tests of this crate.
    pub(crate) fn minimal() -> String {
        r#"
updated = "2026-12-01"
[ios]
source = "https://support.apple.com/en-us/100100"
[[ios.major]]
major = 18
released = "2024-09-16"
support = "partial"
[[ios.major]]
major = 26
released = "2025-09-15"
support = "full"
[[ios.major]]
major = 17
released = "2023-09-18"
support = "ended"
[[ios.release]]
version = "26.0"
released = "2025-09-15"
[[ios.release]]
version = "26.1"
released = "2025-11-03"
[[ios.release]]
version = "26.2"
released = "2026-11-20"
estimated = true
[[ios.device]]
name = "iPhone 8, 8 Plus, X"
models = ["iPhone10,1", "iPhone10,6"]
last_major = 16
source = "https://support.apple.com/en-us/103267"
[android]
source = "https://source.android.com/docs/security/bulletin"
stores = ["com.android.vending"]
bulletins = ["2026-09", "2026-10", "2026-11"]
[[android.version]]
version = 11
api = 30
released = "2020-09-08"
support_ended = "2024-03-01"
[[android.version]]
version = 13
api = 33
released = "2022-08-15"
support_ended = "2026-04-01"
estimated = true
[[android.version]]
version = 16
api = 36
released = "2025-06-10"
"#
        .to_string()
    }
}
