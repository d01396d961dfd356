//! SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format): the document security teams
//! load into their dashboards (DefectDojo, GitHub code scanning, Azure DevOps, SIEM importers).
//! One run per document; every result names its rule, and every rule carries its guidance.
//!
//! A result about a computer, a message or a device has no file and line, so it is placed by a
//! logical location (the computer's name, the message's origin, the device's name).

use crate::devices::{first_action, is_web_link};
use hygeia_core::model::{Severity, Status};
use hygeia_core::report::Report;
use hygeia_devices::MatchReport;
use hygeia_devices::priority::Priority;
use hygeia_mail::Verdict;
use hygeia_mail::batch::Scanned;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";
/// The schema a SARIF 2.1.0 document names.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `security-severity`, the 0-10 figure dashboards sort by (the CVSS bands).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
    }
}

/// A whole document around one run.
fn document(driver: Value, results: Vec<Value>, properties: Value) -> String {
    let document = json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": driver},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": properties,
        }],
    });
    // Serialising a Value cannot fail; fall back to an error object anyway.
    serde_json::to_string_pretty(&document).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn driver(name: &str, rules: Vec<Value>) -> Value {
    json!({
        "name": name,
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    })
}

fn placed_at(name: &str) -> Value {
    json!([{"logicalLocations": [{"name": name, "kind": "resource"}]}])
}

/// SARIF's kind and level of a control's status: failures are `error`, warnings `warning`;
/// what passed, was attested, does not apply or could not be measured carries no level.
fn kind_and_level(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Fail => ("fail", "error"),
        Status::Warn => ("fail", "warning"),
        Status::Pass | Status::Attested => ("pass", "none"),
        Status::NotApplicable => ("notApplicable", "none"),
        Status::Unknown => ("open", "none"),
    }
}

/// A `hygeia check` report: one rule per control (its guidance and references), one result per
/// control of this computer.
pub fn check(report: &Report) -> String {
    let rules: Vec<Value> = report
        .controls
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.title,
                "shortDescription": {"text": c.title},
                "fullDescription": {"text": c.why},
                "help": {"text": c.fix},
                "defaultConfiguration": {"level": if c.severity >= Severity::High { "error" } else { "warning" }},
                "properties": {
                    "tags": ["security", c.area.as_str()],
                    "security-severity": security_severity(c.severity),
                    "severity": c.severity.as_str(),
                    "hicp": c.hicp,
                    "csf": c.csf,
                    "hipaa": c.hipaa,
                },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .controls
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let (kind, level) = kind_and_level(c.status);
            let mut properties = json!({"status": c.status.as_str(), "evidence": c.evidence});
            if let Some(cause) = c.unknown_cause {
                properties["unknown_cause"] = json!(cause);
            }
            json!({
                "ruleId": c.id,
                "ruleIndex": index,
                "kind": kind,
                "level": level,
                "message": {"text": c.reason},
                "locations": placed_at(&report.host.hostname),
                "properties": properties,
            })
        })
        .collect();
    document(
        driver("hygeia check", rules),
        results,
        json!({"host": report.host, "generated_at": report.generated_at, "summary": report.summary.headline}),
    )
}

/// The rules of `hygeia mail`: one per verdict that asks the reader to act.
const MAIL_RULES: [(&str, Verdict, &str, &str); 2] = [
    (
        "HY-MAIL-PHISHING",
        Verdict::Phishing,
        "Message judged phishing",
        "Do not click its links, open its attachments or reply. Report it to the practice's administrator, then delete it.",
    ),
    (
        "HY-MAIL-SUSPICIOUS",
        Verdict::Suspicious,
        "Message judged suspicious",
        "Check the sender by phone or a known address before acting on it.",
    ),
];

