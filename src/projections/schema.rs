//! The tables of each build, the views readers use, and the checkpoint rows.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool, Row};
use tracing::{info, instrument};

use super::catalog::Projection;
use super::{ProjectionError, ALL};
use crate::store::{self, Position};

/// Advisory-lock class of projection runners (the other key is `hashtext(name)`).
const LOCK_CLASS: i32 = 0x766f_7264; // "vord"

/// Splits a DDL file at its `-- indexes` line and names the generation.
fn ddl(sql: &str, generation: i32) -> (String, String) {
    let sql = sql.replace("{v}", &format!("v{generation}"));
    match sql.split_once("-- indexes") {
        Some((tables, indexes)) => (tables.to_owned(), indexes.to_owned()),
        None => (sql, String::new()),
    }
}

pub(crate) async fn create_tables(
    conn: &mut PgConnection,
    p: Projection,
    generation: i32,
) -> Result<(), ProjectionError> {
    for (_, sql) in p.tables() {
        sqlx::raw_sql(&ddl(sql, generation).0).execute(&mut *conn).await?;
    }
    Ok(())
}

pub(crate) async fn create_indexes(
    conn: &mut PgConnection,
    p: Projection,
    generation: i32,
) -> Result<(), ProjectionError> {
    for (_, sql) in p.tables() {
        sqlx::raw_sql(&ddl(sql, generation).1).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Gathers the planner's statistics of a bulk-built generation before readers see it: without
/// them the first queries after a swap were planned blind, and ran slower, until autovacuum came by
/// (docs/perf/RESULTS.md, "Statistics after a rebuild").
pub(crate) async fn analyze(conn: &mut PgConnection, p: Projection, generation: i32) -> Result<(), ProjectionError> {
    let tables: Vec<String> = p.tables().iter().map(|(table, _)| format!("{table}_v{generation}")).collect();
    sqlx::raw_sql(&format!("ANALYZE {}", tables.join(", "))).execute(conn).await?;
    Ok(())
}

/// Points the readers' views at `generation`. Inside the caller's transaction, so a reader sees
/// the old build or the new one, never neither.
pub(crate) async fn point_views(
    conn: &mut PgConnection,
    p: Projection,
    generation: i32,
) -> Result<(), ProjectionError> {
    for (table, _) in p.tables() {
        let sql = format!("DROP VIEW IF EXISTS {table}; CREATE VIEW {table} AS SELECT * FROM {table}_v{generation}");
        sqlx::raw_sql(&sql).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Takes every view of `p` (and so the tables behind them) in one statement, before any is replaced.
pub(crate) async fn lock_views(conn: &mut PgConnection, p: Projection) -> Result<(), ProjectionError> {
    let views: Vec<&str> = p.tables().iter().map(|(table, _)| *table).collect();
    sqlx::raw_sql(&format!("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", views.join(", "))).execute(conn).await?;
    Ok(())
}

pub(crate) async fn drop_tables(
    conn: &mut PgConnection,
    p: Projection,
    generation: i32,
) -> Result<(), ProjectionError> {
    for (table, _) in p.tables() {
        sqlx::raw_sql(&format!("DROP TABLE IF EXISTS {table}_v{generation}")).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Takes the projection's lock for the current transaction; `false` when another runner holds it.
pub(crate) async fn try_lock(conn: &mut PgConnection, p: Projection) -> Result<bool, ProjectionError> {
    let sql = "SELECT pg_try_advisory_xact_lock($1, hashtext($2))";
    Ok(sqlx::query_scalar(sql).bind(LOCK_CLASS).bind(p.name()).fetch_one(conn).await?)
}

/// Waits for the projection's lock for the current transaction.
pub(crate) async fn lock(conn: &mut PgConnection, p: Projection) -> Result<(), ProjectionError> {
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))").bind(LOCK_CLASS).bind(p.name()).execute(conn).await?;
    Ok(())
}

/// The checkpoint of one build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Build {
    pub generation: i32,
    pub fold_version: i32,
    pub position: Position,
}

fn build_of(row: &sqlx::postgres::PgRow) -> Result<Build, ProjectionError> {
    let tx: String = row.try_get("last_tx")?;
    let tx = tx.parse().map_err(|_| ProjectionError::Corrupt(format!("checkpoint xid8 `{tx}`")))?;
    Ok(Build {
        generation: row.try_get("version")?,
        fold_version: row.try_get("fold_version")?,
        position: Position { tx, pos: row.try_get("last_pos")? },
    })
}

const CHECKPOINT: &str = "SELECT version, fold_version, last_tx::text AS last_tx, last_pos FROM projection_checkpoint";

pub(crate) async fn live(conn: &mut PgConnection, p: Projection) -> Result<Option<Build>, ProjectionError> {
    let row =
        sqlx::query(&format!("{CHECKPOINT} WHERE name = $1 AND live")).bind(p.name()).fetch_optional(conn).await?;
    row.as_ref().map(build_of).transpose()
}

/// The checkpoint of `p`'s live build; `None` before `ensure`.
pub async fn live_position(conn: &mut PgConnection, p: Projection) -> Result<Option<Position>, ProjectionError> {
    Ok(live(conn, p).await?.map(|b| b.position))
}

pub(crate) async fn build(conn: &mut PgConnection, p: Projection, generation: i32) -> Result<Build, ProjectionError> {
    let sql = format!("{CHECKPOINT} WHERE name = $1 AND version = $2");
    let row = sqlx::query(&sql).bind(p.name()).bind(generation).fetch_one(conn).await?;
    build_of(&row)
}

pub(crate) async fn save_position(
    conn: &mut PgConnection,
    p: Projection,
    generation: i32,
    at: Position,
) -> Result<(), ProjectionError> {
    sqlx::query(
        "UPDATE projection_checkpoint SET last_tx = $3::text::xid8, last_pos = $4, updated_at = now() \
         WHERE name = $1 AND version = $2",
    )
    .bind(p.name())
    .bind(generation)
    .bind(at.tx.to_string())
    .bind(at.pos)
    .execute(conn)
    .await?;
    Ok(())
}

/// The next free generation (one above every build ever recorded).
pub(crate) async fn next_generation(conn: &mut PgConnection, p: Projection) -> Result<i32, ProjectionError> {
    let sql = "SELECT coalesce(max(version), 0) + 1 FROM projection_checkpoint WHERE name = $1";
    Ok(sqlx::query_scalar(sql).bind(p.name()).fetch_one(conn).await?)
}

pub(crate) async fn insert_build(
    conn: &mut PgConnection,
    p: Projection,
    generation: i32,
    live: bool,
) -> Result<(), ProjectionError> {
    sqlx::query("INSERT INTO projection_checkpoint (name, version, fold_version, live) VALUES ($1, $2, $3, $4)")
        .bind(p.name())
        .bind(generation)
        .bind(p.fold_version())
        .bind(live)
        .execute(conn)
        .await?;
    Ok(())
}

/// Creates an empty live build of every projection that has none, with its views. Safe to call
/// from many processes at once (each projection under its lock) and on every start. Returns the
/// projections whose live build an older fold made (`rebuild_stale` rebuilds them).
#[instrument(skip_all)]
pub async fn ensure(pool: &PgPool) -> Result<Vec<Projection>, ProjectionError> {
    let mut stale = Vec::new();
    for p in ALL {
        let mut tx = pool.begin().await?;
        lock(&mut tx, p).await?;
        match live(&mut tx, p).await? {
            None => {
                let generation = next_generation(&mut tx, p).await?;
                create_tables(&mut tx, p, generation).await?;
                create_indexes(&mut tx, p, generation).await?;
                insert_build(&mut tx, p, generation, true).await?;
                point_views(&mut tx, p, generation).await?;
                info!(projection = p.name(), generation, "created an empty build");
            }
            Some(build) if build.fold_version != p.fold_version() => stale.push(p),
            Some(_) => {}
        }
        tx.commit().await?;
    }
    Ok(stale)
}

/// Where a projection's live build stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProjectionStatus {
    pub name: &'static str,
    pub tables: Vec<&'static str>,
    pub generation: i32,
    pub fold_version: i32,
    /// The build was made by an older fold than this binary's: rebuild it.
    pub stale: bool,
    pub position: Position,
    pub head: Option<Position>,
    /// Events in the log after the checkpoint.
    pub lag_events: i64,
    pub updated_at: DateTime<Utc>,
}

pub async fn status(pool: &PgPool) -> Result<Vec<ProjectionStatus>, ProjectionError> {
    let head = store::head(pool).await?;
    let mut out = Vec::new();
    for p in ALL {
        let mut conn = pool.acquire().await?;
        let Some(build) = live(&mut conn, p).await? else { continue };
        let updated_at: DateTime<Utc> =
            sqlx::query_scalar("SELECT updated_at FROM projection_checkpoint WHERE name = $1 AND version = $2")
                .bind(p.name())
                .bind(build.generation)
                .fetch_one(&mut *conn)
                .await?;
        let lag_events: i64 =
            sqlx::query_scalar("SELECT count(*) FROM events WHERE (tx_id, global_position) > ($1::text::xid8, $2)")
                .bind(build.position.tx.to_string())
                .bind(build.position.pos)
                .fetch_one(&mut *conn)
                .await?;
        out.push(ProjectionStatus {
            name: p.name(),
            tables: p.tables().iter().map(|(t, _)| *t).collect(),
            generation: build.generation,
            fold_version: build.fold_version,
            stale: build.fold_version != p.fold_version(),
            position: build.position,
            head,
            lag_events,
            updated_at,
        });
    }
    Ok(out)
}
