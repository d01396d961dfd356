//! Many messages at once: scanning inputs on several threads, reading labelled folders, and
//! measuring detection on them (per-folder counts, precision and recall, cross-validation of
//! the learned model). `hygeia mail scan`, `eval` and `train` print what these return.

use crate::learn::{MIN_TRAINING_MESSAGES, Model};
use crate::source::{InputError, InputKind, expand, read_input};
use crate::tally::IndicatorTally;
use crate::{Analysis, Context, Settings, Verdict, analyze_guarded};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One analysed message and where it came from.
#[derive(Debug)]
pub struct Scanned {
    /// `file`, `mbox#n`, `imap:INBOX/uid`.
    pub origin: String,
    /// The verdict with its reasons.
    pub analysis: Analysis,
}

/// Analyses every message of `inputs` on `jobs` threads, in the inputs' order. `progress` is
/// told (finished inputs, all inputs) every 100 inputs and at the end. Returns the messages,
/// the inputs that could not be read, and the seconds taken.
pub fn scan(
    inputs: &[(PathBuf, InputKind)],
    max_bytes: usize,
    jobs: usize,
    context: &Context,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> (Vec<Scanned>, Vec<InputError>, f64) {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Vec<Scanned>)>> = Mutex::new(Vec::new());
    let errors: Mutex<Vec<InputError>> = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some((path, kind)) = inputs.get(index) else {
                        break;
                    };
                    let mut scanned = Vec::new();
                    let outcome = read_input(path, *kind, max_bytes, &mut |raw| {
                        let analysis = analyze_guarded(&raw.bytes, raw.truncated, context);
                        scanned.push(Scanned {
                            origin: raw.origin,
                            analysis,
                        });
                    });
                    if let Err(e) = outcome
                        && let Ok(mut list) = errors.lock()
                    {
                        list.push(e);
                    }
                    if let Ok(mut list) = results.lock() {
                        list.push((index, scanned));
                    }
                    let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if let Some(tell) = progress
                        && (finished.is_multiple_of(100) || finished == inputs.len())
                    {
                        tell(finished, inputs.len());
                    }
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(index, _)| *index);
    let scanned = results.into_iter().flat_map(|(_, s)| s).collect();
    (scanned, errors.into_inner().unwrap_or_default(), seconds)
}

/// The verdicts on one labelled folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderResult {
    /// The folder as given.
    pub path: String,
    /// Whether it holds phishing (else legitimate mail).
    pub phishing_set: bool,
    /// Messages read.
    pub messages: usize,
    /// Judged phishing.
    pub phishing: usize,
    /// Judged suspicious.
    pub suspicious: usize,
}

impl FolderResult {
    /// Counts the verdicts on a folder.
    pub fn new(path: &str, phishing_set: bool, verdicts: &[Verdict]) -> FolderResult {
        FolderResult {
            path: path.to_string(),
            phishing_set,
            messages: verdicts.len(),
            phishing: verdicts.iter().filter(|v| **v == Verdict::Phishing).count(),
            suspicious: verdicts
                .iter()
                .filter(|v| **v == Verdict::Suspicious)
                .count(),
        }
    }

