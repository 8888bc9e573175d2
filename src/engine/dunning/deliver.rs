//! `Engine::deliver_reminders`: the outbox deliverer. Leases one pending row at a time, sends it
//! through its channel, and records the outcome (`ReminderDelivered` / `ReminderDeliveryFailed`)
//! in the same transaction that updates the row. A crash before that commit leaves the row pending:
//! the lease runs out and the message goes again, with the same Message-ID.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tracing::{info, instrument, warn};
use uuid::Uuid;

use crate::delivery::{render_letter, send_email, write_letter, Channels, DeliveryError};
use crate::domain::debtor_account::{decide, DebtorAccount, DebtorAccountCommand, DunningCommand};
use crate::domain::dunning::Channel;
use crate::domain::AdministrationId;
use crate::engine::{Engine, EngineError};
use crate::events::Metadata;
use crate::outbox::{lease_next, mark_delivered, mark_failed, postpone, OutboxMessage, OutboxRow, MAX_ATTEMPTS};
use crate::store::{append_in, load_many, PendingAppend};

/// How often recording an outcome is decided again after another writer changed the account.
const RECORD_ATTEMPTS: u32 = 5;

/// What to do once the server accepted a message (a test hook: `Abandon` stops right there, as a
/// crash would, leaving the row pending).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterAccept {
    /// Record the delivery as usual.
    Continue,
    /// Record nothing for this message and leave its row pending, as a crash after sending would;
    /// the call goes on with the next row.
    Abandon,
}

/// Called with the reminder id each time the server accepted a message, before the delivery is
/// recorded; its answer says whether to record it.
pub type AcceptHook = Arc<dyn Fn(Uuid) -> AfterAccept + Send + Sync>;

/// How `Engine::deliver_reminders` runs; [`DeliveryOptions::at`] gives the defaults.
#[derive(Clone)]
pub struct DeliveryOptions {
    /// The deliverer's clock: leases, retry times and `delivered_at` are taken from it.
    pub now: DateTime<Utc>,
    /// How long a leased row is left alone before another deliverer may take it.
    pub lease: Duration,
    /// At most this many messages per call.
    pub limit: usize,
    /// The test hook after each accepted message; `None` records every delivery.
    pub after_accept: Option<AcceptHook>,
}

impl std::fmt::Debug for DeliveryOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryOptions").field("now", &self.now).field("lease", &self.lease).finish()
    }
}

impl DeliveryOptions {
    /// Delivery at `now` with a lease of 10 minutes, at most 1,000 messages and no hook.
    pub fn at(now: DateTime<Utc>) -> Self {
        DeliveryOptions { now, lease: Duration::minutes(10), limit: 1_000, after_accept: None }
    }
}

/// What one call of `Engine::deliver_reminders` did, by reminder id, in the order it went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Sent and recorded as `ReminderDelivered`.
    pub delivered: Vec<Uuid>,
    /// Given up, with why: a permanent failure, or a transient one on the last attempt
    /// (`ReminderDeliveryFailed`).
    pub failed: Vec<(Uuid, String)>,
    /// A transient failure, with why: the row stays pending and is tried again after a back-off
    /// that doubles with each attempt (5 minutes first).
    pub postponed: Vec<(Uuid, String)>,
    /// Accepted by the server but not recorded, because the hook said [`AfterAccept::Abandon`].
    pub abandoned: Vec<Uuid>,
}

