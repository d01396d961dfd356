//! `hygeia agent enroll | run | status`.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `hygeia agent` sub-commands.
#[cfg(feature = "agent")]
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Exchange the practice's enroll secret for this computer's own key.
    #[command(after_help = "Examples:
  sudo hygeia agent enroll --server https://hygeia.clinic.example:8443 --secret-file enroll-secret.txt
  sudo hygeia agent enroll --server https://hygeia.clinic.example:8443 --ca practice-ca.pem --secret-file enroll-secret.txt")]
    Enroll(AgentEnrollArgs),
    /// Check this computer on a schedule and send the reports to the server.
    #[command(after_help = "Examples:
  sudo hygeia agent run
  sudo hygeia agent run --once
  sudo hygeia agent run --network --interval-minutes 120")]
    Run(AgentRunArgs),
    /// Show the enrolment and how many reports wait to be sent.
    #[command(after_help = "Examples:
  sudo hygeia agent status")]
    Status(AgentStateArgs),
}

/// Where the agent keeps its state.
#[cfg(feature = "agent")]
#[derive(Debug, Args)]
pub struct AgentStateArgs {
    /// The agent's state folder (default: /var/lib/hygeia-agent as root, else the user's state folder).
    #[arg(long, value_name = "DIR", env = "HYGEIA_AGENT_STATE")]
    pub state_dir: Option<PathBuf>,
}

/// `hygeia agent enroll`.
#[cfg(feature = "agent")]
#[derive(Debug, Args)]
pub struct AgentEnrollArgs {
    /// The practice's server, e.g. https://hygeia.clinic.example:8443
    #[arg(long, value_name = "URL")]
    pub server: String,
    /// The enroll secret from the dashboard. Prefer HYGEIA_ENROLL_SECRET or --secret-file: a
    /// secret typed on the command line is visible to other accounts in the process list.
    #[arg(
        long,
        value_name = "SECRET",
        env = "HYGEIA_ENROLL_SECRET",
        hide_env_values = true,
        required_unless_present = "secret_file"
    )]
    pub secret: Option<String>,
    /// A file whose first line is the enroll secret (for device-management scripts; delete it
    /// afterwards). Takes precedence over --secret and HYGEIA_ENROLL_SECRET.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// Trust only this CA certificate (PEM) for the server, e.g. the practice's own.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    #[command(flatten)]
    pub state: AgentStateArgs,
}

/// `hygeia agent run`.
#[cfg(feature = "agent")]
#[derive(Debug, Args)]
pub struct AgentRunArgs {
    /// Check and send once, then exit (for a systemd timer or cron).
    #[arg(long)]
    pub once: bool,
    /// Run as the Windows service HygeiaAgent (the service manager starts it so; the MSI
    /// registers it).
    #[arg(long, conflicts_with = "once")]
    pub service: bool,
    /// Time between checks, in minutes.
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    pub interval_minutes: u64,
    /// How much each wait varies, in percent of the interval.
    #[arg(long, value_name = "PERCENT", default_value_t = 10)]
    pub jitter_percent: u8,
    /// First wait after a failed send, in seconds (it doubles up to 15 minutes).
    #[arg(long, value_name = "SECONDS", default_value_t = 15)]
    pub retry_seconds: u64,
    /// Report a snapshot saved with `hygeia check --save-snapshot` instead of checking live.
    #[arg(long, value_name = "DIR")]
    pub snapshot: Option<PathBuf>,
    /// Also check the home router and network at each check, as `hygeia check --network` does.
    #[arg(long, conflicts_with = "snapshot")]
    pub network: bool,
    #[command(flatten)]
    pub state: AgentStateArgs,
}
