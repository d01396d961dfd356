//! Small text helpers shared by the parsers.

/// Splits `Key : Value` / `Key: Value` lines (PowerShell `Format-List`, `systeminfo`,
/// `mdatp health`, `net accounts`). Lines without a colon are ignored; keys are trimmed.
pub fn colon_pairs(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            let key = key.trim();
            if key.is_empty() || key.starts_with(' ') {
                return None;
            }
            Some((key.to_string(), value.trim().to_string()))
        })
        .collect()
}

/// The first value for `key` (case-insensitive) in [`colon_pairs`] output.
pub fn colon_value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// Parses `KEY=value` lines with optional single or double quotes (os-release, shell-style).
pub fn shell_assignments(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.starts_with('#') {
                return None;
            }
            let (key, value) = line.split_once('=')?;
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            Some((key.trim().to_string(), value.to_string()))
        })
        .collect()
}

/// One value from a Windows `reg query` output: the data of value `name` (case-insensitive).
/// Lines look like `    ScreenSaveTimeOut    REG_SZ    600`.
pub fn reg_value(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let mut parts = line.trim().splitn(2, "    ");
        let key = parts.next()?.trim();
        let rest = parts.next()?.trim();
        if !key.eq_ignore_ascii_case(name) {
            return None;
        }
        let (kind, data) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if !kind.starts_with("REG_") {
            return None;
        }
        Some(data.trim().to_string())
    })
}

/// Parses a `reg query` number (`0x1`, `600`).
pub fn reg_number(data: &str) -> Option<u64> {
    let data = data.trim();
    match data.strip_prefix("0x").or_else(|| data.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => data.parse().ok(),
    }
}

/// Parses `true`/`false`/`yes`/`no`/`on`/`off`/`1`/`0`.
pub fn boolean(text: &str) -> Option<bool> {
    match text.trim().trim_matches('"').to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" | "enabled" => Some(true),
        "false" | "no" | "off" | "0" | "disabled" => Some(false),
        _ => None,
    }
}

/// Reads a simple INI file into (section, key, value) triples.
pub fn ini(text: &str) -> Vec<(String, String, String)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
        } else if let Some((key, value)) = line.split_once('=') {
            out.push((
                section.clone(),
                key.trim().to_string(),
                value.trim().to_string(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_reg_query_values() {
        let text = "\r\nHKEY_CURRENT_USER\\Control Panel\\Desktop\r\n    ScreenSaveActive    REG_SZ    1\r\n    ScreenSaveTimeOut    REG_SZ    600\r\n    NoAutoUpdate    REG_DWORD    0x1\r\n";
        assert_eq!(reg_value(text, "screensavetimeout").as_deref(), Some("600"));
        assert_eq!(
            reg_value(text, "NoAutoUpdate").and_then(|v| reg_number(&v)),
            Some(1)
        );
        assert_eq!(reg_value(text, "Missing"), None);
    }

    #[test]
    fn reads_assignments_and_ini() {
        let pairs = shell_assignments("ID=debian\nVERSION_ID=\"12\"\n# c\nNAME='x y'\n");
        assert_eq!(pairs[1], ("VERSION_ID".into(), "12".into()));
        assert_eq!(pairs[2], ("NAME".into(), "x y".into()));
        let entries = ini("[Daemon]\nTimeout=10\nAutolock=false\n");
        assert_eq!(entries[0], ("Daemon".into(), "Timeout".into(), "10".into()));
    }
}
