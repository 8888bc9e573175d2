//! Events of the `DebtorAccount` aggregate: one debtor's master data, invoices, credit notes,
//! payments and the allocations between them.
//!
//! Imported documents (`DebtorImported`, `InvoiceImported`, `CreditNoteImported`, `PaymentReceived`)
//! carry their `document_key` and `content_hash` in the payload: the store keeps a unique index on
//! `payload -> <event_type> ->> 'document_key'`, so that field name is part of the contract.
//!
//! Dunning (reminders, their delivery, pauses, per-debtor policy) and collection cases are decided
//! here too, so a reminder is never sent for an invoice a payment has just settled.

mod dunning;
mod types;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::dunning::{Channel, DunningStep, PolicyOverride};
use crate::domain::{Cents, DebtorCode, InvoiceNumber, LinkId, PaymentRef};

pub use dunning::{AnnouncedCosts, CollectionOutcome, PauseScope};
pub use types::{Address, DebtorChange, DebtorKind, InvoiceSource, InvoiceTerms, LinkReason, PaymentSource, Split};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DebtorAccountEvent {
    DebtorImported {
        document_key: String,
        content_hash: String,
        code: DebtorCode,
        name: String,
        kind: DebtorKind,
        email: Option<String>,
        address: Option<Address>,
        kvk: Option<String>,
    },
    /// The relation's document came back with new content; only the changed fields are listed.
    DebtorUpdated {
        content_hash: String,
        changes: Vec<DebtorChange>,
    },
    /// Version 2.0 added `payment_term_days`; version-1.0 events are upcast (`events::upcast`).
    InvoiceImported {
        document_key: String,
        content_hash: String,
        invoice_number: InvoiceNumber,
        #[serde(deserialize_with = "crate::events::date::iso")]
        invoice_date: NaiveDate,
        #[serde(deserialize_with = "crate::events::date::iso")]
        due_date: NaiveDate,
        amount: Cents,
        source: InvoiceSource,
        /// The payment term the books gave, in days from the invoice date to the due date.
        payment_term_days: i64,
    },
    /// Same document, new content; the open amount moves by the difference of the amounts.
    InvoiceCorrected {
        invoice_number: InvoiceNumber,
        content_hash: String,
        before: InvoiceTerms,
        after: InvoiceTerms,
    },
    /// `amount` is the credit's size, stored positive; a negative invoice in the books arrives as this.
    CreditNoteImported {
        document_key: String,
        content_hash: String,
        number: InvoiceNumber,
        #[serde(deserialize_with = "crate::events::date::iso")]
        date: NaiveDate,
        amount: Cents,
    },
    PaymentReceived {
        document_key: String,
        content_hash: String,
        payment_ref: PaymentRef,
        #[serde(deserialize_with = "crate::events::date::iso")]
        value_date: NaiveDate,
        amount: Cents,
        reference_invoice: Option<InvoiceNumber>,
        source: PaymentSource,
    },
    PaymentLinked {
        link_id: LinkId,
        payment_ref: PaymentRef,
        invoice_number: InvoiceNumber,
        split: Split,
        reason: LinkReason,
    },
    PaymentUnlinked {
        link_id: LinkId,
        reason: String,
    },
    CreditNoteLinked {
        link_id: LinkId,
        credit_note: InvoiceNumber,
        invoice_number: InvoiceNumber,
        amount: Cents,
        reason: LinkReason,
    },
    CreditNoteUnlinked {
        link_id: LinkId,
        reason: String,
    },
    /// The books' open amount differs and no payment we know explains it (`from` is ours, `to` theirs),
    /// or a payment now explains an earlier adjustment and this reverses that part.
    OpenAmountAdjusted {
        invoice_number: InvoiceNumber,
        from: Cents,
        to: Cents,
    },
    InvoicePaused {
        invoice_number: InvoiceNumber,
        reason: String,
    },
    InvoiceResumed {
        invoice_number: InvoiceNumber,
        reason: String,
    },
    DebtorPaused {
        scope: PauseScope,
        reason: String,
    },
    DebtorResumed {
        reason: String,
    },
    /// `None` drops the debtor's override: the administration's policy applies again.
    DebtorPolicyOverridden {
        policy: Option<PolicyOverride>,
    },
    /// The decision to send; its outbox row was written in the same transaction. `reminder_id` is
    /// the idempotency key (derived from administration, debtor, step and invoices).
    ReminderSent {
        reminder_id: Uuid,
        step: DunningStep,
        invoices: Vec<InvoiceNumber>,
        channel: Channel,
        #[serde(deserialize_with = "crate::events::date::iso")]
        sent_on: NaiveDate,
        announced_costs: Option<AnnouncedCosts>,
    },
    ReminderDelivered {
        reminder_id: Uuid,
        delivered_at: DateTime<Utc>,
        message_id: String,
    },
    ReminderDeliveryFailed {
        reminder_id: Uuid,
        reason: String,
    },
    /// Amounts as of `started_on`: interest over each invoice from the day after its due date.
    CollectionStarted {
        case_id: Uuid,
        invoices: Vec<InvoiceNumber>,
        principal: Cents,
        costs: Cents,
        vat_surcharge: Cents,
        interest: Cents,
        #[serde(deserialize_with = "crate::events::date::iso")]
        interest_from: NaiveDate,
        #[serde(deserialize_with = "crate::events::date::iso")]
        started_on: NaiveDate,
        /// False when a rate used is unverified or carried forward past the rate table.
        rates_verified: bool,
    },
    CollectionCostsWaived {
        case_id: Uuid,
        reason: String,
    },
    CollectionClosed {
        case_id: Uuid,
        outcome: CollectionOutcome,
    },
}

