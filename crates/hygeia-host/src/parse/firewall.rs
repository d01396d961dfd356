//! Host firewalls, judged by whether they actually filter inbound traffic: ufw, firewalld,
//! nftables, iptables, the macOS application firewall and Windows Defender Firewall.
//!
//! An installed firewall whose rules accept everything is reported as not filtering.

use super::ParseError;
use super::text::{colon_pairs, colon_value};

/// Whether inbound connections are filtered, and why we think so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// Unsolicited inbound connections are dropped or rejected unless a rule allows them.
    pub filtering: bool,
    /// One line for evidence.
    pub detail: String,
}

/// `ufw status [verbose]`.
pub fn parse_ufw_status(text: &str) -> Result<Inbound, ParseError> {
    let status = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Status:"))
        .map(str::trim)
        .ok_or_else(|| ParseError::new("ufw status", "no Status: line"))?;
    if status != "active" {
        return Ok(Inbound {
            filtering: false,
            detail: format!("ufw: {status}"),
        });
    }
    let default = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Default:"))
        .map(str::trim);
    let incoming_allowed = default.is_some_and(|d| d.contains("allow (incoming)"));
    let wide_open = text.lines().any(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        cols.first() == Some(&"Anywhere") && cols.contains(&"ALLOW")
    });
    Ok(Inbound {
        filtering: !incoming_allowed && !wide_open,
        detail: match default {
            Some(d) => format!(
                "ufw: active, default {d}{}",
                if wide_open {
                    ", with a rule allowing everything"
                } else {
                    ""
                }
            ),
            None => "ufw: active (run `ufw status verbose` for the default policy)".into(),
        },
    })
}

/// `firewall-cmd --state` and `firewall-cmd --list-all` (the default zone).
pub fn parse_firewalld(state: &str, list_all: Option<&str>) -> Result<Inbound, ParseError> {
    let state = state.trim();
    if state.contains("not running") {
        return Ok(Inbound {
            filtering: false,
            detail: "firewalld: not running".into(),
        });
    }
    if state != "running" {
        return Err(ParseError::new(
            "firewall-cmd --state",
            format!("unexpected {state:?}"),
        ));
    }
    let target = list_all
        .and_then(|t| t.lines().find_map(|l| l.trim().strip_prefix("target:")))
        .map(|t| t.trim().to_string());
    let accepts_all = target
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("ACCEPT"));
    Ok(Inbound {
        filtering: !accepts_all,
        detail: format!(
            "firewalld: running, zone target {}",
            target.as_deref().unwrap_or("default")
        ),
    })
}

/// A base chain from `nft list ruleset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NftChain {
    /// `family name` of the table.
    pub table: String,
    /// Chain name.
    pub name: String,
    /// Hook (`input`, `forward`...), for base chains.
    pub hook: Option<String>,
    /// Policy (`accept`, `drop`), for base chains.
    pub policy: Option<String>,
    /// Rule lines, trimmed.
    pub rules: Vec<String>,
}

/// Parses the text of `nft list ruleset` into chains.
pub fn parse_nft_ruleset(text: &str) -> Result<Vec<NftChain>, ParseError> {
    let mut chains = Vec::new();
    let mut table = String::new();
    let mut current: Option<NftChain> = None;
    let mut depth = 0i32;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("table ") {
            table = rest.trim_end_matches('{').trim().to_string();
        } else if let Some(rest) = line.strip_prefix("chain ") {
            current = Some(NftChain {
                table: table.clone(),
                name: rest.trim_end_matches('{').trim().to_string(),
                hook: None,
                policy: None,
                rules: Vec::new(),
            });
        } else if let Some(chain) = current.as_mut().filter(|_| depth >= 2) {
            if line == "}" && depth == 2 {
                if let Some(done) = current.take() {
                    chains.push(done);
                }
            } else if line.starts_with("type ") && line.contains(" hook ") {
                chain.hook = line
                    .split(" hook ")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .map(str::to_string);
                chain.policy = line
                    .split("policy ")
                    .nth(1)
                    .map(|p| p.trim_end_matches(';').trim().to_string());
            } else if depth == 2 {
                chain.rules.push(line.to_string());
            }
        }
        depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
        if depth < 0 {
            return Err(ParseError::new("nft list ruleset", "unbalanced braces"));
        }
    }
    if !text.trim().is_empty() && !text.contains("table ") {
        return Err(ParseError::new("nft list ruleset", "no tables"));
    }
    Ok(chains)
}

