//! The SQL of the outbox table.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, Row};
use uuid::Uuid;

use super::{OutboxError, OutboxMessage};

/// After this many transient failures a message is given up and recorded as failed.
pub const MAX_ATTEMPTS: i32 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxStatus {
    Pending,
    Delivered,
    Failed,
}

/// A claimed row: the message and how often it was tried before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxRow {
    pub message: OutboxMessage,
    pub attempts: i32,
}

/// Inserts the rows of reminders just decided, inside the transaction that appends their events.
/// A row that exists already is an error (a reminder id is decided once), which rolls back the events.
pub async fn insert_rows(tx: &mut PgConnection, messages: &[OutboxMessage]) -> Result<(), OutboxError> {
    for message in messages {
        sqlx::query(
            "INSERT INTO outbox (reminder_id, administration, aggregate_id, channel, message_id, message) \
             VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
        )
        .bind(message.reminder_id)
        .bind(message.administration.as_str())
        .bind(&message.aggregate_id)
        .bind(serde_json::to_value(message.channel)?.as_str().unwrap_or_default())
        .bind(&message.message_id)
        .bind(serde_json::to_string(message)?)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

pub async fn mark_delivered<'c>(
    executor: impl PgExecutor<'c>,
    reminder_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), OutboxError> {
    sqlx::query(
        "UPDATE outbox SET status = 'delivered', delivered_at = $2, attempts = attempts + 1 WHERE reminder_id = $1",
    )
    .bind(reminder_id)
    .bind(at)
    .execute(executor)
    .await?;
    Ok(())
}

pub async fn mark_failed<'c>(executor: impl PgExecutor<'c>, reminder_id: Uuid, error: &str) -> Result<(), OutboxError> {
    sqlx::query("UPDATE outbox SET status = 'failed', last_error = $2, attempts = attempts + 1 WHERE reminder_id = $1")
        .bind(reminder_id)
        .bind(error)
        .execute(executor)
        .await?;
    Ok(())
}

/// A transient failure: try again at `next`.
pub async fn postpone<'c>(
    executor: impl PgExecutor<'c>,
    reminder_id: Uuid,
    error: &str,
    next: DateTime<Utc>,
) -> Result<(), OutboxError> {
    sqlx::query(
        "UPDATE outbox SET last_error = $2, next_attempt_at = $3, attempts = attempts + 1 WHERE reminder_id = $1",
    )
    .bind(reminder_id)
    .bind(error)
    .bind(next)
    .execute(executor)
    .await?;
    Ok(())
}

/// Leases the next pending row whose time has come: moves its `next_attempt_at` to `until`, so no
/// other deliverer takes it meanwhile, and commits at once (no transaction stays open while the
/// channel works, which would hold back the event readers' horizon). A deliverer that dies leaves
/// the row to be taken again when the lease ends.
pub async fn lease_next<'c>(
    executor: impl PgExecutor<'c>,
    administration: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Option<OutboxRow>, OutboxError> {
    let row = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $3 WHERE reminder_id = ( \
             SELECT reminder_id FROM outbox WHERE administration = $1 AND status = 'pending' \
             AND next_attempt_at <= $2 ORDER BY created_at, reminder_id LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING reminder_id, message::text AS message, attempts",
    )
    .bind(administration)
    .bind(now)
    .bind(until)
    .fetch_optional(executor)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let reminder_id: Uuid = row.try_get("reminder_id")?;
    let text: String = row.try_get("message")?;
    let message =
        serde_json::from_str(&text).map_err(|e| OutboxError::Corrupt { reminder_id, detail: e.to_string() })?;
    Ok(Some(OutboxRow { message, attempts: row.try_get("attempts")? }))
}

/// The status of one row, for reports and tests.
pub async fn status<'c>(executor: impl PgExecutor<'c>, reminder_id: Uuid) -> Result<Option<OutboxStatus>, OutboxError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM outbox WHERE reminder_id = $1")
        .bind(reminder_id)
        .fetch_optional(executor)
        .await?;
    Ok(status.map(|s| match s.as_str() {
        "delivered" => OutboxStatus::Delivered,
        "failed" => OutboxStatus::Failed,
        _ => OutboxStatus::Pending,
    }))
}
