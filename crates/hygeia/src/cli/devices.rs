//! `hygeia devices match | update | report`.

use super::ReportOutput;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `hygeia devices` sub-commands.
#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// List, per device, the advisories that affect it, most urgent first.
    #[command(after_help = "Examples:
  hygeia devices match --inventory devices.csv
  hygeia devices match --inventory devices.csv --format html --output device-advisories.html
  hygeia devices match --inventory devices.csv --fail-on high")]
    Match(DevicesMatchArgs),
    /// Download the current CISA medical advisories, KEV catalog and EPSS scores into the store.
    #[command(after_help = "Examples:
  hygeia devices update
  hygeia devices update --from /media/usb/hygeia-devices")]
    Update(DevicesUpdateArgs),
    /// Check the inventory against the medical-device hygiene controls (patch owners, networks,
    /// patient data, operating-system support).
    #[command(after_help = "Examples:
  hygeia devices report --inventory devices.csv
  hygeia devices report --inventory devices.csv --format json --output devices.json")]
    Report(DevicesReportArgs),
}

/// Output formats of `devices match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DevicesFormat {
    /// A table for people.
    Terminal,
    /// The versioned `hygeia.devices/1` JSON document.
    Json,
    /// One line per finding, for spreadsheets and records.
    Csv,
    /// One self-contained page to open and print.
    Html,
    /// SARIF 2.1.0, for security dashboards.
    Sarif,
}

/// Priorities for `devices match --fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PriorityLevel {
    /// Any finding.
    Low,
    /// Medium and above.
    Medium,
    /// High and above.
    High,
    /// Critical only.
    Critical,
}

/// `hygeia devices match`.
#[derive(Debug, Args)]
pub struct DevicesMatchArgs {
    /// The device list: CSV, JSON, CycloneDX JSON or SPDX JSON.
    #[arg(long, value_name = "FILE")]
    pub inventory: PathBuf,
    /// CSAF advisory files or folders (instead of the store's advisories). Repeatable.
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub advisories: Vec<PathBuf>,
    /// The KEV catalog JSON (default: the store's, when there is a store).
    #[arg(long, value_name = "FILE")]
    pub kev: Option<PathBuf>,
    /// NVD CVE API 2.0 JSON files. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub nvd: Vec<PathBuf>,
    /// EPSS scores CSV, plain or .gz (default: the store's, when there is a store).
    #[arg(long, value_name = "FILE")]
    pub epss: Option<PathBuf>,
    /// The advisory store (default: the devices folder in Hygeia's config folder).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: DevicesFormat,
    /// Write the output to this file instead of the screen.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with code 1 when a finding has at least this priority.
    #[arg(long, value_enum, value_name = "PRIORITY")]
    pub fail_on: Option<PriorityLevel>,
}

/// `hygeia devices update`.
#[derive(Debug, Args)]
pub struct DevicesUpdateArgs {
    /// The advisory store (default: the devices folder in Hygeia's config folder).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Download every ICS advisory, not only the medical ones (ICSMA).
    #[arg(long)]
    pub all_ics: bool,
    /// Do not download EPSS scores.
    #[arg(long)]
    pub no_epss: bool,
    /// CSAF provider metadata URL (a mirror).
    #[arg(long, value_name = "URL")]
    pub csaf_provider: Option<String>,
    /// KEV catalog URL (a mirror).
    #[arg(long, value_name = "URL")]
    pub kev_url: Option<String>,
    /// EPSS scores URL (a mirror).
    #[arg(long, value_name = "URL")]
    pub epss_url: Option<String>,
    /// Copy a store made by `hygeia devices update` on another computer (for one without
    /// internet) instead of downloading: the folder of that store, or one of its snapshots.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["all_ics", "no_epss", "csaf_provider", "kev_url", "epss_url"])]
    pub from: Option<PathBuf>,
}

/// `hygeia devices report`.
#[derive(Debug, Args)]
pub struct DevicesReportArgs {
    /// The device list: CSV, JSON, CycloneDX JSON or SPDX JSON.
    #[arg(long, value_name = "FILE")]
    pub inventory: PathBuf,
    /// How the report is printed.
    #[command(flatten)]
    pub report: ReportOutput,
}
