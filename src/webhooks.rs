//! Signed webhooks for the systems around the engine (the Standard Webhooks specification):
//! subscriptions per administration; deliveries derived from the global order of the events by one
//! checkpointed runner, so that no committed event is skipped (`derive`); and workers that send
//! each at least once, retrying on a schedule of about three days (`send`). A delivery's
//! `webhook-id` is its idempotency key: every retry and a replay carry the same one.
//!
//! What a consumer checks: the signature over `{webhook-id}.{webhook-timestamp}.{body}` (HMAC-SHA256
//! with the base64-decoded key after `whsec_`), and that the timestamp is within five minutes
//! (`secret::verify`, and `vordering webhook listen` does it for a developer trying it out).

mod catalogue;
mod derive;
mod log;
mod schedule;
mod secret;
mod send;
mod subscriptions;
mod target;
mod types;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Deserialize;
use sqlx::PgPool;
use tokio::sync::Notify;
use tracing::{info, warn};

pub use derive::{derive_batch, Derived, BATCH};
pub use log::{deliveries, notices, replay, AttemptLine, DeliveryLine, Notice, Replay};
pub use schedule::{next_attempt, MAX_ATTEMPTS, RETRY_SECONDS};
pub use secret::{signature_header, verify, SecretError, Unverified, WebhookSecret, TOLERANCE_SECONDS};
pub use send::{Attempt, Outcome, Sender};
pub use subscriptions::{add, get, list, remove, rotate, set_active, Created, Subscription};
pub use target::{is_inward, parse_target, TargetRefused};
pub use types::{EventType, UnknownEventType};

use crate::credentials::{CredentialsError, Vault};
use crate::store::{NewEvents, StoreError};

/// Why a webhook call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// The URL is no place to send to; say which rule it broke.
    #[error(transparent)]
    Target(#[from] TargetRefused),
    #[error(transparent)]
    EventType(#[from] UnknownEventType),
    #[error("no webhook subscription {0} in this administration")]
    UnknownSubscription(uuid::Uuid),
    #[error("no webhook delivery {0} in this administration")]
    UnknownDelivery(String),
    /// The HTTP client could not be made (a TLS backend that does not start).
    #[error("the webhook client cannot be made: {0}")]
    Client(String),
    #[error("the webhook tables hold a value that cannot be read: {0}")]
    Corrupt(String),
}

/// The `[webhooks]` settings.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSettings {
    /// Allow targets on loopback and private networks (a back office on the same host, tests).
    pub allow_private_targets: bool,
    /// Seconds a receiver has to answer.
    pub timeout_secs: u32,
    /// Deliveries sent side by side by one process.
    pub workers: usize,
    /// Hours the previous secret keeps signing after a rotation (a `u16`: at most about 7 years, so
    /// the end of the overlap is always a date).
    pub rotation_overlap_hours: u16,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings { allow_private_targets: false, timeout_secs: 15, workers: 4, rotation_overlap_hours: 24 }
    }
}

/// Deliveries a worker takes and sends at once.
pub const SEND_BATCH: i64 = 128;

/// How long a worker or the runner sleeps without news before it looks anyway.
const POLL: Duration = Duration::from_secs(1);

/// Runs the deriving runner and the sending workers until `stop` resolves. The runner wakes on
/// every new event (the store's NOTIFY channel) and wakes the workers when it wrote deliveries.
pub async fn run(
    pool: PgPool,
    vault: Vault,
    settings: WebhookSettings,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), WebhookError> {
    let sender = Sender::new(pool.clone(), vault, settings.clone())?;
    let news = Arc::new(Notify::new());
    let stopping = tokio_util::sync::CancellationToken::new();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..settings.workers.max(1) {
        let (sender, news, stopping) = (sender.clone(), Arc::clone(&news), stopping.clone());
        tasks.spawn(async move { work(sender, news, stopping).await });
    }
    tasks.spawn(derive_loop(pool, Arc::clone(&news), stopping.clone()));
    stop.await;
    stopping.cancel();
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Derives until stopped; wakes on new events, polls as a fallback. A database that goes away
/// (a restart, a failover) is waited for: the runner tries again each poll and listens again.
async fn derive_loop(pool: PgPool, news: Arc<Notify>, stopping: tokio_util::sync::CancellationToken) {
    let mut events = NewEvents::default();
    loop {
        events.listen(&pool).await;
        match derive_batch(&pool, BATCH).await {
            Ok(Derived::Batch { deliveries, .. }) => {
                if deliveries > 0 {
                    news.notify_waiters();
                }
                continue;
            }
            Ok(Derived::Idle | Derived::Busy) => {}
            Err(error) => warn!(%error, "deriving webhook deliveries failed; trying again"),
        }
        tokio::select! {
            () = events.next() => {}
            () = tokio::time::sleep(POLL) => {}
            () = stopping.cancelled() => return,
        }
    }
}

/// One worker: sends what is due, then waits for news or the next poll.
async fn work(sender: Sender, news: Arc<Notify>, stopping: tokio_util::sync::CancellationToken) {
    loop {
        if stopping.is_cancelled() {
            return;
        }
        let woken = news.notified();
        match sender.send_due(Utc::now(), SEND_BATCH).await {
            Ok(sent) if !sent.is_empty() => continue,
            Ok(_) => {}
            Err(error) => warn!(%error, "sending a webhook failed; trying again"),
        }
        tokio::select! {
            () = woken => {}
            () = tokio::time::sleep(POLL) => {}
            () = stopping.cancelled() => {
                info!("webhook worker stopped");
                return;
            }
        }
    }
}
