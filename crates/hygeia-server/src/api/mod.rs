//! The HTTP handlers, by who uses them.

pub mod admin;
pub mod agent;
pub mod read;
pub mod session;
