//! Wi-Fi: the security of the current connection, saved networks that join by themselves,
//! and the saved key (NetworkManager keyfiles, `nmcli`, `airport -I`, `wdutil info`,
//! `netsh wlan show interfaces`).

use super::ParseError;
use super::text::{boolean, colon_pairs, colon_value, ini};

/// How a Wi-Fi network is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WifiSecurity {
    /// No encryption.
    Open,
    /// WEP: broken since 2001.
    Wep,
    /// WPA (TKIP): broken.
    Wpa,
    /// WPA2 with WPA (TKIP) still allowed for old devices.
    Wpa2Mixed,
    /// WPA2.
    Wpa2,
    /// WPA2 or WPA3 with 802.1X (enterprise) sign-in.
    Enterprise,
    /// WPA3 (SAE).
    Wpa3,
}

impl WifiSecurity {
    /// Reads the many spellings tools use: `WPA1 WPA2`, `wpa2-psk`, `WPA2-Personal`,
    /// `WPA3 Personal`, `sae`, `wpa-eap`, `none` (WEP in keyfiles), `--` or empty (open).
    pub fn from_text(text: &str) -> WifiSecurity {
        let t = text.trim().to_ascii_lowercase();
        if t.is_empty() || t == "--" || t == "open" || t == "none" || t == "(none)" {
            return WifiSecurity::Open;
        }
        if t.contains("wpa3") || t.contains("sae") || t.contains("owe") {
            return WifiSecurity::Wpa3;
        }
        if t.contains("802.1x") || t.contains("enterprise") || t.contains("eap") {
            return WifiSecurity::Enterprise;
        }
        let wpa2 = t.contains("wpa2") || t.contains("rsn");
        let wpa1 = t.contains("wpa1") || (t.contains("wpa") && !wpa2) || t.contains("tkip");
        match (wpa2, wpa1) {
            (true, true) => WifiSecurity::Wpa2Mixed,
            (true, false) => WifiSecurity::Wpa2,
            (false, true) => WifiSecurity::Wpa,
            _ if t.contains("wep") => WifiSecurity::Wep,
            _ => WifiSecurity::Open,
        }
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            WifiSecurity::Open => "open (no encryption)",
            WifiSecurity::Wep => "WEP",
            WifiSecurity::Wpa => "WPA (TKIP)",
            WifiSecurity::Wpa2Mixed => "WPA/WPA2 mixed mode",
            WifiSecurity::Wpa2 => "WPA2",
            WifiSecurity::Enterprise => "WPA2/WPA3-Enterprise",
            WifiSecurity::Wpa3 => "WPA3",
        }
    }
}

/// The Wi-Fi network this computer is connected to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WifiLink {
    /// Network name (may be redacted by the OS).
    pub ssid: String,
    /// Protection.
    pub security: WifiSecurity,
}

/// `nmcli -t -f ACTIVE,SSID,SECURITY device wifi list`: the line whose ACTIVE is `yes`.
pub fn parse_nmcli_wifi_active(text: &str) -> Result<Option<WifiLink>, ParseError> {
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fields = super::vpn::nmcli_terse_fields(line);
        if fields.len() != 3 {
            return Err(ParseError::new(
                "nmcli device wifi list",
                format!("expected 3 fields in {line:?}"),
            ));
        }
        if fields[0] == "yes" {
            return Ok(Some(WifiLink {
                ssid: fields[1].clone(),
                security: WifiSecurity::from_text(&fields[2]),
            }));
        }
    }
    Ok(None)
}

/// `airport -I` (`link auth:` and `SSID:`) or `wdutil info` (`Security :`), macOS.
pub fn parse_macos_wifi(text: &str) -> Result<Option<WifiLink>, ParseError> {
    let pairs = colon_pairs(text);
    if text.contains("AirPort: Off") || colon_value(&pairs, "state").is_some_and(|s| s == "init") {
        return Ok(None);
    }
    let security = colon_value(&pairs, "link auth").or_else(|| colon_value(&pairs, "Security"));
    let Some(security) = security else {
        return Err(ParseError::new(
            "Wi-Fi status",
            "no 'link auth' or 'Security' field",
        ));
    };
    let ssid = colon_value(&pairs, "SSID").unwrap_or("").to_string();
    if ssid.is_empty() && security.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    Ok(Some(WifiLink {
        ssid,
        security: WifiSecurity::from_text(security),
    }))
}

