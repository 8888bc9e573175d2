//! G7: command append latency through the real `CommandBus` (load the aggregate, decide, append,
//! commit), one client against `1 / L_commit`, and eight clients on different aggregates against
//! the 8-client group-commit limit `L_commit8`, which this module measures with raw sqlx.
//!
//! The command alternates `PauseDebtor` and `ResumeDebtor` on accounts with a realistic history
//! (`read_side::data::debtor_events`, 21 events), so every command loads 21+ events and appends one.

use std::sync::Arc;
use std::time::Instant;

use sqlx::PgPool;
use vordering::domain::debtor_account::{DebtorAccount, DebtorAccountCommand, DunningCommand};
use vordering::events::debtor_account::PauseScope;
use vordering::events::Metadata;
use vordering::internals::store::CommandBus;

use crate::read_side::data;
use crate::read_side::latency::{self, Latency};
use crate::report::{Direction, GoalResult};

/// Accounts per client: a command never waits for another client's aggregate.
const ACCOUNTS_PER_CLIENT: usize = 50;
pub const CLIENTS: usize = 8;
/// Commands (or raw commits) per client in one throughput run.
const PER_CLIENT: usize = 400;

fn account_id(index: usize) -> String {
    format!("cmd:D{index:07}")
}

/// Writes the accounts the commands run against.
pub async fn prepare(pool: &PgPool) -> anyhow::Result<()> {
    let accounts = (0..CLIENTS * ACCOUNTS_PER_CLIENT).map(|i| (account_id(i), data::debtor_events("cmd", i))).collect();
    data::write(pool, accounts).await?;
    Ok(())
}

/// The `visit`-th command on an account: pause on even visits, resume on odd ones (one event each).
fn command(visit: usize) -> DebtorAccountCommand {
    let reason = "perfbench".to_owned();
    DebtorAccountCommand::Dunning(if visit % 2 == 0 {
        DunningCommand::PauseDebtor { scope: PauseScope::All, reason }
    } else {
        DunningCommand::ResumeDebtor { reason }
    })
}

/// Runs command `n` of a client that owns accounts `client`, `client + CLIENTS`, … Every run
/// visits each account an even number of times, so each ends with the accounts not paused.
async fn execute(bus: &CommandBus<DebtorAccount>, client: usize, n: usize) -> anyhow::Result<()> {
    let account = client + CLIENTS * (n % ACCOUNTS_PER_CLIENT);
    let visit = n / ACCOUNTS_PER_CLIENT;
    let metadata = Metadata::new("perfbench", "perfbench", chrono::Utc::now());
    bus.execute(&account_id(account), command(visit), &metadata).await.map_err(|e| anyhow::anyhow!("{e}"))
}

/// One client's loop of `samples` commands over its accounts.
async fn single(bus: &CommandBus<DebtorAccount>, samples: usize) -> anyhow::Result<Latency> {
    // `sampled` runs 20 warm-up calls first, numbered from 0 like the samples: offset them so that
    // every account sees alternating commands.
    let mut calls = 0usize;
    latency::sampled(samples, |_| {
        let n = calls;
        calls += 1;
        async move { execute(bus, 0, n).await }
    })
    .await
}

/// Commands per second of `CLIENTS` concurrent clients, each on its own accounts, sharing one bus
/// as the requests of a server share its engine's.
async fn concurrent(bus: &Arc<CommandBus<DebtorAccount>>) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let bus = Arc::clone(bus);
        tasks.push(tokio::spawn(async move {
            for n in 0..PER_CLIENT {
                execute(&bus, client, n).await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok((CLIENTS * PER_CLIENT) as f64 / started.elapsed().as_secs_f64())
}

/// `L_commit8`: `CLIENTS` connections, each inserting one row per transaction into a copy of the
/// events table (same columns, defaults and indexes), tx/s in total. The copy has none of our
/// triggers: the denominator is what the server and disk allow (group commit), and what our
/// trigger costs belongs to the measured path, not to the limit.
pub async fn commit8(pool: &PgPool) -> Result<f64, sqlx::Error> {
    sqlx::query("DROP TABLE IF EXISTS perf_commit8").execute(pool).await?;
    sqlx::query("CREATE TABLE perf_commit8 (LIKE events INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)")
        .execute(pool)
        .await?;
    let payload = r#"{"DebtorPaused":{"scope":"All","reason":"perfbench"}}"#;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = pool.acquire().await?;
            for n in 0..PER_CLIENT {
                sqlx::query(
                    "INSERT INTO perf_commit8 (aggregate_type, aggregate_id, sequence, event_type, event_version, \
                     payload, metadata) VALUES ('DebtorAccount', $1, $2, 'DebtorPaused', '1.0', $3::jsonb, '{}')",
                )
                .bind(account_id(client))
                .bind(i64::try_from(n).unwrap_or(0) + 1)
                .bind(payload)
                .execute(&mut *conn)
                .await?;
            }
            Ok::<(), sqlx::Error>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| sqlx::Error::Protocol(e.to_string()))??;
    }
    let rate = (CLIENTS * PER_CLIENT) as f64 / started.elapsed().as_secs_f64();
    sqlx::query("DROP TABLE perf_commit8").execute(pool).await?;
    Ok(rate)
}

/// The G7 results, given `L_commit` (tx/s) and `L_commit8` (tx/s) measured in this run.
pub async fn goals(pool: &PgPool, l_commit: f64, l_commit8: f64) -> anyhow::Result<Vec<GoalResult>> {
    let bus = Arc::new(CommandBus::<DebtorAccount>::new(pool.clone()));
    // 20 warm-up commands plus the samples on client 0's accounts: 20 visits each, an even number.
    let samples = 20 * ACCOUNTS_PER_CLIENT - 20;
    let one = single(&bus, samples).await?;
    let mut rates = Vec::new();
    for _ in 0..3 {
        rates.push(concurrent(&bus).await?);
    }
    let rate = crate::median(rates);
    let commit_ms = 1_000.0 / l_commit;
    println!("commands: p50 {:.3} ms, p99 {:.3} ms; 8 clients {:.0} commands/s", one.p50, one.p99, rate);
    Ok(vec![
        GoalResult::new("G7-command-p50", one.p50, "ms", "1/L_commit", commit_ms, 3.0, Direction::AtMost),
        GoalResult::new("G7-command-8-clients", rate, "commands/s", "L_commit8", l_commit8, 0.6, Direction::AtLeast),
    ])
}
