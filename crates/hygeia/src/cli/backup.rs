//! `hygeia backup init | run | snapshots | restore`.

use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `hygeia backup` sub-commands.
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Create an encrypted backup repository.
    ///
    /// Example: hygeia backup init --repo /media/usb/hygeia-backup
    Init(BackupRepoArgs),
    /// Back folders up into a repository.
    ///
    /// Example: hygeia backup run --repo /media/usb/hygeia-backup ~/Documents ~/Desktop
    Run(BackupRunArgs),
    /// List a repository's snapshots, oldest first.
    Snapshots(BackupRepoArgs),
    /// Get files back from a snapshot into a folder.
    ///
    /// Example: hygeia backup restore --repo /media/usb/hygeia-backup --target ~/Restored
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
    /// The repository.
    #[command(flatten)]
    pub repo: BackupRepoArgs,
    /// Also leave out what matches this glob pattern (repeatable); caches and temporary files
    /// are always left out.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The folders and files to back up.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
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
