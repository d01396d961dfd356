//! `hygeia backup`: the work is in hygeia-backup; this reads the password and prints.

use crate::Failure;
use crate::cli::{BackupCommand, BackupPlanArgs, BackupRepoArgs, BackupVerifyArgs};
use hygeia_backup::location::Location;
use hygeia_backup::plan::{Destination, Plan, Retention, Schedule};
use hygeia_backup::run::{Outcome, Verified};
use hygeia_backup::verify::VerifyOptions;
use hygeia_backup::{password, repository};
use hygeia_core::backup_state::Limits;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

fn input(error: hygeia_backup::BackupError) -> Failure {
    Failure::Input(error.to_string())
}

/// The password from the file, the environment or, on a terminal, a prompt that does not echo.
fn password_for(file: Option<&Path>, what: &str) -> Result<String, Failure> {
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
fn repository_of(args: &BackupRepoArgs) -> Result<(Location, String), Failure> {
    let location = Location::parse(&args.repo).map_err(input)?;
    let password = password_for(
        args.password_file.as_deref(),
        &format!("the backup repository {location}"),
    )?;
    Ok((location, password))
}

/// Where the plan and the history are: `backup/` in Hygeia's config folder.
fn backup_dir() -> Result<PathBuf, Failure> {
    let [folder, _] = hygeia_core::backup_state::RELATIVE_PATH;
    Ok(hygeia_host::answers::config_dir()
        .map_err(|e| Failure::Input(e.to_string()))?
        .join(folder))
}

fn saved_plan(dir: &Path) -> Result<Plan, Failure> {
    Plan::load(dir).map_err(input)?.ok_or_else(|| {
        Failure::Input(
            "there is no backup plan yet: make one with `hygeia backup plan --source FOLDER --destination NAME=LOCATION --destination NAME=LOCATION`, or back up once with `hygeia backup run --repo LOCATION FOLDER...`".into(),
        )
    })
}

fn plan_password(plan: &Plan, file: Option<&Path>) -> Result<String, Failure> {
    password_for(
        file.or(plan.password_file.as_deref()),
        "the backup repositories",
    )
}

/// Tells which files a backup left out (vanished, changed or unreadable while it ran).
fn report_skipped(prefix: &str, skipped: &[String]) {
    if skipped.is_empty() {
        return;
    }
    eprintln!(
        "{prefix}{} file(s) could not be read and are not in this snapshot (they vanished, changed or are unreadable while the backup ran); the next backup tries them again:",
        skipped.len()
    );
    for line in skipped.iter().take(10) {
        eprintln!("  {line}");
    }
    if skipped.len() > 10 {
        eprintln!("  ... and {} more", skipped.len() - 10);
    }
}

fn short(id: &str) -> &str {
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
                return run_plan(args.password_file.as_deref());
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
            report_skipped("", &done.skipped);
        }
        BackupCommand::Plan(args) => return plan(args),
        BackupCommand::Verify(args) => return verify(args),
        BackupCommand::Status(args) => {
            let dir = backup_dir()?;
            let plan = Plan::load(&dir).map_err(input)?;
            let limits = catalog_limits()?;
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
                short(&done.snapshot),
                args.target.display()
            );
        }
    }
    Ok(0)
}

/// The ages HY-BK-003 and HY-BK-005 apply, from the catalog, so the status and the check agree.
fn catalog_limits() -> Result<Limits, Failure> {
    let catalog = hygeia_core::Catalog::builtin()
        .map_err(|e| Failure::Input(format!("the built-in catalog: {e}")))?;
    let default = Limits::default();
    let limit = |id: &str, name: &str, fallback: i64| {
        catalog
            .control(id)
            .and_then(|c| c.limit(name))
            .unwrap_or(fallback)
    };
    Ok(Limits {
        copy_max_age_days: limit("HY-BK-003", "copy_max_age_days", default.copy_max_age_days),
        restore_test_max_age_days: limit(
            "HY-BK-005",
            "restore_test_max_age_days",
            default.restore_test_max_age_days,
        ),
    })
}

