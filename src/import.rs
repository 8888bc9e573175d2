//! The daily import: from e-Boekhouden to events, idempotent, set-based and with flat memory.
//!
//! Relations, mutations (incrementally, by `MutatieNr`), invoices and open items are mapped to
//! documents and staged with COPY; a set-based diff against `import_document` (reading only, so it
//! holds back no projection) keeps what is new or changed; those documents are decided debtor by
//! debtor with the aggregate's pure `decide` and written through the bulk append path, with their
//! `import_document` rows in the same transaction. Re-running an import appends nothing; a killed
//! import leaves whole batches only, and a rerun finishes the rest.

mod apply;
mod budget;
mod diff;
mod job;
pub mod map;
mod stage;

use serde::Deserialize;
use sqlx::PgPool;

pub use budget::PgCallBudget;
pub use job::{run_import, ImportReport, ImportRequest};

use crate::domain::administration::{Administration, AdministrationCommand, AdministrationError};
use crate::domain::AdministrationId;
use crate::eboekhouden;
use crate::events::Metadata;
use crate::store::{CommandBus, CommandError, StoreError};

/// What an import needs of the engine: its database, and the administrations' command bus that
/// records the import log (`ImportStarted`, `ImportCompleted`, …) and a broken link.
#[derive(Clone, Copy, Debug)]
pub struct ImportContext<'a> {
    pub pool: &'a PgPool,
    pub administrations: &'a CommandBus<Administration>,
}

impl ImportContext<'_> {
    async fn record(
        &self,
        administration: &AdministrationId,
        command: AdministrationCommand,
        metadata: &Metadata,
    ) -> Result<(), ImportError> {
        Ok(self.administrations.execute(administration.as_str(), command, metadata).await?)
    }
}

/// How imports read the books.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ImportSettings {
    /// The term of invoices whose own term the books do not give (known only from open items).
    pub default_term_days: u32,
    /// The first import reads mutations from this many days back: the monthly quota cannot carry a
    /// whole history, and older open invoices arrive through the open items anyway.
    pub first_import_days: u32,
    /// GetMutaties calls allowed per month, well below the service's 5,000.
    pub monthly_call_limit: u32,
    /// Debtors decided per page of the diff. A page's documents are held in memory, so the page
    /// size bounds the import's peak RSS (docs/perf/RESULTS.md, "Debtors per page").
    pub debtors_per_page: usize,
    /// Connections that write decided batches side by side; each holds up to two batches in
    /// memory. Two keep both cores of a small machine busy; a third gained little
    /// (docs/perf/RESULTS.md, "Two writers").
    pub writers: usize,
}

impl Default for ImportSettings {
    fn default() -> Self {
        ImportSettings {
            default_term_days: 30,
            first_import_days: 90,
            monthly_call_limit: eboekhouden::budget::DEFAULT_MONTHLY_LIMIT,
            debtors_per_page: 500,
            writers: 2,
        }
    }
}

/// Why an import ended without completing, named for what the caller does.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// Another process imports this administration now; wait for it.
    #[error("another import of {0} is running; wait for it to finish")]
    AlreadyRunning(AdministrationId),
    /// The accounting package failed or refused; the variant says whether to retry or relink.
    #[error(transparent)]
    Package(#[from] eboekhouden::Error),
    /// The administration is not in a state to import (not registered, not linked, link broken, …).
    #[error(transparent)]
    Refused(AdministrationError),
    /// Other writers kept changing the administration's record; run the import again.
    #[error("the {aggregate_id} record kept changing under {attempts} attempts; try again")]
    Contended { aggregate_id: String, attempts: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The writer task ended before the decider was done; its own error says why.
    #[error("the import's writer stopped early")]
    WriterStopped,
    #[error("the import's writer task failed")]
    Join(#[from] tokio::task::JoinError),
}

impl From<sqlx::Error> for ImportError {
    fn from(error: sqlx::Error) -> Self {
        ImportError::Store(StoreError::Database(error))
    }
}

impl From<CommandError<AdministrationError>> for ImportError {
    fn from(error: CommandError<AdministrationError>) -> Self {
        match error {
            CommandError::Rejected(refused) => ImportError::Refused(refused),
            CommandError::Contended { aggregate_id, attempts } => ImportError::Contended { aggregate_id, attempts },
            CommandError::Store(error) => ImportError::Store(error),
        }
    }
}

impl ImportError {
    /// The short kind written into `ImportFailed`.
    pub fn kind(&self) -> &'static str {
        use eboekhouden::Error as P;
        match self {
            ImportError::AlreadyRunning(_) => "already_running",
            ImportError::Package(P::CredentialsRejected { .. }) => "credentials_rejected",
            ImportError::Package(P::SessionExpired { .. }) => "session_expired",
            ImportError::Package(P::QuotaExceeded { .. } | P::BudgetExhausted { .. }) => "quota",
            ImportError::Package(
                P::Timeout { .. } | P::Transport { .. } | P::HttpStatus { .. } | P::SoapFault { .. },
            ) => "transport",
            ImportError::Package(P::Malformed { .. }) => "malformed_response",
            ImportError::Package(_) => "package",
            ImportError::Refused(_) => "refused",
            ImportError::Contended { .. } => "contended",
            ImportError::Store(_) => "database",
            ImportError::WriterStopped | ImportError::Join(_) => "internal",
        }
    }
}

/// Where a long import reports how far it is; the CLI draws a progress bar from it.
pub trait Progress: Send + Sync {
    fn phase(&self, name: &str);
    fn parsed(&self, records: u64);
    fn written(&self, events: u64);
}

/// Reports nothing.
#[derive(Debug)]
pub struct Quiet;

impl Progress for Quiet {
    fn phase(&self, _: &str) {}
    fn parsed(&self, _: u64) {}
    fn written(&self, _: u64) {}
}
