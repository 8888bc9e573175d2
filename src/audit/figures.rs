//! An invoice's figures in cents as the write side's state holds them, for before/after views.

use serde::Serialize;
use uuid::Uuid;

use crate::domain::debtor_account::{AllocationSource, DebtorAccount, Invoice};
use crate::domain::{Cents, InvoiceNumber};

/// One live allocation to an invoice, split by art. 6:44.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllocationFigure {
    pub link_id: Uuid,
    /// `payment <ref>` or `credit note <number>`.
    pub source: String,
    pub costs: Cents,
    pub interest: Cents,
    pub principal: Cents,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoiceFigures {
    pub amount: Cents,
    pub open_principal: Cents,
    /// Collection costs and interest settled by the live allocations.
    pub costs: Cents,
    pub interest: Cents,
    /// Reductions of the open amount the books made that no link explains.
    pub adjusted: Cents,
    pub allocations: Vec<AllocationFigure>,
}

/// An invoice touched by one event: its figures before and after (`None` where it did not exist).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoiceChange {
    pub invoice_number: InvoiceNumber,
    pub before: Option<InvoiceFigures>,
    pub after: Option<InvoiceFigures>,
}

fn plus(a: Cents, b: Cents) -> Cents {
    Cents::new(a.get().saturating_add(b.get()))
}

impl InvoiceFigures {
    pub fn of(invoice: &Invoice) -> InvoiceFigures {
        let allocations: Vec<AllocationFigure> = invoice
            .allocations
            .iter()
            .map(|(link_id, allocation)| AllocationFigure {
                link_id: link_id.as_uuid(),
                source: match &allocation.source {
                    AllocationSource::Payment(reference) => format!("payment {reference}"),
                    AllocationSource::CreditNote(number) => format!("credit note {number}"),
                },
                costs: allocation.split.costs,
                interest: allocation.split.interest,
                principal: allocation.split.principal,
            })
            .collect();
        InvoiceFigures {
            amount: invoice.amount,
            open_principal: invoice.open_principal(),
            costs: allocations.iter().fold(Cents::ZERO, |sum, a| plus(sum, a.costs)),
            interest: allocations.iter().fold(Cents::ZERO, |sum, a| plus(sum, a.interest)),
            adjusted: invoice.adjusted,
            allocations,
        }
    }

    /// The figures of `number` in `state`, if the invoice exists there.
    pub fn find(state: &DebtorAccount, number: &str) -> Option<InvoiceFigures> {
        let number = InvoiceNumber::new(number).ok()?;
        state.invoices.get(&number).map(InvoiceFigures::of)
    }
}
