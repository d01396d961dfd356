//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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
    /// Run the server that practices and insurers enroll their computers into.
    #[cfg(feature = "server")]
    Serve(ServeArgs),
    /// Enroll this computer with the practice's server and send it this computer's checks.
    #[cfg(feature = "agent")]
    #[command(subcommand)]
    Agent(AgentCommand),
}

/// `hygeia serve`.
#[cfg(feature = "server")]
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Set up the server instead of running it.
    #[command(subcommand)]
    pub action: Option<ServeAction>,
    /// The database: an SQLite file (created on first start) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        value_name = "FILE|URL",
        env = "HYGEIA_DATABASE",
        hide_env_values = true,
        default_value = "hygeia-server.db"
    )]
    pub database: String,
    /// Address and port to listen on.
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:8443")]
    pub listen: std::net::SocketAddr,
    /// TLS certificate chain (PEM). Without it the server only listens on loopback.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP beyond loopback (only behind a TLS proxy).
    #[arg(long)]
    pub insecure_http: bool,
    /// Largest report accepted from an agent, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_report_bytes: usize,
    /// Enrolments allowed per client address per minute (raise it for mass roll-outs behind NAT).
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub enroll_rate: u32,
    /// The key that seals authenticator secrets in the database, created (0600) when missing.
    /// Default: beside an SQLite database (DB.key), or hygeia-server.key in the current folder
    /// for PostgreSQL. Back it up with the database, but keep it apart from database copies.
    #[arg(long, value_name = "FILE", env = "HYGEIA_KEY_FILE")]
    pub key_file: Option<std::path::PathBuf>,
    /// A TLS proxy in front (address or range, repeatable): its X-Forwarded-For names the
    /// client for rate limits, lockouts and the audit log. Other peers' X-Forwarded-For is ignored.
    #[arg(long, value_name = "CIDR", value_parser = parse_cidr)]
    pub trusted_proxy: Vec<hygeia_server::proxy::Cidr>,
    /// Connections open at once, in all.
    #[arg(long, value_name = "N", default_value_t = 4096)]
    pub max_connections: usize,
    /// Connections open at once from one client address (trusted proxies are not capped).
    #[arg(long, value_name = "N", default_value_t = 128)]
    pub max_connections_per_address: usize,
    /// The advisory store practices' device inventories are matched against (a
    /// `hygeia devices` store). Default: beside an SQLite database (DB.devices), or
    /// hygeia-devices in the current folder for PostgreSQL. Fill it with
    /// `hygeia devices update --store DIR` (or `--from FOLDER` without internet); the server
    /// notices a new snapshot within a minute and matches every inventory again.
    #[arg(long, value_name = "DIR", env = "HYGEIA_DEVICES_STORE")]
    pub devices_store: Option<std::path::PathBuf>,
    /// Download new advisories (CISA CSAF, KEV, EPSS) into the store every N hours; 0, the
    /// default, never downloads (a server without internet, or one whose store is filled by
    /// hand).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub devices_update_hours: u64,
}

/// `hygeia serve init` and `hygeia serve add-practice`.
#[cfg(feature = "server")]
#[derive(Debug, Subcommand)]
pub enum ServeAction {
    /// Create the first insurer or practice and its administrator (prints a one-time password).
    #[command(group(clap::ArgGroup::new("kind").required(true).args(["insurer", "practice"])))]
    Init {
        /// Create an insurer organization (its administrator is an insurer analyst).
        #[arg(long, value_name = "NAME")]
        insurer: Option<String>,
        /// Create a stand-alone practice (its administrator is a practice admin).
        #[arg(long, value_name = "NAME")]
        practice: Option<String>,
        /// The administrator's e-mail address (their sign-in name).
        #[arg(long, value_name = "EMAIL")]
        admin_email: String,
        /// The administrator's name as shown in the dashboard.
        #[arg(long, value_name = "NAME", default_value = "Administrator")]
        admin_name: String,
    },
    /// Add a practice to an insurer organization, with its first administrator.
    AddPractice {
        /// The insurer organization's name.
        #[arg(long, value_name = "NAME")]
        insurer: String,
        /// The new practice's name.
        #[arg(long, value_name = "NAME")]
        practice: String,
        /// The practice administrator's e-mail address.
        #[arg(long, value_name = "EMAIL")]
        admin_email: String,
        /// Their name as shown in the dashboard.
        #[arg(long, value_name = "NAME", default_value = "Practice administrator")]
        admin_name: String,
    },
}

/// `hygeia agent` sub-commands.
#[cfg(feature = "agent")]
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Exchange the practice's enroll secret for this computer's own key.
    Enroll(AgentEnrollArgs),
    /// Check this computer on a schedule and send the reports to the server.
    Run(AgentRunArgs),
    /// Show the enrolment and how many reports wait to be sent.
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
    /// The enroll secret from the dashboard (or set HYGEIA_ENROLL_SECRET).
    #[arg(
        long,
        value_name = "SECRET",
        env = "HYGEIA_ENROLL_SECRET",
        hide_env_values = true
    )]
    pub secret: String,
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
    #[command(flatten)]
    pub state: AgentStateArgs,
}

/// `hygeia devices` sub-commands.
#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// List, per device, the advisories that affect it, most urgent first.
    Match(DevicesMatchArgs),
    /// Download the current CISA medical advisories, KEV catalog and EPSS scores into the store.
    Update(DevicesUpdateArgs),
    /// Check the inventory against the medical-device hygiene controls (patch owners, networks,
    /// patient data, operating-system support).
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

/// `hygeia mail` sub-commands.
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Scan .eml files, folders, mbox files, Maildir folders, or - for standard input.
    Scan(MailScanArgs),
    /// Measure detection on folders of known phishing and known legitimate mail.
    Eval(MailEvalArgs),
    /// Train a model on the practice's own labelled mail, for --model.
    Train(MailTrainArgs),
    /// Scan a mailbox over IMAP, read-only (EXAMINE and BODY.PEEK: no flag ever changes).
    #[cfg(feature = "imap")]
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

/// `hygeia check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: Format,
    /// Write the report to this file instead of the screen.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with code 1 when a control fails at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Save every raw probe output to DIR (for bug reports and later evaluation).
    #[arg(long, value_name = "DIR")]
    pub save_snapshot: Option<PathBuf>,
    /// Evaluate a snapshot saved with --save-snapshot instead of this computer.
    #[arg(long, value_name = "DIR", conflicts_with = "save_snapshot")]
    pub snapshot: Option<PathBuf>,
    /// Never use colours (NO_COLOR is respected too).
    #[arg(long)]
    pub no_color: bool,
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

#[cfg(feature = "server")]
fn parse_cidr(text: &str) -> Result<hygeia_server::proxy::Cidr, String> {
    hygeia_server::proxy::Cidr::parse(text)
}
