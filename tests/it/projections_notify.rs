//! The runner wakes on the `events` trigger's notification, not only on its poll: with a poll of
//! ten minutes, new events still reach the projection within seconds, from both write paths, and
//! after the database restarted.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use tokio::sync::oneshot;
use vordering::domain::administration::{Administration, AdministrationCommand};
use vordering::domain::AdministrationId;
use vordering::events::debtor_account::DebtorKind;
use vordering::events::Metadata;
use vordering::internals::embedded_pg::{ensure_database, EmbeddedPostgres};
use vordering::internals::projections::{self, RunnerOptions};
use vordering::internals::store::CommandBus;
use vordering::Engine;

use crate::projections_history::{append, date, debtor, euro, invoice, today};
use crate::support::{at, eventually};

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_runner_wakes_on_new_events(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let runner = {
        let pool = pool.clone();
        let options = RunnerOptions { poll: Duration::from_secs(600), ..RunnerOptions::default() };
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            projections::run(&pool, &projections::ALL, &options, shutdown).await
        })
    };
    // Let the runner reach its wait before anything is written.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let meta = Metadata::new("scheduler", "import:test", at("2025-06-15T06:00:00Z"));
    append(
        &pool,
        "acme:D1",
        0,
        vec![
            debtor("acme", "D1", "Alpha BV", DebtorKind::Business),
            invoice("acme", "F1", date(2025, 5, 1), date(2025, 5, 31), 125),
        ],
        meta.clone(),
    )
    .await;
    let acme = AdministrationId::new("acme").unwrap();
    let started = std::time::Instant::now();
    eventually("the bulk-appended invoice in the projection", || async {
        (engine.outstanding(&acme, today()).await.unwrap().outstanding == euro(125)).then_some(())
    })
    .await;
    // The single-command path (cqrs-es) notifies through the same trigger.
    let register = AdministrationCommand::Register { name: "Acme".to_owned(), registered_by: "alice".to_owned() };
    CommandBus::<Administration>::new(pool.clone()).execute("acme", register, &meta).await.unwrap();
    eventually("the command's event in the checkpoint", || async {
        let status = projections::status(&pool).await.unwrap();
        status.iter().all(|s| s.lag_events == 0).then_some(())
    })
    .await;
    assert!(started.elapsed() < Duration::from_secs(60), "woken by notifications, not by the 600 s poll");
    stop.send(()).unwrap();
    runner.await.unwrap();
}

/// A database restart under the runner: it fails its rounds while the server is down, backs off,
/// listens again and folds what comes after, by itself.
#[tokio::test]
async fn the_runner_outlives_a_database_restart() {
    // A cluster of the test's own: stopping the shared one would stop every other test.
    let dir = tempfile::tempdir().unwrap();
    let cluster = EmbeddedPostgres::start(dir.path()).unwrap();
    ensure_database(&cluster, "blip").await.unwrap();
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(cluster.connect_options("blip"))
        .await
        .unwrap();
    vordering::MIGRATOR.run(&pool).await.unwrap();
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    let runner = {
        let (pool, stop) = (pool.clone(), stop.clone());
        // A poll of ten minutes: only notifications and the back-off bring the runner round.
        let options = RunnerOptions { poll: Duration::from_secs(600), ..RunnerOptions::default() };
        tokio::spawn(async move { projections::run(&pool, &projections::ALL, &options, stop.cancelled_owned()).await })
    };
    let acme = AdministrationId::new("acme").unwrap();
    let outstanding = |euros: i64| {
        let (engine, acme) = (&engine, &acme);
        move || async move { (engine.outstanding(acme, today()).await.ok()?.outstanding == euro(euros)).then_some(()) }
    };
    let meta = Metadata::new("import", "import:test", at("2025-06-15T06:00:00Z"));
    let due = (date(2025, 5, 1), date(2025, 5, 31));
    append(&pool, "acme:D1", 0, vec![invoice("acme", "F1", due.0, due.1, 125)], meta.clone()).await;
    eventually("the first invoice folded", outstanding(125)).await;

    cluster.stop().unwrap();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let cluster = EmbeddedPostgres::start(dir.path()).unwrap();
    append(&pool, "acme:D2", 0, vec![invoice("acme", "F2", due.0, due.1, 75)], meta).await;
    eventually("the invoice after the restart folded", outstanding(200)).await;
    stop.cancel();
    runner.await.unwrap();
    pool.close().await;
    cluster.stop().unwrap();
}

/// Waits up to `within` for a notification on the events channel.
async fn notified(listener: &mut sqlx::postgres::PgListener, within: Duration) -> bool {
    matches!(tokio::time::timeout(within, listener.recv()).await, Ok(Ok(_)))
}

/// The store's pools opt out of the trigger's in-transaction NOTIFY (it would serialise commits);
/// the bulk path opts back in, and a command notifies after its commit, so both still wake runners.
#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_stores_pools_notify_after_commit_not_inside_it(pool: PgPool) {
    let options = (*pool.connect_options()).clone();
    let store_pool =
        vordering::internals::store::connect(options, &vordering::internals::store::PoolSettings::default())
            .await
            .unwrap();
    let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await.unwrap();
    listener.listen(vordering::internals::store::CHANNEL).await.unwrap();

    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('Probe', 'p1', 1, 'Probed', '1.0', '{}', '{}')",
    )
    .execute(&store_pool)
    .await
    .unwrap();
    assert!(!notified(&mut listener, Duration::from_millis(500)).await, "a plain insert on a store pool is quiet");

    let meta = Metadata::new("scheduler", "import:test", at("2025-06-15T06:00:00Z"));
    append(&store_pool, "acme:D1", 0, vec![debtor("acme", "D1", "Alpha BV", DebtorKind::Business)], meta.clone()).await;
    assert!(notified(&mut listener, Duration::from_secs(10)).await, "the bulk path notifies");

    let register = AdministrationCommand::Register { name: "Acme".to_owned(), registered_by: "alice".to_owned() };
    CommandBus::<Administration>::new(store_pool.clone()).execute("acme", register, &meta).await.unwrap();
    assert!(notified(&mut listener, Duration::from_secs(10)).await, "a command notifies after its commit");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_id = 'acme'")
        .fetch_one(&store_pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}
