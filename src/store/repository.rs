//! The command bus's append: a command's events in ONE statement (an `INSERT … SELECT FROM
//! UNNEST`, atomic on its own) instead of postgres-es' `BEGIN`, one `INSERT` per event and
//! `COMMIT` — one round trip where postgres-es takes 3–5, which is most of a command's cost (the
//! command latency goal, G7). The rows are the ones postgres-es writes. Conflicts are reported as
//! postgres-es reports them: any unique violation (the sequence, or the document key) is an optimistic-lock conflict,
//! and nothing of the command is written.

use cqrs_es::{Aggregate, AggregateError, DomainEvent};
use sqlx::PgPool;

const APPEND: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
     metadata) SELECT $1, $2, s, t, v, p::jsonb, $6::jsonb \
     FROM UNNEST($3::int8[], $4::text[], $5::text[], $7::text[]) AS e(s, t, v, p)";

/// Appends `events` to `aggregate_id` after `last_sequence`, each with `metadata` (a JSON object).
pub(crate) async fn append<A: Aggregate>(
    pool: &PgPool,
    aggregate_id: &str,
    last_sequence: usize,
    events: &[A::Event],
    metadata: &str,
) -> Result<(), AggregateError<A::Error>> {
    let unknown = |e: Box<dyn std::error::Error + Send + Sync>| AggregateError::UnexpectedError(e);
    let first = i64::try_from(last_sequence).map_err(|e| unknown(e.into()))? + 1;
    let sequences: Vec<i64> = (first..).take(events.len()).collect();
    let types: Vec<String> = events.iter().map(DomainEvent::event_type).collect();
    let versions: Vec<String> = events.iter().map(DomainEvent::event_version).collect();
    let payloads =
        events.iter().map(serde_json::to_string).collect::<Result<Vec<_>, _>>().map_err(|e| unknown(e.into()))?;
    let result = sqlx::query(APPEND)
        .bind(A::TYPE)
        .bind(aggregate_id)
        .bind(&sequences)
        .bind(&types)
        .bind(&versions)
        .bind(metadata)
        .bind(&payloads)
        .execute(pool)
        .await;
    match result {
        Ok(_) => Ok(()),
        // Another writer took the sequence (or the document key) first.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(AggregateError::AggregateConflict),
        Err(e) => Err(unknown(e.into())),
    }
}
