//! HY-PC-001 to HY-PC-004: vendor support, pending security updates, automatic updates and
//! restarts after updates.

use super::{Input, days_phrase, name_list};
use crate::parse::os::{OsIdentity, parse_os_release, parse_sw_vers, parse_windows_os};
use crate::parse::updates::{
    PendingUpdates, parse_apt_config_unattended, parse_apt_list_upgradable, parse_dnf_updateinfo,
    parse_hotfix_latest, parse_macos_softwareupdate_prefs, parse_needrestart_batch,
    parse_softwareupdate_list, parse_windows_au_policy,
};
use hygeia_core::time_util::parse_ymd;
use hygeia_core::{Finding, Platform, UnknownCause};

/// Days since apt last fetched a changed release file (`*InRelease` in /var/lib/apt/lists).
/// Debian and Ubuntu re-sign their security suites at least weekly, so a newest file older than
/// a week means `apt update` has not run since.
fn apt_lists_age(input: &Input) -> Option<i64> {
    let entries = input
        .listing("apt_lists", "apt's package lists")
        .ok()
        .flatten()?;
    let newest = entries
        .iter()
        .filter(|e| e.name.ends_with("InRelease") || e.name.ends_with("_Release"))
        .filter_map(|e| e.modified)
        .max()?;
    let newest = time::OffsetDateTime::from_unix_timestamp(newest).ok()?;
    Some((input.observed_at - newest).whole_days())
}

/// Reads which operating system this is from the snapshot.
pub fn os_identity(input: &Input) -> Result<OsIdentity, Finding> {
    let parsed = match input.snapshot.platform {
        Platform::Linux => {
            let file = input
                .file("os_release", "the operating system version")?
                .ok_or_else(|| {
                    Finding::unknown(
                        UnknownCause::Unreadable,
                        "/etc/os-release is missing, so the Linux distribution is unknown.",
                    )
                })?;
            parse_os_release(file.content)
        }
        Platform::Macos => parse_sw_vers(input.command_ok("sw_vers", "the macOS version")?),
        Platform::Windows => parse_windows_os(input.command_ok("os", "the Windows version")?),
    };
    parsed.map_err(|e| {
        Finding::unknown(
            UnknownCause::Unreadable,
            format!("The operating system version could not be understood ({e})."),
        )
    })
}

/// The lifecycle entry for this OS: (name, last day of support, estimated, rolling).
fn lifecycle_entry(input: &Input, os: &OsIdentity) -> Option<(String, Option<String>, bool, bool)> {
    let lifecycle = &input.catalog.lifecycle;
    let version = os.version.clone().unwrap_or_default();
    match input.snapshot.platform {
        Platform::Linux => lifecycle
            .linux
            .iter()
            .find(|r| {
                r.id == os.id
                    && (r.rolling
                        || r.version.as_deref().is_some_and(|v| {
                            v == version
                                || (!v.contains('.') && version.split('.').next() == Some(v))
                        }))
            })
            .map(|r| {
                (
                    r.name.clone(),
                    r.security_until.clone(),
                    r.estimated,
                    r.rolling,
                )
            }),
        Platform::Macos => lifecycle
            .macos
            .iter()
            .find(|r| r.version == version)
            .map(|r| {
                (
                    r.name.clone(),
                    Some(r.security_until.clone()),
                    r.estimated,
                    false,
                )
            }),
        Platform::Windows => lifecycle
            .windows
            .iter()
            .find(|r| r.build == version && (r.kind.is_none() || r.kind == os.kind))
            .map(|r| (r.name.clone(), Some(r.security_until.clone()), false, false)),
    }
}

