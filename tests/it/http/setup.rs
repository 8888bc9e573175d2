//! A running server over a linked administration and its simulated books, and a small client.

use std::sync::Arc;

use chrono::{NaiveTime, TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::AdministrationId;
use vordering::events::Metadata;
use vordering::http::{Api, ManualClock, ServeOptions};
use vordering::internals::auth::TokenScope;
use vordering::internals::eboekhouden::simulator::SimulatorHandle;
use vordering::Engine;

use crate::import::setup::{small, Books};

pub struct Server {
    pub base: String,
    pub api: Api,
    pub engine: Arc<Engine>,
    pub simulator: SimulatorHandle,
    pub id: AdministrationId,
    pub clock: Arc<ManualClock>,
    stop: Option<oneshot::Sender<()>>,
    pub task: Option<JoinHandle<std::io::Result<()>>>,
    client: reqwest::Client,
}

impl Server {
    /// `sim-bv` (registered, linked) and `other-bv` (registered, linked); the clock at noon of the
    /// simulator's day; no scheduler (the scheduler tests tick it themselves).
    pub async fn start(pool: PgPool) -> Server {
        Server::start_with(pool, None).await
    }

    /// With `daily_at`: `sim-bv` imports daily at that time, the clock stands at the real now and
    /// the server runs its scheduler.
    pub async fn start_with(pool: PgPool, daily_at: Option<NaiveTime>) -> Server {
        let books = Books::new(pool, small()).await;
        if let Some(daily_at) = daily_at {
            let enable = AdministrationCommand::EnableAutoImport { daily_at };
            let meta = Metadata::new("t", "test", Utc::now());
            books.engine.administration_command(&books.id, enable, &meta).await.unwrap();
        }
        books.add_administration(&AdministrationId::new("other-bv").unwrap()).await;
        let Books { engine, simulator, id } = books;
        let engine = Arc::new(engine);
        let noon = simulator.today().and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap()).and_utc();
        let clock = Arc::new(ManualClock::new(if daily_at.is_some() { Utc::now() } else { noon }));
        let options = ServeOptions { schedule: daily_at.is_some(), ..ServeOptions::default() };
        let api = engine.api().with_clock(clock.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(vordering::http::serve(listener, api.clone(), options, async move {
            let _ = stopped.await;
        }));
        Server {
            base,
            api,
            engine,
            simulator,
            id,
            clock,
            stop: Some(stop),
            task: Some(task),
            client: reqwest::Client::new(),
        }
    }

    /// A token for `administrations`, labelled `label`.
    pub async fn token(&self, administrations: &[&str], can_write: bool, label: &str) -> String {
        let scope = TokenScope {
            administrations: administrations.iter().map(|a| AdministrationId::new(a).unwrap()).collect(),
            can_write,
            label: label.to_owned(),
        };
        self.engine.create_token(&scope).await.unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        answer(self.post_response(path, token, body).await).await
    }

    /// The whole response, headers included.
    pub async fn post_response(&self, path: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// Asks the server to stop; `serve` returns once requests and imports have finished.
    pub fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    pub async fn stop(mut self) {
        self.signal_stop();
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    pub fn advance(&self, by: TimeDelta) {
        self.clock.advance(by);
    }
}

pub async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    let value =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value)
}

/// Asserts the one error shape and returns nothing else to check.
pub fn assert_error(answer: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["error"]["code"], code, "{}", answer.1);
    assert!(answer.1["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", answer.1);
    assert_eq!(answer.1.as_object().map(|o| o.len()), Some(1), "only `error`: {}", answer.1);
}
