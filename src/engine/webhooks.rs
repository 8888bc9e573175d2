//! Webhook subscriptions as engine calls: made, listed, rotated, disabled and removed per
//! administration, their delivery log and notices, the replay, and the runner `serve` starts.

use chrono::Utc;
use uuid::Uuid;

use super::{Engine, EngineError, NotFound, Refusal};
use crate::domain::AdministrationId;
use crate::webhooks::{self, Created, DeliveryLine, EventType, Notice, Replay, Subscription, WebhookError};

impl From<WebhookError> for EngineError {
    fn from(error: WebhookError) -> Self {
        match error {
            WebhookError::Database(error) => EngineError::database(error),
            WebhookError::Store(error) => error.into(),
            WebhookError::Credentials(error) => error.into(),
            WebhookError::Target(refused) => Refusal::WebhookTarget(refused).into(),
            WebhookError::EventType(unknown) => Refusal::UnknownEventType(unknown).into(),
            WebhookError::UnknownSubscription(id) => NotFound::Webhook(id).into(),
            WebhookError::UnknownDelivery(id) => NotFound::WebhookDelivery(id).into(),
            other @ (WebhookError::Client(_) | WebhookError::Corrupt(_)) => EngineError::internal(other),
        }
    }
}

impl Engine {
    /// Subscribes `url` to `event_types` of `administration` (every type when empty). The URL must
    /// be http(s) and resolve outside the network unless the settings allow private targets. The
    /// secret in the answer is shown this once.
    pub async fn add_webhook(
        &self,
        administration: &AdministrationId,
        url: &str,
        event_types: &[EventType],
    ) -> Result<Created, EngineError> {
        if !self.administration(administration).await?.is_registered() {
            return Err(NotFound::Administration(administration.clone()).into());
        }
        let vault = self.vault()?;
        Ok(webhooks::add(&self.pool, vault, &self.settings.webhooks, administration, url, event_types).await?)
    }

    /// The administration's subscriptions, oldest first, without their secrets.
    pub async fn webhooks(&self, administration: &AdministrationId) -> Result<Vec<Subscription>, EngineError> {
        Ok(webhooks::list(&self.pool, administration).await?)
    }

    /// A new secret for a subscription (shown this once); the old one signs beside it for the
    /// settings' overlap, so that the receiver can switch without losing a message.
    pub async fn rotate_webhook(&self, administration: &AdministrationId, id: Uuid) -> Result<Created, EngineError> {
        let vault = self.vault()?;
        Ok(webhooks::rotate(&self.pool, vault, &self.settings.webhooks, administration, id, Utc::now()).await?)
    }

    /// Stops (`active` false, with `reason`) or restarts a subscription's deliveries; what is
    /// pending waits while it is disabled.
    pub async fn set_webhook_active(
        &self,
        administration: &AdministrationId,
        id: Uuid,
        active: bool,
        reason: &str,
    ) -> Result<Subscription, EngineError> {
        Ok(webhooks::set_active(&self.pool, administration, id, active, reason).await?)
    }

    /// Removes a subscription with its deliveries and their log.
    pub async fn remove_webhook(&self, administration: &AdministrationId, id: Uuid) -> Result<(), EngineError> {
        Ok(webhooks::remove(&self.pool, administration, id).await?)
    }

    /// The newest `limit` deliveries of a subscription with their attempts.
    pub async fn webhook_deliveries(
        &self,
        administration: &AdministrationId,
        id: Uuid,
        limit: i64,
    ) -> Result<Vec<DeliveryLine>, EngineError> {
        Ok(webhooks::deliveries(&self.pool, administration, id, limit).await?)
    }

    /// What the administration's subscriptions did by themselves (disabled by a 410, or after
    /// the retry schedule ran out), newest first.
    pub async fn webhook_notices(&self, administration: &AdministrationId) -> Result<Vec<Notice>, EngineError> {
        Ok(webhooks::notices(&self.pool, administration).await?)
    }

    /// Sends deliveries again, with their own `webhook-id`s; returns how many.
    pub async fn replay_webhooks(
        &self,
        administration: &AdministrationId,
        id: Uuid,
        what: &Replay,
    ) -> Result<u64, EngineError> {
        Ok(webhooks::replay(&self.pool, administration, id, what, Utc::now()).await?)
    }

    /// Whether the engine has the key that seals stored secrets (the codes, the webhooks').
    pub fn has_vault(&self) -> bool {
        self.vault.is_some()
    }

    /// Derives and sends webhook deliveries until `stop` resolves (`serve` runs it).
    pub async fn run_webhooks(
        &self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), EngineError> {
        let vault = self.vault()?.clone();
        Ok(webhooks::run(self.pool.clone(), vault, self.settings.webhooks.clone(), stop).await?)
    }
}
