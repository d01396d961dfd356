//! Command-line arguments, one file per command: what `hygeia --help` shows.

#[cfg(feature = "agent")]
mod agent;
#[cfg(feature = "backup")]
mod backup;
mod check;
mod devices;
mod mail;
mod phone;
#[cfg(feature = "server")]
mod serve;

#[cfg(feature = "agent")]
pub use agent::*;
#[cfg(feature = "backup")]
pub use backup::*;
pub use check::*;
pub use devices::*;
pub use mail::*;
pub use phone::*;
#[cfg(feature = "server")]
pub use serve::*;

use clap::{Parser, Subcommand};

/// Cybersecurity hygiene for clinicians who work remotely, after the AMA/AHA guidance.
#[derive(Debug, Parser)]
#[command(
    name = "hygeia",
    version = env!("HYGEIA_VERSION_LINE"),
    about,
    long_about = None,
    after_help = "Examples:
  hygeia check
  hygeia check --format html --output my-computer.html
  hygeia mail scan ~/Downloads/suspicious.eml
  hygeia help check"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check this computer and home network and explain what to fix.
    #[command(after_help = "Examples:
  hygeia check
  sudo hygeia check --network
  hygeia check --format html --output my-computer.html
  hygeia check --format json --fail-on high")]
    Check(CheckArgs),
    /// Check only the home router and network (HY-NET-006..008); the same as the network part
    /// of `hygeia check --network`.
    #[command(after_help = "Examples:
  hygeia network
  hygeia network --kev known_exploited_vulnerabilities.json --nvd router-cves.json")]
    Network(NetworkArgs),
    /// Record your answer for a control no program can see (MFA, router, offline backups...).
    #[command(after_help = "Examples:
  hygeia attest HY-EM-001 --yes --note \"MFA set up on the EHR and e-mail\"
  hygeia attest HY-BK-003 --no")]
    Attest(AttestArgs),
    /// List every control in the catalog.
    #[command(after_help = "Examples:
  hygeia controls
  hygeia controls --json")]
    Controls(ControlsArgs),
    /// Triage email for phishing and ransomware lures, with a reason for every verdict.
    #[command(subcommand)]
    #[command(after_help = "Examples:
  hygeia mail scan ~/Downloads/invoice.eml
  hygeia mail imap --server imap.clinic.example --user drlee@clinic.example")]
    Mail(MailCommand),
    /// Match medical and IT devices against CISA advisories, KEV, NVD and EPSS.
    #[command(subcommand)]
    #[command(after_help = "Examples:
  hygeia devices update
  hygeia devices match --inventory devices.csv")]
    Devices(DevicesCommand),
    /// Check phones and tablets: over USB, or from a device-management export.
    #[command(subcommand)]
    #[command(after_help = "Examples:
  hygeia phone check
  hygeia phone import intune-devices.csv")]
    Phone(PhoneCommand),
    /// Run the server that practices and insurers enroll their computers into.
    #[cfg(feature = "server")]
    #[command(after_help = "Examples:
  hygeia serve init --practice \"Lee Family Practice\" --admin-email drlee@clinic.example
  hygeia serve --listen 0.0.0.0:8443 --tls-cert fullchain.pem --tls-key privkey.pem")]
    Serve(ServeArgs),
    /// Enroll this computer with the practice's server and send it this computer's checks.
    #[cfg(feature = "agent")]
    #[command(subcommand)]
    #[command(after_help = "Examples:
  sudo hygeia agent enroll --server https://hygeia.clinic.example:8443 --secret-file enroll-secret.txt
  sudo hygeia agent status")]
    Agent(AgentCommand),
    /// Back files up into encrypted repositories (restic format) and get them back.
    #[cfg(feature = "backup")]
    #[command(subcommand)]
    #[command(after_help = "Examples:
  hygeia backup plan
  hygeia backup run
  hygeia backup status")]
    Backup(BackupCommand),
    /// Print the shell completion script for bash, zsh, fish or PowerShell.
    #[command(after_help = "Examples:
  hygeia completions bash > ~/.local/share/bash-completion/completions/hygeia
  hygeia completions zsh > ~/.zfunc/_hygeia
  hygeia completions powershell")]
    Completions(CompletionsArgs),
    /// Write the manual pages (one per command) into a folder; packages ship them.
    #[command(
        hide = true,
        after_help = "Examples:
  hygeia man-pages --out-dir target/dist/man"
    )]
    ManPages(ManPagesArgs),
}

/// `hygeia completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `hygeia man-pages`.
#[derive(Debug, clap::Args)]
pub struct ManPagesArgs {
    /// The folder to write hygeia.1, hygeia-check.1, ... into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: std::path::PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Splits an example line like a shell would for these simple cases: words, and
    /// double-quoted words that may hold spaces.
    fn words(line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut current = String::new();
        let mut quoted = false;
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ' ' if !quoted => {
                    if !current.is_empty() {
                        words.push(std::mem::take(&mut current));
                    }
                }
                c => current.push(c),
            }
        }
        if !current.is_empty() {
            words.push(current);
        }
        words
    }

    /// Every command, with the words that name it (`["mail", "scan"]`).
    fn every_command(
        command: &clap::Command,
        path: Vec<String>,
        out: &mut Vec<(Vec<String>, clap::Command)>,
    ) {
        out.push((path.clone(), command.clone()));
        for sub in command.get_subcommands() {
            let mut sub_path = path.clone();
            sub_path.push(sub.get_name().to_string());
            every_command(sub, sub_path, out);
        }
    }

    #[test]
    fn every_command_has_examples_that_parse() {
        let mut commands = Vec::new();
        every_command(&Cli::command(), Vec::new(), &mut commands);
        let mut examples = 0;
        for (path, command) in commands {
            if path.first().is_some_and(|p| p == "help") {
                continue;
            }
            let name = format!("hygeia {}", path.join(" "));
            let help = command
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            let lines: Vec<&str> = help.lines().collect();
            assert_eq!(
                lines.first(),
                Some(&"Examples:"),
                "`{name}` has no examples"
            );
            assert!(lines.len() > 1, "`{name}` has an empty example list");
            for line in &lines[1..] {
                let line = line.trim();
                let line = line.strip_prefix("sudo ").unwrap_or(line);
                // What a shell does with the output is not hygeia's argument.
                let line = line.split(" > ").next().unwrap_or(line);
                assert!(
                    line.starts_with(name.trim_end()),
                    "an example of `{name}` runs something else: {line}"
                );
                match Cli::try_parse_from(words(line)) {
                    Ok(_) => {}
                    Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {}
                    Err(e) => panic!("the example `{line}` does not parse: {e}"),
                }
                examples += 1;
            }
        }
        assert!(examples > 50, "{examples}");
    }

    #[test]
    fn version_names_the_commit_and_the_build_date() {
        let version = Cli::command().render_version();
        assert!(version.starts_with("hygeia 0."), "{version}");
        assert!(version.contains("(commit "), "{version}");
        let date = version
            .split("built ")
            .nth(1)
            .and_then(|rest| rest.get(..10))
            .unwrap_or_else(|| panic!("no build date in {version}"));
        assert!(
            time::Date::parse(
                date,
                time::macros::format_description!("[year]-[month]-[day]")
            )
            .is_ok(),
            "{date}"
        );
    }

    #[test]
    fn the_command_definitions_are_consistent() {
        Cli::command().debug_assert();
    }
}