/// HY-PC-001.
pub fn os_supported(input: &Input) -> Finding {
    let os = match os_identity(input) {
        Ok(os) => os,
        Err(finding) => return finding,
    };
    let Some((name, until, estimated, rolling)) = lifecycle_entry(input, &os) else {
        return Finding::unknown(
            UnknownCause::Inconclusive,
            format!("Hygeia's support table does not list {}; check the vendor's end-of-life date yourself.", os.pretty_name),
        )
        .with(format!("operating system: {}", os.pretty_name));
    };
    if rolling {
        return Finding::pass(format!(
            "{name} is a rolling release that keeps receiving updates while you install them."
        ))
        .with(format!("operating system: {}", os.pretty_name));
    }
    let Some(end) = until.as_deref().and_then(parse_ymd) else {
        return Finding::unknown(
            UnknownCause::Inconclusive,
            format!("The support end date of {name} is not in the table."),
        );
    };
    let days_left = (end - input.observed_at.date()).whole_days();
    // Warn this many days before support ends.
    let warn_days = match input.limit("HY-PC-001", "warn_days_before_end") {
        Ok(d) => d,
        Err(f) => return f,
    };
    let note = if estimated {
        " (estimated: the vendor has not announced a date)"
    } else {
        ""
    };
    let evidence = [
        format!("operating system: {}", os.pretty_name),
        format!("security updates until {end}{note}"),
    ];
    if days_left < 0 {
        Finding::fail(format!(
            "{name} stopped receiving security updates on {end}. Upgrade to a supported version."
        ))
        .with_all(evidence)
    } else if days_left <= warn_days {
        Finding::warn(format!("{name} stops receiving security updates on {end}, in {days_left} days. Plan the upgrade now.")).with_all(evidence)
    } else {
        Finding::pass(format!("{name} receives security updates until {end}.")).with_all(evidence)
    }
}

fn linux_pending(input: &Input) -> Result<(PendingUpdates, &'static str), Finding> {
    match input.command_ok("apt_upgradable", "pending updates (apt)") {
        Ok(text) => {
            return parse_apt_list_upgradable(text)
                .map(|p| (p, "apt"))
                .map_err(|e| {
                    Finding::unknown(
                        UnknownCause::Unreadable,
                        format!("The apt update list could not be understood ({e})."),
                    )
                });
        }
        Err(f) if f.unknown_cause != Some(UnknownCause::CommandMissing) => return Err(f),
        Err(_) => {}
    }
    match input.command("dnf_security", "pending security updates (dnf)") {
        // dnf -C exits 1 when its cache is empty; that output is an error message.
        Ok(ran) if ran.exit_code == Some(0) => parse_dnf_updateinfo(ran.stdout)
            .map(|mut p| {
                // --security lists only security advisories.
                p.security = p.all.clone();
                (p, "dnf")
            })
            .map_err(|e| {
                Finding::unknown(
                    UnknownCause::Unreadable,
                    format!("The dnf advisory list could not be understood ({e})."),
                )
            }),
        Ok(ran) => Err(Finding::unknown(
            UnknownCause::Unreadable,
            format!(
                "dnf could not list advisories ({}); run sudo dnf check-update once and try again.",
                ran.stderr.lines().next().unwrap_or("no message").trim()
            ),
        )),
        Err(f) if f.unknown_cause == Some(UnknownCause::CommandMissing) => Err(Finding::unknown(
            UnknownCause::CommandMissing,
            "Neither apt nor dnf is on this computer, so pending updates could not be listed.",
        )),
        Err(f) => Err(f),
    }
}

