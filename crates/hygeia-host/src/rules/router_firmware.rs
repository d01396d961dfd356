//! HY-NET-006 from the home network probes: the router's make, model and announced firmware
//! against CISA's KEV catalog and, when given (`--nvd FILE`), NVD's CVE records, through the
//! same vendor aliases and version comparison as `hygeia devices match`.
//!
//! KEV names models, not firmware versions, so a KEV model match fails unless NVD says the
//! announced firmware is outside the affected versions; then it is only a warning, because the
//! version a router announces is not always its firmware (some makers put the hardware
//! revision in the UPnP model number).

use super::router::home_facts;
use super::{Input, name_list};
use crate::parse::home::RouterIdentity;
use hygeia_core::{Finding, UnknownCause};
use hygeia_devices::feeds::{Kev, KevEntry};
use hygeia_devices::matching::Basis;
use hygeia_devices::{AdvisorySet, ModelMatch};

/// The probe that reads the KEV catalog file the router's model is matched against.
pub const KEV_PROBE: &str = "router_kev";

/// The probe that reads the NVD CVE API 2.0 file the router's firmware is matched against.
pub const NVD_PROBE: &str = "router_nvd";

/// A feed file read from the snapshot: absent (not given), or parsed, or the finding that says
/// why it cannot be used.
fn feed_text<'a>(
    input: &Input<'a>,
    probe: &str,
    what: &str,
    label: &str,
) -> Result<Option<&'a str>, Finding> {
    if input.snapshot.output(probe).is_none() {
        return Ok(None);
    }
    match input.file(probe, what)? {
        Some(file) => Ok(Some(file.content)),
        None => Err(Finding::unknown(
            UnknownCause::Unreadable,
            format!(
                "Your router is a {label}, but {what} {} does not exist: run `hygeia devices update`, or give the file again, and check again.",
                input.source(probe)
            ),
        )),
    }
}

/// What the router's model and firmware were matched against, and what was found.
struct Matches<'k> {
    kev: Option<&'k Kev>,
    kev_hits: Vec<(&'k String, &'k KevEntry)>,
    nvd: Option<ModelMatch>,
}

fn kev_hits<'k>(
    kev: &'k Kev,
    router: &RouterIdentity,
) -> Result<Vec<(&'k String, &'k KevEntry)>, String> {
    let vendors = hygeia_devices::names::VendorTable::builtin()
        .map_err(|e| format!("The vendor table could not be read: {e}."))?;
    let mut hits = Vec::new();
    for model in router.models() {
        for hit in
            hygeia_devices::feeds::kev_entries_for_model(kev, &vendors, &router.manufacturer, model)
        {
            if !hits.iter().any(|(cve, _)| *cve == hit.0) {
                hits.push(hit);
            }
        }
    }
    hits.sort_by(|a, b| a.0.cmp(b.0));
    Ok(hits)
}

/// HY-NET-006: the router's firmware has no vulnerability that attackers are using (KEV) or,
/// with NVD, no known vulnerability at the version it announced.
pub fn router_firmware(input: &Input) -> Finding {
    let facts = match home_facts(input, "HY-NET-006") {
        Ok(facts) => facts,
        Err(finding) => return finding,
    };
    let router = match facts.router.as_ref() {
        Some(router) if !router.manufacturer.is_empty() && !router.models().is_empty() => router,
        _ => {
            return Finding::unknown(
                UnknownCause::Inconclusive,
                format!(
                    "Your router ({}) did not say its make and model, so its firmware could not be checked against known attacks. Log in to its settings page, install any firmware update, then answer with `hygeia attest HY-NET-006`.",
                    facts.gateway
                ),
            );
        }
    };
    let label = router.label();
    let kev_text = match feed_text(input, KEV_PROBE, "the KEV catalog", &label) {
        Ok(text) => text,
        Err(finding) => return finding,
    };
    let nvd_text = match feed_text(input, NVD_PROBE, "the NVD file", &label) {
        Ok(text) => text,
        Err(finding) => return finding,
    };
    if kev_text.is_none() && nvd_text.is_none() {
        return Finding::unknown(
            UnknownCause::Inconclusive,
            format!(
                "Your router is a {label}, but no list of exploited vulnerabilities was available to check it against: run `hygeia devices update` (or give `--kev FILE`) and check again."
            ),
        );
    }
    let kev = match kev_text
        .map(|text| hygeia_devices::feeds::parse_kev(input.source(KEV_PROBE), text.as_bytes()))
        .transpose()
    {
        Ok(kev) => kev,
        Err(e) => {
            return Finding::unknown(
                UnknownCause::Unreadable,
                format!("Your router is a {label}, but the KEV catalog could not be read: {e}."),
            );
        }
    };
    let kev_hits = match kev.as_ref().map(|k| kev_hits(k, router)).transpose() {
        Ok(hits) => hits.unwrap_or_default(),
        Err(message) => return Finding::unknown(UnknownCause::Unreadable, message),
    };
    let firmware = router.firmware();
    let nvd = match nvd_text
        .map(|text| nvd_matches(input, text, kev.as_ref(), router, firmware.as_ref()))
        .transpose()
    {
        Ok(nvd) => nvd,
        Err(e) => {
            return Finding::unknown(
                UnknownCause::Unreadable,
                format!("Your router is a {label}, but the NVD file could not be read: {e}."),
            );
        }
    };
    let matches = Matches {
        kev: kev.as_ref(),
        kev_hits,
        nvd,
    };
    let mut finding = judge(router, &label, firmware.as_ref(), &matches);
    finding = finding.with(identity(router, &label, &facts.gateway, firmware.as_ref()));
    evidence(finding, &matches, firmware.as_ref())
}

