//! `hygeia backup`: the work is in hygeia-backup; this reads passwords, asks and prints.
//! `plan.rs` makes the saved plan, `runs.rs` follows it, `verify.rs` tests restores.

mod plan;
mod runs;
mod verify;

use crate::Failure;
use crate::cli::{BackupCommand, BackupRepoArgs};
use hygeia_backup::location::Location;
use hygeia_backup::plan::Plan;
use hygeia_backup::{password, repository};
use hygeia_core::backup_state::Limits;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub(crate) fn input(error: hygeia_backup::BackupError) -> Failure {
    Failure::Input(error.to_string())
}

/// The password from the file, the environment or, on a terminal, a prompt that does not echo.
pub(crate) fn password_for(file: Option<&Path>, what: &str) -> Result<String, Failure> {
    let password = match password::from_file_or_environment(file).map_err(input)? {
        Some(password) => password,
        None if std::io::stdin().is_terminal() => {
            rpassword::prompt_password(format!("Password of {what}: "))
                .map_err(|e| Failure::Input(format!("cannot read the password: {e}")))?
        }
        None => return Err(input(hygeia_backup::BackupError::NoPassword)),
    };
    if password.is_empty() {
        return Err(input(hygeia_backup::BackupError::NoPassword));
    }
    Ok(password)
}

/// The location and password of `args`.
pub(crate) fn repository_of(args: &BackupRepoArgs) -> Result<(Location, String), Failure> {
    let location = Location::parse(&args.repo).map_err(input)?;
    let password = password_for(
        args.password_file.as_deref(),
        &format!("the backup repository {location}"),
    )?;
    Ok((location, password))
}

/// Where the plan and the history are: `backup/` in Hygeia's config folder.
pub(crate) fn backup_dir() -> Result<PathBuf, Failure> {
    let [folder, _] = hygeia_core::backup_state::RELATIVE_PATH;
    Ok(hygeia_host::answers::config_dir()
        .map_err(|e| Failure::Input(e.to_string()))?
        .join(folder))
}

pub(crate) fn saved_plan(dir: &Path) -> Result<Plan, Failure> {
    Plan::load(dir).map_err(input)?.ok_or_else(|| {
        Failure::Input(
            "there is no backup plan yet: make one with `hygeia backup plan --source FOLDER --destination NAME=LOCATION --destination NAME=LOCATION`, or back up once with `hygeia backup run --repo LOCATION FOLDER...`".into(),
        )
    })
}

pub(crate) fn plan_password(plan: &Plan, file: Option<&Path>) -> Result<String, Failure> {
    password_for(
        file.or(plan.password_file.as_deref()),
        "the backup repositories",
    )
}

pub(crate) fn short(id: &str) -> &str {
    &id[..8.min(id.len())]
}

/// Runs a `hygeia backup` sub-command.
pub fn run(command: BackupCommand) -> Result<u8, Failure> {
    crate::progress::backup::on_terminal();
    match command {
        BackupCommand::Init(args) => {
            let (location, password) = repository_of(&args)?;
            repository::init(&location, &password).map_err(input)?;
            println!(
                "Created an encrypted backup repository at {location}. Keep its password safe: without it nobody, not even Hygeia, can read the backups."
            );
        }
        BackupCommand::Run(args) => {
            let Some(repo) = args.repo else {
                return runs::run_plan(args.password_file.as_deref());
            };
            let location = Location::parse(&repo).map_err(input)?;
            let password = password_for(
                args.password_file.as_deref(),
                &format!("the backup repository {location}"),
            )?;
            let done = repository::backup(&location, &password, &args.paths, &args.exclude)
                .map_err(input)?;
            println!(
                "Snapshot {} saved in {location}: {} new, {} changed, {} unchanged file(s); {} bytes read, {} added.",
                short(&done.snapshot),
                done.files_new,
                done.files_changed,
                done.files_unmodified,
                done.bytes_processed,
                done.bytes_added
            );
            runs::report_skipped("", &done.skipped);
        }
        BackupCommand::Plan(args) => return plan::plan(args),
        BackupCommand::Verify(args) => return verify::verify(args),
        BackupCommand::Status(args) => {
            let dir = backup_dir()?;
            let plan = Plan::load(&dir).map_err(input)?;
            let catalog = hygeia_core::Catalog::builtin()
                .map_err(|e| Failure::Input(format!("the built-in catalog: {e}")))?;
            let limits = Limits::from_catalog(&catalog);
            let report =
                hygeia_backup::status::status(plan.as_ref(), &dir, limits).map_err(input)?;
            match args.format.as_str() {
                "json" => println!("{}", hygeia_report::backup::status_json(&report)),
                "text" => print!(
                    "{}",
                    hygeia_report::backup::status_text(&report, limits.restore_test_max_age_days)
                ),
                other => {
                    return Err(Failure::Input(format!(
                        "--format {other} is not known: use text or json"
                    )));
                }
            }
            return Ok(if report.complete { 0 } else { 1 });
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
                    short(&s.id),
                    s.time,
                    s.hostname,
                    s.paths.join(", ")
                );
            }
        }
        BackupCommand::Restore(args) => {
            let (location, password) = repository_of(&args.repo)?;
            let done = hygeia_backup::restore::restore(
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
                short(&done.snapshot),
                args.target.display()
            );
        }
    }
    Ok(0)
}
