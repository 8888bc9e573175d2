//! Receiving a payment and linking it at once.
//!
//! A payment that names an invoice goes to that invoice, up to what is open there; the rest stays
//! unallocated on the payment. The debtor designated one invoice (art. 6:43), so moving the excess
//! to other invoices (a double payment? a refund?) is for a person to decide. A named invoice that
//! has not arrived yet keeps the payment waiting; importing that invoice links it.
//!
//! A payment that names no invoice goes by art. 6:43: due invoices first, then the oldest due date,
//! then the lowest number. Before collection each link's split is all principal (art. 6:44 has no
//! costs or interest to serve yet).
//!
//! **Adjustments and payments that explain them.** `OpenAmountAdjusted` records a drop in the
//! books' open amount that no known payment explained: the invoice's `adjusted` holds that
//! unexplained reduction, and open = amount − allocations − adjusted. When a payment for that
//! invoice arrives later, it is taken to be (part of) what the books already counted, because the
//! books are where both come from. So it is linked in full, up to open + unexplained reduction,
//! and first an `OpenAmountAdjusted` raises the open amount by the part it explains,
//! min(linked, unexplained). The open amount therefore ends where the books put it, never below
//! zero, and no euro is counted twice (once as an adjustment, once as a payment). If the payment
//! was in fact new money, the next `ReconcileOpenAmount` in the same import records the remaining
//! difference, so the open amount still ends equal to the books'. Each event stands on its own: the
//! reversal comes first, so no intermediate state has a negative open amount. The other way round
//! (the books show more open than our links leave) is refused by `ReconcileOpenAmount`, so
//! `adjusted` never drops below zero and an invoice's links never add up to more than its amount.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{auto_link, check_kind, check_positive, Decision};
use crate::domain::debtor_account::document::{DocumentKey, DocumentKind};
use crate::domain::debtor_account::state::{minus, plus, Invoice};
use crate::domain::debtor_account::{DebtorAccount, DebtorAccountError as Error, PaymentDocument};
use crate::domain::{Cents, PaymentRef};
use crate::events::debtor_account::{DebtorAccountEvent as E, LinkReason};

pub(super) fn receive_payment(
    state: &DebtorAccount,
    key: &DocumentKey,
    doc: PaymentDocument,
    today: NaiveDate,
    seed: Uuid,
) -> Decision {
    check_kind(key, &[DocumentKind::Payment])?;
    check_positive(doc.amount)?;
    let content_hash = doc.content_hash();
    match state.documents.get(key.as_str()) {
        Some(known) if *known == content_hash => return Ok(vec![]),
        Some(_) => return Err(Error::DocumentChanged { document_key: key.as_str().to_owned() }),
        None if state.payments.contains_key(&doc.payment_ref) => {
            return Err(Error::NumberInUse { number: doc.payment_ref.to_string() })
        }
        None => {}
    }
    let mut events = Vec::new();
    match doc.reference_invoice.as_ref().map(|number| state.invoices.get(number)) {
        Some(Some(invoice)) => link_referenced(state, invoice, &doc.payment_ref, doc.amount, seed, &mut events)?,
        Some(None) => {} // the named invoice has not arrived: the payment waits for it
        None => link_statutory(state, &doc.payment_ref, doc.amount, today, seed, &mut events)?,
    }
    let received = E::PaymentReceived {
        document_key: key.as_str().to_owned(),
        content_hash,
        payment_ref: doc.payment_ref,
        value_date: doc.value_date,
        amount: doc.amount,
        reference_invoice: doc.reference_invoice,
        source: doc.source,
    };
    events.insert(0, received);
    Ok(events)
}

/// Links to the named invoice, explaining its unexplained reduction first (see the module comment).
fn link_referenced(
    state: &DebtorAccount,
    invoice: &Invoice,
    payment_ref: &PaymentRef,
    amount: Cents,
    seed: Uuid,
    events: &mut Vec<E>,
) -> Result<(), Error> {
    let open = invoice.open_principal();
    let unexplained = invoice.unexplained_reduction();
    let linked = amount.min(plus(open, unexplained));
    if !linked.is_positive() {
        return Ok(());
    }
    let explained = unexplained.min(linked);
    if explained.is_positive() {
        let to = plus(open, explained);
        events.push(E::OpenAmountAdjusted { invoice_number: invoice.number.clone(), from: open, to });
    }
    events.push(auto_link(state, seed, payment_ref, &invoice.number, linked, LinkReason::ReferencedByBooks)?);
    Ok(())
}

/// Art. 6:43 over the open invoices until the payment is used up; any rest stays unallocated.
fn link_statutory(
    state: &DebtorAccount,
    payment_ref: &PaymentRef,
    amount: Cents,
    today: NaiveDate,
    seed: Uuid,
    events: &mut Vec<E>,
) -> Result<(), Error> {
    let mut rest = amount;
    for invoice in statutory_order(state.invoices.values(), today) {
        if !rest.is_positive() {
            break;
        }
        let take = rest.min(invoice.open_principal());
        rest = minus(rest, take);
        events.push(auto_link(state, seed, payment_ref, &invoice.number, take, LinkReason::StatutoryOrder)?);
    }
    Ok(())
}

/// The invoices with something open, in art. 6:43 order: due ones first, then the oldest due date,
/// then the lowest number. (The "most onerous" rank is equal for all before collection.)
// TODO(merge): use domain::allocation
fn statutory_order<'a>(invoices: impl Iterator<Item = &'a Invoice>, today: NaiveDate) -> Vec<&'a Invoice> {
    let mut open: Vec<&Invoice> = invoices.filter(|i| i.open_principal().is_positive()).collect();
    open.sort_by(|a, b| (!a.is_due(today), a.due_date, &a.number).cmp(&(!b.is_due(today), b.due_date, &b.number)));
    open
}
