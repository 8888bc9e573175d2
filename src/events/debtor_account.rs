//! Events of the `DebtorAccount` aggregate: one debtor's master data, invoices, credit notes,
//! payments and the allocations between them.
//!
//! Imported documents (`DebtorImported`, `InvoiceImported`, `CreditNoteImported`, `PaymentReceived`)
//! carry their `document_key` and `content_hash` in the payload: the store keeps a unique index on
//! `payload -> <event_type> ->> 'document_key'`, so that field name is part of the contract.

mod types;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::{Cents, DebtorCode, InvoiceNumber, LinkId, PaymentRef};

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
        invoice_date: NaiveDate,
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
        date: NaiveDate,
        amount: Cents,
    },
    PaymentReceived {
        document_key: String,
        content_hash: String,
        payment_ref: PaymentRef,
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
}

impl DebtorAccountEvent {
    /// The variant's name: the stored `event_type`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::DebtorImported { .. } => "DebtorImported",
            Self::DebtorUpdated { .. } => "DebtorUpdated",
            Self::InvoiceImported { .. } => "InvoiceImported",
            Self::InvoiceCorrected { .. } => "InvoiceCorrected",
            Self::CreditNoteImported { .. } => "CreditNoteImported",
            Self::PaymentReceived { .. } => "PaymentReceived",
            Self::PaymentLinked { .. } => "PaymentLinked",
            Self::PaymentUnlinked { .. } => "PaymentUnlinked",
            Self::CreditNoteLinked { .. } => "CreditNoteLinked",
            Self::CreditNoteUnlinked { .. } => "CreditNoteUnlinked",
            Self::OpenAmountAdjusted { .. } => "OpenAmountAdjusted",
        }
    }

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