    /// Share of its messages flagged (phishing or suspicious).
    pub fn flagged_share(&self) -> f64 {
        ratio(self.phishing + self.suspicious, self.messages)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Detection over labelled folders: a flagged message is phishing or suspicious.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// Flagged phishing among all flagged.
    pub precision: f64,
    /// Flagged phishing among all phishing.
    pub recall: f64,
    /// Flagged legitimate messages among all legitimate ones.
    pub false_positive_rate: f64,
    /// Legitimate messages judged phishing (not only suspicious) among all legitimate ones.
    pub ham_phishing_share: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Messages in all.
    pub messages: usize,
}

/// The metrics of a set of labelled folders.
pub fn metrics(folders: &[FolderResult]) -> Metrics {
    let sum = |phish: bool, f: &dyn Fn(&FolderResult) -> usize| {
        folders
            .iter()
            .filter(|r| r.phishing_set == phish)
            .map(f)
            .sum::<usize>()
    };
    let phish_total = sum(true, &|r| r.messages);
    let phish_flagged = sum(true, &|r| r.phishing + r.suspicious);
    let ham_total = sum(false, &|r| r.messages);
    let ham_flagged = sum(false, &|r| r.phishing + r.suspicious);
    let precision = ratio(phish_flagged, phish_flagged + ham_flagged);
    let recall = ratio(phish_flagged, phish_total);
    Metrics {
        precision,
        recall,
        false_positive_rate: ratio(ham_flagged, ham_total),
        ham_phishing_share: ratio(sum(false, &|r| r.phishing), ham_total),
        f1: if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        },
        messages: phish_total + ham_total,
    }
}

/// One message of a labelled folder, in memory.
#[derive(Debug)]
pub struct Labelled {
    /// Index of its folder in the order given.
    pub folder: usize,
    /// Whether the folder holds phishing.
    pub phishing: bool,
    /// The raw message.
    pub bytes: Vec<u8>,
}

/// Every message of the labelled folders (path, holds phishing), read into memory.
pub fn read_labelled(
    labelled: &[(&String, bool)],
    max_bytes: usize,
) -> (Vec<Labelled>, Vec<InputError>) {
    let mut messages = Vec::new();
    let mut errors = Vec::new();
    for (index, (path, phishing)) in labelled.iter().enumerate() {
        let (inputs, input_errors) = expand(std::slice::from_ref(*path));
        errors.extend(input_errors);
        for (input, kind) in &inputs {
            let outcome = read_input(input, *kind, max_bytes, &mut |raw| {
                messages.push(Labelled {
                    folder: index,
                    phishing: *phishing,
                    bytes: raw.bytes,
                });
            });
            if let Err(e) = outcome {
                errors.push(e);
            }
        }
    }
    (messages, errors)
}

/// A model learned from labelled messages; `Err` with what is missing when there are too few.
pub fn train<'a>(messages: impl IntoIterator<Item = &'a Labelled>) -> Result<Model, String> {
    let mut model = Model::new();
    for message in messages {
        model.learn(&crate::message::parse(&message.bytes), message.phishing);
    }
    if model.is_trained() {
        Ok(model)
    } else {
        Err(format!(
            "learned {} phishing and {} legitimate messages; at least {MIN_TRAINING_MESSAGES} of each are needed for a model that does not guess",
            model.phish_messages, model.ham_messages
        ))
    }
}

/// Cross-validation in `folds` parts: message i belongs to part i mod `folds`; each part is
/// judged by a model trained on the other parts, so no message is judged by a model that has
/// seen it. Returns the folders' results, the inputs that could not be read, and the seconds.
pub fn cross_validate(
    labelled: &[(&String, bool)],
    folds: usize,
    max_bytes: usize,
    context: &Context,
) -> Result<(Vec<FolderResult>, Vec<InputError>, f64), String> {
    if folds < 2 {
        return Err("--cross-validate needs at least 2 parts".into());
    }
    let (messages, errors) = read_labelled(labelled, max_bytes);
    let started = Instant::now();
    let parsed: Vec<crate::message::Mail> = messages
        .iter()
        .map(|m| crate::message::parse(&m.bytes))
        .collect();
    let mut verdicts: Vec<Vec<Verdict>> = vec![Vec::new(); labelled.len()];
    for fold in 0..folds {
        let mut model = Model::new();
        for (i, (message, mail)) in messages.iter().zip(&parsed).enumerate() {
            if i % folds != fold {
                model.learn(mail, message.phishing);
            }
        }
        if !model.is_trained() {
            return Err(format!(
                "too few messages to train on: at least {MIN_TRAINING_MESSAGES} phishing and {MIN_TRAINING_MESSAGES} legitimate ones are needed in each training part"
            ));
        }
        let settings = Settings {
            model: Some(Arc::new(model)),
            ..context.settings.clone()
        };
        let fold_context = Context {
            catalog: context.catalog,
            settings: &settings,
            verifier: context.verifier,
        };
        for (i, message) in messages.iter().enumerate() {
            if i % folds == fold {
                verdicts[message.folder]
                    .push(analyze_guarded(&message.bytes, None, &fold_context).verdict);
            }
        }
    }
    let results = labelled
        .iter()
        .zip(&verdicts)
        .map(|((path, phishing), v)| FolderResult::new(path, *phishing, v))
        .collect();
    Ok((results, errors, started.elapsed().as_secs_f64()))
}

