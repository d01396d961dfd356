//! HY-NET-001 to HY-NET-004: VPN, Wi-Fi encryption, open networks, Wi-Fi key strength.

use super::antimalware::{installed_names, process_names, product_presence};
use super::{Input, name_list};
use crate::parse::vpn::{
    Vpn, parse_get_vpnconnection, parse_ip_link_json, parse_nmcli_connections,
    parse_scutil_nc_list, parse_wg_show, vpns_from_nm,
};
use crate::parse::wifi::{
    SavedWifi, WifiLink, WifiSecurity, parse_macos_wifi, parse_netsh_wlan_interfaces,
    parse_netsh_wlan_profiles, parse_nm_keyfile, parse_nmcli_wifi_active,
};
use crate::redact::KeyStrength;
use hygeia_core::{Finding, Platform, UnknownCause};

/// Config files in a folder, as VPN profiles.
fn profiles_in(input: &Input, probe: &str, suffix: &str, kind: &str) -> Vec<Vpn> {
    input
        .listing(probe, "VPN profiles")
        .ok()
        .flatten()
        .map(|entries| {
            entries
                .iter()
                .filter(|e| e.name.ends_with(suffix))
                .map(|e| Vpn {
                    name: e.name.trim_end_matches(suffix).to_string(),
                    kind: kind.to_string(),
                    up: false,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn all_vpns(input: &Input) -> Vec<Vpn> {
    let mut vpns: Vec<Vpn> = Vec::new();
    match input.snapshot.platform {
        Platform::Linux => {
            if let Ok(Ok(tunnels)) = input
                .command_ok("ip_link", "network interfaces")
                .map(parse_ip_link_json)
            {
                vpns.extend(tunnels);
            }
            if let Ok(Ok(conns)) = input
                .command_ok("nmcli_connections", "NetworkManager profiles")
                .map(parse_nmcli_connections)
            {
                vpns.extend(vpns_from_nm(&conns));
            }
            if let Ok(text) = input.command_ok("wg", "WireGuard") {
                vpns.extend(parse_wg_show(text));
            }
            vpns.extend(profiles_in(input, "wireguard_dir", ".conf", "WireGuard"));
            vpns.extend(profiles_in(input, "openvpn_client_dir", ".conf", "OpenVPN"));
            vpns.extend(profiles_in(input, "openvpn_dir", ".conf", "OpenVPN"));
            vpns.extend(profiles_in(
                input,
                "swanctl_dir",
                ".conf",
                "strongSwan IPsec",
            ));
        }
        Platform::Macos => {
            if let Ok(Ok(services)) = input
                .command_ok("scutil_nc", "VPN services")
                .map(parse_scutil_nc_list)
            {
                vpns.extend(services);
            }
        }
        Platform::Windows => {
            if let Ok(text) = input.command_ok("vpn", "Windows VPN connections") {
                vpns.extend(parse_get_vpnconnection(text));
            }
        }
    }
    let installed = installed_names(input);
    let running = process_names(input);
    for product in &input.catalog.endpoint_software.vpn {
        let (present, is_running) = product_presence(input, product, &installed, &running);
        if present {
            vpns.push(Vpn {
                name: product.name.clone(),
                kind: "VPN client".into(),
                up: is_running && product.linux_opt.is_empty() && product.macos_apps.is_empty(),
            });
        }
    }
    // The same tunnel can be seen as a profile and as an interface: keep the "up" copy.
    let mut unique: Vec<Vpn> = Vec::new();
    for vpn in vpns {
        match unique.iter_mut().find(|u| u.name == vpn.name) {
            Some(existing) => existing.up |= vpn.up,
            None => unique.push(vpn),
        }
    }
    unique
}

/// HY-NET-001.
pub fn vpn_configured(input: &Input) -> Finding {
    let vpns = all_vpns(input);
    let evidence: Vec<String> = vpns
        .iter()
        .map(|v| {
            format!(
                "{} ({}): {}",
                v.name,
                v.kind,
                if v.up { "connected" } else { "not connected" }
            )
        })
        .collect();
    if let Some(up) = vpns.iter().find(|v| v.up) {
        return Finding::pass(format!("A VPN is set up and connected now ({}).", up.name))
            .with_all(evidence);
    }
    if let Some(first) = vpns.first() {
        return Finding::pass(format!("A VPN is set up ({}); it is not connected right now. Connect it before opening patient records.", first.name)).with_all(evidence);
    }
    Finding::warn(
        "No VPN was found. Reach practice systems only through the practice VPN, or through a cloud EHR with multi-factor sign-in (see HY-PC-019).",
    )
}

/// The current Wi-Fi connection: `Ok(None)` when not on Wi-Fi.
/// Linux: whether the computer has Wi-Fi hardware at all (`/sys/class/ieee80211` lists one
/// `phyN` per radio); `None` when that could not be read.
fn linux_wifi_hardware(input: &Input) -> Option<bool> {
    match input.listing("wifi_hardware", "Wi-Fi hardware") {
        Ok(Some(entries)) => Some(!entries.is_empty()),
        Ok(None) => Some(false),
        Err(_) => None,
    }
}

fn no_wifi_hardware() -> Finding {
    Finding::not_applicable("This computer has no Wi-Fi adapter.")
        .with("/sys/class/ieee80211 lists no radio")
}

fn current_wifi(input: &Input) -> Result<Option<WifiLink>, Finding> {
    let unreadable = |e: crate::parse::ParseError| {
        Finding::unknown(
            UnknownCause::Unreadable,
            format!("The Wi-Fi status could not be understood ({e})."),
        )
    };
    match input.snapshot.platform {
        Platform::Linux => {
            if linux_wifi_hardware(input) == Some(false) {
                return Err(no_wifi_hardware());
            }
            parse_nmcli_wifi_active(input.command_ok("nmcli_wifi", "the Wi-Fi connection")?)
                .map_err(unreadable)
        }
        Platform::Macos => match input.command_ok("wifi_airport", "the Wi-Fi connection") {
            Ok(text) => parse_macos_wifi(text).map_err(unreadable),
            Err(_) => parse_macos_wifi(input.command_ok("wifi_wdutil", "the Wi-Fi connection")?)
                .map_err(unreadable),
        },
        Platform::Windows => {
            parse_netsh_wlan_interfaces(input.command_ok("wlan", "the Wi-Fi connection")?)
                .map_err(unreadable)
        }
    }
}

/// HY-NET-002.
pub fn wifi_encryption(input: &Input) -> Finding {
    let link = match current_wifi(input) {
        Ok(Some(link)) => link,
        Ok(None) => {
            return Finding::not_applicable("This computer is not connected to Wi-Fi right now.");
        }
        Err(f) => return f,
    };
    let evidence = format!(
        "connected to '{}' with {}",
        link.ssid,
        link.security.label()
    );
    match link.security {
        WifiSecurity::Open | WifiSecurity::Wep | WifiSecurity::Wpa => Finding::fail(format!(
            "The Wi-Fi network '{}' uses {}, which anyone nearby can read or break.",
            link.ssid,
            link.security.label()
        ))
        .with(evidence),
        WifiSecurity::Wpa2Mixed => Finding::warn(format!(
            "'{}' still allows old WPA (TKIP); set the router to WPA2 or WPA3 only.",
            link.ssid
        ))
        .with(evidence),
        _ => Finding::pass(format!(
            "The Wi-Fi connection is protected with {}.",
            link.security.label()
        ))
        .with(evidence),
    }
}

fn saved_networks(input: &Input) -> Result<Vec<SavedWifi>, Finding> {
    match input.snapshot.platform {
        Platform::Linux => {}
        Platform::Windows => {
            let text = input.command_ok("wlan_profiles", "the saved Wi-Fi networks")?;
            return parse_netsh_wlan_profiles(text).map_err(|e| {
                Finding::unknown(
                    UnknownCause::Unreadable,
                    format!("The saved Wi-Fi networks could not be understood ({e})."),
                )
            });
        }
        Platform::Macos => {
            return Err(Finding::unknown(
                UnknownCause::UnsupportedPlatform,
                "Hygeia does not yet read saved Wi-Fi networks on macOS; check them in System Settings > Wi-Fi > Advanced.",
            ));
        }
    }
    match input.listing("nm_keyfiles", "the saved Wi-Fi networks") {
        Ok(Some(entries)) => {
            if entries
                .iter()
                .any(|e| e.content.is_none() && e.name.ends_with(".nmconnection"))
            {
                return Err(Finding::unknown(
                    UnknownCause::PermissionDenied,
                    "Reading the saved Wi-Fi networks needs administrator rights: run sudo hygeia check. The keys are checked on this computer and never shown or stored.",
                ));
            }
            Ok(entries
                .iter()
                .filter_map(|e| e.content.as_deref())
                .filter_map(parse_nm_keyfile)
                .collect())
        }
        Ok(None) if linux_wifi_hardware(input) == Some(false) => Err(no_wifi_hardware()),
        Ok(None) => Err(Finding::unknown(
            UnknownCause::Inconclusive,
            "NetworkManager's saved connections were not found on this computer.",
        )),
        Err(f) => Err(f.with("the keys are checked on this computer and never shown or stored")),
    }
}

/// HY-NET-003.
pub fn open_networks_autojoin(input: &Input) -> Finding {
    let saved = match saved_networks(input) {
        Ok(s) => s,
        Err(f) => return f,
    };
    let open: Vec<String> = saved
        .iter()
        .filter(|w| w.security == WifiSecurity::Open && w.autoconnect)
        .map(|w| w.ssid.clone())
        .collect();
    if saved.is_empty() {
        return Finding::not_applicable("No Wi-Fi networks are saved on this computer.");
    }
    if open.is_empty() {
        Finding::pass(format!(
            "None of the {} saved Wi-Fi networks is open and joined automatically.",
            saved.len()
        ))
    } else {
        Finding::fail(format!(
            "{} open Wi-Fi network(s) are joined automatically: {}.",
            open.len(),
            name_list(&open, 5)
        ))
    }
}

/// Why a Wi-Fi key is weak, or `None` when it is strong. Keys in a snapshot are already
/// replaced by a strength token (see `redact.rs`); a raw key is measured here.
fn key_weakness(key: &str, common: &std::collections::BTreeSet<String>) -> Option<String> {
    KeyStrength::from_token(key)
        .unwrap_or_else(|| KeyStrength::measure(key, common))
        .weakness()
}

/// HY-NET-004.
pub fn wifi_key_strength(input: &Input) -> Finding {
    let current = match current_wifi(input) {
        Ok(link) => link,
        Err(f) if f.status == hygeia_core::Status::NotApplicable => return f,
        Err(f) if input.snapshot.platform != Platform::Linux => return f,
        // On Linux the saved keyfiles can still be judged when nmcli is missing.
        Err(_) => None,
    };
    if current.is_none() && input.snapshot.platform != Platform::Linux {
        return Finding::not_applicable("This computer is not connected to Wi-Fi right now.");
    }
    let saved = match saved_networks(input) {
        Ok(s) => s,
        Err(f) => return f,
    };
    let with_keys: Vec<&SavedWifi> = saved.iter().filter(|w| w.psk.is_some()).collect();
    // Judge the network in use; without one, every saved network with a key.
    let judged: Vec<&SavedWifi> = match &current {
        Some(link) => with_keys
            .iter()
            .copied()
            .filter(|w| w.ssid == link.ssid)
            .collect(),
        None => with_keys.clone(),
    };
    if judged.is_empty() {
        let hidden = saved
            .iter()
            .any(|w| w.key_hidden && current.as_ref().is_none_or(|link| link.ssid == w.ssid));
        if hidden {
            return Finding::unknown(
                UnknownCause::PermissionDenied,
                "Reading the saved Wi-Fi key needs administrator rights: open the terminal with 'Run as administrator' and run hygeia check again. The key is checked on this computer and never shown or stored.",
            );
        }
        return match current {
            Some(link) if matches!(link.security, WifiSecurity::Enterprise) => {
                Finding::not_applicable(
                    "The Wi-Fi uses enterprise sign-in (802.1X), not a shared key.",
                )
            }
            Some(link) => Finding::unknown(
                UnknownCause::Inconclusive,
                format!(
                    "The key of '{}' is not stored where Hygeia can read it.",
                    link.ssid
                ),
            ),
            None => Finding::not_applicable("No saved Wi-Fi network uses a shared key."),
        };
    }
    let weak: Vec<String> = judged
        .iter()
        .filter_map(|w| {
            key_weakness(
                w.psk.as_deref().unwrap_or_default(),
                &input.catalog.common_passwords,
            )
            .map(|why| format!("'{}': {why}", w.ssid))
        })
        .collect();
    let names: Vec<String> = judged.iter().map(|w| format!("'{}'", w.ssid)).collect();
    if weak.is_empty() {
        Finding::pass(format!(
            "The Wi-Fi key of {} is long and hard to guess.",
            names.join(", ")
        ))
        .with("checked on this computer; the key itself is never shown or stored")
    } else {
        Finding::fail("The Wi-Fi key is weak and could be guessed.")
            .with_all(weak)
            .with("the key itself is never shown or stored")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wifi_keys_are_judged() {
        let common: std::collections::BTreeSet<String> =
            ["password123".to_string()].into_iter().collect();
        assert!(key_weakness("Password123", &common).is_some());
        assert!(key_weakness("short1", &common).is_some());
        assert!(key_weakness("aaaaaaaaaaaaaaaa", &common).is_some());
        assert!(key_weakness("copper-lantern-meadow-violin", &common).is_none());
    }
}
