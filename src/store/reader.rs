//! The global order of all events, without skips.
//!
//! Identity values are handed out at INSERT but become visible at COMMIT, so a reader that only
//! asks for `global_position > last` skips a transaction that took a smaller position and
//! committed later. Readers here take only rows whose writing transaction is older than every
//! transaction still running (`tx_id < pg_snapshot_xmin(pg_current_snapshot())`), in
//! `(tx_id, global_position)` order, so each row is delivered exactly once and in commit order.

mod view;

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use sqlx::{PgExecutor, Row};

use super::StoreError;
use crate::domain::{AccountId, AccountRange, AdministrationId};
use crate::events::upcast;

pub use view::{rows_of, EventRow, EventView};

/// A point in the global order: the writing transaction and the row's position in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub tx: u64,
    pub pos: i64,
}

/// One stored event as the reader delivers it; the payload stays JSON text until someone needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub position: Position,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
    pub metadata: String,
    pub recorded_at: DateTime<Utc>,
}

impl StoredEvent {
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, StoreError> {
        self.view().decode()
    }

    pub fn metadata_map(&self) -> Result<std::collections::HashMap<String, String>, StoreError> {
        serde_json::from_str(&self.metadata).map_err(|e| self.view().corrupt(e.to_string()))
    }
}

const SELECT_COLUMNS: &str = "SELECT tx_id::text AS tx, global_position, aggregate_type, aggregate_id, sequence, \
     event_type, event_version, payload::text AS payload, metadata::text AS metadata, recorded_at FROM events";

/// Up to `limit` events after `after` that no running transaction can still precede.
pub async fn read_batch<'c>(
    executor: impl PgExecutor<'c>,
    after: Position,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let sql = format!(
        "{SELECT_COLUMNS} WHERE (tx_id, global_position) > ($1::text::xid8, $2) \
         AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx_id, global_position LIMIT $3"
    );
    let rows = sqlx::query(&sql).bind(after.tx.to_string()).bind(after.pos).bind(limit).fetch_all(executor).await?;
    rows.iter().map(to_stored_event).collect()
}

const ALL_BELOW_HORIZON: &str = "SELECT tx_id::text AS tx, global_position, aggregate_type, aggregate_id, \
     sequence, event_type, event_version, payload::text AS payload, metadata::text AS metadata, recorded_at \
     FROM events WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx_id, global_position";

/// Every event below the horizon, in global order, streamed with one statement (one snapshot):
/// what a projection rebuild folds. The caller keeps the last position it saw as its checkpoint.
pub fn stream_below_horizon<'c, E>(executor: E) -> impl Stream<Item = Result<StoredEvent, StoreError>> + 'c
where
    E: PgExecutor<'c> + 'c,
{
    sqlx::query(ALL_BELOW_HORIZON).fetch(executor).map(|row| to_stored_event(&row?))
}

/// The last event written, visible or not yet below the horizon; `None` for an empty store.
pub async fn head<'c>(executor: impl PgExecutor<'c>) -> Result<Option<Position>, StoreError> {
    let row = sqlx::query(
        "SELECT tx_id::text AS tx, global_position FROM events ORDER BY tx_id DESC, global_position DESC LIMIT 1",
    )
    .fetch_optional(executor)
    .await?;
    row.map(|row| position(&row)).transpose()
}

fn position(row: &sqlx::postgres::PgRow) -> Result<Position, StoreError> {
    let tx: String = row.try_get("tx")?;
    let tx = tx.parse().map_err(|_| sqlx::Error::Decode(format!("xid8 `{tx}` is not a number").into()))?;
    Ok(Position { tx, pos: row.try_get("global_position")? })
}

/// Maps a row and brings an old event version to the current shape (`events::upcast`).
pub(super) fn to_stored_event(row: &sqlx::postgres::PgRow) -> Result<StoredEvent, StoreError> {
    upcast(StoredEvent {
        position: position(row)?,
        aggregate_type: row.try_get("aggregate_type")?,
        aggregate_id: row.try_get("aggregate_id")?,
        sequence: row.try_get("sequence")?,
        event_type: row.try_get("event_type")?,
        event_version: row.try_get("event_version")?,
        payload: row.try_get("payload")?,
        metadata: row.try_get("metadata")?,
        recorded_at: row.try_get("recorded_at")?,
    })
}

/// Brings an old event version to the current shape (`events::upcast`).
pub(super) fn upcast(mut event: StoredEvent) -> Result<StoredEvent, StoreError> {
    let view = event.view();
    if let Some((payload, version)) = upcast_text(&view)? {
        event.payload = payload;
        event.event_version = version;
    }
    Ok(event)
}

/// An old version's payload in the current shape, with its new version; `None` for a current
/// event. Only an old version pays for parsing and re-serializing its payload.
pub(super) fn upcast_text(event: &EventView<'_>) -> Result<Option<(String, String)>, StoreError> {
    let (aggregate_type, event_type, version) = (event.aggregate_type, event.event_type, &event.event_version);
    if !upcast::needs_upcast(aggregate_type, event_type, version) {
        return Ok(None);
    }
    let payload = serde_json::from_str(&event.payload).map_err(|e| event.corrupt(e.to_string()))?;
    let (payload, version) =
        upcast::upcast(aggregate_type, event_type, version, payload).map_err(|e| event.corrupt(e.to_string()))?;
    Ok(Some((payload.to_string(), version)))
}

/// One aggregate's events in sequence order (the primary-key range scan, nothing else).
pub async fn stream_of<'c>(
    executor: impl PgExecutor<'c>,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<Vec<StoredEvent>, StoreError> {
    let sql = format!("{SELECT_COLUMNS} WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence");
    let rows = sqlx::query(&sql).bind(aggregate_type).bind(aggregate_id).fetch_all(executor).await?;
    rows.iter().map(to_stored_event).collect()
}

/// Every event of an administration — its own stream and its debtor accounts' — in global order,
/// for an administration-wide audit replay (a scan; one debtor uses `stream_of`).
pub async fn administration_log<'c>(
    executor: impl PgExecutor<'c>,
    administration: &AdministrationId,
) -> Result<Vec<StoredEvent>, StoreError> {
    let range = AccountId::range_of(administration);
    let sql = format!(
        "{SELECT_COLUMNS} WHERE (aggregate_type = 'Administration' AND aggregate_id = $3) \
         OR (aggregate_type = 'DebtorAccount' AND {}) ORDER BY tx_id, global_position",
        AccountRange::sql("aggregate_id", 1)
    );
    let rows =
        sqlx::query(&sql).bind(range.start).bind(range.end).bind(administration.as_str()).fetch_all(executor).await?;
    rows.iter().map(to_stored_event).collect()
}
