//! Golden examples of every `DebtorAccountEvent` variant.

use chrono::NaiveDate;
use uuid::Uuid;
use vordering::domain::{Cents, DebtorCode, InvoiceNumber, LinkId, PaymentRef};
use vordering::events::debtor_account::*;

use super::check_golden;

#[test]
fn debtor_account_events_keep_their_serialized_form() {
    check_golden("debtor_account", &examples(), SUPERSEDED, variant_is_listed);
}

#[test]
fn the_payload_is_externally_tagged_with_a_top_level_document_key() {
    let value = serde_json::to_value(&examples()[2]).unwrap();
    assert_eq!(value["InvoiceImported"]["document_key"], "acme-bv|e-boekhouden|invoice|F2025-0042");
    assert_eq!(value["InvoiceImported"]["amount"], 121_000);
}

/// Golden files of versions that an upcaster now reads (checked in `event_contract::upcast`).
pub const SUPERSEDED: &[&str] = &["InvoiceImported.v1.0.json"];

/// Fails to compile when a variant is added without an example.
fn variant_is_listed(event: &DebtorAccountEvent) {
    use DebtorAccountEvent as E;
    match event {
        E::DebtorImported { .. }
        | E::DebtorUpdated { .. }
        | E::InvoiceImported { .. }
        | E::InvoiceCorrected { .. }
        | E::CreditNoteImported { .. }
        | E::PaymentReceived { .. }
        | E::PaymentLinked { .. }
        | E::PaymentUnlinked { .. }
        | E::CreditNoteLinked { .. }
        | E::CreditNoteUnlinked { .. }
        | E::OpenAmountAdjusted { .. }
        | E::InvoicePaused { .. }
        | E::InvoiceResumed { .. }
        | E::DebtorPaused { .. }
        | E::DebtorResumed { .. }
        | E::DebtorPolicyOverridden { .. }
        | E::ReminderSent { .. }
        | E::ReminderDelivered { .. }
        | E::ReminderDeliveryFailed { .. }
        | E::CollectionStarted { .. }
        | E::CollectionCostsWaived { .. }
        | E::CollectionClosed { .. } => {}
    }
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("example dates are valid")
}

fn link_id() -> LinkId {
    LinkId::from_uuid(Uuid::from_u128(0x0192_3f4e_5a6b_7c8d_9eaf_b0c1_d2e3_f405))
}

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn invoice() -> InvoiceNumber {
    InvoiceNumber::new("F2025-0042").unwrap()
}

fn credit_note() -> InvoiceNumber {
    InvoiceNumber::new("F2025-0050").unwrap()
}

fn payment() -> PaymentRef {
    PaymentRef::new("18734").unwrap()
}

/// The name constants list every variant once, in declaration order, as the stored `event_type`.
#[test]
fn the_name_constants_are_the_stored_event_types_of_every_variant() {
    let stored: Vec<String> = examples().iter().map(cqrs_es::DomainEvent::event_type).collect();
    assert_eq!(stored, DebtorAccountEvent::NAMES);
    assert_eq!(DebtorAccountEvent::PAYMENT_LINKED, "PaymentLinked");
}

/// One example per variant, in declaration order.
fn examples() -> Vec<DebtorAccountEvent> {
    [document_examples(), link_examples(), super::debtor_account_dunning::dunning_examples()].concat()
}

fn address() -> Address {
    Address {
        street: "Dorpsstraat 1".to_owned(),
        postal_code: "1234 AB".to_owned(),
        city: "Utrecht".to_owned(),
        country: "NL".to_owned(),
    }
}

fn document_examples() -> Vec<DebtorAccountEvent> {
    use DebtorAccountEvent as E;
    let (invoice, credit_note, payment) = (invoice(), credit_note(), payment());
    vec![
        E::DebtorImported {
            document_key: "acme-bv|e-boekhouden|debtor|D001".to_owned(),
            content_hash: HASH.to_owned(),
            code: DebtorCode::new("D001").unwrap(),
            name: "Jansen Installatie".to_owned(),
            kind: DebtorKind::Business,
            email: Some("boekhouding@jansen.example".to_owned()),
            address: Some(address()),
            kvk: Some("12345678".to_owned()),
        },
        E::DebtorUpdated {
            content_hash: HASH.to_owned(),
            changes: vec![
                DebtorChange::Name("Jansen Installatie B.V.".to_owned()),
                DebtorChange::Kind(DebtorKind::Consumer),
                DebtorChange::Email(None),
                DebtorChange::Address(Some(address())),
                DebtorChange::Kvk(None),
            ],
        },
        E::InvoiceImported {
            document_key: "acme-bv|e-boekhouden|invoice|F2025-0042".to_owned(),
            content_hash: HASH.to_owned(),
            invoice_number: invoice.clone(),
            invoice_date: date(2025, 1, 15),
            due_date: date(2025, 2, 14),
            amount: Cents::new(121_000),
            source: InvoiceSource::Invoicing,
            payment_term_days: 30,
        },
        E::InvoiceCorrected {
            invoice_number: invoice.clone(),
            content_hash: HASH.to_owned(),
            before: InvoiceTerms {
                invoice_date: date(2025, 1, 15),
                due_date: date(2025, 2, 14),
                amount: Cents::new(121_000),
            },
            after: InvoiceTerms {
                invoice_date: date(2025, 1, 15),
                due_date: date(2025, 3, 1),
                amount: Cents::new(96_800),
            },
        },
        E::CreditNoteImported {
            document_key: "acme-bv|e-boekhouden|invoice|F2025-0050".to_owned(),
            content_hash: HASH.to_owned(),
            number: credit_note.clone(),
            date: date(2025, 1, 20),
            amount: Cents::new(24_200),
        },
        E::PaymentReceived {
            document_key: "acme-bv|e-boekhouden|payment|18734".to_owned(),
            content_hash: HASH.to_owned(),
            payment_ref: payment.clone(),
            value_date: date(2025, 2, 10),
            amount: Cents::new(50_000),
            reference_invoice: Some(invoice.clone()),
            source: PaymentSource::InvoicePayment,
        },
    ]
}

fn link_examples() -> Vec<DebtorAccountEvent> {
    use DebtorAccountEvent as E;
    let (invoice, credit_note, payment) = (invoice(), credit_note(), payment());
    vec![
        E::PaymentLinked {
            link_id: link_id(),
            payment_ref: payment,
            invoice_number: invoice.clone(),
            split: Split { costs: Cents::new(4_000), interest: Cents::new(125), principal: Cents::new(45_875) },
            reason: LinkReason::ReferencedByBooks,
        },
        E::PaymentUnlinked { link_id: link_id(), reason: "booked against the wrong invoice".to_owned() },
        E::CreditNoteLinked {
            link_id: link_id(),
            credit_note,
            invoice_number: invoice.clone(),
            amount: Cents::new(24_200),
            reason: LinkReason::Manual("credit for the returned goods".to_owned()),
        },
        E::CreditNoteUnlinked { link_id: link_id(), reason: "credit belongs to F2025-0043".to_owned() },
        E::OpenAmountAdjusted { invoice_number: invoice, from: Cents::new(121_000), to: Cents::new(21_000) },
    ]
}
