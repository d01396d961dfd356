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
#[command(name = "hygeia", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check this computer and home network and explain what to fix.
    Check(CheckArgs),
    /// Check only the home router and network (HY-NET-006..008); the same as the network part
    /// of `hygeia check --network`.
    Network(NetworkArgs),
    /// Record your answer for a control no program can see (MFA, router, offline backups...).
    Attest(AttestArgs),
    /// List every control in the catalog.
    Controls(ControlsArgs),
    /// Triage email for phishing and ransomware lures, with a reason for every verdict.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Match medical and IT devices against CISA advisories, KEV, NVD and EPSS.
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// Check phones and tablets: over USB, or from a device-management export.
    #[command(subcommand)]
    Phone(PhoneCommand),
    /// Run the server that practices and insurers enroll their computers into.
    #[cfg(feature = "server")]
    Serve(ServeArgs),
    /// Enroll this computer with the practice's server and send it this computer's checks.
    #[cfg(feature = "agent")]
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Back files up into encrypted repositories (restic format) and get them back.
    #[cfg(feature = "backup")]
    #[command(subcommand)]
    Backup(BackupCommand),
}
