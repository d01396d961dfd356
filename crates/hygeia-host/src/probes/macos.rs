//! macOS probes.

use crate::probe::Probe;
use crate::snapshot::Context;
use std::time::Duration;

/// Every probe `hygeia check` runs on macOS.
pub fn probes(context: &Context) -> Vec<Probe> {
    let home = context.home.trim_end_matches('/');
    vec![
        Probe::command("sw_vers", "sw_vers", &[]),
        // --no-scan reads the result of macOS's own last background check instead of asking
        // Apple's servers, which can take a minute.
        Probe::command("softwareupdate", "softwareupdate", &["--list", "--no-scan"])
            .timeout(Duration::from_secs(20)),
        Probe::command(
            "softwareupdate_prefs",
            "defaults",
            &["read", "/Library/Preferences/com.apple.SoftwareUpdate"],
        ),
        Probe::command("fdesetup", "fdesetup", &["status"]),
        Probe::command(
            "sysadminctl_screenlock",
            "sysadminctl",
            &["-screenLock", "status"],
        ),
        Probe::command(
            "screensaver_idle",
            "defaults",
            &["-currentHost", "read", "com.apple.screensaver", "idleTime"],
        ),
        Probe::command("pmset", "pmset", &["-g"]),
        Probe::command(
            "socketfilterfw",
            "/usr/libexec/ApplicationFirewall/socketfilterfw",
            &["--getglobalstate"],
        ),
        Probe::file(
            "xprotect",
            "/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist",
        ),
        Probe::command("mdatp", "mdatp", &["health"]),
        Probe::command("processes", "ps", &["-A", "-o", "comm="]),
        Probe::list_dir("applications", "/Applications"),
        Probe::list_dir("user_applications", &format!("{home}/Applications")),
        Probe::command("listeners", "lsof", &["-nP", "-iTCP", "-sTCP:LISTEN"]),
        Probe::file("sshd_config", "/etc/ssh/sshd_config"),
        Probe::read_dir("sshd_config_d", "/etc/ssh/sshd_config.d"),
        Probe::command("scutil_nc", "scutil", &["--nc", "list"]),
        Probe::command(
            "dscl_admin",
            "dscl",
            &[".", "-read", "/Groups/admin", "GroupMembership"],
        ),
        Probe::command("pwpolicy", "pwpolicy", &["-getaccountpolicies"]),
        Probe::command(
            "wifi_airport",
            "/System/Library/PrivateFrameworks/Apple80211.framework/Versions/Current/Resources/airport",
            &["-I"],
        ),
        Probe::command("wifi_wdutil", "wdutil", &["info"]),
        Probe::command("tmutil_destinations", "tmutil", &["destinationinfo"]),
        Probe::command("tmutil_latest", "tmutil", &["latestbackup"]),
    ]
}
