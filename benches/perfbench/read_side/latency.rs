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

pub fn percentiles(mut samples: Vec<f64>) -> Latency {
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

/// How long a paired measurement runs.
#[derive(Clone, Copy, Debug)]
pub enum Budget {
    Samples(usize),
    For(Duration),
}

/// Runs `a` and `b` in turn (a b, b a, a b, …) within `budget`, for a goal that compares the two:
/// a change in the shared machine's speed during the run then reaches both alike. (Measured one
/// after the other, the same ratio came out far apart in two runs: docs/perf/RESULTS.md,
/// "Measuring in turn".)
pub async fn paired<A, FA, B, FB>(budget: Budget, a: A, b: B) -> anyhow::Result<(Latency, Latency)>
where
    A: FnMut(usize) -> FA,
    FA: Future<Output = anyhow::Result<()>>,
    B: FnMut(usize) -> FB,
    FB: Future<Output = anyhow::Result<()>>,
{
    let mut samples = Paired::default();
    samples.extend(budget, a, b).await?;
    Ok(samples.percentiles())
}

/// The samples of `a` and `b` measured in turn, gathered over one or more stretches of a run.
#[derive(Default)]
pub struct Paired {
    first: Vec<f64>,
    second: Vec<f64>,
    /// Calls so far, so a later stretch goes on where the last one stopped.
    calls: usize,
}

impl Paired {
    /// Measures `a` and `b` in turn within `budget` (after a short warm-up) and adds the samples.
    pub async fn extend<A, FA, B, FB>(&mut self, budget: Budget, mut a: A, mut b: B) -> anyhow::Result<()>
    where
        A: FnMut(usize) -> FA,
        FA: Future<Output = anyhow::Result<()>>,
        B: FnMut(usize) -> FB,
        FB: Future<Output = anyhow::Result<()>>,
    {
        for i in self.calls..self.calls + 20 {
            a(i).await?;
            b(i).await?;
        }
        self.calls += 20;
        let started = Instant::now();
        let more = |n: usize| match budget {
            Budget::Samples(count) => n < count,
            Budget::For(duration) => started.elapsed() < duration,
        };
        let mut n = 0;
        while more(n) {
            let i = self.calls;
            for a_first in [i % 2 == 0, i % 2 == 1] {
                let one = Instant::now();
                if a_first {
                    a(i).await?;
                    self.first.push(one.elapsed().as_secs_f64() * 1_000.0);
                } else {
                    b(i).await?;
                    self.second.push(one.elapsed().as_secs_f64() * 1_000.0);
                }
            }
            self.calls += 1;
            n += 1;
        }
        Ok(())
    }

    pub fn percentiles(self) -> (Latency, Latency) {
        (percentiles(self.first), percentiles(self.second))
    }
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

/// The table behind `L_q`: 100k rows under a bigint primary key, dropped again by `drop`.
pub struct LqTable<'p>(&'p PgPool);

impl<'p> LqTable<'p> {
    pub async fn create(pool: &'p PgPool) -> anyhow::Result<LqTable<'p>> {
        sqlx::query("DROP TABLE IF EXISTS perf_lq").execute(pool).await?;
        sqlx::query("CREATE TABLE perf_lq (id bigint PRIMARY KEY, name text NOT NULL, amount bigint NOT NULL)")
            .execute(pool)
            .await?;
        sqlx::query("INSERT INTO perf_lq SELECT g, 'row ' || g, g * 7 FROM generate_series(1, 100000) g")
            .execute(pool)
            .await?;
        sqlx::query("ANALYZE perf_lq").execute(pool).await?;
        Ok(LqTable(pool))
    }

    /// `L_q`'s primitive: one prepared single-row primary-key `SELECT`.
    pub async fn lookup(&self, i: usize) -> anyhow::Result<()> {
        let id = i64::try_from((i * 7_919) % 100_000 + 1)?;
        let _: (i64, String, i64) =
            sqlx::query_as("SELECT id, name, amount FROM perf_lq WHERE id = $1").bind(id).fetch_one(self.0).await?;
        Ok(())
    }

    pub async fn drop(self) -> anyhow::Result<()> {
        sqlx::query("DROP TABLE perf_lq").execute(self.0).await?;
        Ok(())
    }
}

/// `L_q` alone, in a closed loop of `duration`.
pub async fn l_q(pool: &PgPool, duration: Duration) -> anyhow::Result<Latency> {
    let table = LqTable::create(pool).await?;
    let latency = closed_loop(duration, |i| table.lookup(i)).await?;
    table.drop().await?;
    Ok(latency)
}

/// `L_pk(k)`: the primary-key range scan of one aggregate's `k` events, with the columns an audit
/// needs (position, type, version, payload and metadata as text, recording time), raw sqlx.
pub async fn pk_scan(pool: &PgPool, id: &str) -> anyhow::Result<()> {
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
