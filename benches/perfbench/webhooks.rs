//! G12, the webhooks: delivery to a local receiver in deliveries/s against `L_commit8`; from an
//! event's commit to its delivery, p99 when idle (at most 1 s); and while an import writes its
//! invoices, the backlog (events the runner has not passed, deliveries not yet sent), which must
//! drain within a minute after the import ends.
//!
//! The receiver is an axum server on loopback in this process that answers 204 and counts; it
//! does not verify the signatures (the integration tests do), so its CPU stays off the sender's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use secrecy::SecretString;
use sqlx::PgPool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::AdministrationId;
use vordering::events::Metadata;
use vordering::internals::credentials::Vault;
use vordering::internals::eboekhouden::simulator::Simulator;
use vordering::internals::import::Quiet;
use vordering::internals::webhooks::{derive_batch, Derived, BATCH};
use vordering::{Engine, Settings};

use crate::import;
use crate::read_side::data;
use crate::read_side::latency::Latency;
use crate::report::{Direction, GoalResult};

/// The flags of the webhook goals.
#[derive(Debug, Clone, clap::Args)]
pub struct WebhookArgs {
    /// Debtor accounts (of 21 events each) whose deliveries the throughput goal sends.
    #[arg(long, default_value_t = 2_000)]
    pub webhook_accounts: usize,
    /// Events committed one by one for the idle latency.
    #[arg(long, default_value_t = 200)]
    pub webhook_samples: usize,
    /// Invoices of the import whose backlog is reported (G12 asks for 1000000; 0 skips it).
    #[arg(long, default_value_t = 100_000)]
    pub webhook_import_invoices: u64,
}

/// Counts what arrives, and wakes whoever waits for the next one.
#[derive(Debug, Default)]
struct Counter {
    received: AtomicU64,
    arrived: Notify,
}

impl Counter {
    fn count(&self) -> u64 {
        self.received.load(Ordering::Acquire)
    }

    /// Waits until at least `n` have arrived.
    async fn until(&self, n: u64) {
        loop {
            let arrived = self.arrived.notified();
            if self.count() >= n {
                return;
            }
            arrived.await;
        }
    }
}

/// A receiver on loopback; its URL and its counter.
async fn receiver() -> anyhow::Result<(String, Arc<Counter>)> {
    let counter = Arc::new(Counter::default());
    let seen = Arc::clone(&counter);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let seen = Arc::clone(&seen);
            async move {
                seen.received.fetch_add(1, Ordering::AcqRel);
                seen.arrived.notify_waiters();
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, counter))
}

fn vault() -> anyhow::Result<Vault> {
    Ok(Vault::from_hex(&SecretString::from("43".repeat(32)))?)
}

/// An engine on `pool` that may send to loopback, with `administration` registered and
/// subscribed (every type) at a fresh receiver.
async fn subscribed(
    pool: &PgPool,
    mut settings: Settings,
    administration: &str,
) -> anyhow::Result<(Arc<Engine>, Arc<Counter>)> {
    settings.webhooks.allow_private_targets = true;
    let engine = Engine::from_pool(pool.clone()).await?.with_vault(vault()?).with_settings(settings);
    let id = AdministrationId::new(administration)?;
    let register = AdministrationCommand::Register { name: id.to_string(), registered_by: "perfbench".to_owned() };
    let meta = Metadata::new("perfbench", "perfbench", chrono::Utc::now());
    engine.administration_command(&id, register, &meta).await?;
    let (url, counter) = receiver().await?;
    engine.add_webhook(&id, &url, &[]).await?;
    Ok((Arc::new(engine), counter))
}

/// Runs the webhook runner and its workers until the token is cancelled.
fn run(engine: &Arc<Engine>) -> (CancellationToken, tokio::task::JoinHandle<anyhow::Result<()>>) {
    let stop = CancellationToken::new();
    let (engine, token) = (Arc::clone(engine), stop.clone());
    let task = tokio::spawn(async move { Ok(engine.run_webhooks(token.cancelled_owned()).await?) });
    (stop, task)
}

async fn count(pool: &PgPool, sql: &str) -> anyhow::Result<u64> {
    let n: i64 = sqlx::query_scalar(sql).fetch_one(pool).await?;
    Ok(u64::try_from(n)?)
}

/// G12 in one run: throughput, idle latency and the backlog of an import.
pub async fn goals(pool: &PgPool, l_commit8: f64, args: &WebhookArgs) -> anyhow::Result<Vec<GoalResult>> {
    // A database of its own: the runner reads the global order from its start.
    let (accounts, samples) = (args.webhook_accounts, args.webhook_samples);
    let (rate, latency) = import::Scratch::beside(pool)
        .await?
        .run(|db| async move {
            let (engine, counter) = subscribed(&db, Settings::default(), "hooks").await?;
            let rate = throughput(&db, &engine, &counter, accounts).await?;
            let latency = idle_latency(&db, &engine, &counter, samples).await?;
            Ok((rate, latency))
        })
        .await?;
    println!(
        "webhooks: {rate:.0} deliveries/s ({:.2} × L_commit8); commit to delivery p50 {:.1} ms, p99 {:.1} ms",
        rate / l_commit8,
        latency.p50,
        latency.p99
    );
    let mut results = vec![
        GoalResult::new("G12-deliveries", rate, "deliveries/s", "L_commit8", l_commit8, 0.5, Direction::AtLeast),
        GoalResult::new("G12-idle-p99", latency.p99, "ms", "limit 1000 ms", 1_000.0, 1.0, Direction::AtMost),
    ];
    if args.webhook_import_invoices > 0 {
        let drain = import_backlog(pool, args.webhook_import_invoices).await?;
        results.push(GoalResult::new(
            &format!("G12-drain@{}", args.webhook_import_invoices),
            drain,
            "s",
            "limit 60 s",
            60.0,
            1.0,
            Direction::AtMost,
        ));
    }
    Ok(results)
}

