//! Why a `DebtorAccount` command was refused. Each variant says what the caller does about it;
//! rules are checked in a fixed order (version, reason, ids, amounts, limits), so one input gets one error.

use chrono::NaiveDate;
use uuid::Uuid;

use super::document::DocumentKind;
use crate::domain::{Cents, InvoiceNumber, LinkId, PaymentRef};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DebtorAccountError {
    /// Someone changed the account since the caller read it: reload and decide again.
    #[error("the account changed since you read it (you saw version {expected}, it is at {actual}); reload and retry")]
    StaleVersion { expected: u64, actual: u64 },
    #[error("say why: a reason is required for links and unlinks made by hand")]
    ReasonRequired,
    /// The importer passed a key of another kind: a bug in the caller, not in the books.
    #[error("document key `{document_key}` is not a {expected} key")]
    WrongDocumentKind { document_key: String, expected: &'static str },
    #[error("the amount must not be zero")]
    ZeroAmount,
    #[error("the amount must not be negative (got {amount})")]
    NegativeAmount { amount: Cents },
    #[error("{amount} is larger than any plausible amount")]
    AmountTooLarge { amount: Cents },
    /// Log it as a validation error on that invoice and go on with the import.
    #[error("invoice {invoice} is due on {due_date}, before its date {invoice_date}")]
    DueBeforeInvoiceDate { invoice: InvoiceNumber, invoice_date: NaiveDate, due_date: NaiveDate },
    /// The document's content changed after it was booked in a way no correction records
    /// (a payment, a credit note, a number, a sign): hold it for review.
    #[error("document `{document_key}` changed after it was booked; review it by hand")]
    DocumentChanged { document_key: String },
    /// Another document of this account already uses the number.
    #[error("number {number} is already used by another document of this debtor")]
    NumberInUse { number: String },
    #[error(
        "a correction would bring invoice {invoice} to {amount}, below the {settled} already settled; unlink first"
    )]
    CorrectionBelowSettled { invoice: InvoiceNumber, settled: Cents, amount: Cents },
    /// Log it as a warning: the books miss a payment or credit note linked here; review those links.
    #[error(
        "the books show {books_open} open on invoice {invoice}, but its links leave at most {max_open}; review them"
    )]
    BooksOpenExceedsLinks { invoice: InvoiceNumber, books_open: Cents, max_open: Cents },
    #[error("no invoice {0} on this account")]
    UnknownInvoice(InvoiceNumber),
    #[error("no payment {0} on this account")]
    UnknownPayment(PaymentRef),
    #[error("no credit note {0} on this account")]
    UnknownCreditNote(InvoiceNumber),
    #[error("no {kind} link {link}")]
    UnknownLink { link: LinkId, kind: &'static str },
    #[error("link {0} is already unlinked")]
    AlreadyUnlinked(LinkId),
    /// Pick a fresh link id.
    #[error("link id {0} is already used")]
    LinkIdInUse(LinkId),
    #[error("invoice {invoice} has {open} open; {requested} cannot be allocated to it")]
    OverAllocation { invoice: InvoiceNumber, open: Cents, requested: Cents },
    #[error("payment {payment} has {unallocated} unallocated; {requested} cannot be allocated from it")]
    PaymentOverAllocated { payment: PaymentRef, unallocated: Cents, requested: Cents },
    #[error("credit note {credit_note} has {unallocated} unallocated; {requested} cannot be allocated from it")]
    CreditNoteOverAllocated { credit_note: InvoiceNumber, unallocated: Cents, requested: Cents },
    #[error("no reminder {0} on this account")]
    UnknownReminder(Uuid),
    #[error("invoice {0} is not paused")]
    InvoiceNotPaused(InvoiceNumber),
    #[error("the debtor is not paused")]
    DebtorNotPaused,
    /// Resume it first, or leave it paused.
    #[error("invoice {0} is paused; resume it first")]
    InvoicePaused(InvoiceNumber),
    #[error("name at least one invoice")]
    NoInvoices,
    #[error("invoice {invoice} is due on {due_date}: not overdue on {today}")]
    NotOverdue { invoice: InvoiceNumber, due_date: NaiveDate, today: NaiveDate },
    #[error("invoice {0} has nothing open")]
    NothingOpen(InvoiceNumber),
    #[error("invoice {invoice} is already in collection case {case_id}")]
    AlreadyInCollection { invoice: InvoiceNumber, case_id: Uuid },
    /// A consumer owes collection costs only after a 14-day letter (art. 6:96 lid 6 BW): send one.
    #[error(
        "invoice {0} has had no 14-day letter (or its delivery is not yet known); a consumer owes no costs without one"
    )]
    NoFourteenDayLetter(InvoiceNumber),
    /// Wait until the term has run out.
    #[error("the 14-day term of the letter on invoice {invoice} runs until {term_last}; collection can start from {costs_from}")]
    TermRunning { invoice: InvoiceNumber, term_last: NaiveDate, costs_from: NaiveDate },
    #[error("the invoices in the letter were paid within its term: no collection costs are owed")]
    PaidWithinTerm,
    #[error("no collection case {0} on this account")]
    UnknownCase(Uuid),
    #[error("collection case {0} is already closed")]
    CaseClosed(Uuid),
    #[error("the costs of collection case {0} are already waived")]
    CostsAlreadyWaived(Uuid),
    /// The legal engine refused the amounts (overflow, a date before the rate table): report it.
    #[error("the costs or interest cannot be computed: {0}")]
    Calculation(String),
}

impl DebtorAccountError {
    pub(super) fn wrong_kind(document_key: &str, expected: DocumentKind) -> Self {
        Self::WrongDocumentKind { document_key: document_key.to_owned(), expected: expected.as_str() }
    }
}
