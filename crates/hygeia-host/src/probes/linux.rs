//! Linux probes.

use crate::probe::{Probe, RunAs};
use crate::snapshot::Context;
use std::time::Duration;

/// Package managers resolve dependencies before they answer; give them longer.
const PACKAGE_TIMEOUT: Duration = Duration::from_secs(20);

/// Every probe `hygeia check` runs on Linux.
pub fn probes(context: &Context, run_as: Option<RunAs>) -> Vec<Probe> {
    let home = context.home.trim_end_matches('/');
    let user_setting = |id: &str, schema: &str| {
        Probe::command(id, "gsettings", &["list-recursively", schema]).run_as(run_as.clone())
    };
    vec![
        Probe::file("os_release", "/etc/os-release"),
        Probe::command("apt_upgradable", "apt", &["list", "--upgradable"]).timeout(PACKAGE_TIMEOUT),
        Probe::command(
            "dnf_security",
            "dnf",
            &["-q", "-C", "--security", "updateinfo", "list"],
        )
        .timeout(PACKAGE_TIMEOUT),
        Probe::list_dir("apt_lists", "/var/lib/apt/lists"),
        Probe::command("apt_config", "apt-config", &["dump"]),
        Probe::file("dnf_automatic_conf", "/etc/dnf/automatic.conf"),
        Probe::command(
            "dpkg_packages",
            "dpkg-query",
            &["-W", "-f=${db:Status-Abbrev} ${Package}\\n"],
        ),
        Probe::command("rpm_packages", "rpm", &["-qa", "--qf", "%{NAME}\\n"]),
        Probe::command(
            "flatpak_apps",
            "flatpak",
            &["list", "--app", "--columns=application"],
        ),
        Probe::command("snap_list", "snap", &["list"]),
        Probe::command(
            "systemd_timers",
            "systemctl",
            &["list-timers", "--all", "--output=json", "--no-pager"],
        ),
        Probe::command(
            "systemd_units",
            "systemctl",
            &["list-units", "--all", "--output=json", "--no-pager"],
        ),
        Probe::file("reboot_required", "/run/reboot-required"),
        Probe::command("needrestart", "needrestart", &["-b"]).timeout(Duration::from_secs(10)),
        Probe::command("needs_restarting", "needs-restarting", &["-r"])
            .timeout(Duration::from_secs(10)),
        Probe::command(
            "lsblk",
            "lsblk",
            &["-J", "-p", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINT"],
        ),
        Probe::command(
            "findmnt_root",
            "findmnt",
            &["-J", "-T", "/", "-o", "TARGET,SOURCE,FSTYPE"],
        ),
        Probe::command(
            "findmnt_home",
            "findmnt",
            &["-J", "-T", home, "-o", "TARGET,SOURCE,FSTYPE"],
        ),
        Probe::list_dir("home_ecryptfs", &format!("{home}/.ecryptfs")),
        user_setting("gsettings_session", "org.gnome.desktop.session"),
        user_setting("gsettings_screensaver", "org.gnome.desktop.screensaver"),
        user_setting("gsettings_lockdown", "org.gnome.desktop.lockdown"),
        user_setting("gsettings_dejadup", "org.gnome.DejaDup"),
        Probe::file(
            "kscreenlockerrc",
            &format!("{home}/.config/kscreenlockerrc"),
        ),
        Probe::command("ufw", "ufw", &["status", "verbose"]),
        Probe::command("firewalld_state", "firewall-cmd", &["--state"]),
        Probe::command("firewalld_zone", "firewall-cmd", &["--list-all"]),
        Probe::command("nft", "nft", &["list", "ruleset"]),
        Probe::command("iptables", "iptables-save", &[]),
        Probe::command("clamav", "clamscan", &["--version"]),
        Probe::command("mdatp", "mdatp", &["health"]),
        Probe::command("processes", "ps", &["-e", "-o", "comm="]),
        Probe::list_dir("opt", "/opt"),
        Probe::command("listeners", "ss", &["-tulpn"]),
        Probe::command("sshd_effective", "sshd", &["-T"]),
        Probe::file("sshd_config", "/etc/ssh/sshd_config"),
        Probe::read_dir("sshd_config_d", "/etc/ssh/sshd_config.d"),
        Probe::command("ip_link", "ip", &["-d", "-j", "link", "show"]),
        Probe::command(
            "nmcli_connections",
            "nmcli",
            &[
                "-t",
                "-f",
                "NAME,TYPE,AUTOCONNECT,ACTIVE",
                "connection",
                "show",
            ],
        ),
        Probe::command(
            "nmcli_wifi",
            "nmcli",
            &[
                "-t",
                "-f",
                "ACTIVE,SSID,SECURITY",
                "device",
                "wifi",
                "list",
                "--rescan",
                "no",
            ],
        ),
        Probe::read_dir("nm_keyfiles", "/etc/NetworkManager/system-connections"),
        Probe::list_dir("wifi_hardware", "/sys/class/ieee80211"),
        Probe::command("wg", "wg", &["show"]),
        Probe::list_dir("wireguard_dir", "/etc/wireguard"),
        Probe::list_dir("openvpn_client_dir", "/etc/openvpn/client"),
        Probe::list_dir("openvpn_dir", "/etc/openvpn"),
        Probe::list_dir("swanctl_dir", "/etc/swanctl/conf.d"),
        Probe::file("passwd", "/etc/passwd"),
        Probe::file("group", "/etc/group"),
        Probe::file("shadow", "/etc/shadow"),
        Probe::command("id_groups", "id", &["-nG", &context.user]),
        Probe::file("pam_common_auth", "/etc/pam.d/common-auth"),
        Probe::file("pam_system_auth", "/etc/pam.d/system-auth"),
        Probe::file("pam_password_auth", "/etc/pam.d/password-auth"),
        Probe::file("faillock_conf", "/etc/security/faillock.conf"),
        Probe::file("timeshift", "/etc/timeshift/timeshift.json"),
        Probe::list_dir("borgmatic_dir", "/etc/borgmatic"),
        Probe::list_dir("borgmatic_d_dir", "/etc/borgmatic.d"),
    ]
}
