//! Single commands through cqrs-es (`new_event_store` only: its snapshot stores double-apply events),
//! with metadata on every event and a bounded, jittered retry on optimistic-lock conflicts. The
//! events are appended in one statement (`repository`) and the runners woken after the commit
//! (`notify`).

use std::time::Duration;

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, CqrsFramework};
use rand::Rng;
use sqlx::PgPool;
use tracing::{debug, instrument};

use super::notify::Notifier;
use super::repository::OneTripRepository;
use crate::events::Metadata;

/// How often a command is decided again after another writer got to its aggregate first.
pub const MAX_CONFLICT_RETRIES: u32 = 5;

/// Runs commands of one aggregate type against the event store.
pub struct CommandBus<A: Aggregate<Services = ()>> {
    cqrs: CqrsFramework<A, PersistedEventStore<OneTripRepository, A>>,
    notifier: Notifier,
}

impl<A: Aggregate<Services = ()>> std::fmt::Debug for CommandBus<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandBus").field("aggregate", &A::TYPE).finish()
    }
}

/// What became of a command.
#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: std::error::Error> {
    /// The aggregate refused the command; show the reason to the user.
    #[error(transparent)]
    Rejected(E),
    /// Other writers kept changing the aggregate; try again later.
    #[error("the {aggregate_id} record kept changing under {attempts} attempts; try again")]
    Contended { aggregate_id: String, attempts: u32 },
    /// The store failed; nothing was written.
    #[error("event store error: {0}")]
    Store(String),
}

impl<A> CommandBus<A>
where
    A: Aggregate<Services = ()>,
    A::Command: Clone,
{
    pub fn new(pool: PgPool) -> Self {
        let store = PersistedEventStore::new_event_store(OneTripRepository::new(pool.clone()))
            .with_upcasters(crate::events::upcast::cqrs_upcasters(A::TYPE));
        CommandBus { cqrs: CqrsFramework::new(store, vec![], ()), notifier: Notifier::new(pool) }
    }

    /// Decides and appends; on a conflict reloads and decides again, at most `MAX_CONFLICT_RETRIES` times.
    #[instrument(skip_all, fields(aggregate = A::TYPE, id = aggregate_id, command_id = %metadata.command_id))]
    pub async fn execute(
        &self,
        aggregate_id: &str,
        command: A::Command,
        metadata: &Metadata,
    ) -> Result<(), CommandError<A::Error>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.cqrs.execute_with_metadata(aggregate_id, command.clone(), metadata.to_map()).await;
            match result {
                Ok(()) => {
                    self.notifier.wake();
                    return Ok(());
                }
                Err(AggregateError::UserError(error)) => return Err(CommandError::Rejected(error)),
                Err(AggregateError::AggregateConflict) if attempt <= MAX_CONFLICT_RETRIES => {
                    let pause = rand::thread_rng().gen_range(5..=25) * u64::from(attempt);
                    debug!(attempt, pause_ms = pause, "conflict; deciding again");
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                Err(AggregateError::AggregateConflict) => {
                    return Err(CommandError::Contended { aggregate_id: aggregate_id.to_owned(), attempts: attempt })
                }
                Err(other) => return Err(CommandError::Store(other.to_string())),
            }
        }
    }
}
