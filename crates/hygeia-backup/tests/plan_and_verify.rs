//! The saved plan's runs and what they record, and `verify` finding a damaged pack.
// Helpers outside #[test] functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use hygeia_backup::location::Location;
use hygeia_backup::plan::{Destination, Plan, Retention, Schedule};
use hygeia_backup::repository::{backup, init};
use hygeia_backup::run::{Outcome, Verified, run_plan, verify_plan};
use hygeia_backup::verify::{VerifyOptions, verify};
use hygeia_core::backup_state::{Limits, Media};
use std::path::{Path, PathBuf};

const PASSWORD: &str = "correct horse battery staple";

fn documents(root: &Path) -> PathBuf {
    let source = root.join("Documents");
    std::fs::create_dir_all(source.join("Letters")).unwrap();
    std::fs::write(source.join("Letters/referral.txt"), "Dear colleague,\n").unwrap();
    // Data that does not compress, so its pack is the largest one in the repository.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let scan: Vec<u8> = (0..400_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(source.join("scan.pdf"), scan).unwrap();
    source
}

fn plan(source: &Path, usb: &Path, second: &Path) -> Plan {
    Plan {
        sources: vec![source.to_path_buf()],
        excludes: vec![],
        schedule: Schedule::Daily,
        retention: Retention::default(),
        password_file: None,
        verify_every_days: 30,
        destinations: vec![
            Destination {
                name: "usb".into(),
                repo: usb.display().to_string(),
                offsite: false,
            },
            Destination {
                name: "office".into(),
                repo: second.display().to_string(),
                offsite: true,
            },
        ],
    }
}

#[test]
fn an_unplugged_drive_is_skipped_and_recorded_not_failed() {
    let dir = tempfile::tempdir().unwrap();
    let source = documents(dir.path());
    let (usb, office) = (dir.path().join("usb"), dir.path().join("office"));
    init(&Location::Folder(usb.clone()), PASSWORD).unwrap();
    init(&Location::Folder(office.clone()), PASSWORD).unwrap();
    let plan = plan(&source, &usb, &office);
    let state_dir = dir.path().join("state");

    let first = run_plan(&plan, &state_dir, PASSWORD).unwrap();
    assert!(
        first
            .iter()
            .all(|d| matches!(d.outcome, Outcome::BackedUp { .. })),
        "{first:?}"
    );

    // The drive goes in a drawer.
    std::fs::rename(&usb, dir.path().join("drawer")).unwrap();
    let second = run_plan(&plan, &state_dir, PASSWORD).unwrap();
    assert_eq!(second[0].outcome, Outcome::Disconnected);
    assert!(matches!(second[1].outcome, Outcome::BackedUp { .. }));

    let state = hygeia_backup::state::load(&state_dir).unwrap();
    let usb_state = &state.destinations[0];
    assert!(usb_state.last_disconnected > usb_state.last_success);
    assert!(usb_state.last_error.is_none());
    // Everything here is on one disk, so it was recorded as such, and kept while unplugged.
    assert_eq!(usb_state.media, Media::SameDisk);
    let status = hygeia_backup::status::status(Some(&plan), &state_dir, Limits::default()).unwrap();
    assert_eq!(status.destinations[0].connected_now, Some(false));
    assert_eq!(status.coverage.offsite, vec!["office".to_string()]);
    assert_eq!(status.coverage.copies, 3);
    // A copy on the files' own disk is never the offline one.
    assert!(status.coverage.offline.is_empty());
    assert!(!status.complete);
}