event_names!(DebtorAccountEvent {
    DebtorImported => DEBTOR_IMPORTED,
    DebtorUpdated => DEBTOR_UPDATED,
    InvoiceImported => INVOICE_IMPORTED,
    InvoiceCorrected => INVOICE_CORRECTED,
    CreditNoteImported => CREDIT_NOTE_IMPORTED,
    PaymentReceived => PAYMENT_RECEIVED,
    PaymentLinked => PAYMENT_LINKED,
    PaymentUnlinked => PAYMENT_UNLINKED,
    CreditNoteLinked => CREDIT_NOTE_LINKED,
    CreditNoteUnlinked => CREDIT_NOTE_UNLINKED,
    OpenAmountAdjusted => OPEN_AMOUNT_ADJUSTED,
    InvoicePaused => INVOICE_PAUSED,
    InvoiceResumed => INVOICE_RESUMED,
    DebtorPaused => DEBTOR_PAUSED,
    DebtorResumed => DEBTOR_RESUMED,
    DebtorPolicyOverridden => DEBTOR_POLICY_OVERRIDDEN,
    ReminderSent => REMINDER_SENT,
    ReminderDelivered => REMINDER_DELIVERED,
    ReminderDeliveryFailed => REMINDER_DELIVERY_FAILED,
    CollectionStarted => COLLECTION_STARTED,
    CollectionCostsWaived => COLLECTION_COSTS_WAIVED,
    CollectionClosed => COLLECTION_CLOSED,
});

impl DebtorAccountEvent {
    /// The imported document's key, for the events that import one.
    pub fn document_key(&self) -> Option<&str> {
        match self {
            Self::DebtorImported { document_key, .. }
            | Self::InvoiceImported { document_key, .. }
            | Self::CreditNoteImported { document_key, .. }
            | Self::PaymentReceived { document_key, .. } => Some(document_key),
            _ => None,
        }
    }
}

impl super::DocumentKeyed for DebtorAccountEvent {
    fn document_key(&self) -> Option<&str> {
        DebtorAccountEvent::document_key(self)
    }
}

impl cqrs_es::DomainEvent for DebtorAccountEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        match self {
            Self::InvoiceImported { .. } => super::upcast::INVOICE_IMPORTED_VERSION.to_owned(),
            _ => "1.0".to_owned(),
        }
    }
}
