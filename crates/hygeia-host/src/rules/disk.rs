//! HY-PC-005 and HY-PC-006: disk and home-folder encryption.

use super::Input;
use crate::parse::disk::{
    BlockDevice, Mount, VolumeEncryption, parse_bitlocker, parse_fdesetup_status,
    parse_findmnt_json, parse_lsblk_json,
};
use hygeia_core::{Finding, Platform, UnknownCause};

fn unreadable(what: &str, e: impl std::fmt::Display) -> Finding {
    Finding::unknown(
        UnknownCause::Unreadable,
        format!("{what} could not be understood ({e})."),
    )
}

/// FileVault or BitLocker status of the system volume.
fn volume_status(input: &Input) -> Result<(VolumeEncryption, &'static str), Finding> {
    match input.snapshot.platform {
        Platform::Macos => {
            let text = input.command_ok("fdesetup", "the FileVault status")?;
            parse_fdesetup_status(text)
                .map(|s| (s, "FileVault"))
                .map_err(|e| unreadable("fdesetup status", e))
        }
        Platform::Windows => {
            let text = input.command_ok("bitlocker", "the BitLocker status")?;
            parse_bitlocker(text, "C:")
                .map(|s| (s, "BitLocker"))
                .map_err(|e| unreadable("The BitLocker status", e))
        }
        Platform::Linux => Err(Finding::unknown(
            UnknownCause::Unreadable,
            "volume status is read from lsblk on Linux",
        )),
    }
}

fn finding_for_volume(status: VolumeEncryption, product: &str, what: &str) -> Finding {
    match status {
        VolumeEncryption::On => Finding::pass(format!("{what} is encrypted with {product}.")).with(format!("{product}: on")),
        VolumeEncryption::InProgress(percent) => Finding::warn(format!(
            "{product} is encrypting {what} now{}; keep the computer plugged in until it finishes.",
            percent.map_or(String::new(), |p| format!(" ({p}% done)"))
        ))
        .with(format!("{product}: in progress")),
        VolumeEncryption::Suspended => Finding::fail(format!(
            "{what} is encrypted but {product} protection is suspended, so the key is stored unprotected on the disk. Resume protection."
        ))
        .with(format!("{product}: protection off")),
        VolumeEncryption::Off => Finding::fail(format!("{what} is not encrypted.")).with(format!("{product}: off")),
    }
}

fn linux_devices(input: &Input) -> Result<Vec<BlockDevice>, Finding> {
    let text = input.command_ok("lsblk", "the disk layout")?;
    parse_lsblk_json(text).map_err(|e| unreadable("lsblk's output", e))
}

fn linux_mount(input: &Input, probe: &str, topic: &str) -> Result<Mount, Finding> {
    let text = input.command_ok(probe, topic)?;
    parse_findmnt_json(text).map_err(|e| unreadable("findmnt's output", e))
}

/// The block device a mount sits on, by mount point or by device name.
fn device_for<'a>(devices: &'a [BlockDevice], mount: &Mount) -> Option<&'a BlockDevice> {
    devices
        .iter()
        .find(|d| d.mountpoints.contains(&mount.target) && d.name == mount.device())
        .or_else(|| devices.iter().find(|d| d.name == mount.device()))
        .or_else(|| {
            devices
                .iter()
                .find(|d| d.mountpoints.contains(&mount.target))
        })
}

fn linux_mount_finding(input: &Input, probe: &str, what: &str) -> Finding {
    let devices = match linux_devices(input) {
        Ok(d) => d,
        Err(f) => return f,
    };
    let mount = match linux_mount(input, probe, &format!("where {what} is stored")) {
        Ok(m) => m,
        Err(f) => return f,
    };
    let evidence = format!("{} is on {} ({})", mount.target, mount.source, mount.fstype);
    let Some(device) = device_for(&devices, &mount) else {
        return Finding::unknown(
            UnknownCause::Inconclusive,
            format!("{what} is on {} ({}), which is not a disk Hygeia can inspect (for example a container overlay or ZFS).", mount.source, mount.fstype),
        )
        .with(evidence);
    };
    let chain = if device.ancestors.is_empty() {
        String::new()
    } else {
        format!(", inside {}", device.ancestors.join(" inside "))
    };
    if device.encrypted {
        Finding::pass(format!("{what} is on an encrypted (LUKS/dm-crypt) volume."))
            .with(evidence)
            .with(format!("{}{chain}", device.name))
    } else {
        Finding::fail(format!(
            "{what} is on {}, which is not encrypted.",
            device.name
        ))
        .with(evidence)
        .with(format!(
            "no dm-crypt or LUKS layer under {}{chain}",
            device.name
        ))
    }
}

/// HY-PC-005.
pub fn system_disk_encrypted(input: &Input) -> Finding {
    match input.snapshot.platform {
        Platform::Linux => linux_mount_finding(input, "findmnt_root", "The system disk"),
        _ => match volume_status(input) {
            Ok((status, product)) => finding_for_volume(status, product, "The system disk"),
            Err(f) => f,
        },
    }
}

/// HY-PC-006.
pub fn home_encrypted(input: &Input) -> Finding {
    let home = input.snapshot.context.home.clone();
    match input.snapshot.platform {
        Platform::Linux => {
            if let Ok(Some(_)) = input.listing("home_ecryptfs", "the eCryptfs folder") {
                return Finding::pass("Your home folder is encrypted with eCryptfs.")
                    .with(format!("{home}/.ecryptfs exists"));
            }
            linux_mount_finding(input, "findmnt_home", "Your home folder")
        }
        Platform::Macos => match volume_status(input) {
            Ok((status, product)) => {
                finding_for_volume(status, product, "Your home folder (on the system volume)")
                    .with(format!("home: {home}"))
            }
            Err(f) => f,
        },
        Platform::Windows => {
            let on_system_drive = home.to_ascii_uppercase().starts_with("C:");
            if !on_system_drive {
                return Finding::unknown(
                    UnknownCause::Inconclusive,
                    format!(
                        "Your profile folder {home} is not on drive C:, which is the only drive Hygeia reads."
                    ),
                );
            }
            match volume_status(input) {
                Ok((status, product)) => {
                    finding_for_volume(status, product, "Your profile folder (on drive C:)")
                        .with(format!("home: {home}"))
                }
                Err(f) => f,
            }
        }
    }
}