/// A detection run over labelled folders: what `hygeia mail eval` reports.
#[derive(Debug)]
pub struct Evaluation {
    /// Per folder, in the order given.
    pub folders: Vec<FolderResult>,
    /// Over all folders.
    pub metrics: Metrics,
    /// Which indicators fired on which kind of mail (empty under cross-validation, whose
    /// verdicts come from models that differ per part).
    pub tally: IndicatorTally,
    /// Inputs that could not be read.
    pub errors: Vec<InputError>,
    /// Seconds spent analysing.
    pub seconds: f64,
    /// Threads used.
    pub threads: usize,
}

/// Measures detection on labelled folders (`(path, holds phishing)`): every message judged as
/// `hygeia mail scan` would, on `jobs` threads; or with `cross_validate` parts, each part
/// judged by a model trained on the others (one thread).
pub fn evaluate(
    labelled: &[(&String, bool)],
    cross_validate_parts: Option<usize>,
    max_bytes: usize,
    jobs: usize,
    context: &Context,
) -> Result<Evaluation, String> {
    if let Some(parts) = cross_validate_parts {
        let (folders, errors, seconds) = cross_validate(labelled, parts, max_bytes, context)?;
        return Ok(Evaluation {
            metrics: metrics(&folders),
            folders,
            tally: IndicatorTally::default(),
            errors,
            seconds,
            threads: 1,
        });
    }
    let mut evaluation = Evaluation {
        folders: Vec::new(),
        metrics: metrics(&[]),
        tally: IndicatorTally::default(),
        errors: Vec::new(),
        seconds: 0.0,
        threads: jobs,
    };
    for (path, phishing_set) in labelled {
        let (inputs, input_errors) = expand(std::slice::from_ref(*path));
        let (scanned, read_errors, seconds) = scan(&inputs, max_bytes, jobs, context, None);
        evaluation.errors.extend(input_errors);
        evaluation.errors.extend(read_errors);
        evaluation.seconds += seconds;
        for s in &scanned {
            evaluation.tally.add(&s.analysis, *phishing_set);
        }
        let verdicts: Vec<Verdict> = scanned.iter().map(|s| s.analysis.verdict).collect();
        evaluation
            .folders
            .push(FolderResult::new(path, *phishing_set, &verdicts));
    }
    evaluation.metrics = metrics(&evaluation.folders);
    Ok(evaluation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_count_flagged_messages() {
        let folders = [
            FolderResult {
                path: "phish".into(),
                phishing_set: true,
                messages: 10,
                phishing: 6,
                suspicious: 2,
            },
            FolderResult {
                path: "ham".into(),
                phishing_set: false,
                messages: 100,
                phishing: 1,
                suspicious: 1,
            },
        ];
        let m = metrics(&folders);
        assert_eq!(m.messages, 110);
        assert!((m.recall - 0.8).abs() < 1e-9);
        assert!((m.precision - 0.8).abs() < 1e-9);
        assert!((m.false_positive_rate - 0.02).abs() < 1e-9);
        assert!((m.ham_phishing_share - 0.01).abs() < 1e-9);
        assert!((m.f1 - 0.8).abs() < 1e-9);
        assert_eq!(metrics(&[]).f1, 0.0);
    }
}
