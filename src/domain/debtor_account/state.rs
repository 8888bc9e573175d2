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
    pub code: DebtorCode,
    pub name: String,
    pub kind: DebtorKind,
    pub email: Option<String>,
    pub address: Option<Address>,
    pub kvk: Option<String>,
    pub document_key: String,
}

/// What an allocation came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AllocationSource {
    Payment(PaymentRef),
    CreditNote(InvoiceNumber),
}

/// One live allocation to an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub source: AllocationSource,
    pub split: Split,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub number: InvoiceNumber,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Cents,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNote {
    pub number: InvoiceNumber,
    pub date: NaiveDate,
    /// The credit's size, positive.
    pub amount: Cents,
    /// Live allocations: link id → the invoice and amount.
    pub allocations: LiteMap<LinkId, (InvoiceNumber, Cents)>,
}

impl CreditNote {
    pub fn unallocated(&self) -> Cents {
        minus(self.amount, sum(self.allocations.values().map(|(_, amount)| *amount)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub payment_ref: PaymentRef,
    pub value_date: NaiveDate,
    pub amount: Cents,
    pub reference_invoice: Option<InvoiceNumber>,
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
    pub source: AllocationSource,
    pub invoice_number: InvoiceNumber,
    pub active: bool,
}

/// A phase-free overview of the account as of `today` (dunning adds phases later).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub invoices: usize,
    pub open_invoices: usize,
    pub outstanding: Cents,
    pub overdue: Cents,
    pub oldest_open_due_date: Option<NaiveDate>,
    pub unallocated_payments: Cents,
    pub unallocated_credit: Cents,
}
