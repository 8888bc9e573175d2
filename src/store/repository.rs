//! The event repository behind `CommandBus`: postgres-es' own, except that a command's events are
//! appended with ONE statement (an `INSERT … SELECT FROM UNNEST`, atomic on its own) instead of
//! `BEGIN`, one `INSERT` per event and `COMMIT` — one round trip where postgres-es takes 3–5, which
//! is most of a command's cost (GOALS G7). Conflicts are reported exactly as postgres-es reports
//! them: any unique violation is an optimistic-lock conflict, and nothing of the command is written.

use cqrs_es::persist::{PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot};
use cqrs_es::Aggregate;
use postgres_es::PostgresEventRepository;
use serde_json::Value;
use sqlx::PgPool;

/// SQLSTATE `unique_violation`: another writer took the sequence (or the document key) first.
const UNIQUE_VIOLATION: &str = "23505";

const APPEND: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
     metadata) SELECT $1, i, s, t, v, p::jsonb, m::jsonb \
     FROM UNNEST($2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[]) AS e(i, s, t, v, p, m)";

pub(crate) struct OneTripRepository {
    pool: PgPool,
    inner: PostgresEventRepository,
}

impl OneTripRepository {
    pub(crate) fn new(pool: PgPool) -> Self {
        OneTripRepository { inner: PostgresEventRepository::new(pool.clone()), pool }
    }

    async fn append<A: Aggregate>(&self, events: &[SerializedEvent]) -> Result<(), PersistenceError> {
        if events.is_empty() {
            return Ok(());
        }
        let unknown = |e: sqlx::Error| PersistenceError::UnknownError(Box::new(e));
        let sequences = events
            .iter()
            .map(|e| i64::try_from(e.sequence))
            .collect::<Result<Vec<i64>, _>>()
            .map_err(|e| PersistenceError::UnknownError(Box::new(e)))?;
        let ids: Vec<&str> = events.iter().map(|e| e.aggregate_id.as_str()).collect();
        let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
        let versions: Vec<&str> = events.iter().map(|e| e.event_version.as_str()).collect();
        let payloads: Vec<String> = events.iter().map(|e| e.payload.to_string()).collect();
        let metadata: Vec<String> = events.iter().map(|e| e.metadata.to_string()).collect();
        let result = sqlx::query(APPEND)
            .bind(A::TYPE)
            .bind(&ids)
            .bind(&sequences)
            .bind(&types)
            .bind(&versions)
            .bind(&payloads)
            .bind(&metadata)
            .execute(&self.pool)
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some(UNIQUE_VIOLATION) => {
                Err(PersistenceError::OptimisticLockError)
            }
            Err(e) => Err(unknown(e)),
        }
    }
}

impl PersistedEventRepository for OneTripRepository {
    async fn get_events<A: Aggregate>(&self, aggregate_id: &str) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.inner.get_events::<A>(aggregate_id).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.inner.get_last_events::<A>(aggregate_id, last_sequence).await
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        self.inner.get_snapshot::<A>(aggregate_id).await
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        match snapshot_update {
            // The bus uses no snapshots (`new_event_store`); should one come, postgres-es writes it.
            Some(_) => self.inner.persist::<A>(events, snapshot_update).await,
            None => self.append::<A>(events).await,
        }
    }

    async fn stream_events<A: Aggregate>(&self, aggregate_id: &str) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_events::<A>(aggregate_id).await
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_all_events::<A>().await
    }
}
