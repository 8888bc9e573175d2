//! Reading stored `DebtorAccount` events as the facts the read side folds.
//!
//! The core events decode into `DebtorAccountEvent` (after the upcasters ran in the reader). The
//! dunning and collection events are read by name from the shapes of DESIGN §3, keeping only the
//! fields a read model needs, so they fold whether or not the write side's enum lists them yet.
//! An event type the read side does not know is skipped, never an error: an older binary must keep
//! projecting a log that a newer one wrote.

use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::InvoiceNumber;
use crate::events::debtor_account::DebtorAccountEvent;
use crate::store::{StoreError, StoredEvent};

/// The aggregate type of debtor accounts (`DebtorAccount::TYPE`).
pub const DEBTOR_ACCOUNT: &str = "DebtorAccount";
/// The aggregate type of administrations.
pub const ADMINISTRATION: &str = "Administration";

/// One `DebtorAccount` event as the read side sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountFact {
    Core(DebtorAccountEvent),
    Dunning(DunningFact),
}

/// The dunning and collection events, with the fields the read models use.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub enum DunningFact {
    ReminderSent { step: String, invoices: Vec<InvoiceNumber>, sent_on: NaiveDate },
    InvoicePaused { invoice_number: InvoiceNumber },
    InvoiceResumed { invoice_number: InvoiceNumber },
    DebtorPaused { scope: PauseScope },
    DebtorResumed {},
    CollectionStarted { case_id: Uuid, invoices: Vec<InvoiceNumber>, started_on: NaiveDate },
    CollectionClosed { case_id: Uuid },
}

/// What a debtor-wide pause stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
pub enum PauseScope {
    All,
    RemindersOnly,
}

const DUNNING_TYPES: [&str; 6] =
    ["ReminderSent", "InvoicePaused", "InvoiceResumed", "DebtorPaused", "DebtorResumed", "CollectionStarted"];
const CORE_TYPES: [&str; 11] = [
    "DebtorImported",
    "DebtorUpdated",
    "InvoiceImported",
    "InvoiceCorrected",
    "CreditNoteImported",
    "PaymentReceived",
    "PaymentLinked",
    "PaymentUnlinked",
    "CreditNoteLinked",
    "CreditNoteUnlinked",
    "OpenAmountAdjusted",
];

/// Whether `event_type` is one of the `DebtorAccount` events this binary's enum must decode.
pub fn is_core_account_event(event_type: &str) -> bool {
    CORE_TYPES.contains(&event_type)
}

/// The fact in a `DebtorAccount` event; `None` for other aggregates and for event types the read
/// side does not fold. A known type that does not decode is corruption and an error.
pub fn decode_account_fact(event: &StoredEvent) -> Result<Option<AccountFact>, StoreError> {
    if event.aggregate_type != DEBTOR_ACCOUNT {
        return Ok(None);
    }
    let name = event.event_type.as_str();
    if CORE_TYPES.contains(&name) {
        return event.decode::<DebtorAccountEvent>().map(|e| Some(AccountFact::Core(e)));
    }
    if DUNNING_TYPES.contains(&name) || name == "CollectionClosed" {
        return event.decode::<DunningFact>().map(|f| Some(AccountFact::Dunning(f)));
    }
    Ok(None)
}

/// `"{administration}:{debtor_code}"` split in two; ids without a `:` belong to no administration.
pub fn split_account_id(aggregate_id: &str) -> (&str, &str) {
    aggregate_id.split_once(':').unwrap_or(("", aggregate_id))
}
