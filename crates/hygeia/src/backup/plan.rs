//! `hygeia backup plan`: the saved plan from flags, or from questions on a terminal.

use super::{backup_dir, input};
use crate::Failure;
use crate::cli::BackupPlanArgs;
use hygeia_backup::plan::{Destination, Plan, Retention, Schedule};
use std::io::IsTerminal;
use std::path::PathBuf;

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

/// Runs `hygeia backup plan`.
pub(crate) fn plan(args: BackupPlanArgs) -> Result<u8, Failure> {
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
