//! The JSON shape of one debtor account. Amounts are strings in euros with two decimals
//! (`"1234.56"`), so that no client reads them through a float.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::debtor_account::{AllocationSource, DebtorAccount, Invoice, Payment};
use crate::domain::{AdministrationId, Cents};

fn euros(amount: Cents) -> String {
    amount.to_string()
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountView {
    pub administration: String,
    pub debtor_code: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub summary: SummaryView,
    pub invoices: Vec<InvoiceView>,
    pub credit_notes: Vec<CreditNoteView>,
    pub payments: Vec<PaymentView>,
}

/// Totals as of today.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SummaryView {
    pub invoices: usize,
    pub open_invoices: usize,
    pub outstanding: String,
    pub overdue: String,
    pub oldest_open_due_date: Option<NaiveDate>,
    pub unallocated_payments: String,
    pub unallocated_credit: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvoiceView {
    pub number: String,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: String,
    pub open_principal: String,
    pub paid: String,
    pub credited: String,
    pub allocations: Vec<AllocationView>,
}

/// One live allocation to an invoice, from a payment or a credit note.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AllocationView {
    pub link_id: String,
    pub payment: Option<String>,
    pub credit_note: Option<String>,
    pub principal: String,
    pub interest: String,
    pub costs: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreditNoteView {
    pub number: String,
    pub date: NaiveDate,
    pub amount: String,
    pub unallocated: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PaymentView {
    pub payment_ref: String,
    pub value_date: NaiveDate,
    pub amount: String,
    pub unallocated: String,
    pub reference_invoice: Option<String>,
    pub allocations: Vec<PaymentAllocationView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PaymentAllocationView {
    pub link_id: String,
    pub invoice: String,
    pub amount: String,
}

impl AccountView {
    pub fn new(administration: &AdministrationId, account: &DebtorAccount, today: NaiveDate) -> AccountView {
        let summary = account.summary(today);
        AccountView {
            administration: administration.to_string(),
            debtor_code: account.debtor.as_ref().map(|d| d.code.to_string()),
            name: account.debtor.as_ref().map(|d| d.name.clone()),
            email: account.debtor.as_ref().and_then(|d| d.email.clone()),
            summary: SummaryView {
                invoices: summary.invoices,
                open_invoices: summary.open_invoices,
                outstanding: euros(summary.outstanding),
                overdue: euros(summary.overdue),
                oldest_open_due_date: summary.oldest_open_due_date,
                unallocated_payments: euros(summary.unallocated_payments),
                unallocated_credit: euros(summary.unallocated_credit),
            },
            invoices: account.invoices.values().map(invoice).collect(),
            credit_notes: account
                .credit_notes
                .values()
                .map(|c| CreditNoteView {
                    number: c.number.to_string(),
                    date: c.date,
                    amount: euros(c.amount),
                    unallocated: euros(c.unallocated()),
                })
                .collect(),
            payments: account.payments.values().map(payment).collect(),
        }
    }
}

fn invoice(invoice: &Invoice) -> InvoiceView {
    InvoiceView {
        number: invoice.number.to_string(),
        invoice_date: invoice.invoice_date,
        due_date: invoice.due_date,
        amount: euros(invoice.amount),
        open_principal: euros(invoice.open_principal()),
        paid: euros(invoice.paid()),
        credited: euros(invoice.credited()),
        allocations: invoice
            .allocations
            .iter()
            .map(|(link, allocation)| {
                let (payment, credit_note) = match &allocation.source {
                    AllocationSource::Payment(p) => (Some(p.to_string()), None),
                    AllocationSource::CreditNote(c) => (None, Some(c.to_string())),
                };
                AllocationView {
                    link_id: link.to_string(),
                    payment,
                    credit_note,
                    principal: euros(allocation.split.principal),
                    interest: euros(allocation.split.interest),
                    costs: euros(allocation.split.costs),
                }
            })
            .collect(),
    }
}

fn payment(payment: &Payment) -> PaymentView {
    PaymentView {
        payment_ref: payment.payment_ref.to_string(),
        value_date: payment.value_date,
        amount: euros(payment.amount),
        unallocated: euros(payment.unallocated()),
        reference_invoice: payment.reference_invoice.as_ref().map(ToString::to_string),
        allocations: payment
            .allocations
            .iter()
            .map(|(link, (invoice, split))| PaymentAllocationView {
                link_id: link.to_string(),
                invoice: invoice.to_string(),
                amount: euros(split.total()),
            })
            .collect(),
    }
}
