//! First import, a second run that appends nothing, and a day advanced in the books.

use std::collections::BTreeSet;
use std::time::Instant;

use sqlx::PgPool;
use vordering::internals::eboekhouden::simulator::{ChangeAction, DocumentKind, SimulatorConfig};
use vordering::internals::import::ImportReport;
use vordering::Settings;

use super::setup::{small, Books};

/// `VORDERING_FLOW_INVOICES=100000` runs the same test on the scale of the issue (10 invoices a
/// debtor, the simulator's quota and the call budget raised to fit).
fn books_of_the_size_asked() -> (SimulatorConfig, Settings) {
    let mut settings = Settings::default();
    let Some(invoices) = std::env::var("VORDERING_FLOW_INVOICES").ok().and_then(|n| n.parse::<u64>().ok()) else {
        return (small(), settings);
    };
    let mut config = SimulatorConfig::new((invoices / 10).max(1), invoices, 7);
    config.session_lifetime = std::time::Duration::from_secs(24 * 3600);
    config.mutaties_quota = 1_000_000;
    settings.import.monthly_call_limit = 1_000_000;
    (config, settings)
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn first_import_then_nothing_new_then_exactly_the_days_changes(pool: PgPool) {
    let (config, settings) = books_of_the_size_asked();
    let (debtors, invoices) = (config.debtors, config.invoices);
    let books = Books::with_settings(pool, config, settings).await;
    let started = Instant::now();
    let first = books.import().await.unwrap();
    report("first import", &first, started);
    assert_eq!(first.counts.errors, 0, "{:?}", first.issues);
    assert_eq!(first.counts.debtors_added, debtors);
    assert!(first.counts.invoices_added > invoices / 2, "{:?}", first.counts);
    assert!(first.counts.payments_added > 0 && first.counts.payments_linked > 0, "{:?}", first.counts);
    let after_first = books.event_count().await;
    assert_eq!(u64::try_from(after_first).unwrap(), first.counts.events_written);

    let started = Instant::now();
    let second = books.import().await.unwrap();
    report("second import", &second, started);
    assert_eq!(second.counts.events_written, 0, "a second run appends nothing: {:?}", second.counts);
    assert_eq!(books.event_count().await, after_first);

    let changes = books.simulator.advance_days(1);
    assert!(!changes.is_empty(), "the simulator's day brings documents");
    let started = Instant::now();
    let third = books.import().await.unwrap();
    report("third import", &third, started);
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
    eprintln!("the day brought {} documents; the third import wrote exactly those", expected.len());
}

fn report(run: &str, report: &ImportReport, started: Instant) {
    eprintln!("{run}: {:?} in {:.2} s", report.counts, started.elapsed().as_secs_f64());
}

/// A debtor with more events than one batch holds is written in parts, all by one writer and in
/// order, while the other debtors' batches go to the other writers: every stream runs 1..n without
/// a gap, the global order holds each stream in sequence order, and a rerun appends nothing.
#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn debtors_larger_than_a_batch_are_written_in_order_beside_the_others(pool: PgPool) {
    let mut settings = Settings::default();
    settings.import.writers = 3;
    settings.import.debtors_per_page = 2;
    let books = Books::with_settings(pool, SimulatorConfig::new(4, 12_000, 11), settings).await;
    let first = books.import().await.unwrap();
    assert_eq!(first.counts.errors, 0, "{:?}", first.issues);
    let streams: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT aggregate_id, count(*), min(sequence), max(sequence) FROM events \
         WHERE aggregate_type = 'DebtorAccount' GROUP BY aggregate_id ORDER BY aggregate_id",
    )
    .fetch_all(books.engine.pool())
    .await
    .unwrap();
    let batch = i64::try_from(vordering::internals::store::MAX_BATCH_EVENTS).unwrap();
    assert!(streams.iter().filter(|(_, count, ..)| *count > batch).count() >= 2, "{streams:?}");
    for (id, count, first_sequence, last_sequence) in &streams {
        assert_eq!((*first_sequence, *last_sequence), (1, *count), "the stream of {id} has a gap");
    }
    // Readers see each stream in sequence order: the global order (commit order) never puts a
    // later part before an earlier one.
    let out_of_order: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT sequence, lag(sequence) OVER (PARTITION BY aggregate_id \
             ORDER BY tx_id, global_position) AS before FROM events WHERE aggregate_type = 'DebtorAccount') s \
         WHERE before <> sequence - 1",
    )
    .fetch_one(books.engine.pool())
    .await
    .unwrap();
    assert_eq!(out_of_order, 0);
    let total: i64 = streams.iter().map(|(_, count, ..)| count).sum();
    assert_eq!(u64::try_from(total).unwrap(), first.counts.events_written);
    let again = books.import().await.unwrap();
    assert_eq!(again.counts.events_written, 0, "{:?}", again.counts);
}
