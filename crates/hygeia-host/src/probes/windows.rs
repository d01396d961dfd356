//! Windows probes. PowerShell cmdlets are used where their property names do not change with
//! the display language; `netsh` and `net` outputs are translated and are read in English only.

use crate::probe::Probe;
use crate::snapshot::Context;
use std::time::Duration;

/// PowerShell takes a moment to start; give its probes more time than plain commands.
const POWERSHELL_TIMEOUT: Duration = Duration::from_secs(15);

fn powershell(id: &str, script: &str) -> Probe {
    Probe::command(
        id,
        "powershell.exe",
        &[
            "-NoLogo",
            "-NoProfile",
            "-NonInteractive",
            "-Command",
            script,
        ],
    )
    .timeout(POWERSHELL_TIMEOUT)
}

/// Every probe `hygeia check` runs on Windows.
pub fn probes(_context: &Context) -> Vec<Probe> {
    vec![
        powershell(
            "os",
            "Get-CimInstance Win32_OperatingSystem | Format-List Caption,Version,BuildNumber,ProductType",
        ),
        powershell(
            "hotfix",
            "Get-HotFix | Sort-Object InstalledOn -Descending | Select-Object -First 5 HotFixID,Description,@{n='InstalledOn';e={if($_.InstalledOn){$_.InstalledOn.ToString('yyyy-MM-dd')}}} | Format-Table -AutoSize | Out-String -Width 200",
        ),
        Probe::command(
            "au_policy",
            "reg.exe",
            &[
                "query",
                r"HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU",
            ],
        ),
        Probe::command(
            "reboot_pending",
            "reg.exe",
            &[
                "query",
                r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired",
            ],
        ),
        powershell(
            "bitlocker",
            "Get-BitLockerVolume -MountPoint $env:SystemDrive | Format-List MountPoint,VolumeStatus,ProtectionStatus,EncryptionPercentage",
        ),
        Probe::command(
            "screen_desktop",
            "reg.exe",
            &["query", r"HKCU\Control Panel\Desktop"],
        ),
        Probe::command(
            "screen_policy",
            "reg.exe",
            &[
                "query",
                r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System",
                "/v",
                "InactivityTimeoutSecs",
            ],
        ),
        powershell(
            "firewall",
            "Get-NetFirewallProfile | Format-List Name,Enabled,DefaultInboundAction",
        ),
        powershell(
            "defender",
            "Get-MpComputerStatus | Format-List AMRunningMode,AMServiceEnabled,AntivirusEnabled,RealTimeProtectionEnabled,AntivirusSignatureAge,AntivirusSignatureVersion,DefenderSignaturesOutOfDate",
        ),
        powershell(
            "security_center",
            "Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct | Format-List displayName,productState",
        ),
        Probe::command("listeners", "netstat.exe", &["-ano"]),
        Probe::command("processes", "tasklist.exe", &["/fo", "csv", "/nh"]),
        Probe::file("sshd_config", r"C:\ProgramData\ssh\sshd_config"),
        Probe::command("whoami_groups", "whoami.exe", &["/groups", "/fo", "csv"]),
        powershell(
            "local_users",
            "Get-LocalUser | Format-List Name,Enabled,PasswordRequired",
        ),
        Probe::command("net_accounts", "net.exe", &["accounts"]),
        powershell(
            "vpn",
            "Get-VpnConnection | Format-List Name,TunnelType,ConnectionStatus; Get-VpnConnection -AllUserConnection | Format-List Name,TunnelType,ConnectionStatus",
        ),
        Probe::command("wlan", "netsh.exe", &["wlan", "show", "interfaces"]),
        // One block per saved profile; the key is shown only to administrators and is judged
        // in memory, never stored in findings (snapshots do keep raw outputs: see docs).
        powershell(
            "wlan_profiles",
            "netsh wlan show profiles | Select-String -Pattern ' : (.+)$' | ForEach-Object { $n = $_.Matches[0].Groups[1].Value.Trim(); '=== hygeia profile: ' + $n; netsh wlan show profile name=\"$n\" key=clear }",
        ),
        // Windows Backup's versions (needs administrator rights).
        Probe::command("wbadmin", "wbadmin.exe", &["get", "versions"]),
        powershell(
            "programs",
            r"Get-ItemProperty HKLM:\Software\Microsoft\Windows\CurrentVersion\Uninstall\*, HKLM:\Software\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*, HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall\* -ErrorAction SilentlyContinue | ForEach-Object { $_.DisplayName }",
        ),
    ]
}
