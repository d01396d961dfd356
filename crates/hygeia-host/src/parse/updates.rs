//! Pending updates and update settings: apt, dnf, softwareupdate, Windows hotfixes and policies.

use super::ParseError;
use super::text::{reg_number, reg_value};
use time::{Date, Month};

/// Updates waiting to be installed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PendingUpdates {
    /// Names of all pending updates.
    pub all: Vec<String>,
    /// Names of those that are security updates (when the source says so).
    pub security: Vec<String>,
    /// Whether the source tells security updates apart from others.
    pub classified: bool,
}

/// `apt list --upgradable`: `name/suite1,suite2 version arch [upgradable from: old]`.
pub fn parse_apt_list_upgradable(text: &str) -> Result<PendingUpdates, ParseError> {
    let mut pending = PendingUpdates {
        classified: true,
        ..Default::default()
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty()
            || line.starts_with("Listing")
            || line.starts_with("WARNING")
            || line.starts_with("N:")
        {
            continue;
        }
        let Some((name, rest)) = line.split_once('/') else {
            return Err(ParseError::new(
                "apt list --upgradable",
                format!("unexpected line {line:?}"),
            ));
        };
        let suites = rest.split_whitespace().next().unwrap_or_default();
        pending.all.push(name.to_string());
        if suites
            .split(',')
            .any(|s| s.ends_with("-security") || s.contains("security"))
        {
            pending.security.push(name.to_string());
        }
    }
    Ok(pending)
}

/// `apt-get -s upgrade`: `Inst name [old] (new Origin:version/suite [arch])` lines.
pub fn parse_apt_get_simulate(text: &str) -> Result<PendingUpdates, ParseError> {
    let mut pending = PendingUpdates {
        classified: true,
        ..Default::default()
    };
    let mut recognised = false;
    for line in text.lines() {
        if line.starts_with("Reading package lists")
            || line.starts_with("NOTE:")
            || line.contains(" upgraded, ")
            || line.starts_with("Inst ")
            || line.starts_with("Conf ")
        {
            recognised = true;
        }
        let Some(rest) = line.strip_prefix("Inst ") else {
            continue;
        };
        let name = rest
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        if rest.contains("-security") || rest.contains("Debian-Security") {
            pending.security.push(name.clone());
        }
        pending.all.push(name);
    }
    if !recognised && !text.trim().is_empty() {
        return Err(ParseError::new(
            "apt-get -s upgrade",
            "no recognisable lines",
        ));
    }
    Ok(pending)
}

/// `dnf updateinfo list` (all advisories or `--security`): `ADVISORY TYPE PACKAGE` lines;
/// the type is `security`, `bugfix`, `enhancement` or `Severity/Sec.`.
pub fn parse_dnf_updateinfo(text: &str) -> Result<PendingUpdates, ParseError> {
    let mut pending = PendingUpdates {
        classified: true,
        ..Default::default()
    };
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 3 || line.starts_with("Last metadata") || line.starts_with("Updating") {
            continue;
        }
        let (kind, package) = (fields[1], fields[fields.len() - 1]);
        pending.all.push(package.to_string());
        if kind.eq_ignore_ascii_case("security") || kind.ends_with("/Sec.") {
            pending.security.push(package.to_string());
        }
    }
    Ok(pending)
}

/// `dnf check-update`: `name.arch version repo` lines (no security classification).
pub fn parse_dnf_check_update(text: &str) -> Result<PendingUpdates, ParseError> {
    let mut pending = PendingUpdates::default();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() == 3 && fields[0].contains('.') && !line.starts_with("Last metadata") {
            pending.all.push(fields[0].to_string());
        }
        if line.starts_with("Obsoleting") {
            break;
        }
    }
    Ok(pending)
}

