//! The folded state of one debtor account and the pure read helpers that projections and the audit
//! replay use. Sums are saturating: every amount passed `decide`'s bound (`Cents::LIMIT`), so they
//! stay far below `i64::MAX` and saturation is unreachable rather than a silent wrap.

use chrono::NaiveDate;
use litemap::LiteMap;
use serde::{Deserialize, Serialize};

use crate::domain::{Cents, DebtorCode, InvoiceNumber, LinkId, PaymentRef};
use crate::events::debtor_account::{Address, DebtorKind, InvoiceSource, InvoiceTerms, PaymentSource, Split};

pub(super) fn plus(a: Cents, b: Cents) -> Cents {
    Cents::new(a.get().saturating_add(b.get()))
}

pub(super) fn minus(a: Cents, b: Cents) -> Cents {
    Cents::new(a.get().saturating_sub(b.get()))
}

fn sum<I: IntoIterator<Item = Cents>>(amounts: I) -> Cents {
    amounts.into_iter().fold(Cents::ZERO, plus)
}

/// The debtor's master data as last imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Debtor {
    /// The relation code (debiteurnummer) in the books: the debtor part of the account id.
    pub code: DebtorCode,
    /// The name the relation goes by in the books.
    pub name: String,
    /// Consumer or business: decides the 14-day letter, the collection costs and the interest rate.
    pub kind: DebtorKind,
    /// Where reminders by e-mail go; `None` when the books have no address.
    pub email: Option<String>,
    /// The postal address for letters; `None` when the books have none.
    pub address: Option<Address>,
    /// The Chamber of Commerce (KvK) number, when the books have one.
    pub kvk: Option<String>,
    /// The relation record's document key; its content hash is in `DebtorAccount::documents`.
    pub document_key: String,
}

/// What an allocation came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AllocationSource {
    /// A payment received, by its reference.
    Payment(PaymentRef),
    /// A credit note, by its number.
    CreditNote(InvoiceNumber),
}

/// One live allocation to an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// The payment or credit note the money came from.
    pub source: AllocationSource,
    /// How it divides over a collection case's costs, interest and principal (art. 6:44 BW); all
    /// principal outside a case and for a credit note.
    pub split: Split,
}

/// One invoice (factuur) of the debtor as the books show it, with what settled it so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// The invoice number (factuurnummer): its key in `DebtorAccount::invoices`.
    pub number: InvoiceNumber,
    /// The invoice date (factuurdatum), from which the payment term runs.
    pub invoice_date: NaiveDate,
    /// The due date (vervaldatum): the claim is due (opeisbaar) on it and overdue, bearing
    /// interest, from the day after.
    pub due_date: NaiveDate,
    /// The invoice total in cents, VAT included; positive, since credit notes are kept apart. A
    /// correction from the books changes it.
    pub amount: Cents,
    /// Which view of the books showed it, and so where its due date came from.
    pub source: InvoiceSource,
    /// The document's key; its content hash is in `DebtorAccount::documents`, with every other's.
    pub document_key: String,
    /// Live allocations by link id; an unlink removes its entry.
    pub allocations: LiteMap<LinkId, Allocation>,
    /// Net `from − to` of every `OpenAmountAdjusted`: what the books took off the open amount that
    /// no link explains. `decide` keeps it at or above zero, so links never exceed the amount.
    pub adjusted: Cents,
}

impl Invoice {
    /// `amount − allocated principal − adjustments`; `decide` keeps it within `0..=amount`.
    pub fn open_principal(&self) -> Cents {
        minus(minus(self.amount, self.allocated()), self.adjusted)
    }

    /// Principal settled by live links (payments and credit notes); never more than `amount`.
    pub fn allocated(&self) -> Cents {
        sum(self.allocations.values().map(|a| a.split.principal))
    }

    /// The reduction of the open amount that the books made and no link explains yet.
    pub fn unexplained_reduction(&self) -> Cents {
        self.adjusted.max(Cents::ZERO)
    }

