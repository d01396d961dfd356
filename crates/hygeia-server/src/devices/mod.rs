//! The practice's medical and IT devices in the dashboard: an administrator uploads the
//! inventory, the server matches it against its advisory store (`hygeia-devices`, the same
//! matching as `hygeia devices match`) and measures HY-MD-101..104 on it, on upload and again
//! whenever the store changes.
//!
//! Where things live: the advisory store and its schedule in `advisories.rs`, matching an
//! inventory in `evaluate.rs`, the tables in `storage.rs` (schema in
//! `migrations/0003_devices.sql`), the API in `api/devices.rs`, the page in `pages/devices.rs`.

pub mod advisories;
pub mod evaluate;
pub mod storage;

pub use advisories::AdvisoryStore;
