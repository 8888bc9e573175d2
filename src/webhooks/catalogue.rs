//! Which webhook messages a stored event makes, and what each carries: ids and the figures a
//! consumer needs, never a whole aggregate. Amounts are integer cents, dates ISO days, times
//! RFC 3339 in UTC. `invoice.paid` is not an event of its own: the runner tells it from the
//! account's fold (`derive`).

use serde_json::{json, Value};

use super::types::EventType;
use crate::domain::AccountId;
use crate::events::administration::AdministrationEvent;
use crate::events::debtor_account::DebtorAccountEvent;
use crate::store::{StoreError, StoredEvent};

/// One message before it is addressed to a subscription.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub event_type: EventType,
    /// The administration the event belongs to.
    pub administration: String,
    pub data: Value,
}

const DEBTOR_ACCOUNT: &str = "DebtorAccount";
const ADMINISTRATION: &str = "Administration";

/// The event types of a debtor account that make a message (the others make none).
const ACCOUNT_TYPES: [&str; 12] = [
    DebtorAccountEvent::INVOICE_IMPORTED,
    DebtorAccountEvent::INVOICE_CORRECTED,
    DebtorAccountEvent::INVOICE_PAUSED,
    DebtorAccountEvent::INVOICE_RESUMED,
    DebtorAccountEvent::PAYMENT_RECEIVED,
    DebtorAccountEvent::PAYMENT_LINKED,
    DebtorAccountEvent::PAYMENT_UNLINKED,
    DebtorAccountEvent::REMINDER_SENT,
    DebtorAccountEvent::REMINDER_DELIVERED,
    DebtorAccountEvent::REMINDER_DELIVERY_FAILED,
    DebtorAccountEvent::COLLECTION_STARTED,
    DebtorAccountEvent::COLLECTION_CLOSED,
];

/// The event types of an administration that make a message.
const ADMINISTRATION_TYPES: [&str; 6] = [
    AdministrationEvent::IMPORT_COMPLETED,
    AdministrationEvent::IMPORT_FAILED,
    AdministrationEvent::LINK_ESTABLISHED,
    AdministrationEvent::LINK_CREDENTIALS_ROTATED,
    AdministrationEvent::LINK_BROKEN,
    AdministrationEvent::LINK_REMOVED,
];

/// Whether `event` can make a message, before it is decoded.
pub fn may_make_messages(event: &StoredEvent) -> bool {
    match event.aggregate_type.as_str() {
        DEBTOR_ACCOUNT => ACCOUNT_TYPES.contains(&event.event_type.as_str()),
        ADMINISTRATION => ADMINISTRATION_TYPES.contains(&event.event_type.as_str()),
        _ => false,
    }
}

/// The messages `event` makes (none for the types that make none, and for a type this binary does
/// not know: a newer one wrote it).
pub fn messages(event: &StoredEvent) -> Result<Vec<Message>, StoreError> {
    if !may_make_messages(event) {
        return Ok(Vec::new());
    }
    if event.aggregate_type == ADMINISTRATION {
        let administration = event.aggregate_id.clone();
        let made = administration_message(event.decode()?);
        return Ok(made
            .into_iter()
            .map(|(event_type, data)| Message { event_type, administration: administration.clone(), data })
            .collect());
    }
    let Some((administration, debtor)) = AccountId::split(&event.aggregate_id) else { return Ok(Vec::new()) };
    let made = account_message(debtor, event.decode()?);
    Ok(made
        .into_iter()
        .map(|(event_type, data)| Message { event_type, administration: administration.to_owned(), data })
        .collect())
}