/// The verdict of a rule that matches every packet (`drop`, `counter drop`, `reject with ...`),
/// or `None` when the rule has conditions.
fn unconditional_verdict(rule: &str) -> Option<&'static str> {
    let rule = rule.split(" comment ").next().unwrap_or(rule);
    let mut words = rule.split_whitespace().peekable();
    let mut verdict = None;
    while let Some(word) = words.next() {
        match word {
            "counter" => {
                // `counter packets N bytes M`
                while words
                    .peek()
                    .is_some_and(|w| matches!(*w, "packets" | "bytes") || w.parse::<u64>().is_ok())
                {
                    words.next();
                }
            }
            "log" => {
                while words.peek().is_some_and(|w| {
                    matches!(*w, "prefix" | "level" | "flags") || w.starts_with('"')
                }) {
                    words.next();
                    if let Some(w) = words.peek()
                        && !matches!(*w, "drop" | "reject" | "accept")
                    {
                        words.next();
                    }
                }
            }
            "drop" => verdict = Some("drop"),
            "reject" => {
                verdict = Some("reject");
                break;
            }
            "accept" => verdict = Some("accept"),
            _ => return None,
        }
    }
    verdict
}

/// Judges nftables: filtering when any input base chain drops by policy or ends in an
/// unconditional drop/reject that is not preceded by an unconditional accept.
pub fn nft_inbound(chains: &[NftChain]) -> Inbound {
    let inputs: Vec<&NftChain> = chains
        .iter()
        .filter(|c| c.hook.as_deref() == Some("input"))
        .collect();
    if inputs.is_empty() {
        return Inbound {
            filtering: false,
            detail: "nftables: no chain filters incoming traffic (empty ruleset or no input hook)"
                .into(),
        };
    }
    for chain in &inputs {
        let first_unconditional = chain.rules.iter().find_map(|r| unconditional_verdict(r));
        let drops_by_policy = matches!(chain.policy.as_deref(), Some("drop"));
        let filtering = match first_unconditional {
            Some("accept") => false,
            Some(_) => true,
            None => drops_by_policy,
        };
        if filtering {
            return Inbound {
                filtering: true,
                detail: format!(
                    "nftables: chain {} {} filters input (policy {})",
                    chain.table,
                    chain.name,
                    chain.policy.as_deref().unwrap_or("accept")
                ),
            };
        }
    }
    Inbound {
        filtering: false,
        detail: format!(
            "nftables: {} input chain(s), all accept unmatched traffic",
            inputs.len()
        ),
    }
}

