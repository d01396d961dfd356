//! Screen lock: GNOME `gsettings`, KDE `kscreenlockerrc`, macOS `sysadminctl`/screensaver and
//! `pmset`, and the Windows screen-saver registry values.

use super::ParseError;
use super::text::{boolean, ini, reg_number, reg_value};
use std::collections::BTreeMap;

/// How the screen locks when the computer is left alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenLock {
    /// Whether going idle locks the screen (asks for the password) at all.
    pub locks: bool,
    /// Seconds of inactivity before the screen blanks or the saver starts; `None` = never.
    pub idle_seconds: Option<u64>,
    /// Further seconds before the password is required.
    pub lock_delay_seconds: u64,
    /// What was read, for evidence.
    pub detail: String,
}

impl ScreenLock {
    /// Seconds from the last keystroke until a password is needed; `None` if it never locks.
    pub fn seconds_until_locked(&self) -> Option<u64> {
        if !self.locks {
            return None;
        }
        self.idle_seconds.map(|idle| idle + self.lock_delay_seconds)
    }
}

/// `gsettings list-recursively SCHEMA` lines (`schema key value`), merged into one map keyed
/// `schema key`.
pub fn parse_gsettings_list(text: &str) -> Result<BTreeMap<String, String>, ParseError> {
    if text.contains("No such schema") {
        return Err(ParseError::new("gsettings", text.trim().to_string()));
    }
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let mut parts = line.splitn(3, ' ');
        let (Some(schema), Some(key), Some(value)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        map.insert(format!("{schema} {key}"), value.trim().to_string());
    }
    Ok(map)
}

/// Reads the GNOME lock settings from merged `gsettings` output of the
/// `org.gnome.desktop.session` and `org.gnome.desktop.screensaver` schemas.
pub fn gnome_screen_lock(settings: &BTreeMap<String, String>) -> Result<ScreenLock, ParseError> {
    let number = |key: &str| -> Option<u64> {
        settings
            .get(key)
            .and_then(|v| v.trim_start_matches("uint32").trim().parse().ok())
    };
    let idle = number("org.gnome.desktop.session idle-delay").ok_or_else(|| {
        ParseError::new(
            "gsettings",
            "org.gnome.desktop.session idle-delay not found",
        )
    })?;
    let lock_enabled = settings
        .get("org.gnome.desktop.screensaver lock-enabled")
        .and_then(|v| boolean(v))
        .ok_or_else(|| {
            ParseError::new(
                "gsettings",
                "org.gnome.desktop.screensaver lock-enabled not found",
            )
        })?;
    let delay = number("org.gnome.desktop.screensaver lock-delay").unwrap_or(0);
    let lockdown = settings
        .get("org.gnome.desktop.lockdown disable-lock-screen")
        .and_then(|v| boolean(v))
        .unwrap_or(false);
    Ok(ScreenLock {
        locks: lock_enabled && !lockdown,
        // GNOME's idle-delay 0 means the screen never blanks.
        idle_seconds: (idle > 0).then_some(idle),
        lock_delay_seconds: delay,
        detail: format!(
            "GNOME: idle-delay {idle} s, lock-enabled {lock_enabled}, lock-delay {delay} s"
        ),
    })
}

/// KDE Plasma's `~/.config/kscreenlockerrc` ([Daemon] Autolock, Timeout in minutes,
/// LockGrace in seconds). Missing keys take KDE's defaults (lock after 5 minutes).
pub fn parse_kscreenlockerrc(text: &str) -> ScreenLock {
    let entries = ini(text);
    let get = |key: &str| {
        entries
            .iter()
            .find(|(s, k, _)| s == "Daemon" && k == key)
            .map(|(_, _, v)| v.as_str())
    };
    let autolock = get("Autolock").and_then(boolean).unwrap_or(true);
    let minutes: u64 = get("Timeout").and_then(|v| v.parse().ok()).unwrap_or(5);
    let grace: u64 = get("LockGrace").and_then(|v| v.parse().ok()).unwrap_or(5);
    ScreenLock {
        locks: autolock,
        idle_seconds: (minutes > 0).then_some(minutes * 60),
        lock_delay_seconds: grace,
        detail: format!("KDE: Autolock {autolock}, Timeout {minutes} min, LockGrace {grace} s"),
    }
}

