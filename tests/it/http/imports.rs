//! "Import now": 202 with the import id, the import log shows it completed; 409 while it runs
//! (in this process, or in another one holding the import lock); 409 when not linked.

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection, PgPool};
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::AdministrationId;
use vordering::events::Metadata;
use vordering::internals::eboekhouden::simulator::{Fault, FaultKind};
use vordering::internals::eboekhouden::Operation;

use super::setup::{answer, assert_error, Server};
use crate::support::eventually;

/// Polls the import log until the import has ended; returns its entry.
pub async fn ended(server: &Server, token: &str, import_id: &str) -> Value {
    eventually("the import to end", || async {
        let (_, log) = server.get("/api/administrations/sim-bv/imports", Some(token)).await;
        log.as_array()?.iter().find(|e| e["import_id"] == import_id && e["status"] != "started").cloned()
    })
    .await
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn import_now_is_accepted_and_the_log_shows_it_completed(pool: PgPool) {
    let server = Server::start(pool).await;
    let token = server.token(&["sim-bv"], true, "ops").await;
    let (status, accepted) = server.post("/api/administrations/sim-bv/imports", Some(&token), &json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    let import_id = accepted["import_id"].as_str().unwrap().to_owned();
    let entry = ended(&server, &token, &import_id).await;
    assert_eq!(entry["status"], "completed", "{entry}");
    assert_eq!(entry["trigger"], "Manual");
    assert_eq!(entry["actor"], "ops");
    assert_eq!(entry["counts"]["debtors_added"], 20);
    assert_eq!(entry["counts"]["errors"], 0);
    let (_, log) = server.get("/api/administrations/sim-bv/imports", Some(&token)).await;
    assert_eq!(log.as_array().unwrap().len(), 1);
    let (_, view) = server.get("/api/administrations/sim-bv", Some(&token)).await;
    assert_eq!(view["last_import"]["import_id"], import_id.as_str());
    assert_eq!(view["last_import"]["status"], "completed");
    assert_error(
        &server.get("/api/administrations/sim-bv/imports?days=lots", Some(&token)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_query",
    );
    server.stop().await;
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_second_import_now_while_one_runs_is_409(pool: PgPool) {
    let server = Server::start(pool).await;
    let token = server.token(&["sim-bv"], true, "ops").await;
    // Reading the relations takes 1.5 s: long enough to ask again while it runs.
    server.simulator.inject(Fault::new(FaultKind::Latency { millis: 1_500 }).on(Operation::GetRelaties));
    let (status, first) = server.post("/api/administrations/sim-bv/imports", Some(&token), &json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let again = server.post_response("/api/administrations/sim-bv/imports", Some(&token), &json!({})).await;
    // The answer says when to ask again.
    assert_eq!(again.headers().get("retry-after").map(|v| v.to_str().unwrap()), Some("5"));
    assert_error(&answer(again).await, StatusCode::CONFLICT, "import_running");
    let entry = ended(&server, &token, first["import_id"].as_str().unwrap()).await;
    assert_eq!(entry["status"], "completed", "{entry}");
    // Ended: a new one is accepted at once (and appends nothing new). The log shows the end a moment
    // before the import task lets go of the administration (its lock, then its place in the running
    // set); "import now" waits that moment out instead of answering 409.
    let (status, second) = server.post("/api/administrations/sim-bv/imports", Some(&token), &json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{second}");
    let entry = ended(&server, &token, second["import_id"].as_str().unwrap()).await;
    assert_eq!(entry["counts"]["events_written"], 0, "{entry}");
    server.stop().await;
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn import_now_while_another_process_imports_is_409(pool: PgPool) {
    let server = Server::start(pool.clone()).await;
    let token = server.token(&["sim-bv"], true, "ops").await;
    // Another process's import holds this lock (see `run_import`).
    let mut other = PgConnection::connect_with(&pool.connect_options()).await.unwrap();
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
        .bind("vordering:import:sim-bv")
        .fetch_one(&mut other)
        .await
        .unwrap();
    assert!(locked);
    let answer = server.post("/api/administrations/sim-bv/imports", Some(&token), &json!({})).await;
    assert_error(&answer, StatusCode::CONFLICT, "import_running");
    // Let go explicitly: a closed connection's lock goes only when the server has seen it go.
    sqlx::query("SELECT pg_advisory_unlock(hashtextextended($1, 0))")
        .bind("vordering:import:sim-bv")
        .execute(&mut other)
        .await
        .unwrap();
    other.close().await.unwrap();
    let (status, _) = server.post("/api/administrations/sim-bv/imports", Some(&token), &json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    server.stop().await;
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn import_now_of_an_unlinked_administration_is_409_not_linked(pool: PgPool) {
    let server = Server::start(pool).await;
    let id = AdministrationId::new("bare-bv").unwrap();
    let register = AdministrationCommand::Register { name: "Bare B.V.".to_owned(), registered_by: "t".to_owned() };
    server.engine.administration_command(&id, register, &Metadata::new("t", "test", Utc::now())).await.unwrap();
    let token = server.token(&["bare-bv"], true, "ops").await;
    let answer = server.post("/api/administrations/bare-bv/imports", Some(&token), &json!({})).await;
    assert_error(&answer, StatusCode::CONFLICT, "not_linked");
    let (_, view) = server.get("/api/administrations/bare-bv", Some(&token)).await;
    assert_eq!(view["link"]["status"], "not_linked");
    server.stop().await;
}
