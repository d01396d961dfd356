//! `hygeia backup`: the work is in hygeia-backup; this reads the password and prints.

use crate::Failure;
use crate::cli::{BackupCommand, BackupRepoArgs};
use hygeia_backup::location::Location;
use hygeia_backup::{password, repository};
use std::io::IsTerminal;

fn input(error: hygeia_backup::BackupError) -> Failure {
    Failure::Input(error.to_string())
}

/// The location and password of `args`: the password from the file, the environment or, on a
/// terminal, a prompt that does not echo.
fn repository_of(args: &BackupRepoArgs) -> Result<(Location, String), Failure> {
    let location = Location::parse(&args.repo).map_err(input)?;
    let password =
        match password::from_file_or_environment(args.password_file.as_deref()).map_err(input)? {
            Some(password) => password,
            None if std::io::stdin().is_terminal() => rpassword::prompt_password(format!(
                "Password of the backup repository {location}: "
            ))
            .map_err(|e| Failure::Input(format!("cannot read the password: {e}")))?,
            None => return Err(input(hygeia_backup::BackupError::NoPassword)),
        };
    if password.is_empty() {
        return Err(input(hygeia_backup::BackupError::NoPassword));
    }
    Ok((location, password))
}

/// Runs a `hygeia backup` sub-command.
pub fn run(command: BackupCommand) -> Result<u8, Failure> {
    match command {
        BackupCommand::Init(args) => {
            let (location, password) = repository_of(&args)?;
            repository::init(&location, &password).map_err(input)?;
            println!(
                "Created an encrypted backup repository at {location}. Keep its password safe: without it nobody, not even Hygeia, can read the backups."
            );
        }
        BackupCommand::Run(args) => {
            let (location, password) = repository_of(&args.repo)?;
            let done = repository::backup(&location, &password, &args.paths, &args.exclude)
                .map_err(input)?;
            println!(
                "Snapshot {} saved in {location}: {} new, {} changed, {} unchanged file(s); {} bytes read, {} added.",
                &done.snapshot[..8.min(done.snapshot.len())],
                done.files_new,
                done.files_changed,
                done.files_unmodified,
                done.bytes_processed,
                done.bytes_added
            );
        }
        BackupCommand::Snapshots(args) => {
            let (location, password) = repository_of(&args)?;
            let all = repository::snapshots(&location, &password).map_err(input)?;
            if all.is_empty() {
                println!("No snapshot yet in {location}: make one with `hygeia backup run`.");
            }
            for s in all {
                println!(
                    "{}  {}  {}  {}",
                    &s.id[..8.min(s.id.len())],
                    s.time,
                    s.hostname,
                    s.paths.join(", ")
                );
            }
        }
        BackupCommand::Restore(args) => {
            let (location, password) = repository_of(&args.repo)?;
            let done = repository::restore(
                &location,
                &password,
                args.snapshot.as_deref(),
                args.path.as_deref(),
                &args.target,
                args.overwrite,
            )
            .map_err(input)?;
            println!(
                "Restored {} file(s) of snapshot {} into {}.",
                done.files,
                &done.snapshot[..8.min(done.snapshot.len())],
                args.target.display()
            );
        }
    }
    Ok(0)
}
