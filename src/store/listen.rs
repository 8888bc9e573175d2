//! Listening for new events on [`CHANNEL`] in a loop that must outlive a database restart (the
//! projection runner, the webhook runner): no listener while the database is away, polling covers
//! the gap, and the next round listens again.

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tracing::warn;

use super::CHANNEL;

/// The notifications of new events, when they can be had.
#[derive(Default)]
pub struct NewEvents {
    listener: Option<PgListener>,
}

impl std::fmt::Debug for NewEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewEvents").field("listening", &self.listener.is_some()).finish()
    }
}

impl NewEvents {
    /// Listens, unless it already does; on failure it stays without a listener (and says so).
    pub async fn listen(&mut self, pool: &PgPool) {
        if self.listener.is_some() {
            return;
        }
        let listening = async {
            let mut listener = PgListener::connect_with(pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        self.listener =
            listening.await.inspect_err(|error| warn!(%error, "cannot listen for new events; polling")).ok();
    }

    /// Resolves at the next notification, or when the listener's connection failed: it is
    /// dropped, and the next [`NewEvents::listen`] listens again. Without a listener it never
    /// resolves.
    pub async fn next(&mut self) {
        match &mut self.listener {
            Some(connected) => {
                if let Err(error) = connected.recv().await {
                    warn!(%error, "lost the events notification channel");
                    self.listener = None;
                }
            }
            None => std::future::pending().await,
        }
    }
}
