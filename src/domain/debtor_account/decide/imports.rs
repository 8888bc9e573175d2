//! Importing the debtor and its invoices: same key and hash is nothing, same key and a new hash is
//! one update or correction event, a new key is a new document.

use uuid::Uuid;

use super::{auto_link, check_kind, check_magnitude, Decision};
use crate::domain::debtor_account::document::{DocumentKey, DocumentKind};
use crate::domain::debtor_account::state::{minus, Debtor};
use crate::domain::debtor_account::{DebtorAccount, DebtorAccountError as Error, DebtorDocument, InvoiceDocument};
use crate::domain::Cents;
use crate::events::debtor_account::{DebtorAccountEvent as E, DebtorChange, LinkReason, Split};

pub(super) fn import_debtor(state: &DebtorAccount, key: &DocumentKey, doc: DebtorDocument) -> Decision {
    check_kind(key, &[DocumentKind::Debtor])?;
    let content_hash = doc.content_hash();
    let Some(debtor) = &state.debtor else {
        let DebtorDocument { code, name, kind, email, address, kvk } = doc;
        let document_key = key.as_str().to_owned();
        return Ok(vec![E::DebtorImported { document_key, content_hash, code, name, kind, email, address, kvk }]);
    };
    if debtor.document_key != key.as_str() || debtor.code != doc.code {
        // One account holds one debtor; another relation record for it is the importer's mix-up.
        return Err(Error::NumberInUse { number: doc.code.to_string() });
    }
    if state.documents.get(key.as_str()) == Some(&content_hash) {
        return Ok(vec![]);
    }
    let changes = debtor_changes(debtor, doc);
    if changes.is_empty() {
        return Ok(vec![]);
    }
    Ok(vec![E::DebtorUpdated { content_hash, changes }])
}

fn debtor_changes(old: &Debtor, new: DebtorDocument) -> Vec<DebtorChange> {
    let mut changes = Vec::new();
    if old.name != new.name {
        changes.push(DebtorChange::Name(new.name));
    }
    if old.kind != new.kind {
        changes.push(DebtorChange::Kind(new.kind));
    }
    if old.email != new.email {
        changes.push(DebtorChange::Email(new.email));
    }
    if old.address != new.address {
        changes.push(DebtorChange::Address(new.address));
    }
    if old.kvk != new.kvk {
        changes.push(DebtorChange::Kvk(new.kvk));
    }
    changes
}

pub(super) fn import_invoice(state: &DebtorAccount, key: &DocumentKey, doc: InvoiceDocument, seed: Uuid) -> Decision {
    check_kind(key, &[DocumentKind::Invoice, DocumentKind::CreditNote])?;
    if doc.amount.is_zero() {
        return Err(Error::ZeroAmount);
    }
    check_magnitude(doc.amount)?;
    if doc.due_date < doc.invoice_date {
        let InvoiceDocument { invoice_number: invoice, invoice_date, due_date, .. } = doc;
        return Err(Error::DueBeforeInvoiceDate { invoice, invoice_date, due_date });
    }
    let content_hash = doc.content_hash();
    match state.documents.get(key.as_str()) {
        Some(known) if *known == content_hash => Ok(vec![]),
        Some(_) => correct_invoice(state, key, doc, content_hash),
        None if state.invoices.contains_key(&doc.invoice_number)
            || state.credit_notes.contains_key(&doc.invoice_number) =>
        {
            Err(Error::NumberInUse { number: doc.invoice_number.to_string() })
        }
        None if doc.amount.is_negative() => Ok(vec![E::CreditNoteImported {
            document_key: key.as_str().to_owned(),
            content_hash,
            number: doc.invoice_number,
            date: doc.invoice_date,
            amount: Cents::new(doc.amount.get().saturating_neg()),
        }]),
        None => new_invoice(state, key, doc, content_hash, seed),
    }
}

/// One `InvoiceCorrected`; the open amount moves by the difference, so the new amount must still
/// cover what payments, credit notes and adjustments already settled.
fn correct_invoice(state: &DebtorAccount, key: &DocumentKey, doc: InvoiceDocument, content_hash: String) -> Decision {
    let changed = || Error::DocumentChanged { document_key: key.as_str().to_owned() };
    let invoice =
        state.invoices.get(&doc.invoice_number).filter(|i| i.document_key == key.as_str()).ok_or_else(changed)?;
    if doc.amount.is_negative() {
        return Err(changed());
    }
    let settled = minus(invoice.amount, invoice.open_principal());
    if doc.amount < settled {
        return Err(Error::CorrectionBelowSettled { invoice: doc.invoice_number, settled, amount: doc.amount });
    }
    let (before, after) = (invoice.terms(), doc.terms());
    Ok(vec![E::InvoiceCorrected { invoice_number: doc.invoice_number, content_hash, before, after }])
}

/// The invoice, then the payments that named it before it arrived, oldest first, up to its amount.
fn new_invoice(
    state: &DebtorAccount,
    key: &DocumentKey,
    doc: InvoiceDocument,
    content_hash: String,
    seed: Uuid,
) -> Decision {
    let mut open = doc.amount;
    let mut waiting: Vec<_> = state
        .payments
        .values()
        .filter(|p| p.reference_invoice.as_ref() == Some(&doc.invoice_number) && p.unallocated().is_positive())
        .collect();
    waiting.sort_by(|a, b| (a.value_date, &a.payment_ref).cmp(&(b.value_date, &b.payment_ref)));
    let mut links = Vec::new();
    for payment in waiting {
        let take = payment.unallocated().min(open);
        if !take.is_positive() {
            break;
        }
        open = minus(open, take);
        links.push(auto_link(
            state,
            seed,
            &payment.payment_ref,
            &doc.invoice_number,
            Split::principal_only(take),
            LinkReason::ReferencedByBooks,
        )?);
    }
    let imported = E::InvoiceImported {
        document_key: key.as_str().to_owned(),
        content_hash,
        invoice_number: doc.invoice_number,
        invoice_date: doc.invoice_date,
        due_date: doc.due_date,
        amount: doc.amount,
        source: doc.source,
        payment_term_days: (doc.due_date - doc.invoice_date).num_days(),
    };
    Ok(std::iter::once(imported).chain(links).collect())
}
