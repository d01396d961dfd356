//! VPNs: tunnel interfaces (`ip -d -j link`), NetworkManager profiles, `wg show`,
//! `scutil --nc list` (macOS) and `Get-VpnConnection` (Windows).

use super::ParseError;
use super::text::{colon_pairs, colon_value};
use serde_json::Value;

/// A VPN profile or tunnel found on the computer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vpn {
    /// Profile or interface name.
    pub name: String,
    /// Technology (WireGuard, OpenVPN, IPsec, L2TP...).
    pub kind: String,
    /// Connected now.
    pub up: bool,
}

/// Tunnel interfaces from `ip -d -j link show`.
pub fn parse_ip_link_json(text: &str) -> Result<Vec<Vpn>, ParseError> {
    let links: Value =
        serde_json::from_str(text).map_err(|e| ParseError::new("ip -j link", e.to_string()))?;
    let links = links
        .as_array()
        .ok_or_else(|| ParseError::new("ip -j link", "not a list"))?;
    let mut tunnels = Vec::new();
    for link in links {
        let name = link
            .get("ifname")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = link
            .get("linkinfo")
            .and_then(|l| l.get("info_kind"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let kind = match (kind, name) {
            ("wireguard", _) => "WireGuard",
            ("tun", n) if n.starts_with("tailscale") => "Tailscale",
            ("tun", n) if n.starts_with("cscotun") => "Cisco Secure Client",
            ("tun", n) if n.starts_with("gpd") => "GlobalProtect",
            ("tun", _) => "OpenVPN or other tunnel",
            ("vti" | "vti6" | "xfrm", _) => "IPsec",
            (_, n) if n.starts_with("ppp") => "PPP (L2TP/PPTP)",
            _ => continue,
        };
        let flags: Vec<&str> = link
            .get("flags")
            .and_then(Value::as_array)
            .map(|f| f.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let state = link.get("operstate").and_then(Value::as_str).unwrap_or("");
        // Tunnels report operstate UNKNOWN while working; the UP and LOWER_UP flags decide.
        let up = flags.contains(&"UP")
            && (state == "UP" || (state == "UNKNOWN" && flags.contains(&"LOWER_UP")));
        tunnels.push(Vpn {
            name: name.to_string(),
            kind: kind.to_string(),
            up,
        });
    }
    Ok(tunnels)
}

/// Splits one line of `nmcli -t` output on unescaped colons.
pub fn nmcli_terse_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && let Some(last) = fields.last_mut()
                {
                    last.push(next);
                }
            }
            ':' => fields.push(String::new()),
            _ => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

/// A NetworkManager connection profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NmConnection {
    /// Profile name.
    pub name: String,
    /// `vpn`, `wireguard`, `802-11-wireless`, `ethernet`...
    pub kind: String,
    /// Joins automatically.
    pub autoconnect: Option<bool>,
    /// Active now.
    pub active: bool,
}

/// `nmcli -t -f NAME,TYPE,AUTOCONNECT,ACTIVE connection show`, or the default table
/// (`NAME UUID TYPE DEVICE`).
pub fn parse_nmcli_connections(text: &str) -> Result<Vec<NmConnection>, ParseError> {
    let mut out = Vec::new();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty()).peekable();
    if lines.peek().is_some_and(|l| l.starts_with("NAME ")) {
        lines.next();
        for line in lines {
            let cols: Vec<&str> = line
                .split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            if cols.len() < 4 {
                return Err(ParseError::new(
                    "nmcli connection show",
                    format!("short row {line:?}"),
                ));
            }
            out.push(NmConnection {
                name: cols[0].to_string(),
                kind: cols[2].to_string(),
                autoconnect: None,
                active: cols[3] != "--",
            });
        }
        return Ok(out);
    }
    for line in lines {
        let fields = nmcli_terse_fields(line);
        if fields.len() != 4 {
            return Err(ParseError::new(
                "nmcli -t connection show",
                format!("expected 4 fields in {line:?}"),
            ));
        }
        out.push(NmConnection {
            name: fields[0].clone(),
            kind: fields[1].clone(),
            autoconnect: super::text::boolean(&fields[2]),
            active: fields[3] == "yes",
        });
    }
    Ok(out)
}

/// NetworkManager VPN and WireGuard profiles.
pub fn vpns_from_nm(connections: &[NmConnection]) -> Vec<Vpn> {
    connections
        .iter()
        .filter(|c| matches!(c.kind.as_str(), "vpn" | "wireguard"))
        .map(|c| Vpn {
            name: c.name.clone(),
            kind: if c.kind == "wireguard" {
                "WireGuard".into()
            } else {
                "NetworkManager VPN".into()
            },
            up: c.active,
        })
        .collect()
}

