//! Hygeia's shared vocabulary: controls, statuses, findings and reports, and the loader for the
//! catalog in `catalog/` that describes every control in plain words.
//!
//! This crate does no I/O beyond the catalog, which is compiled into the binary so that
//! `hygeia check` works from a single file, and [`private_file`], the one way every crate
//! writes a file that a planted symlink must not redirect.

pub mod attestation;
pub mod backup_state;
pub mod catalog;
pub mod catalog_files;
pub mod finding;
pub mod markup;
pub mod model;
pub mod phone_state;
pub mod private_file;
pub mod report;
pub mod time_util;

pub use attestation::{ATTESTATION_VALID_DAYS, Attestation, attested_finding};
pub use catalog::{
    Catalog, CatalogError, Control, EndpointProduct, EndpointSoftware, FixSteps, HomeNetwork,
    Lifecycle, LinuxRelease, MacosRelease, NeighbourKind, NetworkService, RouterPort,
    RouterPortRisk, ServiceRisk, TelehealthApp, TelehealthCategory, WindowsRelease,
};
pub use finding::{Finding, UnknownCause};
pub use model::{Area, Measured, Platform, Severity, Status};
pub use report::{ControlResult, HostInfo, REPORT_SCHEMA, Report, Summary};
