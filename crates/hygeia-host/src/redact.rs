//! Secrets never enter a snapshot. Right after the probes run, password hashes are blanked and
//! Wi-Fi keys are replaced by a token that records only how strong they are, so a snapshot can
//! be attached to a bug report and evaluates exactly like the live run.

use crate::probe::{Outcome, RawOutput};
use std::collections::{BTreeMap, BTreeSet};

/// Prefix of the token that stands in for a Wi-Fi key.
const TOKEN_PREFIX: &str = "hygeia-redacted:";

/// What HY-NET-004 needs to know about a key, without the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyStrength {
    /// Length in characters.
    pub length: usize,
    /// zxcvbn score, 0 (trivial) to 4 (very hard to guess).
    pub score: u8,
    /// On the catalog's list of common passwords.
    pub common: bool,
}

impl KeyStrength {
    /// Measures a key.
    pub fn measure(key: &str, common_passwords: &BTreeSet<String>) -> KeyStrength {
        let length = key.chars().count();
        // zxcvbn's cost grows with length; a Wi-Fi key is at most 63 characters anyway.
        let sample: String = key.chars().take(100).collect();
        KeyStrength {
            length,
            score: zxcvbn::zxcvbn(&sample, &[]).score() as u8,
            common: common_passwords.contains(&key.to_lowercase()),
        }
    }

    /// The token written in place of the key.
    pub fn to_token(self) -> String {
        format!(
            "{TOKEN_PREFIX}length={},score={},common={}",
            self.length,
            self.score,
            if self.common { "yes" } else { "no" }
        )
    }

    /// Reads a token back; `None` when `text` is not one.
    pub fn from_token(text: &str) -> Option<KeyStrength> {
        let fields = text.trim().strip_prefix(TOKEN_PREFIX)?;
        let mut strength = KeyStrength {
            length: 0,
            score: 0,
            common: false,
        };
        for field in fields.split(',') {
            match field.split_once('=')? {
                ("length", n) => strength.length = n.parse().ok()?,
                ("score", n) => strength.score = n.parse().ok()?,
                ("common", v) => strength.common = v == "yes",
                _ => return None,
            }
        }
        Some(strength)
    }

    /// Why the key is weak, or `None` when it is strong.
    pub fn weakness(self) -> Option<String> {
        if self.common {
            return Some("it is on the list of commonly used passwords".into());
        }
        if self.length < 12 {
            return Some(format!(
                "it is only {} characters long (use at least 12, better 16)",
                self.length
            ));
        }
        (self.score < 4).then(|| {
            format!(
                "a password-strength estimator rates it {}/4 (easy to guess)",
                self.score
            )
        })
    }
}

/// Blanks the password hashes of /etc/shadow, keeping what the rules read: whether the field
/// is empty (no password) and whether the account is locked (`!` or `*`).
pub fn redact_shadow(text: &str) -> String {
    text.lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(':').collect();
            if fields.len() < 2 || fields[1].is_empty() {
                return line.to_string();
            }
            let locked = fields[1].starts_with('!') || fields[1].starts_with('*');
            fields[1] = if locked { "!redacted" } else { "redacted" };
            fields.join(":")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replaces `psk=` with a strength token and drops other secrets of a NetworkManager keyfile.
pub fn redact_keyfile(text: &str, common_passwords: &BTreeSet<String>) -> String {
    const SECRETS: [&str; 9] = [
        "password=",
        "private-key-password=",
        "leap-password=",
        "pin=",
        "wep-key0=",
        "wep-key1=",
        "wep-key2=",
        "wep-key3=",
        "phase2-private-key-password=",
    ];
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if let Some(key) = trimmed.strip_prefix("psk=") {
                format!(
                    "psk={}",
                    KeyStrength::measure(key, common_passwords).to_token()
                )
            } else if let Some(name) = SECRETS.iter().find(|s| trimmed.starts_with(*s)) {
                format!("{name}{TOKEN_PREFIX}secret")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replaces the value of `Key Content : ...` lines (Windows `netsh ... key=clear`).
pub fn redact_netsh_keys(text: &str, common_passwords: &BTreeSet<String>) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let Some((label, value)) = line.split_once(':') else {
                return line.to_string();
            };
            if label.trim() != "Key Content" {
                return line.to_string();
            }
            let ending = if line.ends_with("\r\n") {
                "\r\n"
            } else if line.ends_with('\n') {
                "\n"
            } else {
                ""
            };
            let key = value.trim_end_matches(['\r', '\n']).trim_start();
            format!(
                "{label}: {}{ending}",
                KeyStrength::measure(key, common_passwords).to_token()
            )
        })
        .collect()
}

/// Applies every redaction to freshly collected outputs.
pub fn redact_outputs(
    outputs: &mut BTreeMap<String, RawOutput>,
    common_passwords: &BTreeSet<String>,
) {
    for (probe, output) in outputs.iter_mut() {
        match (probe.as_str(), &mut output.outcome) {
            ("shadow", Outcome::Read { content, .. }) => *content = redact_shadow(content),
            ("nm_keyfiles", Outcome::Listed { entries }) => {
                for entry in entries.iter_mut() {
                    if let Some(content) = entry.content.as_mut() {
                        *content = redact_keyfile(content, common_passwords);
                    }
                }
            }
            ("wlan_profiles", Outcome::Ran { stdout, .. }) => {
                *stdout = redact_netsh_keys(stdout, common_passwords)
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common() -> BTreeSet<String> {
        ["password123".to_string()].into_iter().collect()
    }

    #[test]
    fn shadow_keeps_only_what_rules_need() {
        let text = "root:*:19000:0:99999:7:::\nguest::19000::::::\ndrlee:$y$j9T$abcdef$ghijkl:19000::::::\nold:!$6$xyz:1::::::";
        let redacted = redact_shadow(text);
        assert!(!redacted.contains("$y$") && !redacted.contains("$6$"));
        assert!(redacted.contains("guest::19000"));
        assert_eq!(
            crate::parse::accounts::shadow_empty_passwords(&redacted).ok(),
            Some(vec!["guest".to_string()])
        );
    }

    #[test]
    fn keys_become_strength_tokens() {
        let keyfile =
            "[wifi-security]\nkey-mgmt=wpa-psk\npsk=password123\n[802-1x]\npassword=hunter2\n";
        let redacted = redact_keyfile(keyfile, &common());
        assert!(!redacted.contains("password123") && !redacted.contains("hunter2"));
        let psk = redacted
            .lines()
            .find_map(|l| l.strip_prefix("psk="))
            .unwrap();
        let strength = KeyStrength::from_token(psk);
        assert_eq!(strength.map(|s| (s.length, s.common)), Some((11, true)));
        assert!(strength.and_then(|s| s.weakness()).is_some());
        let netsh = "    Security key           : Present\r\n    Key Content            : copper-lantern-meadow-violin\r\n";
        let redacted = redact_netsh_keys(netsh, &common());
        assert!(!redacted.contains("copper") && redacted.ends_with("\r\n"));
        let token = redacted
            .lines()
            .last()
            .and_then(|l| l.split_once(": "))
            .map(|(_, v)| v.to_string())
            .unwrap();
        assert_eq!(
            KeyStrength::from_token(&token).and_then(|s| s.weakness()),
            None
        );
        assert_eq!(KeyStrength::from_token("not a token"), None);
    }
}