/// `softwareupdate -l`: `* Label: ...` entries; a scan error is an error.
pub fn parse_softwareupdate_list(text: &str) -> Result<PendingUpdates, ParseError> {
    if let Some(line) = text
        .lines()
        .find(|l| l.contains("finished with error") || l.contains("Error Domain"))
    {
        return Err(ParseError::new(
            "softwareupdate -l",
            line.chars().take(160).collect::<String>(),
        ));
    }
    let mut pending = PendingUpdates::default();
    let mut titles = Vec::new();
    for line in text.lines() {
        if let Some(label) = line
            .trim()
            .strip_prefix("* Label:")
            .or_else(|| line.trim().strip_prefix("* "))
        {
            pending.all.push(label.trim().to_string());
        } else if let Some(title) = line.trim().strip_prefix("Title:") {
            titles.push(
                title
                    .split(',')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            );
        }
    }
    if pending.all.is_empty() && !text.contains("No new software available") {
        return Err(ParseError::new(
            "softwareupdate -l",
            "neither updates nor 'No new software available'",
        ));
    }
    // Apple does not mark security updates separately: every recommended macOS and Safari
    // update carries security fixes, so all count.
    if titles.len() == pending.all.len() {
        pending.all = titles;
    }
    pending.security = pending.all.clone();
    pending.classified = true;
    Ok(pending)
}

/// The newest installation date in `Get-HotFix` or `Win32_QuickFixEngineering` table output
/// (dates as `M/D/YYYY` or `YYYY-MM-DD`).
pub fn parse_hotfix_latest(text: &str) -> Result<Option<(Date, String)>, ParseError> {
    let mut newest: Option<(Date, String)> = None;
    let mut rows = 0;
    for line in text.lines() {
        let Some(kb) = line.split_whitespace().find(|w| w.starts_with("KB")) else {
            continue;
        };
        rows += 1;
        let date = line.split_whitespace().find_map(parse_windows_date);
        if let Some(date) = date
            && newest.as_ref().is_none_or(|(d, _)| date > *d)
        {
            newest = Some((date, kb.to_string()));
        }
    }
    if rows == 0 && !text.trim().is_empty() {
        return Err(ParseError::new("Get-HotFix", "no KB lines"));
    }
    Ok(newest)
}

fn parse_windows_date(word: &str) -> Option<Date> {
    if let Some(date) = hygeia_core::time_util::parse_ymd(word).filter(|_| word.len() == 10) {
        return Some(date);
    }
    let mut parts = word.split('/');
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let year: i32 = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Automatic-update settings as read from the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoUpdateSetting {
    /// Whether updates install automatically.
    pub enabled: bool,
    /// What the setting was read from, for evidence.
    pub detail: String,
}

/// `apt-config dump`: `APT::Periodic::Unattended-Upgrade "1";`.
pub fn parse_apt_config_unattended(text: &str) -> Result<AutoUpdateSetting, ParseError> {
    if !text.contains("APT::") && !text.contains("Dir") {
        return Err(ParseError::new(
            "apt-config dump",
            "no APT settings in output",
        ));
    }
    let value = |key: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(key))
            .and_then(|l| l.split('"').nth(1))
            .map(str::to_string)
    };
    let unattended = value("APT::Periodic::Unattended-Upgrade \"");
    let enabled = unattended
        .as_deref()
        .is_some_and(|v| v != "0" && !v.is_empty());
    Ok(AutoUpdateSetting {
        enabled,
        detail: format!(
            "APT::Periodic::Unattended-Upgrade = {}",
            unattended.as_deref().unwrap_or("not set")
        ),
    })
}

/// `defaults read /Library/Preferences/com.apple.SoftwareUpdate`: `Key = 1;` lines. Keys
/// that are absent keep macOS's defaults (on); an explicit 0 means off.
pub fn parse_macos_softwareupdate_prefs(text: &str) -> AutoUpdateSetting {
    let mut off = Vec::new();
    for key in [
        "AutomaticCheckEnabled",
        "AutomaticDownload",
        "CriticalUpdateInstall",
        "ConfigDataInstall",
    ] {
        let explicit_off = text.lines().any(|l| {
            let l = l.trim();
            l.starts_with(key)
                && l.split('=')
                    .nth(1)
                    .is_some_and(|v| v.trim().trim_end_matches(';').trim() == "0")
        });
        if explicit_off {
            off.push(key);
        }
    }
    AutoUpdateSetting {
        enabled: off.is_empty(),
        detail: if off.is_empty() {
            "no automatic-update setting is turned off".into()
        } else {
            format!("turned off: {}", off.join(", "))
        },
    }
}

