//! HY-NET-007 and HY-NET-008 from the home network probes (`hygeia check --network`): what the
//! router opens and answers on, and the smart-home devices sharing the work computer's network
//! (HY-NET-006, the router's firmware, is in `router_firmware`). Without `--network` they stay
//! `unknown` and a person's answer (`hygeia attest`) is used instead.

use super::{Input, name_list};
use crate::parse::home::{self, HomeFacts};
use hygeia_core::{Finding, RouterPortRisk, ServiceRisk, UnknownCause};

/// The controls the home network probes measure (what `hygeia network` reports).
pub const CONTROLS: [&str; 3] = ["HY-NET-006", "HY-NET-007", "HY-NET-008"];

/// The home network facts, or the finding that says why there are none.
pub(super) fn home_facts(input: &Input, control: &str) -> Result<HomeFacts, Finding> {
    if input.snapshot.output(crate::net::PROBE_ID).is_none() {
        return Err(Finding::unknown(
            UnknownCause::Inconclusive,
            format!(
                "The home router was not checked: run `hygeia check --network`, which talks only to your router and to devices on your home network, or answer with `hygeia attest {control}`."
            ),
        ));
    }
    let file = input.file(crate::net::PROBE_ID, "The home network")?;
    let Some(file) = file else {
        return Err(Finding::unknown(
            UnknownCause::Unreadable,
            "The home network probes left no record.",
        ));
    };
    home::read(file.content, &input.catalog.home_network).map_err(|e| {
        Finding::unknown(
            UnknownCause::Unreadable,
            format!("The home network record could not be read ({e}); run `hygeia check --network` again."),
        )
    })
}

/// Who an inside address is, for a sentence.
fn inside_computer(facts: &HomeFacts, address: &str) -> String {
    if !facts.local_address.is_empty() && address == facts.local_address {
        format!("this computer ({address})")
    } else {
        format!("the device at {address}")
    }
}

/// HY-NET-007: the router does not open the network on request (UPnP, NAT-PMP) and does not
/// offer plain-text management (telnet, HTTP) or the provider's management port to the inside.
pub fn router_exposure(input: &Input) -> Finding {
    let facts = match home_facts(input, "HY-NET-007") {
        Ok(facts) => facts,
        Err(finding) => return finding,
    };
    let mut fails: Vec<String> = Vec::new();
    let mut warns: Vec<String> = Vec::new();
    let mut evidence: Vec<String> = Vec::new();
    for mapping in &facts.mappings {
        let service = input.catalog.network_services.iter().find(|s| {
            s.ports.contains(&mapping.internal_port) || s.ports.contains(&mapping.external_port)
        });
        let who = inside_computer(&facts, &mapping.internal_client);
        let line = format!(
            "the router forwards internet port {} ({}) to {who}, port {}{}{}",
            mapping.external_port,
            mapping.protocol,
            mapping.internal_port,
            service.map(|s| format!(", {}", s.name)).unwrap_or_default(),
            if mapping.description.is_empty() {
                String::new()
            } else {
                format!(", asked for by \"{}\"", mapping.description)
            }
        );
        evidence.push(format!("UPnP port mapping: {line}"));
        let risky = service.is_some_and(|s| {
            matches!(
                s.risk,
                ServiceRisk::RemoteAccess
                    | ServiceRisk::Ssh
                    | ServiceRisk::Database
                    | ServiceRisk::FileSharing
            )
        });
        if risky && mapping.enabled {
            fails.push(format!(
                "{line}: anyone on the internet can try to log in to it"
            ));
        }
    }
    if facts.upnp_gateway {
        warns.push(format!(
            "UPnP is on, so any program or device at home can open ports to the internet without asking ({} port mapping{} now)",
            facts.mappings.len(),
            if facts.mappings.len() == 1 { "" } else { "s" }
        ));
    }
    if let Some(external) = &facts.natpmp {
        warns.push(format!(
            "NAT-PMP/PCP is on, which lets programs open ports the same way{}",
            if external.is_empty() {
                String::new()
            } else {
                format!(" (it gave the internet address {external})")
            }
        ));
    }
    if facts.wps {
        warns.push("the router offers WPS (Wi-Fi Protected Setup), which lets a device join the Wi-Fi without the password".into());
    }
    for service in &facts.services {
        let line = format!("{} on port {}", service.port.name, service.port.port);
        match service.port.risk {
            RouterPortRisk::Telnet => fails.push(format!(
                "the router accepts telnet logins on port {}, which send the password unencrypted",
                service.port.port
            )),
            RouterPortRisk::PlainAdmin if service.redirects_to_https => {
                evidence.push(format!("{line}: only redirects to HTTPS"));
            }
            RouterPortRisk::PlainAdmin => warns.push(format!(
                "the router's settings page is offered over plain HTTP on port {} ({}), so its password crosses the network unencrypted",
                service.port.port,
                if service.first_line.is_empty() { "answered" } else { &service.first_line }
            )),
            RouterPortRisk::Tr069 => warns.push(format!(
                "the provider's remote management service (TR-069) answers on port {}",
                service.port.port
            )),
            RouterPortRisk::HttpsAdmin => evidence.push(format!("{line}: open")),
        }
    }
    for problem in &facts.mapping_problems {
        evidence.push(format!("Port mappings: {problem}"));
    }
    evidence.push(format!(
        "Asked the router at {} for UPnP and NAT-PMP and tried TCP ports {}; {} packets sent, to the router and local multicast only.",
        facts.gateway,
        facts.ports_tried.iter().map(u16::to_string).collect::<Vec<_>>().join(", "),
        facts.packets_sent
    ));
    evidence.push("Remote administration from the internet cannot be seen from inside the home: check it is off in the router's settings.".into());
    let more = |count: usize| match count {
        0 => String::new(),
        1 => " One more problem is listed below.".to_string(),
        n => format!(" {n} more problems are listed below."),
    };
    let finding = if !fails.is_empty() {
        let reason = format!(
            "{}. In the router's settings turn off UPnP and remove the forwarding.{}",
            sentence_case(&fails[0]),
            more(fails.len() + warns.len() - 1)
        );
        Finding::fail(reason)
            .with_all(fails.iter().skip(1).map(|f| sentence_case(f)))
            .with_all(warns.iter().map(|w| sentence_case(w)))
    } else if !warns.is_empty() {
        let reason = format!("{}.{}", sentence_case(&warns[0]), more(warns.len() - 1));
        Finding::warn(reason).with_all(warns.iter().skip(1).map(|w| sentence_case(w)))
    } else {
        Finding::pass(format!(
            "Your router ({}) does not offer UPnP or NAT-PMP, and has no telnet, plain-HTTP settings page or provider management port open to this network.",
            facts.gateway
        ))
    };
    finding.with_all(evidence)
}

