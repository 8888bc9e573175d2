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

/// What can be asked of one debtor account: imports from the books, links by hand, reconciling
/// with the books' open amount, and dunning. `decide` turns it into events or a refusal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DebtorAccountCommand {
    /// A relation record from the books: imports it, updates it, or does nothing when unchanged.
    ImportDebtor {
        /// The relation record's document key; must be of kind `Debtor`.
        key: DocumentKey,
        /// The relation record as the books show it now.
        debtor: DebtorDocument,
    },
    /// An invoice from the books. A negative amount is a credit note. A new invoice takes the payments
    /// that were waiting for it (they named it before it arrived).
    ImportInvoice {
        /// The invoice's document key; of kind `Invoice` or `CreditNote`.
        key: DocumentKey,
        /// The invoice as the books show it now.
        invoice: InvoiceDocument,
        /// Seed of the ids of the links to payments waiting for it (`Uuid::new_v5`).
        link_id_seed: Uuid,
    },
    /// A payment from the books, linked at once: to the invoice it names, else by art. 6:43.
    ReceivePayment {
        /// The payment's document key; must be of kind `Payment`.
        key: DocumentKey,
        /// The payment mutation as the books show it.
        payment: PaymentDocument,
        /// The import's day: which invoices are due (opeisbaar) on it sets the art. 6:43 order.
        today: NaiveDate,
        /// Seed of the ids of the links this payment gets (`Uuid::new_v5`).
        link_id_seed: Uuid,
    },
    /// By hand. `amount: None` links as much as both the payment and the invoice allow.
    LinkPayment {
        /// The new link's id, chosen by the caller; refused with `LinkIdInUse` when already used.
        link_id: LinkId,
        /// The payment whose unallocated rest is linked; it must be on the account.
        payment_ref: PaymentRef,
        /// The invoice that receives the amount; it must be on the account.
        invoice_number: InvoiceNumber,
        /// Cents to link; on an invoice in an open collection case they go to the case's costs,
        /// then its interest, then the principal (art. 6:44 BW).
        amount: Option<Cents>,
        /// Why, in the person's words; required, and kept in the event for the audit trail.
        reason: String,
        /// The account version the caller saw; when set and no longer current, `StaleVersion`.
        expected_version: Option<u64>,
    },
    /// By hand: undoes a payment link; its amount is unallocated on the payment and open again.
    UnlinkPayment {
        /// The payment link to undo.
        link_id: LinkId,
        /// Why, in the person's words; required.
        reason: String,
        /// The account version the caller saw; when set and no longer current, `StaleVersion`.
        expected_version: Option<u64>,
    },
    /// By hand: credit notes are never linked automatically.
    LinkCreditNote {
        /// The new link's id, chosen by the caller; refused with `LinkIdInUse` when already used.
        link_id: LinkId,
        /// The credit note whose unallocated rest is linked; it must be on the account.
        credit_note: InvoiceNumber,
        /// The invoice that receives the amount; it must be on the account.
        invoice_number: InvoiceNumber,
        /// Cents to link, all principal; `None` links as much as both sides allow.
        amount: Option<Cents>,
        /// Why, in the person's words; required, and kept in the event for the audit trail.
        reason: String,
        /// The account version the caller saw; when set and no longer current, `StaleVersion`.
        expected_version: Option<u64>,
    },
    /// By hand: undoes a credit note link; its amount is unallocated on the note and open again.
    UnlinkCreditNote {
        /// The credit note link to undo.
        link_id: LinkId,
        /// Why, in the person's words; required.
        reason: String,
        /// The account version the caller saw; when set and no longer current, `StaleVersion`.
        expected_version: Option<u64>,
    },
    /// The books say `books_open` is open on the invoice, after this import's payments were linked.
    ReconcileOpenAmount {
        /// The invoice of the books' open item (openstaande post).
        invoice_number: InvoiceNumber,
        /// What the books show open on it, in cents; not negative, and at most what its links leave.
        books_open: Cents,
    },
    /// Reminders, delivery, pauses and collection cases.
    Dunning(super::dunning_commands::DunningCommand),
}

/// A relation record: every field is the document's own and goes into its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorDocument {
    /// The relation code (debiteurnummer) in the books: the debtor part of the account id.
    pub code: DebtorCode,
    /// The name the relation goes by in the books, trimmed.
    pub name: String,
    /// Consumer or business (e-Boekhouden's `BP`): decides the 14-day letter and the interest rate.
    pub kind: DebtorKind,
    /// Where reminders by e-mail go; `None` when the books have no address.
    pub email: Option<String>,
    /// The postal address for letters; `None` when the books leave every part of it empty.
    pub address: Option<Address>,
    /// The Chamber of Commerce (KvK) number, when the books have one.
    pub kvk: Option<String>,
}

/// An invoice as the books show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceDocument {
    /// The invoice number (factuurnummer); unique among the debtor's invoices and credit notes.
    pub invoice_number: InvoiceNumber,
    /// The invoice date (factuurdatum), from which the payment term runs.
    pub invoice_date: NaiveDate,
    /// The due date (vervaldatum): from the invoice's own term, else the administration's default
    /// term; never before `invoice_date`.
    pub due_date: NaiveDate,
    /// Negative for a credit note.
    pub amount: Cents,
    /// Which view of the books showed it; not part of the content hash.
    pub source: InvoiceSource,
}

/// A payment mutation: every field is the document's own and goes into its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentDocument {
    /// The payment's reference: the mutation number in the books.
    pub payment_ref: PaymentRef,
    /// The mutation's date: the day the money counts as received.
    pub value_date: NaiveDate,
    /// What was received, in cents; must be positive.
    pub amount: Cents,
    /// The invoice the books booked it against; `None` links it by art. 6:43 BW.
    pub reference_invoice: Option<InvoiceNumber>,
    /// Which kind of mutation it came from.
    pub source: PaymentSource,
}

/// The hash of a plain struct of ids, strings, dates and cents: serializing it to JSON cannot fail.
fn hash_plain<T: Serialize>(fields: &T) -> String {
    content_hash(fields).expect("plain structs without maps always serialize to JSON")
}

impl DebtorDocument {
    /// The hash over all its fields; an unchanged record hashes as in `DebtorAccount::documents`.
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

    /// Its dates and amount, as an `InvoiceCorrected` carries them before and after.
    pub fn terms(&self) -> InvoiceTerms {
        InvoiceTerms { invoice_date: self.invoice_date, due_date: self.due_date, amount: self.amount }
    }
}

impl PaymentDocument {
    /// The hash over all its fields; a known payment hashes as in `DebtorAccount::documents`.
    pub fn content_hash(&self) -> String {
        hash_plain(self)
    }
}