    /// Principal settled by credit notes.
    pub fn credited(&self) -> Cents {
        sum(self.allocations.values().filter_map(|a| match a.source {
            AllocationSource::CreditNote(_) => Some(a.split.principal),
            AllocationSource::Payment(_) => None,
        }))
    }

    /// Principal settled by payments.
    pub fn paid(&self) -> Cents {
        sum(self.allocations.values().filter_map(|a| match a.source {
            AllocationSource::Payment(_) => Some(a.split.principal),
            AllocationSource::CreditNote(_) => None,
        }))
    }

    /// Its dates and amount, as an `InvoiceCorrected` carries them.
    pub fn terms(&self) -> InvoiceTerms {
        InvoiceTerms { invoice_date: self.invoice_date, due_date: self.due_date, amount: self.amount }
    }

    /// Nothing is open and credit notes settled part of it (the `Credited` phase, once phases exist).
    pub fn is_credited(&self) -> bool {
        self.open_principal().is_zero() && self.credited().is_positive()
    }

    /// Opeisbaar: the due date has come.
    pub fn is_due(&self, today: NaiveDate) -> bool {
        self.due_date <= today
    }
}

/// A credit note (creditnota): an invoice with a negative amount in the books, linked to invoices
/// by hand only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNote {
    /// Its number in the books; no invoice of the account has the same one.
    pub number: InvoiceNumber,
    /// Its date in the books: the day its credit counts from when a consumer's costs are judged.
    pub date: NaiveDate,
    /// The credit's size, positive.
    pub amount: Cents,
    /// Live allocations: link id → the invoice and amount.
    pub allocations: LiteMap<LinkId, (InvoiceNumber, Cents)>,
}

impl CreditNote {
    /// What no live link uses, in cents: still there to link to an invoice.
    pub fn unallocated(&self) -> Cents {
        minus(self.amount, sum(self.allocations.values().map(|(_, amount)| *amount)))
    }
}

/// A payment received from the debtor (a mutation in the books), with its live allocations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Its reference, the mutation number: its key in `DebtorAccount::payments`.
    pub payment_ref: PaymentRef,
    /// The day it was received; interest on what it settled runs up to and including this day.
    pub value_date: NaiveDate,
    /// What was received, in cents; positive.
    pub amount: Cents,
    /// The invoice the books booked it against, if any; while that invoice is not imported, the
    /// payment waits for it unallocated.
    pub reference_invoice: Option<InvoiceNumber>,
    /// Which kind of mutation it came from.
    pub source: PaymentSource,
    /// Live allocations: link id → the invoice and the split.
    pub allocations: LiteMap<LinkId, (InvoiceNumber, Split)>,
}

impl Payment {
    /// The rest that no live link uses.
    pub fn unallocated(&self) -> Cents {
        minus(self.amount, sum(self.allocations.values().map(|(_, split)| split.total())))
    }
}

/// Every link ever made, so an unlink can name it and a second unlink is refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecord {
    /// The payment or credit note linked.
    pub source: AllocationSource,
    /// The invoice it was linked to.
    pub invoice_number: InvoiceNumber,
    /// False once unlinked; the id stays taken, so a second unlink is refused.
    pub active: bool,
}

/// A phase-free overview of the account as of `today` (dunning adds phases later).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    /// How many invoices the account holds, settled ones included and credit notes not.
    pub invoices: usize,
    /// How many invoices have open principal.
    pub open_invoices: usize,
    /// The open principal of all invoices, in cents.
    pub outstanding: Cents,
    /// The open principal of the invoices whose due date is before `today`, in cents.
    pub overdue: Cents,
    /// The earliest due date among the invoices with something open; `None` when nothing is open.
    pub oldest_open_due_date: Option<NaiveDate>,
    /// What payments hold that no live link uses, in cents.
    pub unallocated_payments: Cents,
    /// What credit notes hold that no live link uses, in cents; while positive, no collection case
    /// starts by itself.
    pub unallocated_credit: Cents,
}