/// Windows Update policy (`reg query ...\WindowsUpdate\AU`): NoAutoUpdate=1 or AUOptions=1/2
/// turn automatic installation off. A missing key means Windows' default: automatic.
pub fn parse_windows_au_policy(text: &str) -> AutoUpdateSetting {
    let no_auto = reg_value(text, "NoAutoUpdate").and_then(|v| reg_number(&v));
    let options = reg_value(text, "AUOptions").and_then(|v| reg_number(&v));
    let disabled = no_auto == Some(1) || matches!(options, Some(1) | Some(2));
    AutoUpdateSetting {
        enabled: !disabled,
        detail: match (no_auto, options) {
            (None, None) => "no policy changes Windows Update's automatic default".into(),
            _ => format!(
                "policy NoAutoUpdate={}, AUOptions={}",
                no_auto.map_or("unset".into(), |v| v.to_string()),
                options.map_or("unset".into(), |v| v.to_string())
            ),
        },
    }
}

/// `needrestart -b`: `NEEDRESTART-KSTA: n` (2 or 3 = a newer kernel is waiting) and
/// `NEEDRESTART-SVC:` lines.
pub fn parse_needrestart_batch(text: &str) -> Result<(bool, Vec<String>), ParseError> {
    let mut kernel_pending = None;
    let mut services = Vec::new();
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("NEEDRESTART-KSTA:") {
            kernel_pending = Some(matches!(value.trim(), "2" | "3"));
        } else if let Some(value) = line.strip_prefix("NEEDRESTART-SVC:") {
            services.push(value.trim().to_string());
        }
    }
    let kernel = kernel_pending
        .ok_or_else(|| ParseError::new("needrestart -b", "no NEEDRESTART-KSTA line"))?;
    Ok((kernel, services))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_list() {
        let text = "Listing...\nopenssl/oldstable-security 3.0.20-1~deb12u1 amd64 [upgradable from: 3.0.19-1~deb12u1]\ntzdata/oldstable-updates 2025b amd64 [upgradable from: 2025a]\n";
        let p = parse_apt_list_upgradable(text).unwrap();
        assert_eq!(p.all, vec!["openssl", "tzdata"]);
        assert_eq!(p.security, vec!["openssl"]);
        assert!(parse_apt_list_upgradable("Listing...\n").is_ok_and(|p| p.all.is_empty()));
        assert!(parse_apt_list_upgradable("Listing...\ngarbage line\n").is_err());
    }

    #[test]
    fn apt_get_simulate() {
        let text = "Inst openssl [3.0.19-1~deb12u1] (3.0.20-1~deb12u1 Debian:12.14/oldstable, Debian-Security:12/oldstable-security [amd64])\nInst tzdata [2025a] (2025b Debian:12.14/oldstable [all])\nConf openssl (3.0.20)\n";
        let p = parse_apt_get_simulate(text).unwrap();
        assert_eq!((p.all.len(), p.security.len()), (2, 1));
    }

    #[test]
    fn softwareupdate() {
        let none =
            parse_softwareupdate_list("Software Update Tool\n\nNo new software available.\n")
                .unwrap();
        assert!(none.all.is_empty());
        let err = parse_softwareupdate_list(
            "Software Update Tool\n\nScan finished with error: Error Domain=NSURLErrorDomain\n",
        );
        assert!(err.is_err());
        assert!(parse_softwareupdate_list("").is_err());
    }

    #[test]
    fn hotfix_dates() {
        let text = "Source Description HotFixID InstalledBy InstalledOn\n------\nS1 Update KB1 SYSTEM 5/16/2019 00:00:00\nS1 Security Update KB2 SYSTEM 2026-11-10\n";
        let (date, kb) = parse_hotfix_latest(text)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("no date"));
        assert_eq!(
            (date.to_string(), kb.as_str()),
            ("2026-11-10".to_string(), "KB2")
        );
    }

    #[test]
    fn auto_update_settings() {
        let apt = parse_apt_config_unattended(
            "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\n",
        );
        assert!(apt.is_ok_and(|s| s.enabled));
        let off = parse_apt_config_unattended("APT \"\";\nAPT::Architecture \"amd64\";\n");
        assert!(off.is_ok_and(|s| !s.enabled));
        assert!(!parse_macos_softwareupdate_prefs("{\n    AutomaticDownload = 0;\n}\n").enabled);
        assert!(parse_windows_au_policy("").enabled);
        assert!(!parse_windows_au_policy("    NoAutoUpdate    REG_DWORD    0x1\n").enabled);
    }
}
