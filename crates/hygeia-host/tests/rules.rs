//! Rules over whole snapshots: Windows and macOS are fed real (or documented) command outputs
//! through the same probes ids the live run uses, and nothing may pass that was not measured.

use hygeia_core::{Catalog, Finding, Platform, Status, UnknownCause};
use hygeia_host::probe::{DirEntry, Outcome};
use hygeia_host::{Context, Snapshot, evaluate};
use std::collections::BTreeMap;
use std::path::Path;

fn catalog() -> Catalog {
    Catalog::builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn fixture(path: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/host")
        .join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn context(user: &str, home: &str) -> Context {
    Context {
        hostname: "exam-room-3".into(),
        user: user.into(),
        elevated: false,
        home: home.into(),
        desktop: Some("GNOME".into()),
    }
}

fn ran(stdout: &str) -> Outcome {
    Outcome::Ran {
        exit_code: Some(0),
        stdout: stdout.into(),
        stderr: String::new(),
    }
}

fn ran_with(code: i32, stdout: &str, stderr: &str) -> Outcome {
    Outcome::Ran {
        exit_code: Some(code),
        stdout: stdout.into(),
        stderr: stderr.into(),
    }
}

fn read(content: &str) -> Outcome {
    Outcome::Read {
        content: content.into(),
        modified: None,
    }
}

fn results(snapshot: &Snapshot) -> BTreeMap<String, Finding> {
    evaluate(snapshot, &catalog())
}

fn status(findings: &BTreeMap<String, Finding>, id: &str) -> Status {
    findings
        .get(id)
        .map(|f| f.status)
        .unwrap_or_else(|| panic!("no finding for {id}"))
}

#[test]
fn nothing_passes_without_outputs() {
    for platform in [Platform::Linux, Platform::Macos, Platform::Windows] {
        let snapshot = Snapshot::from_outputs(platform, context("drlee", "/home/drlee"), &[]);
        for (id, finding) in results(&snapshot) {
            assert!(
                matches!(
                    finding.status,
                    Status::Unknown | Status::NotApplicable | Status::Fail | Status::Warn
                ),
                "{platform}: {id} is {:?} without any output: {}",
                finding.status,
                finding.reason
            );
            assert_ne!(finding.status, Status::Pass, "{platform} {id}");
        }
    }
}

#[test]
fn nothing_passes_when_every_program_is_missing() {
    let ids: Vec<String> = [
        "os_release",
        "apt_upgradable",
        "lsblk",
        "nft",
        "listeners",
        "processes",
        "shadow",
        "passwd",
        "ip_link",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let outputs: Vec<(&str, Outcome)> = ids
        .iter()
        .map(|id| (id.as_str(), Outcome::NotFound))
        .collect();
    let snapshot =
        Snapshot::from_outputs(Platform::Linux, context("drlee", "/home/drlee"), &outputs);
    for (id, finding) in results(&snapshot) {
        assert_ne!(finding.status, Status::Pass, "{id}: {}", finding.reason);
    }
}

#[test]
fn windows_from_real_outputs() {
    let firewall = "Name                  : Domain\r\nEnabled               : True\r\nDefaultInboundAction  : NotConfigured\r\n\r\nName                  : Private\r\nEnabled               : True\r\nDefaultInboundAction  : NotConfigured\r\n\r\nName                  : Public\r\nEnabled               : False\r\nDefaultInboundAction  : NotConfigured\r\n";
    let snapshot = Snapshot::from_outputs(
        Platform::Windows,
        context("drlee", r"C:\Users\drlee"),
        &[
            (
                "os",
                ran(&fixture(
                    "windows/systeminfo/systeminfo-win10-20H2-19042.txt",
                )),
            ),
            ("hotfix", ran(&fixture("windows/hotfix/get-hotfix-doc.txt"))),
            (
                "bitlocker",
                ran(&fixture(
                    "windows/bitlocker/get-bitlockervolume-C-format-list-fullyencrypted.txt",
                )),
            ),
            (
                "defender",
                ran(&fixture("windows/defender/get-mpcomputerstatus-2013.txt")),
            ),
            (
                "listeners",
                ran(&fixture("windows/netstat/netstat-aon-win10-first60.txt")),
            ),
            (
                "vpn",
                ran(&fixture("windows/vpn/get-vpnconnection-user.txt")),
            ),
            ("firewall", ran(firewall)),
            (
                "net_accounts",
                ran(
                    "Lockout threshold:                                    Never\r\nThe command completed successfully.\r\n",
                ),
            ),
            (
                "au_policy",
                ran_with(
                    1,
                    "",
                    "ERROR: The system was unable to find the specified registry key or value.\r\n",
                ),
            ),
            (
                "reboot_pending",
                ran_with(
                    1,
                    "",
                    "ERROR: The system was unable to find the specified registry key or value.\r\n",
                ),
            ),
            (
                "whoami_groups",
                ran(
                    "\"Group Name\",\"Type\",\"SID\",\"Attributes\"\r\n\"BUILTIN\\Users\",\"Alias\",\"S-1-5-32-545\",\"Mandatory group\"\r\n",
                ),
            ),
        ],
    );
    let f = results(&snapshot);
    assert_eq!(
        status(&f, "HY-PC-001"),
        Status::Fail,
        "Windows 10 20H2 ended in 2022"
    );
    assert_eq!(
        status(&f, "HY-PC-002"),
        Status::Fail,
        "the newest hotfix is from 2019"
    );
    assert_eq!(status(&f, "HY-PC-003"), Status::Pass);
    assert_eq!(status(&f, "HY-PC-004"), Status::Pass);
    assert_eq!(status(&f, "HY-PC-005"), Status::Pass);
    assert_eq!(status(&f, "HY-PC-006"), Status::Pass);
    assert_eq!(
        status(&f, "HY-PC-008"),
        Status::Fail,
        "the Public profile is off"
    );
    assert!(f["HY-PC-008"].reason.contains("Public"));
    assert_eq!(status(&f, "HY-PC-009"), Status::Pass);
    assert_eq!(status(&f, "HY-PC-010"), Status::Pass);
    assert!(
        f["HY-PC-011"]
            .evidence
            .iter()
            .any(|e| e.contains("SMB file sharing") && e.contains("445"))
    );
    assert_eq!(status(&f, "HY-PC-013"), Status::Pass);
    assert_eq!(status(&f, "HY-PC-015"), Status::Fail);
    assert_eq!(status(&f, "HY-NET-001"), Status::Pass);
    assert_eq!(
        f["HY-BK-001"].unknown_cause,
        Some(UnknownCause::Unreadable),
        "wbadmin was not collected"
    );
}

#[test]
fn macos_from_documented_outputs() {
    // Outputs as macOS prints them (formats as in Apple's tools and the shared fixture set).
    let plist = "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>CFBundleShortVersionString</key>\n\t<string>5286</string>\n</dict>\n</plist>\n";
    let xprotect_updated = time::macros::datetime!(2026-11-20 08:00 UTC).unix_timestamp();
    let snapshot = Snapshot::from_outputs(
        Platform::Macos,
        context("drlee", "/Users/drlee"),
        &[
            (
                "sw_vers",
                ran("ProductName:\t\tmacOS\nProductVersion:\t\t13.6.1\nBuildVersion:\t\t22G313\n"),
            ),
            (
                "softwareupdate",
                ran("Software Update Tool\n\nNo new software available.\n"),
            ),
            (
                "softwareupdate_prefs",
                ran(
                    "{\n    AutomaticCheckEnabled = 1;\n    AutomaticDownload = 1;\n    CriticalUpdateInstall = 0;\n}\n",
                ),
            ),
            ("fdesetup", ran("FileVault is Off.\n")),
            (
                "sysadminctl_screenlock",
                ran_with(
                    0,
                    "",
                    "2026-11-28 09:00:00.000 sysadminctl[501:1234] screenLock delay is immediate\n",
                ),
            ),
            ("screensaver_idle", ran("600\n")),
            (
                "pmset",
                ran(
                    "System-wide power settings:\nCurrently in use:\n displaysleep         10\n sleep                1\n",
                ),
            ),
            ("socketfilterfw", ran("Firewall is enabled. (State = 1)\n")),
            (
                "xprotect",
                Outcome::Read {
                    content: plist.into(),
                    modified: Some(xprotect_updated),
                },
            ),
            (
                "wifi_airport",
                ran(&fixture("macos/wifi/airport-I-macos10.14.6-wpa2-psk.txt")),
            ),
            (
                "scutil_nc",
                ran("Available network connection services in the current set (*=enabled):\n"),
            ),
            ("dscl_admin", ran("GroupMembership: root drlee\n")),
            (
                "applications",
                Outcome::Listed {
                    entries: ["FaceTime.app", "zoom.us.app", "WhatsApp.app"]
                        .iter()
                        .map(|n| DirEntry {
                            name: n.to_string(),
                            content: None,
                            modified: None,
                        })
                        .collect(),
                },
            ),
            (
                "tmutil_destinations",
                ran("tmutil: No destinations configured.\n"),
            ),
        ],
    );
    let f = results(&snapshot);
    assert_eq!(
        status(&f, "HY-PC-001"),
        Status::Fail,
        "Ventura's updates ended in 2025"
    );
    assert_eq!(status(&f, "HY-PC-002"), Status::Pass);
    assert_eq!(
        status(&f, "HY-PC-003"),
        Status::Fail,
        "CriticalUpdateInstall = 0"
    );
    assert_eq!(status(&f, "HY-PC-004"), Status::NotApplicable);
    assert_eq!(status(&f, "HY-PC-005"), Status::Fail);
    assert_eq!(status(&f, "HY-PC-007"), Status::Pass);
    assert_eq!(status(&f, "HY-PC-008"), Status::Pass);
    assert_eq!(status(&f, "HY-PC-009"), Status::Pass);
    assert_eq!(
        status(&f, "HY-PC-010"),
        Status::Pass,
        "XProtect updated 8 days before the snapshot"
    );
    assert_eq!(
        status(&f, "HY-PC-013"),
        Status::Fail,
        "drlee is in the admin group"
    );
    assert_eq!(
        status(&f, "HY-PC-016"),
        Status::Warn,
        "WhatsApp is a consumer app"
    );
    assert!(
        f["HY-PC-016"]
            .evidence
            .iter()
            .any(|e| e.starts_with("FaceTime"))
    );
    assert_eq!(status(&f, "HY-NET-001"), Status::Warn);
    assert_eq!(status(&f, "HY-NET-002"), Status::Pass);
    assert_eq!(status(&f, "HY-BK-001"), Status::Fail);
}

fn linux_base(extra: &[(&'static str, Outcome)]) -> Snapshot {
    let mut outputs = vec![
        (
            "os_release",
            read(&fixture("linux/debian12-live/os-release.txt")),
        ),
        (
            "lsblk",
            ran(&fixture("linux/debian12-live/lsblk-J.json.txt")),
        ),
        (
            "findmnt_root",
            ran(&fixture("linux/debian12-live/findmnt-root.json.txt")),
        ),
        (
            "findmnt_home",
            ran(&fixture("linux/debian12-live/findmnt-root.json.txt")),
        ),
        (
            "listeners",
            ran(&fixture("linux/debian12-live/ss-tulpn.txt")),
        ),
    ];
    outputs.extend(extra.iter().cloned());
    Snapshot::from_outputs(Platform::Linux, context("drlee", "/home/drlee"), &outputs)
}

#[test]
fn linux_accept_all_firewall_fails_and_a_filtering_one_passes() {
    let accept_all = "table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n}\n";
    let f = results(&linux_base(&[
        ("nft", ran(accept_all)),
        ("ufw", Outcome::NotFound),
    ]));
    assert_eq!(status(&f, "HY-PC-008"), Status::Fail);
    assert_eq!(status(&f, "HY-PC-005"), Status::Fail);
    let ufw = "Status: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n";
    let f = results(&linux_base(&[("nft", ran(accept_all)), ("ufw", ran(ufw))]));
    assert_eq!(status(&f, "HY-PC-008"), Status::Pass);
    let denied = results(&linux_base(&[
        (
            "nft",
            ran_with(1, "", "Operation not permitted (you must be root)\n"),
        ),
        (
            "ufw",
            ran_with(1, "", "ERROR: You need to be root to run this script\n"),
        ),
        ("iptables", Outcome::NotFound),
        ("firewalld_state", Outcome::NotFound),
    ]));
    assert_eq!(
        denied["HY-PC-008"].unknown_cause,
        Some(UnknownCause::PermissionDenied)
    );
}

#[test]
fn linux_screen_lock_is_read_for_the_person_not_root() {
    let gnome_session = ran("org.gnome.desktop.session idle-delay uint32 1200\n");
    let gnome_saver = ran(
        "org.gnome.desktop.screensaver lock-enabled true\norg.gnome.desktop.screensaver lock-delay uint32 0\n",
    );
    let f = results(&linux_base(&[
        ("gsettings_session", gnome_session.clone()),
        ("gsettings_screensaver", gnome_saver.clone()),
    ]));
    assert_eq!(
        status(&f, "HY-PC-007"),
        Status::Fail,
        "20 minutes is over the limit"
    );
    let mut root = linux_base(&[
        ("gsettings_session", gnome_session),
        ("gsettings_screensaver", gnome_saver),
    ]);
    root.context.user = "root".into();
    let f = results(&root);
    assert_eq!(status(&f, "HY-PC-007"), Status::Unknown);
}

#[test]
fn linux_wifi_key_and_open_networks_from_keyfiles() {
    let home = "[connection]\nid=Home\ntype=wifi\n[wifi]\nssid=Home\n[wifi-security]\nkey-mgmt=wpa-psk\npsk=password123\n";
    let cafe = "[connection]\nid=Cafe\ntype=wifi\n[wifi]\nssid=Cafe Free WiFi\n";
    let keyfiles = Outcome::Listed {
        entries: vec![
            DirEntry {
                name: "Home.nmconnection".into(),
                content: Some(home.into()),
                modified: None,
            },
            DirEntry {
                name: "Cafe.nmconnection".into(),
                content: Some(cafe.into()),
                modified: None,
            },
        ],
    };
    let f = results(&linux_base(&[
        ("nm_keyfiles", keyfiles),
        ("nmcli_wifi", ran("no:Cafe Free WiFi:\nyes:Home:WPA2\n")),
    ]));
    assert_eq!(status(&f, "HY-NET-002"), Status::Pass);
    assert_eq!(status(&f, "HY-NET-003"), Status::Fail);
    assert_eq!(status(&f, "HY-NET-004"), Status::Fail);
    let rendered = format!("{:?}", f["HY-NET-004"]);
    assert!(
        !rendered.contains("password123"),
        "the key must never appear in a finding"
    );
    let unreadable = Outcome::Listed {
        entries: vec![DirEntry {
            name: "Home.nmconnection".into(),
            content: None,
            modified: None,
        }],
    };
    let f = results(&linux_base(&[
        ("nm_keyfiles", unreadable),
        ("nmcli_wifi", ran("yes:Home:WPA2\n")),
    ]));
    assert_eq!(
        f["HY-NET-004"].unknown_cause,
        Some(UnknownCause::PermissionDenied)
    );
}

#[test]
fn timed_out_probe_is_unknown_with_its_reason() {
    let f = results(&linux_base(&[(
        "lsblk",
        Outcome::TimedOut { after_ms: 5000 },
    )]));
    assert_eq!(f["HY-PC-005"].unknown_cause, Some(UnknownCause::TimedOut));
    assert!(f["HY-PC-005"].reason.contains("within 5 s"));
}

#[test]
fn linux_screen_lock_depends_on_the_desktop_in_use() {
    let mut headless = linux_base(&[
        ("processes", ran("systemd\nsshd\nbash\n")),
        ("dpkg_packages", ran("ii  bash\nii  libglib2.0-bin\n")),
    ]);
    headless.context.desktop = None;
    assert_eq!(
        status(&results(&headless), "HY-PC-007"),
        Status::NotApplicable
    );
    let mut xfce = linux_base(&[("processes", ran("systemd\nxfce4-session\n"))]);
    xfce.context.desktop = None;
    assert_eq!(
        results(&xfce)["HY-PC-007"].unknown_cause,
        Some(UnknownCause::UnsupportedPlatform)
    );
    let mut gnome_installed = linux_base(&[
        ("processes", ran("systemd\n")),
        ("dpkg_packages", ran("ii  gnome-shell\n")),
        (
            "gsettings_session",
            ran("org.gnome.desktop.session idle-delay uint32 300\n"),
        ),
        (
            "gsettings_screensaver",
            ran("org.gnome.desktop.screensaver lock-enabled false\n"),
        ),
    ]);
    gnome_installed.context.desktop = None;
    assert_eq!(
        status(&results(&gnome_installed), "HY-PC-007"),
        Status::Fail,
        "lock-enabled false"
    );
}

#[test]
fn stale_apt_lists_turn_a_clean_answer_into_a_warning() {
    let old = time::macros::datetime!(2026-10-01 00:00 UTC).unix_timestamp();
    let fresh = time::macros::datetime!(2026-11-27 00:00 UTC).unix_timestamp();
    let lists = |modified: i64| Outcome::Listed {
        entries: vec![DirEntry {
            name: "deb.debian.org_debian-security_dists_bookworm-security_InRelease".into(),
            content: None,
            modified: Some(modified),
        }],
    };
    let clean = ran("Listing...\n");
    let f = results(&linux_base(&[
        ("apt_upgradable", clean.clone()),
        ("apt_lists", lists(old)),
    ]));
    assert_eq!(status(&f, "HY-PC-002"), Status::Warn);
    let f = results(&linux_base(&[
        ("apt_upgradable", clean),
        ("apt_lists", lists(fresh)),
    ]));
    assert_eq!(status(&f, "HY-PC-002"), Status::Pass);
}

#[test]
fn windows_saved_wifi_profiles() {
    let profiles = "=== hygeia profile: HomeNet\r\n    Name                   : HomeNet\r\n        Connection mode    : Connect automatically\r\n    SSID name              : \"HomeNet\"\r\n    Authentication         : WPA2-Personal\r\n    Security key           : Present\r\n    Key Content            : sunshine\r\n=== hygeia profile: Airport Free WiFi\r\n    Name                   : Airport Free WiFi\r\n        Connection mode    : Connect automatically\r\n    SSID name              : \"Airport Free WiFi\"\r\n    Authentication         : Open\r\n    Security key           : Absent\r\n";
    let interface = "    State                  : connected\r\n    SSID                   : HomeNet\r\n    Authentication         : WPA2-Personal\r\n";
    let snapshot = Snapshot::from_outputs(
        Platform::Windows,
        context("drlee", r"C:\Users\drlee"),
        &[("wlan", ran(interface)), ("wlan_profiles", ran(profiles))],
    );
    let f = results(&snapshot);
    assert_eq!(status(&f, "HY-NET-002"), Status::Pass);
    assert_eq!(status(&f, "HY-NET-003"), Status::Fail);
    assert_eq!(
        status(&f, "HY-NET-004"),
        Status::Fail,
        "sunshine is a common password"
    );
    let unprivileged = profiles.replace("    Key Content            : sunshine\r\n", "");
    let snapshot = Snapshot::from_outputs(
        Platform::Windows,
        context("drlee", r"C:\Users\drlee"),
        &[
            ("wlan", ran(interface)),
            ("wlan_profiles", ran(&unprivileged)),
        ],
    );
    assert_eq!(
        results(&snapshot)["HY-NET-004"].unknown_cause,
        Some(UnknownCause::PermissionDenied)
    );
}

#[test]
fn linux_without_wifi_hardware_is_not_applicable() {
    let f = results(&linux_base(&[
        ("wifi_hardware", Outcome::NotFound),
        ("nmcli_wifi", Outcome::NotFound),
        ("nm_keyfiles", Outcome::NotFound),
    ]));
    for id in ["HY-NET-002", "HY-NET-003", "HY-NET-004"] {
        assert_eq!(status(&f, id), Status::NotApplicable, "{id}");
    }
    let radio = Outcome::Listed {
        entries: vec![DirEntry {
            name: "phy0".into(),
            content: None,
            modified: None,
        }],
    };
    let f = results(&linux_base(&[
        ("wifi_hardware", radio),
        ("nmcli_wifi", Outcome::NotFound),
    ]));
    assert_eq!(
        f["HY-NET-002"].unknown_cause,
        Some(UnknownCause::CommandMissing)
    );
}

#[test]
fn windows_backup_from_wbadmin() {
    let versions = "wbadmin 1.0 - Backup command-line tool\r\n\r\nBackup time: 11/20/2026 9:00 PM\r\nVersion identifier: 11/21/2026-05:00\r\n";
    let home = r"C:\Users\drlee";
    let snapshot = Snapshot::from_outputs(
        Platform::Windows,
        context("drlee", home),
        &[("wbadmin", ran(versions))],
    );
    let f = results(&snapshot);
    assert_eq!(status(&f, "HY-BK-001"), Status::Pass);
    assert_eq!(
        status(&f, "HY-BK-002"),
        Status::Pass,
        "7 days before the snapshot"
    );
    let none = ran("wbadmin 1.0 - Backup command-line tool\r\nERROR - No backup was found.\r\n");
    let snapshot = Snapshot::from_outputs(
        Platform::Windows,
        context("drlee", home),
        &[("wbadmin", none)],
    );
    assert_eq!(
        results(&snapshot)["HY-BK-001"].unknown_cause,
        Some(UnknownCause::Inconclusive)
    );
}

#[test]
fn fedora_automatic_updates_need_the_timer_and_apply_updates() {
    let timers = ran(
        r#"[{"next":1,"left":1,"last":null,"passed":null,"unit":"dnf-automatic.timer","activates":"dnf-automatic.service"}]"#,
    );
    let base = |conf: &str| {
        results(&linux_base(&[
            ("apt_config", Outcome::NotFound),
            ("systemd_timers", timers.clone()),
            ("dnf_automatic_conf", read(conf)),
        ]))
    };
    assert_eq!(
        status(&base("[commands]\napply_updates = yes\n"), "HY-PC-003"),
        Status::Pass
    );
    assert_eq!(
        status(&base("[commands]\napply_updates = no\n"), "HY-PC-003"),
        Status::Fail
    );
}
