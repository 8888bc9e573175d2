//! Commands for the `DebtorAccount` aggregate and the typed documents that imports carry.
//!
//! Nothing here reads a clock or draws randomness: `today` and the ids of new links travel in the
//! command. Automatic links get ids derived from `link_id_seed` (`Uuid::new_v5`), so an import that
//! is replayed with the same seed (for example `new_v5(import_id, document_key)`) makes the same ids.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::document::{content_hash, DocumentKey};
use crate::domain::{Cents, DebtorCode, InvoiceNumber, LinkId, PaymentRef};
use crate::events::debtor_account::{Address, DebtorKind, InvoiceSource, InvoiceTerms, PaymentSource};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DebtorAccountCommand {
    /// A relation record from the books: imports it, updates it, or does nothing when unchanged.
    ImportDebtor {
        key: DocumentKey,
        debtor: DebtorDocument,
    },
    /// An invoice from the books. A negative amount is a credit note. A new invoice takes the payments
    /// that were waiting for it (they named it before it arrived).
    ImportInvoice {
        key: DocumentKey,
        invoice: InvoiceDocument,
        link_id_seed: Uuid,
    },
    /// A payment from the books, linked at once: to the invoice it names, else by art. 6:43.
    ReceivePayment {
        key: DocumentKey,
        payment: PaymentDocument,
        today: NaiveDate,
        link_id_seed: Uuid,
    },
    /// By hand. `amount: None` links as much as both the payment and the invoice allow.
    LinkPayment {
        link_id: LinkId,
        payment_ref: PaymentRef,
        invoice_number: InvoiceNumber,
        amount: Option<Cents>,
        reason: String,
        expected_version: Option<u64>,
    },
    UnlinkPayment {
        link_id: LinkId,
        reason: String,
        expected_version: Option<u64>,
    },
    /// By hand: credit notes are never linked automatically.
    LinkCreditNote {
        link_id: LinkId,
        credit_note: InvoiceNumber,
        invoice_number: InvoiceNumber,
        amount: Option<Cents>,
        reason: String,
        expected_version: Option<u64>,
    },
    UnlinkCreditNote {
        link_id: LinkId,
        reason: String,
        expected_version: Option<u64>,
    },
    /// The books say `books_open` is open on the invoice, after this import's payments were linked.
    ReconcileOpenAmount {
        invoice_number: InvoiceNumber,
        books_open: Cents,
    },
    /// Reminders, delivery, pauses and collection cases.
    Dunning(super::dunning_commands::DunningCommand),
}

/// A relation record: every field is the document's own and goes into its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorDocument {
    pub code: DebtorCode,
    pub name: String,
    pub kind: DebtorKind,
    pub email: Option<String>,
    pub address: Option<Address>,
    pub kvk: Option<String>,
}

/// An invoice as the books show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceDocument {
    pub invoice_number: InvoiceNumber,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    /// Negative for a credit note.
    pub amount: Cents,
    pub source: InvoiceSource,
}

/// A payment mutation: every field is the document's own and goes into its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentDocument {
    pub payment_ref: PaymentRef,
    pub value_date: NaiveDate,
    pub amount: Cents,
    pub reference_invoice: Option<InvoiceNumber>,
    pub source: PaymentSource,
}

/// The hash of a plain struct of ids, strings, dates and cents: serializing it to JSON cannot fail.
fn hash_plain<T: Serialize>(fields: &T) -> String {
    content_hash(fields).expect("plain structs without maps always serialize to JSON")
}

impl DebtorDocument {
    pub fn content_hash(&self) -> String {
        hash_plain(self)
    }
}

impl InvoiceDocument {
    /// Over number, dates and amount, not `source`: which view of the books showed the invoice
    /// says nothing about its content, and hashing it would correct an invoice back and forth.
    pub fn content_hash(&self) -> String {
        #[derive(Serialize)]
        struct Hashed<'a> {
            invoice_number: &'a InvoiceNumber,
            invoice_date: NaiveDate,
            due_date: NaiveDate,
            amount: Cents,
        }
        hash_plain(&Hashed {
            invoice_number: &self.invoice_number,
            invoice_date: self.invoice_date,
            due_date: self.due_date,
            amount: self.amount,
        })
    }

    pub fn terms(&self) -> InvoiceTerms {
        InvoiceTerms { invoice_date: self.invoice_date, due_date: self.due_date, amount: self.amount }
    }
}

impl PaymentDocument {
    pub fn content_hash(&self) -> String {
        hash_plain(self)
    }
}