/// Judges `iptables-save` or `iptables -S` output (filter table, INPUT chain).
pub fn parse_iptables(text: &str) -> Result<Inbound, ParseError> {
    let mut in_filter = !text.contains('*');
    let mut policy: Option<String> = None;
    let mut input_rules: Vec<String> = Vec::new();
    let mut chain_rules: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut recognised = false;
    for line in text.lines().map(str::trim) {
        if let Some(table) = line.strip_prefix('*') {
            in_filter = table == "filter";
            recognised = true;
            continue;
        }
        if !in_filter {
            continue;
        }
        if let Some(rest) = line
            .strip_prefix(":INPUT ")
            .or_else(|| line.strip_prefix("-P INPUT "))
        {
            policy = rest.split_whitespace().next().map(str::to_string);
            recognised = true;
        } else if let Some(rule) = line.strip_prefix("-A ") {
            recognised = true;
            let (chain, spec) = rule.split_once(' ').unwrap_or((rule, ""));
            if chain == "INPUT" {
                input_rules.push(spec.to_string());
            } else {
                chain_rules
                    .entry(chain.to_string())
                    .or_default()
                    .push(spec.to_string());
            }
        } else if line.starts_with(":") || line.starts_with("-P ") || line.starts_with("-N ") {
            recognised = true;
        }
    }
    if !recognised {
        return Err(ParseError::new(
            "iptables",
            "no filter table rules or policies",
        ));
    }
    // `-j TARGET` alone, with no match, is unconditional.
    let target_of = |spec: &str| -> Option<String> {
        let words: Vec<&str> = spec.split_whitespace().collect();
        (words.len() == 2 && words[0] == "-j").then(|| words[1].to_string())
    };
    let mut verdict = None;
    for spec in &input_rules {
        match target_of(spec).as_deref() {
            Some("ACCEPT") => {
                verdict = Some(false);
                break;
            }
            Some("DROP") | Some("REJECT") => {
                verdict = Some(true);
                break;
            }
            Some(chain) => {
                let ends_in_drop = chain_rules
                    .get(chain)
                    .and_then(|rules| rules.last())
                    .and_then(|last| target_of(last))
                    .is_some_and(|t| t == "DROP" || t == "REJECT");
                if ends_in_drop {
                    verdict = Some(true);
                    break;
                }
            }
            None => {}
        }
    }
    let policy_drops = matches!(policy.as_deref(), Some("DROP") | Some("REJECT"));
    let filtering = verdict.unwrap_or(policy_drops);
    Ok(Inbound {
        filtering,
        detail: format!(
            "iptables: INPUT policy {}, {} rule(s){}",
            policy.as_deref().unwrap_or("ACCEPT"),
            input_rules.len(),
            if verdict == Some(false) {
                ", the first of which accepts everything"
            } else {
                ""
            }
        ),
    })
}

/// `socketfilterfw --getglobalstate` (and optionally `--getblockall`): State 1 = on,
/// 2 = block all incoming, 0 = off.
pub fn parse_socketfilterfw(text: &str) -> Result<Inbound, ParseError> {
    let state = text
        .lines()
        .find_map(|l| l.split("(State = ").nth(1))
        .and_then(|r| {
            r.trim_end_matches([')', '.', ' '])
                .trim()
                .parse::<u8>()
                .ok()
        });
    let state = match state {
        Some(s) => s,
        None if text.contains("Firewall is disabled") => 0,
        None if text.contains("Firewall is enabled") => 1,
        None => {
            return Err(ParseError::new(
                "socketfilterfw --getglobalstate",
                "no firewall state",
            ));
        }
    };
    let block_all = state == 2 || text.contains("block all state set to enabled");
    Ok(Inbound {
        filtering: state >= 1,
        detail: match (state, block_all) {
            (0, _) => "macOS firewall: off".into(),
            (_, true) => "macOS firewall: on, blocking all incoming connections".into(),
            _ => "macOS firewall: on".into(),
        },
    })
}

/// Windows profile firewall state from `netsh advfirewall show allprofiles` (English) or
/// `Get-NetFirewallProfile | Format-List Name,Enabled,DefaultInboundAction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowsProfile {
    /// Domain, Private or Public.
    pub name: String,
    /// Firewall on for this profile.
    pub enabled: bool,
    /// Unsolicited inbound traffic is blocked by default.
    pub blocks_inbound: bool,
}

