//! HY-PC-013 to HY-PC-015: the daily account, accounts without passwords, lockout.

use super::{Input, name_list};
use crate::parse::accounts::{
    LINUX_ADMIN_GROUPS, pam_lockout_threshold, parse_dscl_group_membership,
    parse_local_users_without_password, parse_net_accounts_lockout, parse_pwpolicy_max_failed,
    shadow_empty_passwords, whoami_is_admin,
};
use hygeia_core::{Finding, Platform, UnknownCause};

/// HY-PC-013.
pub fn daily_user_not_admin(input: &Input) -> Finding {
    let user = input.snapshot.context.user.clone();
    if input.running_as_bare_root() {
        return Finding::unknown(
            UnknownCause::Inconclusive,
            "Hygeia ran as root, so it cannot tell which account you use every day. Run hygeia check from your own account (with sudo if you like).",
        );
    }
    let admin_via: Result<Option<String>, Finding> = match input.snapshot.platform {
        Platform::Linux => input
            .command_ok("id_groups", "your account's groups")
            .map(|text| {
                text.split_whitespace()
                    .find(|g| LINUX_ADMIN_GROUPS.contains(g))
                    .map(|g| format!("member of the '{g}' group"))
            }),
        Platform::Macos => input
            .command_ok("dscl_admin", "the administrators group")
            .and_then(|text| {
                parse_dscl_group_membership(text)
                    .map(|members| {
                        members
                            .contains(&user)
                            .then(|| "member of the 'admin' group".to_string())
                    })
                    .map_err(|e| Finding::unknown(UnknownCause::Unreadable, e.to_string()))
            }),
        Platform::Windows => input
            .command_ok("whoami_groups", "your account's groups")
            .and_then(|text| {
                whoami_is_admin(text)
                    .map(|admin| admin.then(|| "member of BUILTIN\\Administrators".to_string()))
                    .map_err(|e| Finding::unknown(UnknownCause::Unreadable, e.to_string()))
            }),
    };
    match admin_via {
        Ok(Some(how)) => Finding::fail(format!(
            "Your everyday account '{user}' is an administrator."
        ))
        .with(format!("{user}: {how}")),
        Ok(None) => Finding::pass(format!(
            "Your everyday account '{user}' is a standard account."
        ))
        .with(format!("{user}: not in an administrators group")),
        Err(f) => f,
    }
}

/// HY-PC-014.
pub fn accounts_have_passwords(input: &Input) -> Finding {
    match input.snapshot.platform {
        Platform::Linux => {
            let file = match input.file("shadow", "the password database (/etc/shadow)") {
                Ok(Some(f)) => f,
                Ok(None) => {
                    return Finding::unknown(
                        UnknownCause::Inconclusive,
                        "/etc/shadow does not exist on this computer.",
                    );
                }
                Err(f) => return f,
            };
            match shadow_empty_passwords(file.content) {
                Ok(empty) if empty.is_empty() => {
                    Finding::pass("Every account has a password or is locked.")
                        .with("/etc/shadow: no empty password fields")
                }
                Ok(empty) => Finding::fail(format!(
                    "{} account(s) can log in without a password.",
                    empty.len()
                ))
                .with(format!("empty password: {}", name_list(&empty, 10))),
                Err(e) => Finding::unknown(
                    UnknownCause::Unreadable,
                    format!("/etc/shadow could not be understood ({e})."),
                ),
            }
        }
        Platform::Windows => match input
            .command_ok("local_users", "the local accounts")
            .map(parse_local_users_without_password)
        {
            Ok(Ok(none)) if none.is_empty() => {
                Finding::pass("Every enabled local account requires a password.")
            }
            Ok(Ok(accounts)) => Finding::warn(format!(
                "{} enabled account(s) are allowed to have an empty password.",
                accounts.len()
            ))
            .with(format!(
                "PasswordRequired = False: {}",
                name_list(&accounts, 10)
            )),
            Ok(Err(e)) => Finding::unknown(UnknownCause::Unreadable, e.to_string()),
            Err(f) => f,
        },
        Platform::Macos => Finding::unknown(
            UnknownCause::UnsupportedPlatform,
            "Hygeia does not yet read password status on macOS; macOS itself requires a password for every account created in System Settings.",
        ),
    }
}

/// HY-PC-015.
pub fn account_lockout(input: &Input) -> Finding {
    let max_attempts = match input.limit("HY-PC-015", "max_failed_attempts") {
        Ok(m) => m,
        Err(f) => return f,
    };
    let threshold: Result<Option<u32>, Finding> = match input.snapshot.platform {
        Platform::Linux => {
            let mut texts = Vec::new();
            let mut sources = Vec::new();
            for probe in ["pam_common_auth", "pam_system_auth", "pam_password_auth"] {
                match input.file(probe, "the sign-in (PAM) configuration") {
                    Ok(Some(file)) => {
                        texts.push(file.content);
                        sources.push(input.source(probe).to_string());
                    }
                    Ok(None) => {}
                    Err(f) => return f,
                }
            }
            if texts.is_empty() {
                return Finding::unknown(
                    UnknownCause::Inconclusive,
                    "No PAM sign-in configuration (common-auth, system-auth) was found.",
                );
            }
            let conf = input
                .file("faillock_conf", "faillock.conf")
                .ok()
                .flatten()
                .map(|f| f.content);
            let threshold = pam_lockout_threshold(&texts, conf);
            return judge(
                threshold,
                max_attempts,
                &format!("read from {}", sources.join(", ")),
            );
        }
        Platform::Macos => input
            .command_ok("pwpolicy", "the account policy")
            .map(parse_pwpolicy_max_failed),
        Platform::Windows => input
            .command_ok("net_accounts", "the lockout policy")
            .and_then(|text| {
                parse_net_accounts_lockout(text)
                    .map_err(|e| Finding::unknown(UnknownCause::Unreadable, e.to_string()))
            }),
    };
    match threshold {
        Ok(t) => judge(
            t,
            max_attempts,
            input.source(match input.snapshot.platform {
                Platform::Macos => "pwpolicy",
                _ => "net_accounts",
            }),
        ),
        Err(f) => f,
    }
}

fn judge(threshold: Option<u32>, max_attempts: i64, source: &str) -> Finding {
    match threshold {
        Some(n) if i64::from(n) <= max_attempts => {
            Finding::pass(format!("Accounts lock after {n} wrong passwords."))
                .with(source.to_string())
        }
        Some(n) => Finding::warn(format!(
            "Accounts lock only after {n} wrong passwords; {max_attempts} or fewer is recommended."
        ))
        .with(source.to_string()),
        None => Finding::fail("Accounts never lock, however many wrong passwords are tried.")
            .with(source.to_string()),
    }
}