/// The text with a capital first letter.
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// HY-NET-008: no TV, camera, speaker, smart-home device or console answers on the work
/// computer's network.
pub fn smart_devices_separate(input: &Input) -> Finding {
    let facts = match home_facts(input, "HY-NET-008") {
        Ok(facts) => facts,
        Err(finding) => return finding,
    };
    let describe = |n: &home::Neighbour| {
        let kinds: Vec<&str> = n.kinds.iter().map(|(k, _)| k.as_str()).collect();
        let kind = if kinds.is_empty() {
            "unrecognised device".to_string()
        } else {
            kinds.join(" / ")
        };
        let name = match (n.names.first(), n.software.first()) {
            (Some(name), _) => format!(" (\"{name}\")"),
            (None, Some(software)) => format!(" (software {software})"),
            (None, None) => String::new(),
        };
        format!("{kind} at {}{name}", n.address)
    };
    let separate: Vec<String> = facts
        .neighbours
        .iter()
        .filter(|n| n.belongs_elsewhere())
        .map(describe)
        .collect();
    let others: Vec<String> = facts
        .neighbours
        .iter()
        .filter(|n| !n.belongs_elsewhere())
        .map(|n| {
            format!(
                "Also on this network: {} announcing {}",
                describe(n),
                n.announced.join(", ")
            )
        })
        .collect();
    let asked = "Asked with mDNS (DNS-SD) and SSDP, which these devices answer; their traffic was not looked at.";
    if separate.is_empty() {
        return Finding::pass(format!(
            "No TV, camera, speaker, smart-home device or game console answered on this computer's network ({} other device{} did).",
            facts.neighbours.len(),
            if facts.neighbours.len() == 1 { "" } else { "s" }
        ))
        .with_all(others)
        .with(asked);
    }
    Finding::fail(format!(
        "{} smart-home device{} share{} this computer's network: {}. Move them to the router's guest network.",
        separate.len(),
        if separate.len() == 1 { "" } else { "s" },
        if separate.len() == 1 { "s" } else { "" },
        name_list(&separate, 4)
    ))
    .with_all(separate.iter().map(|s| format!("On this network: {s}")))
    .with_all(others)
    .with(asked)
}