/// `wg show`: one entry per interface, up when a peer has completed a handshake.
pub fn parse_wg_show(text: &str) -> Vec<Vpn> {
    let mut out: Vec<Vpn> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("interface:") {
            out.push(Vpn {
                name: name.trim().to_string(),
                kind: "WireGuard".into(),
                up: false,
            });
        } else if let Some(age) = line.trim_start().strip_prefix("latest handshake:")
            && let Some(last) = out.last_mut()
        {
            last.up = handshake_is_recent(age);
        }
    }
    out
}

/// WireGuard renews its handshake every two minutes while a tunnel carries traffic, so an
/// older handshake (or the bogus "55 years ago" of a peer that never connected) means down.
fn handshake_is_recent(age: &str) -> bool {
    if ["year", "day", "hour"]
        .iter()
        .any(|unit| age.contains(unit))
    {
        return false;
    }
    let minutes = age
        .split(',')
        .find(|part| part.contains("minute"))
        .and_then(|part| part.split_whitespace().next())
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(0);
    minutes < 3
}

/// `scutil --nc list` (macOS): `* (Connected) ID PPP --> L2TP "Name" [PPP:L2TP]`.
pub fn parse_scutil_nc_list(text: &str) -> Result<Vec<Vpn>, ParseError> {
    if !text.contains("Available network connection services") && !text.trim().is_empty() {
        return Err(ParseError::new("scutil --nc list", "no header line"));
    }
    Ok(text
        .lines()
        .filter_map(|line| {
            let status = line.split('(').nth(1)?.split(')').next()?;
            let name = line.split('"').nth(1)?.to_string();
            let kind = line
                .rsplit('[')
                .next()
                .map(|k| k.trim_end_matches(']').to_string())
                .unwrap_or_default();
            Some(Vpn {
                name,
                kind,
                up: status == "Connected",
            })
        })
        .collect())
}

/// `Get-VpnConnection | Format-List` (Windows).
pub fn parse_get_vpnconnection(text: &str) -> Vec<Vpn> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .filter_map(|block| {
            let pairs = colon_pairs(block);
            let name = colon_value(&pairs, "Name")?.to_string();
            let kind = colon_value(&pairs, "TunnelType")
                .unwrap_or("Windows VPN")
                .to_string();
            let up = colon_value(&pairs, "ConnectionStatus")
                .is_some_and(|s| s.eq_ignore_ascii_case("Connected"));
            Some(Vpn {
                name,
                kind: format!("Windows VPN ({kind})"),
                up,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_link() {
        let text = r#"[{"ifname":"lo","flags":["LOOPBACK","UP"],"operstate":"UNKNOWN"},
            {"ifname":"wg0","flags":["POINTOPOINT","NOARP","UP","LOWER_UP"],"operstate":"UNKNOWN","linkinfo":{"info_kind":"wireguard"}},
            {"ifname":"tun0","flags":["POINTOPOINT"],"operstate":"DOWN","linkinfo":{"info_kind":"tun"}}]"#;
        let v = parse_ip_link_json(text).unwrap();
        assert_eq!(v.len(), 2);
        assert!(v[0].up && !v[1].up);
        assert!(parse_ip_link_json("not json").is_err());
    }

    #[test]
    fn nmcli_and_others() {
        assert_eq!(
            nmcli_terse_fields(r"a\:b:c"),
            vec!["a:b".to_string(), "c".to_string()]
        );
        let conns =
            parse_nmcli_connections("Office:vpn:no:yes\nHome:802-11-wireless:yes:yes\n").unwrap();
        assert_eq!(
            vpns_from_nm(&conns),
            vec![Vpn {
                name: "Office".into(),
                kind: "NetworkManager VPN".into(),
                up: true
            }]
        );
        assert!(parse_nmcli_connections("garbage").is_err());
        let scutil = "Available network connection services in the current set (*=enabled):\n* (Connected)   E3A8 PPP --> L2TP       \"My VPN\"    [PPP:L2TP]\n";
        assert!(parse_scutil_nc_list(scutil).is_ok_and(|v| v.len() == 1 && v[0].up));
        let wg = "interface: wg0\n  public key: x\n\npeer: y\n  latest handshake: 1 minute, 2 seconds ago\n";
        assert!(parse_wg_show(wg)[0].up);
        let stale =
            "interface: wg0\npeer: y\n  latest handshake: 55 years, 258 days, 13 hours ago\n";
        assert!(!parse_wg_show(stale)[0].up);
        let win = "Name                  : Office\nTunnelType            : Automatic\nConnectionStatus      : Disconnected\n";
        assert_eq!(parse_get_vpnconnection(win).len(), 1);
    }
}
