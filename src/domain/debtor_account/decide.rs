//! `decide`: the pure rules of the `DebtorAccount`. Each command is checked in a fixed order
//! (expected version, reason, document kind, ids, amounts, limits) and yields the events to append,
//! each valid on the state its predecessors leave, so `apply` never has to judge.

mod collection;
mod dunning;
mod imports;
mod links;
mod pauses;
mod payments;

use uuid::Uuid;

use super::document::{DocumentKey, DocumentKind};
use super::{DebtorAccount, DebtorAccountCommand, DebtorAccountError};
use crate::domain::{Cents, InvoiceNumber, LinkId, PaymentRef};
use crate::events::debtor_account::{DebtorAccountEvent, LinkReason, Split};

type Decision = Result<Vec<DebtorAccountEvent>, DebtorAccountError>;

/// Checks one command against the account and returns the events to append, in order, or why it
/// is refused. Reads no clock and changes nothing; an empty list means there is nothing to record.
pub fn decide(state: &DebtorAccount, command: DebtorAccountCommand) -> Decision {
    use DebtorAccountCommand as C;
    match command {
        C::ImportDebtor { key, debtor } => imports::import_debtor(state, &key, debtor),
        C::ImportInvoice { key, invoice, link_id_seed } => imports::import_invoice(state, &key, invoice, link_id_seed),
        C::ReceivePayment { key, payment, today, link_id_seed } => {
            payments::receive_payment(state, &key, payment, today, link_id_seed)
        }
        C::LinkPayment { link_id, payment_ref, invoice_number, amount, reason, expected_version } => {
            check_version(state, expected_version)?;
            links::link_payment(state, link_id, payment_ref, invoice_number, amount, reason)
        }
        C::UnlinkPayment { link_id, reason, expected_version } => {
            check_version(state, expected_version)?;
            links::unlink(state, link_id, reason, links::LinkKind::Payment)
        }
        C::LinkCreditNote { link_id, credit_note, invoice_number, amount, reason, expected_version } => {
            check_version(state, expected_version)?;
            links::link_credit_note(state, link_id, credit_note, invoice_number, amount, reason)
        }
        C::UnlinkCreditNote { link_id, reason, expected_version } => {
            check_version(state, expected_version)?;
            links::unlink(state, link_id, reason, links::LinkKind::CreditNote)
        }
        C::ReconcileOpenAmount { invoice_number, books_open } => links::reconcile(state, &invoice_number, books_open),
        C::Dunning(command) => dunning::decide(state, command),
    }
}

fn check_version(state: &DebtorAccount, expected: Option<u64>) -> Result<(), DebtorAccountError> {
    match expected {
        Some(expected) if expected != state.version => {
            Err(DebtorAccountError::StaleVersion { expected, actual: state.version })
        }
        _ => Ok(()),
    }
}

/// A reason typed by a person, trimmed; the audit trail must say why.
fn check_reason(reason: String) -> Result<String, DebtorAccountError> {
    let trimmed = reason.trim();
    if trimmed.is_empty() {
        return Err(DebtorAccountError::ReasonRequired);
    }
    Ok(trimmed.to_owned())
}

fn check_kind(key: &DocumentKey, allowed: &[DocumentKind]) -> Result<(), DebtorAccountError> {
    match allowed.first() {
        Some(expected) if !allowed.contains(&key.kind()) => {
            Err(DebtorAccountError::wrong_kind(key.as_str(), *expected))
        }
        _ => Ok(()),
    }
}

/// Refuses amounts beyond `Cents::LIMIT`, which keeps every sum inside one account far from overflow.
fn check_magnitude(amount: Cents) -> Result<(), DebtorAccountError> {
    if amount.get().unsigned_abs() > Cents::LIMIT.get().unsigned_abs() {
        return Err(DebtorAccountError::AmountTooLarge { amount });
    }
    Ok(())
}

/// A strictly positive amount of plausible size.
fn check_positive(amount: Cents) -> Result<Cents, DebtorAccountError> {
    if amount.is_zero() {
        return Err(DebtorAccountError::ZeroAmount);
    }
    if amount.is_negative() {
        return Err(DebtorAccountError::NegativeAmount { amount });
    }
    check_magnitude(amount).map(|()| amount)
}

/// A link the import makes, with an id derived from `seed`, so the same seed, payment and invoice
/// always give the same id. Outside a collection case the split is all principal; inside one it is
/// the art. 6:44 split of `collection::CaseLedger`.
fn auto_link(
    state: &DebtorAccount,
    seed: Uuid,
    payment_ref: &PaymentRef,
    invoice_number: &InvoiceNumber,
    split: Split,
    reason: LinkReason,
) -> Result<DebtorAccountEvent, DebtorAccountError> {
    let link_id = LinkId::from_uuid(Uuid::new_v5(&seed, format!("{payment_ref}|{invoice_number}").as_bytes()));
    if state.links.contains_key(&link_id) {
        return Err(DebtorAccountError::LinkIdInUse(link_id));
    }
    Ok(DebtorAccountEvent::PaymentLinked {
        link_id,
        payment_ref: payment_ref.clone(),
        invoice_number: invoice_number.clone(),
        split,
        reason,
    })
}
