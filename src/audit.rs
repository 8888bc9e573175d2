//! Audit replay and verification.
//!
//! `replay` folds stored streams with the same `apply` the write side uses (`DebtorAccount::apply`,
//! `Administration::apply_event`), optionally only up to a global position or a recording time, and
//! reports every decision — above all every link and unlink — with who made it, why, under which
//! command and correlation, and each affected invoice's figures in cents before and after.
//! `verify` recomputes every balance from the events and compares it with the dashboard projection.

mod decision;
mod figures;
mod replay;
mod verify;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use decision::LinkDecision;
pub use figures::{AllocationFigure, InvoiceChange, InvoiceFigures};
pub use replay::{replay_stream, Replay, ReplayEntry, ReplayReport};
pub use verify::{verify, Difference, VerifyReport};

use crate::store::StoreError;

/// Where a replay stops.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Until {
    /// The whole stream.
    #[default]
    End,
    /// Events recorded at or before this time (the system timeline, `recorded_at`).
    AsOf(DateTime<Utc>),
    /// Events at or before this global position.
    Position(i64),
}

impl Until {
    /// Whether an event at `global_position`, recorded at `recorded_at`, is replayed.
    pub fn includes(&self, global_position: i64, recorded_at: DateTime<Utc>) -> bool {
        match self {
            Until::End => true,
            Until::AsOf(time) => recorded_at <= *time,
            Until::Position(position) => global_position <= *position,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Projection(#[from] crate::projections::ProjectionError),
}
