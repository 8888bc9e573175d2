//! The runner wakes on the `events` trigger's notification, not only on its poll: with a poll of
//! ten minutes, new events still reach the projection within seconds, from both write paths.

use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::oneshot;
use vordering::domain::administration::{Administration, AdministrationCommand};
use vordering::domain::AdministrationId;
use vordering::events::debtor_account::DebtorKind;
use vordering::events::Metadata;
use vordering::projections::{self, RunnerOptions};
use vordering::store::CommandBus;
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
    runner.await.unwrap().unwrap();
}
