//! Reports from agents: validated before anything is stored (`validate`), stored in one
//! transaction and answered "unchanged" when the results equal the host's previous ones
//! (`store`), with the practice's per-control statistics kept as running sums (`statistics`).

mod statistics;
mod store;
mod validate;

pub use statistics::{StatsDelta, remove_from_stats};
pub use store::{
    Deferred, Incoming, Outcome, ReportingHost, compress, decompress, store, store_in,
};
pub use validate::{
    ACCEPTED_SCHEMA, AttestationAnswer, ControlOutcome, Invalid, ValidReport, agent_text,
    results_hash, validate,
};
