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
    fold_rows(ids, rows)
}

/// Folds each stream of `bounds` up to and including its sequence: the states as they were then.
pub async fn load_many_until<'c, A: Aggregate>(
    executor: impl PgExecutor<'c>,
    bounds: &[(String, u64)],
) -> Result<HashMap<String, Loaded<A>>, StoreError> {
    let (ids, lasts): (Vec<String>, Vec<i64>) = bounds
        .iter()
        .map(|(id, last)| (id.clone(), i64::try_from(*last).expect("a stored sequence is a bigint")))
        .unzip();
    let rows = sqlx::query(
        "SELECT e.aggregate_id, e.sequence, e.event_type, e.event_version, e.payload::text AS payload \
         FROM UNNEST($2::text[], $3::bigint[]) AS b(id, last) \
         JOIN events e ON e.aggregate_type = $1 AND e.aggregate_id = b.id AND e.sequence <= b.last \
         ORDER BY e.aggregate_id, e.sequence",
    )
    .bind(A::TYPE)
    .bind(&ids)
    .bind(&lasts)
    .fetch_all(executor)
    .await?;
    fold_rows(&ids, rows)
}

/// Folds rows ordered by aggregate and sequence into one state per id.
fn fold_rows<A: Aggregate>(
    ids: &[String],
    rows: Vec<sqlx::postgres::PgRow>,
) -> Result<HashMap<String, Loaded<A>>, StoreError> {
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
