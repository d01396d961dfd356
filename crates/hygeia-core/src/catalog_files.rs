//! Every file of `catalog/`, built into the program in this one place, and the one way to read
//! one. Each domain crate owns the typed sections it reads (`hygeia_core::Catalog`,
//! `hygeia_mail::MailCatalog`, `hygeia_devices::os::OsCatalog`, the server's risk bands and
//! attestation wording) and parses them with [`read`], so that every error names the file, the
//! line and the column.

use serde::de::DeserializeOwned;

/// The built-in catalog files by name (the name under `catalog/`).
const FILES: [(&str, &str); 18] = [
    (
        "attestation-report.toml",
        include_str!("../../../catalog/attestation-report.toml"),
    ),
    (
        "common-passwords.txt",
        include_str!("../../../catalog/common-passwords.txt"),
    ),
    (
        "controls.toml",
        include_str!("../../../catalog/controls.toml"),
    ),
    (
        "device-os.toml",
        include_str!("../../../catalog/device-os.toml"),
    ),
    (
        "device-vendors.toml",
        include_str!("../../../catalog/device-vendors.toml"),
    ),
    (
        "endpoint-software.toml",
        include_str!("../../../catalog/endpoint-software.toml"),
    ),
    (
        "mail-brands.toml",
        include_str!("../../../catalog/mail-brands.toml"),
    ),
    (
        "mail-indicators.toml",
        include_str!("../../../catalog/mail-indicators.toml"),
    ),
    (
        "mail-link-services.toml",
        include_str!("../../../catalog/mail-link-services.toml"),
    ),
    (
        "mail-lures.toml",
        include_str!("../../../catalog/mail-lures.toml"),
    ),
    (
        "mail-providers.toml",
        include_str!("../../../catalog/mail-providers.toml"),
    ),
    (
        "mail-senders.toml",
        include_str!("../../../catalog/mail-senders.toml"),
    ),
    (
        "mobile-os.toml",
        include_str!("../../../catalog/mobile-os.toml"),
    ),
    (
        "network-services.toml",
        include_str!("../../../catalog/network-services.toml"),
    ),
    (
        "home-network.toml",
        include_str!("../../../catalog/home-network.toml"),
    ),
    (
        "os-lifecycle.toml",
        include_str!("../../../catalog/os-lifecycle.toml"),
    ),
    (
        "practice-risk.toml",
        include_str!("../../../catalog/practice-risk.toml"),
    ),
    (
        "telehealth-apps.toml",
        include_str!("../../../catalog/telehealth-apps.toml"),
    ),
];

/// A catalog file that does not read as its section expects (a bug in this build, or an edited
/// catalog), with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("catalog/{file}, line {line}, column {column}: {message}")]
pub struct CatalogFileError {
    /// The file under `catalog/`.
    pub file: String,
    /// 1-based line of the problem (1 when the parser gave no position).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// The names of every built-in catalog file.
pub fn names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(name, _)| *name)
}

/// The text of a built-in catalog file. Names are fixed in the code, so an unknown one is a bug.
pub fn text(name: &str) -> Result<&'static str, CatalogFileError> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .ok_or_else(|| CatalogFileError {
            file: name.to_string(),
            line: 1,
            column: 1,
            message: "no such catalog file is built into this program".into(),
        })
}

/// Parses the built-in TOML file `name` into its section type.
pub fn read<T: DeserializeOwned>(name: &str) -> Result<T, CatalogFileError> {
    parse(name, text(name)?)
}

/// Parses `text` as the TOML file `name` (tests give their own text).
pub fn parse<T: DeserializeOwned>(name: &str, text: &str) -> Result<T, CatalogFileError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |span| span.start).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        CatalogFileError {
            file: name.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })
}

/// A rule of the catalog broken by a value that parses (a duplicate id, a date out of order),
/// named by file; the line is that of the first occurrence of `needle` when given.
pub fn invalid(name: &str, needle: Option<&str>, message: impl Into<String>) -> CatalogFileError {
    let text = text(name).unwrap_or("");
    let line = needle
        .and_then(|n| text.find(n))
        .map_or(1, |at| text[..at].matches('\n').count() + 1);
    CatalogFileError {
        file: name.to_string(),
        line,
        column: 1,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Section {
        name: String,
        weight: f64,
    }

    #[test]
    fn a_bad_value_is_named_by_file_line_and_column() {
        let error =
            parse::<Section>("example.toml", "name = \"x\"\n\nweight = \"heavy\"\n").unwrap_err();
        assert_eq!(error.file, "example.toml");
        assert_eq!(error.line, 3);
        assert_eq!(error.column, 10);
        assert!(
            error
                .to_string()
                .starts_with("catalog/example.toml, line 3, column 10: ")
        );
    }

    #[test]
    fn every_built_in_file_is_found_and_nonempty() {
        for name in names() {
            assert!(!text(name).unwrap().trim().is_empty(), "{name}");
        }
        assert!(text("nothing.toml").is_err());
        // Every file in the folder is built in, so none is read from anywhere else.
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                assert!(names().any(|n| n == name), "{name} is not in FILES");
            }
        }
    }
}
