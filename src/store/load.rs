//! Loading many aggregates in one round trip, folded with the same `apply` the write side uses.

use std::collections::HashMap;

use cqrs_es::Aggregate;
use sqlx::{PgExecutor, Row};

use super::StoreError;
use crate::events::upcast;

/// An aggregate's state and the sequence of its last event (0 when it has none).
#[derive(Debug, Default)]
pub struct Loaded<A> {
    pub state: A,
    pub last_sequence: u64,
}

/// Folds the streams of `ids`; ids without events come back as the default state.
pub async fn load_many<'c, A: Aggregate>(
    executor: impl PgExecutor<'c>,
    ids: &[String],
) -> Result<HashMap<String, Loaded<A>>, StoreError> {
    let rows = sqlx::query(
        "SELECT aggregate_id, sequence, event_type, event_version, payload::text AS payload FROM events \
         WHERE aggregate_type = $1 AND aggregate_id = ANY($2) ORDER BY aggregate_id, sequence",
    )
    .bind(A::TYPE)
    .bind(ids)
    .fetch_all(executor)
    .await?;
    let mut loaded: HashMap<String, Loaded<A>> = ids.iter().map(|id| (id.clone(), Loaded::default())).collect();
    for row in rows {
        let aggregate_id: String = row.try_get("aggregate_id")?;
        let sequence: i64 = row.try_get("sequence")?;
        let corrupt = |detail: String| StoreError::Corrupt {
            aggregate_type: A::TYPE.to_owned(),
            aggregate_id: aggregate_id.clone(),
            sequence,
            detail,
        };
        let payload: String = row.try_get("payload")?;
        let (event_type, version): (String, String) = (row.try_get("event_type")?, row.try_get("event_version")?);
        // Old versions go through the upcasters first, like every other reader.
        let event: A::Event = if upcast::needs_upcast(A::TYPE, &event_type, &version) {
            let value = serde_json::from_str(&payload).map_err(|e| corrupt(e.to_string()))?;
            let (value, _) =
                upcast::upcast(A::TYPE, &event_type, &version, value).map_err(|e| corrupt(e.to_string()))?;
            serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?
        } else {
            serde_json::from_str(&payload).map_err(|e| corrupt(e.to_string()))?
        };
        let entry = loaded.entry(aggregate_id).or_default();
        entry.state.apply(event);
        entry.last_sequence = super::stored_sequence(sequence);
    }
    Ok(loaded)
}
