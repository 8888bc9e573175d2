//! The small plain-data types inside `DebtorAccountEvent` payloads.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::Cents;

/// e-Boekhouden's `BP`: `P` is a consumer (gets the 14-day letter), `B` a business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DebtorKind {
    Consumer,
    Business,
}

/// A postal address as the relation record holds it; empty parts stay empty strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

/// One changed field of the debtor's master data, with its new value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DebtorChange {
    Name(String),
    Kind(DebtorKind),
    Email(Option<String>),
    Address(Option<Address>),
    Kvk(Option<String>),
}

/// Where the books showed the invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoiceSource {
    /// The invoicing module (`GetFacturen`): has the real due date.
    Invoicing,
    /// A `FactuurVerstuurd` mutation: the due date comes from its term.
    Mutation,
    /// Only the open items (`GetOpenPosten`): the due date is the administration's default term.
    OpenItem,
}

/// Where the books showed the payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentSource {
    /// A `FactuurbetalingOntvangen` mutation: a payment booked against an invoice.
    InvoicePayment,
    /// A `GeldOntvangen` mutation: money received, maybe naming no invoice.
    MoneyReceived,
}

/// The fields of an invoice that a correction can change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceTerms {
    #[serde(deserialize_with = "crate::events::date::iso")]
    pub invoice_date: NaiveDate,
    #[serde(deserialize_with = "crate::events::date::iso")]
    pub due_date: NaiveDate,
    pub amount: Cents,
}

/// How one allocated payment amount divides by art. 6:44: costs first, then interest, then principal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    pub costs: Cents,
    pub interest: Cents,
    pub principal: Cents,
}

impl Split {
    /// Before collection an invoice carries no costs or interest: everything is principal.
    pub const fn principal_only(amount: Cents) -> Split {
        Split { costs: Cents::ZERO, interest: Cents::ZERO, principal: amount }
    }

    /// The whole allocated amount. Parts come from validated commands, far below `i64::MAX`.
    pub fn total(&self) -> Cents {
        Cents::new(self.costs.get().saturating_add(self.interest.get()).saturating_add(self.principal.get()))
    }
}

/// Why an allocation was made, for the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkReason {
    /// The books booked the payment against this invoice.
    ReferencedByBooks,
    /// The payment named no invoice: art. 6:43, due invoices first, oldest due date first.
    StatutoryOrder,
    /// A person linked it; the text is theirs.
    Manual(String),
}
