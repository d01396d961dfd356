//! Every parser must survive hostile input: truncated, corrupted and random outputs give an
//! error or a result, never a panic. Deterministic mutations of the committed fixtures.

use hygeia_host::parse::{
    accounts, antimalware, apps, backup, disk, firewall, listeners, os, screenlock, sshd, updates,
    vpn, wifi,
};
use hygeia_host::redact;
use std::path::Path;

/// A small deterministic generator (xorshift), so failures can be reproduced.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut bytes = text.as_bytes().to_vec();
    match rng.below(6) {
        0 => bytes.truncate(rng.below(bytes.len() + 1)),
        1 => {
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(bytes.len() + 1);
                bytes.insert(at, (rng.next() & 0xFF) as u8);
            }
        }
        2 => {
            let at = rng.below(bytes.len() + 1);
            let chunk: Vec<u8> = bytes[at..].iter().take(200).copied().collect();
            for _ in 0..rng.below(50) {
                bytes.extend_from_slice(&chunk);
            }
        }
        3 => {
            bytes = bytes
                .iter()
                .filter(|_| rng.below(10) != 0)
                .copied()
                .collect()
        }
        4 => bytes.extend(std::iter::repeat_n(b'{', rng.below(5000))),
        _ => {
            bytes = (0..rng.below(4096))
                .map(|_| (rng.next() & 0xFF) as u8)
                .collect()
        }
    }
    hygeia_host::probe::decode_output(&bytes)
}

fn every_parser(text: &str) {
    let _ = os::parse_os_release(text);
    let _ = os::parse_sw_vers(text);
    let _ = os::parse_windows_os(text);
    let _ = updates::parse_apt_list_upgradable(text);
    let _ = updates::parse_apt_get_simulate(text);
    let _ = updates::parse_dnf_updateinfo(text);
    let _ = updates::parse_dnf_check_update(text);
    let _ = updates::parse_softwareupdate_list(text);
    let _ = updates::parse_hotfix_latest(text);
    let _ = updates::parse_apt_config_unattended(text);
    let _ = updates::parse_macos_softwareupdate_prefs(text);
    let _ = updates::parse_windows_au_policy(text);
    let _ = updates::parse_needrestart_batch(text);
    if let Ok(devices) = disk::parse_lsblk_json(text) {
        let _ = disk::device_mounted_at(&devices, "/");
    }
    let _ = disk::parse_findmnt_json(text);
    let _ = disk::parse_cryptsetup_status(text);
    let _ = disk::parse_fdesetup_status(text);
    let _ = disk::parse_bitlocker(text, "C:");
    if let Ok(map) = screenlock::parse_gsettings_list(text) {
        let _ = screenlock::gnome_screen_lock(&map);
        let _ = backup::dejadup(&map);
    }
    let _ = screenlock::parse_kscreenlockerrc(text);
    let _ = screenlock::macos_screen_lock(text, Some(text), Some(text));
    let _ = screenlock::windows_screen_lock(text, Some(text));
    let _ = firewall::parse_ufw_status(text);
    let _ = firewall::parse_firewalld(text, Some(text));
    if let Ok(chains) = firewall::parse_nft_ruleset(text) {
        let _ = firewall::nft_inbound(&chains);
    }
    let _ = firewall::parse_iptables(text);
    let _ = firewall::parse_socketfilterfw(text);
    let _ = firewall::parse_windows_firewall(text);
    let _ = antimalware::parse_clamav_version(text);
    let _ = antimalware::parse_mdatp_health(text);
    let _ = antimalware::parse_mp_computer_status(text);
    let _ = antimalware::parse_security_center(text);
    let _ = antimalware::parse_xprotect_plist(text);
    let _ = listeners::parse_ss(text);
    let names = listeners::parse_tasklist_csv(text);
    let _ = listeners::parse_netstat_ano(text, &names);
    let _ = listeners::parse_lsof(text);
    let _ = sshd::parse_sshd_settings(text);
    let _ = sshd::effective_config_text(text, &[("a.conf".into(), text.into())]);
    let _ = vpn::parse_ip_link_json(text);
    let _ = vpn::parse_nmcli_connections(text);
    let _ = vpn::parse_wg_show(text);
    let _ = vpn::parse_scutil_nc_list(text);
    let _ = vpn::parse_get_vpnconnection(text);
    let _ = wifi::parse_nmcli_wifi_active(text);
    let _ = wifi::parse_macos_wifi(text);
    let _ = wifi::parse_netsh_wlan_interfaces(text);
    let _ = wifi::parse_nm_keyfile(text);
    let _ = wifi::parse_netsh_wlan_profiles(text);
    let common = std::collections::BTreeSet::new();
    let _ = redact::redact_shadow(text);
    let _ = redact::redact_keyfile(text, &common);
    let _ = redact::redact_netsh_keys(text, &common);
    let _ = redact::KeyStrength::from_token(text);
    let _ = accounts::parse_passwd(text);
    let _ = accounts::group_members(text, &accounts::LINUX_ADMIN_GROUPS);
    let _ = accounts::shadow_empty_passwords(text);
    let _ = accounts::pam_lockout_threshold(&[text], Some(text));
    let _ = accounts::parse_net_accounts_lockout(text);
    let _ = accounts::parse_dscl_group_membership(text);
    let _ = accounts::parse_pwpolicy_max_failed(text);
    let _ = accounts::whoami_is_admin(text);
    let _ = accounts::parse_local_users_without_password(text);
    let _ = backup::parse_systemd_timers(text);
    let _ = backup::parse_systemd_units(text);
    let _ = backup::timeshift_configured(text);
    let _ = backup::parse_tmutil_destinations(text);
    let _ = backup::parse_tmutil_latest(text);
    let _ = backup::parse_borg_latest(text);
    let _ = backup::parse_wbadmin_versions(text);
    let _ = apps::parse_dpkg_installed(text);
    let _ = apps::parse_snap_list(text);
    let _ = apps::parse_windows_programs(text);
}

fn fixtures(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            fixtures(&path, out);
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.push(text);
        }
    }
}

#[test]
fn parsers_never_panic_on_mutated_outputs() {
    let mut seeds = Vec::new();
    fixtures(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host"),
        &mut seeds,
    );
    seeds.push(String::new());
    seeds.push("\u{0}\u{FFFD}\r\n\r\n:=:=[]{}\"".into());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for seed in &seeds {
        every_parser(seed);
        for _ in 0..60 {
            every_parser(&mutate(seed, &mut rng));
        }
    }
}
