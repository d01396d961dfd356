//! `hygeia mail scan | eval | train | imap`.

use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `hygeia mail` sub-commands.
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Scan .eml files, folders, mbox files, Maildir folders, or - for standard input.
    #[command(after_help = "Examples:
  hygeia mail scan ~/Downloads/invoice.eml
  hygeia mail scan ~/Maildir --only suspicious
  hygeia mail scan --format json --fail-on phishing exported.mbox")]
    Scan(MailScanArgs),
    /// Measure detection on folders of known phishing and known legitimate mail.
    #[command(after_help = "Examples:
  hygeia mail eval --phish reported-phishing/ --ham inbox-sample/
  hygeia mail eval --phish phish.mbox --ham ham.mbox --cross-validate 5")]
    Eval(MailEvalArgs),
    /// Train a model on the practice's own labelled mail, for --model.
    #[command(after_help = "Examples:
  hygeia mail train --phish reported-phishing/ --ham inbox-sample/ --model practice-model.json")]
    Train(MailTrainArgs),
    /// Scan a mailbox over IMAP, read-only (EXAMINE and BODY.PEEK: no flag ever changes).
    #[cfg(feature = "imap")]
    #[command(after_help = "Examples:
  hygeia mail imap --server imap.clinic.example --user drlee@clinic.example
  hygeia mail imap --server mail.clinic.example:143 --starttls --user frontdesk --folder Junk --since 2026-11-01")]
    Imap(MailImapArgs),
}

/// `hygeia mail imap`.
#[cfg(feature = "imap")]
#[derive(Debug, Args)]
pub struct MailImapArgs {
    /// Server, HOST or HOST:PORT (993 with TLS, 143 with --starttls).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub server: String,
    /// Account name. The password is read from HYGEIA_IMAP_PASSWORD or asked for; it is never
    /// taken from the command line.
    #[arg(long)]
    pub user: String,
    /// Folder to scan.
    #[arg(long, default_value = "INBOX")]
    pub folder: String,
    /// Only messages received on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Connect in plain text and upgrade with STARTTLS (instead of TLS from the start).
    #[arg(long)]
    pub starttls: bool,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// How results are shown.
    #[command(flatten)]
    pub output: MailOutput,
    /// Shared options.
    #[command(flatten)]
    pub options: MailOptions,
}

/// Verdict levels for `--only` and `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerdictLevel {
    /// Suspicious or phishing.
    Suspicious,
    /// Phishing only.
    Phishing,
}

/// Output formats of `mail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MailFormat {
    /// A table for people.
    Terminal,
    /// One JSON object per message, then a summary object (JSON Lines).
    Json,
    /// SARIF 2.1.0, for security dashboards (`scan` and `imap` only).
    Sarif,
}

/// Options shared by `mail scan` and `mail eval`.
#[derive(Debug, Args)]
pub struct MailOptions {
    /// The practice's own domain, for lookalike checks (repeatable).
    #[arg(long = "protect", value_name = "DOMAIN")]
    pub protect: Vec<String>,
    /// Trust SPF/DKIM/DMARC results in Authentication-Results headers added by this receiving
    /// server (its authserv-id, e.g. mx.google.com for Gmail; `microsoft365` for Microsoft 365
    /// and Outlook.com, whose headers carry no id; repeatable).
    #[arg(long = "trusted-authserv", value_name = "ID")]
    pub trusted_authserv: Vec<String>,
    /// Also check each sender live in DNS (SPF, DKIM, DMARC as published today). Off by default:
    /// it sends DNS queries about every sender and takes longer.
    #[arg(long)]
    pub verify_dns: bool,
    /// Largest message examined in full, in megabytes.
    #[arg(long, value_name = "MB", default_value_t = 50)]
    pub max_size_mb: usize,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// A model trained with `hygeia mail train` on your own labelled mail: messages very like
    /// your phishing get the `learned.like-your-phishing` indicator.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
}

/// `hygeia mail train`.
#[derive(Debug, Args)]
pub struct MailTrainArgs {
    /// Folders (or mbox files) of phishing and scam mail you received (repeatable).
    #[arg(long = "phish", value_name = "DIR", required = true)]
    pub phish: Vec<String>,
    /// Folders (or mbox files) of legitimate mail you received (repeatable).
    #[arg(long = "ham", value_name = "DIR", required = true)]
    pub ham: Vec<String>,
    /// Where to write the model.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
}

/// How `mail scan` and `mail imap` show their results.
#[derive(Debug, Clone, Copy, Args)]
pub struct MailOutput {
    /// Output format.
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: MailFormat,
    /// Show only messages at or above this verdict.
    #[arg(long, value_enum)]
    pub only: Option<VerdictLevel>,
    /// Exit with code 1 when a message is at or above this verdict.
    #[arg(long, value_enum)]
    pub fail_on: Option<VerdictLevel>,
}

/// `hygeia mail scan`.
#[derive(Debug, Args)]
pub struct MailScanArgs {
    /// Files, folders, mbox files, Maildir folders; - reads one message from standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// How results are shown.
    #[command(flatten)]
    pub output: MailOutput,
    /// Shared options.
    #[command(flatten)]
    pub options: MailOptions,
}

/// `hygeia mail eval`.
#[derive(Debug, Args)]
pub struct MailEvalArgs {
    /// Folders (or mbox files) of known phishing (repeatable).
    #[arg(long = "phish", value_name = "DIR", required = true)]
    pub phish: Vec<String>,
    /// Folders (or mbox files) of known legitimate mail (repeatable).
    #[arg(long = "ham", value_name = "DIR", required = true)]
    pub ham: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: MailFormat,
    /// Measure a model trained on these folders honestly: split the messages into K parts,
    /// train on K-1 and judge the one left out, K times.
    #[arg(long, value_name = "K", conflicts_with = "model")]
    pub cross_validate: Option<usize>,
    /// Shared options.
    #[command(flatten)]
    pub options: MailOptions,
}
