//! The embedding API: a back-office server of its own mounts `Engine::router()` under
//! `/receivables` beside its own routes, with its own tracing subscriber and shutdown signal, and
//! serves both over real HTTP.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::routing::get;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use vordering::domain::AdministrationId;
use vordering::internals::auth::TokenScope;

use crate::http::setup::{answer, assert_error};
use crate::import::setup::{small, Books};

/// The back-office's log: everything its subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_back_office_mounts_the_router_under_a_prefix_with_its_own_tracing_and_shutdown(pool: PgPool) {
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt().with_writer(log.clone()).with_ansi(false).finish();
    let _subscriber = tracing::subscriber::set_default(subscriber);
    let engine = Arc::new(Books::new(pool, small()).await.engine);
    let scope = TokenScope {
        administrations: vec![AdministrationId::new("sim-bv").unwrap()],
        can_write: false,
        label: "back-office".to_owned(),
    };
    let token = engine.create_token(&scope).await.unwrap();

    let app = axum::Router::new().route("/health", get(|| async { "ok" })).nest("/receivables", engine.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let signal = shutdown.clone().cancelled_owned();
    let server = tokio::spawn(async move { axum::serve(listener, app).with_graceful_shutdown(signal).await });

    let client = reqwest::Client::new();
    let health = client.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!((health.status(), health.text().await.unwrap()), (StatusCode::OK, "ok".to_owned()));
    let list = client.get(format!("{base}/receivables/api/administrations")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(answer(list).await, (StatusCode::OK, json!([{ "id": "sim-bv", "name": "sim-bv B.V." }])));
    let anonymous = client.get(format!("{base}/receivables/api/administrations")).send().await.unwrap();
    assert_error(&answer(anonymous).await, StatusCode::UNAUTHORIZED, "unauthorized");
    let document = client.get(format!("{base}/receivables/api/openapi.json")).send().await.unwrap();
    assert_eq!(document.status(), StatusCode::OK);

    shutdown.cancel();
    server.await.unwrap().unwrap();
    assert!(client.get(format!("{base}/health")).send().await.is_err(), "stopped on the back-office's signal");
    let written = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        written.contains("method=GET path=/receivables/api/administrations status=200"),
        "the engine logs through the back-office's subscriber: {written}"
    );
    assert!(written.contains("path=/receivables/api/administrations status=401"), "{written}");
}
