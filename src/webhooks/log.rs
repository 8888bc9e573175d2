//! The delivery log of a subscription (each delivery with its attempts), the notices of what
//! happened to it by itself, and the manual replay of one delivery or of a time range.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::subscriptions::get;
use super::WebhookError;
use crate::domain::AdministrationId;

/// One delivery as the log shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeliveryLine {
    /// The `webhook-id`: the same on every attempt.
    pub id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    /// When the event was recorded.
    pub recorded_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The body that was signed and sent.
    pub body: String,
    pub attempt_log: Vec<AttemptLine>,
}

/// One attempt of a delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttemptLine {
    pub attempt: i32,
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status; none when it did not answer.
    pub status_code: Option<i32>,
    pub latency_ms: i64,
    /// The first bytes of the answer, or why there was none.
    pub response_head: String,
}

/// What a subscription did by itself (`webhook.disabled`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub subscription_id: Uuid,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub message: String,
}

type DeliveryRow = (String, String, String, i32, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>, String);
type AttemptRow = (String, i32, DateTime<Utc>, Option<i32>, i64, String);

/// The newest `limit` deliveries of a subscription, newest first, each with its attempts.
pub async fn deliveries(
    pool: &PgPool,
    administration: &AdministrationId,
    subscription: Uuid,
    limit: i64,
) -> Result<Vec<DeliveryLine>, WebhookError> {
    get(pool, administration, subscription).await?;
    let rows: Vec<DeliveryRow> = sqlx::query_as(
        "SELECT id, event_type, status, attempts, recorded_at, next_attempt_at, delivered_at, body \
         FROM webhook_delivery WHERE subscription_id = $1 ORDER BY event_tx DESC, event_pos DESC LIMIT $2",
    )
    .bind(subscription)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let attempts: Vec<AttemptRow> = sqlx::query_as(
        "SELECT delivery_id, attempt, at, status_code, latency_ms, response_head FROM webhook_attempt \
         WHERE delivery_id = ANY($1) ORDER BY delivery_id, attempt",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, event_type, status, tries, recorded_at, next, delivered_at, body)| {
            let attempt_log = attempts
                .iter()
                .filter(|a| a.0 == id)
                .map(|(_, attempt, at, status_code, latency_ms, head)| AttemptLine {
                    attempt: *attempt,
                    at: *at,
                    status_code: *status_code,
                    latency_ms: *latency_ms,
                    response_head: head.clone(),
                })
                .collect();
            let next_attempt_at = (status == "pending").then_some(next);
            DeliveryLine {
                id,
                event_type,
                status,
                attempts: tries,
                recorded_at,
                next_attempt_at,
                delivered_at,
                body,
                attempt_log,
            }
        })
        .collect())
}

/// The notices of every subscription of `administration`, newest first.
pub async fn notices(pool: &PgPool, administration: &AdministrationId) -> Result<Vec<Notice>, WebhookError> {
    let rows: Vec<(Uuid, DateTime<Utc>, String, String)> = sqlx::query_as(
        "SELECT n.subscription_id, n.at, n.kind, n.message FROM webhook_notice n \
         JOIN webhook_subscription s ON s.id = n.subscription_id WHERE s.administration = $1 ORDER BY n.at DESC, n.id DESC",
    )
    .bind(administration.as_str())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(subscription_id, at, kind, message)| Notice { subscription_id, at, kind, message })
        .collect())
}

/// What to send again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replay {
    /// One delivery, by its `webhook-id`.
    Delivery(String),
    /// Every delivery of events recorded in `[from, to)`.
    Range { from: DateTime<Utc>, to: DateTime<Utc> },
}

/// Sends deliveries of a subscription again, from `now`, with the same `webhook-id`s and the retry
/// schedule started over; returns how many. A delivery in flight keeps its lease: the worker that
/// holds it records its attempt and leaves it pending, and the next worker sends it again.
pub async fn replay(
    pool: &PgPool,
    administration: &AdministrationId,
    subscription: Uuid,
    what: &Replay,
    now: DateTime<Utc>,
) -> Result<u64, WebhookError> {
    get(pool, administration, subscription).await?;
    const AGAIN: &str =
        "UPDATE webhook_delivery SET status = 'pending', next_attempt_at = $2, schedule_from = attempts, \
                         delivered_at = NULL, replays = replays + 1 WHERE subscription_id = $1";
    let replayed = match what {
        Replay::Delivery(id) => {
            let done = sqlx::query(&format!("{AGAIN} AND id = $3"))
                .bind(subscription)
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?;
            if done.rows_affected() == 0 {
                return Err(WebhookError::UnknownDelivery(id.clone()));
            }
            done.rows_affected()
        }
        Replay::Range { from, to } => sqlx::query(&format!("{AGAIN} AND recorded_at >= $3 AND recorded_at < $4"))
            .bind(subscription)
            .bind(now)
            .bind(from)
            .bind(to)
            .execute(pool)
            .await?
            .rows_affected(),
    };
    Ok(replayed)
}