/// macOS: `sysadminctl -screenLock status` (it prints to standard error), the screen saver's
/// `idleTime` (seconds; 0 = never; missing = the 20-minute default) and `pmset -g`
/// `displaysleep` (minutes; 0 = never).
pub fn macos_screen_lock(
    sysadminctl: &str,
    idle_time: Option<&str>,
    pmset: Option<&str>,
) -> Result<ScreenLock, ParseError> {
    let line = sysadminctl
        .lines()
        .find(|l| l.contains("screenLock"))
        .ok_or_else(|| ParseError::new("sysadminctl -screenLock status", "no screenLock line"))?;
    let (locks, delay) = if line.contains("screenLock is off") {
        (false, 0)
    } else if line.contains("immediate") {
        (true, 0)
    } else {
        let seconds = line
            .split("delay is")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| {
                ParseError::new(
                    "sysadminctl -screenLock status",
                    format!("unexpected {line:?}"),
                )
            })?;
        (true, seconds)
    };
    let saver: Option<u64> = match idle_time.map(str::trim) {
        None | Some("") => Some(1200),
        Some(text) if text.contains("does not exist") => Some(1200),
        Some(text) => text.parse::<u64>().ok().filter(|s| *s > 0),
    };
    let display: Option<u64> = pmset.and_then(|text| {
        text.lines()
            .find(|l| l.trim_start().starts_with("displaysleep"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|m| *m > 0)
            .map(|m| m * 60)
    });
    let idle = match (saver, display) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Ok(ScreenLock {
        locks,
        idle_seconds: idle,
        lock_delay_seconds: delay,
        detail: format!(
            "macOS: {}; screen saver after {}; display sleep after {}",
            line.split("sysadminctl")
                .last()
                .unwrap_or(line)
                .trim_start_matches(|c: char| c != ' ')
                .trim(),
            saver.map_or("never".into(), |s| format!("{s} s")),
            display.map_or("never".into(), |s| format!("{s} s"))
        ),
    })
}

/// Windows: `reg query "HKCU\Control Panel\Desktop"` (ScreenSaveActive, ScreenSaverIsSecure,
/// ScreenSaveTimeOut in seconds) and the machine policy InactivityTimeoutSecs.
pub fn windows_screen_lock(desktop: &str, policy: Option<&str>) -> ScreenLock {
    let number = |text: &str, key: &str| reg_value(text, key).and_then(|v| reg_number(&v));
    let inactivity = policy
        .and_then(|p| number(p, "InactivityTimeoutSecs"))
        .filter(|s| *s > 0);
    let active = number(desktop, "ScreenSaveActive") == Some(1);
    let secure = number(desktop, "ScreenSaverIsSecure") == Some(1);
    let timeout = number(desktop, "ScreenSaveTimeOut").filter(|s| *s > 0);
    let saver_lock = if active && secure { timeout } else { None };
    let idle = match (saver_lock, inactivity) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    ScreenLock {
        locks: idle.is_some(),
        idle_seconds: idle,
        lock_delay_seconds: 0,
        detail: format!(
            "Windows: screen saver {} {} after {}; inactivity limit {}",
            if active { "on" } else { "off" },
            if secure {
                "with sign-in"
            } else {
                "without sign-in"
            },
            timeout.map_or("-".into(), |t| format!("{t} s")),
            inactivity.map_or("not set".into(), |t| format!("{t} s"))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gnome() {
        let text = "org.gnome.desktop.session idle-delay uint32 300\norg.gnome.desktop.screensaver lock-enabled true\norg.gnome.desktop.screensaver lock-delay uint32 0\n";
        let lock = parse_gsettings_list(text).and_then(|m| gnome_screen_lock(&m));
        assert_eq!(lock.map(|l| l.seconds_until_locked()).ok(), Some(Some(300)));
        let never = "org.gnome.desktop.session idle-delay uint32 0\norg.gnome.desktop.screensaver lock-enabled true\n";
        let lock = parse_gsettings_list(never).and_then(|m| gnome_screen_lock(&m));
        assert_eq!(lock.map(|l| l.seconds_until_locked()).ok(), Some(None));
        assert!(parse_gsettings_list("No such schema “org.gnome.desktop.session”\n").is_err());
        assert!(
            parse_gsettings_list("")
                .and_then(|m| gnome_screen_lock(&m))
                .is_err()
        );
    }

    #[test]
    fn kde_and_macos_and_windows() {
        assert_eq!(
            parse_kscreenlockerrc("[Daemon]\nTimeout=10\nLockGrace=0\n").seconds_until_locked(),
            Some(600)
        );
        assert_eq!(
            parse_kscreenlockerrc("[Daemon]\nAutolock=false\n").seconds_until_locked(),
            None
        );
        let mac = macos_screen_lock(
            "2024-01-01 sysadminctl[1:2] screenLock delay is immediate",
            Some("300"),
            Some(" displaysleep         10\n"),
        );
        assert_eq!(mac.map(|l| l.seconds_until_locked()).ok(), Some(Some(300)));
        let off = macos_screen_lock("sysadminctl[1:2] screenLock is off", Some("300"), None);
        assert_eq!(off.map(|l| l.seconds_until_locked()).ok(), Some(None));
        assert!(macos_screen_lock("", None, None).is_err());
        let win = "    ScreenSaveActive    REG_SZ    1\n    ScreenSaverIsSecure    REG_SZ    1\n    ScreenSaveTimeOut    REG_SZ    600\n";
        assert_eq!(
            windows_screen_lock(win, None).seconds_until_locked(),
            Some(600)
        );
        let insecure = "    ScreenSaveActive    REG_SZ    1\n    ScreenSaverIsSecure    REG_SZ    0\n    ScreenSaveTimeOut    REG_SZ    600\n";
        assert_eq!(
            windows_screen_lock(insecure, None).seconds_until_locked(),
            None
        );
        assert_eq!(
            windows_screen_lock(
                insecure,
                Some("    InactivityTimeoutSecs    REG_DWORD    0x384\n")
            )
            .seconds_until_locked(),
            Some(900)
        );
    }
}
