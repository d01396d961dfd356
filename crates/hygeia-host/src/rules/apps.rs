//! HY-PC-016: telemedicine apps compared with `catalog/telehealth-apps.toml`.

use super::Input;
use super::antimalware::installed_names;
use crate::parse::apps::{parse_dpkg_installed, parse_name_per_line, parse_snap_list};
use hygeia_core::{Finding, Platform, TelehealthApp, TelehealthCategory, UnknownCause};

/// A package-list probe and its parser.
type PackageSource = (&'static str, fn(&str) -> Vec<String>);

/// Installed application names, or an `unknown` finding when no list could be read.
fn installed_apps(input: &Input) -> Result<Vec<String>, Finding> {
    match input.snapshot.platform {
        Platform::Linux => {
            let mut names = Vec::new();
            let mut any_read = false;
            let sources: [PackageSource; 4] = [
                ("dpkg_packages", parse_dpkg_installed),
                ("rpm_packages", parse_name_per_line),
                ("flatpak_apps", parse_name_per_line),
                ("snap_list", parse_snap_list),
            ];
            for (probe, parse) in sources {
                if let Ok(text) = input.command_ok(probe, "installed applications") {
                    any_read = true;
                    names.extend(parse(text));
                }
            }
            if !any_read {
                return Err(Finding::unknown(
                    UnknownCause::CommandMissing,
                    "No package list (dpkg, rpm, Flatpak or Snap) could be read.",
                ));
            }
            Ok(names)
        }
        Platform::Macos => {
            let names = installed_names(input);
            if names.is_empty() {
                return Err(Finding::unknown(
                    UnknownCause::Unreadable,
                    "/Applications could not be listed.",
                ));
            }
            Ok(names)
        }
        Platform::Windows => input
            .command_ok("programs", "installed programs")
            .map(crate::parse::apps::parse_windows_programs),
    }
}

fn matches(app: &TelehealthApp, platform: Platform, installed: &[String]) -> bool {
    let lower: Vec<String> = installed.iter().map(|n| n.to_lowercase()).collect();
    match platform {
        Platform::Linux => app.linux.iter().any(|n| lower.contains(&n.to_lowercase())),
        Platform::Macos => app.macos.iter().any(|n| lower.contains(&n.to_lowercase())),
        Platform::Windows => app
            .windows
            .iter()
            .any(|n| lower.iter().any(|i| i.contains(&n.to_lowercase()))),
    }
}

/// HY-PC-016.
pub fn telehealth_apps(input: &Input) -> Finding {
    let installed = match installed_apps(input) {
        Ok(i) => i,
        Err(f) => return f,
    };
    let found: Vec<&TelehealthApp> = input
        .catalog
        .telehealth
        .iter()
        .filter(|app| matches(app, input.snapshot.platform, &installed))
        .collect();
    let describe = |app: &TelehealthApp| {
        let what = match app.category {
            TelehealthCategory::Hipaa => "HIPAA-capable (vendor signs a BAA)",
            TelehealthCategory::HipaaWithPlan => {
                "HIPAA-capable only with a business plan and a signed BAA"
            }
            TelehealthCategory::Consumer => {
                "consumer app: not for patient visits since 9 August 2023"
            }
            TelehealthCategory::PublicFacing => "public-facing: never allowed for patient care",
        };
        match &app.note {
            Some(note) => format!("{}: {what}. {note}", app.name),
            None => format!("{}: {what}", app.name),
        }
    };
    let evidence: Vec<String> = found.iter().map(|a| describe(a)).collect();
    let concerning: Vec<&str> = found
        .iter()
        .filter(|a| {
            !a.builtin
                && matches!(
                    a.category,
                    TelehealthCategory::Consumer | TelehealthCategory::PublicFacing
                )
        })
        .map(|a| a.name.as_str())
        .collect();
    let suitable: Vec<&str> = found
        .iter()
        .filter(|a| {
            matches!(
                a.category,
                TelehealthCategory::Hipaa | TelehealthCategory::HipaaWithPlan
            )
        })
        .map(|a| a.name.as_str())
        .collect();
    if !concerning.is_empty() {
        return Finding::warn(format!(
            "{} installed: fine for personal use, but never for patient visits.",
            concerning.join(", ")
        ))
        .with_all(evidence);
    }
    if !suitable.is_empty() {
        return Finding::pass(format!(
            "Video apps found ({}) can be used for patient visits under a signed BAA.",
            suitable.join(", ")
        ))
        .with_all(evidence);
    }
    Finding::not_applicable("No video-visit or messaging app from Hygeia's list is installed.")
        .with_all(evidence)
}
