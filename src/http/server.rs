//! The whole server: the API, the scheduler beside it, and a graceful stop. When `shutdown`
//! resolves the listener closes, requests in flight finish, the scheduler starts nothing new,
//! and running imports finish before `serve` returns (within the grace period).

use std::future::Future;
use std::time::Duration;

use crate::projections;
use tokio::net::TcpListener;
use tracing::{info, warn};

use super::Api;

/// How often the scheduler looks whether an administration is due.
pub const SCHEDULER_TICK: Duration = Duration::from_secs(30);

/// How `serve` runs.
#[derive(Clone, Copy, Debug)]
pub struct ServeOptions {
    /// Run the daily import scheduler in this process.
    pub schedule: bool,
    /// How long running imports may take to finish after the stop signal. An import cut off after
    /// that loses nothing: it writes whole batches only, and the next run finishes the rest.
    pub grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions { schedule: true, grace: Duration::from_secs(300) }
    }
}

/// Serves `api` on `listener` (with its scheduler when asked) until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    api: Api,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if options.schedule {
        api.tasks.spawn(api.scheduler().run(SCHEDULER_TICK));
    }
    // The read models follow the events in this process too (one runner per projection across
    // processes: the runner's advisory lock leaves a projection another server runs alone).
    let (pool, stop) = (api.engine.pool().clone(), api.stopping());
    api.tasks.spawn(async move {
        let options = projections::RunnerOptions::default();
        projections::run(&pool, &projections::ALL, &options, stop.cancelled_owned()).await;
    });
    // Webhooks need the key that seals their secrets; without one there are none to send.
    if api.engine.has_vault() {
        let (engine, stop) = (std::sync::Arc::clone(api.engine()), api.stopping());
        api.tasks.spawn(async move {
            if let Err(error) = engine.run_webhooks(stop.cancelled_owned()).await {
                warn!(%error, "the webhook runner stopped; deliveries wait until the next start");
            }
        });
    }
    let stopping = api.stopping();
    let signal = async move {
        shutdown.await;
        info!("shutting down: no new requests; finishing the running ones and the imports");
        stopping.cancel();
    };
    let result = axum::serve(listener, api.router()).with_graceful_shutdown(signal).await;
    if tokio::time::timeout(options.grace, api.drain()).await.is_err() {
        warn!(grace = ?options.grace, "imports still running after the grace period; the next run completes them");
    }
    info!("stopped");
    result
}
