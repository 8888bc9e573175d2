//! Pausing and resuming dunning for one invoice or the whole debtor. Pausing what is paused records
//! nothing; resuming what is not paused is refused, so a mistyped number is noticed.

use super::{check_reason, Decision};
use crate::domain::debtor_account::{DebtorAccount, DebtorAccountError as Error};
use crate::domain::InvoiceNumber;
use crate::events::debtor_account::{DebtorAccountEvent as E, PauseScope};

pub(super) fn pause_invoice(state: &DebtorAccount, invoice_number: InvoiceNumber, reason: String) -> Decision {
    let reason = check_reason(reason)?;
    if !state.invoices.contains_key(&invoice_number) {
        return Err(Error::UnknownInvoice(invoice_number));
    }
    if state.dunning.paused_invoices.contains_key(&invoice_number) {
        return Ok(vec![]);
    }
    Ok(vec![E::InvoicePaused { invoice_number, reason }])
}

pub(super) fn resume_invoice(state: &DebtorAccount, invoice_number: InvoiceNumber, reason: String) -> Decision {
    let reason = check_reason(reason)?;
    if !state.dunning.paused_invoices.contains_key(&invoice_number) {
        return Err(Error::InvoiceNotPaused(invoice_number));
    }
    Ok(vec![E::InvoiceResumed { invoice_number, reason }])
}

pub(super) fn pause_debtor(state: &DebtorAccount, scope: PauseScope, reason: String) -> Decision {
    let reason = check_reason(reason)?;
    if state.dunning.debtor_pause.as_ref().is_some_and(|p| p.scope == scope) {
        return Ok(vec![]);
    }
    Ok(vec![E::DebtorPaused { scope, reason }])
}

pub(super) fn resume_debtor(state: &DebtorAccount, reason: String) -> Decision {
    let reason = check_reason(reason)?;
    if state.dunning.debtor_pause.is_none() {
        return Err(Error::DebtorNotPaused);
    }
    Ok(vec![E::DebtorResumed { reason }])
}
