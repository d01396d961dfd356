//! Small enums shared by every crate: where a control belongs, how bad it is, what was found.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The AMA/AHA remote-work guidance area a control serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    /// The computer used for patient data.
    Computer,
    /// The home network: router, Wi-Fi, VPN.
    HomeNetwork,
    /// Phones and tablets.
    Phone,
    /// Email, phishing and ransomware lures.
    Email,
    /// Network-connected medical devices.
    MedicalDevices,
    /// Backups (3-2-1-1-0).
    Backups,
}

impl Area {
    /// Every area, in the order reports show them.
    pub const ALL: [Area; 6] = [
        Area::Computer,
        Area::HomeNetwork,
        Area::Backups,
        Area::Email,
        Area::Phone,
        Area::MedicalDevices,
    ];

    /// The identifier used in the catalog and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Computer => "computer",
            Area::HomeNetwork => "home-network",
            Area::Phone => "phone",
            Area::Email => "email",
            Area::MedicalDevices => "medical-devices",
            Area::Backups => "backups",
        }
    }

    /// A heading for people.
    pub fn heading(self) -> &'static str {
        match self {
            Area::Computer => "This computer",
            Area::HomeNetwork => "Home network",
            Area::Phone => "Phone and tablet",
            Area::Email => "Email",
            Area::MedicalDevices => "Medical devices",
            Area::Backups => "Backups",
        }
    }
}

/// How much harm a failing control can cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth fixing when convenient.
    Low,
    /// Fix soon.
    Medium,
    /// Fix this week.
    High,
    /// Fix today.
    Critical,
}

impl Severity {
    /// The identifier used in the catalog, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses `low`, `medium`, `high` or `critical`.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a control is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measured {
    /// A rule reads the computer.
    Automatic,
    /// A person declares it with `hygeia attest`.
    Attested,
    /// Read from the practice's device inventory by `hygeia devices report`, not from this
    /// computer; `hygeia check` leaves these out.
    Inventory,
}

/// The result of one control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Measured and in order.
    Pass,
    /// Measured and not in order.
    Fail,
    /// Measured; not a failure but worth attention.
    Warn,
    /// Could not be measured; the reason says why.
    Unknown,
    /// Does not apply to this computer.
    NotApplicable,
    /// A person declared it in place (within the last 90 days).
    Attested,
}

impl Status {
    /// The identifier used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Unknown => "unknown",
            Status::NotApplicable => "not_applicable",
            Status::Attested => "attested",
        }
    }

    /// A short word for people (terminal, HTML).
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Unknown => "UNKNOWN",
            Status::NotApplicable => "N/A",
            Status::Attested => "ATTESTED",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An operating system family that Hygeia knows how to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Linux distributions.
    Linux,
    /// Apple macOS.
    Macos,
    /// Microsoft Windows.
    Windows,
}

impl Platform {
    /// The platform this program was built for, if it is one Hygeia reads.
    pub fn current() -> Option<Platform> {
        if cfg!(target_os = "linux") {
            Some(Platform::Linux)
        } else if cfg!(target_os = "macos") {
            Some(Platform::Macos)
        } else if cfg!(target_os = "windows") {
            Some(Platform::Windows)
        } else {
            None
        }
    }

    /// The identifier used in JSON and snapshots.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Linux => "linux",
            Platform::Macos => "macos",
            Platform::Windows => "windows",
        }
    }

    /// Parses `linux`, `macos` or `windows`.
    pub fn parse(text: &str) -> Option<Platform> {
        match text {
            "linux" => Some(Platform::Linux),
            "macos" => Some(Platform::Macos),
            "windows" => Some(Platform::Windows),
            _ => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
