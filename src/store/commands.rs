//! Single commands through cqrs-es (`new_event_store` only: its snapshot stores double-apply events),
//! with metadata on every event and a bounded, jittered retry on optimistic-lock conflicts. A warm
//! aggregate is decided on its cached state (`cache`); the events are appended in one statement
//! (`repository`) and the runners woken after the commit (`notify`).

use std::time::Duration;

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, EventStore};
use postgres_es::PostgresEventRepository;
use rand::Rng;
use sqlx::PgPool;
use tracing::{debug, instrument};

use super::cache::{AggregateCache, Cached, CACHED_AGGREGATES};
use super::notify::Notifier;
use super::{repository, StoreError};
use crate::events::Metadata;

/// How often a command is decided again after another writer got to its aggregate first.
pub const MAX_CONFLICT_RETRIES: u32 = 5;

/// Runs commands of one aggregate type against the event store.
pub struct CommandBus<A: Aggregate<Services = ()>> {
    /// Loads what the cache does not hold (postgres-es, through the upcasters).
    store: PersistedEventStore<PostgresEventRepository, A>,
    pool: PgPool,
    cache: AggregateCache<A>,
    notifier: Notifier,
}

impl<A: Aggregate<Services = ()>> std::fmt::Debug for CommandBus<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandBus").field("aggregate", &A::TYPE).finish()
    }
}

/// What became of a command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError<E: std::error::Error> {
    /// The aggregate refused the command; show the reason to the user.
    #[error(transparent)]
    Rejected(E),
    /// Other writers kept changing the aggregate; try again later.
    #[error("the {aggregate_id} record kept changing under {attempts} attempts; try again")]
    Contended { aggregate_id: String, attempts: u32 },
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One attempt's outcome, before the bus decides whether to try again.
enum Attempt<E: std::error::Error> {
    Done,
    /// Decided on a cached state that may be stale (a conflict, a refusal or nothing to do):
    /// decide again at once on a fresh load.
    Unsure,
    Failed(AggregateError<E>),
}

impl<A> CommandBus<A>
where
    A: Aggregate<Services = ()>,
    A::Command: Clone,
{
    pub fn new(pool: PgPool) -> Self {
        let store = PersistedEventStore::new_event_store(PostgresEventRepository::new(pool.clone()))
            .with_upcasters(crate::events::upcast::cqrs_upcasters(A::TYPE));
        let notifier = Notifier::new(pool.clone());
        CommandBus { store, pool, cache: AggregateCache::new(CACHED_AGGREGATES), notifier }
    }

    /// The sequence up to which a state of `aggregate_id` is cached here, if one is: the next
    /// command on it is decided without a load.
    pub fn cached_sequence(&self, aggregate_id: &str) -> Option<usize> {
        self.cache.sequence(aggregate_id)
    }

    /// Decides and appends; on a conflict reloads and decides again, at most `MAX_CONFLICT_RETRIES` times.
    #[instrument(skip_all, fields(aggregate = A::TYPE, id = aggregate_id, command_id = %metadata.command_id))]
    pub async fn execute(
        &self,
        aggregate_id: &str,
        command: A::Command,
        metadata: &Metadata,
    ) -> Result<(), CommandError<A::Error>> {
        let metadata = serde_json::to_string(&metadata.to_map()).map_err(StoreError::from)?;
        let mut attempt = 0;
        // After one unsure decision the command reads the store only, so that it cannot loop on
        // states other commands of this process keep caching.
        let mut use_cache = true;
        loop {
            match self.attempt(aggregate_id, command.clone(), &metadata, use_cache).await {
                Attempt::Done => return Ok(()),
                Attempt::Unsure => {
                    debug!("decided on a cached state that may be stale; deciding again");
                    use_cache = false;
                }
                Attempt::Failed(AggregateError::UserError(error)) => return Err(CommandError::Rejected(error)),
                Attempt::Failed(AggregateError::AggregateConflict) if attempt < MAX_CONFLICT_RETRIES => {
                    attempt += 1;
                    let pause = rand::thread_rng().gen_range(5..=25) * u64::from(attempt);
                    debug!(attempt, pause_ms = pause, "conflict; deciding again");
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                Attempt::Failed(AggregateError::AggregateConflict) => {
                    let attempts = attempt + 1;
                    return Err(CommandError::Contended { aggregate_id: aggregate_id.to_owned(), attempts });
                }
                Attempt::Failed(
                    AggregateError::DatabaseConnectionError(error) | AggregateError::UnexpectedError(error),
                ) => return Err(StoreError::from_event_store(error).into()),
                Attempt::Failed(AggregateError::DeserializationError(error)) => {
                    return Err(StoreError::EventStore(error).into())
                }
            }
        }
    }

    /// Loads (from the cache, else from the store), decides, and appends at the next sequence. The
    /// state is cached again only once its events are committed.
    async fn attempt(&self, id: &str, command: A::Command, metadata: &str, use_cache: bool) -> Attempt<A::Error> {
        let (Cached { mut state, sequence }, cached) = match use_cache.then(|| self.cache.take(id)).flatten() {
            Some(entry) => (entry, true),
            None => match self.store.load_aggregate(id).await {
                Ok(context) => (Cached { state: context.aggregate, sequence: context.current_sequence }, false),
                Err(error) => return Attempt::Failed(error),
            },
        };
        // The sink applies each event to `state` as `handle` writes it (cqrs-es 0.5).
        let sink = EventSink::default();
        let decided = state.handle(command, &(), &sink).await;
        let events = sink.collect().await;
        match decided {
            Err(_) if cached => return Attempt::Unsure,
            Err(error) => return Attempt::Failed(AggregateError::UserError(error)),
            Ok(()) if events.is_empty() && cached => return Attempt::Unsure,
            Ok(()) if events.is_empty() => {
                self.cache.put(id, state, sequence);
                return Attempt::Done;
            }
            Ok(()) => {}
        }
        match repository::append::<A>(&self.pool, id, sequence, &events, metadata).await {
            Ok(()) => {
                self.cache.put(id, state, sequence + events.len());
                self.notifier.wake();
                Attempt::Done
            }
            Err(AggregateError::AggregateConflict) if cached => Attempt::Unsure,
            Err(error) => Attempt::Failed(error),
        }
    }
}
