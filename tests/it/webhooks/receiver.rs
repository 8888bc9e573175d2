//! A webhook receiver on loopback: verifies each message with the subscription's secret(s),
//! counts the messages per `webhook-id`, and answers as the test tells it to.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::AdministrationId;
use vordering::engine::{Vault, WebhookSecret};
use vordering::events::Metadata;
use vordering::internals::webhooks::verify;
use vordering::{Engine, Settings};

/// How the receiver answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Ok,
    Status(u16),
    /// 503 with `Retry-After: 120`.
    RetryLater,
    /// A redirect to another path, which a sender must not follow.
    Redirect,
    /// Answers only after this long.
    Slow(Duration),
}

/// One message as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub verified_by: Vec<usize>,
    pub body: serde_json::Value,
}

#[derive(Debug)]
struct Inner {
    secrets: Vec<WebhookSecret>,
    answer: Answer,
    received: Vec<Received>,
    /// The receiver's clock for the timestamp check, when a test runs the sender on a manual clock.
    clock: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    pub addr: SocketAddr,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner =
            Arc::new(Mutex::new(Inner { secrets: Vec::new(), answer: Answer::Ok, received: Vec::new(), clock: None }));
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .route("/elsewhere", axum::routing::post(|| async { StatusCode::OK }))
            .with_state(Arc::clone(&inner));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { inner, addr }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Verifies with this secret too (the first added is index 0).
    pub fn trust(&self, secret: &str) {
        self.inner.lock().unwrap().secrets.push(WebhookSecret::parse(secret).unwrap());
    }

    pub fn answer(&self, answer: Answer) {
        self.inner.lock().unwrap().answer = answer;
    }

    /// Checks the timestamps against `now` instead of the wall clock.
    pub fn set_clock(&self, now: DateTime<Utc>) {
        self.inner.lock().unwrap().clock = Some(now);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// How many times each `webhook-id` arrived.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for message in self.received() {
            *counts.entry(message.id).or_default() += 1;
        }
        counts
    }
}

async fn receive(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let text = std::str::from_utf8(&body).unwrap().to_owned();
    let answer = {
        let mut inner = inner.lock().unwrap();
        let now = inner.clock.unwrap_or_else(Utc::now).timestamp();
        let verified_by: Vec<usize> = inner
            .secrets
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                verify(s, header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"), &text, now)
                    .is_ok()
            })
            .map(|(i, _)| i)
            .collect();
        assert!(!verified_by.is_empty(), "every message is signed by a trusted secret: {headers:?}");
        let id = header("webhook-id").unwrap().to_owned();
        inner.received.push(Received { id, verified_by, body: serde_json::from_str(&text).unwrap() });
        inner.answer
    };
    match answer {
        Answer::Ok => StatusCode::NO_CONTENT.into_response(),
        Answer::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Answer::RetryLater => (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "120")], "later").into_response(),
        Answer::Redirect => (StatusCode::FOUND, [("location", "/elsewhere")]).into_response(),
        Answer::Slow(wait) => {
            tokio::time::sleep(wait).await;
            StatusCode::OK.into_response()
        }
    }
}

/// An engine with a vault and private targets allowed (the receiver is on loopback), and `acme`
/// registered.
pub async fn engine(pool: PgPool, timeout_secs: u32) -> (Engine, AdministrationId) {
    let mut settings = Settings::default();
    settings.webhooks.allow_private_targets = true;
    settings.webhooks.timeout_secs = timeout_secs;
    let vault = Vault::from_hex(&secrecy::SecretString::from("33".repeat(32))).unwrap();
    let engine = Engine::from_pool(pool).await.unwrap().with_vault(vault).with_settings(settings);
    let id = AdministrationId::new("acme").unwrap();
    let register = AdministrationCommand::Register { name: "Acme B.V.".to_owned(), registered_by: "tester".to_owned() };
    engine.administration_command(&id, register, &Metadata::new("tester", "test", Utc::now())).await.unwrap();
    (engine, id)
}
