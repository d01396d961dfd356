//! HY-PH-001..004 for one phone: its facts in, one finding per control out. Pure, so a USB
//! check, a browser visit and an MDM row are judged by the same code.

use crate::catalog::{MobileOsCatalog, Support};
use crate::facts::{Family, PhoneFacts, Reading};
use crate::version::OsVersion;
use hygeia_core::time_util::parse_ymd;
use hygeia_core::{Catalog, Finding, Status, TelehealthApp, TelehealthCategory, UnknownCause};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// The phone controls, in catalog order.
pub const CONTROLS: [&str; 4] = ["HY-PH-001", "HY-PH-002", "HY-PH-003", "HY-PH-004"];

/// What the rules read besides the phone.
pub struct Judge<'a> {
    /// `catalog/mobile-os.toml`.
    pub releases: &'a MobileOsCatalog,
    /// The control catalog (limits, telehealth apps).
    pub catalog: &'a Catalog,
    /// When the facts were collected: ages count from here.
    pub observed_at: OffsetDateTime,
}

impl Judge<'_> {
    /// Every phone control's finding.
    pub fn judge(&self, facts: &PhoneFacts) -> BTreeMap<String, Finding> {
        [
            ("HY-PH-001", self.updates(facts)),
            ("HY-PH-002", self.lock(facts)),
            ("HY-PH-003", self.telehealth(facts)),
            ("HY-PH-004", self.app_sources(facts)),
        ]
        .into_iter()
        .map(|(id, finding)| (id.to_string(), finding))
        .collect()
    }

    fn limit(&self, name: &str) -> Result<i64, Finding> {
        self.catalog
            .control("HY-PH-001")
            .and_then(|c| c.limit(name))
            .ok_or_else(|| {
                Finding::unknown(
                    UnknownCause::Inconclusive,
                    format!("The catalog gives no {name} for HY-PH-001; this copy of Hygeia is damaged, install it again."),
                )
            })
    }

    fn today(&self) -> Date {
        self.observed_at.date()
    }

    fn days_since(&self, day: Date) -> i64 {
        (self.today() - day).whole_days()
    }

    /// HY-PH-001: the OS still gets fixes and the phone has them.
    fn updates(&self, facts: &PhoneFacts) -> Finding {
        let os = facts.family.os_name();
        let text = match &facts.os_version {
            Reading::Unknown { why } => {
                return Finding::unknown(
                    UnknownCause::Inconclusive,
                    format!("The {os} version is not known: {why}"),
                );
            }
            reading => reading.value().cloned().unwrap_or_default(),
        };
        let Some(version) = OsVersion::parse(&text) else {
            return Finding::unknown(
                UnknownCause::Unreadable,
                format!("The {os} version {text:?} could not be understood."),
            );
        };
        let verdict = match facts.family {
            Family::Ios => self.ios_updates(facts, &version),
            Family::Android => self.android_updates(facts, &version),
        };
        let mut finding = match verdict {
            Ok(verdict) => verdict.finding(),
            Err(finding) => return finding,
        };
        if !facts.os_version.is_measured() && finding.status == Status::Pass {
            finding.status = Status::Attested;
            finding = finding.with("The version was given by a person or a management system, not read from the phone.");
        }
        let catalog_age = self.releases.updated_on().map(|d| self.days_since(d));
        if let (Some(age), Ok(max)) = (catalog_age, self.limit("catalog_max_age_days"))
            && age > max
        {
            finding = finding.with(format!(
                "Hygeia's list of phone releases was last updated on {} ({age} days ago): newer releases may be missing; update Hygeia.",
                self.releases.updated
            ));
        }
        finding
    }

    fn ios_updates(&self, facts: &PhoneFacts, version: &OsVersion) -> Result<Verdict, Finding> {
        let mut verdict = Verdict::default();
        let newest = self.releases.newest_ios_major();
        let newest_major = newest.map_or(0, |m| m.major);
        if let Some(stuck) = self.releases.stuck_ios_device(&facts.model_id)
            && stuck.last_major < newest_major
        {
            let support = self.releases.ios_major(stuck.last_major).map(|m| m.support);
            let text = format!(
                "This {} cannot run iOS {newest_major}: Apple stopped its updates at iOS {}; plan to replace it.",
                stuck.name, stuck.last_major
            );
            if support == Some(Support::Partial) {
                verdict.warn(text);
            } else {
                verdict.fail(text);
            }
        }
        let Some(major) = self.releases.ios_major(version.major()) else {
            if version.major() > newest_major {
                verdict.pass(format!(
                    "iOS {version} is newer than Hygeia's list of releases (newest known: iOS {newest_major})."
                ));
            } else {
                verdict.fail(format!(
                    "iOS {version} no longer gets security fixes from Apple: update to iOS {newest_major}, or replace the phone if it cannot."
                ));
            }
            return Ok(verdict);
        };
        match major.support {
            Support::Ended => {
                let text = format!(
                    "iOS {} no longer gets security fixes from Apple: update to iOS {newest_major}, or replace the phone if it cannot.",
                    major.major
                );
                if major.estimated {
                    verdict.warn(format!("{text} (Hygeia's list marks this as unconfirmed.)"));
                } else {
                    verdict.fail(text);
                }
                return Ok(verdict);
            }
            Support::Partial => verdict.warn(format!(
                "iOS {} gets only some of Apple's security fixes: update to iOS {newest_major} (Settings > General > Software Update).",
                major.major
            )),
            Support::Full => {}
        }
        let grace = self.limit("ios_point_release_days")?;
        if let Some((missed, missed_version)) = self.releases.first_ios_release_after(version) {
            let (newest_release, newest_version) = self
                .releases
                .newest_ios_release(version.major())
                .unwrap_or((missed, missed_version.clone()));
            let since = parse_ymd(&missed.released).map(|d| self.days_since(d));
            let text = format!(
                "iOS {version} is behind: iOS {missed_version} came out on {} and iOS {newest_version} (of {}) is the newest.",
                missed.released, newest_release.released
            );
            match since {
                Some(days) if days > grace && !missed.estimated => verdict.fail(format!(
                    "{text} The phone has gone {days} days without it (limit {grace}): install it in Settings > General > Software Update."
                )),
                Some(days) if days > grace => verdict.warn(format!(
                    "{text} ({days} days ago; Hygeia's list marks that release as unconfirmed.)"
                )),
                _ => verdict.warn(format!(
                    "{text} Install it within {grace} days of its release (Settings > General > Software Update)."
                )),
            }
        } else if verdict.is_clear() {
            verdict.pass(format!(
                "iOS {version} is the newest release Hygeia knows for iOS {}.",
                version.major()
            ));
        }
        Ok(verdict)
    }

    fn android_updates(&self, facts: &PhoneFacts, version: &OsVersion) -> Result<Verdict, Finding> {
        let mut verdict = Verdict::default();
        let newest = self.releases.newest_android().map_or(0, |v| v.version);
        match self.releases.android_version(version.major()) {
            None if version.major() > newest => verdict.note(format!(
                "Android {} is newer than Hygeia's list (newest known: Android {newest}).",
                version.major()
            )),
            None => verdict.fail(format!(
                "Android {} no longer gets security fixes: replace the phone or update it to Android {newest} if its maker offers it.",
                version.major()
            )),
            Some(entry) => {
                let ended = entry
                    .support_ended
                    .as_deref()
                    .and_then(parse_ymd)
                    .filter(|end| *end <= self.today());
                if let Some(end) = ended {
                    let text = format!(
                        "Android {} stopped getting security fixes in {} {}: replace the phone or update it to Android {newest} if its maker offers it.",
                        entry.version,
                        end.month(),
                        end.year()
                    );
                    if entry.estimated {
                        verdict.warn(format!("{text} (Hygeia's list marks that date as unconfirmed.)"));
                    } else {
                        verdict.fail(text);
                    }
                }
            }
        }
        let max_age = self.limit("android_patch_max_age_days")?;
        match &facts.security_patch {
            Reading::Unknown { why } => {
                if verdict.is_clear() {
                    return Err(Finding::unknown(
                        UnknownCause::Inconclusive,
                        format!(
                            "Android {version} is still supported, but the security patch level is not known: {why}"
                        ),
                    ));
                }
                verdict.note(format!("security patch level not known: {why}"));
            }
            reading => {
                let text = reading.value().cloned().unwrap_or_default();
                let Some(patch) = parse_ymd(&text) else {
                    return Err(Finding::unknown(
                        UnknownCause::Unreadable,
                        format!("The security patch level {text:?} is not a date."),
                    ));
                };
                let age = self.days_since(patch);
                let missed = self.releases.bulletins_missed(&text);
                if age > max_age {
                    verdict.fail(format!(
                        "Its security patch level is {text}, {age} days old (the limit is {max_age}): it lacks {missed} monthly Android security updates. Install updates in Settings > System > Software update."
                    ));
                } else if verdict.is_clear() {
                    verdict.pass(format!(
                        "Android {} with the security patch of {text} ({age} days old).",
                        version.major()
                    ));
                } else {
                    verdict.note(format!("security patch {text} ({age} days old)"));
                }
            }
        }
        Ok(verdict)
    }

    /// HY-PH-002: a screen lock, and encrypted storage.
    fn lock(&self, facts: &PhoneFacts) -> Finding {
        let mut problems = Vec::new();
        let mut unknown = Vec::new();
        let mut answered = false;
        let mut evidence = Vec::new();
        for (reading, topic, missing) in [
            (
                &facts.screen_lock,
                "screen lock",
                "No screen lock (PIN, pattern or passcode) is set.",
            ),
            (
                &facts.encrypted,
                "encryption",
                "The phone's storage is not encrypted.",
            ),
        ] {
            match reading {
                Reading::Measured { value: true } => {
                    evidence.push(format!("{topic}: on (read from the phone)"))
                }
                Reading::Answered { value: true } => {
                    answered = true;
                    evidence.push(format!("{topic}: on (answered)"));
                }
                Reading::Measured { value: false } | Reading::Answered { value: false } => {
                    problems.push(missing.to_string());
                    evidence.push(format!("{topic}: off ({})", reading.how()));
                }
                Reading::Unknown { why } => unknown.push(format!("{topic}: {why}")),
            }
        }
        if let Some(managers) = facts.management.value().filter(|m| !m.is_empty()) {
            evidence.push(format!("managed by: {}", managers.join(", ")));
        }
        if !problems.is_empty() {
            return Finding::fail(problems.join(" ")).with_all(evidence);
        }
        if !unknown.is_empty() {
            return Finding::unknown(
                UnknownCause::Inconclusive,
                format!("Not known: {}.", unknown.join("; ")),
            )
            .with_all(evidence);
        }
        if answered {
            return Finding::attested(
                "A screen lock and encryption were declared, not read from the phone.",
            )
            .with_all(evidence);
        }
        Finding::pass("A screen lock is set and the storage is encrypted.").with_all(evidence)
    }

    /// HY-PH-003: the apps used for video visits, or else the apps installed.
    fn telehealth(&self, facts: &PhoneFacts) -> Finding {
        let apps = &self.catalog.telehealth;
        let mut evidence = Vec::new();
        let installed: Vec<&TelehealthApp> = match &facts.installed_apps {
            Reading::Measured { value } | Reading::Answered { value } => {
                let found = installed_matches(apps, facts.family, value);
                evidence.extend(found.iter().map(|a| format!("installed: {}", describe(a))));
                found
            }
            Reading::Unknown { .. } => Vec::new(),
        };
        if let Some(used) = facts.visit_apps.value() {
            return self.visit_apps(used, &facts.visit_apps, installed, evidence);
        }
        if let Reading::Unknown { why } = &facts.installed_apps {
            return Finding::unknown(
                UnknownCause::Inconclusive,
                format!("The apps on this phone are not known: {why}"),
            );
        }
        let concerning = names(
            installed
                .iter()
                .copied()
                .filter(|a| !a.builtin && !suitable(a)),
        );
        let good = names(installed.iter().copied().filter(|a| suitable(a)));
        if !concerning.is_empty() {
            return Finding::warn(format!(
                "{concerning} installed: fine for personal use, but never for patient visits."
            ))
            .with_all(evidence);
        }
        if !good.is_empty() {
            return Finding::pass(format!(
                "Video apps found ({good}) can be used for patient visits under a signed BAA."
            ))
            .with_all(evidence);
        }
        Finding::not_applicable("No video-visit or messaging app from Hygeia's list is installed.")
            .with_all(evidence)
    }

    fn visit_apps(
        &self,
        used: &[String],
        reading: &Reading<Vec<String>>,
        installed: Vec<&TelehealthApp>,
        mut evidence: Vec<String>,
    ) -> Finding {
        let apps = &self.catalog.telehealth;
        if used.iter().all(|u| u.eq_ignore_ascii_case("none")) {
            return Finding::not_applicable("No video visits are made from this phone.")
                .with_all(evidence);
        }
        let chosen: Vec<&TelehealthApp> = apps
            .iter()
            .filter(|a| used.iter().any(|u| u.eq_ignore_ascii_case(&a.name)))
            .collect();
        let unlisted: Vec<&String> = used
            .iter()
            .filter(|u| {
                !u.eq_ignore_ascii_case("none")
                    && !apps.iter().any(|a| a.name.eq_ignore_ascii_case(u))
            })
            .collect();
        evidence.extend(
            chosen
                .iter()
                .map(|a| format!("used for visits ({}): {}", reading.how(), describe(a))),
        );
        let bad = names(chosen.iter().copied().filter(|a| !suitable(a)));
        if !bad.is_empty() {
            return Finding::fail(format!(
                "{bad} is used for patient visits: a consumer app whose vendor signs no BAA. Use a HIPAA-capable service such as Doxy.me, or Zoom for Healthcare under a BAA."
            ))
            .with_all(evidence);
        }
        if !unlisted.is_empty() {
            let list: Vec<&str> = unlisted.iter().map(|s| s.as_str()).collect();
            return Finding::unknown(
                UnknownCause::Inconclusive,
                format!(
                    "{} is not in Hygeia's list of video apps: ask the vendor for a signed BAA.",
                    list.join(", ")
                ),
            )
            .with_all(evidence);
        }
        let concerning = names(
            installed
                .iter()
                .copied()
                .filter(|a| !a.builtin && !suitable(a)),
        );
        let good = names(chosen.iter().copied());
        let reason =
            format!("Patient visits use {good}, which can be HIPAA-capable under a signed BAA.");
        let finding = if reading.is_measured() {
            Finding::pass(reason)
        } else {
            Finding::attested(reason)
        };
        if concerning.is_empty() {
            finding.with_all(evidence)
        } else {
            finding.with_all(evidence).with(format!(
                "{concerning} is also installed: never use it for patients."
            ))
        }
    }

    /// HY-PH-004: apps only from the store.
    fn app_sources(&self, facts: &PhoneFacts) -> Finding {
        if facts.family == Family::Ios {
            return Finding::not_applicable(
                "iPhones and iPads install apps only from the App Store (in the EU, also from marketplaces Apple approves).",
            );
        }
        let mut evidence = Vec::new();
        if facts.developer_options.value() == Some(&true)
            || facts.usb_debugging.value() == Some(&true)
        {
            evidence.push("Developer options and USB debugging are on (a USB check needs them): turn them off when the check is done.".to_string());
        }
        let stores = &self.releases.android.stores;
        match &facts.unknown_sources {
            Reading::Unknown { why } => Finding::unknown(
                UnknownCause::Inconclusive,
                format!("Which apps may install other apps is not known: {why}"),
            )
            .with_all(evidence),
            reading => {
                let allowed: Vec<&String> = reading
                    .value()
                    .map(|v| v.iter().filter(|p| !stores.contains(p)).collect())
                    .unwrap_or_default();
                if allowed.is_empty() {
                    let reason = "No app may install other apps from outside the store.";
                    if reading.is_measured() {
                        Finding::pass(reason).with_all(evidence)
                    } else {
                        Finding::attested(reason).with_all(evidence)
                    }
                } else {
                    let list: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
                    Finding::fail(format!(
                        "These apps may install apps from outside Google Play: {}. Set each to Not allowed in Settings > Apps > Special app access > Install unknown apps.",
                        list.join(", ")
                    ))
                    .with_all(evidence)
                }
            }
        }
    }
}

