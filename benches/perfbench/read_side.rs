//! The read side's performance goals (G2–G4), on a log of real `DebtorAccountEvent`s:
//! - G2: fold-only rebuild ≥ 0.6 × `L_read`; full rebuild efficiency
//!   `E = (N_events / L_read + N_rows / L_copy) / T_rebuild` ≥ 0.75;
//! - G4: each dashboard query p50 ≤ 2 × `L_q`, p99 ≤ 10 × `L_q`, and p50 at the large size ≤ 1.5 ×
//!   p50 at 10k invoices (the small administration has a database of its own, and the two sizes
//!   are measured in turns);
//! - G3: audit replay (load, fold, return the trail of links) of one aggregate p50 ≤ 1.5 × `L_pk(k)`
//!   for k = 4, 100, 1,000.

pub(crate) mod data;
pub(crate) mod latency;
mod probe;

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::NaiveDate;
use clap::builder::PossibleValue;
use clap::ValueEnum as _;
use sqlx::PgPool;
use vordering::domain::{AdministrationId, DebtorCode};
use vordering::engine::{AgeingBoundaries, BucketRange, InvoiceFilter, ReplayQuery};
use vordering::internals::audit::Until;
use vordering::internals::projections::{self, Projection, RunnerOptions};
use vordering::Engine;

use crate::denominators;
use crate::report::{Direction, GoalResult};
use latency::{Budget, Latency, LqTable, Paired};

/// Invoices of the small administration that the constant-cost goal compares against.
const SMALL: usize = 10_000;
/// Aggregates sampled per history length for G3.
const REPLAY_SAMPLES: usize = 1_000;

/// A week after the last invoice of the generated books (dated 2025-01-01 to 2026-06-24), as in a
/// ledger read today. (Until 2026-11-24 it was 2026-01-15: five of the eighteen months of invoices
/// lay in the future, and ageing summed their not-yet-due days as well.)
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default()
}

/// The dashboard queries of G4, by name, against one administration.
async fn query(engine: &Engine, name: &str, admin: &AdministrationId, debtors: usize, i: usize) -> anyhow::Result<()> {
    let day = today();
    match name {
        "outstanding" => drop(engine.outstanding(admin, day).await?),
        "ageing" => drop(engine.ageing(admin, day, &AgeingBoundaries::default()).await?),
        "phases" => drop(engine.phase_totals(admin, day).await?),
        "dso" => drop(engine.dso(admin, day).await?),
        "top20" => drop(engine.top_debtors(admin, day, 20).await?),
        "debtor" => {
            let code = DebtorCode::new(format!("D{:07}", (i * 7_919) % debtors))?;
            anyhow::ensure!(engine.debtor_invoices(admin, &code, day).await?.is_some(), "debtor {code} exists");
        }
        "page" => {
            let bucket = InvoiceFilter::Bucket(BucketRange::PastDue { from: 31, to: Some(60) });
            drop(engine.invoice_page(admin, day, bucket, None, 50).await?);
        }
        _ => drop(engine.prescribing_soon(admin, day, 90, 50).await?),
    }
    Ok(())
}

const QUERIES: [&str; 8] = ["outstanding", "ageing", "phases", "dso", "top20", "debtor", "page", "prescribing"];

/// One administration the dashboard goals query, with the engine over its database.
struct Books<'a> {
    engine: &'a Engine,
    pool: &'a PgPool,
    admin: AdministrationId,
    debtors: usize,
}

/// Stretches per size and query: the two sizes take turns (large, small, small, large, …), so a change
/// in the shared machine's speed reaches both sizes of the growth goal alike.
const TURNS: u32 = 6;

/// Each dashboard query for `each` per size, at both sizes in turn, each call paired with `L_q`'s
/// lookup in the same database: per query, [(query, `L_q`) large, (query, `L_q`) small].
async fn dashboard(
    large: &Books<'_>,
    small: &Books<'_>,
    each: Duration,
) -> anyhow::Result<Vec<[(Latency, Latency); 2]>> {
    let tables = [LqTable::create(large.pool).await?, LqTable::create(small.pool).await?];
    let mut out = Vec::new();
    for name in QUERIES {
        let mut samples = [Paired::default(), Paired::default()];
        for turn in 0..TURNS {
            let order = if turn % 2 == 0 { [0, 1] } else { [1, 0] };
            for size in order {
                let books = [large, small][size];
                let query = |i| query(books.engine, name, &books.admin, books.debtors, i);
                samples[size].extend(Budget::For(each / TURNS), query, |i| tables[size].lookup(i)).await?;
            }
        }
        out.push(samples.map(Paired::percentiles));
    }
    for table in tables {
        table.drop().await?;
    }
    Ok(out)
}

