//! Reading stored `DebtorAccount` events as the read side folds them.
//!
//! They decode into the write side's `DebtorAccountEvent` (after the upcasters ran in the reader).
//! Only the event types a read model folds are decoded; an event type this binary does not know is
//! skipped, never an error: an older binary must keep projecting a log that a newer one wrote.

use crate::domain::AccountId;
use crate::events::debtor_account::DebtorAccountEvent as Event;
use crate::store::{StoreError, StoredEvent};

/// The aggregate type of debtor accounts (`DebtorAccount::TYPE`).
pub const DEBTOR_ACCOUNT: &str = "DebtorAccount";
/// The aggregate type of administrations.
pub const ADMINISTRATION: &str = "Administration";

/// The event types the receivables read models fold.
const FOLDED: [&str; 18] = [
    Event::DEBTOR_IMPORTED,
    Event::DEBTOR_UPDATED,
    Event::INVOICE_IMPORTED,
    Event::INVOICE_CORRECTED,
    Event::CREDIT_NOTE_IMPORTED,
    Event::PAYMENT_RECEIVED,
    Event::PAYMENT_LINKED,
    Event::PAYMENT_UNLINKED,
    Event::CREDIT_NOTE_LINKED,
    Event::CREDIT_NOTE_UNLINKED,
    Event::OPEN_AMOUNT_ADJUSTED,
    Event::REMINDER_SENT,
    Event::INVOICE_PAUSED,
    Event::INVOICE_RESUMED,
    Event::DEBTOR_PAUSED,
    Event::DEBTOR_RESUMED,
    Event::COLLECTION_STARTED,
    Event::COLLECTION_CLOSED,
];

/// Whether `event_type` is a `DebtorAccount` event this binary knows: one that must decode.
pub fn is_known_account_event(event_type: &str) -> bool {
    Event::NAMES.contains(&event_type)
}

/// The event in a `DebtorAccount` row that the read models fold; `None` for other aggregates and
/// for event types they do not fold. A folded type that does not decode is corruption and an error.
pub fn decode_account_event(event: &StoredEvent) -> Result<Option<Event>, StoreError> {
    if event.aggregate_type != DEBTOR_ACCOUNT || !FOLDED.contains(&event.event_type.as_str()) {
        return Ok(None);
    }
    event.decode::<Event>().map(Some)
}

/// An account id split into administration and debtor code; an id without the separator belongs
/// to no administration.
pub fn split_account_id(aggregate_id: &str) -> (&str, &str) {
    AccountId::split(aggregate_id).unwrap_or(("", aggregate_id))
}
