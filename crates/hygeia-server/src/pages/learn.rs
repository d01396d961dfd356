//! The public pages a simulation's link leads to: the teachable moment right after the click
//! (what gave the message away), the look-alike sign-in form that records only *that*
//! something was typed, reporting, the open-tracking image, and the training module with its
//! quiz. Nobody signs in: the link's token says whose it is.

use super::layout::bare_page;
use super::{OpenForm, PageError, PageResult};
use crate::awareness::catalog::{self, Module, PICTURES, Template};
use crate::awareness::storage::{self, Event, LinkOwner};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

/// Training assigned after a click is due within this many days.
const TRAINING_DUE_DAYS: i64 = 14;

fn unknown_link() -> PageError {
    PageError::Shown {
        status: StatusCode::NOT_FOUND,
        message: "This link is not known: it may have been replaced by a newer message. If you were sent a suspicious message, report it to your practice.".into(),
    }
}

fn catalog_broken(e: String) -> PageError {
    PageError::Shown {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: format!("The training catalog of this server cannot be read ({e})."),
    }
}

/// The link's owner and the template as it was sent.
async fn owner_of(state: &AppState, token: &str) -> PageResult<(LinkOwner, Template)> {
    let mut tx = state.db.snapshot().await?;
    let owner = storage::link_owner(&mut tx, token).await?;
    tx.commit().await?;
    let owner = owner.ok_or_else(unknown_link)?;
    let template: Template =
        serde_json::from_str(&owner.template_json).map_err(|_| unknown_link())?;
    Ok((owner, template))
}

async fn practice_name(state: &AppState, practice_id: i64) -> PageResult<String> {
    let mut tx = state.db.snapshot().await?;
    let name: String = sqlx::Row::try_get(
        &sqlx::query("SELECT name FROM practices WHERE id = $1")
            .bind(practice_id)
            .fetch_one(&mut *tx)
            .await?,
        "name",
    )?;
    tx.commit().await?;
    Ok(name)
}

async fn record(state: &AppState, owner: &LinkOwner, event: Event) -> PageResult<bool> {
    let mut tx = state.db.write.begin().await?;
    let first = storage::record(&mut tx, owner.campaign_id, owner.user_id, event).await?;
    tx.commit().await?;
    Ok(first)
}

