//! `hygeia check`, `attest` and `controls`.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Plain text for people.
    Terminal,
    /// The versioned `hygeia.check/1` JSON document.
    Json,
    /// One self-contained page to open and print.
    Html,
    /// JUnit XML for CI pipelines.
    Junit,
    /// SARIF 2.1.0, for security dashboards.
    Sarif,
}

/// Severities for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any failing control.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    High,
    /// Critical only.
    Critical,
}

/// How a `hygeia.check/1` report is printed (`check`, `devices report`).
#[derive(Debug, Args)]
pub struct ReportOutput {
    /// Output format.
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: Format,
    /// Write the report to this file instead of the screen.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with code 1 when a control fails at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Never use colours (NO_COLOR is respected too).
    #[arg(long)]
    pub no_color: bool,
}

/// `hygeia check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// How the report is printed.
    #[command(flatten)]
    pub report: ReportOutput,
    /// Save every raw probe output to DIR (for bug reports and later evaluation).
    #[arg(long, value_name = "DIR")]
    pub save_snapshot: Option<PathBuf>,
    /// Evaluate a snapshot saved with --save-snapshot instead of this computer.
    #[arg(long, value_name = "DIR", conflicts_with = "save_snapshot")]
    pub snapshot: Option<PathBuf>,
    /// Also check the home router and network (HY-NET-006..008). Sends a few packets to the
    /// default gateway and to local multicast (SSDP, mDNS), nothing else; never tries passwords.
    #[arg(long, conflicts_with = "snapshot")]
    pub network: bool,
    /// KEV catalog file to match the router's model against (default: the one `hygeia devices
    /// update` keeps).
    #[arg(long, value_name = "FILE", requires = "network")]
    pub kev: Option<PathBuf>,
    /// NVD CVE API 2.0 answer for the router (for example NVD's answer to
    /// `virtualMatchString=cpe:2.3:o:dlink:dir-859_firmware`) to match its firmware version
    /// against.
    #[arg(long, value_name = "FILE", requires = "network")]
    pub nvd: Option<PathBuf>,
}

/// `hygeia network`.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// How the report is printed.
    #[command(flatten)]
    pub report: ReportOutput,
    /// KEV catalog file to match the router's model against (default: the one `hygeia devices
    /// update` keeps).
    #[arg(long, value_name = "FILE")]
    pub kev: Option<PathBuf>,
    /// NVD CVE API 2.0 answer for the router to match its firmware version against.
    #[arg(long, value_name = "FILE")]
    pub nvd: Option<PathBuf>,
    /// Save what was sent and received to DIR (for bug reports and later evaluation).
    #[arg(long, value_name = "DIR")]
    pub save_snapshot: Option<PathBuf>,
}

/// `hygeia attest`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("answer").required(true).args(["yes", "no"])))]
pub struct AttestArgs {
    /// The control, e.g. HY-EM-001 (see `hygeia controls`).
    pub control: String,
    /// It is in place.
    #[arg(long)]
    pub yes: bool,
    /// It is not in place.
    #[arg(long)]
    pub no: bool,
    /// A note stored with the answer (who set it up, where the drive is kept...).
    #[arg(long)]
    pub note: Option<String>,
}

/// `hygeia controls`.
#[derive(Debug, Args)]
pub struct ControlsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}
