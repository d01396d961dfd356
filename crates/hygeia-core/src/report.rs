//! The report of one `hygeia check` run: the `hygeia.check/1` JSON document and what every
//! renderer reads.

use crate::attestation::Attestation;
use crate::catalog::Catalog;
use crate::finding::{Finding, UnknownCause};
use crate::model::{Area, Measured, Platform, Severity, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema identifier of the JSON report. Bump it on any incompatible change.
pub const REPORT_SCHEMA: &str = "hygeia.check/1";

/// The computer the report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostInfo {
    /// Host name.
    pub hostname: String,
    /// Operating-system family.
    pub platform: Platform,
    /// Operating system for people, e.g. "Debian GNU/Linux 12 (bookworm)".
    pub os: String,
    /// The user the check ran for.
    pub user: String,
    /// `live` or `snapshot`.
    pub source: String,
    /// When the facts were collected (RFC 3339).
    pub collected_at: String,
}

/// One control's result with everything a reader needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlResult {
    /// Control id.
    pub id: String,
    /// Control title.
    pub title: String,
    /// Guidance area.
    pub area: Area,
    /// Result.
    pub status: Status,
    /// Severity of a failure.
    pub severity: Severity,
    /// What was found, in one sentence.
    pub reason: String,
    /// Facts behind it.
    pub evidence: Vec<String>,
    /// Why it could not be measured, for `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_cause: Option<UnknownCause>,
    /// Automatic or attested.
    pub measured: Measured,
    /// Why it matters.
    pub why: String,
    /// HICP 2023 practice.
    pub hicp: String,
    /// NIST CSF 2.0 subcategory.
    pub csf: String,
    /// HIPAA Security Rule citation.
    pub hipaa: String,
    /// Fix steps for this computer's platform.
    pub fix: String,
    /// The stored answer, for attested controls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<Attestation>,
}

impl ControlResult {
    /// An attested control nobody has answered (or whose answer expired).
    pub fn awaits_answer(&self) -> bool {
        self.measured == Measured::Attested && self.unknown_cause == Some(UnknownCause::NotAttested)
    }

    /// Whether this result asks the reader to act.
    pub fn needs_action(&self) -> bool {
        matches!(self.status, Status::Fail | Status::Warn)
    }
}

/// Counts per status and failures per severity. Derived from the controls: a reader that only
/// needs the controls (the server) accepts a document whose summary is missing or partial.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    /// Number of controls.
    pub total: usize,
    /// Controls per status (every status present, zero or not).
    pub by_status: BTreeMap<String, usize>,
    /// Failing controls per severity.
    pub failing_by_severity: BTreeMap<String, usize>,
    /// Attested controls nobody has answered (or whose answer expired); counted in `unknown`.
    pub awaiting_answer: usize,
    /// One sentence for people.
    pub headline: String,
}

/// A whole `hygeia check` report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_SCHEMA`] when this build wrote it; a reader checks it before anything else
    /// (see [`schema_of`]).
    pub schema: String,
    /// The computer.
    pub host: HostInfo,
    /// When the report was produced (RFC 3339).
    pub generated_at: String,
    /// Counts.
    #[serde(default)]
    pub summary: Summary,
    /// One entry per catalog control, grouped by area in catalog order.
    pub controls: Vec<ControlResult>,
}

impl Report {
    /// Joins catalog entries with their findings. `findings` must hold one finding per control
    /// id; a control without a finding is reported `unknown` so that nothing silently passes.
    pub fn build(
        host: HostInfo,
        generated_at: String,
        catalog: &Catalog,
        mut findings: BTreeMap<String, Finding>,
        attestations: &BTreeMap<String, Attestation>,
    ) -> Report {
        let mut controls = Vec::with_capacity(catalog.controls.len());
        for area in Area::ALL {
            for control in catalog.controls.iter().filter(|c| c.area == area) {
                let finding = findings.remove(&control.id).unwrap_or_else(|| {
                    Finding::unknown(
                        UnknownCause::UnsupportedPlatform,
                        "This version of Hygeia has no measurement for it.",
                    )
                });
                controls.push(ControlResult {
                    id: control.id.clone(),
                    title: control.title.clone(),
                    area: control.area,
                    status: finding.status,
                    severity: control.severity,
                    reason: finding.reason,
                    evidence: finding.evidence,
                    unknown_cause: finding.unknown_cause,
                    measured: control.measured,
                    why: control.why.clone(),
                    hicp: control.hicp.clone(),
                    csf: control.csf.clone(),
                    hipaa: control.hipaa.clone(),
                    fix: control.fix.for_platform(host.platform).to_string(),
                    attestation: attestations.get(&control.id).cloned(),
                });
            }
        }
        let summary = summarise(&controls);
        Report {
            schema: REPORT_SCHEMA.to_string(),
            host,
            generated_at,
            summary,
            controls,
        }
    }

