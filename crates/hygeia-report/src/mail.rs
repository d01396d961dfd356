//! `hygeia mail` output: the verdicts of a scan (a terminal table or JSON Lines) and the
//! detection figures of an evaluation (a table or one JSON document).

use crate::text::shorten;
use hygeia_mail::Verdict;
use hygeia_mail::batch::{Evaluation, Scanned};
use hygeia_mail::source::InputError;
use hygeia_mail::tally::IndicatorTally;
use serde_json::json;
use std::fmt::Write as _;

/// A finished scan: every message analysed, those to show, the inputs that could not be read.
#[derive(Debug, Clone, Copy)]
pub struct ScanOutcome<'a> {
    /// Every message analysed (the counts are over these).
    pub scanned: &'a [Scanned],
    /// The messages to list (all, or those at a verdict or above).
    pub shown: &'a [&'a Scanned],
    /// Inputs that could not be read.
    pub errors: &'a [InputError],
    /// Seconds spent.
    pub seconds: f64,
}

impl ScanOutcome<'_> {
    fn count(&self, verdict: Verdict) -> usize {
        self.scanned
            .iter()
            .filter(|s| s.analysis.verdict == verdict)
            .count()
    }
}

/// One line per shown message (verdict, score, where), its sender, subject and first three
/// reasons; then the counts.
pub fn scan_terminal(outcome: &ScanOutcome) -> String {
    let mut out = String::new();
    for s in outcome.shown {
        let a = &s.analysis;
        let _ = writeln!(
            out,
            "{:<10} {:>5.1}  {}",
            a.verdict.as_str().to_uppercase(),
            a.score,
            shorten(&s.origin, 1_000)
        );
        let _ = writeln!(out, "                  From: {}", shorten(&a.from, 80));
        let _ = writeln!(
            out,
            "                  Subject: {}",
            shorten(&a.subject, 80)
        );
        for indicator in a.indicators.iter().take(3) {
            let _ = writeln!(
                out,
                "                  - {}",
                shorten(&indicator.explanation, 120)
            );
        }
    }
    let _ = writeln!(
        out,
        "{} message(s): {} phishing, {} suspicious, {} clean ({:.2} s).",
        outcome.scanned.len(),
        outcome.count(Verdict::Phishing),
        outcome.count(Verdict::Suspicious),
        outcome.count(Verdict::Clean),
        outcome.seconds
    );
    out
}

/// One JSON object per shown message (its analysis and `path`), then one `summary` object.
pub fn scan_json_lines(outcome: &ScanOutcome) -> String {
    let mut out = String::new();
    for s in outcome.shown {
        let mut object =
            serde_json::to_value(&s.analysis).unwrap_or_else(|e| json!({"error": e.to_string()}));
        if let Some(map) = object.as_object_mut() {
            map.insert("path".into(), json!(s.origin));
        }
        let _ = writeln!(out, "{object}");
    }
    let summary = json!({"summary": {
        "messages": outcome.scanned.len(),
        "phishing": outcome.count(Verdict::Phishing),
        "suspicious": outcome.count(Verdict::Suspicious),
        "clean": outcome.count(Verdict::Clean),
        "input_errors": outcome.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        "seconds": (outcome.seconds * 1000.0).round() / 1000.0,
    }});
    let _ = writeln!(out, "{summary}");
    out
}

fn messages_per_second(evaluation: &Evaluation) -> f64 {
    if evaluation.seconds > 0.0 {
        evaluation.metrics.messages as f64 / evaluation.seconds
    } else {
        0.0
    }
}

/// The evaluation as one JSON document: folders, figures, speed and every indicator's tally.
pub fn eval_json(evaluation: &Evaluation) -> String {
    let m = &evaluation.metrics;
    let folders: Vec<_> = evaluation
        .folders
        .iter()
        .map(|r| {
            json!({"path": r.path, "label": if r.phishing_set {"phish"} else {"ham"}, "messages": r.messages,
                "phishing": r.phishing, "suspicious": r.suspicious, "flagged_share": r.flagged_share()})
        })
        .collect();
    let indicators: Vec<_> = evaluation
        .tally
        .top(usize::MAX)
        .iter()
        .map(|(id, r)| {
            json!({"id": id, "phish": r.phish, "phish_missed": r.phish_missed,
                "ham": r.ham, "ham_flagged": r.ham_flagged})
        })
        .collect();
    format!(
        "{}\n",
        json!({"folders": folders, "precision": m.precision, "recall": m.recall,
            "false_positive_rate": m.false_positive_rate, "ham_phishing_share": m.ham_phishing_share,
            "f1": m.f1, "messages_per_second": messages_per_second(evaluation),
            "threads": evaluation.threads, "indicators": indicators})
    )
}

/// The evaluation as a table per folder, the figures, the speed and the indicators that fired
/// most.
pub fn eval_terminal(evaluation: &Evaluation) -> String {
    let m = &evaluation.metrics;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<6} {:>8} {:>9} {:>10} {:>8}  folder",
        "label", "messages", "phishing", "suspicious", "flagged"
    );
    for r in &evaluation.folders {
        let _ = writeln!(
            out,
            "{:<6} {:>8} {:>9} {:>10} {:>7.1}%  {}",
            if r.phishing_set { "phish" } else { "ham" },
            r.messages,
            r.phishing,
            r.suspicious,
            100.0 * r.flagged_share(),
            r.path
        );
    }
    let _ = writeln!(
        out,
        "precision {:.3}  recall {:.3}  false-positive rate {:.4}  ham as phishing {:.4}  F1 {:.3}",
        m.precision, m.recall, m.false_positive_rate, m.ham_phishing_share, m.f1
    );
    let rate = messages_per_second(evaluation);
    let _ = writeln!(
        out,
        "{} messages in {:.2} s on {} thread(s): {rate:.0} messages/s ({:.0} per thread)",
        m.messages,
        evaluation.seconds,
        evaluation.threads,
        rate / evaluation.threads.max(1) as f64
    );
    tally_table(&mut out, &evaluation.tally);
    out
}

/// The indicators that fired most, with what they did on each kind of mail: the confusion a
/// reviewer reads before changing a weight.
fn tally_table(out: &mut String, tally: &IndicatorTally) {
    let top = tally.top(15);
    if top.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nMost frequent indicators: on phishing (of those still clean) | on legitimate mail (of those flagged)"
    );
    for (id, row) in top {
        let _ = writeln!(
            out,
            "  {id:<36} {:>6} ({:>5}) | {:>5} ({:>4})",
            row.phish, row.phish_missed, row.ham, row.ham_flagged
        );
    }
}
