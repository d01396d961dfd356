//! The simulation templates and training modules shipped in `catalog/`, compiled into the
//! binary and checked once: every template teaches red flags and points to a module, every
//! module has its five questions and its pictures.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The files of `catalog/simulations/`, by name.
const TEMPLATE_FILES: &[(&str, &str)] = &[
    (
        "ehr-password-expiry.toml",
        include_str!("../../../../catalog/simulations/ehr-password-expiry.toml"),
    ),
    (
        "invoice.toml",
        include_str!("../../../../catalog/simulations/invoice.toml"),
    ),
    (
        "package-delivery.toml",
        include_str!("../../../../catalog/simulations/package-delivery.toml"),
    ),
    (
        "payroll-change.toml",
        include_str!("../../../../catalog/simulations/payroll-change.toml"),
    ),
    (
        "qr-code.toml",
        include_str!("../../../../catalog/simulations/qr-code.toml"),
    ),
    (
        "shared-document.toml",
        include_str!("../../../../catalog/simulations/shared-document.toml"),
    ),
    (
        "voicemail.toml",
        include_str!("../../../../catalog/simulations/voicemail.toml"),
    ),
];

/// The files of `catalog/training/`, by name.
const MODULE_FILES: &[(&str, &str)] = &[
    (
        "attachments-ransomware.toml",
        include_str!("../../../../catalog/training/attachments-ransomware.toml"),
    ),
    (
        "phishing-links.toml",
        include_str!("../../../../catalog/training/phishing-links.toml"),
    ),
    (
        "phone-text-lures.toml",
        include_str!("../../../../catalog/training/phone-text-lures.toml"),
    ),
    (
        "reporting.toml",
        include_str!("../../../../catalog/training/reporting.toml"),
    ),
];

/// The pictures of `catalog/training/pictures/` (SVG), by name.
pub const PICTURES: &[(&str, &str)] = &[
    (
        "attachment.svg",
        include_str!("../../../../catalog/training/pictures/attachment.svg"),
    ),
    (
        "link-hover.svg",
        include_str!("../../../../catalog/training/pictures/link-hover.svg"),
    ),
    (
        "phone-text.svg",
        include_str!("../../../../catalog/training/pictures/phone-text.svg"),
    ),
    (
        "report.svg",
        include_str!("../../../../catalog/training/pictures/report.svg"),
    ),
];

/// The words a template may fill in per recipient.
pub const PLACEHOLDERS: &[&str] = &["first_name", "practice", "link", "date"];

/// Questions in every quiz.
pub const QUESTIONS_PER_QUIZ: usize = 5;

/// What a simulated message pretends to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lure {
    /// A sign-in page (EHR, email).
    Credential,
    /// A shared document.
    Document,
    /// A voicemail notice.
    Voicemail,
    /// An invoice to pay.
    Invoice,
    /// Payroll or bank details.
    Payroll,
    /// A parcel delivery.
    Delivery,
    /// A QR code to scan.
    Qr,
}

/// How hard a template is to see through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    /// Several obvious red flags.
    Easy,
    /// Fewer, subtler ones.
    Medium,
    /// Plausible; the check is to ask someone.
    Hard,
}

/// A simulated phishing message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Identifier (the file name).
    pub id: String,
    /// What the administrator chooses from.
    pub name: String,
    /// What it pretends to be.
    pub lure: Lure,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// Display name of the sender (the address is the practice's simulation sender).
    pub sender_name: String,
    /// Subject, with placeholders.
    pub subject: String,
    /// The words of the link's button in the HTML part.
    pub button: String,
    /// Plain-text body, with placeholders; `{link}` is required.
    pub body: String,
    /// What gave it away, for the landing page.
    pub red_flags: Vec<String>,
    /// The module assigned to whoever clicks.
    pub training: String,
}

/// A part of a training page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Heading.
    pub heading: String,
    /// Paragraphs, separated by a blank line.
    pub text: String,
    /// A picture of `PICTURES`.
    #[serde(default)]
    pub picture: Option<String>,
    /// Its text alternative.
    #[serde(default)]
    pub alt: Option<String>,
}