/// HY-PC-002.
pub fn security_updates_installed(input: &Input) -> Finding {
    match input.snapshot.platform {
        Platform::Linux | Platform::Macos => {
            let pending = if input.snapshot.platform == Platform::Linux {
                linux_pending(input)
            } else {
                input
                    .command("softwareupdate", "pending macOS updates")
                    .and_then(|ran| {
                        parse_softwareupdate_list(&format!("{}\n{}", ran.stdout, ran.stderr))
                            .map(|p| (p, "softwareupdate"))
                            .map_err(|e| {
                                Finding::unknown(
                                    UnknownCause::Unreadable,
                                    format!(
                                        "softwareupdate's answer could not be understood ({e})."
                                    ),
                                )
                            })
                    })
            };
            let (pending, tool) = match pending {
                Ok(p) => p,
                Err(f) => return f,
            };
            let others = pending.all.len() - pending.security.len();
            let stale_lists = if tool == "apt" {
                // Package lists older than this may hide security updates published since.
                match input.limit("HY-PC-002", "stale_package_lists_days") {
                    Ok(stale_after) => apt_lists_age(input).filter(|d| *d > stale_after),
                    Err(f) => return f,
                }
            } else {
                None
            };
            if !pending.security.is_empty() {
                Finding::fail(format!(
                    "{} security update(s) are waiting to be installed.",
                    pending.security.len()
                ))
                .with(format!("{tool}: {}", name_list(&pending.security, 10)))
                .with(format!("{others} other update(s) are also waiting"))
            } else if let Some(days) = stale_lists {
                Finding::warn(format!(
                    "No security updates are listed, but the list of available updates was last refreshed {days} days ago, so newer fixes may be missing. Run sudo apt update, or let automatic updates run."
                ))
                .with(format!("newest release file in /var/lib/apt/lists is {days} days old"))
            } else if others > 0 {
                Finding::pass(format!(
                    "No security updates are waiting ({others} other update(s) are)."
                ))
                .with(format!("{tool}: {}", name_list(&pending.all, 10)))
            } else {
                Finding::pass("No updates are waiting.").with(format!("{tool}: nothing to upgrade"))
            }
        }
        Platform::Windows => {
            let text = match input.command_ok("hotfix", "installed Windows updates") {
                Ok(t) => t,
                Err(f) => return f,
            };
            match parse_hotfix_latest(text) {
                Ok(Some((date, kb))) => {
                    let age = (input.observed_at.date() - date).whole_days();
                    let evidence =
                        format!("newest update {kb} installed {date} ({})", days_phrase(age));
                    // Microsoft publishes security updates monthly (second Tuesday).
                    if age <= 40 {
                        Finding::pass("Windows installed an update within the last monthly cycle.")
                            .with(evidence)
                    } else if age <= 70 {
                        Finding::warn("Windows has missed a monthly security update.")
                            .with(evidence)
                    } else {
                        Finding::fail("Windows has not installed updates for more than two months.")
                            .with(evidence)
                    }
                }
                Ok(None) => Finding::unknown(
                    UnknownCause::Inconclusive,
                    "Windows lists no installed updates with a date.",
                ),
                Err(e) => Finding::unknown(
                    UnknownCause::Unreadable,
                    format!("The update list could not be understood ({e})."),
                ),
            }
        }
    }
}

/// HY-PC-003.
pub fn automatic_updates(input: &Input) -> Finding {
    match input.snapshot.platform {
        Platform::Linux => {
            match input.command_ok("apt_config", "the automatic-update setting (apt)") {
                Ok(text) => {
                    let setting = match parse_apt_config_unattended(text) {
                        Ok(s) => s,
                        Err(e) => return Finding::unknown(UnknownCause::Unreadable, e.to_string()),
                    };
                    let installed =
                        input
                            .command_ok("dpkg_packages", "installed packages")
                            .map(|t| {
                                crate::parse::apps::parse_dpkg_installed(t)
                                    .iter()
                                    .any(|p| p == "unattended-upgrades")
                            });
                    return match (setting.enabled, installed) {
                        (true, Ok(true)) | (true, Err(_)) => Finding::pass("Security updates install automatically (unattended-upgrades).").with(setting.detail),
                        (true, Ok(false)) => Finding::fail("Automatic upgrades are switched on in apt's settings, but the unattended-upgrades package that does the work is not installed.").with(setting.detail),
                        (false, _) => Finding::fail("Security updates are not installed automatically.").with(setting.detail),
                    };
                }
                Err(f) if f.unknown_cause != Some(UnknownCause::CommandMissing) => return f,
                Err(_) => {}
            }
            // dnf-based systems: the dnf-automatic timers.
            match input
                .command_ok("systemd_timers", "scheduled tasks (systemd timers)")
                .map(crate::parse::backup::parse_systemd_timers)
            {
                Ok(Ok(timers)) => {
                    // dnf-automatic.timer installs only when automatic.conf says apply_updates.
                    let applies = input
                        .file("dnf_automatic_conf", "dnf-automatic's settings")
                        .ok()
                        .flatten()
                        .is_some_and(|f| dnf_automatic_applies(f.content));
                    let installing = timers.iter().find(|t| {
                        t.unit.starts_with("dnf-automatic-install")
                            || (applies
                                && (t.unit.starts_with("dnf-automatic.timer")
                                    || t.unit.starts_with("dnf5-automatic")))
                    });
                    match installing {
                        Some(t) => Finding::pass("Security updates install automatically (dnf-automatic).").with(format!("timer {}", t.unit)),
                        None => Finding::fail("No automatic update installation is scheduled (neither unattended-upgrades nor dnf-automatic).")
                            .with_all(timers.iter().filter(|t| t.unit.contains("dnf")).map(|t| format!("timer {}", t.unit))),
                    }
                }
                Ok(Err(e)) => Finding::unknown(
                    UnknownCause::Unreadable,
                    format!("The systemd timer list could not be understood ({e})."),
                ),
                Err(f) => f,
            }
        }
        Platform::Macos => {
            match input.command("softwareupdate_prefs", "the automatic-update settings") {
                Ok(ran) => {
                    let setting = parse_macos_softwareupdate_prefs(ran.stdout);
                    if setting.enabled {
                        Finding::pass("macOS checks for, downloads and installs security updates automatically.").with(setting.detail)
                    } else {
                        Finding::fail("Some automatic-update settings are turned off.")
                            .with(setting.detail)
                    }
                }
                Err(f) => f,
            }
        }
        Platform::Windows => match input.command("au_policy", "the Windows Update policy") {
            Ok(ran) => {
                let setting = parse_windows_au_policy(ran.stdout);
                if setting.enabled {
                    Finding::pass(
                        "No policy stops Windows Update from installing updates automatically.",
                    )
                    .with(setting.detail)
                } else {
                    Finding::fail("A policy turns off automatic installation of Windows updates.")
                        .with(setting.detail)
                }
            }
            Err(f) => f,
        },
    }
}

