//! Webhook subscriptions over HTTP: list and make (`…/webhooks`), rotate the secret, disable,
//! enable and remove one (`…/webhooks/{webhook}`), its delivery log, and a replay. The secret is
//! in the answer of a make and of a rotation, and nowhere else.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::{Body, Params};
use super::{Api, ApiError, Caller};
use crate::engine::{AttemptLine, CreatedWebhook, DeliveryLine, WebhookEventType, WebhookReplay, WebhookSubscription};

/// A subscription, without its secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    /// Where the messages are POSTed.
    pub url: String,
    /// The dotted event types it receives (`invoice.paid`, …); empty: every type.
    pub event_types: Vec<String>,
    /// Whether messages are sent to it now.
    pub active: bool,
    /// Why it was disabled (by hand, a 410, or the retry schedule running out).
    pub disabled_reason: Option<String>,
    /// Until when the previous secret signs beside the current one, after a rotation.
    pub previous_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<WebhookSubscription> for WebhookView {
    fn from(s: WebhookSubscription) -> Self {
        WebhookView {
            id: s.id,
            url: s.url,
            event_types: s.event_types,
            active: s.active,
            disabled_reason: s.disabled_reason,
            previous_until: s.previous_until,
            created_at: s.created_at,
        }
    }
}

/// A subscription just made or rotated, with its secret: shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookCreated {
    pub subscription: WebhookView,
    /// `whsec_` and the base64 of the key that signs every message (Standard Webhooks).
    pub secret: String,
}

impl From<CreatedWebhook> for WebhookCreated {
    fn from(created: CreatedWebhook) -> Self {
        WebhookCreated { secret: created.secret.reveal(), subscription: created.subscription.into() }
    }
}

/// What to subscribe to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookRequest {
    /// An http(s) URL outside the network.
    pub url: String,
    /// The dotted event types wanted; none or empty: every type.
    #[serde(default)]
    pub event_types: Vec<String>,
}

/// Why a subscription is disabled.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DisableRequest {
    pub reason: String,
}

/// One delivery with its attempts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryView {
    /// The `webhook-id` header: the same on every attempt and a replay.
    pub id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub recorded_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The signed body, as sent.
    pub body: String,
    pub attempts: Vec<AttemptView>,
}

/// One attempt of a delivery.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttemptView {
    pub attempt: i32,
    pub at: DateTime<Utc>,
    /// The receiver's status; none when it did not answer.
    pub status_code: Option<i32>,
    pub latency_ms: i64,
    /// The first bytes of the answer, or why there was none.
    pub response_head: String,
}

impl From<DeliveryLine> for DeliveryView {
    fn from(d: DeliveryLine) -> Self {
        let attempt = |a: AttemptLine| AttemptView {
            attempt: a.attempt,
            at: a.at,
            status_code: a.status_code,
            latency_ms: a.latency_ms,
            response_head: a.response_head,
        };
        DeliveryView {
            id: d.id,
            event_type: d.event_type,
            status: d.status,
            recorded_at: d.recorded_at,
            next_attempt_at: d.next_attempt_at,
            delivered_at: d.delivered_at,
            body: d.body,
            attempts: d.attempt_log.into_iter().map(attempt).collect(),
        }
    }
}

/// What to send again: one delivery, or the deliveries of events recorded in `[from, to)`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReplayRequest {
    pub delivery: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// How many deliveries go again.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Replayed {
    pub replayed: u64,
}

/// How many deliveries the log shows.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LogQuery {
    /// At most this many, newest first (default 50, at most 1000).
    pub limit: Option<u16>,
}

fn subscription_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::NotFound(format!("webhook {text}")))
}

/// The administration's subscriptions, oldest first.
#[utoipa::path(get, path = "/api/administrations/{id}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id")),
    responses((status = 200, body = [WebhookView]), (status = 401, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody)))]
pub async fn list(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<WebhookView>>, ApiError> {
    let id = caller.may_read(&id)?;
    Ok(Json(api.engine.webhooks(&id).await?.into_iter().map(WebhookView::from).collect()))
}

/// Subscribes a URL; the answer holds the secret, this once.
#[utoipa::path(post, path = "/api/administrations/{id}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id")),
    request_body = WebhookRequest,
    responses((status = 201, body = WebhookCreated), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 422, description = "A URL that is not http(s) or points inside the network (`webhook_target_refused`), \
            or an unknown event type (`unknown_event_type`)", body = super::ErrorBody)))]
