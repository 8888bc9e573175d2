//! The projection runner. Each batch is one transaction: take the projection's advisory lock (so one
//! runner per projection across processes), read the next events of the global order (before any
//! write, so this transaction's own id does not hold back the horizon), fold them set-based, save
//! the checkpoint, commit. A crash anywhere before the commit leaves rows and checkpoint as they were.

use std::future::Future;
use std::time::Duration;

use sqlx::{PgConnection, PgPool};
use tracing::{debug, info, instrument, warn};

use super::catalog::Projection;
use super::schema::{self, Build};
use super::{ProjectionError, DEFAULT_BATCH};
use crate::store::{self, NewEvents, Position};

#[derive(Clone, Debug)]
pub struct RunnerOptions {
    /// Events per transaction.
    pub batch: i64,
    /// How long a runner sleeps without a notification before it looks anyway.
    pub poll: Duration,
    /// Holds each batch this long after its rows are written and before it commits; only for
    /// proving that a runner killed mid-batch loses and doubles nothing.
    pub hold_before_commit: Option<Duration>,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        RunnerOptions { batch: DEFAULT_BATCH, poll: Duration::from_secs(1), hold_before_commit: None }
    }
}

/// What one batch did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchOutcome {
    Applied {
        events: usize,
        to: Position,
    },
    /// Nothing below the horizon after the checkpoint.
    Idle,
    /// Another runner holds the projection.
    Busy,
}

/// Folds the events after `build`'s checkpoint into it, inside the caller's transaction (which
/// holds the projection's lock); `None` when there is nothing to read.
pub(crate) async fn step(
    conn: &mut PgConnection,
    p: Projection,
    build: Build,
    limit: i64,
) -> Result<Option<(usize, Position)>, ProjectionError> {
    let events = store::read_batch(&mut *conn, build.position, limit).await?;
    let Some(last) = events.last().map(|e| e.position) else { return Ok(None) };
    p.apply(conn, build.generation, &events).await?;
    schema::save_position(conn, p, build.generation, last).await?;
    Ok(Some((events.len(), last)))
}

/// Runs one batch of `p` against its live build.
#[instrument(skip_all, fields(projection = p.name()))]
pub async fn run_batch(pool: &PgPool, p: Projection, options: &RunnerOptions) -> Result<BatchOutcome, ProjectionError> {
    let mut tx = pool.begin().await?;
    if !schema::try_lock(&mut tx, p).await? {
        return Ok(BatchOutcome::Busy);
    }
    let build = schema::live(&mut tx, p).await?.ok_or(ProjectionError::NotBuilt { name: p.name() })?;
    let Some((events, to)) = step(&mut tx, p, build, options.batch).await? else {
        tx.rollback().await?;
        return Ok(BatchOutcome::Idle);
    };
    if let Some(hold) = options.hold_before_commit {
        info!(events, to_tx = to.tx, to_pos = to.pos, "batch written; holding before commit");
        tokio::time::sleep(hold).await;
    }
    tx.commit().await?;
    debug!(events, to_tx = to.tx, to_pos = to.pos, "batch committed");
    Ok(BatchOutcome::Applied { events, to })
}

/// Runs batches of every projection in `projections` until none has anything left below the
/// horizon; returns the number of events folded. A busy projection is left to its other runner.
pub async fn catch_up(
    pool: &PgPool,
    projections: &[Projection],
    options: &RunnerOptions,
) -> Result<u64, ProjectionError> {
    let mut total = 0u64;
    for &p in projections {
        while let BatchOutcome::Applied { events, .. } = run_batch(pool, p, options).await? {
            total += crate::convert::u64_of(events);
        }
    }
    Ok(total)
}

/// How soon a runner looks again when events exist that the horizon does not yet let it read.
const HORIZON_RETRY: Duration = Duration::from_millis(50);

/// Whether the log holds events after some projection's checkpoint.
async fn behind(pool: &PgPool, projections: &[Projection]) -> Result<bool, ProjectionError> {
    let Some(head) = store::head(pool).await? else { return Ok(false) };
    let mut conn = pool.acquire().await?;
    for &p in projections {
        if schema::live(&mut conn, p).await?.is_some_and(|build| build.position < head) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Keeps `projections` up to date until `shutdown` completes: catches up, then waits for a
/// notification from the `events` trigger or for the poll interval, whichever comes first. An
/// error (the database restarting, a connection lost) does not end it: it is logged and the runner
/// tries again after a back-off that doubles from [`FIRST_BACKOFF`] to [`LAST_BACKOFF`], so the
/// read side resumes by itself once the database is back.
#[instrument(skip_all)]
pub async fn run(
    pool: &PgPool,
    projections: &[Projection],
    options: &RunnerOptions,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut news = NewEvents::default();
    let mut backoff = FIRST_BACKOFF;
    loop {
        news.listen(pool).await;
        match round(pool, projections, options).await {
            Ok(wait) => {
                backoff = FIRST_BACKOFF;
                tokio::select! {
                    () = &mut shutdown => return,
                    () = news.next() => {}
                    () = tokio::time::sleep(wait) => {}
                }
            }
            Err(error) => {
                warn!(%error, retry_in = ?backoff, "the projection runner failed; trying again");
                tokio::select! {
                    () = &mut shutdown => return,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(LAST_BACKOFF);
            }
        }
    }
}

/// The first wait after a failed round.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The longest wait between failed rounds.
pub const LAST_BACKOFF: Duration = Duration::from_secs(30);

/// One round: catch up, and how long to wait for news before the next. A notification may arrive
/// while an older transaction still holds the horizon back: the new events exist but cannot be
/// read yet, so the runner looks again soon rather than at the next poll.
async fn round(
    pool: &PgPool,
    projections: &[Projection],
    options: &RunnerOptions,
) -> Result<Duration, ProjectionError> {
    let folded = catch_up(pool, projections, options).await?;
    if folded > 0 {
        debug!(folded, "caught up");
    }
    Ok(if behind(pool, projections).await? { HORIZON_RETRY.min(options.poll) } else { options.poll })
}
