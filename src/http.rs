//! The HTTP API: JSON under `/api/…`, bearer tokens scoped to administrations, an OpenAPI document
//! at `/api/openapi.json`, "import now" in the background, and the daily import scheduler.
//!
//! [`Api`] holds what the handlers share (the engine, the clock, the background imports); its
//! [`Api::router`] is what `vordering serve` serves and what a back-office server mounts
//! (`Engine::router()` is the short way). [`serve`] runs the whole server with graceful shutdown.

mod access;
mod account_view;
mod accounts;
mod administrations;
mod clock;
mod collection;
mod dashboard;
mod error;
mod imports;
mod openapi;
mod page;
mod runner;
mod scheduler;
mod server;
mod trace;
mod webhooks;

use std::sync::Arc;

use axum::routing::{delete, get, post};
use axum::Router;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::engine::Engine;

pub use access::Caller;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use openapi::ApiDoc;
pub use scheduler::{Scheduled, Scheduler};
pub use server::{serve, ServeOptions};

/// What the handlers, the scheduler and the shutdown share. Cloning is cheap (all shared).
#[derive(Clone, Debug)]
pub struct Api {
    engine: Arc<Engine>,
    clock: Arc<dyn Clock>,
    /// The SOAP endpoint imports use instead of the configured one (tests, the simulator).
    endpoint: Option<String>,
    /// Background imports ("import now" and the scheduler's), awaited at shutdown.
    tasks: TaskTracker,
    /// Administrations this process imports now: a second "import now" gets 409.
    running: Arc<runner::RunningSet>,
    /// Cancelled when the server stops; the scheduler starts nothing after it.
    stopping: CancellationToken,
}

impl Api {
    /// The API of `engine` on the system clock, with the configured SOAP endpoint and no import
    /// running.
    pub fn new(engine: Arc<Engine>) -> Api {
        Api {
            engine,
            clock: Arc::new(SystemClock),
            endpoint: None,
            tasks: TaskTracker::new(),
            running: Arc::default(),
            stopping: CancellationToken::new(),
        }
    }

    /// Replaces the clock (the scheduler's time and the imports' business date).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Api {
        self.clock = clock;
        self
    }

    /// Imports read from this SOAP endpoint instead of the `eboekhouden.endpoint` setting.
    pub fn with_endpoint(mut self, endpoint: Option<String>) -> Api {
        self.endpoint = endpoint;
        self
    }

    /// The engine the handlers call.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// The routes, relative to where they are mounted (`/api/…`).
    pub fn router(&self) -> Router {
        let api = Router::new()
            .route("/openapi.json", get(openapi::document))
            .route("/administrations", get(administrations::list))
            .route("/administrations/{id}", get(administrations::one))
            .route("/administrations/{id}/imports", get(imports::log).post(imports::start))
            .route("/administrations/{id}/debtors/{code}", get(accounts::account))
            .route("/administrations/{id}/payment-links", post(accounts::link_payment))
            .route("/administrations/{id}/payment-links/{link}/unlink", post(accounts::unlink_payment))
            .route("/administrations/{id}/dashboard", get(dashboard::dashboard))
            .route("/administrations/{id}/invoices", get(dashboard::invoices))
            .route("/administrations/{id}/audit", get(dashboard::audit))
            .route("/administrations/{id}/invoices/{number}/collection-preview", get(collection::preview))
            .route("/administrations/{id}/collection-cases", get(collection::cases).post(collection::start))
            .route("/administrations/{id}/webhooks", get(webhooks::list).post(webhooks::add))
            .route("/administrations/{id}/webhooks/{webhook}", delete(webhooks::remove))
            .route("/administrations/{id}/webhooks/{webhook}/rotate", post(webhooks::rotate))
            .route("/administrations/{id}/webhooks/{webhook}/disable", post(webhooks::disable))
            .route("/administrations/{id}/webhooks/{webhook}/enable", post(webhooks::enable))
            .route("/administrations/{id}/webhooks/{webhook}/deliveries", get(webhooks::deliveries))
            .route("/administrations/{id}/webhooks/{webhook}/replay", post(webhooks::replay));
        Router::new()
            .route("/", get(page::page))
            .route("/ui/import", post(page::import_now))
            .route("/ui/collection", get(page::preview_collection).post(page::confirm_collection))
            .nest("/api", api)
            .layer(axum::middleware::from_fn(trace::log_request))
            .with_state(self.clone())
    }

    /// The daily import scheduler on this API's engine, clock and background tasks.
    pub fn scheduler(&self) -> Scheduler {
        Scheduler::new(self.clone())
    }

    /// Stops starting imports, then waits for the running ones to finish. Call it after the
    /// server stopped accepting requests (`serve` does).
    pub async fn drain(&self) {
        self.stopping.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }

    /// Cancelled once `drain` began.
    pub fn stopping(&self) -> CancellationToken {
        self.stopping.clone()
    }
}

impl Engine {
    /// The HTTP API of this engine, for a server to mount; see [`Api`] for graceful shutdown.
    pub fn api(self: &Arc<Self>) -> Api {
        Api::new(Arc::clone(self))
    }

    /// The routes of the HTTP API (`/api/…`), to mount in an axum server. Background imports that
    /// it starts are not awaited at shutdown; use [`Engine::api`] and [`Api::drain`] for that.
    pub fn router(self: &Arc<Self>) -> Router {
        self.api().router()
    }
}
