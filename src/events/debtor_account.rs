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

/// What happened on one debtor's account (the `DebtorAccount` aggregate, id
/// `"{administration}:{debtor_code}"`), in the past tense; stored as `{"<Variant>": {…}}`. Amounts
/// are [`Cents`] (euro cents), calendar dates are written `YYYY-MM-DD`, instants are UTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DebtorAccountEvent {
    /// A relation (debtor) from the books, seen for the first time: the account's master data.
    DebtorImported {
        /// The relation's key, `"{administration}|e-boekhouden|debtor|{relation code}"`.
        document_key: String,
        /// Hex SHA-256 over the relation's own fields; a later import with another hash updates it.
        content_hash: String,
        /// The relation code (relatiecode) in the books; the second part of the account id.
        code: DebtorCode,
        /// The display name: the company (`Bedrijf`), else the contact person, trimmed.
        name: String,
        /// Consumer or business, from the relation's `BP`; decides the 14-day letter and the
        /// interest rate.
        kind: DebtorKind,
        /// The relation's e-mail address, trimmed; `None` when the books have none.
        email: Option<String>,
        /// The relation's postal address; `None` when all its parts are empty.
        address: Option<Address>,
        /// The KvK number (Chamber of Commerce registration), trimmed; `None` when the books have
        /// none.
        kvk: Option<String>,
    },
    /// The relation's document came back with new content; only the changed fields are listed.
    DebtorUpdated {
        /// The relation's new content hash, as in `DebtorImported`.
        content_hash: String,
        /// The fields whose value differs, each with its new value; never empty.
        changes: Vec<DebtorChange>,
    },
    /// Version 2.0 added `payment_term_days`; version-1.0 events are upcast (`events::upcast`).
    InvoiceImported {
        /// The invoice's key, `"{administration}|e-boekhouden|invoice|{invoice number}"`.
        document_key: String,
        /// Hex SHA-256 over number, dates and amount (not `source`); a later import with another
        /// hash corrects the invoice.
        content_hash: String,
        /// The invoice number (factuurnummer), unique among the account's invoices and credit
        /// notes.
        invoice_number: InvoiceNumber,
        /// The invoice date (factuurdatum) in the books.
        #[serde(deserialize_with = "crate::events::date::iso")]
        invoice_date: NaiveDate,
        /// The due date (vervaldatum), never before `invoice_date`; see `source` for where it comes
        /// from.
        #[serde(deserialize_with = "crate::events::date::iso")]
        due_date: NaiveDate,
        /// The invoice's total in cents, VAT included, as the books state it; always positive.
        amount: Cents,
        /// Which view of the books showed the invoice, and so where its due date comes from.
        source: InvoiceSource,
        /// The payment term the books gave, in days from the invoice date to the due date.
        payment_term_days: i64,
    },
    /// Same document, new content; the open amount moves by the difference of the amounts.
    InvoiceCorrected {
        /// The invoice corrected.
        invoice_number: InvoiceNumber,
        /// The invoice's new content hash, as in `InvoiceImported`.
        content_hash: String,
        /// The dates and amount as they were.
        before: InvoiceTerms,
        /// The dates and amount as the books now state them; the amount still covers what is
        /// settled.
        after: InvoiceTerms,
    },
    /// `amount` is the credit's size, stored positive; a negative invoice in the books arrives as this.
    CreditNoteImported {
        /// The document's key; the books show a credit note as an invoice, so it is an `invoice`
        /// key.
        document_key: String,
        /// Hex SHA-256 over number, dates and (negative) amount, as for an invoice.
        content_hash: String,
        /// The credit note's number (its factuurnummer), unique among the account's invoices and
        /// credit notes.
        number: InvoiceNumber,
        /// The credit note's date in the books.
        #[serde(deserialize_with = "crate::events::date::iso")]
        date: NaiveDate,
        /// The credit in cents, VAT included: the negative invoice amount made positive.
        amount: Cents,
    },
    /// A received payment from the books, followed by the `PaymentLinked` events that allocate it;
    /// a payment that names an invoice not imported yet waits for it.
    PaymentReceived {
        /// The payment's key, `"{administration}|e-boekhouden|payment|{mutation number}"`.
        document_key: String,
        /// Hex SHA-256 over the payment's fields; the same payment with another hash is refused.
        content_hash: String,
        /// The mutation number (mutatienummer) of the payment in the books.
        payment_ref: PaymentRef,
        /// The mutation's date: the day the money was received, and the last day the part it paid
        /// bore interest.
        #[serde(deserialize_with = "crate::events::date::iso")]
        value_date: NaiveDate,
        /// The amount received in cents (the mutation's lines, VAT included); always positive.
        amount: Cents,
        /// The invoice the mutation names; `None` means it is allocated by art. 6:43 BW.
        reference_invoice: Option<InvoiceNumber>,
        /// Which kind of mutation it was.
        source: PaymentSource,
    },
    /// Part or all of a payment was allocated to an invoice: by the import (to the invoice it
    /// names, else by art. 6:43 BW) or by hand.
    PaymentLinked {
        /// The allocation's id, unique within the account: given by the caller of a link by hand;
        /// the import derives it (UUID v5) from its seed, the payment and the invoice.
        link_id: LinkId,
        /// The payment allocated.
        payment_ref: PaymentRef,
        /// The invoice it is allocated to.
        invoice_number: InvoiceNumber,
        /// The allocated amount by part (art. 6:44 BW); all principal outside a collection case.
        split: Split,
        /// Why the allocation was made.
        reason: LinkReason,
    },
    /// An earlier `PaymentLinked` was undone by hand; its amount is unallocated on the payment
    /// again.
    PaymentUnlinked {
        /// The `link_id` of the `PaymentLinked` undone.
        link_id: LinkId,
        /// Why, as the person gave it; trimmed and never empty.
        reason: String,
    },
    /// Part or all of a credit note was set off against an invoice's principal, by hand only.
    CreditNoteLinked {
        /// The allocation's id, given by the caller; unique within the account.
        link_id: LinkId,
        /// The number of the credit note set off.
        credit_note: InvoiceNumber,
        /// The invoice it is set off against.
        invoice_number: InvoiceNumber,
        /// The amount set off in cents; always positive, and all of it principal.
        amount: Cents,
        /// Why the allocation was made: `Manual`, with the person's text.
        reason: LinkReason,
    },
    /// An earlier `CreditNoteLinked` was undone by hand; its amount is unallocated on the credit
    /// note again.
    CreditNoteUnlinked {
        /// The `link_id` of the `CreditNoteLinked` undone.
        link_id: LinkId,
        /// Why, as the person gave it; trimmed and never empty.
        reason: String,
    },
    /// The books' open amount differs and no payment we know explains it (`from` is ours, `to` theirs),
    /// or a payment now explains an earlier adjustment and this reverses that part.
    OpenAmountAdjusted {
        /// The invoice whose open amount moved.
        invoice_number: InvoiceNumber,
        /// The invoice's open principal in cents before the adjustment.
        from: Cents,
        /// The open principal in cents after it: the books' open amount, or, on a reversal, the
        /// amount raised by the part the payment explains; never negative.
        to: Cents,
    },
    /// Dunning of one invoice was paused by hand: no reminders and no collection case for it until
    /// it is resumed.
    InvoicePaused {
        /// The invoice paused.
        invoice_number: InvoiceNumber,
        /// Why, as the person gave it; trimmed and never empty.
        reason: String,
    },
    /// Dunning of a paused invoice was resumed by hand.
    InvoiceResumed {
        /// The invoice resumed.
        invoice_number: InvoiceNumber,
        /// Why, as the person gave it; trimmed and never empty.
        reason: String,
    },
    /// Dunning of the whole debtor was paused by hand, or the scope of its pause changed.
    DebtorPaused {
        /// What the pause stops.
        scope: PauseScope,
        /// Why, as the person gave it; trimmed and never empty.
        reason: String,
    },
    /// The debtor's pause was lifted by hand.
    DebtorResumed {
        /// Why, as the person gave it; trimmed and never empty.
        reason: String,
    },
    /// `None` drops the debtor's override: the administration's policy applies again.
    DebtorPolicyOverridden {
        /// The debtor's override of the administration's policy, replacing any earlier one.
        policy: Option<PolicyOverride>,
    },
    /// The decision to send; its outbox row was written in the same transaction. `reminder_id` is
    /// the idempotency key (derived from administration, debtor, step and invoices).
    ReminderSent {
        /// The idempotency key: a UUID v5 of administration, debtor code, step and the sorted
        /// invoice numbers.
        reminder_id: Uuid,
        /// The step of the dunning policy taken.
        step: DunningStep,
        /// The invoices the reminder covers; more than one when the policy bundles per debtor.
        invoices: Vec<InvoiceNumber>,
        /// How the reminder goes out: by e-mail or as a letter.
        channel: Channel,
        /// The business date of the dunning run that decided it, not of its delivery.
        #[serde(deserialize_with = "crate::events::date::iso")]
        sent_on: NaiveDate,
        /// What a 14-day letter announces; `Some` only for the step `FourteenDayLetter`.
        announced_costs: Option<AnnouncedCosts>,
    },
    /// The channel accepted the reminder; a resend that reports it again records nothing.
    ReminderDelivered {
        /// The `reminder_id` of the `ReminderSent` delivered.
        reminder_id: Uuid,
        /// When the delivery run handed it over (UTC), by that run's clock.
        delivered_at: DateTime<Utc>,
        /// The reminder's stable Message-ID, `<{reminder_id}@reminders.vordering>`, the same on
        /// every attempt.
        message_id: String,
    },
    /// The reminder could not be delivered: a permanent failure, or the last allowed transient one.
    ReminderDeliveryFailed {
        /// The `reminder_id` of the `ReminderSent` that failed.
        reminder_id: Uuid,
        /// The channel's error text; never empty.
        reason: String,
    },
    /// Amounts as of `started_on`: interest over each invoice from the day after its due date.
    CollectionStarted {
        /// The case's id: a UUID v5 of administration, debtor code and the sorted invoice numbers.
        case_id: Uuid,
        /// The invoices handed over to collection, sorted and without duplicates.
        invoices: Vec<InvoiceNumber>,
        /// The invoices' open principal (hoofdsom) on `started_on`, summed, in cents.
        principal: Cents,
        /// The extrajudicial collection costs (WIK, art. 6:96 BW) in cents, VAT surcharge excluded;
        /// for a consumer only what a 14-day letter that ran out unpaid made owed.
        costs: Cents,
        /// The VAT on `costs` in cents, only when the creditor declared it (BIK art. 2 lid 3); else
        /// zero.
        vat_surcharge: Cents,
        /// The interest in cents up to `started_on`: statutory (art. 6:119 BW) for a consumer,
        /// commercial (art. 6:119a BW) for a business; on what is open, and on each part paid late
        /// up to its payment day.
        interest: Cents,
        /// The earliest day interest runs from: the day after the earliest due date that bore
        /// interest; `started_on` when none did.
        #[serde(deserialize_with = "crate::events::date::iso")]
        interest_from: NaiveDate,
        /// The business date the case started: the dunning run's day, or the day it was started by
        /// hand.
        #[serde(deserialize_with = "crate::events::date::iso")]
        started_on: NaiveDate,
        /// False when a rate used is unverified or carried forward past the rate table.
        rates_verified: bool,
    },
    /// The case's collection costs and their VAT surcharge were waived by hand; interest and
    /// principal stay owed.
    CollectionCostsWaived {
        /// The case whose costs were waived.
        case_id: Uuid,
        /// Why, as the person gave it; trimmed and never empty.
        reason: String,
    },
    /// A collection case ended: paid in full, or closed by hand.
    CollectionClosed {
        /// The case closed.
        case_id: Uuid,
        /// How it ended.
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
