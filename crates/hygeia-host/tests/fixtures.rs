//! Parsers against real command outputs.
//!
//! `tests/fixtures/host/` holds the committed fixtures (credited in its README). When the
//! project's shared fixture collection is present beside the checkout (`../shared`, as in CI),
//! every file in it is run through its parser as well.

use hygeia_host::parse::{
    accounts, antimalware, apps, backup, disk, firewall, listeners, os, screenlock, sshd, updates,
    vpn, wifi,
};
use std::path::{Path, PathBuf};

fn committed(path: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/host")
        .join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[test]
fn os_release_of_many_distributions() {
    let cases = [
        ("linux/os-release/debian12.txt", "debian", Some("12")),
        ("linux/os-release/debian10.txt", "debian", Some("10")),
        ("linux/os-release/ubuntu2204.txt", "ubuntu", Some("22.04")),
        ("linux/os-release/ubuntu24.txt", "ubuntu", Some("24.04")),
        ("linux/os-release/fedora42.txt", "fedora", Some("42")),
        ("linux/os-release/rhel9.txt", "rhel", Some("9.6")),
        ("linux/os-release/arch.txt", "arch", None),
        ("linux/debian12-live/os-release.txt", "debian", Some("12")),
    ];
    for (file, id, version) in cases {
        let parsed =
            os::parse_os_release(&committed(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            (parsed.id.as_str(), parsed.version.as_deref()),
            (id, version),
            "{file}"
        );
    }
}

#[test]
fn windows_identity_from_systeminfo_and_cim() {
    let cases = [
        (
            "windows/systeminfo/systeminfo-win7-sp1-crlf.txt",
            "7601",
            "client",
        ),
        (
            "windows/systeminfo/systeminfo-win10-20H2-19042.txt",
            "19042",
            "client",
        ),
        (
            "windows/systeminfo/systeminfo-server2012r2-crlf.txt",
            "9600",
            "server",
        ),
        (
            "windows/os-info/cim-win32_operatingsystem-build-star-doc.txt",
            "18362",
            "client",
        ),
    ];
    for (file, build, kind) in cases {
        let parsed =
            os::parse_windows_os(&committed(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            (parsed.version.as_deref(), parsed.kind.as_deref()),
            (Some(build), Some(kind)),
            "{file}"
        );
    }
}

#[test]
fn debian12_live_captures() {
    let apt = updates::parse_apt_list_upgradable(&committed(
        "linux/debian12-live/apt-list-upgradable.txt",
    ))
    .unwrap_or_default();
    assert!(!apt.all.is_empty() && !apt.security.is_empty());
    let config =
        updates::parse_apt_config_unattended(&committed("linux/debian12-live/apt-config-dump.txt"));
    assert!(config.is_ok_and(|c| !c.enabled));
    let devices = disk::parse_lsblk_json(&committed("linux/debian12-live/lsblk-J.json.txt"))
        .unwrap_or_default();
    assert!(disk::device_mounted_at(&devices, "/").is_some_and(|d| !d.encrypted));
    let root = disk::parse_findmnt_json(&committed("linux/debian12-live/findmnt-root.json.txt"));
    assert!(root.is_ok_and(|m| m.target == "/"));
    let listeners =
        listeners::parse_ss(&committed("linux/debian12-live/ss-tulpn.txt")).unwrap_or_default();
    assert!(listeners.iter().any(|l| !l.is_loopback()));
    let tunnels = vpn::parse_ip_link_json(&committed("linux/debian12-live/ip-d-j-link.json.txt"));
    assert!(tunnels.is_ok_and(|t| t.is_empty()));
    assert_eq!(
        accounts::pam_lockout_threshold(
            &[&committed("linux/debian12-live/pam-common-auth.txt")],
            None
        ),
        None
    );
}

#[test]
fn linux_fixtures() {
    let dnf = updates::parse_dnf_updateinfo(&committed("linux/dnf/updateinfo-list-fedora32.txt"))
        .unwrap_or_default();
    assert!(
        dnf.all.len() > 5 && dnf.security.len() == 1,
        "{} / {:?}",
        dnf.all.len(),
        dnf.security
    );
    assert_eq!(
        accounts::pam_lockout_threshold(
            &[&committed("linux/pam/password-auth-rhel-pam_faillock.txt")],
            None
        ),
        Some(3)
    );
    let users = listeners::parse_ss(&committed("linux/ss/ss-tupna-rhel-with-users.txt"))
        .unwrap_or_default();
    // Established connections are not listeners; only LISTEN/UNCONN rows count.
    assert!(!users.is_empty() && users.iter().all(|l| l.process.is_none()));
    let bare = listeners::parse_ss(&committed("linux/ss/ss-tulpn-rhel-no-process-column.txt"))
        .unwrap_or_default();
    assert!(!bare.is_empty() && bare.iter().all(|l| l.process.is_none()));
    let wide = listeners::parse_ss(&committed("linux/ss/ss-tulpen-ubuntu1804-first30.txt"))
        .unwrap_or_default();
    assert!(
        wide.iter()
            .any(|l| l.process.as_deref() == Some("avahi-daemon"))
    );
    assert!(
        sshd::parse_sshd_settings(&committed(
            "linux/sshd/sshd-T-full-passwordauthentication-yes.txt"
        ))
        .accepts_passwords()
    );
    let ufw = firewall::parse_ufw_status(&committed(
        "linux/ufw/status-verbose-ubuntu1804-routed-disabled.txt",
    ));
    assert!(ufw.is_ok_and(|u| u.filtering));
    let stopped = firewall::parse_firewalld(
        &committed("linux/firewalld/list-all-zones-not-running.txt"),
        None,
    );
    assert!(stopped.is_ok_and(|f| !f.filtering));
    let conns = vpn::parse_nmcli_connections(&committed("linux/nmcli/conn-show-table-rhel.txt"))
        .unwrap_or_default();
    assert_eq!(conns.len(), 3);
    assert!(conns.iter().any(|c| c.name == "test-net-1" && !c.active));
    let (kernel, services) = updates::parse_needrestart_batch(&committed(
        "linux/needrestart/needrestart-b-readme-example.txt",
    ))
    .unwrap_or_default();
    assert!(!kernel && !services.is_empty());
    assert!(
        backup::parse_borg_latest(&committed("linux/backup/borg-list-last1-json-doc.json.txt"))
            .is_ok_and(|t| t.is_some())
    );
    for line in
        committed("linux/nmcli/t-ssid-bssid-signal-security-dev-wifi-list-anonymised.txt").lines()
    {
        let fields = vpn::nmcli_terse_fields(line);
        assert_eq!(fields.len(), 4, "{line}");
    }
}

#[test]
fn macos_and_windows_fixtures() {
    let mac = wifi::parse_macos_wifi(&committed("macos/wifi/airport-I-macos10.14.6-wpa2-psk.txt"))
        .ok()
        .flatten();
    assert_eq!(mac.map(|l| l.security), Some(wifi::WifiSecurity::Wpa2));
    let bitlocker = disk::parse_bitlocker(
        &committed("windows/bitlocker/get-bitlockervolume-C-format-list-fullyencrypted.txt"),
        "C:",
    );
    assert_eq!(bitlocker.ok(), Some(disk::VolumeEncryption::On));
    let table = disk::parse_bitlocker(
        &committed("windows/bitlocker/get-bitlockervolume-table.txt"),
        "C:",
    );
    assert_eq!(table.ok(), Some(disk::VolumeEncryption::Off));
    let defender = antimalware::parse_mp_computer_status(&committed(
        "windows/defender/get-mpcomputerstatus-2013.txt",
    ))
    .unwrap_or_default();
    assert_eq!(
        (
            defender.running,
            defender.realtime,
            defender.signatures_age_days
        ),
        (Some(true), Some(true), Some(0))
    );
    let hotfix = updates::parse_hotfix_latest(&committed("windows/hotfix/get-hotfix-doc.txt"))
        .ok()
        .flatten();
    assert_eq!(
        hotfix.map(|(d, kb)| (d.to_string(), kb)),
        Some(("2019-05-16".to_string(), "KB4495590".to_string()))
    );
    let cim = updates::parse_hotfix_latest(&committed(
        "windows/hotfix/cim-win32_quickfixengineering-doc.txt",
    ))
    .ok()
    .flatten();
    assert_eq!(
        cim.map(|(d, _)| d.to_string()).as_deref(),
        Some("2017-12-16")
    );
    let netstat = listeners::parse_netstat_ano(
        &committed("windows/netstat/netstat-aon-win10-first60.txt"),
        &Default::default(),
    )
    .unwrap_or_default();
    assert!(
        netstat
            .iter()
            .any(|l| l.port == 445 && l.process.as_deref() == Some("System"))
    );
    let vpns = vpn::parse_get_vpnconnection(&committed("windows/vpn/get-vpnconnection-user.txt"));
    assert_eq!(vpns.len(), 3);
    assert!(vpns.iter().all(|v| !v.up));
    assert!(
        !apps::parse_windows_programs(&committed(
            "windows/installed-apps/uninstall-registry-select-first3-doc.txt"
        ))
        .is_empty()
    );
    // Dutch `netsh` output is refused rather than misread.
    assert!(
        wifi::parse_netsh_wlan_interfaces(&committed(
            "windows/wlan/netsh-wlan-show-networks-mode-bssid-dutch.txt"
        ))
        .is_err()
    );
}

/// The outcome of running a parser over one shared fixture: `Ok` with a short summary.
type Outcome = Result<String, String>;

fn ok<T: std::fmt::Debug, E: std::fmt::Display>(r: Result<T, E>) -> Outcome {
    r.map(|v| format!("{v:?}").chars().take(80).collect())
        .map_err(|e| e.to_string())
}

/// Runs the parser that reads `file` (a path relative to the fixture root); `None` for
/// topics that `hygeia check` does not parse.
fn parse_shared(file: &str, text: &str) -> Option<Outcome> {
    let topic = file.rsplit_once('/').map_or(file, |(dir, _)| dir);
    let name = file.rsplit('/').next().unwrap_or(file);
    Some(match topic {
        "linux/apt" if name.starts_with("20auto-upgrades") => {
            ok(updates::parse_apt_config_unattended(text))
        }
        "linux/apt" if name.starts_with("apt-get-s") => ok(updates::parse_apt_get_simulate(text)),
        "linux/apt" => ok(updates::parse_apt_list_upgradable(text)),
        "linux/backup" => ok(backup::parse_borg_latest(text)),
        "linux/cryptsetup" => ok(disk::parse_cryptsetup_status(text)),
        "linux/dnf" if name.starts_with("dnf-check-update") => {
            ok(updates::parse_dnf_check_update(text))
        }
        "linux/dnf" => ok(updates::parse_dnf_updateinfo(text)),
        "linux/firewalld" if name.contains("not-running") => {
            ok(firewall::parse_firewalld(text, None))
        }
        "linux/firewalld" => ok(firewall::parse_firewalld("running", Some(text))),
        "linux/gsettings" => {
            ok(screenlock::parse_gsettings_list(text)
                .and_then(|m| screenlock::gnome_screen_lock(&m)))
        }
        "linux/iptables" => ok(firewall::parse_iptables(text)),
        "linux/lsblk" if name.ends_with(".json.txt") => ok(disk::parse_lsblk_json(text)),
        "linux/needrestart" => ok(updates::parse_needrestart_batch(text)),
        "linux/nft" if !name.ends_with(".json.txt") => {
            ok(firewall::parse_nft_ruleset(text).map(|c| firewall::nft_inbound(&c)))
        }
        "linux/nmcli" if name.starts_with("conn-show") => ok(vpn::parse_nmcli_connections(text)),
        "linux/os-release" => ok(os::parse_os_release(text)),
        "linux/pam" => Ok(format!(
            "{:?}",
            accounts::pam_lockout_threshold(&[text], None)
        )),
        "linux/ss" => ok(listeners::parse_ss(text)),
        "linux/sshd" => Ok(format!("{:?}", sshd::parse_sshd_settings(text))),
        "linux/ufw" => ok(firewall::parse_ufw_status(text)),
        "linux/wireguard" => Ok(format!("{:?}", vpn::parse_wg_show(text))),
        "macos/scutil" => ok(vpn::parse_scutil_nc_list(text)),
        "macos/socketfilterfw" => ok(firewall::parse_socketfilterfw(text)),
        "macos/softwareupdate" => ok(updates::parse_softwareupdate_list(text)),
        "macos/sw_vers" => ok(os::parse_sw_vers(text)),
        "macos/tmutil" => ok(backup::parse_tmutil_destinations(text)),
        "macos/wifi" => ok(wifi::parse_macos_wifi(text)),
        "windows/bitlocker" => ok(disk::parse_bitlocker(text, "C:")),
        "windows/defender" => ok(antimalware::parse_mp_computer_status(text)),
        "windows/firewall" => ok(firewall::parse_windows_firewall(text)),
        "windows/hotfix" => ok(updates::parse_hotfix_latest(text)),
        "windows/installed-apps" => Ok(format!("{:?}", apps::parse_windows_programs(text))),
        "windows/net-accounts" => ok(accounts::parse_net_accounts_lockout(text)),
        "windows/netstat" => ok(listeners::parse_netstat_ano(text, &Default::default())),
        "windows/os-info" | "windows/systeminfo" => ok(os::parse_windows_os(text)),
        "windows/securitycenter" => ok(antimalware::parse_security_center(text)),
        "windows/vpn" => Ok(format!("{:?}", vpn::parse_get_vpnconnection(text))),
        "windows/wlan" => ok(wifi::parse_netsh_wlan_interfaces(text)),
        _ => return None,
    })
}

/// Topics in the shared collection that `hygeia check` deliberately does not parse.
const NOT_PARSED: [&str; 9] = [
    "linux/crypttab",        // encryption is read from lsblk, not from crypttab
    "linux/faillock",        // lockout is read from the PAM configuration, not from tallies
    "linux/reboot-required", // only the file's presence matters
    "linux/lsblk",           // tree output (JSON is parsed above)
    "linux/nft",             // `nft -j` JSON (the text ruleset is parsed above)
    "linux/nmcli",           // other field selections than the probes use
    "macos/csrutil",
    "macos/spctl",
    "macos/xprotect", // install.log lines; XProtect is read from its Info.plist
];
const NOT_PARSED_EXTRA: [&str; 1] = ["macos/profiles"];

/// Fixtures that show an error or a state a parser must refuse (not misread).
const EXPECTED_ERRORS: [&str; 7] = [
    "linux/cryptsetup/status-error-not-found.txt",
    "linux/needrestart/needrestart-p-nagios-proxmox-kernel-pending.txt",
    "macos/softwareupdate/error-scan.txt",
    "macos/socketfilterfw/listapps.txt",
    "windows/securitycenter/wmic-securitycenter2-server-invalid-namespace-fr.txt",
    "windows/wlan/netsh-wlan-show-networks-mode-bssid-dutch.txt",
    "linux/nft/nft-jat-list-ruleset-input-filter.json.txt",
];

fn shared_root() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/host");
    root.is_dir().then_some(root)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
}

#[test]
fn every_shared_fixture_goes_through_its_parser() {
    let Some(root) = shared_root() else {
        eprintln!(
            "skipped: ../shared/fixtures/host is not beside the checkout; only the committed fixtures were tested"
        );
        return;
    };
    let mut files = Vec::new();
    files_under(&root, &mut files);
    files.sort();
    assert!(
        files.len() > 100,
        "expected the full collection, found {}",
        files.len()
    );
    let mut parsed = 0;
    let mut problems = Vec::new();
    for path in &files {
        let relative = path
            .strip_prefix(&root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let bytes = std::fs::read(path).unwrap_or_default();
        let text = hygeia_host::probe::decode_output(&bytes);
        let topic = relative.rsplit_once('/').map_or("", |(d, _)| d);
        match parse_shared(&relative, &text) {
            None => {
                if !NOT_PARSED.contains(&topic) && !NOT_PARSED_EXTRA.contains(&topic) {
                    problems.push(format!(
                        "{relative}: no parser routes this topic; add one or list it in NOT_PARSED"
                    ));
                }
            }
            Some(result) => {
                parsed += 1;
                let expect_error = EXPECTED_ERRORS.contains(&relative.as_str());
                match (result, expect_error) {
                    (Ok(_), false) | (Err(_), true) => {}
                    (Ok(summary), true) => problems.push(format!(
                        "{relative}: expected a refusal, parsed as {summary}"
                    )),
                    (Err(e), false) => problems.push(format!("{relative}: {e}")),
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    eprintln!("{parsed} shared fixtures parsed");
}