impl Engine {
    /// Delivers the administration's pending reminders; see the module docs.
    #[instrument(skip_all, fields(%administration))]
    pub async fn deliver_reminders(
        &self,
        administration: &AdministrationId,
        channels: &Channels,
        options: &DeliveryOptions,
        metadata: &Metadata,
    ) -> Result<DeliveryReport, EngineError> {
        let mut report = DeliveryReport::default();
        let mut seen = HashSet::new();
        let until = options.now + options.lease;
        while seen.len() < options.limit {
            let leased = lease_next(self.pool(), administration.as_str(), options.now, until).await?;
            let Some(OutboxRow { message, attempts }) = leased else { break };
            if !seen.insert(message.reminder_id) {
                break; // a zero lease hands the same row back: it was tried in this call already
            }
            let id = message.reminder_id;
            match send(channels, &message).await {
                Ok(()) => {
                    if let Some(AfterAccept::Abandon) = options.after_accept.as_ref().map(|hook| hook(id)) {
                        report.abandoned.push(id);
                        continue;
                    }
                    let command = DunningCommand::RecordDelivery {
                        reminder_id: id,
                        delivered_at: options.now,
                        message_id: message.message_id.clone(),
                    };
                    self.record(&message, command, Outcome::Delivered(options.now), metadata).await?;
                    report.delivered.push(id);
                }
                Err(DeliveryError::Transient(reason)) if attempts + 1 < MAX_ATTEMPTS => {
                    warn!(reminder = %id, %reason, "delivery postponed");
                    let next = options.now + Duration::minutes(5_i64 << attempts.clamp(0, 10));
                    postpone(self.pool(), id, &reason, next).await?;
                    report.postponed.push((id, reason));
                }
                Err(DeliveryError::Transient(reason) | DeliveryError::Permanent(reason)) => {
                    let command = DunningCommand::RecordDeliveryFailure { reminder_id: id, reason: reason.clone() };
                    self.record(&message, command, Outcome::Failed(reason.clone()), metadata).await?;
                    report.failed.push((id, reason));
                }
            }
        }
        info!(delivered = report.delivered.len(), failed = report.failed.len(), "outbox delivery done");
        Ok(report)
    }

    /// Appends the outcome event and updates the row in one transaction; decides again when
    /// another writer changed the account meanwhile.
    async fn record(
        &self,
        message: &OutboxMessage,
        command: DunningCommand,
        outcome: Outcome,
        metadata: &Metadata,
    ) -> Result<(), EngineError> {
        let id = message.aggregate_id.clone();
        for _ in 0..RECORD_ATTEMPTS {
            let mut loaded = load_many::<DebtorAccount>(self.pool(), std::slice::from_ref(&id)).await?;
            let loaded = loaded.remove(&id).unwrap_or_default();
            let events = decide(&loaded.state, DebtorAccountCommand::Dunning(command.clone()))
                .map_err(EngineError::account_refused)?;
            let append = PendingAppend::<DebtorAccount> {
                aggregate_id: id.clone(),
                after_sequence: loaded.last_sequence,
                events,
                metadata: metadata.clone(),
            };
            let mut tx = self.pool().begin().await?;
            let written = append_in(&mut tx, &[append]).await?;
            if !written.conflicts.is_empty() {
                continue; // dropped: rolls back
            }
            match &outcome {
                Outcome::Delivered(at) => mark_delivered(&mut *tx, message.reminder_id, *at).await?,
                Outcome::Failed(reason) => mark_failed(&mut *tx, message.reminder_id, reason).await?,
            }
            tx.commit().await?;
            return Ok(());
        }
        Err(EngineError::Contended { record: id, attempts: RECORD_ATTEMPTS })
    }
}

enum Outcome {
    Delivered(DateTime<Utc>),
    Failed(String),
}

/// Sends through the reminder's channel. A letter is written as PDF for the post and, when the
/// debtor has an e-mail address and SMTP is configured, also e-mailed (Payt sends it both ways).
/// An e-mail reminder to a debtor without an address goes as a letter when letters are configured.
async fn send(channels: &Channels, message: &OutboxMessage) -> Result<(), DeliveryError> {
    let no_address = message.email.is_none() && channels.letters_dir.is_some();
    if message.channel == Channel::Email && !no_address {
        let smtp =
            channels.smtp.as_ref().ok_or_else(|| DeliveryError::Transient("no SMTP server configured".to_owned()))?;
        return send_email(smtp, message, None).await;
    }
    let pdf = render_letter(message)?;
    let by_mail = channels.smtp.as_ref().filter(|_| message.email.is_some());
    if channels.letters_dir.is_none() && by_mail.is_none() {
        return Err(DeliveryError::Transient("no letters directory or SMTP server configured".to_owned()));
    }
    if let Some(dir) = &channels.letters_dir {
        write_letter(dir, message, &pdf)?;
    }
    match by_mail {
        Some(smtp) => send_email(smtp, message, Some(&pdf)).await,
        None => Ok(()),
    }
}
