//! Disk encryption: `lsblk -J`, `findmnt -J`, `cryptsetup status`, `fdesetup status` and
//! BitLocker (`Get-BitLockerVolume`, `manage-bde -status`).

use super::ParseError;
use super::text::{colon_pairs, colon_value};
use serde_json::Value;

/// One block device from `lsblk -J`, with its ancestry flattened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockDevice {
    /// Device path or name.
    pub name: String,
    /// `disk`, `part`, `crypt`, `lvm`... (absent with `lsblk -f`).
    pub kind: Option<String>,
    /// File system type, `crypto_LUKS` for a LUKS container.
    pub fstype: Option<String>,
    /// Where it is mounted (all mount points).
    pub mountpoints: Vec<String>,
    /// Names of the devices it sits on, nearest first.
    pub ancestors: Vec<String>,
    /// Whether this device or one it sits on is encrypted (dm-crypt or LUKS).
    pub encrypted: bool,
}

/// Parses `lsblk -J` (any columns that include NAME and TYPE or FSTYPE).
pub fn parse_lsblk_json(text: &str) -> Result<Vec<BlockDevice>, ParseError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ParseError::new("lsblk -J", e.to_string()))?;
    let roots = value
        .get("blockdevices")
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::new("lsblk -J", "no blockdevices array"))?;
    let mut out = Vec::new();
    for root in roots {
        walk(root, &[], false, &mut out, 0);
    }
    Ok(out)
}

fn walk(
    node: &Value,
    ancestors: &[String],
    inherited: bool,
    out: &mut Vec<BlockDevice>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    let text = |key: &str| node.get(key).and_then(Value::as_str).map(str::to_string);
    let name = text("name").unwrap_or_default();
    let kind = text("type");
    let fstype = text("fstype");
    let mut mountpoints: Vec<String> = node
        .get("mountpoints")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if let Some(single) = text("mountpoint") {
        mountpoints.push(single);
    }
    let encrypted =
        inherited || kind.as_deref() == Some("crypt") || fstype.as_deref() == Some("crypto_LUKS");
    // A LUKS container itself is not readable data; what sits on it is encrypted.
    out.push(BlockDevice {
        name: name.clone(),
        kind,
        fstype: fstype.clone(),
        mountpoints,
        ancestors: ancestors.iter().rev().cloned().collect(),
        encrypted,
    });
    if let Some(children) = node.get("children").and_then(Value::as_array) {
        let mut chain = ancestors.to_vec();
        chain.push(name);
        for child in children {
            walk(child, &chain, encrypted, out, depth + 1);
        }
    }
}

/// The device mounted at `target`, if any.
pub fn device_mounted_at<'a>(devices: &'a [BlockDevice], target: &str) -> Option<&'a BlockDevice> {
    devices
        .iter()
        .find(|d| d.mountpoints.iter().any(|m| m == target))
}

/// A file system from `findmnt -J -T PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Mount point.
    pub target: String,
    /// Source device, e.g. `/dev/mapper/root` or `/dev/nvme0n1p2[/@home]`.
    pub source: String,
    /// File system type.
    pub fstype: String,
}

/// Parses `findmnt -J`.
pub fn parse_findmnt_json(text: &str) -> Result<Mount, ParseError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ParseError::new("findmnt -J", e.to_string()))?;
    let fs = value
        .get("filesystems")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .ok_or_else(|| ParseError::new("findmnt -J", "no filesystems array"))?;
    let text = |key: &str| {
        fs.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Ok(Mount {
        target: text("target"),
        source: text("source"),
        fstype: text("fstype"),
    })
}

impl Mount {
    /// The source without a btrfs subvolume suffix (`/dev/sda2[/@home]` -> `/dev/sda2`).
    pub fn device(&self) -> &str {
        self.source.split('[').next().unwrap_or(&self.source)
    }
}

