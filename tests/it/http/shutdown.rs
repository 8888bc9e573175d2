//! The graceful stop in-process: on the signal the listener closes at once, the running import
//! finishes, and only then does `serve` return; nothing is lost.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use vordering::internals::eboekhouden::simulator::{Fault, FaultKind};
use vordering::internals::eboekhouden::Operation;

use super::setup::Server;

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn stopping_refuses_new_connections_and_lets_the_running_import_finish(pool: PgPool) {
    let mut server = Server::start(pool.clone()).await;
    let token = server.token(&["sim-bv"], true, "ops").await;
    server.simulator.inject(Fault::new(FaultKind::Latency { millis: 1_500 }).on(Operation::GetRelaties));
    let (status, accepted) = server.post("/api/administrations/sim-bv/imports", Some(&token), &json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let import_id = accepted["import_id"].as_str().unwrap().to_owned();

    server.signal_stop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = reqwest::Client::new().get(format!("{}/api/openapi.json", server.base)).send().await;
    assert!(refused.is_err(), "the listener is closed: {refused:?}");
    let task = server.task.take().unwrap();
    assert!(!task.is_finished(), "serve waits for the import");

    task.await.unwrap().unwrap();
    let ended: Vec<String> = sqlx::query_scalar(
        "SELECT event_type FROM events WHERE aggregate_type = 'Administration' AND event_type LIKE 'Import%' \
         AND (payload -> event_type ->> 'import_id') = $1 ORDER BY sequence",
    )
    .bind(&import_id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(ended, ["ImportStarted", "ImportCompleted"]);
    let written: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type = 'DebtorAccount'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(written > 100, "the import wrote its events: {written}");
}
