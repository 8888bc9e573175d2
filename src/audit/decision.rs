//! What a link or unlink decided, as a replay reports it.

use std::borrow::Cow;

use serde::Serialize;
use uuid::Uuid;

use crate::domain::debtor_account::{AllocationSource, DebtorAccount};
use crate::domain::{Cents, InvoiceNumber};
use crate::events::administration::AdministrationEvent as A;
use crate::events::debtor_account::DebtorAccountEvent as E;
use crate::projections::{administration_detail, reason_text};

/// What a link or unlink decided.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LinkDecision {
    pub link_id: Option<Uuid>,
    pub invoice_number: Option<InvoiceNumber>,
    /// `payment <ref>`, `credit note <number>`, or the package username of an administration link.
    pub document: Option<String>,
    pub costs: Option<Cents>,
    pub interest: Option<Cents>,
    pub principal: Option<Cents>,
    /// The reason in the event (`art. 6:43 …`, an unlink's text, an error code).
    pub reason: Option<Cow<'static, str>>,
}

pub(super) fn account_link(state: &DebtorAccount, event: &E) -> Option<LinkDecision> {
    match event {
        E::PaymentLinked { link_id, payment_ref, invoice_number, split, reason } => Some(LinkDecision {
            link_id: Some(link_id.as_uuid()),
            invoice_number: Some(invoice_number.clone()),
            document: Some(format!("payment {payment_ref}")),
            costs: Some(split.costs),
            interest: Some(split.interest),
            principal: Some(split.principal),
            reason: Some(reason_text(reason)),
        }),
        E::CreditNoteLinked { link_id, credit_note, invoice_number, amount, reason } => Some(LinkDecision {
            link_id: Some(link_id.as_uuid()),
            invoice_number: Some(invoice_number.clone()),
            document: Some(format!("credit note {credit_note}")),
            costs: Some(Cents::ZERO),
            interest: Some(Cents::ZERO),
            principal: Some(*amount),
            reason: Some(reason_text(reason)),
        }),
        E::PaymentUnlinked { link_id, reason } | E::CreditNoteUnlinked { link_id, reason } => {
            let record = state.links.get(link_id);
            let split = record
                .and_then(|r| state.invoices.get(&r.invoice_number))
                .and_then(|invoice| invoice.allocations.get(link_id))
                .map(|allocation| allocation.split);
            Some(LinkDecision {
                link_id: Some(link_id.as_uuid()),
                invoice_number: record.map(|r| r.invoice_number.clone()),
                document: record.map(|r| match &r.source {
                    AllocationSource::Payment(reference) => format!("payment {reference}"),
                    AllocationSource::CreditNote(number) => format!("credit note {number}"),
                }),
                costs: split.map(|s| s.costs),
                interest: split.map(|s| s.interest),
                principal: split.map(|s| s.principal),
                reason: Some(Cow::Owned(reason.clone())),
            })
        }
        _ => None,
    }
}

pub(super) fn administration_link(event: A) -> Option<LinkDecision> {
    let link = matches!(
        event,
        A::LinkEstablished { .. } | A::LinkCredentialsRotated { .. } | A::LinkBroken { .. } | A::LinkRemoved { .. }
    );
    link.then(|| {
        let (document, reason) = administration_detail(event);
        LinkDecision { document, reason: reason.map(Cow::Owned), ..LinkDecision::default() }
    })
}
