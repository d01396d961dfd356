//! Accounts: administrators, accounts without passwords, and lockout after failed sign-ins
//! (`/etc/passwd`, `/etc/group`, `/etc/shadow`, PAM, `net accounts`, `dscl`, `pwpolicy`,
//! `whoami /groups`, `Get-LocalUser`).

use super::ParseError;
use super::text::{colon_pairs, colon_value};

/// A line of /etc/passwd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswdEntry {
    /// Login name.
    pub name: String,
    /// User id.
    pub uid: u32,
    /// Home folder.
    pub home: String,
    /// Login shell.
    pub shell: String,
}

impl PasswdEntry {
    /// A person's account that can log in (not a system service account).
    pub fn is_interactive_person(&self) -> bool {
        let no_login = self.shell.ends_with("nologin")
            || self.shell.ends_with("/false")
            || self.shell.is_empty();
        (1000..60000).contains(&self.uid) && !no_login
    }
}

/// Parses /etc/passwd; malformed lines are skipped.
pub fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            if f.len() < 7 {
                return None;
            }
            Some(PasswdEntry {
                name: f[0].into(),
                uid: f[2].parse().ok()?,
                home: f[5].into(),
                shell: f[6].trim().into(),
            })
        })
        .collect()
}

/// Members of the named groups in /etc/group.
pub fn group_members(text: &str, groups: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() < 4 || !groups.contains(&f[0]) {
            continue;
        }
        for member in f[3].split(',').map(str::trim).filter(|m| !m.is_empty()) {
            out.push((f[0].to_string(), member.to_string()));
        }
    }
    out
}

/// Accounts in /etc/shadow whose password field is empty (anyone can log in without one).
pub fn shadow_empty_passwords(text: &str) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    let mut lines = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut f = line.split(':');
        let (Some(name), Some(hash)) = (f.next(), f.next()) else {
            return Err(ParseError::new(
                "/etc/shadow",
                "line without a password field",
            ));
        };
        lines += 1;
        if hash.is_empty() {
            out.push(name.to_string());
        }
    }
    if lines == 0 {
        return Err(ParseError::new("/etc/shadow", "empty file"));
    }
    Ok(out)
}

/// Group names the OS considers administrators on Linux.
pub const LINUX_ADMIN_GROUPS: [&str; 3] = ["sudo", "wheel", "admin"];

/// The lockout threshold configured through pam_faillock (or pam_tally2) in PAM files and
/// /etc/security/faillock.conf: `Some(n)` when failed logins lock after n attempts.
pub fn pam_lockout_threshold(pam_files: &[&str], faillock_conf: Option<&str>) -> Option<u32> {
    let mut uses_module = false;
    let mut deny_in_pam: Option<u32> = None;
    for text in pam_files {
        for line in text.lines().map(str::trim) {
            if line.starts_with('#') || !line.starts_with("auth") {
                continue;
            }
            if line.contains("pam_faillock.so") || line.contains("pam_tally2.so") {
                uses_module = true;
                if let Some(n) = line
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("deny="))
                    .and_then(|n| n.parse().ok())
                {
                    deny_in_pam = Some(n);
                }
            }
        }
    }
    if !uses_module {
        return None;
    }
    let deny_in_conf = faillock_conf.and_then(|text| {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('#'))
            .find_map(|l| {
                l.strip_prefix("deny")
                    .map(|r| r.trim_start_matches([' ', '=']).trim().to_string())
            })
            .and_then(|n| n.parse().ok())
    });
    // pam_faillock's built-in default is deny = 3; deny = 0 turns locking off.
    let deny = deny_in_pam.or(deny_in_conf).unwrap_or(3);
    (deny > 0).then_some(deny)
}

/// `net accounts`: the "Lockout threshold" (`None` for "Never").
pub fn parse_net_accounts_lockout(text: &str) -> Result<Option<u32>, ParseError> {
    let pairs = colon_pairs(text);
    let value = colon_value(&pairs, "Lockout threshold").ok_or_else(|| {
        ParseError::new(
            "net accounts",
            "no 'Lockout threshold' line (not English output?)",
        )
    })?;
    if value.eq_ignore_ascii_case("Never") {
        return Ok(None);
    }
    value
        .parse::<u32>()
        .map(|n| (n > 0).then_some(n))
        .map_err(|_| ParseError::new("net accounts", format!("unreadable threshold {value:?}")))
}

/// `dscl . -read /Groups/admin GroupMembership`: member names.
pub fn parse_dscl_group_membership(text: &str) -> Result<Vec<String>, ParseError> {
    let rest = text
        .split("GroupMembership:")
        .nth(1)
        .ok_or_else(|| ParseError::new("dscl GroupMembership", "no GroupMembership attribute"))?;
    Ok(rest.split_whitespace().map(str::to_string).collect())
}

