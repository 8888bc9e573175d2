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

/// The dunning part of a debtor account, folded from the dunning, pause and collection events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DunningState {
    /// Every reminder (aanmaning) and 14-day letter sent, by reminder id, with its delivery.
    pub reminders: BTreeMap<Uuid, Reminder>,
    /// Per invoice, the day each step was taken (reminders and the collection start).
    pub steps: BTreeMap<InvoiceNumber, BTreeMap<DunningStep, NaiveDate>>,
    /// Invoices paused by hand, with the reason given; they get no reminders and no case.
    pub paused_invoices: BTreeMap<InvoiceNumber, String>,
    /// The pause of the whole debtor, if any.
    pub debtor_pause: Option<DebtorPause>,
    /// The debtor's own policy, laid over the administration's; `None` keeps the defaults.
    pub policy_override: Option<PolicyOverride>,
    /// Collection cases (incassozaken) by case id, open and closed.
    pub cases: BTreeMap<Uuid, CollectionCase>,
}

/// A pause of dunning for the whole debtor, set by `PauseDebtor` and ended by `ResumeDebtor`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorPause {
    /// What it stops: everything, or the reminders only.
    pub scope: PauseScope,
    /// Why, as the person gave it.
    pub reason: String,
}

/// What the channel reported about a reminder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// Sent, and no report yet; an e-mail counts as not received until it is delivered.
    Pending,
    /// The channel delivered it.
    Delivered {
        /// When the channel accepted it (UTC); an e-mail counts as received on its date.
        at: DateTime<Utc>,
        /// The Message-ID it went out with.
        message_id: String,
    },
    /// The channel gave up on it.
    Failed {
        /// The channel's error.
        reason: String,
    },
}

/// One reminder (aanmaning) or 14-day letter sent to the debtor, for one or more invoices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    /// Which step of the schedule it is: a reminder or the 14-day letter.
    pub step: DunningStep,
    /// The invoices it is about, bundled into one message.
    pub invoices: Vec<InvoiceNumber>,
    /// E-mail or letter: decides when it counts as received.
    pub channel: Channel,
    /// The day the dunning run sent it.
    pub sent_on: NaiveDate,
    /// For a 14-day letter, the costs and the term it announces (art. 6:96 lid 6 BW); else `None`.
    pub announced_costs: Option<AnnouncedCosts>,
    /// What the channel reported so far.
    pub delivery: Delivery,
}

/// One collection case (incassozaak): invoices handed over together on one day, with the costs
/// and interest they carry as of that day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionCase {
    /// Derived from the administration, the debtor and the invoices (`dunning::case_id`).
    pub case_id: Uuid,
    /// The invoices in the case, sorted by number, each once.
    pub invoices: Vec<InvoiceNumber>,
    /// The invoices' open principal on the start day, in cents.
    pub principal: Cents,
    /// The statutory collection costs (WIK, art. 6:96 BW) in cents, without the VAT surcharge.
    pub costs: Cents,
    /// VAT on the costs in cents, when the creditor declared it cannot deduct VAT (BIK art. 2 lid 3);
    /// else zero.
    pub vat_surcharge: Cents,
    /// Interest in cents up to the start day: statutory (art. 6:119 BW) for a consumer, commercial
    /// (art. 6:119a BW) for a business, on what is open and on what was paid late.
    pub interest: Cents,
    /// The first day interest ran on any of the invoices (the day after a due date), or the start
    /// day when none ran.
    pub interest_from: NaiveDate,
    /// The day the case started; its costs and interest are as of this day.
    pub started_on: NaiveDate,
    /// False when an interest rate used is unverified or carried forward past the rate table.
    pub rates_verified: bool,
    /// The reason given when the costs were waived; from then on the case claims no costs.
    pub costs_waived: Option<String>,
    /// How the case ended; `None` while it is open.
    pub closed: Option<CollectionOutcome>,
}

impl CollectionCase {
    /// Open until a `CollectionClosed`, as paid or by hand.
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