/// Catches the projections up with every event written. `catch_up` stops at the horizon, which any
/// older transaction still running (an autovacuum's analyze, say) holds back: look again until no
/// projection lags.
async fn settle(pool: &PgPool, options: &RunnerOptions) -> anyhow::Result<()> {
    loop {
        projections::catch_up(pool, &projections::ALL, options).await?;
        if projections::status(pool).await?.iter().all(|s| s.lag_events == 0) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn timed<T, Fut: Future<Output = Result<T, E>>, E: Into<anyhow::Error>>(f: Fut) -> anyhow::Result<(T, f64)> {
    let started = Instant::now();
    let value = f.await.map_err(Into::into)?;
    Ok((value, started.elapsed().as_secs_f64()))
}

/// Builds the logs, measures, and returns one result per goal. `invoices` is the large size
/// (the goals ask for 1M invoices / 100k debtors); `each` is the closed-loop time per query and size.
/// The small administration gets a database of its own beside `pool`'s, so both sizes exist at once.
pub async fn run(pool: &PgPool, invoices: usize, l_copy: f64, each: Duration) -> anyhow::Result<Vec<GoalResult>> {
    let server = (*pool.connect_options()).clone();
    let small_database = format!("{}_small", server.get_database().context("the benchmark pool names no database")?);
    let small_pool = crate::fresh_database(&server, &small_database).await?;
    let results = run_beside(pool, &small_pool, invoices, l_copy, each).await;
    small_pool.close().await;
    crate::drop_database(&server, &small_database).await?;
    results
}

async fn run_beside(
    pool: &PgPool,
    small_pool: &PgPool,
    invoices: usize,
    l_copy: f64,
    each: Duration,
) -> anyhow::Result<Vec<GoalResult>> {
    vordering::MIGRATOR.run(small_pool).await?;
    denominators::reset(pool).await?;
    let engine = Engine::from_pool(pool.clone()).await?;
    let small_engine = Engine::from_pool(small_pool.clone()).await?;
    let catch_up = RunnerOptions { batch: 5_000, ..RunnerOptions::default() };
    data::write(small_pool, data::administration("small", SMALL).collect()).await?;
    settle(small_pool, &catch_up).await?;

    let (written, seconds) = timed(data::write(pool, data::administration("large", invoices).collect())).await?;
    println!("read side: wrote {written} events for {invoices} invoices in {seconds:.1} s");
    let mut replay_ids = Vec::new();
    for (k, count) in [(4, 200), (100, 50), (1_000, 10)] {
        let accounts: Vec<_> = (0..count)
            .map(|i| (format!("audit:K{k}x{i:04}"), data::account_of_length(&format!("audit{k}"), i, k)))
            .collect();
        replay_ids.push((k, accounts.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>()));
        data::write(pool, accounts).await?;
    }
    sqlx::query("VACUUM ANALYZE events").execute(pool).await?;
    let mut results = rebuild_goals(pool, l_copy).await?;
    settle(pool, &catch_up).await?;
    let large = Books {
        engine: &engine,
        pool,
        admin: AdministrationId::new("large")?,
        debtors: invoices / data::INVOICES_PER_DEBTOR,
    };
    let small = Books {
        engine: &small_engine,
        pool: small_pool,
        admin: AdministrationId::new("small")?,
        debtors: SMALL / data::INVOICES_PER_DEBTOR,
    };
    for (name, [(big, l_q), (little, little_l_q)]) in QUERIES.iter().zip(dashboard(&large, &small, each).await?) {
        // `L_q` at each size shows how the two databases' single-row lookups compare (a diagnostic).
        println!(
            "  {name:<12} p50 {:.3} ms at {invoices} ({:.2} L_q), {:.3} ms at {SMALL} ({:.2} L_q); L_q {:.3} and {:.3} ms",
            big.p50,
            big.p50 / l_q.p50,
            little.p50,
            little.p50 / little_l_q.p50,
            l_q.p50,
            little_l_q.p50
        );
        let goal = |suffix: &str| format!("G4-{name}-{suffix}");
        results.push(GoalResult::new(&goal("p50"), big.p50, "ms", "L_q", l_q.p50, 2.0, Direction::AtMost));
        results.push(GoalResult::new(&goal("p99"), big.p99, "ms", "L_q", l_q.p50, 10.0, Direction::AtMost));
        results.push(GoalResult::new(&goal("growth"), big.p50, "ms", "p50@10k", little.p50, 1.5, Direction::AtMost));
    }
    results.extend(replay_goals(&engine, pool, &replay_ids).await?);
    Ok(results)
}

/// `cargo bench --bench perfbench -- read-queries [SECONDS] [ONLY] [PROBE] [ROUNDS]`.
#[derive(Debug, clap::Args)]
pub struct QueriesArgs {
    /// Closed-loop seconds per query (and for `L_q` beside it).
    #[arg(default_value_t = 2.0)]
    seconds: f64,
    /// One dashboard query alone, `replay` for the G3 replays alone, or a probe of the queries.
    /// Without it: every query, then the replays.
    #[arg(value_parser = only_values())]
    only: Option<String>,
    /// With `replay`: a probe of where a replay spends its time, instead of the replays' p50.
    #[arg(value_enum)]
    probe: Option<ReplayProbe>,
    /// The rounds of `replay fold`.
    #[arg(default_value_t = 200)]
    rounds: usize,
    /// Runs on a current-thread runtime, so that a call's client CPU is the one thread's (for
    /// `replay cpu`). Setting `PERFBENCH_CURRENT_THREAD` (to anything) does the same.
    #[arg(long)]
    current_thread: bool,
}

impl QueriesArgs {
    /// `--current-thread`, or `PERFBENCH_CURRENT_THREAD` set.
    pub fn current_thread(&self) -> bool {
        self.current_thread || std::env::var_os("PERFBENCH_CURRENT_THREAD").is_some()
    }
}

/// The probes of a replay (`read-queries N replay PROBE`), in [`probe`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReplayProbe {
    /// Per k: the fetch, the fold and the report of a replay apart, beside `L_pk` and the rows read unfolded.
    Split,
    /// Wall and client CPU per replay of k = 1,000, beside `L_pk` and the rows read unfolded (with
    /// `--current-thread`).
    Cpu,
    /// Each k's first account read once and folded ROUNDS times in memory: the replay's own CPU, steady
    /// enough to count under callgrind.
    Fold,
}

/// What `read-queries` may be limited to: a dashboard query, the replays, or a probe.
fn only_values() -> clap::builder::PossibleValuesParser {
    let probes = [
        PossibleValue::new("replay").help("The G3 replays alone (and the probes of PROBE)"),
        PossibleValue::new("plans").help("How often each dashboard statement is planned afresh or keeps its plan"),
        PossibleValue::new("rows").help("The bucket page's statement at limits 1, 10 and 50 and with fewer columns"),
    ];
    QUERIES.into_iter().map(PossibleValue::new).chain(probes).collect::<Vec<_>>().into()
}

/// `cargo bench --bench perfbench -- read-queries [SECONDS]`: the G4 queries and G3 replays against
/// the data a previous full run left in the benchmark database (`DATABASE_URL` must point at it), for
/// iterating on the read paths without rebuilding a million invoices. Prints p50/p99 per query; no
/// goals.
pub async fn queries_only(args: &QueriesArgs) -> anyhow::Result<()> {
    let only = args.only.as_deref();
    if let Some(probe) = args.probe.filter(|_| only != Some("replay")) {
        let probe = probe.to_possible_value().map(|value| value.get_name().to_owned()).unwrap_or_default();
        anyhow::bail!("`{probe}` probes the replays: `read-queries {} replay {probe}`", args.seconds);
    }
    let each = Duration::from_secs_f64(args.seconds);
    let url = std::env::var("DATABASE_URL")?;
    let pool =
        vordering::internals::store::connect(url.parse()?, &vordering::internals::store::PoolSettings::default())
            .await?;
    let engine = Engine::from_pool(pool.clone()).await?;
    let large = AdministrationId::new("large")?;
    let debtors: i64 = sqlx::query_scalar("SELECT count(*) FROM debtor_balance WHERE administration = 'large'")
        .fetch_one(&pool)
        .await?;
    if only == Some("plans") {
        return probe::plans(&url, usize::try_from(debtors)?).await;
    }
    if only == Some("rows") {
        let l_q = latency::l_q(&pool, each).await?;
        println!("L_q p50 {:.3} ms", l_q.p50);
        return probe::rows(&pool, each, l_q.p50).await;
    }
    let table = LqTable::create(&pool).await?;
    for name in QUERIES.into_iter().filter(|name| only.is_none_or(|only| only == *name)) {
        let debtors = usize::try_from(debtors)?;
        let query = |i| query(&engine, name, &large, debtors, i);
        let (l, l_q) = latency::paired(Budget::For(each), query, |i| table.lookup(i)).await?;
        println!(
            "{name:<12} p50 {:.3} ms ({:.2} L_q at {:.3} ms)  p99 {:.3} ms",
            l.p50,
            l.p50 / l_q.p50,
            l_q.p50,
            l.p99
        );
    }
    table.drop().await?;
    if only.is_some_and(|only| only != "replay") {
        return Ok(());
    }
    let mut ids = Vec::new();
    for k in [4usize, 100, 1_000] {
        let accounts: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT aggregate_id FROM events WHERE aggregate_id LIKE $1")
                .bind(format!("audit:K{k}x%"))
                .fetch_all(&pool)
                .await?;
        ids.push((k, accounts));
    }
    match args.probe {
        Some(ReplayProbe::Split) => return probe::replay_split(&pool, &ids).await,
        Some(ReplayProbe::Cpu) => return probe::replay_cpu(&engine, &pool, &ids).await,
        Some(ReplayProbe::Fold) => return probe::replay_fold(&pool, &ids, args.rounds).await,
        None => {}
    }
    for r in replay_goals(&engine, &pool, &ids).await? {
        println!("{:<22} {:.3} ms  ratio {:.2}", r.goal, r.value, r.ratio);
    }
    Ok(())
}

/// G2: the fold alone, then the full blue/green rebuild of the dashboard projections.
async fn rebuild_goals(pool: &PgPool, l_copy: f64) -> anyhow::Result<Vec<GoalResult>> {
    let mut reads = Vec::new();
    for _ in 0..3 {
        reads.push(denominators::read(pool).await?);
    }
    let l_read = crate::median(reads);
    // Like every measurement here: the median of three runs, as one run alone swung widely
    // (docs/perf/RESULTS.md, "Median of three").
    let mut folds = Vec::new();
    let mut rebuilds = Vec::new();
    for _ in 0..3 {
        folds.push(timed(projections::fold_only(pool, Projection::Receivables)).await?);
        rebuilds.push(timed(projections::rebuild(pool, Projection::Receivables)).await?);
    }
    folds.sort_by(|a, b| a.1.total_cmp(&b.1));
    rebuilds.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (events, fold_s) = folds[1];
    let (report, rebuild_s) = rebuilds.swap_remove(1);
    let fold_rate = events as f64 / fold_s;
    let bound = report.events_folded as f64 / l_read + report.rows_written as f64 / l_copy;
    println!(
        "read side: L_read {l_read:.0} rows/s; fold {events} events in {fold_s:.2} s; rebuild {} events, {} rows in \
         {rebuild_s:.2} s (fold {:.2} s, write {:.2} s); bound {bound:.2} s",
        report.events_folded,
        report.rows_written,
        report.fold.as_secs_f64(),
        report.write.as_secs_f64()
    );
    Ok(vec![
        GoalResult::new("G2-fold-only", fold_rate, "events/s", "L_read", l_read, 0.6, Direction::AtLeast),
        GoalResult::new("G2-rebuild-efficiency", bound, "s (bound)", "T_rebuild", rebuild_s, 0.75, Direction::AtLeast),
    ])
}

/// What G3 replays of the account `id` (`admin:debtor`): the audit trail, every linking decision
/// with the figures before and after.
fn replay_query(id: &str) -> anyhow::Result<ReplayQuery> {
    let (admin, debtor) = id.split_once(':').unwrap_or_default();
    Ok(ReplayQuery {
        administration: AdministrationId::new(admin)?,
        debtor: Some(DebtorCode::new(debtor)?),
        until: Until::End,
        only_links: true,
    })
}

/// G3: replaying one aggregate's history against the primary-key scan of the same k rows, sampled
/// in turn.
async fn replay_goals(engine: &Engine, pool: &PgPool, ids: &[(usize, Vec<String>)]) -> anyhow::Result<Vec<GoalResult>> {
    let mut results = Vec::new();
    for (k, accounts) in ids {
        let account = |i: usize| &accounts[(i * 7_919) % accounts.len()];
        let (l_pk, replay) = latency::paired(
            Budget::Samples(REPLAY_SAMPLES),
            |i| latency::pk_scan(pool, account(i)),
            |i| async move {
                let report = engine.audit_replay(&replay_query(account(i))?).await?;
                anyhow::ensure!(report.events_folded == u64::try_from(*k)?, "replayed {} of {k}", report.events_folded);
                Ok(())
            },
        )
        .await?;
        let goal = format!("G3-replay-k{k}-p50");
        results.push(GoalResult::new(&goal, replay.p50, "ms", &format!("L_pk({k})"), l_pk.p50, 1.5, Direction::AtMost));
    }
    Ok(results)
}
