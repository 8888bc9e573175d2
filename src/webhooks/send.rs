//! The sending workers. A worker takes the due deliveries (a batch at a time) with a lease, signs
//! each with its subscription's secrets, POSTs them side by side (15 s to answer, redirects not
//! followed, targets checked after DNS resolution), logs the attempts, and writes each outcome
//! only while its lease is still its own: a worker that died leaves the lease to run out, and another sends the same message,
//! with the same `webhook-id`, again. Any 2xx is delivered; 410 disables the subscription; anything
//! else is tried again on the schedule, and a schedule spent disables the subscription.

use std::collections::{HashMap, HashSet};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use reqwest::StatusCode;
use sqlx::PgPool;
use tracing::{debug, info, warn};
use uuid::Uuid;

use super::schedule::{self, MAX_ATTEMPTS};
use super::secret::{signature_header, WebhookSecret};
use super::subscriptions::signing;
use super::target::{parse_target, GuardedResolver};
use super::{WebhookError, WebhookSettings};
use crate::credentials::Vault;

/// The most bytes of an answer kept in the delivery log.
const RESPONSE_HEAD_BYTES: usize = 512;

/// What became of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered 2xx.
    Delivered,
    /// To be tried again at that time.
    Retry(DateTime<Utc>),
    /// Given up: a 410, or the schedule is spent; the subscription is disabled.
    GaveUp(String),
    /// Another worker took the delivery over while this one waited (its lease ran out).
    LeaseLost,
    /// A replay was asked while the attempt was in flight: the delivery is due again at once.
    Replayed,
}

/// One attempt as it was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub delivery: String,
    pub attempt: u32,
    pub status: Option<u16>,
    pub outcome: Outcome,
}

/// Sends deliveries; cheap to clone (the client is shared).
#[derive(Clone, Debug)]
pub struct Sender {
    pool: PgPool,
    vault: Vault,
    client: reqwest::Client,
    settings: WebhookSettings,
    owner: Uuid,
}

impl Sender {
    /// A sender with its own lease owner id.
    pub fn new(pool: PgPool, vault: Vault, settings: WebhookSettings) -> Result<Sender, WebhookError> {
        let client = reqwest::Client::builder()
            .timeout(StdDuration::from_secs(u64::from(settings.timeout_secs)))
            .connect_timeout(StdDuration::from_secs(u64::from(settings.timeout_secs.min(10))))
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(GuardedResolver { allow_private: settings.allow_private_targets }.shared())
            .build()
            .map_err(|e| WebhookError::Client(e.to_string()))?;
        Ok(Sender { pool, vault, client, settings, owner: Uuid::new_v4() })
    }

    /// How long a lease holds: past the receiver's timeout, so a worker that is still waiting for
    /// an answer keeps its delivery.
    fn lease(&self) -> Duration {
        Duration::seconds(i64::from(self.settings.timeout_secs) + 30)
    }

    /// Sends the next delivery that is due at `now`; `None` when none is.
    pub async fn send_next(&self, now: DateTime<Utc>) -> Result<Option<Attempt>, WebhookError> {
        Ok(self.send_due(now, 1).await?.into_iter().next())
    }

