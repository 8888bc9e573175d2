//! Receiving a payment and linking it at once.
//!
//! A payment that names an invoice goes to that invoice, up to what is open there; the rest stays
//! unallocated on the payment. The debtor designated one invoice (art. 6:43), so moving the excess
//! to other invoices (a double payment? a refund?) is for a person to decide. A named invoice that
//! has not arrived yet keeps the payment waiting; importing that invoice links it.
//!
//! A payment that names no invoice goes by art. 6:43: due invoices first, then the oldest due date,
//! then the lowest number (`allocation::allocate_6_43`; an invoice in a collection case is the more
//! onerous debt). Outside a collection case each link's split is all principal; on an invoice in an
//! open case the payment serves the case's costs, then its interest, then the principal (art. 6:44),
//! and a case with nothing left open closes as paid.
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

use super::collection::{close_settled, CaseLedger};
use super::{auto_link, check_kind, check_positive, Decision};
use crate::domain::allocation::{allocate_6_43, OpenClaim};
use crate::domain::debtor_account::document::{DocumentKey, DocumentKind};
use crate::domain::debtor_account::state::{plus, Invoice};
use crate::domain::debtor_account::{DebtorAccount, DebtorAccountError as Error, PaymentDocument};
use crate::domain::{Cents, InvoiceNumber, PaymentRef};
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
    events.extend(close_settled(state, &events));
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
    let split = CaseLedger::new(state).split(&invoice.number, amount, plus(open, unexplained));
    if !split.total().is_positive() {
        return Ok(());
    }
    let explained = unexplained.min(split.principal);
    if explained.is_positive() {
        let to = plus(open, explained);
        events.push(E::OpenAmountAdjusted { invoice_number: invoice.number.clone(), from: open, to });
    }
    events.push(auto_link(state, seed, payment_ref, &invoice.number, split, LinkReason::ReferencedByBooks)?);
    Ok(())
}

/// Art. 6:43 over the open claims until the payment is used up; any rest stays unallocated.
fn link_statutory(
    state: &DebtorAccount,
    payment_ref: &PaymentRef,
    amount: Cents,
    today: NaiveDate,
    seed: Uuid,
    events: &mut Vec<E>,
) -> Result<(), Error> {
    let mut ledger = CaseLedger::new(state);
    let claims = open_claims(state, &ledger);
    let allocation = allocate_6_43(amount, &claims, today).map_err(|e| Error::Calculation(e.to_string()))?;
    for (number, part) in allocation.parts {
        let Some(invoice) = state.invoices.get(&number) else { continue };
        let split = ledger.split(&number, part, invoice.open_principal());
        if split.total().is_positive() {
            events.push(auto_link(state, seed, payment_ref, &number, split, LinkReason::StatutoryOrder)?);
        }
    }
    Ok(())
}

/// The invoices with something open, as art. 6:43 claims in number order (so equal claims keep a
/// fixed order). A collection case's costs and interest count with its earliest-due invoice, which
/// 6:43 serves first among the case's invoices, and an invoice in a case ranks as more onerous.
fn open_claims(state: &DebtorAccount, ledger: &CaseLedger<'_>) -> Vec<OpenClaim<InvoiceNumber>> {
    let mut leads: std::collections::BTreeSet<&InvoiceNumber> = std::collections::BTreeSet::new();
    for case in state.dunning.cases.values().filter(|c| c.is_open()) {
        let lead = case
            .invoices
            .iter()
            .filter_map(|n| state.invoices.get(n))
            .filter(|i| i.open_principal().is_positive())
            .min_by_key(|i| (i.due_date, &i.number));
        leads.extend(lead.map(|i| &i.number));
    }
    state
        .invoices
        .values()
        .filter_map(|invoice| {
            let in_case = state.dunning.open_case_of(&invoice.number).is_some();
            let extras = ledger.extras(&invoice.number);
            let extra = if leads.contains(&invoice.number) { plus(extras.costs, extras.interest) } else { Cents::ZERO };
            let open = plus(invoice.open_principal(), extra);
            open.is_positive().then(|| OpenClaim {
                key: invoice.number.clone(),
                due: invoice.due_date,
                open,
                onerousness: u32::from(in_case),
            })
        })
        .collect()
}
