//! The physical limits every goal is divided by, measured with raw sqlx on the real `events` table.

use std::time::Instant;

use futures::TryStreamExt;
use sqlx::{PgPool, Row as _};

use crate::data::Row;

const INSERT: &str =
    "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)";

/// Empties the table and flushes dirty pages, so each write run starts from the same state.
pub async fn reset(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("TRUNCATE events").execute(pool).await?;
    sqlx::query("CHECKPOINT").execute(pool).await?;
    Ok(())
}

/// `L_commit`: one event row per transaction, one connection, `synchronous_commit=on`; rows/s.
pub async fn commit(pool: &PgPool, rows: &[Row], metadata: &str) -> Result<f64, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    sqlx::query("SET synchronous_commit = on").execute(&mut *conn).await?;
    let started = Instant::now();
    for row in rows {
        sqlx::query(&format!("{INSERT} VALUES ('DebtorAccount', $1, $2, $3, '1.0', $4::json, $5::json)"))
            .bind(&row.aggregate_id)
            .bind(row.sequence)
            .bind(&row.event_type)
            .bind(&row.payload)
            .bind(metadata)
            .execute(&mut *conn)
            .await?;
    }
    Ok(rate(rows.len(), started))
}

/// `L_batch`: `INSERT … SELECT FROM UNNEST`, 1,000 rows per transaction; rows/s.
pub async fn batch(pool: &PgPool, rows: &[Row], metadata: &str) -> Result<f64, sqlx::Error> {
    let started = Instant::now();
    for chunk in rows.chunks(1_000) {
        let ids: Vec<&str> = chunk.iter().map(|r| r.aggregate_id.as_str()).collect();
        let sequences: Vec<i64> = chunk.iter().map(|r| r.sequence).collect();
        let types: Vec<&str> = chunk.iter().map(|r| r.event_type.as_str()).collect();
        let payloads: Vec<&str> = chunk.iter().map(|r| r.payload.as_str()).collect();
        let mut tx = pool.begin().await?;
        sqlx::query(&format!(
            "{INSERT} SELECT 'DebtorAccount', i, s, t, '1.0', p::json, $5::json FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::text[]) AS u(i, s, t, p)"
        ))
        .bind(&ids)
        .bind(&sequences)
        .bind(&types)
        .bind(&payloads)
        .bind(metadata)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(rate(rows.len(), started))
}

/// `L_copy`: `COPY … FROM STDIN` of rows the client serialized beforehand, in one stream; rows/s.
pub async fn copy(pool: &PgPool, rows: &[Row], metadata: &str) -> Result<f64, sqlx::Error> {
    let mut text = String::with_capacity(rows.len() * 600);
    for row in rows {
        let sequence = row.sequence.to_string();
        let fields = ["DebtorAccount", &row.aggregate_id, &sequence, &row.event_type, "1.0", &row.payload, metadata];
        text.push_str(&fields.map(escape).join("\t"));
        text.push('\n');
    }
    let started = Instant::now();
    let mut conn = pool.acquire().await?;
    let mut copy = conn
        .copy_in_raw(
            "COPY events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             FROM STDIN WITH (FORMAT text)",
        )
        .await?;
    copy.send(text.as_bytes()).await?;
    copy.finish().await?;
    Ok(rate(rows.len(), started))
}

/// `L_read`: one streamed `fetch()` of the whole log in global order, payload kept as JSON text; rows/s.
pub async fn read(pool: &PgPool) -> Result<f64, sqlx::Error> {
    let started = Instant::now();
    let mut stream = sqlx::query(
        "SELECT global_position, tx_id::text AS tx, aggregate_type, aggregate_id, sequence, event_type, event_version, \
         payload::text AS payload, metadata::text AS metadata FROM events ORDER BY global_position",
    )
    .fetch(pool);
    let mut count = 0usize;
    let mut bytes = 0usize;
    while let Some(row) = stream.try_next().await? {
        let payload: &str = row.try_get("payload")?;
        bytes += payload.len();
        count += 1;
    }
    std::hint::black_box(bytes);
    Ok(rate(count, started))
}

fn escape(field: &str) -> String {
    field.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n")
}

pub fn rate(count: usize, started: Instant) -> f64 {
    count as f64 / started.elapsed().as_secs_f64()
}
