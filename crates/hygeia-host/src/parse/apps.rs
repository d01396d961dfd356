//! Installed applications: dpkg, Flatpak and Snap (Linux), /Applications (macOS) and the
//! Windows "Uninstall" registry listing.

/// `dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n'`: installed packages (`ii`).
pub fn parse_dpkg_installed(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let status = parts.next()?;
            let name = parts.next()?;
            status
                .starts_with("ii")
                .then(|| name.split(':').next().unwrap_or(name).to_string())
        })
        .collect()
}

/// `flatpak list --app --columns=application` or `rpm -qa --qf '%{NAME}\n'`: one name a line.
pub fn parse_name_per_line(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Application ID"))
        .map(str::to_string)
        .collect()
}

/// `snap list`: the first column after the header.
pub fn parse_snap_list(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.starts_with("Name"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// A folder listing of /Applications: `.app` bundle names without the suffix.
pub fn macos_app_names(entries: &[String]) -> Vec<String> {
    entries
        .iter()
        .filter_map(|e| e.strip_suffix(".app").map(str::to_string))
        .collect()
}

/// Windows programs: one `DisplayName` a line (from the Uninstall registry keys), or
/// `DisplayName : X` lines of `Format-List`.
pub fn parse_windows_programs(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("DisplayName")
                .trim_start()
                .trim_start_matches(':')
                .trim()
        })
        .filter(|l| !l.is_empty() && !l.starts_with("----") && *l != "DisplayName")
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert_eq!(
            parse_dpkg_installed("ii  zoom\nrc  skypeforlinux\nii  libc6:amd64\n"),
            vec!["zoom", "libc6"]
        );
        assert_eq!(
            parse_snap_list("Name  Version Rev\ncore  16 1\nzoom-client 5 1\n"),
            vec!["core", "zoom-client"]
        );
        assert_eq!(
            macos_app_names(&["FaceTime.app".into(), ".DS_Store".into()]),
            vec!["FaceTime"]
        );
        assert_eq!(
            parse_windows_programs("DisplayName\n-----------\nZoom Workplace (64-bit)\n\n"),
            vec!["Zoom Workplace (64-bit)"]
        );
    }
}
