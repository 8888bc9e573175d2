//! First import, a second run that appends nothing, and a day advanced in the books.

use std::collections::BTreeSet;

use sqlx::PgPool;
use vordering::eboekhouden::simulator::{ChangeAction, DocumentKind};

use super::setup::{small, Books};

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn first_import_then_nothing_new_then_exactly_the_days_changes(pool: PgPool) {
    let books = Books::new(pool, small()).await;
    let first = books.import().await.unwrap();
    assert_eq!(first.counts.errors, 0, "{:?}", first.issues);
    assert_eq!(first.counts.debtors_added, 20);
    assert!(first.counts.invoices_added > 100, "{:?}", first.counts);
    assert!(first.counts.payments_added > 0 && first.counts.payments_linked > 0, "{:?}", first.counts);
    let after_first = books.event_count().await;
    assert_eq!(u64::try_from(after_first).unwrap(), first.counts.events_written);

    let second = books.import().await.unwrap();
    assert_eq!(second.counts.events_written, 0, "a second run appends nothing: {:?}", second.counts);
    assert_eq!(books.event_count().await, after_first);

    let changes = books.simulator.advance_days(1);
    assert!(!changes.is_empty(), "the simulator's day brings documents");
    let third = books.import().await.unwrap();
    assert_eq!(third.counts.errors, 0, "{:?}", third.issues);

    // Compare the documents the day brought with the documents the third import wrote.
    let expected: BTreeSet<(String, String)> = changes
        .iter()
        .map(|c| {
            let kind = match (c.kind, c.action) {
                (DocumentKind::Invoice, ChangeAction::Added) => "InvoiceImported",
                (DocumentKind::Invoice, ChangeAction::Changed) => "InvoiceCorrected",
                (DocumentKind::CreditNote, _) => "CreditNoteImported",
                (DocumentKind::Payment, _) => "PaymentReceived",
            };
            (kind.to_owned(), c.id.clone())
        })
        .collect();
    // Straight from the table (the global-order reader would wait for other tests' transactions).
    let events: Vec<(String, String)> = sqlx::query_as(
        "SELECT event_type, payload::text FROM events WHERE aggregate_type = 'DebtorAccount' ORDER BY global_position OFFSET $1",
    )
    .bind(after_first)
    .fetch_all(books.engine.pool())
    .await
    .unwrap();
    let written: BTreeSet<(String, String)> = events
        .iter()
        .filter_map(|(event_type, payload)| {
            let payload: serde_json::Value = serde_json::from_str(payload).unwrap();
            let body = &payload[event_type];
            let id = match event_type.as_str() {
                "InvoiceImported" | "InvoiceCorrected" => body["invoice_number"].as_str(),
                "CreditNoteImported" => body["number"].as_str(),
                "PaymentReceived" => body["payment_ref"].as_str(),
                _ => None,
            }?;
            Some((event_type.clone(), id.to_owned()))
        })
        .collect();
    assert_eq!(written, expected);
}
