//! Events borrowed from their rows: an audit replay folds each row as it arrives and copies only
//! what it reports.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use sqlx::{PgExecutor, Row};

use super::{upcast_text, StoreError, StoredEvent};

/// One stored event borrowed from the row it arrived in: a fold that reads each event once copies
/// nothing; `payload` is owned only when an old version was upcast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventView<'a> {
    pub global_position: i64,
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: i64,
    pub event_type: &'a str,
    pub event_version: Cow<'a, str>,
    pub payload: Cow<'a, str>,
    /// `None` where the reader was asked not to send it (`rows_of`'s `metadata_of`).
    pub metadata: Option<&'a str>,
    pub recorded_at: DateTime<Utc>,
}

impl StoredEvent {
    pub fn view(&self) -> EventView<'_> {
        EventView {
            global_position: self.position.pos,
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: self.sequence,
            event_type: &self.event_type,
            event_version: Cow::Borrowed(&self.event_version),
            payload: Cow::Borrowed(&self.payload),
            metadata: Some(&self.metadata),
            recorded_at: self.recorded_at,
        }
    }
}

impl EventView<'_> {
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, StoreError> {
        serde_json::from_str(&self.payload).map_err(|e| self.corrupt(e.to_string()))
    }

    pub fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt {
            aggregate_type: self.aggregate_type.to_owned(),
            aggregate_id: self.aggregate_id.to_owned(),
            sequence: self.sequence,
            detail,
        }
    }
}

/// One row of `rows_of`; `view` borrows the event from it and the aggregate's names from the query.
#[derive(Debug)]
pub struct EventRow<'c> {
    row: sqlx::postgres::PgRow,
    aggregate_type: &'c str,
    aggregate_id: &'c str,
}

impl EventRow<'_> {
    /// The event, by column index (no name lookups), upcast if it is an old version. `rows_of`'s
    /// own statement fixes each column's type (`bigint`, `text`, `timestamptz`), so the values are
    /// decoded without checking their types again, saving client time (docs/perf/RESULTS.md,
    /// "Unchecked row decoding").
    pub fn view(&self) -> Result<EventView<'_>, StoreError> {
        let row = &self.row;
        let mut view = EventView {
            global_position: row.try_get_unchecked(0)?,
            aggregate_type: self.aggregate_type,
            aggregate_id: self.aggregate_id,
            sequence: row.try_get_unchecked(1)?,
            event_type: row.try_get_unchecked(2)?,
            event_version: Cow::Borrowed(row.try_get_unchecked(3)?),
            payload: Cow::Borrowed(row.try_get_unchecked(4)?),
            metadata: row.try_get_unchecked(5)?,
            recorded_at: row.try_get_unchecked(6)?,
        };
        if let Some((payload, version)) = upcast_text(&view)? {
            view.payload = Cow::Owned(payload);
            view.event_version = Cow::Owned(version);
        }
        Ok(view)
    }
}

/// One aggregate's events in sequence order as the rows arrive, so a fold runs while the server
/// is still sending (no transaction id: a replay names events by their global position). With
/// `metadata_of`, only events of those types carry their metadata: what a replay shows. The rows
/// leave out the aggregate's type and id, which every one of them shares with the query.
pub fn rows_of<'c, E>(
    executor: E,
    aggregate_type: &'c str,
    aggregate_id: &'c str,
    metadata_of: Option<&'c [&'c str]>,
) -> impl Stream<Item = Result<EventRow<'c>, StoreError>> + 'c
where
    E: PgExecutor<'c> + 'c,
{
    sqlx::query(
        "SELECT global_position, sequence, event_type, event_version, payload::text, \
         CASE WHEN $3 OR event_type = ANY($4) THEN metadata::text END, recorded_at FROM events \
         WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence",
    )
    .bind(aggregate_type)
    .bind(aggregate_id)
    .bind(metadata_of.is_none())
    .bind(metadata_of.unwrap_or_default())
    .fetch(executor)
    .map(move |row| Ok(EventRow { row: row?, aggregate_type, aggregate_id }))
}
