//! `hygeia serve` and its set-up actions.

use clap::{Args, Subcommand};
use std::path::PathBuf;

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
    /// Also trust these CA certificates (PEM) for practices' SMTP relays (phishing
    /// simulations) and report mailboxes (IMAP): for a practice's own mail server. The usual
    /// public CAs are always trusted.
    #[arg(long, value_name = "FILE")]
    pub mail_ca: Option<std::path::PathBuf>,
    /// Seconds between looks for phishing simulations due to be sent (1 to 3600).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub simulations_every: u64,
}

/// `hygeia serve init` and `hygeia serve add-practice`.
#[cfg(feature = "server")]
#[derive(Debug, Subcommand)]
pub enum ServeAction {
    /// Create the first insurer or practice and its administrator (prints a one-time password).
    #[command(group(clap::ArgGroup::new("kind").required(true).args(["insurer", "practice"])))]
    #[command(after_help = "Examples:
  hygeia serve init --practice \"Lee Family Practice\" --admin-email drlee@clinic.example
  hygeia serve init --insurer \"Mutual Health Insurance\" --admin-email risk@insurer.example --database postgres://hygeia@db.insurer.example/hygeia")]
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
    #[command(after_help = "Examples:
  hygeia serve add-practice --insurer \"Mutual Health Insurance\" --practice \"Lee Family Practice\" --admin-email drlee@clinic.example")]
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

#[cfg(feature = "server")]
fn parse_cidr(text: &str) -> Result<hygeia_server::proxy::Cidr, String> {
    hygeia_server::proxy::Cidr::parse(text)
}
