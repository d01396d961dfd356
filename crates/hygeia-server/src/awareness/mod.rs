//! Phishing awareness: simulation campaigns a practice runs against its own users, the
//! training modules they take, and HY-EM-002 measured from that training.
//!
//! Where things live: the templates and modules in `catalog/simulations/` and
//! `catalog/training/` (read by [`catalog`]); the SQL in [`storage`]; building and sending the
//! messages through the practice's SMTP relay in [`mailer`], and when in [`sender`]; the API in
//! `api/awareness.rs`; the public pages a simulation's link leads to (landing, lesson, quiz) in
//! `pages/learn.rs`. `docs/awareness.md` explains the whole and what is not built yet.

pub mod catalog;
pub mod mailer;
pub mod reports;
pub mod sender;
pub mod storage;
pub mod training;