/// A quiz question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The question.
    pub text: String,
    /// The choices.
    pub choices: Vec<String>,
    /// Index of the right choice.
    pub answer: usize,
    /// Why, shown after answering.
    pub explain: String,
}

/// A training module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    /// Identifier (the file name).
    pub id: String,
    /// Title.
    pub title: String,
    /// Minutes it takes.
    pub minutes: u32,
    /// Right answers needed to complete it.
    pub pass_score: usize,
    /// The page.
    #[serde(rename = "section")]
    pub sections: Vec<Section>,
    /// The quiz.
    #[serde(rename = "question")]
    pub questions: Vec<Question>,
}

/// Everything shipped.
#[derive(Debug, Clone)]
pub struct AwarenessCatalog {
    /// Simulation templates, by file name.
    pub templates: Vec<Template>,
    /// Training modules, by file name.
    pub modules: Vec<Module>,
}

impl AwarenessCatalog {
    /// The template `id`.
    pub fn template(&self, id: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.id == id)
    }

    /// The module `id`.
    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.id == id)
    }
}

/// The catalog compiled into this build (checked by the tests, so it cannot fail at run time
/// unless the build itself is broken; the error then names the file).
pub fn builtin() -> Result<&'static AwarenessCatalog, String> {
    static CATALOG: OnceLock<Result<AwarenessCatalog, String>> = OnceLock::new();
    CATALOG.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<AwarenessCatalog, String> {
    let mut modules = Vec::new();
    for (file, text) in MODULE_FILES {
        let module: Module =
            toml::from_str(text).map_err(|e| format!("catalog/training/{file}: {e}"))?;
        check_module(file, &module)?;
        modules.push(module);
    }
    let module_ids: BTreeSet<&str> = modules.iter().map(|m| m.id.as_str()).collect();
    let mut templates = Vec::new();
    for (file, text) in TEMPLATE_FILES {
        let template: Template =
            toml::from_str(text).map_err(|e| format!("catalog/simulations/{file}: {e}"))?;
        check_template(file, &template, &module_ids)?;
        templates.push(template);
    }
    Ok(AwarenessCatalog { templates, modules })
}

/// The `{name}` placeholders of a text.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end)
                if end > 0
                    && after[..end]
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_') =>
            {
                found.push(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

/// A template's words: the shipped ones and an administrator's copy obey the same rules.
pub fn check_template_text(template: &Template) -> Result<(), String> {
    let unknown: Vec<&str> = [&template.subject, &template.body]
        .iter()
        .flat_map(|t| placeholders(t))
        .filter(|p| !PLACEHOLDERS.contains(p))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "unknown placeholder {{{}}}: use only {{first_name}}, {{practice}}, {{link}} and {{date}}",
            unknown[0]
        ));
    }
    if !placeholders(&template.body).contains(&"link") {
        return Err("the body must contain {link}, where the simulation's link goes".into());
    }
    if placeholders(&template.subject).contains(&"link") {
        return Err("the subject cannot contain {link}".into());
    }
    if template.red_flags.is_empty() {
        return Err("list at least one red flag: the landing page teaches them".into());
    }
    for (what, text, limit) in [
        ("name", &template.name, 120),
        ("sender name", &template.sender_name, 80),
        ("subject", &template.subject, 200),
        ("button", &template.button, 60),
        ("body", &template.body, 8000),
    ] {
        if text.trim().is_empty() || text.chars().count() > limit {
            return Err(format!("the {what} must have 1 to {limit} characters"));
        }
        let allowed_newlines = what == "body";
        if text
            .chars()
            .any(|c| c.is_control() && !(allowed_newlines && (c == '\n' || c == '\t')))
        {
            return Err(format!("the {what} contains control characters"));
        }
    }
    Ok(())
}

