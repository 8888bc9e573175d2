//! The read side: projections folded from the global order of events.
//!
//! A projection has a name, a fold version, its DDL in `projections/<table>.sql` and its fold in
//! `src/projections/<table>.rs`. Each build of a projection lives in tables suffixed `_v<n>` (the
//! build's generation); readers read plain views (`invoice_list`, …) that point at the live build,
//! so `rebuild` can build generation n+1 beside n and swap the views in one transaction.
//!
//! Three runner units commit their rows and checkpoint in one transaction each:
//! - `receivables`: the invoice-derived tables `invoice_list`, `debtor_balance`, `open_by_due_date`,
//!   `phase_totals` and `invoiced_by_month`. They share one fold (`receivables::AccountView`) and one checkpoint,
//!   so the dashboard's totals always agree with each other and the log is folded once, not four times;
//! - `import_log`;
//! - `audit_trail`;
//! - `collection_cases`.

mod audit_trail;
mod catalog;
mod collection_cases;
mod copy;
mod debtor_balance;
mod decode;
mod import_log;
mod invoice_list;
mod invoiced_by_month;
mod open_by_due_date;
mod phase_totals;
mod rebuild;
mod receivables;
mod runner;
mod schema;
mod tally;
mod write;

pub use audit_trail::{administration_detail, reason_text, AuditRow};
pub use catalog::{Projection, ALL};
pub use collection_cases::CaseRow;
pub use decode::{decode_account_event, is_known_account_event, ADMINISTRATION, DEBTOR_ACCOUNT};
pub use import_log::ImportRow;
pub use invoice_list::{decode_line, LineFields};
pub use rebuild::{fold_only, rebuild, rebuild_stale, RebuildReport};
pub use receivables::{AccountView, InvoiceView, Stage};
pub use runner::{catch_up, run, run_batch, BatchOutcome, RunnerOptions};
pub use schema::{ensure, live_position, status, ProjectionStatus};

use crate::store::StoreError;

/// Events read per runner transaction.
pub const DEFAULT_BATCH: i64 = 2_000;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("projection row cannot be encoded: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("no projection is named `{0}`; known: receivables, import_log, audit_trail, collection_cases")]
    UnknownName(String),
    #[error("projection {name} has no live build; run `vordering projections rebuild --name {name}`")]
    NotBuilt { name: &'static str },
    #[error("projection {name} is being run by another process; try again")]
    Busy { name: &'static str },
    #[error("the read model holds a value it cannot read: {0}")]
    Corrupt(String),
}
