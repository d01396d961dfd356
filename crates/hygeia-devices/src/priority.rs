//! How urgent a match is, with the reasons: known ransomware use in KEV, then KEV, then
//! exploitation noted by the advisory, then EPSS, then the CVSS base score; raised for
//! life-critical devices and flat networks, lowered for isolated ones.

use crate::advisory::{Origin, Remediation};
use crate::feeds::{Epss, Kev};
use crate::matching::{Basis, Hit};
use serde::Serialize;

/// Urgency levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Patch in the normal cycle.
    Low,
    /// Patch within weeks.
    Medium,
    /// Patch or isolate within days.
    High,
    /// Act now: patch or disconnect.
    Critical,
}

impl Priority {
    /// The word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Critical => "critical",
        }
    }

    fn raised(self) -> Priority {
        match self {
            Priority::Low => Priority::Medium,
            Priority::Medium => Priority::High,
            _ => Priority::Critical,
        }
    }

    fn lowered(self) -> Priority {
        match self {
            Priority::Critical => Priority::High,
            Priority::High => Priority::Medium,
            _ => Priority::Low,
        }
    }
}

/// EPSS probability from which exploitation is considered likely (the top few percent of CVEs).
const EPSS_LIKELY: f32 = 0.1;

/// One finding: a device, an advisory, and what to do.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The device, for people.
    pub device: String,
    /// The inventory's `name` of the device, unchanged: the key that joins findings to the
    /// inventory.
    pub device_name: String,
    /// Where the device is listed (`file:line`).
    pub device_source: String,
    /// Advisory id.
    pub advisory: String,
    /// Advisory title.
    pub title: String,
    /// Advisory page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The product entry as the advisory writes it.
    pub product: String,
    /// CVEs.
    pub cves: Vec<String>,
    /// How the match was decided.
    pub basis: Basis,
    /// Why, in one sentence.
    pub basis_note: String,
    /// Urgency.
    pub priority: Priority,
    /// Why this urgency, most important first.
    pub priority_reasons: Vec<String>,
    /// In KEV.
    pub kev: bool,
    /// In KEV with known ransomware use.
    pub ransomware: bool,
    /// Highest EPSS probability among the CVEs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<f32>,
    /// Highest CVSS base score among the CVEs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<f32>,
    /// What the advisory says to do for this product.
    pub remediation: Vec<Remediation>,
    /// General steps for this device.
    pub general_steps: Vec<String>,
    /// Sort key: exploitation tier (5 ransomware ... 1 score only).
    #[serde(skip)]
    pub tier: u8,
}

