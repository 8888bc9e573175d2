//! vordering: an event-sourced receivables ("debiteurenbeheer") engine.
#![forbid(unsafe_code)]

pub mod audit;
pub mod config;
pub mod credentials;
pub mod domain;
pub mod embedded_pg;
pub mod engine;
pub mod events;
pub mod projections;
pub mod store;

/// The forward-only migrations of the durable tables, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub use config::Settings;
pub use engine::{Engine, EngineError};
