//! `projections rebuild`: build generation n+1 beside the live generation n, then swap.
//!
//! 1. Reserve the generation and create its tables without indexes.
//! 2. Stream the whole log below the horizon with one statement, fold it in memory.
//! 3. Write every row with COPY, create the indexes, set the checkpoint to the last event read —
//!    one transaction with `synchronous_commit = off` (a crash just leaves a build to redo).
//! 4. Catch up batch by batch with the incremental fold while the live build keeps serving.
//! 5. Under the projection's lock: fold the last few events, mark the new build live and point the
//!    views at it, in one transaction. Readers see the old build or the new one, never neither.
//! 6. Drop the old build's tables.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use serde::Serialize;
use sqlx::{Connection, PgConnection, PgPool};
use tracing::{info, instrument, warn};

use super::catalog::{Builder, Projection};
use super::runner::step;
use super::schema;
use super::{ProjectionError, DEFAULT_BATCH};
use crate::store::{self, Position};

#[derive(Clone, Debug, Serialize)]
pub struct RebuildReport {
    pub name: &'static str,
    pub generation: i32,
    pub replaced: Option<i32>,
    pub events_folded: u64,
    pub rows_written: u64,
    pub caught_up_events: u64,
    pub fold: Duration,
    pub write: Duration,
    pub total: Duration,
}

/// Streams the log below the horizon through a fresh fold; the fold, the events read and the last position.
pub async fn fold_log(pool: &PgPool, p: Projection) -> Result<(Builder, u64, Option<Position>), ProjectionError> {
    let mut conn = pool.acquire().await?;
    let mut builder = Builder::new(p);
    let (mut count, mut last) = (0u64, None);
    let mut events = store::stream_below_horizon(&mut *conn);
    while let Some(event) = events.try_next().await? {
        builder.add(&event)?;
        count += 1;
        last = Some(event.position);
    }
    Ok((builder, count, last))
}

/// The read-and-fold stage alone (no writes): the events folded. For the benchmark's fold-only goal.
pub async fn fold_only(pool: &PgPool, p: Projection) -> Result<u64, ProjectionError> {
    Ok(fold_log(pool, p).await?.1)
}

#[instrument(skip_all, fields(projection = p.name()))]
pub async fn rebuild(pool: &PgPool, p: Projection) -> Result<RebuildReport, ProjectionError> {
    let started = Instant::now();
    let generation = reserve(pool, p).await?;
    let (builder, events_folded, last) = fold_log(pool, p).await?;
    let fold = started.elapsed();
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut *tx).await?;
    // The indexes are built after the load, each from one sort: in memory rather than in temporary
    // files for a few million rows.
    sqlx::query("SET LOCAL maintenance_work_mem = '256MB'").execute(&mut *tx).await?;
    let rows_written = builder.write(&mut tx, generation).await?;
    schema::create_indexes(&mut tx, p, generation).await?;
    schema::analyze(&mut tx, p, generation).await?;
    schema::save_position(&mut tx, p, generation, last.unwrap_or_default()).await?;
    tx.commit().await?;
    let write = started.elapsed().saturating_sub(fold);
    info!(generation, events_folded, rows_written, "bulk build written; catching up");
    let mut caught_up_events = catch_up_build(pool, p, generation).await?;
    let replaced = swap(pool, p, generation, &mut caught_up_events).await?;
    if let Some(old) = replaced {
        retire(pool, p, old).await;
    }
    let total = started.elapsed();
    info!(generation, ?replaced, caught_up_events, ?total, "rebuilt");
    Ok(RebuildReport {
        name: p.name(),
        generation,
        replaced,
        events_folded,
        rows_written,
        caught_up_events,
        fold,
        write,
        total,
    })
}

/// Rebuilds the live builds of `stale` (as `schema::ensure` found them) that an older fold made:
/// their tables may lack what this binary reads. One process at a time, under a lock held by a
/// connection of its own; a process that waited for it finds the build current and goes on.
pub async fn rebuild_stale(pool: &PgPool, stale: &[Projection]) -> Result<Vec<RebuildReport>, ProjectionError> {
    let mut reports = Vec::new();
    for &p in stale {
        let mut lock = PgConnection::connect_with(&pool.connect_options()).await?;
        sqlx::query("SELECT pg_advisory_lock(hashtextextended('vordering:projection-upgrade', 0))")
            .execute(&mut lock)
            .await?;
        let rebuilt = if is_stale(pool, p).await? {
            warn!(
                projection = p.name(),
                fold = p.fold_version(),
                "the live build was made by an older fold; rebuilding"
            );
            rebuild(pool, p).await.map(Some)
        } else {
            Ok(None)
        };
        // Closing the connection releases the lock, however the rebuild ended.
        if let Err(error) = lock.close().await {
            warn!(%error, "could not close the upgrade lock's connection");
        }
        reports.extend(rebuilt?);
    }
    Ok(reports)
}

