//! Backups that come back: files of every kind restored byte for byte, by Hygeia and by restic.
// Helpers outside #[test] functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use hygeia_backup::BackupError;
use hygeia_backup::location::Location;
use hygeia_backup::repository::{backup, init, snapshots};
use hygeia_backup::restore::restore;
use std::path::Path;
use std::process::Command;

const PASSWORD: &str = "correct horse battery staple";

/// A tree with what a clinician's folder holds: text, binary, an empty file, a unicode name, a
/// nested folder, a cache folder that must be left out.
fn make_tree(root: &Path) {
    std::fs::create_dir_all(root.join("Letters/2026")).unwrap();
    std::fs::create_dir_all(root.join(".cache")).unwrap();
    std::fs::write(root.join("Letters/2026/referral.txt"), "Dear colleague,\n").unwrap();
    std::fs::write(root.join("empty.txt"), "").unwrap();
    std::fs::write(root.join("Fiche patiënt é.txt"), "unicode name\n").unwrap();
    let binary: Vec<u8> = (0..300_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(root.join("scan.pdf"), binary).unwrap();
    std::fs::write(root.join(".cache/thumbnail.db"), "cache").unwrap();
}

fn same_file(a: &Path, b: &Path) {
    assert_eq!(
        std::fs::read(a).unwrap(),
        std::fs::read(b).unwrap(),
        "{}",
        a.display()
    );
}

#[test]
fn files_come_back_byte_for_byte_and_caches_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("Documents");
    make_tree(&source);
    let location = Location::Folder(dir.path().join("usb/backup"));
    init(&location, PASSWORD).unwrap();
    assert!(matches!(
        init(&location, PASSWORD),
        Err(BackupError::AlreadyExists(_))
    ));

    let first = backup(&location, PASSWORD, std::slice::from_ref(&source), &[]).unwrap();
    assert_eq!(first.files_new, 4, "{first:?}");
    let second = backup(&location, PASSWORD, std::slice::from_ref(&source), &[]).unwrap();
    assert_eq!(
        (second.files_new, second.files_unmodified),
        (0, 4),
        "{second:?}"
    );
    assert_eq!(snapshots(&location, PASSWORD).unwrap().len(), 2);

    let target = dir.path().join("restored");
    let restored = restore(&location, PASSWORD, None, None, &target, false).unwrap();
    assert_eq!(restored.files, 4);
    let back = target.join(source.strip_prefix("/").unwrap());
    for name in [
        "Letters/2026/referral.txt",
        "empty.txt",
        "Fiche patiënt é.txt",
        "scan.pdf",
    ] {
        same_file(&source.join(name), &back.join(name));
    }
    assert!(!back.join(".cache").exists());

    // A second restore into the same folder would replace files: refused unless asked.
    let again = restore(&location, PASSWORD, None, None, &target, false);
    assert!(
        matches!(again, Err(BackupError::WouldOverwrite { count: 4, .. })),
        "{again:?}"
    );
    restore(&location, PASSWORD, None, None, &target, true).unwrap();
}

#[test]
fn a_wrong_password_and_a_missing_repository_are_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Folder(dir.path().join("repo"));
    assert!(matches!(
        snapshots(&location, PASSWORD),
        Err(BackupError::NotARepository(_))
    ));
    init(&location, PASSWORD).unwrap();
    let error = snapshots(&location, "wrong").unwrap_err();
    assert!(matches!(error, BackupError::WrongPassword(_)), "{error:?}");
    assert!(error.to_string().contains("does not open"));
}

#[test]
fn restic_lists_and_restores_a_hygeia_repository() {
    if Command::new("restic").arg("version").output().is_err() {
        eprintln!("skipped: restic is not installed (apt-get install restic)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("Documents");
    make_tree(&source);
    let repo = dir.path().join("repo");
    let location = Location::Folder(repo.clone());
    init(&location, PASSWORD).unwrap();
    let made = backup(&location, PASSWORD, std::slice::from_ref(&source), &[]).unwrap();
    let restic = |args: &[&str]| {
        let output = Command::new("restic")
            .arg("--repo")
            .arg(&repo)
            .args(args)
            .env("RESTIC_PASSWORD", PASSWORD)
            .env("RESTIC_CACHE_DIR", dir.path().join("restic-cache"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let listed = restic(&["snapshots", "--json"]);
    assert!(listed.contains(&made.snapshot[..8]), "{listed}");
    let target = dir.path().join("by-restic");
    restic(&["restore", "latest", "--target", target.to_str().unwrap()]);
    let back = target.join(source.strip_prefix("/").unwrap());
    same_file(&source.join("scan.pdf"), &back.join("scan.pdf"));
    same_file(
        &source.join("Fiche patiënt é.txt"),
        &back.join("Fiche patiënt é.txt"),
    );
    restic(&["check", "--read-data"]);
}

#[cfg(unix)]
#[test]
fn symlinks_permissions_sparse_and_large_files_come_back() {
    use std::io::{Seek, SeekFrom, Write};
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("Practice");
    std::fs::create_dir_all(&source).unwrap();
    // A symlink is kept as a link, not followed.
    std::os::unix::fs::symlink("../elsewhere/notes.txt", source.join("notes-link")).unwrap();
    let private = source.join("private.txt");
    std::fs::write(&private, "only me\n").unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o640)).unwrap();
    // A sparse file: 64 MiB long, two bytes of data.
    let mut sparse = std::fs::File::create(source.join("disk.img")).unwrap();
    sparse.write_all(b"A").unwrap();
    sparse.seek(SeekFrom::Start(64 << 20)).unwrap();
    sparse.write_all(b"Z").unwrap();
    drop(sparse);
    // A large file that does not compress, over several chunks.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let large: Vec<u8> = (0..12 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(source.join("imaging.dcm"), &large).unwrap();

    let location = Location::Folder(dir.path().join("repo"));
    init(&location, PASSWORD).unwrap();
    backup(&location, PASSWORD, std::slice::from_ref(&source), &[]).unwrap();
    let target = dir.path().join("restored");
    restore(&location, PASSWORD, None, None, &target, false).unwrap();
    let back = target.join(source.strip_prefix("/").unwrap());

    assert_eq!(
        std::fs::read_link(back.join("notes-link")).unwrap(),
        Path::new("../elsewhere/notes.txt")
    );
    let mode = std::fs::metadata(back.join("private.txt"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    let image = std::fs::read(back.join("disk.img")).unwrap();
    assert_eq!(image.len(), (64 << 20) + 1);
    assert_eq!((image[0], image[64 << 20]), (b'A', b'Z'));
    assert!(image[1..64 << 20].iter().all(|b| *b == 0));
    same_file(&source.join("imaging.dcm"), &back.join("imaging.dcm"));
}
