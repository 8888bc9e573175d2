//! The fold shared by the invoice-derived read models: per debtor account, just enough of the
//! account to know each invoice's open amount, phase, dunning dates and settlement date.
//!
//! The view is folded from events only (never from aggregate state) and is stored per aggregate in
//! `receivables_state_v<n>`, so an incremental batch loads the views of the accounts it touches,
//! folds, and writes the changed rows; a rebuild folds every view in memory and writes them in bulk.

pub(crate) mod apply;
mod batch;
mod stage;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::Cents;
use crate::events::debtor_account::PauseScope;

pub use batch::{apply_batch, Builder};
pub use stage::Stage;

/// One debtor account as the read side folds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub name: String,
    pub pause: Option<PauseScope>,
    pub invoices: BTreeMap<String, InvoiceView>,
    /// Live and past links: an unlink names only the link id.
    pub links: BTreeMap<Uuid, LinkView>,
    /// Payment reference → value date: the settlement date of the invoices it pays off.
    pub payments: BTreeMap<String, NaiveDate>,
    /// Credit note number → its date and size.
    pub credit_notes: BTreeMap<String, CreditView>,
    /// Open collection cases → their invoices.
    pub cases: BTreeMap<Uuid, Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceView {
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Cents,
    pub paid: Cents,
    pub credited: Cents,
    /// Net reductions the books made that no link explains (`OpenAmountAdjusted`).
    pub adjusted: Cents,
    /// Dunning step → the day it was sent (`Collection` → the day the case started).
    pub steps: BTreeMap<String, NaiveDate>,
    pub case: Option<Uuid>,
    pub paused: bool,
    /// The day the open amount last reached zero; `None` while anything is open.
    pub settled_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub invoice: String,
    pub principal: Cents,
    /// The credit note, for a credit-note link; `None` for a payment.
    pub credit_note: Option<String>,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditView {
    pub date: NaiveDate,
    pub amount: Cents,
    pub allocated: Cents,
}

/// Saturating: every amount passed the write side's bound (`Cents::LIMIT`), far below `i64::MAX`.
pub(crate) fn plus(a: Cents, b: Cents) -> Cents {
    Cents::new(a.get().saturating_add(b.get()))
}

pub(crate) fn minus(a: Cents, b: Cents) -> Cents {
    Cents::new(a.get().saturating_sub(b.get()))
}

impl InvoiceView {
    /// `amount − paid − credited − adjusted`.
    pub fn open(&self) -> Cents {
        minus(minus(minus(self.amount, self.paid), self.credited), self.adjusted)
    }
}

impl AccountView {
    /// Credit not yet allocated to an invoice.
    pub fn unallocated_credit(&self) -> Cents {
        self.credit_notes.values().fold(Cents::ZERO, |sum, note| plus(sum, minus(note.amount, note.allocated)))
    }
}
