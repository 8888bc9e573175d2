//! The PostgreSQL event store: pools, cqrs-es wiring for single commands, the bulk append path for
//! imports, and the global-order reader that projections, the outbox and audit replay share.

mod bulk;
mod cache;
mod commands;
pub(crate) mod copy_text;
mod listen;
mod load;
mod notify;
pub use listen::NewEvents;
pub use notify::CHANNEL;
mod pool;
mod reader;
mod repository;

pub use bulk::{
    append_batch, append_in, append_prepared, BulkReport, Conflict, ConflictKind, PendingAppend, PreparedBatch,
    MAX_BATCH_EVENTS,
};
pub use cache::CACHED_AGGREGATES;
pub use commands::{CommandBus, CommandError, MAX_CONFLICT_RETRIES};
pub use load::{load_many, load_many_until, Loaded};
pub use pool::{connect, readers, PoolSettings};
pub use reader::{
    administration_log, head, read_batch, rows_of, stream_below_horizon, stream_of, EventRow, EventView, Position,
    StoredEvent,
};

/// The database failed or returned what the store cannot read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("stored event {aggregate_type}/{aggregate_id}#{sequence} cannot be read: {detail}")]
    Corrupt { aggregate_type: String, aggregate_id: String, sequence: i64, detail: String },
    #[error("event cannot be serialized")]
    Serialize(#[from] serde_json::Error),
    #[error("a batch holds {events} events; the limit is {limit}")]
    BatchTooLarge { events: usize, limit: usize },
    /// An aggregate's next sequence number does not fit the store's `bigint`.
    #[error("aggregate {aggregate_id} would pass the largest sequence number")]
    SequenceOverflow { aggregate_id: String },
    /// Other writers kept taking the sequences a bulk append wanted, through every attempt.
    #[error("the bulk append gave up after {attempts} attempts that met other writers")]
    KeptConflicting { attempts: usize },
    /// The event store (cqrs-es) failed in a way that is not a database error of ours.
    #[error("the event store failed")]
    EventStore(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// A failure the event store (cqrs-es) reported, with the database error recovered when it is one.
    pub(crate) fn from_event_store(error: Box<dyn std::error::Error + Send + Sync>) -> StoreError {
        match error.downcast::<sqlx::Error>() {
            Ok(database) => StoreError::Database(*database),
            Err(other) => StoreError::EventStore(other),
        }
    }
}

/// A stored sequence number: the events table checks `sequence >= 0`.
pub(crate) fn stored_sequence(sequence: i64) -> u64 {
    u64::try_from(sequence).expect("the events table checks sequence >= 0")
}

/// Whether `error` says the database is away (down, restarting, out of connections) rather than
/// that a statement failed: such a call is worth repeating later.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(database) => database.code().is_some_and(|code| {
            // Class 08: connection exception; 57P01–57P03: shutdown or not yet accepting; 53300: too many connections.
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}