fn account_message(debtor: &str, event: DebtorAccountEvent) -> Option<(EventType, Value)> {
    use DebtorAccountEvent as Event;
    use EventType as Type;
    Some(match event {
        Event::InvoiceImported { invoice_number, invoice_date, due_date, amount, .. } => (
            Type::InvoiceImported,
            json!({ "debtor": debtor, "invoice_number": invoice_number, "invoice_date": invoice_date,
                    "due_date": due_date, "amount": amount }),
        ),
        Event::InvoiceCorrected { invoice_number, before, after, .. } => (
            Type::InvoiceCorrected,
            json!({ "debtor": debtor, "invoice_number": invoice_number, "before": before, "after": after }),
        ),
        Event::InvoicePaused { invoice_number, reason } => {
            (Type::InvoicePaused, json!({ "debtor": debtor, "invoice_number": invoice_number, "reason": reason }))
        }
        Event::InvoiceResumed { invoice_number, reason } => {
            (Type::InvoiceResumed, json!({ "debtor": debtor, "invoice_number": invoice_number, "reason": reason }))
        }
        Event::PaymentReceived { payment_ref, value_date, amount, reference_invoice, .. } => (
            Type::PaymentReceived,
            json!({ "debtor": debtor, "payment_ref": payment_ref, "value_date": value_date, "amount": amount,
                    "reference_invoice": reference_invoice }),
        ),
        Event::PaymentLinked { link_id, payment_ref, invoice_number, split, .. } => (
            Type::PaymentLinked,
            json!({ "debtor": debtor, "link_id": link_id, "payment_ref": payment_ref,
                    "invoice_number": invoice_number, "principal": split.principal, "costs": split.costs,
                    "interest": split.interest }),
        ),
        Event::PaymentUnlinked { link_id, reason } => {
            (Type::PaymentUnlinked, json!({ "debtor": debtor, "link_id": link_id, "reason": reason }))
        }
        Event::ReminderSent { reminder_id, step, invoices, channel, sent_on, .. } => (
            Type::ReminderSent,
            json!({ "debtor": debtor, "reminder_id": reminder_id, "step": step, "invoices": invoices,
                    "channel": channel, "sent_on": sent_on }),
        ),
        Event::ReminderDelivered { reminder_id, delivered_at, .. } => (
            Type::ReminderDelivered,
            json!({ "debtor": debtor, "reminder_id": reminder_id, "delivered_at": delivered_at }),
        ),
        Event::ReminderDeliveryFailed { reminder_id, reason } => {
            (Type::ReminderFailed, json!({ "debtor": debtor, "reminder_id": reminder_id, "reason": reason }))
        }
        Event::CollectionStarted {
            case_id, invoices, principal, costs, vat_surcharge, interest, started_on, ..
        } => (
            Type::CollectionStarted,
            json!({ "debtor": debtor, "case_id": case_id, "invoices": invoices, "principal": principal,
                    "costs": costs, "vat_surcharge": vat_surcharge, "interest": interest, "started_on": started_on }),
        ),
        Event::CollectionClosed { case_id, outcome } => {
            (Type::CollectionClosed, json!({ "debtor": debtor, "case_id": case_id, "outcome": outcome }))
        }
        _ => return None,
    })
}

fn administration_message(event: AdministrationEvent) -> Option<(EventType, Value)> {
    use AdministrationEvent as Event;
    use EventType as Type;
    Some(match event {
        Event::ImportCompleted { import_id, counts, .. } => {
            (Type::ImportCompleted, json!({ "import_id": import_id, "counts": counts }))
        }
        Event::ImportFailed { import_id, error_kind, message } => {
            (Type::ImportFailed, json!({ "import_id": import_id, "error_kind": error_kind, "message": message }))
        }
        Event::LinkEstablished { package, username, verified_at, .. } => (
            Type::LinkEstablished,
            json!({ "package": package, "username": username, "verified_at": verified_at, "rotated": false }),
        ),
        // New codes for the same link (also how a broken link is repaired): established again.
        Event::LinkCredentialsRotated { verified_at, .. } => {
            (Type::LinkEstablished, json!({ "verified_at": verified_at, "rotated": true }))
        }
        Event::LinkBroken { error_code, detected_at } => {
            (Type::LinkBroken, json!({ "error_code": error_code, "detected_at": detected_at }))
        }
        Event::LinkRemoved { reason } => (Type::LinkRemoved, json!({ "reason": reason })),
        _ => return None,
    })
}

/// The `invoice.paid` message of an invoice whose open amount a payment (or the books) brought to
/// zero, on `paid_on`.
pub fn paid(
    administration: &str,
    debtor: &str,
    invoice: &crate::domain::debtor_account::Invoice,
    paid_on: chrono::NaiveDate,
) -> Message {
    Message {
        event_type: EventType::InvoicePaid,
        administration: administration.to_owned(),
        data: json!({ "debtor": debtor, "invoice_number": invoice.number, "amount": invoice.amount, "paid_on": paid_on }),
    }
}
