//! HY-PC-007: screen lock after at most 15 minutes.

use super::Input;
use crate::parse::screenlock::{
    ScreenLock, gnome_screen_lock, macos_screen_lock, parse_gsettings_list, parse_kscreenlockerrc,
    windows_screen_lock,
};
use hygeia_core::{Finding, Platform, UnknownCause};

/// The longest acceptable time from the last keystroke to a locked screen.
const MAX_SECONDS: u64 = 15 * 60;

fn judge(lock: ScreenLock) -> Finding {
    match lock.seconds_until_locked() {
        None if !lock.locks => {
            Finding::fail("The screen never asks for your password when you leave the computer.")
                .with(lock.detail)
        }
        None => {
            Finding::fail("The screen never blanks or locks by itself when the computer is idle.")
                .with(lock.detail)
        }
        Some(s) if s > MAX_SECONDS => Finding::fail(format!(
            "The screen locks only after {} minutes idle; the limit is 15.",
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

fn linux(input: &Input) -> Finding {
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
            Ok(lock) => judge(lock),
            Err(e) => Finding::unknown(
                UnknownCause::Unreadable,
                format!("GNOME's screen-lock settings could not be understood ({e})."),
            ),
        };
    }
    match input.file("kscreenlockerrc", "KDE's screen-lock settings") {
        Ok(Some(file)) => return judge(parse_kscreenlockerrc(file.content)),
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
                Ok(lock) => judge(lock),
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
            judge(windows_screen_lock(desktop, policy))
        }
    }
}
