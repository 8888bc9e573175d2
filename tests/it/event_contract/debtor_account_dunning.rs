//! Golden examples of the dunning, pause and collection variants of `DebtorAccountEvent`.

use chrono::NaiveDate;
use uuid::Uuid;
use vordering::domain::dunning::{Anchor, Audience, Channel, DunningStep, PolicyOverride, PolicyStep};
use vordering::domain::{Cents, InvoiceNumber};
use vordering::events::debtor_account::*;

use crate::support::at;

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("example dates are valid")
}

fn invoices() -> Vec<InvoiceNumber> {
    vec![InvoiceNumber::new("F2025-0042").unwrap(), InvoiceNumber::new("F2025-0043").unwrap()]
}

fn reminder_id() -> Uuid {
    Uuid::from_u128(0x0193_0000_0000_5000_8000_0000_0000_0042)
}

fn case_id() -> Uuid {
    Uuid::from_u128(0x0193_0000_0000_5000_8000_0000_0000_0c05)
}

/// One example per dunning variant, in declaration order.
pub fn dunning_examples() -> Vec<DebtorAccountEvent> {
    use DebtorAccountEvent as E;
    let invoice = invoices()[0].clone();
    vec![
        E::InvoicePaused { invoice_number: invoice.clone(), reason: "disputed: goods damaged".to_owned() },
        E::InvoiceResumed { invoice_number: invoice, reason: "dispute settled".to_owned() },
        E::DebtorPaused { scope: PauseScope::RemindersOnly, reason: "payment plan agreed by phone".to_owned() },
        E::DebtorResumed { reason: "plan broken".to_owned() },
        E::DebtorPolicyOverridden {
            policy: Some(PolicyOverride {
                steps: Some(vec![PolicyStep {
                    step: DunningStep::Reminder1,
                    after: Anchor::DueDate,
                    days: 3,
                    channel: Channel::Email,
                    template: "reminder-1".to_owned(),
                    applies_to: Audience::All,
                }]),
                minimum_amount: Some(Cents::new(2_500)),
                automatic_collection: Some(false),
            }),
        },
        E::ReminderSent {
            reminder_id: reminder_id(),
            step: DunningStep::FourteenDayLetter,
            invoices: invoices(),
            channel: Channel::Letter,
            sent_on: date(2025, 3, 7),
            announced_costs: Some(AnnouncedCosts {
                principal: Cents::new(175_279),
                costs: Cents::new(26_292),
                vat_surcharge: Cents::new(5_521),
                presumed_receipt: date(2025, 3, 11),
                term_last: date(2025, 3, 25),
                costs_from: date(2025, 3, 26),
            }),
        },
        E::ReminderDelivered {
            reminder_id: reminder_id(),
            delivered_at: at("2025-03-07T10:15:00Z"),
            message_id: "<7a1b2c3d-0000-5000-8000-000000000042@vordering>".to_owned(),
        },
        E::ReminderDeliveryFailed { reminder_id: reminder_id(), reason: "550 mailbox unavailable".to_owned() },
        E::CollectionStarted {
            case_id: case_id(),
            invoices: invoices(),
            principal: Cents::new(175_279),
            costs: Cents::new(26_292),
            vat_surcharge: Cents::new(5_521),
            interest: Cents::new(1_210),
            interest_from: date(2025, 2, 15),
            started_on: date(2025, 4, 1),
            rates_verified: true,
        },
        E::CollectionCostsWaived { case_id: case_id(), reason: "goodwill: long-standing customer".to_owned() },
        E::CollectionClosed { case_id: case_id(), outcome: CollectionOutcome::Paid },
    ]
}
