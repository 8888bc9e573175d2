//! Deliveries: every event once, none skipped under concurrent writers, only to the subscriptions
//! that want them, signed (with both secrets during a rotation), and replayed with the same id.

use std::collections::BTreeSet;
use std::time::Duration;

use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use vordering::engine::{WebhookEventType, WebhookReplay};
use vordering::events::Metadata;
use vordering::Engine;

use super::receiver::{engine, Receiver};
use crate::projections_history::{append, date, invoice, linked, payment};
use crate::support::{at, eventually};

fn meta() -> Metadata {
    Metadata::new("import", "import:test", at("2026-12-08T06:00:00Z"))
}

/// Runs the webhook runner until the returned token is cancelled.
fn run(engine: &std::sync::Arc<Engine>) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let stop = CancellationToken::new();
    let (engine, token) = (std::sync::Arc::clone(engine), stop.clone());
    let task = tokio::spawn(async move { engine.run_webhooks(token.cancelled_owned()).await.unwrap() });
    (stop, task)
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn every_event_is_delivered_once_under_concurrent_writers_and_none_is_skipped(pool: PgPool) {
    let (engine, id) = engine(pool.clone(), 15).await;
    let engine = std::sync::Arc::new(engine);
    let receiver = Receiver::start().await;
    let created = engine.add_webhook(&id, &receiver.url(), &[WebhookEventType::InvoiceImported]).await.unwrap();
    receiver.trust(&created.secret.reveal());
    let (stop, runner) = run(&engine);
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for n in 0..25 {
                    let account = format!("acme:W{writer}-{n}");
                    let invoices = (0..4)
                        .map(|i| {
                            invoice("acme", &format!("F{writer}-{n}-{i}"), date(2026, 11, 1), date(2026, 12, 1), 10)
                        })
                        .collect();
                    append(&pool, &account, 0, invoices, meta()).await;
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    eventually("400 deliveries", || async { (receiver.counts().len() >= 400).then_some(()) }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.cancel();
    runner.await.unwrap();
    let counts = receiver.counts();
    assert_eq!(counts.len(), 400, "every invoice once");
    assert!(counts.values().all(|&n| n == 1), "no duplicates without a failure: {counts:?}");
    let numbers: BTreeSet<String> =
        receiver.received().iter().map(|m| m.body["data"]["invoice_number"].as_str().unwrap().to_owned()).collect();
    assert_eq!(numbers.len(), 400);
    let first = &receiver.received()[0].body;
    assert_eq!(first["type"], "invoice.imported");
    assert_eq!(first["administration"], "acme");
    assert_eq!(first["data"]["amount"], 1_000, "cents");
    assert!(first["timestamp"].as_str().unwrap().ends_with('Z'));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn an_invoice_a_payment_settles_is_paid_once_and_a_part_payment_is_not(pool: PgPool) {
    let (engine, id) = engine(pool.clone(), 15).await;
    let engine = std::sync::Arc::new(engine);
    let receiver = Receiver::start().await;
    let created = engine.add_webhook(&id, &receiver.url(), &[WebhookEventType::InvoicePaid]).await.unwrap();
    receiver.trust(&created.secret.reveal());
    append(&pool, "acme:D1", 0, vec![invoice("acme", "F1", date(2026, 11, 1), date(2026, 12, 1), 100)], meta()).await;
    append(&pool, "acme:D1", 1, vec![payment("acme", "P1", date(2026, 12, 2), 40), linked(1, "P1", "F1", 40)], meta())
        .await;
    append(&pool, "acme:D1", 3, vec![payment("acme", "P2", date(2026, 12, 5), 60), linked(2, "P2", "F1", 60)], meta())
        .await;
    let (stop, runner) = run(&engine);
    eventually("the paid message", || async { (!receiver.received().is_empty()).then_some(()) }).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.cancel();
    runner.await.unwrap();
    let received = receiver.received();
    assert_eq!(received.len(), 1, "only the payment that brought it to zero: {received:?}");
    let data = &received[0].body["data"];
    assert_eq!((data["invoice_number"].as_str(), data["paid_on"].as_str()), (Some("F1"), Some("2026-12-05")));
    assert_eq!(received[0].body["type"], "invoice.paid");
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_subscription_gets_the_events_after_it_of_its_own_administration_only(pool: PgPool) {
    let (engine, id) = engine(pool.clone(), 15).await;
    let engine = std::sync::Arc::new(engine);
    let receiver = Receiver::start().await;
    append(&pool, "acme:D1", 0, vec![invoice("acme", "OLD", date(2026, 11, 1), date(2026, 12, 1), 1)], meta()).await;
    let created = engine.add_webhook(&id, &receiver.url(), &[]).await.unwrap();
    receiver.trust(&created.secret.reveal());
    append(&pool, "acme:D1", 1, vec![invoice("acme", "NEW", date(2026, 11, 1), date(2026, 12, 1), 1)], meta()).await;
    append(&pool, "acme_x:D1", 0, vec![invoice("acme_x", "THEIRS", date(2026, 11, 1), date(2026, 12, 1), 1)], meta())
        .await;
    let (stop, runner) = run(&engine);
    eventually("the new invoice", || async { (!receiver.received().is_empty()).then_some(()) }).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.cancel();
    runner.await.unwrap();
    let numbers: Vec<String> =
        receiver.received().iter().map(|m| m.body["data"]["invoice_number"].as_str().unwrap().to_owned()).collect();
    assert_eq!(numbers, ["NEW"], "not before the subscription, not another administration's");
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn during_a_rotation_both_secrets_sign_and_a_replay_keeps_the_webhook_id(pool: PgPool) {
    let (engine, id) = engine(pool.clone(), 15).await;
    let engine = std::sync::Arc::new(engine);
    let receiver = Receiver::start().await;
    let created = engine.add_webhook(&id, &receiver.url(), &[]).await.unwrap();
    let rotated = engine.rotate_webhook(&id, created.subscription.id).await.unwrap();
    assert_ne!(created.secret.reveal(), rotated.secret.reveal());
    receiver.trust(&created.secret.reveal());
    receiver.trust(&rotated.secret.reveal());
    append(&pool, "acme:D1", 0, vec![invoice("acme", "F1", date(2026, 11, 1), date(2026, 12, 1), 1)], meta()).await;
    let (stop, runner) = run(&engine);
    eventually("the delivery", || async { (!receiver.received().is_empty()).then_some(()) }).await;
    let first = receiver.received()[0].clone();
    assert_eq!(first.verified_by, [0, 1], "signed by the old and the new secret");
    let replayed =
        engine.replay_webhooks(&id, created.subscription.id, &WebhookReplay::Delivery(first.id.clone())).await.unwrap();
    assert_eq!(replayed, 1);
    eventually("the replay", || async { (receiver.received().len() == 2).then_some(()) }).await;
    stop.cancel();
    runner.await.unwrap();
    assert_eq!(receiver.counts()[&first.id], 2, "the replay carries the same webhook-id");
    let log = engine.webhook_deliveries(&id, created.subscription.id, 10).await.unwrap();
    assert_eq!((log.len(), log[0].attempts, log[0].status.as_str()), (1, 2, "delivered"));
}