#[test]
fn verify_passes_a_sound_repository_and_names_the_files_of_a_damaged_pack() {
    let dir = tempfile::tempdir().unwrap();
    let source = documents(dir.path());
    let repo = dir.path().join("repo");
    let location = Location::Folder(repo.clone());
    init(&location, PASSWORD).unwrap();
    backup(&location, PASSWORD, std::slice::from_ref(&source), &[]).unwrap();

    let sound = verify(
        &location,
        PASSWORD,
        VerifyOptions {
            read_data_percent: 100.0,
            sample_files: 10,
        },
    )
    .unwrap();
    assert!(sound.errors.is_empty(), "{:?}", sound.errors);
    assert_eq!(sound.files_tested, 2);
    assert_eq!(sound.bytes_compared, 400_000 + 16);

    // Flip bytes inside the largest pack (the one holding scan.pdf's data).
    let largest = walk(&repo.join("data"))
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let mut bytes = std::fs::read(&largest).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xFF;
    bytes[middle + 1] ^= 0xFF;
    make_writable(&largest);
    std::fs::write(&largest, bytes).unwrap();

    let damaged = verify(
        &location,
        PASSWORD,
        VerifyOptions {
            read_data_percent: 100.0,
            sample_files: 10,
        },
    )
    .unwrap();
    assert!(
        damaged.errors.iter().any(|e| e.contains("is damaged")),
        "{:?}",
        damaged.errors
    );
    let scan = format!("{}", source.join("scan.pdf").display());
    assert!(
        damaged.damaged_files.contains(&scan),
        "{:?}",
        damaged.damaged_files
    );
    // The restore test meets the damage as an error about the file, not a crash.
    assert!(
        damaged
            .errors
            .iter()
            .any(|e| e.contains("scan.pdf") && !e.contains('\n')),
        "{:?}",
        damaged.errors
    );
}

#[test]
fn a_verify_of_the_plan_is_recorded_for_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let source = documents(dir.path());
    let (usb, office) = (dir.path().join("usb"), dir.path().join("office"));
    init(&Location::Folder(usb.clone()), PASSWORD).unwrap();
    init(&Location::Folder(office.clone()), PASSWORD).unwrap();
    let mut plan = plan(&source, &usb, &office);
    plan.verify_every_days = 0;
    let state_dir = dir.path().join("state");
    run_plan(&plan, &state_dir, PASSWORD).unwrap();
    let results = verify_plan(
        &plan,
        &state_dir,
        "wrong password",
        Some("office"),
        VerifyOptions::default(),
    )
    .unwrap();
    assert_eq!(results.len(), 1);
    let Verified::Done(record) = &results[0].1 else {
        panic!("{results:?}");
    };
    // A verify that cannot open the repository is a failed restore test, recorded as one.
    assert!(
        record.errors[0].contains("does not open"),
        "{:?}",
        record.errors
    );
    let state = hygeia_backup::state::load(&state_dir).unwrap();
    assert_eq!(state.destinations[1].last_verify.as_ref(), Some(record));
    assert!(state.destinations[0].last_verify.is_none());
}

#[test]
fn a_plan_run_tests_a_restore_when_one_is_due_and_refuses_a_drive_never_set_up() {
    let dir = tempfile::tempdir().unwrap();
    let source = documents(dir.path());
    let (usb, office) = (dir.path().join("usb"), dir.path().join("office"));
    init(&Location::Folder(usb.clone()), PASSWORD).unwrap();
    // A drive plugged in with files on it but no repository.
    std::fs::create_dir_all(&office).unwrap();
    std::fs::write(office.join("holiday.jpg"), "photo").unwrap();
    let plan = plan(&source, &usb, &office);
    let state_dir = dir.path().join("state");

    let first = run_plan(&plan, &state_dir, PASSWORD).unwrap();
    let Outcome::BackedUp { verified, .. } = &first[0].outcome else {
        panic!("{first:?}");
    };
    let record = verified.as_ref().unwrap();
    assert!(record.errors.is_empty(), "{:?}", record.errors);
    assert_eq!(record.files_tested, 2);
    assert!(
        matches!(&first[1].outcome, Outcome::Failed(why) if why.contains("no backup repository")),
        "{first:?}"
    );

    // A test a moment old is not due again.
    let second = run_plan(&plan, &state_dir, PASSWORD).unwrap();
    assert!(
        matches!(&second[0].outcome, Outcome::BackedUp { verified: None, .. }),
        "{second:?}"
    );
    let state = hygeia_backup::state::load(&state_dir).unwrap();
    assert_eq!(state.destinations[0].last_verify.as_ref(), Some(record));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Pack files are written read-only, as restic writes them.
fn make_writable(path: &Path) {
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(path, permissions).unwrap();
}
