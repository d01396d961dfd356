//! Who is running the check, read once from the environment and recorded in the snapshot.

use crate::probe::{Probe, RunAs};
use crate::snapshot::Context;
use std::env;

/// The context of this process, and the desktop user to impersonate for per-user settings
/// when running as root through sudo.
pub fn live_context() -> (Context, Option<RunAs>) {
    let euid = effective_uid();
    let elevated = euid == Some(0);
    let sudo_user = env::var("SUDO_USER")
        .ok()
        .filter(|u| elevated && !u.is_empty() && u != "root");
    let user = sudo_user
        .clone()
        .or_else(|| env::var("USER").ok())
        .or_else(|| env::var("LOGNAME").ok())
        .or_else(|| env::var("USERNAME").ok())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| {
            if elevated {
                "root".into()
            } else {
                "unknown".into()
            }
        });
    let home = sudo_user
        .as_deref()
        .and_then(home_from_passwd)
        .or_else(|| env::var("HOME").ok())
        .or_else(|| env::var("USERPROFILE").ok())
        .unwrap_or_default();
    let run_as = match (&sudo_user, env::var("SUDO_UID"), env::var("SUDO_GID")) {
        (Some(_), Ok(uid), Ok(gid)) => match (uid.parse(), gid.parse()) {
            (Ok(uid), Ok(gid)) => Some(RunAs {
                uid,
                gid,
                home: home.clone(),
            }),
            _ => None,
        },
        _ => None,
    };
    let context = Context {
        hostname: hostname(),
        user,
        elevated,
        home,
        desktop: env::var("XDG_CURRENT_DESKTOP")
            .ok()
            .filter(|d| !d.is_empty()),
    };
    (context, run_as)
}

fn effective_uid() -> Option<u32> {
    if cfg!(windows) {
        return None;
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        return status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .and_then(|id| id.parse().ok());
    }
    match crate::runner::run_one(&Probe::command("uid", "id", &["-u"])).outcome {
        crate::probe::Outcome::Ran { stdout, .. } => stdout.trim().parse().ok(),
        _ => None,
    }
}

fn home_from_passwd(user: &str) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    crate::parse::accounts::parse_passwd(&passwd)
        .into_iter()
        .find(|e| e.name == user)
        .map(|e| e.home)
}

fn hostname() -> String {
    if let Ok(name) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        return name.trim().to_string();
    }
    if let Ok(name) = env::var("COMPUTERNAME") {
        return name;
    }
    match crate::runner::run_one(&Probe::command("hostname", "hostname", &[])).outcome {
        crate::probe::Outcome::Ran { stdout, .. } if !stdout.trim().is_empty() => {
            stdout.trim().to_string()
        }
        _ => "unknown".into(),
    }
}