    /// Results that ask the reader to act, most severe first (failures before warnings).
    pub fn to_fix_first(&self) -> Vec<&ControlResult> {
        let mut list: Vec<&ControlResult> =
            self.controls.iter().filter(|c| c.needs_action()).collect();
        list.sort_by(|a, b| {
            (b.status == Status::Fail)
                .cmp(&(a.status == Status::Fail))
                .then(b.severity.cmp(&a.severity))
        });
        list
    }

    /// Controls grouped by guidance area in report order, leaving out attested controls that
    /// await an answer (see [`Report::awaiting_answers`]); areas with nothing to show are skipped.
    pub fn by_area(&self) -> Vec<(Area, Vec<&ControlResult>)> {
        Area::ALL
            .into_iter()
            .map(|area| {
                (
                    area,
                    self.controls
                        .iter()
                        .filter(|c| c.area == area && !c.awaits_answer())
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, controls)| !controls.is_empty())
            .collect()
    }

    /// Attested controls nobody has answered (or whose answer expired).
    pub fn awaiting_answers(&self) -> Vec<&ControlResult> {
        self.controls.iter().filter(|c| c.awaits_answer()).collect()
    }

    /// Exit code for `--fail-on`: 1 when any control fails at or above `threshold`, else 0.
    pub fn exit_code(&self, threshold: Option<Severity>) -> i32 {
        match threshold {
            Some(min)
                if self
                    .controls
                    .iter()
                    .any(|c| c.status == Status::Fail && c.severity >= min) =>
            {
                1
            }
            _ => 0,
        }
    }
}

/// Why a document is not a `hygeia.check/1` report.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    /// Not JSON, or not the shape of a report.
    #[error("the report is not a valid {REPORT_SCHEMA} document: {0}")]
    Malformed(String),
    /// A report of another schema (a newer or older writer).
    #[error("the report has schema {0:?}; this build reads {REPORT_SCHEMA:?}")]
    Schema(String),
}

/// Only the schema of a document, read first so that a report of another schema is named as
/// such rather than as a malformed one.
#[derive(Deserialize)]
struct SchemaOnly {
    schema: String,
}

/// The schema a JSON document declares (at most 64 characters of it).
pub fn schema_of(json: &[u8]) -> Result<String, ReadError> {
    serde_json::from_slice::<SchemaOnly>(json)
        .map(|d| d.schema.chars().take(64).collect())
        .map_err(|e| ReadError::Malformed(e.to_string()))
}

impl Report {
    /// Reads a `hygeia.check/1` document. serde's message names the line and column; the
    /// document itself is never echoed into the error.
    pub fn from_json(json: &[u8]) -> Result<Report, ReadError> {
        let schema = schema_of(json)?;
        if schema != REPORT_SCHEMA {
            return Err(ReadError::Schema(schema));
        }
        serde_json::from_slice(json).map_err(|e| ReadError::Malformed(e.to_string()))
    }
}

