//! Webhooks across restarts: the database server stopped and started again under a running
//! runner, and a `vordering serve` killed (SIGKILL) with a delivery in flight. Each ends with every
//! event delivered, under the id it had before.

use std::process::Stdio;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use tokio::process::Command;
use tokio_util::sync::CancellationToken;
use vordering::events::Metadata;
use vordering::internals::embedded_pg::{ensure_database, EmbeddedPostgres};

use super::receiver::{engine, Answer, Receiver};
use crate::projections_history::{append, date, invoice};
use crate::support::{at, database_url, eventually, eventually_within};

fn meta() -> Metadata {
    Metadata::new("import", "import:test", at("2026-12-08T06:00:00Z"))
}

/// Appends one invoice to a debtor account of its own, `acme:R{n}`.
async fn one_invoice(pool: &PgPool, n: usize) {
    let number = format!("F{n}");
    append(
        pool,
        &format!("acme:R{n}"),
        0,
        vec![invoice("acme", &number, date(2026, 11, 1), date(2026, 12, 1), 5)],
        meta(),
    )
    .await;
}

async fn delivered(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM webhook_delivery WHERE status = 'delivered'")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_database_restart_under_a_running_runner_loses_no_delivery() {
    // A cluster of the test's own: stopping the shared one would stop every other test.
    let dir = tempfile::tempdir().unwrap();
    let cluster = EmbeddedPostgres::start(dir.path()).unwrap();
    ensure_database(&cluster, "hooks").await.unwrap();
    let options = cluster.connect_options("hooks");
    let pool =
        PgPoolOptions::new().acquire_timeout(Duration::from_secs(5)).connect_with(options.clone()).await.unwrap();
    vordering::MIGRATOR.run(&pool).await.unwrap();
    let (engine, id) = engine(pool.clone(), 5).await;
    let engine = std::sync::Arc::new(engine);
    let receiver = Receiver::start().await;
    let created = engine.add_webhook(&id, &receiver.url(), &[]).await.unwrap();
    receiver.trust(&created.secret.reveal());
    let stop = CancellationToken::new();
    let runner = tokio::spawn({
        let (engine, stop) = (std::sync::Arc::clone(&engine), stop.clone());
        async move { engine.run_webhooks(stop.cancelled_owned()).await }
    });
    for n in 0..5 {
        one_invoice(&pool, n).await;
    }
    // Nothing in flight at the stop (the kill test below is the one with a delivery in flight).
    eventually("the first five delivered", || async { (delivered(&pool).await == 5).then_some(()) }).await;

    cluster.stop().unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let cluster = EmbeddedPostgres::start(dir.path()).unwrap();
    for n in 5..10 {
        one_invoice(&pool, n).await;
    }
    eventually("all ten", || async { (receiver.counts().len() == 10).then_some(()) }).await;
    eventually("all ten marked delivered", || async { (delivered(&pool).await == 10).then_some(()) }).await;
    stop.cancel();
    runner.await.unwrap().unwrap();
    assert!(receiver.counts().values().all(|&n| n == 1), "nothing was in flight at the stop: {:?}", receiver.counts());
    pool.close().await;
    cluster.stop().unwrap();
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_serve_killed_with_a_delivery_in_flight_leaves_it_to_the_next(pool: PgPool) {
    let (engine, id) = engine(pool.clone(), 5).await;
    let receiver = Receiver::start().await;
    let created = engine.add_webhook(&id, &receiver.url(), &[]).await.unwrap();
    receiver.trust(&created.secret.reveal());
    // The receiver takes the first message and sits on it, past the moment the process dies.
    receiver.answer(Answer::Slow(Duration::from_secs(60)));
    one_invoice(&pool, 0).await;
    let serve = || {
        Command::new(env!("CARGO_BIN_EXE_vordering"))
            .args(["serve", "--listen", "127.0.0.1:0", "--no-scheduler"])
            .env("DATABASE_URL", database_url(&pool))
            .env("VORDERING__SECRETS__KEY", "33".repeat(32))
            .env("VORDERING__WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true")
            .env("VORDERING__WEBHOOKS__TIMEOUT_SECS", "5")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap()
    };
    let mut first = serve();
    eventually("the first attempt", || async { (receiver.counts().len() == 1).then_some(()) }).await;
    first.start_kill().unwrap();
    first.wait().await.unwrap();
    receiver.answer(Answer::Ok);
    for n in 1..4 {
        one_invoice(&pool, n).await;
    }
    let mut second = serve();
    // The dead process's lease (its timeout and a margin) runs out; then the second sends it again.
    let after_the_lease = Duration::from_secs(90);
    eventually_within(after_the_lease, "all four marked delivered", || async {
        (delivered(&pool).await == 4).then_some(())
    })
    .await;
    second.start_kill().unwrap();
    second.wait().await.unwrap();
    let counts = receiver.counts();
    assert_eq!(counts.len(), 4, "{counts:?}");
    let resent: Vec<usize> = counts.values().copied().filter(|&n| n > 1).collect();
    assert_eq!(resent, [2], "the one in flight came twice, under its id; the others once: {counts:?}");
}
