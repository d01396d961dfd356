//! HY-PC-007: screen lock after at most 15 minutes.

use super::Input;
use crate::parse::screenlock::{
    ScreenLock, gnome_screen_lock, macos_screen_lock, parse_gsettings_list, parse_kscreenlockerrc,
    windows_screen_lock,
};
use hygeia_core::{Finding, Platform, UnknownCause};

/// The longest acceptable time from the last keystroke to a locked screen, in minutes
/// (`idle_minutes` in the catalog).
fn max_minutes(input: &Input) -> Result<i64, Finding> {
    input.limit("HY-PC-007", "idle_minutes")
}

fn judge(lock: ScreenLock, input: &Input) -> Finding {
    let max_minutes = match max_minutes(input) {
        Ok(m) => m,
        Err(f) => return f,
    };
    let max_seconds = u64::try_from(max_minutes).unwrap_or(0) * 60;
    match lock.seconds_until_locked() {
        None if !lock.locks => {
            Finding::fail("The screen never asks for your password when you leave the computer.")
                .with(lock.detail)
        }
        None => {
            Finding::fail("The screen never blanks or locks by itself when the computer is idle.")
                .with(lock.detail)
        }
        Some(s) if s > max_seconds => Finding::fail(format!(
            "The screen locks only after {} minutes idle; the limit is {max_minutes}.",
            s.div_ceil(60)
        ))
        .with(lock.detail),
        Some(s) => Finding::pass(format!(
            "The screen locks with your password after {} idle.",
            minutes(s)
        ))
        .with(lock.detail),
    }
}

fn minutes(seconds: u64) -> String {
    if seconds < 60 {
        format!("{seconds} seconds")
    } else {
        format!("{} minutes", seconds.div_ceil(60))
    }
}