/// `cryptsetup status NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptStatus {
    /// Mapping is active.
    pub active: bool,
    /// `LUKS1`, `LUKS2`, `PLAIN`...
    pub kind: Option<String>,
    /// Underlying device.
    pub device: Option<String>,
}

/// Parses `cryptsetup status`.
pub fn parse_cryptsetup_status(text: &str) -> Result<CryptStatus, ParseError> {
    let first = text.lines().next().unwrap_or_default();
    if first.contains("not found") {
        return Err(ParseError::new(
            "cryptsetup status",
            first.trim().to_string(),
        ));
    }
    if !first.contains(" is ") {
        return Err(ParseError::new(
            "cryptsetup status",
            "unexpected first line",
        ));
    }
    let pairs = colon_pairs(text);
    Ok(CryptStatus {
        active: first.contains("is active"),
        kind: colon_value(&pairs, "type").map(str::to_string),
        device: colon_value(&pairs, "device").map(str::to_string),
    })
}

/// Encryption state reported by FileVault or BitLocker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeEncryption {
    /// Fully encrypted and protection on.
    On,
    /// Encrypting or decrypting now; percent done when known.
    InProgress(Option<u8>),
    /// Encrypted but protection suspended (BitLocker "Protection Off" with data encrypted).
    Suspended,
    /// Not encrypted.
    Off,
}

/// `fdesetup status`.
pub fn parse_fdesetup_status(text: &str) -> Result<VolumeEncryption, ParseError> {
    let text_lower = text.to_lowercase();
    if text_lower.contains("encryption in progress")
        || text_lower.contains("decryption in progress")
    {
        let percent = text
            .split("Percent completed =")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|p| p.parse::<f32>().ok())
            .map(|p| p.clamp(0.0, 100.0) as u8);
        return Ok(VolumeEncryption::InProgress(percent));
    }
    if text_lower.contains("filevault is on") {
        return Ok(VolumeEncryption::On);
    }
    if text_lower.contains("filevault is off") {
        return Ok(VolumeEncryption::Off);
    }
    Err(ParseError::new(
        "fdesetup status",
        "no 'FileVault is On/Off' line",
    ))
}

/// BitLocker state of one volume from `Get-BitLockerVolume | Format-List`, its default table,
/// or `manage-bde -status`.
pub fn parse_bitlocker(text: &str, mount_point: &str) -> Result<VolumeEncryption, ParseError> {
    let pairs = colon_pairs(text);
    let volume_status =
        colon_value(&pairs, "VolumeStatus").or_else(|| colon_value(&pairs, "Conversion Status"));
    let protection = colon_value(&pairs, "ProtectionStatus")
        .or_else(|| colon_value(&pairs, "Protection Status"));
    let percent = colon_value(&pairs, "EncryptionPercentage")
        .or_else(|| colon_value(&pairs, "Percentage Encrypted"))
        .and_then(|p| {
            p.trim_end_matches('%')
                .replace(',', ".")
                .parse::<f32>()
                .ok()
        })
        .map(|p| p.clamp(0.0, 100.0) as u8);
    if let Some(status) = volume_status {
        return Ok(classify_bitlocker(
            status,
            protection.unwrap_or(""),
            percent,
        ));
    }
    // Default table: find the row for the mount point.
    let row = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|cols| cols.iter().any(|c| c.eq_ignore_ascii_case(mount_point)))
        .ok_or_else(|| {
            ParseError::new(
                "BitLocker status",
                format!("no row or fields for {mount_point}"),
            )
        })?;
    let status = row
        .iter()
        .find(|c| c.contains("Encrypt") || c.contains("Decrypt"))
        .ok_or_else(|| ParseError::new("BitLocker status", "no volume status in the row"))?;
    let protection = row.last().copied().unwrap_or_default();
    let percent = row
        .iter()
        .skip_while(|c| c != &status)
        .nth(1)
        .and_then(|p| p.parse::<u8>().ok());
    Ok(classify_bitlocker(status, protection, percent))
}

