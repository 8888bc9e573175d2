//! vordering: an event-sourced receivables ("debiteurenbeheer") engine.
//!
//! # Embedding
//!
//! A back-office server connects an [`Engine`], mounts its HTTP API beside its own routes, and on
//! its own shutdown signal lets the API's background imports finish:
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use axum::routing::get;
//! use vordering::{Engine, Settings};
//!
//! # async fn back_office() -> Result<(), Box<dyn std::error::Error>> {
//! let mut settings = Settings::default();
//! settings.data_dir = Some("/var/lib/back-office/vordering".into());
//! let engine = Arc::new(Engine::connect(&settings).await?);
//! let api = engine.api();
//! let app = axum::Router::new()
//!     .route("/health", get(|| async { "ok" }))
//!     .nest("/receivables", api.router()); // GET /receivables/api/administrations, …
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app)
//!     .with_graceful_shutdown(async {
//!         let _ = tokio::signal::ctrl_c().await;
//!     })
//!     .await?;
//! api.drain().await; // running imports finish
//! # Ok(())
//! # }
//! ```
//!
//! `Engine::router()` is the short form when no import needs to be awaited at shutdown;
//! `vordering::http::serve` adds the daily import scheduler.
//!
//! # Layers
//!
//! Every arrow points down; nothing below knows what is above it. The pure core does no I/O.
//!
//! ```text
//!  http
//!  engine
//!  config · audit
//!  import · projections · delivery · webhooks
//!  store · outbox · eboekhouden · credentials · auth · embedded_pg
//!  domain ⇄ events                  (the pure core)
//!  convert                          (integer widths)
//! ```
//!
//! The exact arrows: a top-level module uses (`crate::…`) only the modules in its row.
//! `tests/tidy.rs` reads this table and fails on any other arrow, and on a module without a row.
//!
//! | module | may use |
//! |---|---|
//! | `convert` | |
//! | `domain` | `convert`, `events` |
//! | `events` | `domain` |
//! | `embedded_pg` | |
//! | `eboekhouden` | `convert`, `domain` |
//! | `credentials` | `domain` |
//! | `auth` | `domain` |
//! | `outbox` | `domain`, `events` |
//! | `store` | `convert`, `domain`, `events` |
//! | `import` | `convert`, `domain`, `eboekhouden`, `events`, `store` |
//! | `projections` | `convert`, `domain`, `events`, `store` |
//! | `delivery` | `domain`, `events`, `outbox` |
//! | `webhooks` | `convert`, `credentials`, `domain`, `events`, `store` |
//! | `audit` | `domain`, `events`, `projections`, `store` |
//! | `config` | `eboekhouden`, `import`, `store`, `webhooks` |
//! | `engine` | `audit`, `auth`, `config`, `convert`, `credentials`, `delivery`, `domain`, `eboekhouden`, `embedded_pg`, `events`, `import`, `outbox`, `projections`, `store`, `webhooks` |
//! | `http` | `auth`, `convert`, `domain`, `engine`, `events`, `import`, `projections`, `store` |
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod domain;
pub mod engine;
pub mod events;
pub mod http;

// The internals: documented for the reader, not for an embedder (`missing_docs` is for the API).
#[allow(missing_docs)]
pub(crate) mod audit;
#[allow(missing_docs)]
pub(crate) mod auth;
#[allow(missing_docs)]
pub(crate) mod convert;
#[allow(missing_docs)]
pub(crate) mod credentials;
#[allow(missing_docs)]
pub(crate) mod delivery;
#[allow(missing_docs)]
pub(crate) mod eboekhouden;
#[allow(missing_docs)]
pub(crate) mod embedded_pg;
#[allow(missing_docs)]
pub(crate) mod import;
#[allow(missing_docs)]
pub(crate) mod outbox;
#[allow(missing_docs)]
pub(crate) mod projections;
#[allow(missing_docs)]
pub(crate) mod store;
#[allow(missing_docs)]
pub(crate) mod webhooks;

/// The engine's internals, for the `vordering` binary, the integration tests and perfbench: not an
/// API, and free to change with any release. An embedding server uses [`Engine`] instead.
#[doc(hidden)]
#[allow(missing_docs)]
pub mod internals {
    pub mod audit {
        pub use crate::audit::*;
    }
    pub mod auth {
        pub use crate::auth::*;
    }
    pub mod convert {
        pub use crate::convert::*;
    }
    pub mod credentials {
        pub use crate::credentials::*;
    }
    pub mod delivery {
        pub use crate::delivery::*;
    }
    pub mod eboekhouden {
        pub use crate::eboekhouden::*;
    }
    pub mod embedded_pg {
        pub use crate::embedded_pg::*;
    }
    pub mod import {
        pub use crate::import::*;
    }
    pub mod outbox {
        pub use crate::outbox::*;
    }
    pub mod projections {
        pub use crate::projections::*;
    }
    pub mod store {
        pub use crate::store::*;
    }
    pub mod webhooks {
        pub use crate::webhooks::*;
    }
}

/// The forward-only migrations of the durable tables, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub use config::Settings;
pub use engine::{Engine, EngineError};
