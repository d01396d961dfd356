//! What the agent needs from Windows, kept free of Windows calls so it is tested on every
//! platform: the service's names (the MSI registers the same ones, and a test holds the two
//! together) and the access list of the state folder.
//!
//! On Linux and macOS the state folder is mode 0700. On Windows modes do not exist: a folder
//! made under ProgramData inherits an access list that lets every user read it, and any user may
//! create that folder first and own it. The node key must be readable by SYSTEM and
//! Administrators only, so the folder is handed to Administrators, its inherited entries
//! removed, and full control granted to SYSTEM and Administrators alone. This is done with
//! Windows' own `icacls` from the system folder, by security identifier (SID) so that it works
//! whatever the language of Windows.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The service's name (`sc.exe query HygeiaAgent`, `Start-Service HygeiaAgent`).
pub const SERVICE_NAME: &str = "HygeiaAgent";
/// The name shown in the Services console.
pub const SERVICE_DISPLAY_NAME: &str = "Hygeia agent";
/// The arguments the service manager starts `hygeia.exe` with.
pub const SERVICE_ARGUMENTS: &str = "agent run --service";

/// LocalSystem.
pub const SYSTEM_SID: &str = "S-1-5-18";
/// BUILTIN\Administrators.
pub const ADMINISTRATORS_SID: &str = "S-1-5-32-544";
/// Groups that must never keep an entry on the folder: Users, Authenticated Users, Everyone,
/// CREATOR OWNER.
pub const BROAD_SIDS: [&str; 4] = ["S-1-5-32-545", "S-1-5-11", "S-1-1-0", "S-1-3-0"];

/// `icacls.exe` in the system folder (`SystemRoot`, else `C:\Windows`): never a program found
/// through `PATH` or the current folder, since the agent runs as SYSTEM.
pub fn icacls_path(system_root: Option<&Path>) -> PathBuf {
    let root = system_root
        .map(|root| root.to_string_lossy().trim_end_matches('\\').to_string())
        .filter(|root| is_drive_absolute(root))
        .unwrap_or_else(|| r"C:\Windows".to_string());
    PathBuf::from(format!(r"{root}\System32\icacls.exe"))
}

/// `C:\...`: a Windows path from the root of a drive (judged by its text, so that the rule is
/// the same when tested on Linux).
fn is_drive_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'\\'
}

/// The `icacls` runs, in order, that leave `dir` and everything in it to SYSTEM and
/// Administrators only:
/// 1. Administrators become the owner (a user who created the folder first loses it);
/// 2. inherited entries are removed and full control granted to SYSTEM and Administrators,
///    inherited by what is created inside (`(OI)(CI)`);
/// 3. any entry left for the broad groups is removed.
pub fn restrict_state_folder(dir: &Path) -> Vec<Vec<OsString>> {
    let grant = |sid: &str| OsString::from(format!("*{sid}:(OI)(CI)F"));
    let folder = dir.as_os_str().to_os_string();
    let mut remove = vec![folder.clone(), "/remove:g".into()];
    remove.extend(
        BROAD_SIDS
            .iter()
            .map(|sid| OsString::from(format!("*{sid}"))),
    );
    remove.extend(["/T".into(), "/Q".into()]);
    vec![
        vec![
            folder.clone(),
            "/setowner".into(),
            format!("*{ADMINISTRATORS_SID}").into(),
            "/T".into(),
            "/Q".into(),
        ],
        vec![
            folder,
            "/inheritance:r".into(),
            "/grant:r".into(),
            grant(SYSTEM_SID),
            grant(ADMINISTRATORS_SID),
            "/T".into(),
            "/Q".into(),
        ],
        remove,
    ]
}

/// Applies [`restrict_state_folder`] with the system's `icacls`.
#[cfg(windows)]
pub fn apply_state_folder_acl(dir: &Path) -> std::io::Result<()> {
    let root = std::env::var_os("SystemRoot").map(PathBuf::from);
    let icacls = icacls_path(root.as_deref());
    for arguments in restrict_state_folder(dir) {
        let output = std::process::Command::new(&icacls)
            .args(&arguments)
            .output()?;
        if !output.status.success() {
            let said = String::from_utf8_lossy(&output.stderr);
            let said = if said.trim().is_empty() {
                String::from_utf8_lossy(&output.stdout).into_owned()
            } else {
                said.into_owned()
            };
            return Err(std::io::Error::other(format!(
                "icacls could not restrict the folder to SYSTEM and Administrators ({}); run as administrator",
                said.trim()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(run: &[OsString]) -> String {
        run.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn state_folder_goes_to_system_and_administrators_only() {
        let runs = restrict_state_folder(Path::new(r"C:\ProgramData\Hygeia\agent"));
        let runs: Vec<String> = runs.iter().map(|r| text(r)).collect();
        assert_eq!(
            runs,
            [
                r"C:\ProgramData\Hygeia\agent /setowner *S-1-5-32-544 /T /Q",
                r"C:\ProgramData\Hygeia\agent /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F /T /Q",
                r"C:\ProgramData\Hygeia\agent /remove:g *S-1-5-32-545 *S-1-5-11 *S-1-1-0 *S-1-3-0 /T /Q",
            ]
        );
    }

    #[test]
    fn a_folder_with_spaces_stays_one_argument() {
        let runs = restrict_state_folder(Path::new(r"D:\Program Data\Hygeia agent"));
        assert!(runs.iter().all(|r| r[0] == r"D:\Program Data\Hygeia agent"));
    }

    #[test]
    fn icacls_comes_from_the_system_folder_only() {
        assert_eq!(
            icacls_path(Some(Path::new(r"D:\Windows\"))),
            PathBuf::from(r"D:\Windows\System32\icacls.exe")
        );
        // A relative or network SystemRoot (planted in the environment) is not trusted.
        for planted in ["Windows", r"\\server\share", ""] {
            assert_eq!(
                icacls_path(Some(Path::new(planted))),
                PathBuf::from(r"C:\Windows\System32\icacls.exe"),
                "{planted}"
            );
        }
        assert_eq!(
            icacls_path(None),
            PathBuf::from(r"C:\Windows\System32\icacls.exe")
        );
    }
}
