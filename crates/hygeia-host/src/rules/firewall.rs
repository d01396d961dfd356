//! HY-PC-008: a host firewall that actually filters inbound connections.

use super::Input;
use crate::parse::firewall::{
    Inbound, nft_inbound, parse_firewalld, parse_iptables, parse_nft_ruleset, parse_socketfilterfw,
    parse_ufw_status, parse_windows_firewall,
};
use hygeia_core::{Finding, Platform, UnknownCause};

/// One Linux source's verdict, or why it could not be read.
fn linux_sources(input: &Input) -> Vec<(&'static str, Result<Inbound, Finding>)> {
    let parsed = |what: &str, result: Result<Inbound, crate::parse::ParseError>| {
        result.map_err(|e| {
            Finding::unknown(
                UnknownCause::Unreadable,
                format!("{what} could not be understood ({e})."),
            )
        })
    };
    let ufw = input
        .command("ufw", "the ufw firewall status")
        .and_then(|r| parsed("ufw status", parse_ufw_status(r.stdout)));
    let firewalld = input
        .command("firewalld_state", "the firewalld status")
        .and_then(|r| {
            let zone = input
                .command_ok("firewalld_zone", "the firewalld zone")
                .ok();
            parsed(
                "firewall-cmd",
                parse_firewalld(&format!("{}{}", r.stdout, r.stderr), zone),
            )
        });
    let nft = input
        .command_ok("nft", "the nftables rules")
        .and_then(|text| {
            parsed(
                "nft list ruleset",
                parse_nft_ruleset(text).map(|chains| nft_inbound(&chains)),
            )
        });
    let iptables = input
        .command_ok("iptables", "the iptables rules")
        .and_then(|text| {
            if text.trim().is_empty() {
                // iptables-save prints nothing when no table is loaded: nothing filters.
                Ok(Inbound {
                    filtering: false,
                    detail: "iptables: no rules loaded".into(),
                })
            } else {
                parsed("iptables-save", parse_iptables(text))
            }
        });
    vec![
        ("ufw", ufw),
        ("firewalld", firewalld),
        ("nftables", nft),
        ("iptables", iptables),
    ]
}

fn linux(input: &Input) -> Finding {
    let sources = linux_sources(input);
    let verdicts: Vec<&Inbound> = sources
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .collect();
    let evidence: Vec<String> = sources
        .iter()
        .map(|(name, r)| match r {
            Ok(v) => v.detail.clone(),
            Err(f) => format!("{name}: {}", f.reason),
        })
        .collect();
    if let Some(filtering) = verdicts.iter().find(|v| v.filtering) {
        return Finding::pass(format!(
            "The firewall blocks unsolicited incoming connections ({}).",
            filtering.detail
        ))
        .with_all(evidence);
    }
    if !verdicts.is_empty() {
        return Finding::fail("A firewall is present but lets every incoming connection through, so it protects nothing.").with_all(evidence);
    }
    let all_missing = sources
        .iter()
        .all(|(_, r)| matches!(r, Err(f) if f.unknown_cause == Some(UnknownCause::CommandMissing)));
    if all_missing {
        return Finding::fail("No firewall program (ufw, firewalld, nftables or iptables) is installed, so nothing is set up to block incoming connections.").with_all(evidence);
    }
    if let Some((_, Err(denied))) = sources.iter().find(
        |(_, r)| matches!(r, Err(f) if f.unknown_cause == Some(UnknownCause::PermissionDenied)),
    ) {
        return denied.clone().with_all(evidence);
    }
    Finding::unknown(
        UnknownCause::Unreadable,
        "None of the firewall tools gave a readable answer.",
    )
    .with_all(evidence)
}

/// HY-PC-008.
pub fn host_firewall(input: &Input) -> Finding {
    match input.snapshot.platform {
        Platform::Linux => linux(input),
        Platform::Macos => match input
            .command_ok("socketfilterfw", "the macOS firewall state")
            .map(parse_socketfilterfw)
        {
            Ok(Ok(v)) if v.filtering => Finding::pass("The macOS firewall is on.").with(v.detail),
            Ok(Ok(v)) => Finding::fail("The macOS firewall is off.").with(v.detail),
            Ok(Err(e)) => Finding::unknown(
                UnknownCause::Unreadable,
                format!("The firewall state could not be understood ({e})."),
            ),
            Err(f) => f,
        },
        Platform::Windows => {
            let profiles = match input
                .command_ok("firewall", "the Windows firewall profiles")
                .map(parse_windows_firewall)
            {
                Ok(Ok(p)) => p,
                Ok(Err(e)) => {
                    return Finding::unknown(
                        UnknownCause::Unreadable,
                        format!("The firewall profiles could not be understood ({e})."),
                    );
                }
                Err(f) => return f,
            };
            let evidence: Vec<String> = profiles
                .iter()
                .map(|p| {
                    format!(
                        "{} profile: {}, inbound {}",
                        p.name,
                        if p.enabled { "on" } else { "off" },
                        if p.blocks_inbound {
                            "blocked"
                        } else {
                            "allowed"
                        }
                    )
                })
                .collect();
            let off: Vec<&str> = profiles
                .iter()
                .filter(|p| !p.enabled)
                .map(|p| p.name.as_str())
                .collect();
            let open: Vec<&str> = profiles
                .iter()
                .filter(|p| p.enabled && !p.blocks_inbound)
                .map(|p| p.name.as_str())
                .collect();
            if !off.is_empty() {
                Finding::fail(format!(
                    "The Windows firewall is off for the {} network profile(s).",
                    off.join(", ")
                ))
                .with_all(evidence)
            } else if !open.is_empty() {
                Finding::fail(format!(
                    "The Windows firewall allows all incoming connections on the {} profile(s).",
                    open.join(", ")
                ))
                .with_all(evidence)
            } else {
                Finding::pass("The Windows firewall is on and blocks unsolicited incoming connections on every profile.").with_all(evidence)
            }
        }
    }
}