fn classify_bitlocker(status: &str, protection: &str, percent: Option<u8>) -> VolumeEncryption {
    let status = status.to_lowercase().replace(' ', "");
    let protected = protection.to_lowercase().replace(' ', "");
    let protected = protected == "on" || protected == "protectionon";
    if status.contains("inprogress") || status.contains("paused") {
        return VolumeEncryption::InProgress(percent);
    }
    if status.contains("fullydecrypted") {
        return VolumeEncryption::Off;
    }
    if status.contains("encrypted") {
        return if protected {
            VolumeEncryption::On
        } else {
            VolumeEncryption::Suspended
        };
    }
    VolumeEncryption::Off
}

#[cfg(test)]
mod tests {
    use super::*;

    const LSBLK: &str = r#"{"blockdevices":[{"name":"/dev/nvme0n1","type":"disk","fstype":null,"mountpoint":null,
      "children":[{"name":"/dev/nvme0n1p1","type":"part","fstype":"vfat","mountpoint":"/boot/efi"},
      {"name":"/dev/nvme0n1p2","type":"part","fstype":"crypto_LUKS","mountpoint":null,
       "children":[{"name":"/dev/mapper/root","type":"crypt","fstype":"ext4","mountpoint":"/"}]}]},
      {"name":"/dev/sda","type":"disk","fstype":"ext4","mountpoints":["/home"]}]}"#;

    #[test]
    fn lsblk_tree() {
        let devices = parse_lsblk_json(LSBLK).unwrap();
        let root = device_mounted_at(&devices, "/").map(|d| d.encrypted);
        let home = device_mounted_at(&devices, "/home").map(|d| d.encrypted);
        assert_eq!((root, home), (Some(true), Some(false)));
        assert!(device_mounted_at(&devices, "/boot/efi").is_some_and(|d| !d.encrypted));
        assert!(parse_lsblk_json("{").is_err());
        assert!(parse_lsblk_json("{}").is_err());
    }

    #[test]
    fn findmnt() {
        let m = parse_findmnt_json(
            r#"{"filesystems":[{"target":"/home","source":"/dev/sda2[/@home]","fstype":"btrfs"}]}"#,
        );
        assert_eq!(
            m.map(|m| m.device().to_string()).ok().as_deref(),
            Some("/dev/sda2")
        );
    }

    #[test]
    fn filevault() {
        assert_eq!(
            parse_fdesetup_status("FileVault is On.\n").ok(),
            Some(VolumeEncryption::On)
        );
        assert_eq!(
            parse_fdesetup_status("FileVault is Off.\n").ok(),
            Some(VolumeEncryption::Off)
        );
        assert_eq!(
            parse_fdesetup_status(
                "FileVault is On.\nEncryption in progress: Percent completed = 42.5\n"
            )
            .ok(),
            Some(VolumeEncryption::InProgress(Some(42)))
        );
        assert!(parse_fdesetup_status("").is_err());
    }

    #[test]
    fn bitlocker_list_and_table() {
        let list = "MountPoint           : C:\nVolumeStatus         : FullyEncrypted\nProtectionStatus     : On\nEncryptionPercentage : 100\n";
        assert_eq!(parse_bitlocker(list, "C:").ok(), Some(VolumeEncryption::On));
        let bde = "    Conversion Status:    Used Space Only Encrypted\n    Percentage Encrypted: 100,0%\n    Protection Status:    Protection Off\n";
        assert_eq!(
            parse_bitlocker(bde, "C:").ok(),
            Some(VolumeEncryption::Suspended)
        );
        let table = "VolumeType      Mount CapacityGB VolumeStatus Encryption KeyProtector AutoUnlock Protection\n----\nOperatingSystem C:        232.54 FullyDecrypted         0          {Tpm}                                Off\n";
        assert_eq!(
            parse_bitlocker(table, "C:").ok(),
            Some(VolumeEncryption::Off)
        );
        assert!(parse_bitlocker("Access denied", "C:").is_err());
    }
}
