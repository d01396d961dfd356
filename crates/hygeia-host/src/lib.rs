//! `hygeia check`: probes that read this computer and home network, the parsers that turn raw
//! outputs into facts, and the rules that turn facts into findings.

pub mod parse;
pub mod probe;
pub mod runner;
pub mod snapshot;
