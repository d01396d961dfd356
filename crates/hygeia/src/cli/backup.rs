//! `hygeia backup init | run | plan | verify | status | snapshots | restore`.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `hygeia backup` sub-commands.
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Create an encrypted backup repository.
    #[command(after_help = "Examples:
  hygeia backup init --repo /media/usb/hygeia-backup")]
    Init(BackupRepoArgs),
    /// Back up: with the saved plan (no --repo), or folders into one repository.
    #[command(after_help = "Examples:
  hygeia backup run
  hygeia backup run --repo /media/usb/hygeia-backup ~/Documents ~/Desktop")]
    Run(BackupRunArgs),
    /// Create or change the saved plan: what to back up, where (two destinations or more),
    /// how often, how long to keep it. Without flags, on a terminal, it asks.
    #[command(after_help = "Examples:
  hygeia backup plan
  hygeia backup plan --source ~/Documents --destination usb=/media/usb/hygeia --destination cloud=s3:https://s3.eu-west-1.amazonaws.com/practice/laptop-3")]
    Plan(BackupPlanArgs),
    /// Check the repositories and test a restore of a random sample of files.
    #[command(after_help = "Examples:
  hygeia backup verify
  hygeia backup verify --read-data-subset 10%")]
    Verify(BackupVerifyArgs),
    /// The 3-2-1-1-0 table for this computer.
    #[command(after_help = "Examples:
  hygeia backup status
  hygeia backup status --format json")]
    Status(BackupStatusArgs),
    /// List a repository's snapshots, oldest first.
    #[command(after_help = "Examples:
  hygeia backup snapshots --repo /media/usb/hygeia-backup")]
    Snapshots(BackupRepoArgs),
    /// Get files back from a snapshot into a folder.
    #[command(after_help = "Examples:
  hygeia backup restore --repo /media/usb/hygeia-backup --target ~/Restored")]
    Restore(BackupRestoreArgs),
}

/// The repository and its password.
#[derive(Debug, Args)]
pub struct BackupRepoArgs {
    /// Where the repository is: a folder, s3:https://HOST/BUCKET/PREFIX or
    /// sftp:USER@HOST:/PATH.
    #[arg(long, value_name = "LOCATION")]
    pub repo: String,
    /// A file holding the password on its first line, readable by you only (chmod 600). Without
    /// it: HYGEIA_BACKUP_PASSWORD, else you are asked. Never on the command line.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

/// `hygeia backup run`.
#[derive(Debug, Args)]
pub struct BackupRunArgs {
    /// One repository for an ad-hoc backup of PATH...; without it, the saved plan runs.
    #[arg(long, value_name = "LOCATION", requires = "paths")]
    pub repo: Option<String>,
    /// The password file (see `hygeia backup init --help`).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Also leave out what matches this glob pattern (repeatable); caches and temporary files
    /// are always left out.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The folders and files to back up (with --repo).
    #[arg(value_name = "PATH", requires = "repo")]
    pub paths: Vec<PathBuf>,
}

/// `hygeia backup plan`.
#[derive(Debug, Args)]
pub struct BackupPlanArgs {
    /// A folder or file to back up (repeatable; replaces the plan's list). Default for a new
    /// plan: your Documents and Desktop folders.
    #[arg(long, value_name = "PATH")]
    pub source: Vec<PathBuf>,
    /// A destination as NAME=LOCATION (repeatable; replaces the plan's list).
    #[arg(long, value_name = "NAME=LOCATION")]
    pub destination: Vec<String>,
    /// A destination kept away from the computer (a drive taken home); cloud storage always is.
    #[arg(long, value_name = "NAME")]
    pub offsite: Vec<String>,
    /// hourly, daily or weekly.
    #[arg(long, value_name = "WHEN")]
    pub schedule: Option<String>,
    /// Keep one snapshot per day for this many days.
    #[arg(long, value_name = "N")]
    pub keep_daily: Option<u32>,
    /// Keep one snapshot per week for this many weeks.
    #[arg(long, value_name = "N")]
    pub keep_weekly: Option<u32>,
    /// Keep one snapshot per month for this many months.
    #[arg(long, value_name = "N")]
    pub keep_monthly: Option<u32>,
    /// Leave out what matches this glob pattern (repeatable; replaces the plan's list).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Test a restore of each destination with the backups when its last test is this many
    /// days old (default 30; 0 leaves restore tests to `hygeia backup verify`).
    #[arg(long, value_name = "DAYS")]
    pub verify_every_days: Option<u32>,
    /// The private file holding the repositories' password, for scheduled runs.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Only print the saved plan.
    #[arg(long)]
    pub show: bool,
}

/// `hygeia backup verify`.
#[derive(Debug, Args)]
pub struct BackupVerifyArgs {
    /// One repository (else every destination of the plan).
    #[arg(long, value_name = "LOCATION", conflicts_with = "destination")]
    pub repo: Option<String>,
    /// Only this destination of the plan.
    #[arg(long, value_name = "NAME")]
    pub destination: Option<String>,
    /// The password file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Also read back and hash this share of the stored data, e.g. 10% (100% reads it all).
    #[arg(long, value_name = "N%")]
    pub read_data_subset: Option<String>,
    /// How many files the restore test restores and compares.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub sample: usize,
}

/// `hygeia backup status`.
#[derive(Debug, Args)]
pub struct BackupStatusArgs {
    /// text or json.
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub format: String,
}

/// `hygeia backup restore`.
#[derive(Debug, Args)]
pub struct BackupRestoreArgs {
    /// The repository.
    #[command(flatten)]
    pub repo: BackupRepoArgs,
    /// The snapshot (its id or the start of it); the latest when left out.
    #[arg(long, value_name = "ID")]
    pub snapshot: Option<String>,
    /// Only this folder or file of the snapshot (as listed by restic, e.g. /home/lee/Documents).
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// The folder to restore into.
    #[arg(long, value_name = "DIR")]
    pub target: PathBuf,
    /// Replace files that already exist in the target folder.
    #[arg(long)]
    pub overwrite: bool,
}
