//! `hygeia backup plan` on a terminal: the plan asked for question by question.

use super::{Destination, Plan, Schedule};
use crate::BackupError;
use crate::location::Location;
use std::path::PathBuf;

/// Asks for a plan on a terminal, question by question, starting from `current` (Enter keeps
/// what is shown in brackets). Returns the new plan, checked.
pub fn ask(
    input: &mut impl std::io::BufRead,
    output: &mut impl std::io::Write,
    current: &Plan,
) -> Result<Plan, BackupError> {
    let io = |e: std::io::Error| BackupError::InvalidPlan(format!("cannot ask: {e}"));
    let mut plan = current.clone();
    let mut line =
        |output: &mut dyn std::io::Write, question: &str| -> Result<String, BackupError> {
            write!(output, "{question} ").map_err(io)?;
            output.flush().map_err(io)?;
            let mut answer = String::new();
            if input.read_line(&mut answer).map_err(io)? == 0 {
                return Err(BackupError::InvalidPlan(
                    "the questions were not answered; nothing was saved".into(),
                ));
            }
            Ok(answer.trim().to_string())
        };
    let shown: Vec<String> = plan
        .sources
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let sources = line(
        output,
        &format!(
            "Folders to back up, separated by commas [{}]:",
            shown.join(", ")
        ),
    )?;
    if !sources.is_empty() {
        plan.sources = sources
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect();
    }
    writeln!(
        output,
        "Destinations, one per line as NAME=LOCATION (a USB folder, s3:https://HOST/BUCKET/PREFIX, sftp:USER@HOST:/PATH); an empty line ends the list{}.",
        if plan.destinations.is_empty() {
            String::new()
        } else {
            format!(
                " (an empty first line keeps {})",
                plan.destinations
                    .iter()
                    .map(|d| format!("{}={}", d.name, d.repo))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    )
    .map_err(io)?;
    let mut destinations = Vec::new();
    loop {
        let answer = line(output, "  destination:")?;
        if answer.is_empty() {
            break;
        }
        let Some((name, repo)) = answer.split_once('=') else {
            writeln!(
                output,
                "  write it as NAME=LOCATION, such as usb=/media/usb/hygeia"
            )
            .map_err(io)?;
            continue;
        };
        if let Err(error) = Location::parse(repo.trim()) {
            writeln!(output, "  {error}").map_err(io)?;
            continue;
        }
        destinations.push(Destination {
            name: name.trim().to_string(),
            repo: repo.trim().to_string(),
            offsite: false,
        });
    }
    if !destinations.is_empty() {
        plan.destinations = destinations;
    }
    let offsite = line(
        output,
        "Which of them are kept away from this computer (names, separated by commas; cloud storage always is) [none]:",
    )?;
    let offsite: Vec<&str> = offsite
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    for destination in &mut plan.destinations {
        destination.offsite = offsite.contains(&destination.name.as_str());
    }
    loop {
        let answer = line(
            output,
            &format!(
                "How often: hourly, daily or weekly [{}]:",
                plan.schedule.name()
            ),
        )?;
        if answer.is_empty() {
            break;
        }
        match Schedule::parse(&answer) {
            Some(schedule) => {
                plan.schedule = schedule;
                break;
            }
            None => writeln!(output, "  answer hourly, daily or weekly").map_err(io)?,
        }
    }
    for (question, value) in [
        (
            "Keep one snapshot a day for how many days",
            &mut plan.retention.keep_daily,
        ),
        (
            "Keep one a week for how many weeks",
            &mut plan.retention.keep_weekly,
        ),
        (
            "Keep one a month for how many months",
            &mut plan.retention.keep_monthly,
        ),
    ] {
        loop {
            let answer = line(output, &format!("{question} [{value}]:"))?;
            if answer.is_empty() {
                break;
            }
            match answer.parse::<u32>() {
                Ok(number) => {
                    *value = number;
                    break;
                }
                Err(_) => writeln!(output, "  answer with a number").map_err(io)?,
            }
        }
    }
    plan.validate()?;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Retention;

    fn empty() -> Plan {
        Plan {
            sources: vec!["/home/dr/Documents".into()],
            excludes: vec![],
            schedule: Schedule::Daily,
            retention: Retention::default(),
            password_file: None,
            verify_every_days: 30,
            destinations: vec![],
        }
    }

    #[test]
    fn a_plan_is_built_from_answers_with_retries_for_wrong_ones() {
        let answers = "\nusb=/media/usb/hygeia\nnot-a-destination\ncloud=s3:https://s3.example/b/laptop\n\nusb\nmonthly\nweekly\n14\n\nx\n24\n";
        let mut output = Vec::new();
        let plan = ask(&mut answers.as_bytes(), &mut output, &empty()).unwrap();
        assert_eq!(plan.sources, vec![PathBuf::from("/home/dr/Documents")]);
        assert_eq!(plan.destinations.len(), 2);
        assert!(plan.destinations[0].offsite);
        assert!(!plan.destinations[1].offsite);
        assert_eq!(plan.schedule, Schedule::Weekly);
        assert_eq!(
            plan.retention,
            Retention {
                keep_daily: 14,
                keep_weekly: 4,
                keep_monthly: 24
            }
        );
        let said = String::from_utf8(output).unwrap();
        assert!(said.contains("NAME=LOCATION, such as"), "{said}");
        assert!(said.contains("answer hourly, daily or weekly"), "{said}");
        assert!(said.contains("answer with a number"), "{said}");
    }

    #[test]
    fn answers_that_stop_early_save_nothing() {
        let mut output = Vec::new();
        let stopped = ask(&mut "/srv/files\n".as_bytes(), &mut output, &empty());
        assert!(matches!(stopped, Err(BackupError::InvalidPlan(_))));
        let one_destination = "\nusb=/media/usb/hygeia\n\n\n\n\n\n\n";
        let refused = ask(&mut one_destination.as_bytes(), &mut output, &empty());
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("at least two destinations")
        );
    }
}