/// Parses either Windows format into one entry per profile.
pub fn parse_windows_firewall(text: &str) -> Result<Vec<WindowsProfile>, ParseError> {
    let mut profiles = Vec::new();
    if text.contains("Profile Settings") {
        let mut current: Option<WindowsProfile> = None;
        for line in text.lines().map(str::trim) {
            if let Some(name) = line.strip_suffix(" Profile Settings:") {
                if let Some(done) = current.take() {
                    profiles.push(done);
                }
                current = Some(WindowsProfile {
                    name: name.to_string(),
                    enabled: false,
                    blocks_inbound: false,
                });
            } else if let Some(profile) = current.as_mut() {
                if let Some(state) = line.strip_prefix("State") {
                    profile.enabled = state.trim().eq_ignore_ascii_case("ON");
                } else if let Some(policy) = line.strip_prefix("Firewall Policy") {
                    let inbound = policy.trim().split(',').next().unwrap_or_default();
                    profile.blocks_inbound = inbound.starts_with("Block");
                }
            }
        }
        profiles.extend(current);
    } else {
        // PowerShell separates records with a blank line; Windows writes CRLF.
        for block in text
            .replace("\r\n", "\n")
            .split("\n\n")
            .filter(|b| b.contains(':'))
        {
            let pairs = colon_pairs(block);
            let Some(name) = colon_value(&pairs, "Name") else {
                continue;
            };
            let enabled =
                colon_value(&pairs, "Enabled").is_some_and(|v| v.eq_ignore_ascii_case("True"));
            // NotConfigured means the Windows default, which is Block.
            let inbound = colon_value(&pairs, "DefaultInboundAction").unwrap_or("NotConfigured");
            profiles.push(WindowsProfile {
                name: name.to_string(),
                enabled,
                blocks_inbound: !inbound.eq_ignore_ascii_case("Allow"),
            });
        }
    }
    if profiles.is_empty() {
        return Err(ParseError::new("Windows firewall", "no profiles found"));
    }
    Ok(profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ufw() {
        let on = parse_ufw_status(
            "Status: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n",
        );
        assert!(on.is_ok_and(|i| i.filtering));
        let allow = parse_ufw_status(
            "Status: active\nDefault: allow (incoming), allow (outgoing), disabled (routed)\n",
        );
        assert!(allow.is_ok_and(|i| !i.filtering));
        assert!(parse_ufw_status("Status: inactive\n").is_ok_and(|i| !i.filtering));
        assert!(parse_ufw_status("ERROR: You need to be root to run this script").is_err());
    }

    #[test]
    fn nft_accept_all_is_not_filtering() {
        let accept_all = "table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n}\n";
        let chains = parse_nft_ruleset(accept_all).unwrap();
        assert!(!nft_inbound(&chains).filtering);
        let explicit_accept = "table inet f {\n chain input {\n  type filter hook input priority 0; policy drop;\n  counter packets 5 bytes 300 accept\n }\n}\n";
        assert!(!nft_inbound(&parse_nft_ruleset(explicit_accept).unwrap()).filtering);
        let reject_last = "table inet f {\n chain input {\n  type filter hook input priority 0; policy accept;\n  ct state established,related accept\n  tcp dport 22 accept\n  reject with icmpx type admin-prohibited\n }\n}\n";
        assert!(nft_inbound(&parse_nft_ruleset(reject_last).unwrap()).filtering);
        assert!(!nft_inbound(&parse_nft_ruleset("").unwrap()).filtering);
        assert!(parse_nft_ruleset("table x {\n}\n}\n").is_err());
    }

    #[test]
    fn iptables() {
        let accept = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n-A OUTPUT -d 1.2.3.4/32 -j DROP\nCOMMIT\n";
        assert!(parse_iptables(accept).is_ok_and(|i| !i.filtering));
        let drop = "-P INPUT DROP\n-P FORWARD DROP\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n";
        assert!(parse_iptables(drop).is_ok_and(|i| i.filtering));
        let opened = "-P INPUT DROP\n-A INPUT -j ACCEPT\n";
        assert!(parse_iptables(opened).is_ok_and(|i| !i.filtering));
        assert!(parse_iptables("iptables: command not found").is_err());
    }

    #[test]
    fn macos_and_windows() {
        assert!(
            parse_socketfilterfw("Firewall is enabled. (State = 1)\n").is_ok_and(|i| i.filtering)
        );
        assert!(
            parse_socketfilterfw("Firewall is disabled. (State = 0)\n").is_ok_and(|i| !i.filtering)
        );
        assert!(parse_socketfilterfw("").is_err());
        let ps = "Name                 : Domain\nEnabled              : True\nDefaultInboundAction : NotConfigured\n\nName                 : Public\nEnabled              : False\nDefaultInboundAction : NotConfigured\n";
        let profiles = parse_windows_firewall(ps).unwrap();
        assert_eq!(profiles.len(), 2);
        assert!(profiles[0].enabled && profiles[0].blocks_inbound && !profiles[1].enabled);
    }
}