fn check_template(file: &str, template: &Template, modules: &BTreeSet<&str>) -> Result<(), String> {
    let place = format!("catalog/simulations/{file}");
    if file.strip_suffix(".toml") != Some(template.id.as_str()) {
        return Err(format!(
            "{place}: id `{}` is not the file name",
            template.id
        ));
    }
    check_template_text(template).map_err(|e| format!("{place}: {e}"))?;
    if !modules.contains(template.training.as_str()) {
        return Err(format!(
            "{place}: training module `{}` is not in catalog/training/",
            template.training
        ));
    }
    Ok(())
}

fn check_module(file: &str, module: &Module) -> Result<(), String> {
    let place = format!("catalog/training/{file}");
    if file.strip_suffix(".toml") != Some(module.id.as_str()) {
        return Err(format!("{place}: id `{}` is not the file name", module.id));
    }
    if module.sections.is_empty() {
        return Err(format!("{place}: a module needs at least one [[section]]"));
    }
    if module.questions.len() != QUESTIONS_PER_QUIZ {
        return Err(format!(
            "{place}: a quiz has {QUESTIONS_PER_QUIZ} questions, this one {}",
            module.questions.len()
        ));
    }
    if module.pass_score == 0 || module.pass_score > QUESTIONS_PER_QUIZ {
        return Err(format!(
            "{place}: pass_score must be 1 to {QUESTIONS_PER_QUIZ}"
        ));
    }
    for (n, question) in module.questions.iter().enumerate() {
        if question.choices.len() < 2 || question.answer >= question.choices.len() {
            return Err(format!(
                "{place}: question {} needs two or more choices and an answer among them",
                n + 1
            ));
        }
    }
    for section in &module.sections {
        if let Some(picture) = &section.picture {
            if !PICTURES.iter().any(|(name, _)| name == picture) {
                return Err(format!(
                    "{place}: picture `{picture}` is not in catalog/training/pictures/"
                ));
            }
            if section.alt.as_deref().is_none_or(|a| a.trim().is_empty()) {
                return Err(format!("{place}: picture `{picture}` needs an `alt` text"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(folder: &str, extension: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../catalog")
            .join(folder);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(extension))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_shipped_catalog_is_valid_and_every_file_is_compiled_in() {
        let catalog = builtin().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(catalog.templates.len(), 7);
        assert_eq!(catalog.modules.len(), 4);
        let listed =
            |files: &[(&str, &str)]| files.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>();
        assert_eq!(listed(TEMPLATE_FILES), names_in("simulations", ".toml"));
        assert_eq!(listed(MODULE_FILES), names_in("training", ".toml"));
        assert_eq!(listed(PICTURES), names_in("training/pictures", ".svg"));
        let lures: BTreeSet<String> = catalog
            .templates
            .iter()
            .map(|t| format!("{:?}", t.lure))
            .collect();
        assert_eq!(lures.len(), 7, "one template per lure");
        assert!(
            catalog
                .template("qr-code")
                .is_some_and(|t| t.training == "phone-text-lures")
        );
    }

    #[test]
    fn a_template_copy_obeys_the_same_rules() {
        let catalog = builtin().unwrap_or_else(|e| panic!("{e}"));
        let mut copy = catalog.templates[0].clone();
        assert!(check_template_text(&copy).is_ok());
        copy.body = "No link here".into();
        assert!(check_template_text(&copy).unwrap_err().contains("{link}"));
        copy.body = "Go to {link} {password}".into();
        assert!(
            check_template_text(&copy)
                .unwrap_err()
                .contains("{password}")
        );
        copy.body = "{link}".into();
        copy.subject = "Line\r\nBcc: everyone@example.com".into();
        assert!(
            check_template_text(&copy)
                .unwrap_err()
                .contains("control characters")
        );
        copy.subject = "Fine".into();
        copy.red_flags.clear();
        assert!(check_template_text(&copy).is_err());
    }

    #[test]
    fn placeholders_are_read_and_braces_alone_are_not() {
        assert_eq!(
            placeholders("Hi {first_name}, see {link}."),
            vec!["first_name", "link"]
        );
        assert!(placeholders("a { b } {} {Upper}").is_empty());
    }
}