/// A `hygeia mail` scan: one result per message listed; phishing is an `error`, suspicious a
/// `warning`, clean mail a pass. Every reason found is in the message text.
pub fn mail(shown: &[&Scanned]) -> String {
    let rules: Vec<Value> = MAIL_RULES
        .iter()
        .map(|(id, verdict, title, help)| {
            json!({
                "id": id,
                "name": title,
                "shortDescription": {"text": title},
                "help": {"text": help},
                "defaultConfiguration": {"level": if *verdict == Verdict::Phishing { "error" } else { "warning" }},
                "properties": {"tags": ["security", "email"]},
            })
        })
        .collect();
    let results: Vec<Value> = shown
        .iter()
        .map(|s| {
            let a = &s.analysis;
            let reasons: Vec<&str> = a
                .indicators
                .iter()
                .map(|i| i.explanation.as_str())
                .collect();
            let text = format!(
                "{} (score {:.1}): from {}, subject {:?}. {}",
                a.verdict.as_str(),
                a.score,
                a.from,
                a.subject,
                if reasons.is_empty() {
                    "No warning sign found.".to_string()
                } else {
                    reasons.join(" ")
                }
            );
            let indicators: Vec<Value> = a
                .indicators
                .iter()
                .map(|i| json!({"id": i.id, "weight": i.weight, "evidence": i.evidence}))
                .collect();
            let mut result = json!({
                "message": {"text": text},
                "locations": placed_at(&s.origin),
                "properties": {"verdict": a.verdict.as_str(), "score": a.score, "indicators": indicators},
            });
            match MAIL_RULES.iter().position(|r| r.1 == a.verdict) {
                Some(index) => {
                    result["ruleId"] = json!(MAIL_RULES[index].0);
                    result["ruleIndex"] = json!(index);
                    result["kind"] = json!("fail");
                    result["level"] =
                        json!(if a.verdict == Verdict::Phishing { "error" } else { "warning" });
                }
                None => {
                    // Clean mail breaks no rule: it is reported as a pass of the phishing rule.
                    result["ruleId"] = json!(MAIL_RULES[0].0);
                    result["ruleIndex"] = json!(0);
                    result["kind"] = json!("pass");
                    result["level"] = json!("none");
                }
            }
            result
        })
        .collect();
    document(
        driver("hygeia mail", rules),
        results,
        json!({"messages": shown.len()}),
    )
}

fn priority_level(priority: Priority) -> &'static str {
    match priority {
        Priority::Critical | Priority::High => "error",
        Priority::Medium => "warning",
        Priority::Low => "note",
    }
}

/// A `hygeia devices match` report: one rule per advisory, one result per affected device and
/// advisory, with its priority, the basis of the match and the next step.
pub fn devices(report: &MatchReport) -> String {
    let mut index_of: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules: Vec<Value> = Vec::new();
    for f in &report.findings {
        if index_of.contains_key(f.advisory.as_str()) {
            continue;
        }
        index_of.insert(f.advisory.as_str(), rules.len());
        let mut rule = json!({
            "id": f.advisory,
            "name": f.title,
            "shortDescription": {"text": f.title},
            "properties": {"tags": ["security", "medical-devices"], "cves": f.cves},
        });
        if let Some(url) = f.url.as_deref().filter(|u| is_web_link(u)) {
            rule["helpUri"] = json!(url);
        }
        if let Some(cvss) = f.cvss {
            rule["properties"]["security-severity"] = json!(format!("{cvss:.1}"));
        }
        rules.push(rule);
    }
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.advisory,
                "ruleIndex": index_of.get(f.advisory.as_str()).copied().unwrap_or(0),
                "kind": "fail",
                "level": priority_level(f.priority),
                "message": {"text": format!(
                    "{} ({}) is affected by {}: {}. Next step: {}",
                    f.device_name, f.product, f.advisory, f.title, first_action(f)
                )},
                "locations": placed_at(&f.device_name),
                "properties": {
                    "priority": f.priority.as_str(),
                    "priority_reasons": f.priority_reasons,
                    "basis": f.basis.as_str(),
                    "basis_note": f.basis_note,
                    "cves": f.cves,
                    "kev": f.kev,
                    "ransomware": f.ransomware,
                    "device": f.device,
                },
            })
        })
        .collect();
    document(
        driver("hygeia devices", rules),
        results,
        json!({
            "generated_at": report.generated_at,
            "devices": report.devices,
            "advisories": report.advisories,
            "kev_version": report.kev_version,
        }),
    )
}
