//! What kind of storage a destination is on, for the "two media" row of 3-2-1-1-0: another
//! disk, the same disk as the files, network storage or the cloud.

use crate::location::Location;
use hygeia_core::backup_state::Media;
use std::path::{Path, PathBuf};

/// File systems that live on another computer.
const NETWORK_FILE_SYSTEMS: [&str; 8] = [
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "fuse.sshfs",
    "afpfs",
    "9p",
];

/// The media of `location`, whose files come from `sources`.
pub fn of_location(location: &Location, sources: &[PathBuf]) -> Media {
    match location {
        Location::S3 { .. } => Media::Cloud,
        Location::Sftp { .. } => Media::NetworkStorage,
        Location::Folder(folder) => of_folder(folder, sources),
    }
}

fn of_folder(folder: &Path, sources: &[PathBuf]) -> Media {
    let folder = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
    if on_network_file_system(&folder) {
        return Media::NetworkStorage;
    }
    match sources.first() {
        Some(source) if same_device(&folder, source) == Some(false) => Media::ExternalDisk,
        Some(_) => Media::SameDisk,
        None => Media::ExternalDisk,
    }
}

#[cfg(unix)]
fn same_device(a: &Path, b: &Path) -> Option<bool> {
    use std::os::unix::fs::MetadataExt;
    Some(std::fs::metadata(a).ok()?.dev() == std::fs::metadata(b).ok()?.dev())
}

#[cfg(windows)]
fn same_device(a: &Path, b: &Path) -> Option<bool> {
    // Drive letters: C:\ and E:\ are different disks (or partitions) as far as a backup can tell.
    let drive = |p: &Path| {
        p.components()
            .next()
            .map(|c| c.as_os_str().to_ascii_lowercase())
    };
    Some(drive(a)? == drive(b)?)
}

#[cfg(not(any(unix, windows)))]
fn same_device(_: &Path, _: &Path) -> Option<bool> {
    None
}

/// Whether `folder` is on a network file system, from `/proc/self/mounts` on Linux and a UNC
/// path (`\\server\share`) on Windows.
fn on_network_file_system(folder: &Path) -> bool {
    if cfg!(windows) {
        return folder.to_string_lossy().starts_with(r"\\")
            && !folder.to_string_lossy().starts_with(r"\\?\");
    }
    let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") else {
        return false;
    };
    network_mount_for(&mounts, folder)
}

/// The file system type of the longest mount point containing `folder`, from a mounts table.
fn network_mount_for(mounts: &str, folder: &Path) -> bool {
    let mut best: Option<(usize, bool)> = None;
    for line in mounts.lines() {
        let mut fields = line.split_whitespace();
        let (_, Some(point), Some(kind)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        // /proc/self/mounts writes a space in a mount point as \040.
        let point = point.replace("\\040", " ");
        if folder.starts_with(&point) && best.is_none_or(|(length, _)| point.len() > length) {
            best = Some((point.len(), NETWORK_FILE_SYSTEMS.contains(&kind)));
        }
    }
    best.is_some_and(|(_, network)| network)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_mount_point_decides() {
        let mounts = "/dev/sda1 / ext4 rw 0 0\n//nas/share /mnt/nas cifs rw 0 0\n/dev/sdb1 /mnt/nas/usb\\040disk vfat rw 0 0\n";
        assert!(network_mount_for(mounts, Path::new("/mnt/nas/hygeia")));
        assert!(!network_mount_for(
            mounts,
            Path::new("/mnt/nas/usb disk/hygeia")
        ));
        assert!(!network_mount_for(mounts, Path::new("/home/dr")));
    }

    #[test]
    fn cloud_and_sftp_need_no_look() {
        let s3 = Location::parse("s3:https://s3.example/b/p").unwrap();
        assert_eq!(of_location(&s3, &[]), Media::Cloud);
        let sftp = Location::parse("sftp:u@nas:/backup").unwrap();
        assert_eq!(of_location(&sftp, &[]), Media::NetworkStorage);
    }

    #[test]
    fn a_folder_beside_the_files_is_the_same_disk() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        assert_eq!(
            of_location(&Location::Folder(repo), &[dir.path().to_path_buf()]),
            Media::SameDisk
        );
    }
}