/// `GET /s/{token}`: the click. Counted once; the template's module is assigned.
pub async fn landing(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> PageResult<Response> {
    let (owner, template) = owner_of(&state, &token).await?;
    let first = record(&state, &owner, Event::Clicked).await?;
    if first {
        let mut tx = state.db.write.begin().await?;
        storage::assign(
            &mut tx,
            owner.practice_id,
            owner.user_id,
            &template.training,
            "clicked",
            Some(owner.campaign_id),
            TRAINING_DUE_DAYS * 86_400,
        )
        .await?;
        tx.commit().await?;
    }
    let practice = practice_name(&state, owner.practice_id).await?;
    let module = catalog::builtin()
        .map_err(catalog_broken)?
        .module(&template.training);
    let body = html! {
        h1 { "This was a phishing test from " (practice) }
        p.lead { "Nothing happened to your computer or your account. The message you clicked was sent by your practice to help everyone spot the real thing." }
        section.card aria-labelledby="flags" {
            h2 #flags { "What gave this message away" }
            ul { @for flag in &template.red_flags { li { (flag) } } }
        }
        section.card aria-labelledby="next" {
            h2 #next { "Next time" }
            p { "Stop before clicking: check the sender, hover over the link to read where it goes, and when in doubt open the service the way you always do. Report the message to your practice." }
            @if let Some(module) = module {
                p { a.button href={ "/s/" (token) "/learn" } { "Take the lesson: " (module.title) " (" (module.minutes) " minutes)" } }
            }
            form method="post" action={ "/s/" (token) "/report" } {
                button type="submit" { "I would have reported this message" }
            }
        }
        section.card aria-labelledby="lookalike" {
            h2 #lookalike { "The page an attacker would have shown you" }
            p { "A real phishing link opens a page like this one, made to look like a service you use. Whatever is typed here is not kept: Hygeia records only that something was typed." }
            form.stack method="post" action={ "/s/" (token) } autocomplete="off" {
                label { "E-mail or user name" input type="text" name="username" autocomplete="off"; }
                label { "Password" input type="password" name="password" autocomplete="off"; }
                button type="submit" { "Sign in" }
            }
        }
    };
    Ok(bare_page("This was a phishing test", body).into_response())
}

/// `POST /s/{token}`: something was typed in the look-alike form. The body is never read, so no
/// typed value can reach the database or a log.
pub async fn typed(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> PageResult<Response> {
    let (owner, template) = owner_of(&state, &token).await?;
    record(&state, &owner, Event::Clicked).await?;
    record(&state, &owner, Event::Submitted).await?;
    let body = html! {
        h1 { "On a real phishing page, this would now be with the attacker" }
        p.lead { "Hygeia did not keep what you typed, only that you typed something. An attacker's page keeps everything, and uses it within minutes." }
        p { "If you typed your real password, change it now from the service's own site, as you would after a real phishing message." }
        p { a.button href={ "/s/" (token) "/learn" } { "Take the lesson" } }
        p.hint { "The message was a test: " (template.name) "." }
    };
    Ok(bare_page("What you typed was not kept", body).into_response())
}

/// `POST /s/{token}/report`: the person reported the message.
pub async fn report(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> PageResult<Response> {
    let (owner, _) = owner_of(&state, &token).await?;
    record(&state, &owner, Event::Reported).await?;
    let body = html! {
        h1 { "Thank you for reporting" }
        p.lead { "Reporting is what protects everyone at the practice. For real messages, forward them as an attachment to your practice's report address, then delete them." }
        p { a.button href={ "/s/" (token) "/learn" } { "Take the lesson" } }
    };
    Ok(bare_page("Thank you for reporting", body).into_response())
}

/// The smallest transparent GIF.
const PIXEL: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// `GET /s/{token}/o.gif`: the open-tracking image, counted only when the campaign asked for it.
pub async fn opened(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if let Ok((owner, _)) = owner_of(&state, &token).await {
        let tracked = async {
            let mut tx = state.db.snapshot().await?;
            let row = sqlx::query("SELECT track_opens FROM campaigns WHERE id = $1")
                .bind(owner.campaign_id)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            sqlx::Row::try_get::<i64, _>(&row, "track_opens")
        }
        .await;
        if matches!(tracked, Ok(1)) {
            let _ = record(&state, &owner, Event::Opened).await;
        }
    }
    ([(header::CONTENT_TYPE, "image/gif")], PIXEL).into_response()
}

/// A module's page and its quiz, posted to `action` with the `hidden` fields.
pub fn module_page(action: &str, module: &Module, hidden: Markup) -> Markup {
    html! {
        h1 { (module.title) }
        p.hint { "About " (module.minutes) " minutes. Then five questions." }
        @for section in &module.sections {
            section.card {
                h2 { (section.heading) }
                @for paragraph in section.text.trim().split("\n\n") { p { (paragraph.trim()) } }
                @if let Some(picture) = &section.picture {
                    img.picture src={ "/training/pictures/" (picture) } alt=(section.alt.clone().unwrap_or_default());
                }
            }
        }
        form.quiz method="post" action=(action) {
            (hidden)
            h2 { "Check what you learned" }
            @for (n, question) in module.questions.iter().enumerate() {
                fieldset {
                    legend { (n + 1) ". " (question.text) }
                    @for (c, choice) in question.choices.iter().enumerate() {
                        label { input type="radio" name={ "q" (n) } value=(c) required; " " (choice) }
                    }
                }
            }
            button type="submit" { "Send my answers" }
        }
    }
}

async fn module_of(state: &AppState, token: &str) -> PageResult<(LinkOwner, &'static Module)> {
    let (owner, template) = owner_of(state, token).await?;
    let module = catalog::builtin()
        .map_err(catalog_broken)?
        .module(&template.training)
        .ok_or_else(unknown_link)?;
    Ok((owner, module))
}

/// `GET /s/{token}/learn`: the module the simulation points to.
pub async fn lesson(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> PageResult<Response> {
    let (_, module) = module_of(&state, &token).await?;
    Ok(bare_page(
        &module.title,
        module_page(&format!("/s/{token}/learn"), module, html! {}),
    )
    .into_response())
}

/// `POST /s/{token}/learn`: the quiz's answers, scored and kept (score only).
pub async fn answers(
    State(state): State<AppState>,
    Path(token): Path<String>,
    OpenForm(fields): OpenForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let (owner, module) = module_of(&state, &token).await?;
    let (chosen, score) = score(module, &fields)?;
    let passed = score >= module.pass_score;
    let mut tx = state.db.write.begin().await?;
    storage::record_training(
        &mut tx,
        owner.practice_id,
        owner.user_id,
        &module.id,
        score,
        module.questions.len(),
        passed,
    )
    .await?;
    tx.commit().await?;
    let retry = format!("/s/{token}/learn");
    Ok(bare_page(&module.title, results(module, &chosen, score, &retry)).into_response())
}

/// The answers of a quiz form (`q0` to `q4`) and how many are right.
pub fn score(
    module: &Module,
    fields: &[(String, String)],
) -> PageResult<(Vec<Option<usize>>, usize)> {
    let chosen: Vec<Option<usize>> = (0..module.questions.len())
        .map(|n| {
            fields
                .iter()
                .find(|(k, _)| *k == format!("q{n}"))
                .and_then(|(_, v)| v.parse().ok())
        })
        .collect();
    if chosen.iter().any(Option::is_none) {
        return Err(PageError::Shown {
            status: StatusCode::BAD_REQUEST,
            message: "Answer every question, then send your answers again.".into(),
        });
    }
    let right = module
        .questions
        .iter()
        .zip(&chosen)
        .filter(|(q, c)| **c == Some(q.answer))
        .count();
    Ok((chosen, right))
}

/// The score, whether the module is completed, and each question's explanation.
pub fn results(module: &Module, chosen: &[Option<usize>], score: usize, retry: &str) -> Markup {
    let passed = score >= module.pass_score;
    html! {
        h1 { (score) " of " (module.questions.len()) " right" }
        @if passed {
            p.lead { "Well done: " (module.title) " is completed. It counts as this year's awareness training (HY-EM-002)." }
        } @else {
            p.lead { "You need " (module.pass_score) " right answers to complete the lesson. Read the explanations below and try again." }
            p { a.button href=(retry) { "Try again" } }
        }
        ol {
            @for (question, chose) in module.questions.iter().zip(chosen) {
                li {
                    p { strong { (question.text) } }
                    p { @if *chose == Some(question.answer) { "Right. " } @else { "Not quite: the answer is \"" (question.choices[question.answer]) "\". " } (question.explain) }
                }
            }
        }
    }
}

/// `GET /training/pictures/{name}`: a training picture (SVG from the catalog).
pub async fn picture(Path(name): Path<String>) -> Response {
    match PICTURES.iter().find(|(n, _)| *n == name) {
        Some((_, svg)) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *svg,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
