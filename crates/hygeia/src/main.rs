//! The `hygeia` command: argument parsing and wiring. The work happens in the library crates.

#[cfg(feature = "agent")]
mod agent;
#[cfg(all(windows, feature = "agent"))]
mod agent_service;
mod attest;
#[cfg(feature = "backup")]
mod backup;
mod check;
mod cli;
mod completions;
mod devices;
mod mail;
mod manual;
mod phone;
mod progress;
#[cfg(feature = "server")]
mod serve;

use clap::Parser;
use std::process::ExitCode;

/// An error that ends the command, with the exit code it deserves.
#[derive(Debug)]
pub enum Failure {
    /// Bad input or usage (exit 2): a missing file, a damaged snapshot, an unknown control.
    Input(String),
    /// A bug or an environment problem Hygeia cannot explain (exit 3).
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Failure {
        Failure::Internal(error)
    }
}

/// Writes command output to `output` (then says so on stderr with `done`) or to stdout.
pub(crate) fn emit(
    text: &str,
    output: Option<&std::path::Path>,
    done: &str,
) -> Result<(), Failure> {
    use std::io::Write;
    match output {
        Some(path) => {
            // Never through a planted symlink; readable by others as a report to share.
            hygeia_core::private_file::replace_file(path, text.as_bytes(), 0o644).map_err(|e| {
                Failure::Input(format!(
                    "cannot write the report to {}: {e}",
                    path.display()
                ))
            })?;
            eprintln!("{done} Written to {}", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`hygeia check | head`) is not an error worth reporting.
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Check(args) => check::run(args),
        cli::Command::Network(args) => check::run_network(args),
        cli::Command::Attest(args) => attest::run(args),
        cli::Command::Controls(args) => check::list_controls(args),
        cli::Command::Mail(cli::MailCommand::Scan(args)) => mail::scan(args),
        cli::Command::Mail(cli::MailCommand::Eval(args)) => mail::eval(args),
        cli::Command::Mail(cli::MailCommand::Train(args)) => mail::train(args),
        cli::Command::Devices(cli::DevicesCommand::Match(args)) => devices::run_match(args),
        cli::Command::Devices(cli::DevicesCommand::Update(args)) => devices::update(args),
        cli::Command::Devices(cli::DevicesCommand::Report(args)) => devices::report(args),
        cli::Command::Phone(cli::PhoneCommand::Check(args)) => phone::check(args),
        cli::Command::Phone(cli::PhoneCommand::Import(args)) => phone::import(args),
        #[cfg(feature = "imap")]
        cli::Command::Mail(cli::MailCommand::Imap(args)) => mail::imap(args),
        #[cfg(feature = "server")]
        cli::Command::Serve(args) => serve::run_serve(args),
        #[cfg(feature = "agent")]
        cli::Command::Agent(cli::AgentCommand::Enroll(args)) => agent::run_enroll(args),
        #[cfg(feature = "agent")]
        cli::Command::Agent(cli::AgentCommand::Run(args)) => agent::run_agent(args),
        #[cfg(feature = "agent")]
        cli::Command::Agent(cli::AgentCommand::Status(args)) => agent::run_status(args),
        #[cfg(feature = "backup")]
        cli::Command::Backup(command) => backup::run(command),
        cli::Command::Completions(args) => completions::run(args),
        cli::Command::ManPages(args) => manual::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Input(message)) => {
            eprintln!("hygeia: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Internal(error)) => {
            eprintln!("hygeia: internal error: {error:#}");
            eprintln!(
                "Please report this, with the output of `hygeia check --save-snapshot DIR` if you can."
            );
            ExitCode::from(3)
        }
    }
}
