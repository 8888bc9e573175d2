//! Links and unlinks made by hand, and reconciling an invoice's open amount with the books.

use super::collection::{close_settled, CaseLedger};
use super::{check_positive, check_reason, Decision};
use crate::domain::debtor_account::state::{minus, plus, AllocationSource};
use crate::domain::debtor_account::{DebtorAccount, DebtorAccountError as Error};
use crate::domain::{Cents, InvoiceNumber, LinkId, PaymentRef};
use crate::events::debtor_account::{DebtorAccountEvent as E, LinkReason};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LinkKind {
    Payment,
    CreditNote,
}

impl LinkKind {
    const fn name(self) -> &'static str {
        match self {
            Self::Payment => "payment",
            Self::CreditNote => "credit note",
        }
    }

    fn matches(self, source: &AllocationSource) -> bool {
        matches!(
            (self, source),
            (Self::Payment, AllocationSource::Payment(_)) | (Self::CreditNote, AllocationSource::CreditNote(_))
        )
    }
}

pub(super) fn link_payment(
    state: &DebtorAccount,
    link_id: LinkId,
    payment_ref: PaymentRef,
    invoice_number: InvoiceNumber,
    amount: Option<Cents>,
    reason: String,
) -> Decision {
    let source = || match state.payments.get(&payment_ref) {
        Some(payment) => Ok(payment.unallocated()),
        None => Err(Error::UnknownPayment(payment_ref.clone())),
    };
    let over =
        |unallocated, requested| Error::PaymentOverAllocated { payment: payment_ref.clone(), unallocated, requested };
    // In an open collection case the claim is also its costs and interest, served first (art. 6:44).
    let mut ledger = CaseLedger::new(state);
    let extras = ledger.extras(&invoice_number);
    let extras = plus(extras.costs, extras.interest);
    let (requested, reason) = check_manual_link(state, link_id, source, &invoice_number, amount, reason, extras, over)?;
    let principal_open = state.invoices.get(&invoice_number).map_or(Cents::ZERO, |i| i.open_principal());
    let split = ledger.split(&invoice_number, requested, principal_open);
    let mut events = vec![E::PaymentLinked { link_id, payment_ref, invoice_number, split, reason }];
    events.extend(close_settled(state, &events));
    Ok(events)
}

pub(super) fn link_credit_note(
    state: &DebtorAccount,
    link_id: LinkId,
    credit_note: InvoiceNumber,
    invoice_number: InvoiceNumber,
    amount: Option<Cents>,
    reason: String,
) -> Decision {
    let source = || match state.credit_notes.get(&credit_note) {
        Some(note) => Ok(note.unallocated()),
        None => Err(Error::UnknownCreditNote(credit_note.clone())),
    };
    let over = |unallocated, requested| Error::CreditNoteOverAllocated {
        credit_note: credit_note.clone(),
        unallocated,
        requested,
    };
    let (amount, reason) =
        check_manual_link(state, link_id, source, &invoice_number, amount, reason, Cents::ZERO, over)?;
    Ok(vec![E::CreditNoteLinked { link_id, credit_note, invoice_number, amount, reason }])
}

/// The rules every link by hand follows, in order: a reason, a fresh link id, a known source
/// (`source` gives its unallocated rest), a known invoice, a positive amount, then neither side
/// over-allocated (`over` names the source's error); `extras` is what the invoice's claim holds
/// beyond its principal (a collection case's open costs and interest). Returns the amount and reason.
#[allow(clippy::too_many_arguments)] // the rules' inputs, each named; a struct would only rename them
fn check_manual_link(
    state: &DebtorAccount,
    link_id: LinkId,
    source: impl FnOnce() -> Result<Cents, Error>,
    invoice_number: &InvoiceNumber,
    amount: Option<Cents>,
    reason: String,
    extras: Cents,
    over: impl FnOnce(Cents, Cents) -> Error,
) -> Result<(Cents, LinkReason), Error> {
    let reason = check_reason(reason)?;
    if state.links.contains_key(&link_id) {
        return Err(Error::LinkIdInUse(link_id));
    }
    let unallocated = source()?;
    let invoice = state.invoices.get(invoice_number).ok_or_else(|| Error::UnknownInvoice(invoice_number.clone()))?;
    let open = plus(invoice.open_principal(), extras);
    let requested = requested_amount(amount, unallocated, open)?;
    if requested > unallocated {
        return Err(over(unallocated, requested));
    }
    if requested > open {
        return Err(Error::OverAllocation { invoice: invoice_number.clone(), open, requested });
    }
    Ok((requested, LinkReason::Manual(reason)))
}

/// The amount asked for, or else as much as both sides allow. When one side has nothing left, the
/// other side's amount is what was asked, so the error names the side that is empty.
fn requested_amount(amount: Option<Cents>, unallocated: Cents, open: Cents) -> Result<Cents, Error> {
    let requested = match amount {
        Some(amount) => return check_positive(amount),
        None if unallocated.min(open).is_positive() => unallocated.min(open),
        None => unallocated.max(open),
    };
    if requested.is_zero() {
        return Err(Error::ZeroAmount);
    }
    Ok(requested)
}

pub(super) fn unlink(state: &DebtorAccount, link_id: LinkId, reason: String, kind: LinkKind) -> Decision {
    let reason = check_reason(reason)?;
    let record = state
        .links
        .get(&link_id)
        .filter(|r| kind.matches(&r.source))
        .ok_or(Error::UnknownLink { link: link_id, kind: kind.name() })?;
    if !record.active {
        return Err(Error::AlreadyUnlinked(link_id));
    }
    Ok(vec![match kind {
        LinkKind::Payment => E::PaymentUnlinked { link_id, reason },
        LinkKind::CreditNote => E::CreditNoteUnlinked { link_id, reason },
    }])
}

/// Records what no payment explains: the books' open amount becomes ours.
///
/// The books may say less is open than our links leave (a payment we have not seen), or take back
/// such a reduction, but never say more is open than our links leave: that would mean the books
/// miss a payment or credit note linked here, and lifting the open amount over it would let the
/// invoice's links add up to more than its amount. That is refused, for a person to review.
pub(super) fn reconcile(state: &DebtorAccount, invoice_number: &InvoiceNumber, books_open: Cents) -> Decision {
    let invoice = state.invoices.get(invoice_number).ok_or_else(|| Error::UnknownInvoice(invoice_number.clone()))?;
    if books_open.is_negative() {
        return Err(Error::NegativeAmount { amount: books_open });
    }
    let max_open = minus(invoice.amount, invoice.allocated());
    if books_open > max_open {
        return Err(Error::BooksOpenExceedsLinks { invoice: invoice_number.clone(), books_open, max_open });
    }
    let open = invoice.open_principal();
    if open == books_open {
        return Ok(vec![]);
    }
    Ok(vec![E::OpenAmountAdjusted { invoice_number: invoice_number.clone(), from: open, to: books_open }])
}