/// `netsh wlan show interfaces` (English): `State : connected`, `SSID`, `Authentication`.
pub fn parse_netsh_wlan_interfaces(text: &str) -> Result<Option<WifiLink>, ParseError> {
    if text.contains("There is no wireless interface") {
        return Ok(None);
    }
    let pairs = colon_pairs(text);
    let Some(state) = colon_value(&pairs, "State") else {
        return Err(ParseError::new(
            "netsh wlan show interfaces",
            "no State field (not English output?)",
        ));
    };
    if !state.eq_ignore_ascii_case("connected") {
        return Ok(None);
    }
    Ok(Some(WifiLink {
        ssid: colon_value(&pairs, "SSID").unwrap_or("").to_string(),
        security: WifiSecurity::from_text(colon_value(&pairs, "Authentication").unwrap_or("")),
    }))
}

/// A saved Wi-Fi network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedWifi {
    /// Network name.
    pub ssid: String,
    /// Protection.
    pub security: WifiSecurity,
    /// Joins by itself when in range.
    pub autoconnect: bool,
    /// The pre-shared key, when readable.
    pub psk: Option<String>,
    /// A key exists but reading it needs administrator rights.
    pub key_hidden: bool,
}

/// A NetworkManager keyfile (`/etc/NetworkManager/system-connections/*.nmconnection`);
/// `None` for profiles that are not Wi-Fi.
pub fn parse_nm_keyfile(text: &str) -> Option<SavedWifi> {
    let entries = ini(text);
    let get = |section: &str, key: &str| {
        entries
            .iter()
            .find(|(s, k, _)| s == section && k == key)
            .map(|(_, _, v)| v.clone())
    };
    let kind = get("connection", "type")?;
    if kind != "wifi" && kind != "802-11-wireless" {
        return None;
    }
    let ssid = get("wifi", "ssid")
        .or_else(|| get("connection", "id"))
        .unwrap_or_default();
    let key_mgmt = get("wifi-security", "key-mgmt");
    let security = match key_mgmt.as_deref() {
        None => WifiSecurity::Open,
        Some("none") | Some("ieee8021x") => WifiSecurity::Wep,
        Some("owe") | Some("sae") => WifiSecurity::Wpa3,
        Some("wpa-eap") | Some("wpa-eap-suite-b-192") => WifiSecurity::Enterprise,
        Some(_) => {
            let protos = get("wifi-security", "proto").unwrap_or_default();
            if protos == "wpa" {
                WifiSecurity::Wpa
            } else {
                WifiSecurity::Wpa2
            }
        }
    };
    Some(SavedWifi {
        ssid,
        security,
        autoconnect: get("connection", "autoconnect")
            .and_then(|v| boolean(&v))
            .unwrap_or(true),
        psk: get("wifi-security", "psk"),
        key_hidden: false,
    })
}

/// Marker line that the Windows probe prints before each profile's details.
pub const WINDOWS_PROFILE_MARKER: &str = "=== hygeia profile: ";

