//! How each indicator behaves on labelled mail (`hygeia mail eval`): on how many known
//! phishing and known legitimate messages it fired, how many of the legitimate ones were then
//! flagged (the false positives it helped make) and how many of the phishing ones still came
//! out clean (where it was not enough). This is what a reviewer reads before changing a weight.

use crate::{Analysis, Verdict};
use std::collections::BTreeMap;

/// One indicator's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TallyRow {
    /// Phishing messages it fired on.
    pub phish: usize,
    /// Of those, still called clean.
    pub phish_missed: usize,
    /// Legitimate messages it fired on.
    pub ham: usize,
    /// Of those, flagged (suspicious or phishing).
    pub ham_flagged: usize,
}

/// Counts per indicator id.
#[derive(Debug, Clone, Default)]
pub struct IndicatorTally {
    rows: BTreeMap<&'static str, TallyRow>,
}

impl IndicatorTally {
    /// Counts the indicators of one analysed message, each once per message.
    pub fn add(&mut self, analysis: &Analysis, phishing_set: bool) {
        let mut ids: Vec<&'static str> = analysis.indicators.iter().map(|i| i.id).collect();
        ids.sort_unstable();
        ids.dedup();
        let flagged = analysis.verdict != Verdict::Clean;
        for id in ids {
            let row = self.rows.entry(id).or_default();
            if phishing_set {
                row.phish += 1;
                row.phish_missed += usize::from(!flagged);
            } else {
                row.ham += 1;
                row.ham_flagged += usize::from(flagged);
            }
        }
    }

    /// Adds another tally's counts (one per worker or per folder).
    pub fn merge(&mut self, other: &IndicatorTally) {
        for (id, row) in &other.rows {
            let mine = self.rows.entry(id).or_default();
            mine.phish += row.phish;
            mine.phish_missed += row.phish_missed;
            mine.ham += row.ham;
            mine.ham_flagged += row.ham_flagged;
        }
    }

    /// The `n` indicators that fired most often, on both kinds of mail together (ties by id).
    pub fn top(&self, n: usize) -> Vec<(&'static str, TallyRow)> {
        let mut rows: Vec<(&'static str, TallyRow)> =
            self.rows.iter().map(|(id, row)| (*id, *row)).collect();
        rows.sort_by(|a, b| {
            (b.1.phish + b.1.ham)
                .cmp(&(a.1.phish + a.1.ham))
                .then(a.0.cmp(b.0))
        });
        rows.truncate(n);
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Indicator;

    fn analysis(verdict: Verdict, ids: &[&'static str]) -> Analysis {
        Analysis {
            message_id: None,
            from: String::new(),
            subject: String::new(),
            verdict,
            score: 0.0,
            indicators: ids
                .iter()
                .map(|id| Indicator::new(id, 1.0, "", ""))
                .collect(),
        }
    }

    #[test]
    fn counts_each_indicator_once_per_message_by_outcome() {
        let mut tally = IndicatorTally::default();
        tally.add(
            &analysis(Verdict::Phishing, &["link.shortener", "link.shortener"]),
            true,
        );
        tally.add(&analysis(Verdict::Clean, &["link.shortener"]), true);
        tally.add(
            &analysis(Verdict::Suspicious, &["link.shortener", "content.lure"]),
            false,
        );
        tally.add(&analysis(Verdict::Clean, &["content.lure"]), false);
        let mut other = IndicatorTally::default();
        other.add(&analysis(Verdict::Clean, &["content.lure"]), false);
        tally.merge(&other);
        // Three messages each: the tie is broken by id.
        assert_eq!(
            tally.top(5),
            vec![
                (
                    "content.lure",
                    TallyRow {
                        phish: 0,
                        phish_missed: 0,
                        ham: 3,
                        ham_flagged: 1
                    }
                ),
                (
                    "link.shortener",
                    TallyRow {
                        phish: 2,
                        phish_missed: 1,
                        ham: 1,
                        ham_flagged: 1
                    }
                ),
            ]
        );
        assert_eq!(tally.top(1).len(), 1);
    }
}