/// `hygeia backup run` with the saved plan. Exit 0 when every connected destination got its
/// backup; 1 when one failed; an unplugged USB drive is not a failure.
fn run_plan(password_file: Option<&Path>) -> Result<u8, Failure> {
    let dir = backup_dir()?;
    let plan = saved_plan(&dir)?;
    let password = plan_password(&plan, password_file)?;
    let outcomes = hygeia_backup::run::run_plan(&plan, &dir, &password).map_err(input)?;
    let mut failed = 0;
    let mut saved = 0;
    for done in &outcomes {
        match &done.outcome {
            Outcome::BackedUp {
                summary,
                forgotten,
                verified,
            } => {
                saved += 1;
                println!(
                    "{}: snapshot {} saved in {} ({} new, {} changed, {} unchanged file(s); {} bytes added){}",
                    done.name,
                    short(&summary.snapshot),
                    done.location,
                    summary.files_new,
                    summary.files_changed,
                    summary.files_unmodified,
                    summary.bytes_added,
                    if *forgotten > 0 {
                        format!("; {forgotten} old snapshot(s) removed by the retention")
                    } else {
                        String::new()
                    }
                );
                report_skipped(&format!("{}: ", done.name), &summary.skipped);
                if let Some(record) = verified {
                    if record.errors.is_empty() {
                        println!(
                            "{}: restore test passed ({} file(s) restored and compared, {:.0}% of the data read back).",
                            done.name, record.files_tested, record.data_read_percent
                        );
                    } else {
                        failed += 1;
                        eprintln!(
                            "{}: the restore test FOUND PROBLEMS: {}",
                            done.name,
                            record.errors.join("; ")
                        );
                    }
                }
            }
            Outcome::Disconnected => println!(
                "{}: not connected ({}), skipped. That is right for the offline copy: plug it in for its backup at least weekly, then unplug it.",
                done.name, done.location
            ),
            Outcome::Failed(why) => {
                failed += 1;
                eprintln!("{}: the backup FAILED: {why}", done.name);
            }
        }
    }
    if saved == 0 && failed == 0 {
        eprintln!("No destination was connected, so nothing was backed up.");
        return Ok(1);
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

fn verify(args: BackupVerifyArgs) -> Result<u8, Failure> {
    let read_data_percent = match args.read_data_subset.as_deref() {
        None => 0.0,
        Some(text) => text
            .trim()
            .trim_end_matches('%')
            .parse::<f64>()
            .ok()
            .filter(|p| (0.0..=100.0).contains(p))
            .ok_or_else(|| {
                Failure::Input(format!(
                    "--read-data-subset {text} is not a share: give a percentage from 0% to 100%, such as 10%"
                ))
            })?,
    };
    let options = VerifyOptions {
        read_data_percent,
        sample_files: args.sample,
    };
    let dir = backup_dir()?;
    let results = if let Some(repo) = &args.repo {
        let location = Location::parse(repo).map_err(input)?;
        let password = password_for(
            args.password_file.as_deref(),
            &format!("the backup repository {location}"),
        )?;
        let record = hygeia_backup::verify::verify(&location, &password, options).map_err(input)?;
        vec![(location.to_string(), Verified::Done(record))]
    } else {
        let plan = saved_plan(&dir)?;
        let password = plan_password(&plan, args.password_file.as_deref())?;
        if let Some(name) = &args.destination
            && !plan.destinations.iter().any(|d| d.name == *name)
        {
            return Err(Failure::Input(format!(
                "the plan has no destination named {name}; `hygeia backup plan --show` lists them"
            )));
        }
        hygeia_backup::run::verify_plan(
            &plan,
            &dir,
            &password,
            args.destination.as_deref(),
            options,
        )
        .map_err(input)?
    };
    let mut problems = 0;
    for (name, verified) in results {
        match verified {
            Verified::Disconnected => {
                println!("{name}: not connected, not verified; plug it in and run this again.")
            }
            Verified::Done(record) => {
                println!(
                    "{name}: {} file(s) of snapshot {} restored to a temporary folder and compared byte for byte ({} bytes); {:.0}% of the stored data read back.",
                    record.files_tested,
                    record.snapshot.as_deref().map(short).unwrap_or("-"),
                    record.bytes_compared,
                    record.data_read_percent
                );
                if record.errors.is_empty() {
                    println!("{name}: no error found.");
                }
                for error in &record.errors {
                    problems += 1;
                    eprintln!("{name}: PROBLEM: {error}");
                }
                for file in &record.damaged_files {
                    eprintln!("{name}: damaged file: {file}");
                }
            }
        }
    }
    Ok(if problems > 0 { 1 } else { 0 })
}

/// The default sources of a new plan: the person's Documents and Desktop folders, when they
/// exist.
fn default_sources() -> Vec<PathBuf> {
    let home =
        std::env::var_os(if cfg!(windows) { "USERPROFILE" } else { "HOME" }).map(PathBuf::from);
    home.map(|home| {
        ["Documents", "Desktop"]
            .iter()
            .map(|f| home.join(f))
            .filter(|p| p.is_dir())
            .collect()
    })
    .unwrap_or_default()
}

fn plan(args: BackupPlanArgs) -> Result<u8, Failure> {
    let dir = backup_dir()?;
    let existing = Plan::load(&dir).map_err(input)?;
    if args.show {
        let plan = existing.ok_or_else(|| {
            Failure::Input("there is no backup plan yet: make one with `hygeia backup plan`".into())
        })?;
        print!("{}", describe_plan(&plan));
        return Ok(0);
    }
    let mut plan = existing.unwrap_or_else(|| Plan {
        sources: default_sources(),
        excludes: Vec::new(),
        schedule: Schedule::Daily,
        retention: Retention::default(),
        password_file: None,
        verify_every_days: 30,
        destinations: Vec::new(),
    });
    let no_flags = args.source.is_empty()
        && args.destination.is_empty()
        && args.offsite.is_empty()
        && args.schedule.is_none()
        && args.keep_daily.is_none()
        && args.keep_weekly.is_none()
        && args.keep_monthly.is_none()
        && args.exclude.is_empty()
        && args.password_file.is_none()
        && args.verify_every_days.is_none();
    if no_flags {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::Input(
                "give the plan as flags (see `hygeia backup plan --help`), or run this on a terminal to be asked".into(),
            ));
        }
        let stdin = std::io::stdin();
        plan = hygeia_backup::plan::ask(&mut stdin.lock(), &mut std::io::stdout(), &plan)
            .map_err(input)?;
    }
    if !args.source.is_empty() {
        plan.sources = args.source.clone();
    }
    if !args.exclude.is_empty() {
        plan.excludes = args.exclude.clone();
    }
    if !args.destination.is_empty() {
        plan.destinations = args
            .destination
            .iter()
            .map(|text| {
                let (name, repo) = text.split_once('=').ok_or_else(|| {
                    Failure::Input(format!(
                        "--destination {text}: write it as NAME=LOCATION, such as usb=/media/usb/hygeia"
                    ))
                })?;
                Ok(Destination {
                    name: name.trim().to_string(),
                    repo: repo.trim().to_string(),
                    offsite: false,
                })
            })
            .collect::<Result<_, Failure>>()?;
    }
    for name in &args.offsite {
        let destination = plan
            .destinations
            .iter_mut()
            .find(|d| d.name == *name)
            .ok_or_else(|| {
                Failure::Input(format!(
                    "--offsite {name}: the plan has no destination of that name"
                ))
            })?;
        destination.offsite = true;
    }
    if let Some(text) = &args.schedule {
        plan.schedule = Schedule::parse(text).ok_or_else(|| {
            Failure::Input(format!("--schedule {text}: use hourly, daily or weekly"))
        })?;
    }
    if let Some(n) = args.keep_daily {
        plan.retention.keep_daily = n;
    }
    if let Some(n) = args.keep_weekly {
        plan.retention.keep_weekly = n;
    }
    if let Some(n) = args.keep_monthly {
        plan.retention.keep_monthly = n;
    }
    if let Some(days) = args.verify_every_days {
        plan.verify_every_days = days;
    }
    if let Some(file) = &args.password_file {
        plan.password_file = Some(std::path::absolute(file).unwrap_or_else(|_| file.clone()));
    }
    let advice = plan.validate().map_err(input)?;
    let path = plan.save(&dir).map_err(input)?;
    println!("Saved the backup plan in {}.", path.display());
    print!("{}", describe_plan(&plan));
    for line in advice {
        println!("Advice: {line}");
    }
    println!();
    println!("{}", schedule_instructions(plan.schedule));
    Ok(0)
}

