//! Why a `DebtorAccount` command was refused. Each variant says what the caller does about it;
//! rules are checked in a fixed order (version, reason, ids, amounts, limits), so one input gets one error.

use chrono::NaiveDate;
use uuid::Uuid;

use super::document::DocumentKind;
use crate::domain::{Cents, InvoiceNumber, LinkId, PaymentRef};

/// Why `decide` refused a `DebtorAccount` command; nothing was appended.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DebtorAccountError {
    /// Someone changed the account since the caller read it: reload and decide again.
    #[error("the account changed since you read it (you saw version {expected}, it is at {actual}); reload and retry")]
    StaleVersion {
        /// The version the caller read and sent as `expected_version`.
        expected: u64,
        /// The account's version now.
        actual: u64,
    },
    /// A command made by hand (a link or unlink, a pause, a waiver, a close) or a delivery failure
    /// came with a blank reason: ask the person why, or give the channel's error.
    #[error("say why: a reason is required for links and unlinks made by hand")]
    ReasonRequired,
    /// The importer passed a key of another kind: a bug in the caller, not in the books.
    #[error("document key `{document_key}` is not a {expected} key")]
    WrongDocumentKind {
        /// The key the importer passed.
        document_key: String,
        /// The kind the command takes, as in a key (`DocumentKind::as_str`).
        expected: &'static str,
    },
    /// An invoice or payment of zero cents, or a link for which neither side has anything left:
    /// there is nothing to record; leave it out or name another payment or invoice.
    #[error("the amount must not be zero")]
    ZeroAmount,
    /// A payment, a link's amount or the books' open amount is below zero (a negative invoice is a
    /// credit note and is accepted): correct the input.
    #[error("the amount must not be negative (got {amount})")]
    NegativeAmount {
        /// The amount given, in cents.
        amount: Cents,
    },
    /// An amount beyond `Cents::LIMIT`, which no real invoice or payment reaches: treat it as bad
    /// input and correct it.
    #[error("{amount} is larger than any plausible amount")]
    AmountTooLarge {
        /// The amount given, in cents.
        amount: Cents,
    },
    /// Log it as a validation error on that invoice and go on with the import.
    #[error("invoice {invoice} is due on {due_date}, before its date {invoice_date}")]
    DueBeforeInvoiceDate {
        /// The invoice refused.
        invoice: InvoiceNumber,
        /// Its invoice date (factuurdatum).
        invoice_date: NaiveDate,
        /// Its due date as the books give it, before the invoice date.
        due_date: NaiveDate,
    },
    /// The document's content changed after it was booked in a way no correction records
    /// (a payment, a credit note, a number, a sign): hold it for review.
    #[error("document `{document_key}` changed after it was booked; review it by hand")]
    DocumentChanged {
        /// The key of the changed document.
        document_key: String,
    },
    /// Another document of this account already uses the number.
    #[error("number {number} is already used by another document of this debtor")]
    NumberInUse {
        /// The invoice, credit note, payment or relation number that is taken.
        number: String,
    },
    /// A correction of an invoice would bring its amount below what links and adjustments already
    /// settled: unlink payments or credit notes first, then import again.
    #[error(
        "a correction would bring invoice {invoice} to {amount}, below the {settled} already settled; unlink first"
    )]
    CorrectionBelowSettled {
        /// The invoice being corrected.
        invoice: InvoiceNumber,
        /// What links and adjustments already settled on it, in cents.
        settled: Cents,
        /// The corrected amount the books now show, in cents.
        amount: Cents,
    },
    /// Log it as a warning: the books miss a payment or credit note linked here; review those links.
    #[error(
        "the books show {books_open} open on invoice {invoice}, but its links leave at most {max_open}; review them"
    )]
    BooksOpenExceedsLinks {
        /// The invoice being reconciled.
        invoice: InvoiceNumber,
        /// What the books show open on it, in cents.
        books_open: Cents,
        /// Its amount less what its live links settled: the most that can be open, in cents.
        max_open: Cents,
    },
    /// The account holds no invoice with this number: check the number, or import the invoice first.
    #[error("no invoice {0} on this account")]
    UnknownInvoice(InvoiceNumber),
    /// The account holds no payment with this reference: check it, or import the payment first.
    #[error("no payment {0} on this account")]
    UnknownPayment(PaymentRef),
    /// The account holds no credit note with this number: check it, or import the credit note first.
    #[error("no credit note {0} on this account")]
    UnknownCreditNote(InvoiceNumber),
    /// No link with this id, or it links the other kind (a payment, not a credit note, or the other
    /// way round): check the id and the command.
    #[error("no {kind} link {link}")]
    UnknownLink {
        /// The link id given.
        link: LinkId,
        /// The kind of link the command undoes: `payment` or `credit note`.
        kind: &'static str,
    },
    /// The link was undone before: nothing is left to do.
    #[error("link {0} is already unlinked")]
    AlreadyUnlinked(LinkId),
    /// Pick a fresh link id.
    #[error("link id {0} is already used")]
    LinkIdInUse(LinkId),
    /// The amount asked is more than the invoice can still take: link less.
    #[error("invoice {invoice} has {open} open; {requested} cannot be allocated to it")]
    OverAllocation {
        /// The invoice linked to.
        invoice: InvoiceNumber,
        /// What it can still take, in cents: its open principal and, in an open collection case,
        /// the case's open costs and interest.
        open: Cents,
        /// The amount asked, in cents.
        requested: Cents,
    },
    /// The amount asked exceeds what the payment has unallocated: link less, or unlink elsewhere first.
    #[error("payment {payment} has {unallocated} unallocated; {requested} cannot be allocated from it")]
    PaymentOverAllocated {
        /// The payment linked from.
        payment: PaymentRef,
        /// What no live link of the payment uses, in cents.
        unallocated: Cents,
        /// The amount asked, in cents.
        requested: Cents,
    },
    /// The amount asked exceeds what the credit note has unallocated: link less, or unlink elsewhere
    /// first.
    #[error("credit note {credit_note} has {unallocated} unallocated; {requested} cannot be allocated from it")]
    CreditNoteOverAllocated {
        /// The credit note linked from.
        credit_note: InvoiceNumber,
        /// What no live link of the credit note uses, in cents.
        unallocated: Cents,
        /// The amount asked, in cents.
        requested: Cents,
    },
    /// A delivery report names a reminder this account does not hold: check that it went to the
    /// right account.
    #[error("no reminder {0} on this account")]
    UnknownReminder(Uuid),
    /// Resuming an invoice that is not paused: check the number.
    #[error("invoice {0} is not paused")]
    InvoiceNotPaused(InvoiceNumber),
    /// Resuming a debtor that is not paused: nothing to do.
    #[error("the debtor is not paused")]
    DebtorNotPaused,
    /// Resume it first, or leave it paused.
    #[error("invoice {0} is paused; resume it first")]
    InvoicePaused(InvoiceNumber),
    /// A collection case by hand names no invoice: name at least one.
    #[error("name at least one invoice")]
    NoInvoices,
    /// An invoice for a case by hand is not past its due date: wait until the day after it.
    #[error("invoice {invoice} is due on {due_date}: not overdue on {today}")]
    NotOverdue {
        /// The invoice that is not overdue.
        invoice: InvoiceNumber,
        /// Its due date; a case can start from the day after.
        due_date: NaiveDate,
        /// The day the case would have started.
        today: NaiveDate,
    },
    /// An invoice for a case by hand has nothing open: leave it out.
    #[error("invoice {0} has nothing open")]
    NothingOpen(InvoiceNumber),
    /// An invoice for a case by hand is in an open case already: leave it out or close that case.
    #[error("invoice {invoice} is already in collection case {case_id}")]
    AlreadyInCollection {
        /// The invoice that is in a case.
        invoice: InvoiceNumber,
        /// The open case it is in.
        case_id: Uuid,
    },
    /// A consumer owes collection costs only after a 14-day letter (art. 6:96 lid 6 BW): send one.
    #[error(
        "invoice {0} has had no 14-day letter (or its delivery is not yet known); a consumer owes no costs without one"
    )]
    NoFourteenDayLetter(InvoiceNumber),
    /// Wait until the term has run out.
    #[error("the 14-day term of the letter on invoice {invoice} runs until {term_last}; collection can start from {costs_from}")]
    TermRunning {
        /// An invoice of the letter whose term is running.
        invoice: InvoiceNumber,
        /// The last day of the letter's 14-day term.
        term_last: NaiveDate,
        /// The first day a case can start with costs owed.
        costs_from: NaiveDate,
    },
    /// The consumer paid all the 14-day letter was about within its term, so no collection costs
    /// are owed (art. 6:96 lid 6 BW): start no case for those invoices.
    #[error("the invoices in the letter were paid within its term: no collection costs are owed")]
    PaidWithinTerm,
    /// The account holds no collection case with this id: check the id.
    #[error("no collection case {0} on this account")]
    UnknownCase(Uuid),
    /// The case is closed already: its costs can no longer be waived and it cannot be closed again.
    #[error("collection case {0} is already closed")]
    CaseClosed(Uuid),
    /// The case's costs were waived before: nothing to do.
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