/// Saved Windows Wi-Fi profiles: blocks of `netsh wlan show profile name=... key=clear`
/// (English), each after a [`WINDOWS_PROFILE_MARKER`] line. Without administrator rights
/// netsh prints "Security key : Present" but no "Key Content".
pub fn parse_netsh_wlan_profiles(text: &str) -> Result<Vec<SavedWifi>, ParseError> {
    let text = text.replace("\r\n", "\n");
    let mut profiles = Vec::new();
    for block in text.split(WINDOWS_PROFILE_MARKER).skip(1) {
        let name = block.lines().next().unwrap_or_default().trim().to_string();
        let pairs = colon_pairs(block);
        let Some(authentication) = colon_value(&pairs, "Authentication") else {
            if block.contains("is not found on the system") {
                continue;
            }
            return Err(ParseError::new(
                "netsh wlan show profile",
                format!("no Authentication field for {name:?} (not English output?)"),
            ));
        };
        let ssid = colon_value(&pairs, "SSID name")
            .map(|s| s.trim_matches('"').to_string())
            .unwrap_or(name);
        let key_present =
            colon_value(&pairs, "Security key").is_some_and(|v| v.eq_ignore_ascii_case("Present"));
        let psk = colon_value(&pairs, "Key Content").map(str::to_string);
        profiles.push(SavedWifi {
            ssid,
            security: WifiSecurity::from_text(authentication),
            autoconnect: colon_value(&pairs, "Connection mode")
                .is_some_and(|m| m.eq_ignore_ascii_case("Connect automatically")),
            key_hidden: key_present && psk.is_none(),
            psk,
        });
    }
    if profiles.is_empty()
        && !text.trim().is_empty()
        && !text.contains("There is no wireless interface")
        && text.contains(WINDOWS_PROFILE_MARKER)
    {
        return Err(ParseError::new(
            "netsh wlan show profile",
            "no profile could be read",
        ));
    }
    Ok(profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_spellings() {
        assert_eq!(
            WifiSecurity::from_text("WPA1 WPA2"),
            WifiSecurity::Wpa2Mixed
        );
        assert_eq!(WifiSecurity::from_text("wpa2-psk"), WifiSecurity::Wpa2);
        assert_eq!(WifiSecurity::from_text("WPA3 Personal"), WifiSecurity::Wpa3);
        assert_eq!(
            WifiSecurity::from_text("WPA2 802.1X"),
            WifiSecurity::Enterprise
        );
        assert_eq!(WifiSecurity::from_text(""), WifiSecurity::Open);
        assert_eq!(WifiSecurity::from_text("WEP"), WifiSecurity::Wep);
        assert_eq!(WifiSecurity::from_text("WPA1"), WifiSecurity::Wpa);
    }

    #[test]
    fn current_links() {
        let nm = parse_nmcli_wifi_active("no:Cafe:\nyes:Home\\:5G:WPA2\n")
            .ok()
            .flatten();
        assert_eq!(
            nm.map(|l| (l.ssid, l.security)),
            Some(("Home:5G".into(), WifiSecurity::Wpa2))
        );
        assert!(parse_nmcli_wifi_active("").is_ok_and(|l| l.is_none()));
        let mac = parse_macos_wifi(
            "          state: running\n      link auth: wpa2-psk\n           SSID: Home\n",
        )
        .ok()
        .flatten();
        assert_eq!(mac.map(|l| l.security), Some(WifiSecurity::Wpa2));
        let win = "    State                  : connected\n    SSID                   : Home\n    Authentication         : WPA3-Personal\n";
        assert_eq!(
            parse_netsh_wlan_interfaces(win)
                .ok()
                .flatten()
                .map(|l| l.security),
            Some(WifiSecurity::Wpa3)
        );
        assert!(parse_netsh_wlan_interfaces("Status : verbonden").is_err());
    }

    #[test]
    fn windows_profiles() {
        let text = "=== hygeia profile: HomeNet\r\nProfile HomeNet on interface Wi-Fi:\r\n=======================================================================\r\n\r\nApplied: All User Profile\r\n\r\nProfile information\r\n-------------------\r\n    Version                : 1\r\n    Type                   : Wireless LAN\r\n    Name                   : HomeNet\r\n    Control options        :\r\n        Connection mode    : Connect automatically\r\n\r\nConnectivity settings\r\n---------------------\r\n    SSID name              : \"HomeNet\"\r\n\r\nSecurity settings\r\n-----------------\r\n    Authentication         : WPA2-Personal\r\n    Cipher                 : CCMP\r\n    Security key           : Present\r\n    Key Content            : sunshine\r\n=== hygeia profile: Airport Free WiFi\r\n    Name                   : Airport Free WiFi\r\n        Connection mode    : Connect automatically\r\n    SSID name              : \"Airport Free WiFi\"\r\n    Authentication         : Open\r\n    Cipher                 : None\r\n    Security key           : Absent\r\n";
        let profiles = parse_netsh_wlan_profiles(text).unwrap();
        assert_eq!(profiles.len(), 2);
        assert_eq!(
            (profiles[0].security, profiles[0].psk.as_deref()),
            (WifiSecurity::Wpa2, Some("sunshine"))
        );
        assert_eq!(
            (profiles[1].security, profiles[1].autoconnect),
            (WifiSecurity::Open, true)
        );
        let hidden = "=== hygeia profile: HomeNet\n    Authentication         : WPA2-Personal\n    Security key           : Present\n";
        assert!(parse_netsh_wlan_profiles(hidden).is_ok_and(|p| p[0].key_hidden));
        assert!(
            parse_netsh_wlan_profiles("=== hygeia profile: X\n    Authentificatie : WPA2\n")
                .is_err()
        );
    }

    #[test]
    fn keyfiles() {
        let open =
            "[connection]\nid=Airport Free WiFi\ntype=wifi\n\n[wifi]\nssid=Airport Free WiFi\n";
        assert_eq!(
            parse_nm_keyfile(open).map(|w| (w.security, w.autoconnect)),
            Some((WifiSecurity::Open, true))
        );
        let home = "[connection]\nid=Home\ntype=wifi\nautoconnect=false\n[wifi]\nssid=Home\n[wifi-security]\nkey-mgmt=wpa-psk\npsk=password123\n";
        let saved = parse_nm_keyfile(home);
        assert_eq!(
            saved.as_ref().map(|w| (w.security, w.autoconnect)),
            Some((WifiSecurity::Wpa2, false))
        );
        assert_eq!(saved.and_then(|w| w.psk).as_deref(), Some("password123"));
        assert_eq!(parse_nm_keyfile("[connection]\ntype=ethernet\n"), None);
    }
}
