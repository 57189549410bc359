//! Group commit: one writer task per process.
//!
//! Request handlers hand their events to the writer through a bounded
//! channel; the writer takes everything waiting (up to [`MAX_BATCH_EVENTS`]),
//! writes it with multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING` in one
//! transaction, commits, and only then answers each waiting request. The
//! unique constraint on `(org_id, event_id)` decides what is new, so two
//! processes on one PostgreSQL cannot both count an event.
//!
//! Memory is bounded by a semaphore counting queued events: when it is
//! exhausted, [`Writer::submit`] fails at once with [`WriteError::Busy`] and
//! the handler answers 503 with `Retry-After`.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::QueryBuilder;
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

use crate::domain::event::NewEvent;
use crate::metrics::Metrics;
use crate::on_db;
use crate::store::Db;

/// Most events written in one transaction.
pub const MAX_BATCH_EVENTS: usize = 8_000;
/// Rows per multi-row INSERT statement (13 parameters each).
const ROWS_PER_STATEMENT: usize = 250;

/// What happened to one submitted event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Stored now.
    Accepted,
    /// Already stored (earlier, or earlier in the same batch).
    Duplicate,
}

/// Why a submission failed. Nothing of it was stored.
#[derive(Clone, Debug, thiserror::Error)]
pub enum WriteError {
    /// The queue is full.
    #[error("ingest queue full")]
    Busy,
    /// The writer has stopped (shutting down).
    #[error("writer stopped")]
    Stopped,
    /// The transaction failed (after retries).
    #[error("database write failed")]
    Database,
}

struct Job {
    events: Vec<NewEvent>,
    reply: oneshot::Sender<Result<Vec<Outcome>, WriteError>>,
    _permit: OwnedSemaphorePermit,
}

/// The handle request handlers use.
#[derive(Clone, Debug)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
    permits: Arc<Semaphore>,
    capacity: usize,
}

impl Writer {
    /// Starts the writer task. `queue_events` bounds the events waiting.
    pub fn spawn(db: Db, metrics: Arc<Metrics>, queue_events: usize) -> (Writer, JoinHandle<()>) {
        let capacity = queue_events.max(1_000);
        let (tx, rx) = mpsc::channel::<Job>(capacity);
        let handle = tokio::spawn(run(db, metrics, rx));
        (
            Writer {
                tx,
                permits: Arc::new(Semaphore::new(capacity)),
                capacity,
            },
            handle,
        )
    }

    /// Events currently queued.
    pub fn queued(&self) -> usize {
        self.capacity - self.permits.available_permits()
    }

    /// Queues events and waits until they are committed (or not).
    pub async fn submit(&self, events: Vec<NewEvent>) -> Result<Vec<Outcome>, WriteError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let n = u32::try_from(events.len()).map_err(|_| WriteError::Busy)?;
        let permit = self
            .permits
            .clone()
            .try_acquire_many_owned(n)
            .map_err(|_| WriteError::Busy)?;
        let (reply, rx) = oneshot::channel();
        let job = Job {
            events,
            reply,
            _permit: permit,
        };
        self.tx.try_send(job).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => WriteError::Busy,
            mpsc::error::TrySendError::Closed(_) => WriteError::Stopped,
        })?;
        rx.await.map_err(|_| WriteError::Stopped)?
    }
}

async fn run(db: Db, metrics: Arc<Metrics>, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut n = first.events.len();
        let mut jobs = vec![first];
        while n < MAX_BATCH_EVENTS {
            match rx.try_recv() {
                Ok(j) => {
                    n += j.events.len();
                    jobs.push(j);
                }
                Err(_) => break,
            }
        }
        let started = Instant::now();
        let mut attempt = 0;
        let result = loop {
            attempt += 1;
            match write_batch(&db, &jobs).await {
                Ok(r) => break Ok(r),
                Err(e) if attempt < 3 => {
                    tracing::warn!(error = %e, attempt, "batch write failed; retrying");
                    tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, events = n, "batch write failed");
                    break Err(WriteError::Database);
                }
            }
        };
        metrics.writer_batches.fetch_add(1, Ordering::Relaxed);
        metrics.writer_events.fetch_add(n as u64, Ordering::Relaxed);
        metrics
            .writer_commit_micros
            .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        match result {
            Ok(per_job) => {
                for (job, outcomes) in jobs.into_iter().zip(per_job) {
                    let _ = job.reply.send(Ok(outcomes));
                }
            }
            Err(e) => {
                metrics.writer_failures.fetch_add(1, Ordering::Relaxed);
                for job in jobs {
                    let _ = job.reply.send(Err(e.clone()));
                }
            }
        }
    }
    tracing::debug!("writer stopped: channel closed and drained");
}

/// Writes every job's events in one transaction; returns outcomes per job.
async fn write_batch(db: &Db, jobs: &[Job]) -> Result<Vec<Vec<Outcome>>, sqlx::Error> {
    // First occurrence of each (org, id) in the batch is a candidate; later
    // ones are duplicates whatever the database says.
    let mut first_seen: HashSet<(i64, &str)> = HashSet::new();
    let mut candidate: Vec<Vec<bool>> = Vec::with_capacity(jobs.len());
    let mut rows: Vec<&NewEvent> = Vec::new();
    for job in jobs {
        let mut flags = Vec::with_capacity(job.events.len());
        for e in &job.events {
            let fresh = first_seen.insert((e.org_id, e.event_id.as_str()));
            if fresh {
                rows.push(e);
            }
            flags.push(fresh);
        }
        candidate.push(flags);
    }
    // A fixed order avoids deadlocks between instances inserting overlapping
    // keys concurrently on PostgreSQL.
    rows.sort_unstable_by(|a, b| (a.org_id, &a.event_id).cmp(&(b.org_id, &b.event_id)));

    let inserted: Vec<(i64, String)> = on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let mut inserted = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO events (org_id, event_id, learner, package_id, package_version, edition, \
                 verb, score, duration_s, occurred_at, received_at, source) ",
            );
            qb.push_values(chunk, |mut b, e| {
                b.push_bind(e.org_id)
                    .push_bind(&e.event_id)
                    .push_bind(&e.learner)
                    .push_bind(&e.package_id)
                    .push_bind(&e.package_version)
                    .push_bind(&e.edition)
                    .push_bind(e.verb)
                    .push_bind(e.score)
                    .push_bind(e.duration_s)
                    .push_bind(e.occurred_at)
                    .push_bind(e.received_at)
                    .push_bind(e.source);
            });
            qb.push(" ON CONFLICT (org_id, event_id) DO NOTHING RETURNING org_id, event_id");
            let got: Vec<(i64, String)> = qb.build_query_as().fetch_all(&mut *tx).await?;
            inserted.extend(got);
        }
        tx.commit().await?;
        inserted
    });
    let inserted: HashMap<(i64, &str), ()> = inserted
        .iter()
        .map(|(o, id)| ((*o, id.as_str()), ()))
        .collect();

    Ok(jobs
        .iter()
        .zip(candidate)
        .map(|(job, flags)| {
            job.events
                .iter()
                .zip(flags)
                .map(|(e, fresh)| {
                    if fresh && inserted.contains_key(&(e.org_id, e.event_id.as_str())) {
                        Outcome::Accepted
                    } else {
                        Outcome::Duplicate
                    }
                })
                .collect()
        })
        .collect())
}
