//! Closed-loop latency measurement and the single-row denominators `L_q` and `L_pk(k)`.

use std::future::Future;
use std::time::{Duration, Instant};

use sqlx::PgPool;

/// Percentiles of one closed loop, in milliseconds.
#[derive(Clone, Copy, Debug)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
}

fn percentiles(mut samples: Vec<f64>) -> Latency {
    samples.sort_by(f64::total_cmp);
    // Nearest rank: the sample below which `per_mille` ‰ of the samples lie.
    let at = |per_mille: usize| {
        let index = (samples.len().saturating_sub(1) * per_mille + 500) / 1_000;
        samples.get(index).copied().unwrap_or(f64::NAN)
    };
    Latency { p50: at(500), p99: at(990) }
}

/// Runs `call` back to back for `duration` (one client) after a short warm-up.
pub async fn closed_loop<F, Fut>(duration: Duration, mut call: F) -> anyhow::Result<Latency>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    for i in 0..20 {
        call(i).await?;
    }
    let mut samples = Vec::new();
    let started = Instant::now();
    let mut i = 0;
    while started.elapsed() < duration {
        let one = Instant::now();
        call(i).await?;
        samples.push(one.elapsed().as_secs_f64() * 1_000.0);
        i += 1;
    }
    Ok(percentiles(samples))
}

/// Runs `call` exactly `n` times (for sampled aggregates).
pub async fn sampled<F, Fut>(n: usize, mut call: F) -> anyhow::Result<Latency>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    for i in 0..20 {
        call(i).await?;
    }
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let one = Instant::now();
        call(i).await?;
        samples.push(one.elapsed().as_secs_f64() * 1_000.0);
    }
    Ok(percentiles(samples))
}

type Row = (String, i64, i64, String, String, String, String, chrono::DateTime<chrono::Utc>);

/// `L_q`: one prepared single-row primary-key `SELECT` on a 100k-row table.
pub async fn l_q(pool: &PgPool, duration: Duration) -> anyhow::Result<Latency> {
    sqlx::query("DROP TABLE IF EXISTS perf_lq").execute(pool).await?;
    sqlx::query("CREATE TABLE perf_lq (id bigint PRIMARY KEY, name text NOT NULL, amount bigint NOT NULL)")
        .execute(pool)
        .await?;
    sqlx::query("INSERT INTO perf_lq SELECT g, 'row ' || g, g * 7 FROM generate_series(1, 100000) g")
        .execute(pool)
        .await?;
    sqlx::query("ANALYZE perf_lq").execute(pool).await?;
    let latency = closed_loop(duration, |i| async move {
        let id = i64::try_from((i * 7_919) % 100_000 + 1)?;
        let _: (i64, String, i64) =
            sqlx::query_as("SELECT id, name, amount FROM perf_lq WHERE id = $1").bind(id).fetch_one(pool).await?;
        Ok(())
    })
    .await?;
    sqlx::query("DROP TABLE perf_lq").execute(pool).await?;
    Ok(latency)
}

/// `L_pk(k)`: the primary-key range scan of one aggregate's `k` events, with the columns an audit
/// needs (position, type, version, payload and metadata as text, recording time), raw sqlx.
pub async fn l_pk(pool: &PgPool, ids: &[String], samples: usize) -> anyhow::Result<Latency> {
    sampled(samples, |i| {
        let id = &ids[(i * 7_919) % ids.len()];
        async move {
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT tx_id::text, global_position, sequence, event_type, event_version, payload::text, \
                 metadata::text, recorded_at FROM events \
                 WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence",
            )
            .bind("DebtorAccount")
            .bind(id)
            .fetch_all(pool)
            .await?;
            std::hint::black_box(rows);
            Ok(())
        }
    })
    .await
}
