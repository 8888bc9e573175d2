//! The reminder outbox: rows written in the transaction of their `ReminderSent`, claimed by a
//! deliverer with `FOR UPDATE SKIP LOCKED`, and marked delivered or failed in the transaction that
//! records `ReminderDelivered` / `ReminderDeliveryFailed`.
//!
//! At least once, never lost: a row stays `pending` until its outcome is committed. The only window
//! for a duplicate is a crash after the server accepted the message and before that commit; the
//! resend then carries the same Message-ID (`message::message_id`).

mod message;
mod rows;

pub use message::{message_id, InvoiceLine, OutboxMessage};
pub use rows::{
    insert_rows, lease_next, mark_delivered, mark_failed, postpone, status, OutboxRow, OutboxStatus, MAX_ATTEMPTS,
};

/// The outbox table failed or holds a row it cannot read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError {
    #[error("outbox database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("outbox row {reminder_id} cannot be read: {detail}")]
    Corrupt { reminder_id: uuid::Uuid, detail: String },
    #[error("outbox message cannot be serialized: {0}")]
    Serialize(#[from] serde_json::Error),
}
