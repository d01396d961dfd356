//! What a rule returns for one control.

use crate::model::Status;
use serde::{Deserialize, Serialize};

/// Why a control could not be measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownCause {
    /// The program that reports this is not installed.
    CommandMissing,
    /// The program did not answer within its time limit.
    TimedOut,
    /// Reading it needs administrator rights.
    PermissionDenied,
    /// Hygeia does not measure this on this operating system.
    UnsupportedPlatform,
    /// The output could not be understood.
    Unreadable,
    /// A person has not answered (or the answer expired).
    NotAttested,
    /// Not enough information on this computer to decide.
    Inconclusive,
}

/// The outcome of one control on one computer: a status, a sentence saying why, and the facts
/// it was based on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The result.
    pub status: Status,
    /// One plain sentence: what was found.
    pub reason: String,
    /// Facts behind the result (command outputs summarised, file names, values).
    pub evidence: Vec<String>,
    /// For `unknown`: why it could not be measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_cause: Option<UnknownCause>,
}

impl Finding {
    fn new(status: Status, reason: impl Into<String>) -> Finding {
        Finding {
            status,
            reason: reason.into(),
            evidence: Vec::new(),
            unknown_cause: None,
        }
    }

    /// Measured and in order.
    pub fn pass(reason: impl Into<String>) -> Finding {
        Finding::new(Status::Pass, reason)
    }

    /// Measured and not in order.
    pub fn fail(reason: impl Into<String>) -> Finding {
        Finding::new(Status::Fail, reason)
    }

    /// Measured; worth attention.
    pub fn warn(reason: impl Into<String>) -> Finding {
        Finding::new(Status::Warn, reason)
    }

    /// Declared in place by a person, not measured.
    pub fn attested(reason: impl Into<String>) -> Finding {
        Finding::new(Status::Attested, reason)
    }

    /// Does not apply here.
    pub fn not_applicable(reason: impl Into<String>) -> Finding {
        Finding::new(Status::NotApplicable, reason)
    }

    /// Could not be measured.
    pub fn unknown(cause: UnknownCause, reason: impl Into<String>) -> Finding {
        Finding {
            unknown_cause: Some(cause),
            ..Finding::new(Status::Unknown, reason)
        }
    }

    /// Adds one line of evidence.
    pub fn with(mut self, evidence: impl Into<String>) -> Finding {
        self.evidence.push(evidence.into());
        self
    }

    /// Adds several lines of evidence.
    pub fn with_all<I, S>(mut self, evidence: I) -> Finding
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.evidence.extend(evidence.into_iter().map(Into::into));
        self
    }
}
