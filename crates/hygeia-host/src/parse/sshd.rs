//! OpenSSH server authentication settings: `sshd -T` (effective, needs root) or the
//! configuration files (first value wins, as in sshd).

/// Whether the SSH server accepts passwords.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshAuth {
    /// PasswordAuthentication.
    pub password: bool,
    /// KbdInteractiveAuthentication (ChallengeResponseAuthentication), which asks for the
    /// password through PAM when UsePAM is on.
    pub keyboard_interactive: bool,
    /// UsePAM.
    pub use_pam: bool,
    /// PermitEmptyPasswords.
    pub permit_empty: bool,
}

impl SshAuth {
    /// Whether a password typed by a person (or a robot) can log in.
    pub fn accepts_passwords(&self) -> bool {
        self.password || (self.keyboard_interactive && self.use_pam)
    }
}

/// Reads settings from `sshd -T` output or from config text (first occurrence wins; `Match`
/// blocks are ignored because they apply only to some users or addresses).
pub fn parse_sshd_settings(text: &str) -> SshAuth {
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(2, |c: char| c.is_whitespace() || c == '=');
        let key = parts.next().unwrap_or_default().to_ascii_lowercase();
        if key == "match" {
            break;
        }
        let value = parts
            .next()
            .unwrap_or_default()
            .trim()
            .trim_start_matches('=')
            .trim()
            .to_ascii_lowercase();
        seen.entry(key).or_insert(value);
    }
    let flag = |key: &str, default: bool| seen.get(key).map_or(default, |v| v == "yes");
    let kbd = seen
        .get("kbdinteractiveauthentication")
        .or_else(|| seen.get("challengeresponseauthentication"))
        .is_none_or(|v| v == "yes");
    SshAuth {
        password: flag("passwordauthentication", true),
        keyboard_interactive: kbd,
        use_pam: flag("usepam", false),
        permit_empty: flag("permitemptypasswords", false),
    }
}

/// Orders configuration text as sshd reads it: drop-in files included at the top of
/// `sshd_config` (Debian, Ubuntu, Fedora) come first.
pub fn effective_config_text(main: &str, drop_ins: &[(String, String)]) -> String {
    let includes_first = main
        .lines()
        .map(str::trim)
        .take_while(|l| !l.to_ascii_lowercase().starts_with("passwordauthentication"))
        .any(|l| l.to_ascii_lowercase().starts_with("include"));
    let mut ordered: Vec<&(String, String)> = drop_ins
        .iter()
        .filter(|(name, _)| name.ends_with(".conf"))
        .collect();
    ordered.sort();
    let drop_text: String = ordered
        .iter()
        .map(|(_, text)| format!("{text}\n"))
        .collect();
    if includes_first {
        format!("{drop_text}{main}")
    } else {
        format!("{main}\n{drop_text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_and_config_text() {
        let t = parse_sshd_settings(
            "usepam yes\npasswordauthentication yes\nkbdinteractiveauthentication no\n",
        );
        assert!(t.accepts_passwords());
        let keys_only = parse_sshd_settings(
            "UsePAM yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n",
        );
        assert!(!keys_only.accepts_passwords());
        let default = parse_sshd_settings("# nothing set\n");
        assert!(default.accepts_passwords());
        let main = "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n";
        let drops = vec![(
            "50-cloud.conf".to_string(),
            "PasswordAuthentication no".to_string(),
        )];
        let merged = parse_sshd_settings(&effective_config_text(main, &drops));
        assert!(!merged.password);
        let in_match = parse_sshd_settings(
            "PasswordAuthentication no\nMatch User bob\n  PasswordAuthentication yes\n",
        );
        assert!(!in_match.password);
    }
}
