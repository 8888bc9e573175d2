//! The business events a subscription can ask for, by the dotted names consumers see.

use std::fmt;
use std::str::FromStr;

/// One kind of webhook message. The names are the public contract of the webhooks: never renamed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    InvoiceImported,
    InvoiceCorrected,
    InvoicePaid,
    InvoicePaused,
    InvoiceResumed,
    PaymentReceived,
    PaymentLinked,
    PaymentUnlinked,
    ReminderSent,
    ReminderDelivered,
    ReminderFailed,
    CollectionStarted,
    CollectionClosed,
    ImportCompleted,
    ImportFailed,
    LinkEstablished,
    LinkBroken,
    LinkRemoved,
}

impl EventType {
    /// Every type, in the order the documentation lists them.
    pub const ALL: [EventType; 18] = [
        EventType::InvoiceImported,
        EventType::InvoiceCorrected,
        EventType::InvoicePaid,
        EventType::InvoicePaused,
        EventType::InvoiceResumed,
        EventType::PaymentReceived,
        EventType::PaymentLinked,
        EventType::PaymentUnlinked,
        EventType::ReminderSent,
        EventType::ReminderDelivered,
        EventType::ReminderFailed,
        EventType::CollectionStarted,
        EventType::CollectionClosed,
        EventType::ImportCompleted,
        EventType::ImportFailed,
        EventType::LinkEstablished,
        EventType::LinkBroken,
        EventType::LinkRemoved,
    ];

    /// The dotted name in a message's `type` and in a subscription's list.
    pub const fn name(self) -> &'static str {
        match self {
            EventType::InvoiceImported => "invoice.imported",
            EventType::InvoiceCorrected => "invoice.corrected",
            EventType::InvoicePaid => "invoice.paid",
            EventType::InvoicePaused => "invoice.paused",
            EventType::InvoiceResumed => "invoice.resumed",
            EventType::PaymentReceived => "payment.received",
            EventType::PaymentLinked => "payment.linked",
            EventType::PaymentUnlinked => "payment.unlinked",
            EventType::ReminderSent => "reminder.sent",
            EventType::ReminderDelivered => "reminder.delivered",
            EventType::ReminderFailed => "reminder.failed",
            EventType::CollectionStarted => "collection.started",
            EventType::CollectionClosed => "collection.closed",
            EventType::ImportCompleted => "import.completed",
            EventType::ImportFailed => "import.failed",
            EventType::LinkEstablished => "link.established",
            EventType::LinkBroken => "link.broken",
            EventType::LinkRemoved => "link.removed",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no event type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a webhook event type; the types are {names}", names = EventType::ALL.map(EventType::name).join(", "))]
pub struct UnknownEventType(pub String);

impl FromStr for EventType {
    type Err = UnknownEventType;
    fn from_str(name: &str) -> Result<Self, UnknownEventType> {
        let name = name.trim();
        EventType::ALL.into_iter().find(|t| t.name() == name).ok_or_else(|| UnknownEventType(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_back_from_its_name_and_names_are_unique() {
        for t in EventType::ALL {
            assert_eq!(t.name().parse::<EventType>(), Ok(t));
        }
        let mut names: Vec<&str> = EventType::ALL.map(EventType::name).to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventType::ALL.len());
        assert!("invoice.payed".parse::<EventType>().unwrap_err().to_string().contains("invoice.paid"));
    }
}
