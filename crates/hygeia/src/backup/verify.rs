//! `hygeia backup verify`: of one repository, or of the plan's destinations (recorded).

use super::{backup_dir, input, password_for, plan_password, saved_plan, short};
use crate::Failure;
use crate::cli::BackupVerifyArgs;
use hygeia_backup::location::Location;
use hygeia_backup::run::Verified;
use hygeia_backup::verify::VerifyOptions;

/// Runs `hygeia backup verify`; exit 1 when a problem was found.
pub(crate) fn verify(args: BackupVerifyArgs) -> Result<u8, Failure> {
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