/// `apply_updates = yes` in the [commands] section of /etc/dnf/automatic.conf.
fn dnf_automatic_applies(text: &str) -> bool {
    crate::parse::text::ini(text)
        .iter()
        .any(|(section, key, value)| {
            section == "commands"
                && key == "apply_updates"
                && crate::parse::text::boolean(value) == Some(true)
        })
}

/// HY-PC-004.
pub fn restart_pending(input: &Input) -> Finding {
    match input.snapshot.platform {
        Platform::Macos => Finding::not_applicable(
            "macOS applies updates during the restart that installs them; waiting updates are reported by HY-PC-002.",
        ),
        Platform::Windows => {
            match input.command("reboot_pending", "whether Windows waits for a restart") {
                Ok(ran) if ran.exit_code == Some(0) => Finding::fail(
                    "Windows Update is waiting for a restart to finish installing updates.",
                )
                .with("registry key WindowsUpdate\\Auto Update\\RebootRequired is present"),
                Ok(_) => Finding::pass("No restart is pending for Windows updates.")
                    .with("registry key RebootRequired is absent"),
                Err(f) => f,
            }
        }
        Platform::Linux => {
            match input.file("reboot_required", "the restart flag") {
                Ok(Some(_)) => {
                    return Finding::fail(
                        "Updates were installed that need a restart to take effect.",
                    )
                    .with("/run/reboot-required is present");
                }
                Ok(None) => {}
                Err(f) => return f,
            }
            if let Ok(ran) = input.command("needrestart", "pending kernel restarts")
                && let Ok((kernel, services)) = parse_needrestart_batch(ran.stdout)
            {
                return if kernel {
                    Finding::fail(
                        "A newer kernel is installed than the one running: restart to use it.",
                    )
                    .with_all(
                        services
                            .into_iter()
                            .map(|s| format!("service to restart: {s}")),
                    )
                } else {
                    Finding::pass(
                        "The running kernel is the newest installed; no restart is pending.",
                    )
                    .with("needrestart -b")
                };
            }
            if let Ok(ran) = input.command("needs_restarting", "pending restarts (dnf)") {
                match ran.exit_code {
                    Some(1) => {
                        return Finding::fail(
                            "Updated core packages need a restart to take effect.",
                        )
                        .with(
                            ran.stdout
                                .lines()
                                .take(5)
                                .map(str::to_string)
                                .collect::<Vec<_>>()
                                .join("; "),
                        );
                    }
                    Some(0) => {
                        return Finding::pass("No restart is needed after updates.")
                            .with("needs-restarting -r");
                    }
                    _ => {}
                }
            }
            // Debian and Ubuntu create /run/reboot-required whenever an update needs a restart.
            let debian_family = input.command("apt_config", "apt").is_ok();
            if debian_family {
                Finding::pass("No update is waiting for a restart.")
                    .with("/run/reboot-required is absent")
            } else {
                Finding::unknown(
                    UnknownCause::CommandMissing,
                    "Neither needrestart nor needs-restarting is installed, so a pending restart cannot be detected.",
                )
            }
        }
    }
}
