//! Subscriptions: made, listed, rotated, disabled, enabled and removed. The secret is sealed with
//! the credentials key (the subscription id is the associated data) and shown once, when it is
//! made; after a rotation the previous secret signs beside the new one for an overlap.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use super::secret::WebhookSecret;
use super::target::parse_target;
use super::types::EventType;
use super::{WebhookError, WebhookSettings};
use crate::credentials::{Sealed, Vault};
use crate::domain::AdministrationId;
use crate::store;

/// A subscription as it is listed (never with its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Subscription {
    pub id: Uuid,
    pub administration: String,
    pub url: String,
    /// The types it wants; empty: every type.
    pub event_types: Vec<String>,
    pub active: bool,
    /// Why it was disabled (by hand, a 410, or the retry schedule running out).
    pub disabled_reason: Option<String>,
    /// Until when the previous secret signs too, after a rotation.
    pub previous_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A subscription just made or rotated, with the secret to give the receiver: the only time the
/// secret is shown.
#[derive(Debug)]
pub struct Created {
    pub subscription: Subscription,
    pub secret: WebhookSecret,
}

/// Makes a subscription of `administration` to `event_types` (all when empty) at `url`.
pub async fn add(
    pool: &PgPool,
    vault: &Vault,
    settings: &WebhookSettings,
    administration: &AdministrationId,
    url: &str,
    event_types: &[EventType],
) -> Result<Created, WebhookError> {
    let url = parse_target(url, settings.allow_private_targets)?;
    super::target::check_resolved(&url, settings.allow_private_targets).await?;
    let id = Uuid::now_v7();
    let secret = WebhookSecret::generate();
    let sealed = vault.seal(secret.key(), &id.to_string())?;
    let head = store::head(pool).await?.unwrap_or_default();
    let mut types: Vec<&str> = event_types.iter().map(|t| t.name()).collect();
    types.sort_unstable();
    types.dedup();
    sqlx::query(
        "INSERT INTO webhook_subscription (id, administration, url, event_types, key_id, nonce, ciphertext, \
         from_tx, from_pos) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::xid8, $9)",
    )
    .bind(id)
    .bind(administration.as_str())
    .bind(url.as_str())
    .bind(&types)
    .bind(&sealed.key_id)
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .bind(head.tx.to_string())
    .bind(head.pos)
    .execute(pool)
    .await?;
    Ok(Created { subscription: get(pool, administration, id).await?, secret })
}

const COLUMNS: &str = "id, administration, url, event_types, active, disabled_reason, previous_until, created_at";

type Row = (Uuid, String, String, Vec<String>, bool, Option<String>, Option<DateTime<Utc>>, DateTime<Utc>);

fn subscription(row: Row) -> Subscription {
    let (id, administration, url, event_types, active, disabled_reason, previous_until, created_at) = row;
    Subscription { id, administration, url, event_types, active, disabled_reason, previous_until, created_at }
}

/// The subscriptions of `administration`, oldest first.
pub async fn list<'c>(
    db: impl PgExecutor<'c>,
    administration: &AdministrationId,
) -> Result<Vec<Subscription>, WebhookError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_subscription WHERE administration = $1 ORDER BY created_at, id"
    ))
    .bind(administration.as_str())
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(subscription).collect())
}

/// One subscription of `administration` (another administration's is not found).
pub async fn get<'c>(
    db: impl PgExecutor<'c>,
    administration: &AdministrationId,
    id: Uuid,
) -> Result<Subscription, WebhookError> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM webhook_subscription WHERE id = $1 AND administration = $2"))
            .bind(id)
            .bind(administration.as_str())
            .fetch_optional(db)
            .await?;
    row.map(subscription).ok_or(WebhookError::UnknownSubscription(id))
}

/// A new secret for the subscription; the old one signs beside it for the settings' overlap.
pub async fn rotate(
    pool: &PgPool,
    vault: &Vault,
    settings: &WebhookSettings,
    administration: &AdministrationId,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Created, WebhookError> {
    get(pool, administration, id).await?;
    let secret = WebhookSecret::generate();
    let sealed = vault.seal(secret.key(), &id.to_string())?;
    let until = now + Duration::hours(i64::from(settings.rotation_overlap_hours));
    sqlx::query(
        "UPDATE webhook_subscription SET previous_key_id = key_id, previous_nonce = nonce, \
         previous_ciphertext = ciphertext, previous_until = $3, key_id = $4, nonce = $5, ciphertext = $6 \
         WHERE id = $1 AND administration = $2",
    )
    .bind(id)
    .bind(administration.as_str())
    .bind(until)
    .bind(&sealed.key_id)
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .execute(pool)
    .await?;
    Ok(Created { subscription: get(pool, administration, id).await?, secret })
}

/// Stops or restarts the deliveries of a subscription; a disabled one keeps what is pending.
pub async fn set_active(
    pool: &PgPool,
    administration: &AdministrationId,
    id: Uuid,
    active: bool,
    reason: &str,
) -> Result<Subscription, WebhookError> {
    let changed = sqlx::query(
        "UPDATE webhook_subscription SET active = $3, disabled_reason = CASE WHEN $3 THEN NULL ELSE $4 END \
         WHERE id = $1 AND administration = $2",
    )
    .bind(id)
    .bind(administration.as_str())
    .bind(active)
    .bind(reason)
    .execute(pool)
    .await?;
    if changed.rows_affected() == 0 {
        return Err(WebhookError::UnknownSubscription(id));
    }
    get(pool, administration, id).await
}

/// Removes the subscription with its deliveries and their log.
pub async fn remove(pool: &PgPool, administration: &AdministrationId, id: Uuid) -> Result<(), WebhookError> {
    let removed = sqlx::query("DELETE FROM webhook_subscription WHERE id = $1 AND administration = $2")
        .bind(id)
        .bind(administration.as_str())
        .execute(pool)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(WebhookError::UnknownSubscription(id));
    }
    Ok(())
}

/// Where a subscription's messages go and the secrets that sign them now (the current one, and the
/// previous one during a rotation's overlap).
#[derive(Debug)]
pub(crate) struct Signing {
    pub url: String,
    pub secrets: Vec<WebhookSecret>,
}

/// The target and the signing secrets of subscription `id` at `now`.
pub(crate) async fn signing<'c>(
    db: impl PgExecutor<'c>,
    vault: &Vault,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Signing, WebhookError> {
    type Keys =
        (String, String, Vec<u8>, Vec<u8>, Option<String>, Option<Vec<u8>>, Option<Vec<u8>>, Option<DateTime<Utc>>);
    let row: Option<Keys> = sqlx::query_as(
        "SELECT url, key_id, nonce, ciphertext, previous_key_id, previous_nonce, previous_ciphertext, previous_until \
         FROM webhook_subscription WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let (url, key_id, nonce, ciphertext, old_key_id, old_nonce, old_ciphertext, until) =
        row.ok_or(WebhookError::UnknownSubscription(id))?;
    let context = id.to_string();
    let mut secrets = vec![WebhookSecret::from_key(vault.open(&Sealed { key_id, nonce, ciphertext }, &context)?)];
    if let (Some(key_id), Some(nonce), Some(ciphertext), Some(until)) = (old_key_id, old_nonce, old_ciphertext, until) {
        if now < until {
            secrets.push(WebhookSecret::from_key(vault.open(&Sealed { key_id, nonce, ciphertext }, &context)?));
        }
    }
    Ok(Signing { url, secrets })
}
