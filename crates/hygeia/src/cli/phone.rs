//! `hygeia phone`.

use super::ReportOutput;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `hygeia phone` sub-commands.
#[derive(Debug, Subcommand)]
pub enum PhoneCommand {
    /// Check a phone or tablet plugged into this computer (Android with adb, iPhone/iPad with
    /// libimobiledevice) against HY-PH-001..004.
    #[command(after_help = "Examples:
  hygeia phone check
  hygeia phone check --ios
  hygeia phone check --android --format json")]
    Check(PhoneCheckArgs),
    /// Judge the phones of an Intune or Google Workspace device export (CSV).
    #[command(after_help = "Examples:
  hygeia phone import intune-devices.csv
  hygeia phone import google-devices.csv --json")]
    Import(PhoneImportArgs),
}

/// `hygeia phone check`.
#[derive(Debug, Args)]
pub struct PhoneCheckArgs {
    /// How the report is printed.
    #[command(flatten)]
    pub report: ReportOutput,
    /// Look only for an Android phone (adb).
    #[arg(long, conflicts_with = "ios")]
    pub android: bool,
    /// Look only for an iPhone or iPad (ideviceinfo).
    #[arg(long)]
    pub ios: bool,
    /// The phone to read when several are connected (adb serial or iPhone UDID).
    #[arg(long, value_name = "SERIAL")]
    pub serial: Option<String>,
    /// An app you use for video visits on this phone (repeat for several; "none" if you make
    /// none), as `catalog/telehealth-apps.toml` names it: Zoom, Doxy.me, WhatsApp...
    #[arg(long = "visit-app", value_name = "APP")]
    pub visit_apps: Vec<String>,
    /// Save the raw outputs of the phone to DIR (for bug reports and later evaluation).
    #[arg(long, value_name = "DIR")]
    pub save_snapshot: Option<PathBuf>,
    /// Judge a phone snapshot saved with --save-snapshot instead of a connected phone.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["save_snapshot", "android", "ios", "serial"])]
    pub snapshot: Option<PathBuf>,
}

/// `hygeia phone import`.
#[derive(Debug, Args)]
pub struct PhoneImportArgs {
    /// The CSV export (Intune: Devices > All devices > Export; Google Workspace: Devices >
    /// Mobile & endpoints > Devices > Download).
    pub file: PathBuf,
    /// Print JSON (one record per phone) instead of a table.
    #[arg(long)]
    pub json: bool,
}
