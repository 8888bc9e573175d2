//! The dunning part of a debtor account: reminders sent and their delivery, pauses, the debtor's
//! policy override and the collection cases, folded from the dunning events.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::state::{minus, plus};
use super::DebtorAccount;
use crate::domain::allocation::Components;
use crate::domain::dunning::{Channel, DunningStep, PolicyOverride};
use crate::domain::{Cents, InvoiceNumber};
use crate::events::debtor_account::{AnnouncedCosts, CollectionOutcome, DebtorAccountEvent as E, PauseScope};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DunningState {
    pub reminders: BTreeMap<Uuid, Reminder>,
    /// Per invoice, the day each step was taken (reminders and the collection start).
    pub steps: BTreeMap<InvoiceNumber, BTreeMap<DunningStep, NaiveDate>>,
    pub paused_invoices: BTreeMap<InvoiceNumber, String>,
    pub debtor_pause: Option<DebtorPause>,
    pub policy_override: Option<PolicyOverride>,
    pub cases: BTreeMap<Uuid, CollectionCase>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorPause {
    pub scope: PauseScope,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    Pending,
    Delivered { at: DateTime<Utc>, message_id: String },
    Failed { reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub step: DunningStep,
    pub invoices: Vec<InvoiceNumber>,
    pub channel: Channel,
    pub sent_on: NaiveDate,
    pub announced_costs: Option<AnnouncedCosts>,
    pub delivery: Delivery,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionCase {
    pub case_id: Uuid,
    pub invoices: Vec<InvoiceNumber>,
    pub principal: Cents,
    pub costs: Cents,
    pub vat_surcharge: Cents,
    pub interest: Cents,
    pub interest_from: NaiveDate,
    pub started_on: NaiveDate,
    pub rates_verified: bool,
    pub costs_waived: Option<String>,
    pub closed: Option<CollectionOutcome>,
}

impl CollectionCase {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }
}

impl DunningState {
    /// The open case an invoice is in, if any.
    pub fn open_case_of(&self, invoice: &InvoiceNumber) -> Option<&CollectionCase> {
        self.cases.values().find(|c| c.is_open() && c.invoices.contains(invoice))
    }

    /// Whether an invoice was ever in a case (an invoice leaves dunning once it is handed over).
    pub fn ever_in_case(&self, invoice: &InvoiceNumber) -> bool {
        self.cases.values().any(|c| c.invoices.contains(invoice))
    }

    /// The last reminder (not collection) day of the debtor, for the bundling interval.
    pub fn last_reminder_on(&self) -> Option<NaiveDate> {
        self.reminders.values().map(|r| r.sent_on).max()
    }

    /// Written reminders on an invoice: each interrupts prescription (art. 3:317 BW).
    pub fn reminder_days(&self, invoice: &InvoiceNumber) -> Vec<NaiveDate> {
        self.reminders.values().filter(|r| r.invoices.contains(invoice)).map(|r| r.sent_on).collect()
    }
}

impl DebtorAccount {
    /// What is still open on a case by component: costs (with the VAT surcharge) unless waived,
    /// interest as of the start, and the principal its invoices still have open.
    pub fn case_open(&self, case: &CollectionCase) -> Components {
        let mut paid = Components::default();
        let mut principal = Cents::ZERO;
        for number in &case.invoices {
            let Some(invoice) = self.invoices.get(number) else { continue };
            principal = plus(principal, invoice.open_principal());
            for allocation in invoice.allocations.values() {
                paid.costs = plus(paid.costs, allocation.split.costs);
                paid.interest = plus(paid.interest, allocation.split.interest);
            }
        }
        let costs = match case.costs_waived {
            Some(_) => Cents::ZERO,
            None => minus(plus(case.costs, case.vat_surcharge), paid.costs).max(Cents::ZERO),
        };
        Components { costs, interest: minus(case.interest, paid.interest).max(Cents::ZERO), principal }
    }

    /// Folds the dunning, pause and collection events.
    pub(super) fn apply_dunning(&mut self, event: E) {
        let dunning = &mut self.dunning;
        match event {
            E::InvoicePaused { invoice_number, reason } => {
                dunning.paused_invoices.insert(invoice_number, reason);
            }
            E::InvoiceResumed { invoice_number, .. } => {
                dunning.paused_invoices.remove(&invoice_number);
            }
            E::DebtorPaused { scope, reason } => dunning.debtor_pause = Some(DebtorPause { scope, reason }),
            E::DebtorResumed { .. } => dunning.debtor_pause = None,
            E::DebtorPolicyOverridden { policy } => dunning.policy_override = policy,
            E::ReminderSent { reminder_id, step, invoices, channel, sent_on, announced_costs } => {
                for number in &invoices {
                    dunning.steps.entry(number.clone()).or_default().entry(step).or_insert(sent_on);
                }
                let delivery = Delivery::Pending;
                let reminder = Reminder { step, invoices, channel, sent_on, announced_costs, delivery };
                dunning.reminders.insert(reminder_id, reminder);
            }
            E::ReminderDelivered { reminder_id, delivered_at, message_id } => {
                if let Some(reminder) = dunning.reminders.get_mut(&reminder_id) {
                    reminder.delivery = Delivery::Delivered { at: delivered_at, message_id };
                }
            }
            E::ReminderDeliveryFailed { reminder_id, reason } => {
                if let Some(reminder) = dunning.reminders.get_mut(&reminder_id) {
                    reminder.delivery = Delivery::Failed { reason };
                }
            }
            other => self.apply_collection(other),
        }
    }

    fn apply_collection(&mut self, event: E) {
        let dunning = &mut self.dunning;
        match event {
            E::CollectionStarted {
                case_id,
                invoices,
                principal,
                costs,
                vat_surcharge,
                interest,
                interest_from,
                started_on,
                rates_verified,
            } => {
                for number in &invoices {
                    dunning
                        .steps
                        .entry(number.clone())
                        .or_default()
                        .entry(DunningStep::Collection)
                        .or_insert(started_on);
                }
                let case = CollectionCase {
                    case_id,
                    invoices,
                    principal,
                    costs,
                    vat_surcharge,
                    interest,
                    interest_from,
                    started_on,
                    rates_verified,
                    costs_waived: None,
                    closed: None,
                };
                dunning.cases.insert(case_id, case);
            }
            E::CollectionCostsWaived { case_id, reason } => {
                if let Some(case) = dunning.cases.get_mut(&case_id) {
                    case.costs_waived = Some(reason);
                }
            }
            E::CollectionClosed { case_id, outcome } => {
                if let Some(case) = dunning.cases.get_mut(&case_id) {
                    case.closed = Some(outcome);
                }
            }
            _ => {}
        }
    }
}
