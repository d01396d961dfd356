//! Sends the simulations whose time has come, a few at a time, through each practice's relay.
//! Runs every `Settings::simulation_every` inside `hygeia serve`; the tests call [`send_due`].

use super::catalog::Template;
use super::mailer::{self, Recipient};
use super::storage::{self, Due, TOKEN_PREFIX};
use crate::state::AppState;

/// Messages sent per round: the window spreads a campaign out; this keeps one round short.
const PER_ROUND: i64 = 50;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Messages the relay accepted.
    pub sent: usize,
    /// Messages that failed (tried again later).
    pub failed: usize,
}

/// Sends every due message once; failures are recorded on the recipient and retried later.
pub async fn send_due(state: &AppState) -> Result<Round, sqlx::Error> {
    let mut snapshot = state.db.snapshot().await?;
    let due = storage::due(&mut snapshot, crate::db::now(), PER_ROUND).await?;
    snapshot.commit().await?;
    let mut round = Round::default();
    for message in due {
        match send_one(state, &message).await? {
            Ok(()) => round.sent += 1,
            Err(error) => {
                eprintln!(
                    "hygeia serve: simulation of campaign {} to user {} not sent (attempt {}): {error}",
                    message.campaign_id,
                    message.user_id,
                    message.attempts + 1
                );
                round.failed += 1;
            }
        }
    }
    Ok(round)
}

async fn send_one(state: &AppState, message: &Due) -> Result<Result<(), String>, sqlx::Error> {
    let mut tx = state.db.write.begin().await?;
    let relay =
        storage::open_relay(&mut tx, message.practice_id, &state.settings.sealing_key).await?;
    let token = crate::secrets::new_secret(TOKEN_PREFIX);
    storage::claim(
        &mut tx,
        message.campaign_id,
        message.user_id,
        &crate::secrets::sha256_hex(token.as_bytes()),
    )
    .await?;
    tx.commit().await?;
    let outcome = match relay {
        None => Err("the practice has no SMTP relay set up (or its password was sealed with another key): set it on the Simulations page".to_string()),
        Some(relay) => {
            let built = serde_json::from_str::<Template>(&message.template_json)
                .map_err(|e| format!("the campaign's template cannot be read: {e}"))
                .and_then(|template| {
                    let link = format!("{}/s/{token}", message.link_base.trim_end_matches('/'));
                    let pixel = message.track_opens.then(|| format!("{link}/o.gif"));
                    let date = crate::pages::layout::date(crate::db::now());
                    mailer::build(
                        &relay,
                        &template,
                        &Recipient {
                            display_name: message.display_name.clone(),
                            email: message.email.clone(),
                            practice: message.practice.clone(),
                        },
                        message.campaign_id,
                        &link,
                        &date,
                        pixel.as_deref(),
                    )
                });
            match built {
                Ok(built) => {
                    let ca = state
                        .settings
                        .mail_ca
                        .as_ref()
                        .and_then(|path| std::fs::read_to_string(path).ok());
                    mailer::send(&relay, built, ca.as_deref()).await
                }
                Err(error) => Err(error),
            }
        }
    };
    let mut tx = state.db.write.begin().await?;
    storage::sent(
        &mut tx,
        message.campaign_id,
        message.user_id,
        outcome.as_ref().map(|_| ()).map_err(String::as_str),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// The loop `hygeia serve` runs.
pub async fn schedule(state: AppState) {
    loop {
        if let Err(error) = send_due(&state).await {
            eprintln!("hygeia serve: sending simulations failed: {error}");
        }
        tokio::time::sleep(state.settings.simulation_every).await;
    }
}