fn summarise(controls: &[ControlResult]) -> Summary {
    let mut by_status: BTreeMap<String, usize> = [
        Status::Pass,
        Status::Fail,
        Status::Warn,
        Status::Unknown,
        Status::NotApplicable,
        Status::Attested,
    ]
    .into_iter()
    .map(|s| (s.as_str().to_string(), 0))
    .collect();
    let mut failing_by_severity: BTreeMap<String, usize> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .into_iter()
    .map(|s| (s.as_str().to_string(), 0))
    .collect();
    for control in controls {
        *by_status
            .entry(control.status.as_str().to_string())
            .or_default() += 1;
        if control.status == Status::Fail {
            *failing_by_severity
                .entry(control.severity.as_str().to_string())
                .or_default() += 1;
        }
    }
    let count = |s: Status| by_status.get(s.as_str()).copied().unwrap_or(0);
    let awaiting_answer = controls
        .iter()
        .filter(|c| c.unknown_cause == Some(UnknownCause::NotAttested))
        .count();
    let not_checked = count(Status::Unknown) - awaiting_answer;
    let questions = match awaiting_answer {
        0 => String::new(),
        1 => ", 1 question to answer".to_string(),
        n => format!(", {n} questions to answer"),
    };
    let (fail, warn) = (count(Status::Fail), count(Status::Warn));
    let critical_high = failing_by_severity.get("critical").copied().unwrap_or(0)
        + failing_by_severity.get("high").copied().unwrap_or(0);
    let headline = if fail == 0 && warn == 0 {
        format!(
            "Nothing to fix among the {} controls Hygeia could measure or that were attested; {} could not be checked{questions}.",
            count(Status::Pass) + count(Status::Attested),
            not_checked
        )
    } else {
        format!(
            "{fail} to fix ({critical_high} critical or high), {warn} to look at, {} passed, {} attested, {} could not be checked{questions}.",
            count(Status::Pass),
            count(Status::Attested),
            not_checked
        )
    };
    Summary {
        total: controls.len(),
        by_status,
        failing_by_severity,
        awaiting_answer,
        headline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let catalog = Catalog::builtin().unwrap();
        let mut findings = BTreeMap::new();
        findings.insert(
            "HY-PC-001".to_string(),
            Finding::fail("Windows 7 no longer gets security updates.").with("os: Windows 7"),
        );
        let mut answers = BTreeMap::new();
        answers.insert(
            "HY-BK-003".to_string(),
            Attestation {
                answer: true,
                by: "drlee".into(),
                at: "2026-11-28T12:00:00Z".into(),
                note: Some("USB disk in the safe".into()),
            },
        );
        Report::build(
            HostInfo {
                hostname: "clinic-laptop".into(),
                platform: Platform::Windows,
                os: "Windows 7".into(),
                user: "drlee".into(),
                source: "live".into(),
                collected_at: "2026-11-28T12:00:00Z".into(),
            },
            "2026-11-28T12:00:01Z".into(),
            &catalog,
            findings,
            &answers,
        )
    }

    #[test]
    fn a_written_report_reads_back_the_same() {
        let report = sample();
        let json = serde_json::to_vec(&report).unwrap();
        let read = Report::from_json(&json).unwrap();
        assert_eq!(read, report);
        assert_eq!(read.summary.by_status["fail"], 1);
        let answered = read.controls.iter().find(|c| c.id == "HY-BK-003").unwrap();
        assert_eq!(answered.attestation.as_ref().unwrap().by, "drlee");
    }

    #[test]
    fn another_schema_is_named_not_called_malformed() {
        let error = Report::from_json(br#"{"schema": "hygeia.check/2", "controls": 7}"#);
        assert_eq!(error, Err(ReadError::Schema("hygeia.check/2".into())));
    }

    #[test]
    fn a_document_that_is_not_a_report_is_malformed_with_its_position() {
        let error =
            Report::from_json(b"{\"schema\": \"hygeia.check/1\", \"host\": 3}").unwrap_err();
        let ReadError::Malformed(message) = error else {
            panic!("{error:?}")
        };
        assert!(message.contains("column"), "{message}");
        assert!(matches!(
            Report::from_json(b"not json"),
            Err(ReadError::Malformed(_))
        ));
    }

    #[test]
    fn a_missing_summary_reads_as_empty_because_it_is_derived() {
        let mut value = serde_json::to_value(sample()).unwrap();
        value.as_object_mut().unwrap().remove("summary");
        let read = Report::from_json(value.to_string().as_bytes()).unwrap();
        assert_eq!(read.summary, Summary::default());
        assert_eq!(read.controls.len(), sample().controls.len());
    }
}
