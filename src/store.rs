//! The PostgreSQL event store: pools, cqrs-es wiring for single commands, the bulk append path for
//! imports, and the global-order reader that projections, the outbox and audit replay share.

mod bulk;
mod cache;
mod commands;
pub(crate) mod copy_text;
mod load;
mod notify;
mod pool;
mod reader;
mod repository;

pub use bulk::{
    append_batch, append_in, append_prepared, BulkReport, Conflict, ConflictKind, DocumentKeyed, PendingAppend,
    PreparedBatch, MAX_BATCH_EVENTS,
};
pub use cache::CACHED_AGGREGATES;
pub use commands::{CommandBus, CommandError, MAX_CONFLICT_RETRIES};
pub use load::{load_many, Loaded};
pub use pool::{connect, readers, PoolSettings};
pub use reader::{
    administration_log, head, read_batch, rows_of, stream_below_horizon, stream_of, EventRow, EventView, Position,
    StoredEvent,
};

/// The database failed or returned what the store cannot read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored event {aggregate_type}/{aggregate_id}#{sequence} cannot be read: {detail}")]
    Corrupt { aggregate_type: String, aggregate_id: String, sequence: i64, detail: String },
    #[error("event cannot be serialized: {0}")]
    Serialize(#[from] serde_json::Error),
    #[error("a batch holds {events} events; the limit is {limit}")]
    BatchTooLarge { events: usize, limit: usize },
}
