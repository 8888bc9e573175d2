//! `vordering token create` and `vordering serve` as processes: the token printed once, the server
//! answering with it, and SIGTERM stopping it after the running import completed (exit 0).

use std::process::Stdio;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use vordering::internals::eboekhouden::simulator::{Fault, FaultKind};
use vordering::internals::eboekhouden::Operation;

use super::setup::answer;
use crate::import::setup::{small, Books};
use crate::support::database_url;

fn vordering(url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vordering"));
    // The key `Books` seals the codes with.
    command.env("DATABASE_URL", url).env("VORDERING__SECRETS__KEY", "22".repeat(32)).kill_on_drop(true);
    command
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn token_create_then_serve_then_sigterm_after_the_import_completed(pool: PgPool) {
    let books = Books::new(pool.clone(), small()).await;
    let url = database_url(&pool);
    let unknown = vordering(&url).args(["token", "create", "--administration", "nope-bv"]).output().await.unwrap();
    assert_eq!(unknown.status.code(), Some(2), "{}", String::from_utf8_lossy(&unknown.stderr));
    let made = vordering(&url)
        .args(["--json", "token", "create", "--administration", "sim-bv", "--write", "--label", "ops"])
        .output()
        .await
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let made: Value = serde_json::from_slice(&made.stdout).unwrap();
    let token = made["token"].as_str().unwrap().to_owned();
    let stored: Vec<String> = sqlx::query_scalar("SELECT hash FROM api_token").fetch_all(&pool).await.unwrap();
    assert_eq!(stored, [vordering::internals::auth::token_hash(&token)], "only the hash is stored");

    let mut server = vordering(&url)
        .args(["--json", "serve", "--listen", "127.0.0.1:0", "--no-scheduler", "--endpoint"])
        .arg(books.simulator.endpoint())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    let base = format!("http://{}", first["listening"].as_str().unwrap());
    let client = reqwest::Client::new();
    let list =
        answer(client.get(format!("{base}/api/administrations")).bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!(list, (StatusCode::OK, json!([{ "id": "sim-bv", "name": "sim-bv B.V." }])));

    books.simulator.inject(Fault::new(FaultKind::Latency { millis: 1_500 }).on(Operation::GetRelaties));
    let request = client.post(format!("{base}/api/administrations/sim-bv/imports")).bearer_auth(&token);
    let (status, accepted) = answer(request.send().await.unwrap()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    let pid = server.id().unwrap().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().await.unwrap();
    assert!(killed.success());
    let exit = tokio::time::timeout(Duration::from_secs(60), server.wait()).await.unwrap().unwrap();
    assert!(exit.success(), "{exit:?}");
    let completed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE event_type = 'ImportCompleted' AND (payload -> event_type ->> 'import_id') = $1",
    )
    .bind(accepted["import_id"].as_str().unwrap())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(completed, 1, "the import finished before the process exited");
}
