//! Parsers: pure functions from one command's raw output to a typed fact. Each is tested with
//! real outputs (see `tests/fixtures/` and, when present, `../shared/fixtures/host/`).

pub mod accounts;
pub mod antimalware;
pub mod apps;
pub mod backup;
pub mod disk;
pub mod firewall;
pub mod gateway;
pub mod home;
pub mod listeners;
pub mod mdns;
pub mod os;
pub mod screenlock;
pub mod sshd;
pub mod text;
pub mod updates;
pub mod upnp;
pub mod vpn;
pub mod wifi;

/// Output that does not look like what the command prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {detail}")]
pub struct ParseError {
    /// Which output.
    pub what: &'static str,
    /// What was wrong.
    pub detail: String,
}

impl ParseError {
    /// A new error.
    pub fn new(what: &'static str, detail: impl Into<String>) -> ParseError {
        ParseError {
            what,
            detail: detail.into(),
        }
    }
}
