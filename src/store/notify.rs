//! Waking the projection runners after a command's commit, outside the command's transaction.
//!
//! A `NOTIFY` inside the writing transaction would hold a database-wide lock through that
//! transaction's commit flush, so concurrent commands could not share a flush (group commit). Here
//! the notification goes in a transaction of its own with `synchronous_commit = off`, which holds
//! the lock for microseconds. At most one such transaction runs per bus at a time: wakes that arrive
//! while one runs are folded into one more, sent shortly after it, so every commit is followed by a
//! notification that starts after it.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use sqlx::PgPool;
use tracing::warn;

/// The channel new events are announced on: by this notifier, and by the `events` trigger for
/// other writers (migrations 0011 and 0046). The projection runners listen on it.
pub const CHANNEL: &str = "vordering_events";

/// The pause between notifications while commits keep coming: runners read batches, so a few
/// milliseconds more cost nothing in freshness and save a transaction per commit.
const COALESCE: std::time::Duration = std::time::Duration::from_millis(5);

const IDLE: u8 = 0;
const SENDING: u8 = 1;
const SENDING_AND_PENDING: u8 = 2;

#[derive(Clone, Debug)]
pub(crate) struct Notifier {
    pool: PgPool,
    state: Arc<AtomicU8>,
}

impl Notifier {
    pub(crate) fn new(pool: PgPool) -> Self {
        Notifier { pool, state: Arc::new(AtomicU8::new(IDLE)) }
    }

    /// Asks for a notification after everything committed so far; never waits for it.
    pub(crate) fn wake(&self) {
        // Idle: become the sender, whose first notification starts after this point. Sending: leave
        // one more notification pending for the sender.
        let step = |state: u8| Some(if state == IDLE { SENDING } else { SENDING_AND_PENDING });
        let before = self.state.fetch_update(Ordering::AcqRel, Ordering::Acquire, step).unwrap_or(SENDING);
        if before == IDLE {
            let notifier = self.clone();
            tokio::spawn(async move { notifier.send_until_idle().await });
        }
    }

    async fn send_until_idle(self) {
        loop {
            let sql = format!("BEGIN; SET LOCAL synchronous_commit = off; SELECT pg_notify('{CHANNEL}', ''); COMMIT");
            match sqlx::raw_sql(&sql).execute(&self.pool).await {
                // The process is shutting down: no runner of its own is left to wake.
                Ok(_) | Err(sqlx::Error::PoolClosed) => {}
                // The runners still poll; a lost wake-up only delays them.
                Err(error) => warn!(%error, "could not notify the projection runners"),
            }
            match self.state.compare_exchange(SENDING, IDLE, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return,
                // Someone woke us while we were sending: send once more for them, a moment later,
                // so a stream of commits costs at most one notification per pause, not one each.
                Err(_) => {
                    self.state.store(SENDING, Ordering::Release);
                    tokio::time::sleep(COALESCE).await;
                }
            }
        }
    }
}