fn describe_plan(plan: &Plan) -> String {
    let mut out = String::new();
    let sources: Vec<String> = plan
        .sources
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    out.push_str(&format!("Back up: {}\n", sources.join(", ")));
    for d in &plan.destinations {
        out.push_str(&format!(
            "  to {} at {}{}\n",
            d.name,
            d.repo,
            if d.offsite { " (off-site)" } else { "" }
        ));
    }
    out.push_str(&format!(
        "Schedule: {}; keep {} daily, {} weekly, {} monthly snapshot(s); {}.\n",
        plan.schedule.name(),
        plan.retention.keep_daily,
        plan.retention.keep_weekly,
        plan.retention.keep_monthly,
        if plan.verify_every_days == 0 {
            "restore tests by hand (hygeia backup verify)".to_string()
        } else {
            format!(
                "a restore test every {} days with the backups",
                plan.verify_every_days
            )
        }
    ));
    out
}

/// How to install the scheduled run on this operating system (the files are in `packaging/`).
fn schedule_instructions(schedule: Schedule) -> String {
    if cfg!(windows) {
        format!(
            "To run it {}: schtasks /Create /XML packaging\\windows\\hygeia-backup.xml /TN \"Hygeia backup\" (set HYGEIA_BACKUP_PASSWORD for your account, or --password-file).",
            schedule.name()
        )
    } else if cfg!(target_os = "macos") {
        format!(
            "To run it {}: cp packaging/macos/org.hygeia.backup.plist ~/Library/LaunchAgents/ && launchctl load ~/Library/LaunchAgents/org.hygeia.backup.plist",
            schedule.name()
        )
    } else {
        format!(
            "To run it {}: mkdir -p ~/.config/systemd/user && cp packaging/systemd/user/hygeia-backup.service packaging/systemd/user/hygeia-backup.timer ~/.config/systemd/user/ && systemctl --user enable --now hygeia-backup.timer (edit OnCalendar= in the timer for {}).",
            schedule.name(),
            schedule.name()
        )
    }
}
