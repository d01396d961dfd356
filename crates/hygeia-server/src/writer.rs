//! Group commit for reports: request handlers hand their validated report to one writer task,
//! which stores whatever has arrived meanwhile (up to `MAX_BATCH`) in a single transaction and
//! answers each handler only after the commit. A database takes one writer at a time anyway
//! (SQLite strictly); batching turns many small transactions into a few larger ones.

use crate::db::{Db, DbError};
use crate::ingest::{Deferred, Incoming, Outcome, store, store_in};
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

/// Reports stored per transaction at most.
const MAX_BATCH: usize = 64;
/// Reports waiting for the writer at most; beyond that handlers wait to hand theirs over.
const QUEUE: usize = 1024;

type Reply = oneshot::Sender<Result<Outcome, DbError>>;

/// A handle to the writer task.
#[derive(Clone, Debug)]
pub struct Writer {
    jobs: mpsc::Sender<(Incoming, Reply)>,
}

impl Writer {
    /// Starts the writer task on the current runtime.
    pub fn start(db: Db) -> Writer {
        let (jobs, mut receiver) = mpsc::channel::<(Incoming, Reply)>(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
                write_batch(&db, std::mem::take(&mut batch)).await;
            }
        });
        Writer { jobs }
    }

    /// Stores a report; the answer comes after its transaction committed.
    pub async fn store(&self, incoming: Incoming) -> Result<Outcome, DbError> {
        let (reply, answer) = oneshot::channel();
        if self.jobs.send((incoming, reply)).await.is_err() {
            return Err(DbError::Query(sqlx::Error::PoolClosed));
        }
        answer
            .await
            .unwrap_or(Err(DbError::Query(sqlx::Error::PoolClosed)))
    }
}

async fn write_batch(db: &Db, batch: Vec<(Incoming, Reply)>) {
    match try_batch(db, &batch).await {
        Ok(outcomes) => {
            for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        // One bad report must not sink the others: store each on its own, so only the one
        // that fails gets the error.
        Err(_) => {
            for (incoming, reply) in batch {
                let _ = reply.send(store(db, &incoming).await);
            }
        }
    }
}

async fn try_batch(db: &Db, batch: &[(Incoming, Reply)]) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    // A batch may hold two reports of one computer: the second compares with the first.
    let mut latest_hash: HashMap<i64, String> = HashMap::new();
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut deferred = Deferred::default();
    for (incoming, _) in batch {
        let previous = latest_hash
            .get(&incoming.host.id)
            .map(String::as_str)
            .or(incoming.host.last_results_hash.as_deref());
        let outcome = store_in(&mut tx, incoming, previous, &mut deferred).await?;
        if outcome == Outcome::Stored {
            latest_hash.insert(incoming.host.id, incoming.report.results_hash.clone());
        }
        outcomes.push(outcome);
    }
    deferred.flush(&mut tx).await?;
    tx.commit().await?;
    Ok(outcomes)
}
