//! Event evolution for real: a stored version-1 `InvoiceImported` (no `payment_term_days`) is read
//! through the upcaster by the write side, the global-order reader, the projections (incremental
//! and rebuilt) and the audit replay; the stored row itself stays version 1.

use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;
use vordering::domain::debtor_account::{
    DebtorAccount, DebtorAccountCommand, DocumentKey, DocumentKind, PaymentDocument,
};
use vordering::domain::{AdministrationId, Cents, DebtorCode, PaymentRef};
use vordering::engine::ReplayQuery;
use vordering::events::debtor_account::{DebtorAccountEvent as E, DebtorKind, PaymentSource};
use vordering::events::Metadata;
use vordering::internals::audit::Until;
use vordering::internals::projections::{self, Projection};
use vordering::internals::store::{self, CommandBus, Position};
use vordering::Engine;

use crate::projections_history::{append, caught_up, date, debtor, euro, today};
use crate::projections_rebuild::dump;
use crate::support::{at, eventually};

/// The version-1 shape, exactly as the 1.0 golden file has it.
fn version_1_invoice() -> serde_json::Value {
    json!({ "InvoiceImported": {
        "document_key": "acme|e-boekhouden|invoice|F1",
        "content_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "invoice_number": "F1",
        "invoice_date": "2025-04-01",
        "due_date": "2025-05-01",
        "amount": 121000,
        "source": "Invoicing"
    }})
}

async fn store_version_1(pool: &PgPool) {
    let meta = Metadata::new("scheduler", "import:2025-04", at("2025-04-02T06:00:00Z"));
    append(pool, "acme:D1", 0, vec![debtor("acme", "D1", "Alpha BV", DebtorKind::Business)], meta.clone()).await;
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('DebtorAccount', 'acme:D1', 2, 'InvoiceImported', '1.0', $1, $2)",
    )
    .bind(version_1_invoice())
    .bind(serde_json::to_value(meta.to_map()).unwrap())
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_stored_version_1_event_reads_through_the_upcaster_everywhere(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    store_version_1(&pool).await;
    let acme = AdministrationId::new("acme").unwrap();

    // Write side: cqrs-es loads the v1 event to decide; the payment is linked to the invoice.
    let payment = PaymentDocument {
        payment_ref: PaymentRef::new("P1").unwrap(),
        value_date: date(2025, 5, 10),
        amount: euro(210),
        reference_invoice: Some(vordering::domain::InvoiceNumber::new("F1").unwrap()),
        source: PaymentSource::InvoicePayment,
    };
    let command = DebtorAccountCommand::ReceivePayment {
        key: DocumentKey::new(&acme, DocumentKind::Payment, "P1").unwrap(),
        payment,
        today: today(),
        link_id_seed: Uuid::from_u128(5),
    };
    let meta = Metadata::new("scheduler", "import:2025-05", at("2025-05-11T06:00:00Z"));
    CommandBus::<DebtorAccount>::new(pool.clone()).execute("acme:D1", command, &meta).await.unwrap();
    let history = engine.history("DebtorAccount", "acme:D1").await.unwrap();
    let types: Vec<_> = history.iter().map(|e| (e.event_type.as_str(), e.event_version.as_str())).collect();
    assert_eq!(
        types,
        [("DebtorImported", "1.0"), ("InvoiceImported", "2.0"), ("PaymentReceived", "1.0"), ("PaymentLinked", "1.0")]
    );
    let loaded = store::load_many::<DebtorAccount>(&pool, &["acme:D1".to_owned()]).await.unwrap();
    let invoice = loaded["acme:D1"].state.invoices.values().next().unwrap().clone();
    assert_eq!((invoice.amount, invoice.open_principal()), (Cents::new(121_000), euro(1000)));

    // The global-order reader delivers the current shape, with the term derived from the dates.
    let batch = eventually("the events below the horizon", || async {
        let batch = store::read_batch(&pool, Position::default(), 10).await.unwrap();
        (batch.len() == 4).then_some(batch)
    })
    .await;
    assert_eq!(batch[1].event_version, "2.0");
    match batch[1].decode::<E>().unwrap() {
        E::InvoiceImported { payment_term_days, .. } => assert_eq!(payment_term_days, 30),
        other => panic!("expected InvoiceImported, got {other:?}"),
    }

    // Projections, incrementally and rebuilt.
    caught_up(&pool).await;
    let d1 = DebtorCode::new("D1").unwrap();
    let detail = engine.debtor_invoices(&acme, &d1, today()).await.unwrap().unwrap();
    assert_eq!((detail.invoices[0].amount, detail.invoices[0].open), (Cents::new(121_000), euro(1000)));
    let incremental = dump(&pool).await;
    projections::rebuild(&pool, Projection::Receivables).await.unwrap();
    assert_eq!(dump(&pool).await, incremental);

    // The audit replay folds it with the write side's apply.
    let query = ReplayQuery { administration: acme.clone(), debtor: Some(d1), until: Until::End, only_links: true };
    let replay = engine.audit_replay(&query).await.unwrap();
    assert_eq!((replay.events_folded, replay.skipped), (4, 0));
    let f1 = &replay.entries[0].invoices[0];
    assert_eq!(
        (f1.before.as_ref().unwrap().open_principal, f1.after.as_ref().unwrap().open_principal),
        (Cents::new(121_000), euro(1000))
    );

    // Audit verify agrees, and the stored row is still version 1.
    assert_eq!(engine.audit_verify(&acme).await.unwrap().differences, vec![]);
    let stored: String =
        sqlx::query_scalar("SELECT event_version FROM events WHERE aggregate_id = 'acme:D1' AND sequence = 2")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, "1.0");
}