fn nvd_matches(
    input: &Input,
    text: &str,
    kev: Option<&Kev>,
    router: &RouterIdentity,
    firmware: Option<&(String, &'static str)>,
) -> Result<ModelMatch, hygeia_devices::DevicesError> {
    let set = AdvisorySet {
        advisories: hygeia_devices::feeds::parse_nvd(input.source(NVD_PROBE), text.as_bytes())?,
        files: 1,
        ..AdvisorySet::default()
    };
    let version = firmware.map(|(v, _)| v.as_str()).unwrap_or("");
    hygeia_devices::match_model(&set, kev, &router.manufacturer, &router.models(), version)
}

/// The status and the sentence a clinician reads.
fn judge(
    router: &RouterIdentity,
    label: &str,
    firmware: Option<&(String, &'static str)>,
    matches: &Matches,
) -> Finding {
    let maker = &router.manufacturer;
    let fixed_per_nvd = |cve: &String| {
        firmware.is_some()
            && matches
                .nvd
                .as_ref()
                .is_some_and(|n| n.other_versions.contains(cve))
    };
    let (kev_open, kev_probably_fixed): (Vec<String>, Vec<String>) = {
        let all: Vec<String> = matches.kev_hits.iter().map(|(c, _)| (*c).clone()).collect();
        all.into_iter().partition(|cve| !fixed_per_nvd(cve))
    };
    let nvd_findings = matches
        .nvd
        .as_ref()
        .map(|n| n.findings.as_slice())
        .unwrap_or(&[]);
    let nvd_certain: Vec<String> = cves_where(nvd_findings, |b| b >= Basis::Range);
    let nvd_possible: Vec<String> = cves_where(nvd_findings, |b| b < Basis::Range);
    let update = format!("Install the newest firmware from {maker}'s support site");
    if !kev_open.is_empty() {
        let discontinue = matches.kev_hits.iter().any(|(cve, e)| {
            kev_open.contains(cve)
                && e.required_action
                    .to_ascii_lowercase()
                    .contains("discontinue")
        });
        let more: Vec<String> = nvd_certain
            .iter()
            .filter(|cve| !kev_open.contains(cve))
            .cloned()
            .collect();
        let more = match firmware {
            Some((version, _)) if !more.is_empty() => format!(
                " NVD lists {} more for firmware {version}: {}.",
                more.len(),
                name_list(&more, 4)
            ),
            _ => String::new(),
        };
        return Finding::fail(format!(
            "Your router, {label}, has vulnerabilities that attackers are using (CISA KEV): {}.{more} {update}{}.",
            name_list(&kev_open, 4),
            if discontinue {
                "; if there is none for this model, replace the router"
            } else {
                ""
            }
        ));
    }
    if !nvd_certain.is_empty() {
        let version = firmware.map(|(v, _)| v.as_str()).unwrap_or("");
        return Finding::fail(format!(
            "Your router, {label}, runs firmware {version}, which has known vulnerabilities (NVD): {}. {update}; if the maker no longer publishes updates for this model, replace the router.",
            name_list(&nvd_certain, 4)
        ));
    }
    if !kev_probably_fixed.is_empty() {
        let (version, source) = firmware.map(|(v, s)| (v.as_str(), *s)).unwrap_or(("", ""));
        return Finding::warn(format!(
            "Attackers use vulnerabilities of the {label} ({}), but NVD says firmware {version}, read from {source}, is not affected. Open the router's settings page and confirm that its firmware is {version} or newer.",
            name_list(&kev_probably_fixed, 4)
        ));
    }
    if !nvd_possible.is_empty() {
        return Finding::warn(match firmware {
            Some((version, _)) => format!(
                "Your router, {label}, may be affected by known vulnerabilities (NVD): {}; NVD's versions could not be compared with firmware {version}. Check the maker's advisories and {}.",
                name_list(&nvd_possible, 4),
                update.to_lowercase()
            ),
            None => format!(
                "NVD lists vulnerabilities for the {label}'s firmware ({}), and your router does not say which firmware it runs. Open its settings page, see the firmware version, and {}.",
                name_list(&nvd_possible, 4),
                update.to_lowercase()
            ),
        });
    }
    let against = match (matches.kev, matches.nvd.is_some()) {
        (Some(kev), true) => format!(
            "CISA's catalog of vulnerabilities that attackers are using (KEV {}) or in the NVD file given",
            kev.version
        ),
        (Some(kev), false) => format!(
            "CISA's catalog of vulnerabilities that attackers are using (KEV {})",
            kev.version
        ),
        (None, _) => "the NVD file given".to_string(),
    };
    Finding::pass(format!(
        "Your router, {label}, has no known vulnerability in {against}."
    ))
}

/// The CVEs of findings whose basis satisfies `keep`, in order, once each.
fn cves_where(
    findings: &[hygeia_devices::priority::Finding],
    keep: impl Fn(Basis) -> bool,
) -> Vec<String> {
    let mut cves: Vec<String> = Vec::new();
    for cve in findings
        .iter()
        .filter(|f| keep(f.basis))
        .flat_map(|f| &f.cves)
    {
        if !cves.contains(cve) {
            cves.push(cve.clone());
        }
    }
    cves
}

/// "Router: D-Link DIR-859 (1.06B01), at 192.168.1.1, firmware 1.06B01 (from ...)".
fn identity(
    router: &RouterIdentity,
    label: &str,
    gateway: &str,
    firmware: Option<&(String, &'static str)>,
) -> String {
    let mut line = format!("Router: {label}, at {gateway}");
    if !router.server.is_empty() {
        line.push_str(&format!(", software {}", router.server));
    }
    match firmware {
        Some((version, source)) => {
            line.push_str(&format!("; firmware {version}, read from {source}"))
        }
        None => line.push_str("; it did not announce its firmware version"),
    }
    line
}

/// One line per CVE, KEV first, then NVD, then what is left unsaid.
fn evidence(
    mut finding: Finding,
    matches: &Matches,
    firmware: Option<&(String, &'static str)>,
) -> Finding {
    for (cve, entry) in &matches.kev_hits {
        finding = finding.with(format!(
            "{cve}: {}; in KEV since {}, federal agencies had to act by {}; CISA's required action: {}",
            if entry.name.trim().is_empty() { entry.product.trim() } else { entry.name.trim() },
            entry.date_added,
            if entry.due_date.is_empty() { "(no date)" } else { &entry.due_date },
            entry.required_action
        ));
    }
    let Some(nvd) = &matches.nvd else {
        if !matches.kev_hits.is_empty() {
            finding = finding.with("KEV lists models, not firmware versions: give an NVD file for this model (`--nvd FILE`) to see whether the firmware is fixed, or check the maker's advisory.");
        } else {
            finding = finding.with("The firmware's own version history is not visible from this computer: keep the router's automatic updates on.");
        }
        return finding;
    };
    for hit in &nvd.findings {
        finding = finding.with(
            format!(
                "{} (NVD, {}{}): {} {}",
                hit.cves.join(", "),
                hit.basis.as_str(),
                hit.cvss
                    .map(|s| format!(", CVSS {s:.1}"))
                    .unwrap_or_default(),
                hit.basis_note,
                hit.url.as_deref().unwrap_or("")
            )
            .trim_end()
            .to_string(),
        );
    }
    if !nvd.other_versions.is_empty() {
        let version = firmware.map(|(v, _)| v.as_str()).unwrap_or("");
        finding = finding.with(format!(
            "NVD lists {} for this model only in firmware other than {version}: {}",
            if nvd.other_versions.len() == 1 {
                "one more vulnerability".to_string()
            } else {
                format!("{} more vulnerabilities", nvd.other_versions.len())
            },
            name_list(&nvd.other_versions, 6)
        ));
    }
    if nvd.findings.is_empty() && nvd.other_versions.is_empty() {
        finding = finding.with("The NVD file names no vulnerability for this model: check that it is the NVD answer for this router (its CPE name).");
    }
    finding
}
