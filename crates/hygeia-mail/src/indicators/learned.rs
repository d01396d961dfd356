//! `learned.like-your-phishing`: the message resembles the phishing and scam mail the practice
//! labelled for `hygeia mail train`. Only given with `--model`; never subtracts from the score,
//! so a model cannot talk a lure into "clean".

use super::{Context, Indicator};
use crate::message::Mail;
use crate::weights::{variant, weight};

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
    let id = "learned.like-your-phishing";
    let weight = if judgement.probability >= 0.99 {
        variant(id, "certain")
    } else if judgement.probability >= 0.95 {
        variant(id, "likely")
    } else {
        weight(id)
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
