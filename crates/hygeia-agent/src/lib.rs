//! `hygeia agent`: enrolls this computer with a practice's hygeia server, runs the same audit as
//! `hygeia check` on a schedule and sends the reports, keeping them in an on-disk queue while
//! the server cannot be reached. It does not know how the audit is made: the binary passes it
//! in, so this crate stays free of the host probes.

pub mod client;
pub mod log_file;
pub mod queue;
pub mod run;
pub mod state;
pub mod windows;

pub use client::{Client, ClientError, Sent};
pub use run::{AgentError, Delivery, Identity, Schedule};
