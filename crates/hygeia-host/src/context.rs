//! Who is running the check, read once from the environment and recorded in the snapshot.

use crate::probe::{Probe, RunAs};
use crate::snapshot::Context;
use std::env;

/// The context of this process, and the desktop user to impersonate for per-user settings
/// when running as root (through sudo, or as a service while someone is logged in).
pub fn live_context() -> (Context, Option<RunAs>) {
    let euid = effective_uid();
    let elevated = euid == Some(0);
    // Under sudo the person is the caller; as a root service (cron, the agent) it is whoever
    // is logged in at the computer's own seat, if anyone is.
    let person = env::var("SUDO_USER")
        .ok()
        .filter(|u| elevated && !u.is_empty() && u != "root")
        .or_else(|| if elevated { seat_user() } else { None });
    let user = person
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
    let home = person
        .as_deref()
        .and_then(home_from_passwd)
        .or_else(|| env::var("HOME").ok())
        .or_else(|| env::var("USERPROFILE").ok())
        .unwrap_or_default();
    let run_as = person
        .as_deref()
        .and_then(ids_from_passwd)
        .map(|(uid, gid)| RunAs {
            uid,
            gid,
            home: home.clone(),
        });
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
    #[cfg(unix)]
    {
        Some(rustix::process::geteuid().as_raw())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The user logged in at a local seat (`loginctl list-sessions`), for a check run as root.
fn seat_user() -> Option<String> {
    let probe = Probe::command("sessions", "loginctl", &["list-sessions", "--no-legend"])
        .timeout(std::time::Duration::from_secs(2));
    let crate::probe::Outcome::Ran {
        exit_code: Some(0),
        stdout,
        ..
    } = crate::runner::run_one(&probe).outcome
    else {
        return None;
    };
    // Columns: SESSION UID USER SEAT TTY ...; a session with a seat is a local, physical one.
    stdout.lines().find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let uid: u32 = cols.get(1)?.parse().ok()?;
        let seat = cols.get(3)?;
        (uid >= 1000 && seat.starts_with("seat")).then(|| cols[2].to_string())
    })
}

fn ids_from_passwd(user: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() >= 4 && f[0] == user).then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
    })
}

fn home_from_passwd(user: &str) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    crate::parse::accounts::parse_passwd(&passwd)
        .into_iter()
        .find(|e| e.name == user)
        .map(|e| e.home)
}

/// This computer's name ("unknown" when nothing tells it).
pub fn hostname() -> String {
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