/// The graphical desktop whose settings apply to this person.
#[derive(Debug, PartialEq, Eq)]
enum Desktop {
    Gnome,
    Kde,
    /// Another desktop, named.
    Other(&'static str),
    /// No graphical desktop is running or installed.
    None,
}

/// Desktops by the process that runs while they are in use and the package that installs them.
const DESKTOPS: [(&str, &str, &str); 6] = [
    ("GNOME", "gnome-shell", "gnome-shell"),
    ("KDE Plasma", "plasmashell", "plasma-workspace"),
    ("Cinnamon", "cinnamon", "cinnamon"),
    ("Xfce", "xfce4-session", "xfce4-session"),
    ("MATE", "mate-session", "mate-session-manager"),
    ("LXQt", "lxqt-session", "lxqt-session"),
];

fn desktop_in_use(input: &Input) -> Desktop {
    let pick = |name: &str| match name {
        "GNOME" => Desktop::Gnome,
        "KDE Plasma" => Desktop::Kde,
        "Cinnamon" => Desktop::Other("Cinnamon"),
        "Xfce" => Desktop::Other("Xfce"),
        "MATE" => Desktop::Other("MATE"),
        _ => Desktop::Other("LXQt"),
    };
    let session = input
        .snapshot
        .context
        .desktop
        .clone()
        .unwrap_or_default()
        .to_lowercase();
    if session.contains("gnome") || session.contains("ubuntu") || session.contains("unity") {
        return Desktop::Gnome;
    }
    if session.contains("kde") {
        return Desktop::Kde;
    }
    let running = super::antimalware::process_names(input);
    if let Some((name, _, _)) = DESKTOPS
        .iter()
        .find(|(_, process, _)| running.iter().any(|p| p == process))
    {
        return pick(name);
    }
    // Nobody is logged in graphically right now: judge the desktop that is installed.
    let mut installed = Vec::new();
    for probe in ["dpkg_packages", "rpm_packages"] {
        if let Ok(text) = input.command_ok(probe, "installed packages") {
            installed.extend(if probe == "dpkg_packages" {
                crate::parse::apps::parse_dpkg_installed(text)
            } else {
                crate::parse::apps::parse_name_per_line(text)
            });
        }
    }
    DESKTOPS
        .iter()
        .find(|(_, _, package)| installed.iter().any(|p| p == package))
        .map_or(Desktop::None, |(name, _, _)| pick(name))
}

fn linux(input: &Input) -> Finding {
    match desktop_in_use(input) {
        Desktop::None => {
            return Finding::not_applicable(
                "No graphical desktop is installed or running, so there is no screen session to lock.",
            );
        }
        Desktop::Other(name) => {
            return Finding::unknown(
                UnknownCause::UnsupportedPlatform,
                format!(
                    "Hygeia does not read {name}'s screen-lock settings yet; set it to lock with your password after 15 minutes at most."
                ),
            );
        }
        Desktop::Gnome | Desktop::Kde => {}
    }
    if input.running_as_bare_root() {
        return Finding::unknown(
            UnknownCause::Inconclusive,
            "Hygeia ran as root, so it would read root's desktop settings, not yours. Run hygeia check from your own account (with sudo if you like).",
        );
    }
    let session = input.command("gsettings_session", "GNOME's idle setting");
    let screensaver = input.command("gsettings_screensaver", "GNOME's lock setting");
    if let (Ok(session), Ok(saver)) = (&session, &screensaver)
        && session.exit_code == Some(0)
        && saver.exit_code == Some(0)
    {
        let mut text = format!("{}\n{}", session.stdout, saver.stdout);
        if let Ok(lockdown) = input.command_ok("gsettings_lockdown", "GNOME's lockdown setting") {
            text.push('\n');
            text.push_str(lockdown);
        }
        return match parse_gsettings_list(&text).and_then(|m| gnome_screen_lock(&m)) {
            Ok(lock) => judge(lock, input),
            Err(e) => Finding::unknown(
                UnknownCause::Unreadable,
                format!("GNOME's screen-lock settings could not be understood ({e})."),
            ),
        };
    }
    match input.file("kscreenlockerrc", "KDE's screen-lock settings") {
        Ok(Some(file)) => return judge(parse_kscreenlockerrc(file.content), input),
        Ok(None) => {}
        Err(f) => return f,
    }
    let desktop = input.snapshot.context.desktop.clone().unwrap_or_default();
    let gsettings_missing =
        matches!(&session, Err(f) if f.unknown_cause == Some(UnknownCause::CommandMissing));
    Finding::unknown(
        UnknownCause::Inconclusive,
        if gsettings_missing {
            "No GNOME or KDE desktop settings were found, so the screen lock could not be read. If this computer has a different desktop, set it to lock after 15 minutes at most."
        } else {
            "The GNOME screen-lock settings are not installed for this account and no KDE settings were found."
        },
    )
    .with(format!("desktop session: {}", if desktop.is_empty() { "none detected" } else { &desktop }))
}

/// HY-PC-007.
pub fn screen_lock(input: &Input) -> Finding {
    match input.snapshot.platform {
        Platform::Linux => linux(input),
        Platform::Macos => {
            // sysadminctl writes its answer to standard error.
            let status = match input.command("sysadminctl_screenlock", "the screen-lock setting") {
                Ok(ran) => format!("{}\n{}", ran.stdout, ran.stderr),
                Err(f) => return f,
            };
            let idle = input
                .command("screensaver_idle", "the screen saver delay")
                .ok()
                .map(|r| {
                    if r.exit_code == Some(0) {
                        r.stdout
                    } else {
                        r.stderr
                    }
                });
            let pmset = input.command_ok("pmset", "the display sleep setting").ok();
            match macos_screen_lock(&status, idle, pmset) {
                Ok(lock) => judge(lock, input),
                Err(e) => Finding::unknown(
                    UnknownCause::Unreadable,
                    format!("The screen-lock setting could not be understood ({e})."),
                ),
            }
        }
        Platform::Windows => {
            let desktop = match input.command_ok("screen_desktop", "the screen saver settings") {
                Ok(t) => t,
                Err(f) => return f,
            };
            let policy = input
                .command("screen_policy", "the inactivity policy")
                .ok()
                .map(|r| r.stdout);
            judge(windows_screen_lock(desktop, policy), input)
        }
    }
}
