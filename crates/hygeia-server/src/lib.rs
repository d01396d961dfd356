//! `hygeia serve`: the server practices and insurers enroll computers into. It keeps the whole
//! history of every computer's posture, scoped organization > practice > computer, and serves
//! the JSON API the dashboard and scripts read.
//!
//! Where things live: the schema in `migrations/`, the route table in `routes.rs`, sign-in in
//! `api/session.rs`, the agent protocol in `api/agent.rs` and `ingest.rs`, scoping rules in
//! `auth/mod.rs`, the dashboard's pages in `pages/`.

pub mod api;
pub mod audit;
pub mod auth;
pub mod awareness;
pub mod db;
pub mod devices;
pub mod error;
pub mod ingest;
pub mod init;
pub mod pages;
pub mod phones;
pub mod practice_risk;
pub mod proxy;
pub mod ratelimit;
pub mod rollup;
pub mod routes;
pub mod sealing;
pub mod secrets;
pub mod serve;
pub mod start;
pub mod state;
pub mod writer;

pub use db::Db;
pub use state::{AppState, Settings};