pub async fn add(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<WebhookRequest>,
) -> Result<(StatusCode, Json<WebhookCreated>), ApiError> {
    let id = caller.may_write(&id)?;
    let types = body
        .event_types
        .iter()
        .map(|t| t.parse::<WebhookEventType>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::bad("unknown_event_type", e.to_string()))?;
    let created = api.engine.add_webhook(&id, &body.url, &types).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// A new secret for the subscription; the previous one keeps signing for the overlap.
#[utoipa::path(post, path = "/api/administrations/{id}/webhooks/{webhook}/rotate", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id"), ("webhook" = String, Path, description = "The subscription id")),
    responses((status = 200, body = WebhookCreated), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn rotate(
    State(api): State<Api>,
    caller: Caller,
    Path((id, webhook)): Path<(String, String)>,
) -> Result<Json<WebhookCreated>, ApiError> {
    let id = caller.may_write(&id)?;
    Ok(Json(api.engine.rotate_webhook(&id, subscription_id(&webhook)?).await?.into()))
}

/// Stops sending to the subscription; what is pending waits.
#[utoipa::path(post, path = "/api/administrations/{id}/webhooks/{webhook}/disable", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id"), ("webhook" = String, Path, description = "The subscription id")),
    request_body = DisableRequest,
    responses((status = 200, body = WebhookView), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn disable(
    State(api): State<Api>,
    caller: Caller,
    Path((id, webhook)): Path<(String, String)>,
    Body(body): Body<DisableRequest>,
) -> Result<Json<WebhookView>, ApiError> {
    let id = caller.may_write(&id)?;
    let reason = body.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::bad("reason_required", "say why in `reason`"));
    }
    Ok(Json(api.engine.set_webhook_active(&id, subscription_id(&webhook)?, false, reason).await?.into()))
}

/// Sends to the subscription again, pending deliveries first.
#[utoipa::path(post, path = "/api/administrations/{id}/webhooks/{webhook}/enable", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id"), ("webhook" = String, Path, description = "The subscription id")),
    responses((status = 200, body = WebhookView), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn enable(
    State(api): State<Api>,
    caller: Caller,
    Path((id, webhook)): Path<(String, String)>,
) -> Result<Json<WebhookView>, ApiError> {
    let id = caller.may_write(&id)?;
    Ok(Json(api.engine.set_webhook_active(&id, subscription_id(&webhook)?, true, "").await?.into()))
}

/// Removes the subscription with its deliveries and their log.
#[utoipa::path(delete, path = "/api/administrations/{id}/webhooks/{webhook}", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id"), ("webhook" = String, Path, description = "The subscription id")),
    responses((status = 204), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody)))]
pub async fn remove(
    State(api): State<Api>,
    caller: Caller,
    Path((id, webhook)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = caller.may_write(&id)?;
    api.engine.remove_webhook(&id, subscription_id(&webhook)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The subscription's newest deliveries, each with its attempts.
#[utoipa::path(get, path = "/api/administrations/{id}/webhooks/{webhook}/deliveries", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id"), ("webhook" = String, Path, description = "The subscription id"),
        LogQuery),
    responses((status = 200, body = [DeliveryView]), (status = 401, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody)))]
pub async fn deliveries(
    State(api): State<Api>,
    caller: Caller,
    Path((id, webhook)): Path<(String, String)>,
    Params(query): Params<LogQuery>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    let id = caller.may_read(&id)?;
    let limit = i64::from(query.limit.unwrap_or(50).min(1_000));
    let log = api.engine.webhook_deliveries(&id, subscription_id(&webhook)?, limit).await?;
    Ok(Json(log.into_iter().map(DeliveryView::from).collect()))
}

/// Sends one delivery, or those of a time range, again with the same `webhook-id`s.
#[utoipa::path(post, path = "/api/administrations/{id}/webhooks/{webhook}/replay", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id"), ("webhook" = String, Path, description = "The subscription id")),
    request_body = ReplayRequest,
    responses((status = 200, body = Replayed), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody)))]
pub async fn replay(
    State(api): State<Api>,
    caller: Caller,
    Path((id, webhook)): Path<(String, String)>,
    Body(body): Body<ReplayRequest>,
) -> Result<Json<Replayed>, ApiError> {
    let id = caller.may_write(&id)?;
    let what = match (body.delivery, body.from, body.to) {
        (Some(delivery), None, None) => WebhookReplay::Delivery(delivery),
        (None, Some(from), Some(to)) if from < to => WebhookReplay::Range { from, to },
        _ => return Err(ApiError::bad("bad_replay", "give `delivery`, or `from` before `to`")),
    };
    let replayed = api.engine.replay_webhooks(&id, subscription_id(&webhook)?, &what).await?;
    Ok(Json(Replayed { replayed }))
}
