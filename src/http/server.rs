//! The whole server: the API, the scheduler beside it, and a graceful stop. When `shutdown`
//! resolves the listener closes, requests in flight finish, the scheduler starts nothing new,
//! and running imports finish before `serve` returns.

use std::future::Future;
use std::time::Duration;

use tokio::net::TcpListener;
use tracing::info;

use super::Api;

/// How often the scheduler looks whether an administration is due.
pub const SCHEDULER_TICK: Duration = Duration::from_secs(30);

/// Serves `api` on `listener` with its scheduler (when `schedule` is set) until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    api: Api,
    schedule: bool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if schedule {
        api.tasks.spawn(api.scheduler().run(SCHEDULER_TICK));
    }
    let stopping = api.stopping();
    let signal = async move {
        shutdown.await;
        info!("shutting down: no new requests; finishing the running ones and the imports");
        stopping.cancel();
    };
    let result = axum::serve(listener, api.router()).with_graceful_shutdown(signal).await;
    api.drain().await;
    info!("stopped");
    result
}
