//! `learned.like-your-phishing`: the message resembles the phishing and scam mail the practice
//! labelled for `hygeia mail train`. Only given with `--model`; never subtracts from the score,
//! so a model cannot talk a lure into "clean".

use super::{Context, Indicator};
use crate::message::Mail;

/// Probability from which the resemblance is reported, and the weights above it.
const REPORT_FROM: f64 = 0.9;

pub(crate) fn check(mail: &Mail, context: &Context, found: &mut Vec<Indicator>) {
    let Some(model) = &context.settings.model else {
        return;
    };
    let Some(judgement) = model.judge(mail) else {
        return;
    };
    if judgement.probability < REPORT_FROM {
        return;
    }
    let weight = if judgement.probability >= 0.99 {
        3.0
    } else if judgement.probability >= 0.95 {
        2.0
    } else {
        1.0
    };
    let words = judgement
        .clues
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    found.push(Indicator::new(
        "learned.like-your-phishing",
        weight,
        format!(
            "The message is very like the phishing and scam mail your practice labelled for training ({:.0}% by the trained model), for example in {words}.",
            judgement.probability * 100.0
        ),
        format!("probability {:.3}; {words}", judgement.probability),
    ));
}