    /// Takes up to `limit` deliveries due at `now` with one lease, sends them side by side (each
    /// subscription's secrets opened once) and records every outcome in one transaction: a
    /// delivery costs two statements of a commit shared with the batch, not two commits.
    pub async fn send_due(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Attempt>, WebhookError> {
        let leased: Vec<(String, Uuid, String, i32, i32, i32)> = sqlx::query_as(
            "UPDATE webhook_delivery SET lease_owner = $1, leased_until = $3 WHERE id IN ( \
               SELECT d.id FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id \
               WHERE d.status = 'pending' AND s.active AND d.next_attempt_at <= $2 \
                 AND (d.leased_until IS NULL OR d.leased_until < $2) \
               ORDER BY d.next_attempt_at, d.event_tx, d.event_pos LIMIT $4 FOR UPDATE OF d SKIP LOCKED) \
             RETURNING id, subscription_id, body, attempts, schedule_from, replays",
        )
        .bind(self.owner)
        .bind(now)
        .bind(now + self.lease())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut signings = HashMap::new();
        for (_, subscription, ..) in &leased {
            if !signings.contains_key(subscription) {
                signings.insert(*subscription, signing(&self.pool, &self.vault, *subscription, now).await?);
            }
        }
        let made = futures::future::join_all(leased.into_iter().map(
            |(id, subscription, body, attempts, schedule_from, replays)| {
                let signing = &signings[&subscription];
                let attempt = u32::try_from(attempts).expect("the table checks attempts >= 0") + 1;
                let from = u32::try_from(schedule_from).expect("the table checks schedule_from >= 0");
                async move {
                    let started = Instant::now();
                    let secrets: Vec<&WebhookSecret> = signing.secrets.iter().collect();
                    let answer = self.post(&signing.url, &secrets, &id, &body, now).await;
                    let latency = started.elapsed();
                    let (status, head, retry_after) = match answer {
                        Ok((status, head, retry_after)) => (Some(status), head, retry_after),
                        Err(reason) => (None, reason, None),
                    };
                    let outcome = match status {
                        Some(status) if status.is_success() => Outcome::Delivered,
                        Some(StatusCode::GONE) => Outcome::GaveUp("the receiver answered 410 Gone".to_owned()),
                        _ => match schedule::next_attempt(
                            attempt.saturating_sub(from),
                            now,
                            retry_after,
                            schedule::random_jitter(),
                        ) {
                            Some(at) => Outcome::Retry(at),
                            None => {
                                Outcome::GaveUp(format!("no attempt of {MAX_ATTEMPTS} succeeded; the last: {head}"))
                            }
                        },
                    };
                    Made { id, subscription, attempt, status, latency, head, replays, outcome }
                }
            },
        ))
        .await;
        self.record(made, now).await
    }

    /// POSTs one message; the status, the first bytes of the answer and its `Retry-After`, or why
    /// there was no answer.
    async fn post(
        &self,
        url: &str,
        secrets: &[&WebhookSecret],
        id: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(StatusCode, String, Option<i64>), String> {
        let url = parse_target(url, self.settings.allow_private_targets).map_err(|e| e.to_string())?;
        let timestamp = now.timestamp();
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, "application/json".parse().expect("a valid header value"));
        headers.insert(
            USER_AGENT,
            concat!("vordering/", env!("CARGO_PKG_VERSION")).parse().expect("a valid header value"),
        );
        let signature = signature_header(secrets, id, timestamp, body);
        for (name, value) in [
            ("webhook-id", id.to_owned()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
        ] {
            headers.insert(name, value.parse().map_err(|_| format!("the {name} header cannot be sent"))?);
        }
        let response = self.client.post(url).headers(headers).body(body.to_owned()).send().await.map_err(describe)?;
        let status = response.status();
        let retry_after =
            response.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(retry_after_seconds);
        Ok((status, response_head(response).await, retry_after))
    }

    /// Records the attempts and their outcomes, each while its lease is still this worker's; a
    /// replay asked for meanwhile (`replays` moved on) wins: pending, due when it was asked.
    async fn record(&self, made: Vec<Made>, now: DateTime<Utc>) -> Result<Vec<Attempt>, WebhookError> {
        let attempt_of = |m: &Made| i32::try_from(m.attempt).expect("at most MAX_ATTEMPTS attempts");
        let mut columns = Columns::default();
        for m in &made {
            let (status, next, delivered) = match &m.outcome {
                Outcome::Delivered => ("delivered", now, Some(now)),
                Outcome::Retry(at) => ("pending", *at, None),
                Outcome::GaveUp(_) | Outcome::LeaseLost | Outcome::Replayed => ("failed", now, None),
            };
            columns.ids.push(m.id.as_str());
            columns.statuses.push(status);
            columns.attempts.push(attempt_of(m));
            columns.nexts.push(next);
            columns.delivered.push(delivered);
            columns.replays.push(m.replays);
        }
        let mut tx = self.pool.begin().await?;
        let ours: Vec<(String, bool)> = sqlx::query_as(
            "UPDATE webhook_delivery d SET \
               status = CASE WHEN d.replays = u.replays THEN u.status ELSE 'pending' END, \
               attempts = u.attempts, \
               schedule_from = CASE WHEN d.replays = u.replays THEN d.schedule_from ELSE u.attempts END, \
               next_attempt_at = CASE WHEN d.replays = u.replays THEN u.next ELSE d.next_attempt_at END, \
               delivered_at = CASE WHEN d.replays = u.replays THEN u.delivered END, \
               lease_owner = NULL, leased_until = NULL \
             FROM UNNEST($2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::timestamptz[], $7::int[]) \
               AS u(id, status, attempts, next, delivered, replays) \
             WHERE d.id = u.id AND d.lease_owner = $1 \
             RETURNING d.id, d.replays = u.replays",
        )
        .bind(self.owner)
        .bind(&columns.ids)
        .bind(&columns.statuses)
        .bind(&columns.attempts)
        .bind(&columns.nexts)
        .bind(&columns.delivered)
        .bind(&columns.replays)
        .fetch_all(&mut *tx)
        .await?;
        let ours: HashMap<String, bool> = ours.into_iter().collect();
        let kept: Vec<&Made> = made.iter().filter(|m| ours.contains_key(&m.id)).collect();
        sqlx::query(
            "INSERT INTO webhook_attempt (delivery_id, attempt, at, status_code, latency_ms, response_head) \
             SELECT u.id, u.attempt, $1, u.status_code, u.latency_ms, u.head \
             FROM UNNEST($2::text[], $3::int[], $4::int[], $5::bigint[], $6::text[]) \
               AS u(id, attempt, status_code, latency_ms, head) \
             ON CONFLICT (delivery_id, attempt) DO NOTHING",
        )
        .bind(now)
        .bind(kept.iter().map(|m| m.id.as_str()).collect::<Vec<_>>())
        .bind(kept.iter().map(|m| attempt_of(m)).collect::<Vec<_>>())
        .bind(kept.iter().map(|m| m.status.map(|s| i32::from(s.as_u16()))).collect::<Vec<_>>())
        .bind(
            kept.iter()
                .map(|m| i64::try_from(m.latency.as_millis()).expect("an attempt ends within its timeout"))
                .collect::<Vec<_>>(),
        )
        .bind(kept.iter().map(|m| m.head.as_str()).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
        let mut attempts = Vec::with_capacity(made.len());
        let mut disabled = HashSet::new();
        for m in made {
            let outcome = match ours.get(&m.id) {
                None => {
                    warn!(delivery = %m.id, "the lease ran out while the receiver answered; another worker sends it");
                    Outcome::LeaseLost
                }
                Some(false) => Outcome::Replayed,
                Some(true) => m.outcome,
            };
            if let Outcome::GaveUp(reason) = &outcome {
                if disabled.insert(m.subscription) {
                    disable(&mut tx, m.subscription, reason).await?;
                }
            }
            debug!(delivery = %m.id, attempt = m.attempt, status = ?m.status, ?outcome, "webhook attempt");
            attempts.push(Attempt {
                delivery: m.id,
                attempt: m.attempt,
                status: m.status.map(|s| s.as_u16()),
                outcome,
            });
        }
        tx.commit().await?;
        Ok(attempts)
    }
}

/// One attempt as it was made, for its record.
struct Made {
    id: String,
    subscription: Uuid,
    attempt: u32,
    status: Option<StatusCode>,
    latency: StdDuration,
    /// The first bytes of the answer, or why there was none.
    head: String,
    /// The delivery's replay count when the attempt took it.
    replays: i32,
    outcome: Outcome,
}

/// The outcomes of a batch as the columns of one `UPDATE … FROM UNNEST`.
#[derive(Default)]
struct Columns<'a> {
    ids: Vec<&'a str>,
    statuses: Vec<&'static str>,
    attempts: Vec<i32>,
    nexts: Vec<DateTime<Utc>>,
    delivered: Vec<Option<DateTime<Utc>>>,
    replays: Vec<i32>,
}

/// Disables a subscription by itself, with a notice that says why.
async fn disable(conn: &mut sqlx::PgConnection, subscription: Uuid, reason: &str) -> Result<(), WebhookError> {
    sqlx::query("UPDATE webhook_subscription SET active = false, disabled_reason = $2 WHERE id = $1")
        .bind(subscription)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO webhook_notice (subscription_id, kind, message) VALUES ($1, 'webhook.disabled', $2)")
        .bind(subscription)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    info!(%subscription, reason, "webhook subscription disabled");
    Ok(())
}

/// Why a request got no answer, without the URL's query (it may hold a token of the receiver's).
fn describe(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "no answer in time"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "the request failed"
    };
    let mut source = std::error::Error::source(&error);
    let mut detail = String::new();
    while let Some(cause) = source {
        detail = cause.to_string();
        source = cause.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

/// The first bytes of an answer's body, read no further than that.
async fn response_head(response: reqwest::Response) -> String {
    let mut head = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        head.extend_from_slice(&chunk[..chunk.len().min(RESPONSE_HEAD_BYTES - head.len())]);
        if head.len() >= RESPONSE_HEAD_BYTES {
            break;
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// `Retry-After` as seconds: a number, or an HTTP date.
fn retry_after_seconds(value: &str) -> Option<i64> {
    let value = value.trim();
    value.parse::<i64>().ok().or_else(|| {
        DateTime::parse_from_rfc2822(value).ok().map(|at| (at.with_timezone(&Utc) - Utc::now()).num_seconds().max(0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        assert_eq!(retry_after_seconds(" 120 "), Some(120));
        assert_eq!(retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT"), Some(0), "a date in the past: at once");
        assert_eq!(retry_after_seconds("soon"), None);
    }
}