/// Turns a match into a finding with its priority and reasons.
pub fn assess(hit: &Hit<'_>, kev: Option<&Kev>, epss: Option<&Epss>) -> Finding {
    let device = hit.device;
    let in_kev: Vec<(&String, &crate::feeds::KevEntry)> = hit
        .cves
        .iter()
        .filter_map(|c| kev.and_then(|k| k.entries.get(c)).map(|e| (c, e)))
        .collect();
    let ransomware: Vec<&String> = in_kev
        .iter()
        .filter(|(_, e)| e.ransomware)
        .map(|(c, _)| *c)
        .collect();
    let best_epss = hit
        .cves
        .iter()
        .filter_map(|c| epss.and_then(|e| e.scores.get(c)).map(|s| (c, s.0)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let mut reasons = Vec::new();
    let (tier, mut priority) = if !ransomware.is_empty() {
        reasons.push(format!(
            "{} {} used in ransomware campaigns (CISA KEV).",
            ransomware
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if ransomware.len() == 1 { "is" } else { "are" }
        ));
        (5, Priority::Critical)
    } else if let Some((cve, entry)) = in_kev.first() {
        reasons.push(format!(
            "{cve} is being exploited in the wild (CISA KEV, since {}).",
            entry.date_added
        ));
        (4, Priority::Critical)
    } else if hit.exploited_per_advisory {
        reasons.push(match hit.advisory.origin {
            Origin::OsCatalog => format!(
                "These vulnerabilities of {} are widely exploited (worms and ransomware such as WannaCry).",
                hit.product.name
            ),
            _ => "The advisory says exploits are public or in use.".to_string(),
        });
        (3, Priority::High)
    } else if let Some((cve, p)) = best_epss.filter(|(_, p)| *p >= EPSS_LIKELY) {
        reasons.push(format!(
            "{cve} has a {:.0}% chance of exploitation in the next 30 days (EPSS).",
            p * 100.0
        ));
        (2, Priority::High)
    } else {
        let level = match hit.cvss {
            Some(s) if s >= 9.0 => Priority::High,
            Some(s) if s >= 7.0 => Priority::Medium,
            Some(_) => Priority::Low,
            None => Priority::Medium,
        };
        match hit.cvss {
            Some(s) => reasons.push(format!("No known exploitation; CVSS base score {s:.1}.")),
            None => reasons.push(
                "No known exploitation and no CVSS score; read the advisory to judge it."
                    .to_string(),
            ),
        }
        (1, level)
    };
    if tier > 1
        && let Some(s) = hit.cvss
    {
        reasons.push(format!("CVSS base score {s:.1}."));
    }
    if device.life_critical {
        priority = priority.raised();
        reasons.push("Raised: the device is life-critical.".to_string());
    }
    if device.on_flat_network() {
        priority = priority.raised();
        reasons.push("Raised: the device shares a flat network with other computers.".to_string());
    } else if device.isolated() {
        priority = priority.lowered();
        reasons.push("Lowered: the device is on an isolated network.".to_string());
    }
    if hit.basis <= Basis::Heuristic {
        reasons.push(format!(
            "Match basis `{}`: confirm the model and version before acting.",
            hit.basis.as_str()
        ));
    }
    let mut general_steps = Vec::new();
    if device.on_flat_network() || device.segment == "unknown" {
        general_steps.push(
            "Until it is patched, put the device on its own network segment (VLAN) and block its internet access unless the maker requires it.".to_string(),
        );
    } else if !device.isolated() {
        general_steps.push(format!(
            "Until it is patched, keep it on its segment ({}), allow only the connections it needs, and block its internet access unless the maker requires it.",
            device.segment
        ));
    }
    if device.patch_owner.is_empty() {
        general_steps.push(
            "Name a person responsible for patching this device and write it in the inventory's patch_owner column.".to_string(),
        );
    } else {
        general_steps.push(format!("{} owns patching this device.", device.patch_owner));
    }
    let mut remediation: Vec<Remediation> = hit
        .advisory
        .remediations_for(&hit.product.id)
        .into_iter()
        .cloned()
        .collect();
    if let Some((_, entry)) = in_kev.first()
        && !entry.required_action.is_empty()
    {
        remediation.push(Remediation {
            category: "kev_required_action".into(),
            details: entry.required_action.clone(),
            url: None,
            product_ids: Vec::new(),
        });
    }
    Finding {
        device: device.label(),
        device_name: device.name.clone(),
        device_source: device.source.clone(),
        advisory: hit.advisory.id.clone(),
        title: hit.advisory.title.clone(),
        url: hit.advisory.url.clone(),
        product: format!(
            "{} {} {}",
            hit.product.vendor, hit.product.name, hit.product.version_text
        ),
        cves: hit.cves.clone(),
        basis: hit.basis,
        basis_note: hit.basis_note.clone(),
        priority,
        priority_reasons: reasons,
        kev: !in_kev.is_empty(),
        ransomware: !ransomware.is_empty(),
        epss: best_epss.map(|(_, p)| p),
        cvss: hit.cvss,
        remediation,
        general_steps,
        tier,
    }
}

/// Most urgent first: priority, then exploitation tier, then EPSS, then CVSS, then basis.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(b.tier.cmp(&a.tier))
            .then(b.epss.unwrap_or(0.0).total_cmp(&a.epss.unwrap_or(0.0)))
            .then(b.cvss.unwrap_or(0.0).total_cmp(&a.cvss.unwrap_or(0.0)))
            .then(b.basis.cmp(&a.basis))
            .then(a.device.cmp(&b.device))
    });
}