async fn is_stale(pool: &PgPool, p: Projection) -> Result<bool, ProjectionError> {
    let mut conn = pool.acquire().await?;
    Ok(schema::live(&mut conn, p).await?.is_some_and(|build| build.fold_version != p.fold_version()))
}

/// Drops builds that never went live (an interrupted rebuild) and reserves a new generation.
async fn reserve(pool: &PgPool, p: Projection) -> Result<i32, ProjectionError> {
    let mut tx = pool.begin().await?;
    schema::lock(&mut tx, p).await?;
    let orphans: Vec<i32> =
        sqlx::query_scalar("DELETE FROM projection_checkpoint WHERE name = $1 AND NOT live RETURNING version")
            .bind(p.name())
            .fetch_all(&mut *tx)
            .await?;
    for orphan in orphans {
        schema::drop_tables(&mut tx, p, orphan).await?;
    }
    let generation = schema::next_generation(&mut tx, p).await?;
    schema::create_tables(&mut tx, p, generation).await?;
    schema::insert_build(&mut tx, p, generation, false).await?;
    tx.commit().await?;
    Ok(generation)
}

/// Folds batches into the new build until nothing is left below the horizon. Each batch takes the
/// projection's lock (the live build's runner waits a batch, never longer).
async fn catch_up_build(pool: &PgPool, p: Projection, generation: i32) -> Result<u64, ProjectionError> {
    let mut total = 0u64;
    loop {
        let mut tx = pool.begin().await?;
        schema::lock(&mut tx, p).await?;
        let build = schema::build(&mut tx, p, generation).await?;
        let Some((events, _)) = step(&mut tx, p, build, DEFAULT_BATCH).await? else { return Ok(total) };
        tx.commit().await?;
        total += crate::convert::u64_of(events);
    }
}

/// Makes `generation` live in one transaction; returns the generation it replaced.
///
/// Readers lock the views a query names in the order it names them, so a swap that replaced the
/// views one by one could deadlock with a reader of two of them. The swap therefore takes all the
/// views' locks first, under a short `lock_timeout`, and on a timeout gives way (rolls back, lets
/// the readers finish) and tries again: readers wait at most one timeout, never fail.
async fn swap(
    pool: &PgPool,
    p: Projection,
    generation: i32,
    caught_up: &mut u64,
) -> Result<Option<i32>, ProjectionError> {
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        match try_swap(pool, p, generation, caught_up).await {
            Err(ProjectionError::Database(sqlx::Error::Database(e)))
                if e.code().as_deref() == Some(LOCK_NOT_AVAILABLE) && attempt < SWAP_ATTEMPTS =>
            {
                info!(attempt, "readers hold the views; trying the swap again");
                tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
            }
            other => return other,
        }
    }
}

/// Drops the replaced build's tables, giving way to readers like the swap does. A build that could
/// not be dropped is only disk space: the next rebuild drops every build that is not live.
async fn retire(pool: &PgPool, p: Projection, old: i32) {
    for attempt in 1..=SWAP_ATTEMPTS {
        let result = async {
            let mut tx = pool.begin().await?;
            sqlx::query("SET LOCAL lock_timeout = '200ms'").execute(&mut *tx).await?;
            schema::drop_tables(&mut tx, p, old).await?;
            tx.commit().await?;
            Ok::<(), ProjectionError>(())
        }
        .await;
        match result {
            Ok(()) => return,
            Err(error) if attempt == SWAP_ATTEMPTS => {
                warn!(%error, old, "the replaced build stays until the next rebuild")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await,
        }
    }
}

/// SQLSTATE of a lock wait that hit `lock_timeout`.
const LOCK_NOT_AVAILABLE: &str = "55P03";
const SWAP_ATTEMPTS: u32 = 50;

async fn try_swap(
    pool: &PgPool,
    p: Projection,
    generation: i32,
    caught_up: &mut u64,
) -> Result<Option<i32>, ProjectionError> {
    let mut tx = pool.begin().await?;
    schema::lock(&mut tx, p).await?;
    sqlx::query("SET LOCAL lock_timeout = '200ms'").execute(&mut *tx).await?;
    schema::lock_views(&mut tx, p).await?;
    let mut events = 0u64;
    loop {
        let build = schema::build(&mut tx, p, generation).await?;
        let Some((batch, _)) = step(&mut tx, p, build, DEFAULT_BATCH).await? else { break };
        events += crate::convert::u64_of(batch);
    }
    let old = schema::live(&mut tx, p).await?.map(|b| b.generation);
    sqlx::query("UPDATE projection_checkpoint SET live = false WHERE name = $1 AND live")
        .bind(p.name())
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE projection_checkpoint SET live = true, updated_at = now() WHERE name = $1 AND version = $2")
        .bind(p.name())
        .bind(generation)
        .execute(&mut *tx)
        .await?;
    schema::point_views(&mut tx, p, generation).await?;
    tx.commit().await?;
    *caught_up += events;
    Ok(old)
}
