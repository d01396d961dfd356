//! `hygeia backup run` with the saved plan, and what a backup left out.

use super::{backup_dir, input, plan_password, saved_plan, short};
use crate::Failure;
use hygeia_backup::run::Outcome;
use std::path::Path;

/// `hygeia backup run` with the saved plan. Exit 0 when every connected destination got its
/// backup; 1 when one failed; an unplugged USB drive is not a failure.
pub(crate) fn run_plan(password_file: Option<&Path>) -> Result<u8, Failure> {
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

/// Tells which files a backup left out (vanished, changed or unreadable while it ran).
pub(crate) fn report_skipped(prefix: &str, skipped: &[String]) {
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
