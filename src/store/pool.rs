//! Connection pools with an explicit size and timeouts (never postgres-es' panicking default pool).

use std::time::Duration;

use serde::Deserialize;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// How many connections a pool holds and how long anything may wait.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// How long a caller waits for a free connection (or for the server to answer a connect).
    pub acquire_timeout_secs: u64,
    /// Idle connections are closed after this long.
    pub idle_timeout_secs: u64,
    /// The server cancels a statement that runs longer than this (`statement_timeout`), so a
    /// statement stuck behind a lock or a runaway plan cannot hold a connection for ever; 0: no
    /// limit. Five minutes by default: far above the longest statement of a 1M-invoice import or
    /// rebuild (docs/perf/RESULTS.md), so only a stuck one meets it.
    pub statement_timeout_secs: u64,
}

impl Default for PoolSettings {
    /// Twelve: eight concurrent commands keep their connections while the command bus's wake-up
    /// notification and a cold load take others (with eight, G7's eight clients queued for them).
    fn default() -> Self {
        PoolSettings {
            max_connections: 12,
            acquire_timeout_secs: 10,
            idle_timeout_secs: 300,
            statement_timeout_secs: 300,
        }
    }
}

/// How long a pooled connection may sit idle before it is checked again before use.
const STALE_AFTER: Duration = Duration::from_secs(1);

/// Connects eagerly, so a dead or misconfigured database is reported at start, not at first use.
///
/// Sessions of these pools opt out of the events trigger's notification (migration 0046): a
/// notifying transaction holds a database-wide lock through its commit's flush, which would make
/// concurrent commands commit one at a time. The writers wake the runners instead: the bulk path
/// opts back in for its transaction, the command path notifies after its commit.
pub async fn connect(options: PgConnectOptions, settings: &PoolSettings) -> Result<PgPool, sqlx::Error> {
    let timeout = format!("{}s", settings.statement_timeout_secs);
    let options = options.application_name("vordering").options([("statement_timeout", timeout.as_str())]);
    pool_options(settings).connect_with(options).await
}

/// A pool for the dashboard's statements beside `pool`, to the same database with the same limits,
/// connecting when first used. Its sessions plan each prepared statement once (a generic plan):
/// the dashboard's statements are index ranges written for one plan, and PostgreSQL would otherwise
/// plan some of them again on every call when the first calls' dates make a custom plan look
/// cheaper. Planning cost as much as running them (docs/perf/RESULTS.md, "Generic plans for the
/// dashboard").
pub fn readers(pool: &PgPool) -> PgPool {
    let writers = pool.options();
    let settings = PoolSettings {
        max_connections: writers.get_max_connections(),
        acquire_timeout_secs: writers.get_acquire_timeout().as_secs(),
        idle_timeout_secs: writers
            .get_idle_timeout()
            .map_or(PoolSettings::default().idle_timeout_secs, |t| t.as_secs()),
        // the statement timeout is in the connect options, which the readers share
        ..PoolSettings::default()
    };
    let options = (*pool.connect_options()).clone().options([("plan_cache_mode", "force_generic_plan")]);
    pool_options(&settings).connect_lazy_with(options)
}

fn pool_options(settings: &PoolSettings) -> PgPoolOptions {
    PgPoolOptions::new()
        // sqlx pings every connection it hands out, a round trip before every query. A connection
        // used within the last second is alive; only one idle for longer (the server may have gone
        // away meanwhile) is pinged, and replaced when the ping fails.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= STALE_AFTER {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(conn, "SET vordering.notify = 'off'").await?;
                Ok(())
            })
        })
        .max_connections(settings.max_connections)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(settings.acquire_timeout_secs))
        .idle_timeout(Duration::from_secs(settings.idle_timeout_secs))
}