/// `pwpolicy -getaccountpolicies`: the maximum failed authentications, if a policy sets it.
pub fn parse_pwpolicy_max_failed(text: &str) -> Option<u32> {
    // The value sits under <key>policyAttributeMaximumFailedAuthentications</key><integer>n</integer>.
    if let Some(after) = text
        .split("<key>policyAttributeMaximumFailedAuthentications</key>")
        .nth(1)
        && let Some(n) = after
            .split("<integer>")
            .nth(1)
            .and_then(|r| r.split("</integer>").next())
    {
        return n.trim().parse().ok().filter(|n: &u32| *n > 0);
    }
    text.split("maxFailedLoginAttempts=")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// `whoami /groups /fo csv`: whether the user belongs to BUILTIN\Administrators
/// (SID S-1-5-32-544), even as a "deny only" group under UAC.
pub fn whoami_is_admin(text: &str) -> Result<bool, ParseError> {
    if !text.contains("S-1-") {
        return Err(ParseError::new("whoami /groups", "no group SIDs in output"));
    }
    Ok(text.contains("\"S-1-5-32-544\""))
}

/// `Get-LocalUser | Format-List Name,Enabled,PasswordRequired`: enabled accounts that may
/// have an empty password.
pub fn parse_local_users_without_password(text: &str) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    let mut seen = false;
    for block in text.replace("\r\n", "\n").split("\n\n") {
        let pairs = colon_pairs(block);
        let Some(name) = colon_value(&pairs, "Name") else {
            continue;
        };
        seen = true;
        let enabled =
            colon_value(&pairs, "Enabled").is_some_and(|v| v.eq_ignore_ascii_case("True"));
        let required =
            colon_value(&pairs, "PasswordRequired").is_none_or(|v| v.eq_ignore_ascii_case("True"));
        if enabled && !required {
            out.push(name.to_string());
        }
    }
    if !seen && !text.trim().is_empty() {
        return Err(ParseError::new("Get-LocalUser", "no Name fields"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_group_shadow() {
        let users = parse_passwd(
            "root:x:0:0:root:/root:/bin/bash\ndrlee:x:1000:1000:Dr Lee:/home/drlee:/bin/bash\nsvc:x:999:999::/:/usr/sbin/nologin\nbad line\n",
        );
        assert_eq!(
            users.iter().filter(|u| u.is_interactive_person()).count(),
            1
        );
        let admins = group_members(
            "sudo:x:27:drlee,ops\nusers:x:100:drlee\n",
            &LINUX_ADMIN_GROUPS,
        );
        assert_eq!(admins.len(), 2);
        let empty = shadow_empty_passwords(
            "root:*:19000:0:99999:7:::\nguest::19000:0:99999:7:::\ndrlee:$y$j9T$abc:19000::::::\n",
        );
        assert_eq!(empty.ok(), Some(vec!["guest".to_string()]));
        assert!(shadow_empty_passwords("").is_err());
    }

    #[test]
    fn lockout() {
        let rhel =
            "auth        required      pam_faillock.so preauth silent deny=3 unlock_time=600\n";
        assert_eq!(pam_lockout_threshold(&[rhel], None), Some(3));
        let debian = "auth    [success=1 default=ignore]  pam_unix.so nullok\n";
        assert_eq!(pam_lockout_threshold(&[debian], Some("deny = 5")), None);
        let conf_only = "auth required pam_faillock.so preauth\n";
        assert_eq!(
            pam_lockout_threshold(&[conf_only], Some("# comment\ndeny = 5\n")),
            Some(5)
        );
        assert_eq!(
            pam_lockout_threshold(&[conf_only], Some("deny = 0\n")),
            None
        );
        assert_eq!(
            parse_net_accounts_lockout("Lockout threshold:          Never\n").ok(),
            Some(None)
        );
        assert_eq!(
            parse_net_accounts_lockout("Lockout threshold:          10\n").ok(),
            Some(Some(10))
        );
        assert!(parse_net_accounts_lockout("Sperrschwelle: Nie").is_err());
    }

    #[test]
    fn macos_and_windows_accounts() {
        assert_eq!(
            parse_dscl_group_membership("GroupMembership: root drlee\n").ok(),
            Some(vec!["root".to_string(), "drlee".to_string()])
        );
        assert!(parse_dscl_group_membership("No such key").is_err());
        let xml = "<key>policyContent</key><string>policyAttributeFailedAuthentications &lt; policyAttributeMaximumFailedAuthentications</string><key>policyParameters</key><dict><key>policyAttributeMaximumFailedAuthentications</key><integer>10</integer></dict>";
        assert_eq!(parse_pwpolicy_max_failed(xml), Some(10));
        assert_eq!(parse_pwpolicy_max_failed("No account policies"), None);
        let groups = "\"Group Name\",\"Type\",\"SID\",\"Attributes\"\n\"BUILTIN\\Administrators\",\"Alias\",\"S-1-5-32-544\",\"Group used for deny only\"\n";
        assert!(whoami_is_admin(groups).unwrap_or(false));
        let users = "Name             : Guest\nEnabled          : True\nPasswordRequired : False\n\nName             : drlee\nEnabled          : True\nPasswordRequired : True\n";
        assert_eq!(
            parse_local_users_without_password(users).ok(),
            Some(vec!["Guest".to_string()])
        );
    }
}