/// Deliveries/s of the derived deliveries of `accounts` accounts: derived first, then timed from
/// the runner's start until the receiver has every one.
async fn throughput(pool: &PgPool, engine: &Arc<Engine>, counter: &Counter, accounts: usize) -> anyhow::Result<f64> {
    data::write(pool, (0..accounts).map(|i| (format!("hooks:D{i:07}"), data::debtor_events("hooks", i))).collect())
        .await?;
    while derive_batch(pool, BATCH).await? != Derived::Idle {}
    let total = count(pool, "SELECT count(*) FROM webhook_delivery").await?;
    let before = counter.count();
    let started = Instant::now();
    let (stop, runner) = run(engine);
    counter.until(before + total).await;
    let seconds = started.elapsed().as_secs_f64();
    stop.cancel();
    runner.await??;
    println!("webhooks: {total} deliveries of {accounts} accounts sent in {seconds:.2} s");
    Ok(total as f64 / seconds)
}

/// Commits one invoice at a time while the runner idles, and times each until it arrives.
async fn idle_latency(
    pool: &PgPool,
    engine: &Arc<Engine>,
    counter: &Counter,
    samples: usize,
) -> anyhow::Result<Latency> {
    let (stop, runner) = run(engine);
    let mut millis = Vec::with_capacity(samples);
    for i in 0..samples {
        // debtor codes after the throughput's, so no document key repeats
        let mut events = data::debtor_events("hooks", 1_000_000 + i);
        events.truncate(2); // the debtor and its first invoice: one invoice.imported
        let before = counter.count();
        tokio::time::sleep(Duration::from_millis(10)).await;
        let started = Instant::now();
        data::write(pool, vec![(format!("hooks:L{i:07}"), events)]).await?;
        counter.until(before + 1).await;
        millis.push(started.elapsed().as_secs_f64() * 1_000.0);
    }
    stop.cancel();
    runner.await??;
    Ok(crate::read_side::latency::percentiles(millis))
}

/// Imports `invoices` from the simulator into a fresh database with a subscription to every type
/// and the runner going; prints the backlog each second and returns the seconds it took to drain
/// after the import ended.
async fn import_backlog(pool: &PgPool, invoices: u64) -> anyhow::Result<f64> {
    let simulator = Simulator::start(import::config(invoices)).await?;
    let scratch = import::Scratch::beside(pool).await?;
    let books = &simulator;
    let drained = scratch
        .run(|db| async move {
            let simulator = books;
            let id = AdministrationId::new("bench-hooks")?;
            let (engine, counter) = subscribed(&db, import::settings(simulator), id.as_str()).await?;
            import::link(&engine, simulator, &id).await?;
            let (stop, runner) = run(&engine);
            let importing = {
                let (engine, request) = (Arc::clone(&engine), import::request(&id, simulator));
                tokio::spawn(async move { engine.import(&request, None, &Quiet).await })
            };
            let started = Instant::now();
            let mut worst = Backlog::default();
            while !importing.is_finished() {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let now = Backlog::measure(&db).await?;
                worst = worst.max(&now);
            }
            let imported = importing.await??;
            let ended = Instant::now();
            println!(
                "webhooks: import of {invoices} invoices, {} events in {:.1} s with the runner going; \
                 largest backlog {} events and {} deliveries",
                imported.counts.events_written,
                ended.duration_since(started).as_secs_f64(),
                worst.events,
                worst.deliveries
            );
            let mut last_print = Instant::now();
            loop {
                let now = Backlog::measure(&db).await?;
                if now.events == 0 && now.deliveries == 0 {
                    break;
                }
                if last_print.elapsed() >= Duration::from_secs(10) {
                    println!("  backlog {} events, {} deliveries", now.events, now.deliveries);
                    last_print = Instant::now();
                }
                anyhow::ensure!(ended.elapsed() < Duration::from_secs(1_800), "the backlog did not drain in 30 min");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let drained = ended.elapsed().as_secs_f64();
            let delivered = count(&db, "SELECT count(*) FROM webhook_delivery WHERE status = 'delivered'").await?;
            println!(
                "webhooks: {delivered} deliveries ({} received), drained {drained:.1} s after the import",
                counter.count()
            );
            stop.cancel();
            runner.await??;
            Ok(drained)
        })
        .await?;
    simulator.shutdown().await;
    Ok(drained)
}

/// What the runner and the workers have yet to do.
#[derive(Debug, Default, Clone, Copy)]
struct Backlog {
    /// Events committed after the runner's cursor.
    events: u64,
    /// Deliveries written and not yet sent.
    deliveries: u64,
}

impl Backlog {
    async fn measure(pool: &PgPool) -> anyhow::Result<Backlog> {
        let events = count(
            pool,
            "SELECT count(*) FROM events e, webhook_cursor c \
             WHERE c.id = 1 AND (e.tx_id, e.global_position) > (c.last_tx, c.last_pos)",
        )
        .await?;
        let deliveries = count(pool, "SELECT count(*) FROM webhook_delivery WHERE status = 'pending'").await?;
        Ok(Backlog { events, deliveries })
    }

    fn max(&self, other: &Backlog) -> Backlog {
        Backlog { events: self.events.max(other.events), deliveries: self.deliveries.max(other.deliveries) }
    }
}
