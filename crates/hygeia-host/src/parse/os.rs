//! Operating-system identity: /etc/os-release, `sw_vers`, and Windows CIM or `systeminfo`.

use super::ParseError;
use super::text::{colon_pairs, colon_value, shell_assignments};

/// Which operating system release this is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsIdentity {
    /// Lower-case id: `debian`, `ubuntu`, `macos`, `windows`.
    pub id: String,
    /// Version as the lifecycle table keys it: `12`, `24.04`, `14`, `10.15`, or a Windows build.
    pub version: Option<String>,
    /// For people.
    pub pretty_name: String,
    /// Windows only: `client` or `server`.
    pub kind: Option<String>,
}

/// Parses /etc/os-release.
pub fn parse_os_release(text: &str) -> Result<OsIdentity, ParseError> {
    let pairs = shell_assignments(text);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let id = get("ID")
        .ok_or_else(|| ParseError::new("os-release", "no ID= line"))?
        .to_lowercase();
    let pretty_name = get("PRETTY_NAME")
        .or_else(|| get("NAME"))
        .unwrap_or_else(|| id.clone());
    Ok(OsIdentity {
        id,
        version: get("VERSION_ID"),
        pretty_name,
        kind: None,
    })
}

/// Parses `sw_vers` (tab- or space-separated `Key: value` lines).
pub fn parse_sw_vers(text: &str) -> Result<OsIdentity, ParseError> {
    let pairs = colon_pairs(text);
    let version = colon_value(&pairs, "ProductVersion")
        .ok_or_else(|| ParseError::new("sw_vers", "no ProductVersion line"))?
        .to_string();
    let name = colon_value(&pairs, "ProductName").unwrap_or("macOS");
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or_default();
    // 10.x releases are keyed by their minor version too (10.15 Catalina); 11+ by the major.
    let key = if major == "10" {
        format!("10.{}", parts.next().unwrap_or("0"))
    } else {
        major.to_string()
    };
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(ParseError::new(
            "sw_vers",
            format!("unexpected ProductVersion {version:?}"),
        ));
    }
    Ok(OsIdentity {
        id: "macos".into(),
        version: Some(key),
        pretty_name: format!("{name} {version}"),
        kind: None,
    })
}

/// Parses Windows identity from `Get-CimInstance Win32_OperatingSystem | Format-List` or from
/// `systeminfo` (English).
pub fn parse_windows_os(text: &str) -> Result<OsIdentity, ParseError> {
    let pairs = colon_pairs(text);
    let caption = colon_value(&pairs, "Caption")
        .or_else(|| colon_value(&pairs, "OS Name"))
        .unwrap_or("Windows");
    let build = colon_value(&pairs, "BuildNumber")
        .map(str::to_string)
        .or_else(|| {
            // systeminfo: "OS Version: 10.0.19042 N/A Build 19042"; CIM: "Version : 10.0.19045"
            let version =
                colon_value(&pairs, "OS Version").or_else(|| colon_value(&pairs, "Version"))?;
            version
                .split_whitespace()
                .next()?
                .split('.')
                .nth(2)
                .map(str::to_string)
        })
        .filter(|b| !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| ParseError::new("Windows version", "no build number found"))?;
    // ProductType 1 = workstation; the caption says "Server" on server editions.
    let server = caption.to_lowercase().contains("server")
        || colon_value(&pairs, "ProductType").is_some_and(|t| t != "1");
    Ok(OsIdentity {
        id: "windows".into(),
        version: Some(build.clone()),
        pretty_name: format!("{} (build {build})", caption.trim()),
        kind: Some(if server { "server" } else { "client" }.into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release() {
        let os = parse_os_release(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (os.id.as_str(), os.version.as_deref()),
            ("debian", Some("12"))
        );
        assert!(parse_os_release("").is_err());
    }

    #[test]
    fn sw_vers() {
        let os =
            parse_sw_vers("ProductName:\tmacOS\nProductVersion:\t14.6.1\nBuildVersion:\t23G93\n")
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(os.version.as_deref(), Some("14"));
        let old = parse_sw_vers(
            "ProductName:\tMac OS X\nProductVersion:\t10.13\nBuildVersion:\t17A405\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(old.version.as_deref(), Some("10.13"));
        assert!(parse_sw_vers("garbage").is_err());
    }

    #[test]
    fn windows_cim_and_systeminfo() {
        let cim = "\r\nCaption     : Microsoft Windows 11 Pro\r\nVersion     : 10.0.26100\r\nBuildNumber : 26100\r\nProductType : 1\r\n";
        let os = parse_windows_os(cim).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (os.version.as_deref(), os.kind.as_deref()),
            (Some("26100"), Some("client"))
        );
        let si = "Host Name:                 PC\nOS Name:                   Microsoft Windows Server 2012 R2 Standard\nOS Version:                6.3.9600 N/A Build 9600\n";
        let os = parse_windows_os(si).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (os.version.as_deref(), os.kind.as_deref()),
            (Some("9600"), Some("server"))
        );
        assert!(parse_windows_os("nothing here").is_err());
    }
}
