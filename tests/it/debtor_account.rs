//! The `DebtorAccount` through cqrs-es with its in-memory store: commands in, stored events out,
//! re-imports idempotent, typed errors surfacing as `UserError`.

use chrono::NaiveDate;
use cqrs_es::mem_store::MemStore;
use cqrs_es::{AggregateContext, AggregateError, CqrsFramework, EventStore};
use uuid::Uuid;
use vordering::domain::debtor_account::{
    DebtorAccount, DebtorAccountCommand as C, DebtorAccountError, DocumentKey, DocumentKind, InvoiceDocument,
    PaymentDocument,
};
use vordering::domain::{AdministrationId, Cents, DebtorCode, InvoiceNumber, LinkId, PaymentRef};
use vordering::events::debtor_account::{InvoiceSource, PaymentSource};

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, day).unwrap()
}

fn key(kind: DocumentKind, id: &str) -> DocumentKey {
    DocumentKey::new(&AdministrationId::new("acme-bv").unwrap(), kind, id).unwrap()
}

fn import(number: &str, cents: i64, due: u32) -> C {
    let invoice = InvoiceDocument {
        invoice_number: InvoiceNumber::new(number).unwrap(),
        invoice_date: date(1),
        due_date: date(due),
        amount: Cents::new(cents),
        source: InvoiceSource::Invoicing,
    };
    C::ImportInvoice { key: key(DocumentKind::Invoice, number), invoice, link_id_seed: Uuid::from_u128(1) }
}

fn payment(cents: i64) -> C {
    let payment = PaymentDocument {
        payment_ref: PaymentRef::new("M-100").unwrap(),
        value_date: date(20),
        amount: Cents::new(cents),
        reference_invoice: None,
        source: PaymentSource::MoneyReceived,
    };
    C::ReceivePayment {
        key: key(DocumentKind::Payment, "M-100"),
        payment,
        today: date(31),
        link_id_seed: Uuid::from_u128(2),
    }
}

#[tokio::test]
async fn commands_become_stored_events_and_reimports_add_nothing() {
    let store = MemStore::<DebtorAccount>::default();
    let cqrs = CqrsFramework::new(store.clone(), vec![], ());
    let id = DebtorAccount::aggregate_id(&AdministrationId::new("acme-bv").unwrap(), &DebtorCode::new("D001").unwrap());
    for command in [import("F2", 3_000, 20), import("F1", 5_000, 10), payment(6_000)] {
        cqrs.execute(&id, command).await.unwrap();
    }
    for command in [import("F2", 3_000, 20), import("F1", 5_000, 10), payment(6_000)] {
        cqrs.execute(&id, command).await.unwrap();
    }
    let stored = store.load_events(&id).await.unwrap();
    let types: Vec<String> = stored.iter().map(|e| cqrs_es::DomainEvent::event_type(&e.payload)).collect();
    assert_eq!(types, ["InvoiceImported", "InvoiceImported", "PaymentReceived", "PaymentLinked", "PaymentLinked"]);
    assert_eq!(stored.iter().map(|e| e.sequence).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);

    let account = store.load_aggregate(&id).await.unwrap().aggregate().clone();
    let open = |n: &str| account.invoices[&InvoiceNumber::new(n).unwrap()].open_principal();
    assert_eq!((open("F1"), open("F2")), (Cents::ZERO, Cents::new(2_000)), "art. 6:43: oldest due date first");
    assert_eq!(account.version, 5);

    let stale =
        C::UnlinkPayment { link_id: LinkId::from_uuid(Uuid::nil()), reason: "x".into(), expected_version: Some(4) };
    match cqrs.execute(&id, stale).await {
        Err(AggregateError::UserError(error)) => {
            assert_eq!(error, DebtorAccountError::StaleVersion { expected: 4, actual: 5 });
        }
        other => panic!("expected a stale version, got {other:?}"),
    }
}
