//! The small plain-data types inside `DebtorAccountEvent` payloads.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::Cents;

/// e-Boekhouden's `BP`: `P` is a consumer (gets the 14-day letter), `B` a business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DebtorKind {
    /// `P`: a private person; gets the 14-day letter before any costs (art. 6:96 lid 6 BW) and owes
    /// the statutory interest of art. 6:119 BW.
    Consumer,
    /// `B`: a business; owes the costs from the day after the due date (art. 6:96 lid 4 BW) and the
    /// commercial interest of art. 6:119a BW.
    Business,
}

/// A postal address as the relation record holds it; empty parts stay empty strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// The street line with its house number (`Adres`), trimmed.
    pub street: String,
    /// The postcode (`Postcode`) as the books write it, such as `1234 AB`; trimmed.
    pub postal_code: String,
    /// The place (`Plaats`), trimmed.
    pub city: String,
    /// The country (`Land`) as the books name it, trimmed.
    pub country: String,
}

/// One changed field of the debtor's master data, with its new value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DebtorChange {
    /// The display name changed.
    Name(String),
    /// The relation changed from consumer to business or back.
    Kind(DebtorKind),
    /// The e-mail address changed, or was removed (`None`).
    Email(Option<String>),
    /// The postal address changed, or was removed (`None`).
    Address(Option<Address>),
    /// The KvK number changed, or was removed (`None`).
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
    /// The invoice date (factuurdatum).
    #[serde(deserialize_with = "crate::events::date::iso")]
    pub invoice_date: NaiveDate,
    /// The due date (vervaldatum), never before the invoice date.
    #[serde(deserialize_with = "crate::events::date::iso")]
    pub due_date: NaiveDate,
    /// The invoice's total in cents, VAT included; positive.
    pub amount: Cents,
}

/// How one allocated payment amount divides by art. 6:44: costs first, then interest, then principal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Cents paid towards the collection case's costs, VAT surcharge included; zero outside a case.
    pub costs: Cents,
    /// Cents paid towards the collection case's interest; zero outside a case.
    pub interest: Cents,
    /// Cents paid towards the invoice's principal (hoofdsom).
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
