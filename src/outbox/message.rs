//! What a channel renders: a snapshot of the reminder as decided, built from the account's state.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::debtor_account::DebtorAccount;
use crate::domain::dunning::{Channel, DunningStep};
use crate::domain::{AdministrationId, Cents, InvoiceNumber};
use crate::events::debtor_account::{Address, AnnouncedCosts, DebtorKind};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub reminder_id: Uuid,
    pub message_id: String,
    pub administration: AdministrationId,
    pub aggregate_id: String,
    pub step: DunningStep,
    pub channel: Channel,
    pub sent_on: NaiveDate,
    pub debtor_name: String,
    pub debtor_kind: DebtorKind,
    pub email: Option<String>,
    pub address: Option<Address>,
    pub invoices: Vec<InvoiceLine>,
    pub announced_costs: Option<AnnouncedCosts>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub number: InvoiceNumber,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Cents,
    pub open: Cents,
}

/// The stable Message-ID of a reminder: derived from its idempotency key, so a resend after a
/// crash carries the same one and the receiving side can drop the duplicate.
pub fn message_id(reminder_id: Uuid) -> String {
    format!("<{reminder_id}@reminders.vordering>")
}

impl OutboxMessage {
    /// The snapshot of reminder `reminder_id` in `account` (after its `ReminderSent` was applied).
    pub fn from_account(
        administration: &AdministrationId,
        aggregate_id: &str,
        account: &DebtorAccount,
        reminder_id: Uuid,
    ) -> Option<OutboxMessage> {
        let reminder = account.dunning.reminders.get(&reminder_id)?;
        let debtor = account.debtor.as_ref();
        let invoices = reminder
            .invoices
            .iter()
            .filter_map(|n| account.invoices.get(n))
            .map(|i| InvoiceLine {
                number: i.number.clone(),
                invoice_date: i.invoice_date,
                due_date: i.due_date,
                amount: i.amount,
                open: i.open_principal(),
            })
            .collect();
        Some(OutboxMessage {
            reminder_id,
            message_id: message_id(reminder_id),
            administration: administration.clone(),
            aggregate_id: aggregate_id.to_owned(),
            step: reminder.step,
            channel: reminder.channel,
            sent_on: reminder.sent_on,
            debtor_name: debtor.map_or_else(String::new, |d| d.name.clone()),
            debtor_kind: debtor.map_or(DebtorKind::Consumer, |d| d.kind),
            email: debtor.and_then(|d| d.email.clone()),
            address: debtor.and_then(|d| d.address.clone()),
            invoices,
            announced_costs: reminder.announced_costs,
        })
    }

    pub fn total_open(&self) -> Cents {
        Cents::new(self.invoices.iter().map(|i| i.open.get()).sum())
    }
}
