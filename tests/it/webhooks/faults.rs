//! Receivers that fail: the retry schedule under a manual clock until the subscription is disabled,
//! a 410, a redirect, `Retry-After`, a receiver that is down or too slow, and a worker that dies
//! with a delivery in flight.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;
use vordering::domain::AdministrationId;
use vordering::engine::Vault;
use vordering::events::Metadata;
use vordering::internals::webhooks::{
    derive_batch, Outcome, Sender, WebhookSettings, BATCH, MAX_ATTEMPTS, RETRY_SECONDS,
};
use vordering::Engine;

use super::receiver::{engine, Answer, Receiver};
use crate::projections_history::{append, date, invoice};
use crate::support::{at, eventually};

fn vault() -> Vault {
    Vault::from_hex(&secrecy::SecretString::from("33".repeat(32))).unwrap()
}

fn sender(pool: &PgPool, timeout_secs: u32) -> Sender {
    let settings = WebhookSettings { allow_private_targets: true, timeout_secs, ..WebhookSettings::default() };
    Sender::new(pool.clone(), vault(), settings).unwrap()
}

/// A subscription at `url` with one delivery derived for it; its id.
async fn one_delivery(engine: &Engine, id: &AdministrationId, pool: &PgPool, url: &str, receiver: &Receiver) -> Uuid {
    let created = engine.add_webhook(id, url, &[]).await.unwrap();
    receiver.trust(&created.secret.reveal());
    let meta = Metadata::new("import", "import:test", at("2026-12-08T06:00:00Z"));
    append(pool, "acme:D1", 0, vec![invoice("acme", "F1", date(2026, 11, 1), date(2026, 12, 1), 1)], meta).await;
    // an open transaction elsewhere in the cluster may hold the event back from the derivation
    eventually("the delivery", || async {
        derive_batch(pool, BATCH).await.unwrap();
        let derived: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_delivery").fetch_one(pool).await.unwrap();
        (derived == 1).then_some(())
    })
    .await;
    created.subscription.id
}