/// The catalog apps whose phone identifiers are among `installed`.
pub fn installed_matches<'a>(
    apps: &'a [TelehealthApp],
    family: Family,
    installed: &[String],
) -> Vec<&'a TelehealthApp> {
    apps.iter()
        .filter(|app| {
            let ids = match family {
                Family::Android => &app.android,
                Family::Ios => &app.ios,
            };
            ids.iter()
                .any(|id| installed.iter().any(|i| i.eq_ignore_ascii_case(id)))
        })
        .collect()
}

fn suitable(app: &TelehealthApp) -> bool {
    matches!(
        app.category,
        TelehealthCategory::Hipaa | TelehealthCategory::HipaaWithPlan
    )
}

fn names<'a>(apps: impl Iterator<Item = &'a TelehealthApp>) -> String {
    apps.map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn describe(app: &TelehealthApp) -> String {
    let what = match app.category {
        TelehealthCategory::Hipaa => "HIPAA-capable (vendor signs a BAA)",
        TelehealthCategory::HipaaWithPlan => {
            "HIPAA-capable only with a business plan and a signed BAA"
        }
        TelehealthCategory::Consumer => "consumer app: not for patient visits",
        TelehealthCategory::PublicFacing => "public-facing: never allowed for patient care",
    };
    match &app.note {
        Some(note) => format!("{}: {what}. {note}", app.name),
        None => format!("{}: {what}", app.name),
    }
}

/// Sentences gathered for one control, the worst deciding the status.
#[derive(Default)]
struct Verdict {
    failures: Vec<String>,
    warnings: Vec<String>,
    passes: Vec<String>,
    notes: Vec<String>,
}

impl Verdict {
    fn fail(&mut self, text: String) {
        self.failures.push(text);
    }
    fn warn(&mut self, text: String) {
        self.warnings.push(text);
    }
    fn pass(&mut self, text: String) {
        self.passes.push(text);
    }
    fn note(&mut self, text: String) {
        self.notes.push(text);
    }
    fn is_clear(&self) -> bool {
        self.failures.is_empty() && self.warnings.is_empty()
    }

    fn finding(self) -> Finding {
        let finding = if !self.failures.is_empty() {
            Finding::fail(self.failures.join(" ")).with_all(self.warnings)
        } else if !self.warnings.is_empty() {
            Finding::warn(self.warnings.join(" "))
        } else if !self.passes.is_empty() {
            Finding::pass(self.passes.join(" "))
        } else {
            Finding::pass(self.notes.join(" "))
        };
        finding.with_all(self.notes)
    }
}

#[cfg(test)]
mod tests;