async fn notices(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as("SELECT kind, message FROM webhook_notice ORDER BY id").fetch_all(pool).await.unwrap()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_failing_receiver_is_tried_on_the_schedule_and_then_the_subscription_is_disabled(pool: PgPool) {
    let (engine, id) = engine(pool.clone(), 5).await;
    let receiver = Receiver::start().await;
    receiver.answer(Answer::Status(500));
    let subscription = one_delivery(&engine, &id, &pool, &receiver.url(), &receiver).await;
    let sender = sender(&pool, 5);
    let mut now: DateTime<Utc> = Utc::now();
    for attempt in 1..=MAX_ATTEMPTS {
        receiver.set_clock(now);
        let sent = sender.send_next(now).await.unwrap().expect("due");
        assert_eq!((sent.attempt, sent.status), (attempt, Some(500)));
        match sent.outcome {
            Outcome::Retry(next) => {
                let step = RETRY_SECONDS[usize::try_from(attempt).unwrap() - 1];
                let waited = (next - now).num_seconds();
                assert!(waited >= step && waited <= step + step / 10 + 1, "attempt {attempt}: {waited} s");
                assert!(sender.send_next(next - chrono::Duration::seconds(1)).await.unwrap().is_none(), "not due yet");
                now = next;
            }
            Outcome::GaveUp(reason) => {
                assert_eq!(attempt, MAX_ATTEMPTS, "given up only at the end: {reason}");
            }
            other => panic!("attempt {attempt}: {other:?}"),
        }
    }
    let counts = receiver.counts();
    assert_eq!(counts.values().copied().collect::<Vec<_>>(), [10], "ten attempts of one message, one webhook-id");
    let subscription = engine.webhooks(&id).await.unwrap().into_iter().find(|s| s.id == subscription).unwrap();
    assert!(!subscription.active);
    assert_eq!(notices(&pool).await.len(), 1);
    assert_eq!(notices(&pool).await[0].0, "webhook.disabled");
    assert!(sender.send_next(now + chrono::Duration::days(30)).await.unwrap().is_none(), "nothing more to send");
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_410_disables_the_subscription_at_once(pool: PgPool) {
    let (engine, id) = engine(pool.clone(), 5).await;
    let receiver = Receiver::start().await;
    receiver.answer(Answer::Status(410));
    one_delivery(&engine, &id, &pool, &receiver.url(), &receiver).await;
    let sent = sender(&pool, 5).send_next(Utc::now()).await.unwrap().unwrap();
    assert!(matches!(sent.outcome, Outcome::GaveUp(ref why) if why.contains("410")), "{sent:?}");
    assert!(!engine.webhooks(&id).await.unwrap()[0].active);
    assert_eq!(notices(&pool).await[0].0, "webhook.disabled");
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_redirect_is_not_followed_and_retry_after_is_honoured(pool: PgPool) {
    let (engine, id) = engine(pool.clone(), 5).await;
    let receiver = Receiver::start().await;
    receiver.answer(Answer::Redirect);
    one_delivery(&engine, &id, &pool, &receiver.url(), &receiver).await;
    let sender = sender(&pool, 5);
    let now = Utc::now();
    let sent = sender.send_next(now).await.unwrap().unwrap();
    assert_eq!(sent.status, Some(302));
    assert!(matches!(sent.outcome, Outcome::Retry(_)), "a redirect is a failure, not followed: {sent:?}");
    receiver.answer(Answer::RetryLater);
    let Outcome::Retry(first) = sent.outcome else { unreachable!() };
    receiver.set_clock(first);
    let sent = sender.send_next(first).await.unwrap().unwrap();
    let Outcome::Retry(next) = sent.outcome else { panic!("{sent:?}") };
    assert!((next - first).num_seconds() >= 120, "Retry-After: 120 wins over the 5-minute step's start");
    assert_eq!(receiver.counts().len(), 1);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_receiver_that_is_down_or_too_slow_is_tried_again(pool: PgPool) {
    let (engine, id) = engine(pool.clone(), 1).await;
    let receiver = Receiver::start().await;
    receiver.answer(Answer::Slow(Duration::from_secs(3)));
    one_delivery(&engine, &id, &pool, &receiver.url(), &receiver).await;
    let sender = sender(&pool, 1);
    let sent = sender.send_next(Utc::now()).await.unwrap().unwrap();
    assert_eq!(sent.status, None, "no answer within the timeout");
    assert!(matches!(sent.outcome, Outcome::Retry(_)));
    // Down: nothing listens on the port any more.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    sqlx::query("UPDATE webhook_subscription SET url = $1")
        .bind(format!("http://{closed}/hook"))
        .execute(&pool)
        .await
        .unwrap();
    let Outcome::Retry(next) = sent.outcome else { unreachable!() };
    let sent = sender.send_next(next).await.unwrap().unwrap();
    assert_eq!(sent.status, None);
    assert!(matches!(sent.outcome, Outcome::Retry(_)), "{sent:?}");
    let log: Vec<(Option<i32>, String)> =
        sqlx::query_as("SELECT status_code, response_head FROM webhook_attempt ORDER BY attempt")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(log.len(), 2);
    assert!(log[0].1.contains("in time") && log[1].1.contains("connect"), "{log:?}");
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_worker_that_dies_with_a_delivery_in_flight_leaves_it_to_another(pool: PgPool) {
    let (engine, id) = engine(pool.clone(), 5).await;
    let receiver = Receiver::start().await;
    receiver.answer(Answer::Slow(Duration::from_secs(30)));
    one_delivery(&engine, &id, &pool, &receiver.url(), &receiver).await;
    let now = Utc::now();
    let dying = sender(&pool, 5);
    let in_flight = tokio::spawn(async move { dying.send_next(now).await });
    crate::support::eventually("the first attempt to arrive", || async {
        (!receiver.received().is_empty()).then_some(())
    })
    .await;
    in_flight.abort(); // the process dies: no outcome is written
    receiver.answer(Answer::Ok);
    let other = sender(&pool, 5);
    assert!(other.send_next(now + chrono::Duration::seconds(10)).await.unwrap().is_none(), "the lease still holds");
    let sent = other.send_next(now + chrono::Duration::seconds(60)).await.unwrap().expect("the lease ran out");
    assert_eq!(sent.outcome, Outcome::Delivered);
    assert_eq!(receiver.counts().values().copied().collect::<Vec<_>>(), [2], "the same webhook-id twice");
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_replay_asked_while_an_attempt_is_in_flight_is_not_lost(pool: PgPool) {
    let (engine, id) = engine(pool.clone(), 5).await;
    let receiver = Receiver::start().await;
    receiver.answer(Answer::Slow(Duration::from_secs(1)));
    let subscription = one_delivery(&engine, &id, &pool, &receiver.url(), &receiver).await;
    let now = Utc::now();
    let first = sender(&pool, 5);
    let in_flight = tokio::spawn(async move { first.send_next(now).await });
    eventually("the first attempt to arrive", || async { (!receiver.received().is_empty()).then_some(()) }).await;
    let webhook_id = receiver.received()[0].id.clone();
    let replay = vordering::engine::WebhookReplay::Delivery(webhook_id.clone());
    assert_eq!(engine.replay_webhooks(&id, subscription, &replay).await.unwrap(), 1);
    let sent = in_flight.await.unwrap().unwrap().unwrap();
    assert_eq!((sent.status, sent.outcome), (Some(200), Outcome::Replayed), "answered, but a replay came after it");
    receiver.answer(Answer::Ok);
    let again = sender(&pool, 5).send_next(Utc::now()).await.unwrap().expect("the replay is due");
    assert_eq!((again.attempt, again.outcome), (2, Outcome::Delivered));
    assert_eq!(receiver.counts()[&webhook_id], 2);
    let log = engine.webhook_deliveries(&id, subscription, 10).await.unwrap();
    assert_eq!((log[0].attempts, log[0].status.as_str(), log[0].attempt_log.len()), (2, "delivered", 2));
}
