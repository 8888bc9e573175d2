//! The projections this binary runs: their names, fold versions, tables and DDL, and the dispatch
//! from a batch of events to each one's fold.

use sqlx::PgConnection;

use super::{audit_trail, collection_cases, import_log, receivables, ProjectionError};
use crate::store::StoredEvent;

/// A runner unit: one checkpoint, one advisory lock, one or more tables committed together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Projection {
    /// `invoice_list`, `debtor_balance`, `open_by_due_date`, `phase_totals`, `invoiced_by_month` (+ the fold state).
    Receivables,
    ImportLog,
    AuditTrail,
    CollectionCases,
}

pub const ALL: [Projection; 4] =
    [Projection::Receivables, Projection::ImportLog, Projection::AuditTrail, Projection::CollectionCases];

impl Projection {
    pub const fn name(self) -> &'static str {
        match self {
            Projection::Receivables => "receivables",
            Projection::ImportLog => "import_log",
            Projection::AuditTrail => "audit_trail",
            Projection::CollectionCases => "collection_cases",
        }
    }

    /// Raised whenever the fold or the DDL changes meaning, so `projections status` flags builds made
    /// by an older fold as stale until they are rebuilt.
    pub const fn fold_version(self) -> i32 {
        match self {
            // 2: `invoice_list`'s open-due index covers the page's columns.
            // 3: its primary key covers one debtor's invoices.
            // 4: it holds each invoice's dashboard line, which its indexes cover instead of the columns.
            Projection::Receivables => 4,
            Projection::ImportLog | Projection::AuditTrail | Projection::CollectionCases => 1,
        }
    }

    /// Each table with its DDL (`{v}` stands for the generation).
    pub fn tables(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Projection::Receivables => &[
                ("invoice_list", include_str!("../../projections/invoice_list.sql")),
                ("debtor_balance", include_str!("../../projections/debtor_balance.sql")),
                ("open_by_due_date", include_str!("../../projections/open_by_due_date.sql")),
                ("phase_totals", include_str!("../../projections/phase_totals.sql")),
                ("invoiced_by_month", include_str!("../../projections/invoiced_by_month.sql")),
                ("receivables_state", include_str!("../../projections/receivables_state.sql")),
            ],
            Projection::ImportLog => &[("import_log", include_str!("../../projections/import_log.sql"))],
            Projection::AuditTrail => &[("audit_trail", include_str!("../../projections/audit_trail.sql"))],
            Projection::CollectionCases => {
                &[("collection_cases", include_str!("../../projections/collection_cases.sql"))]
            }
        }
    }

    /// A runner unit by its name or by the name of one of its tables.
    pub fn parse(name: &str) -> Result<Projection, ProjectionError> {
        super::ALL
            .into_iter()
            .find(|p| p.name() == name || p.tables().iter().any(|(table, _)| *table == name))
            .ok_or_else(|| ProjectionError::UnknownName(name.to_owned()))
    }

    /// Folds one batch into the build `generation`, inside the caller's transaction.
    pub async fn apply(
        self,
        conn: &mut PgConnection,
        generation: i32,
        events: &[StoredEvent],
    ) -> Result<(), ProjectionError> {
        match self {
            Projection::Receivables => receivables::apply_batch(conn, generation, events).await,
            Projection::ImportLog => import_log::apply_batch(conn, generation, events).await,
            Projection::AuditTrail => audit_trail::apply_batch(conn, generation, events).await,
            Projection::CollectionCases => collection_cases::apply_batch(conn, generation, events).await,
        }
    }
}

/// The in-memory fold of a rebuild, one per projection.
#[derive(Debug)]
pub enum Builder {
    Receivables(receivables::Builder),
    ImportLog(import_log::Builder),
    AuditTrail(audit_trail::Builder),
    CollectionCases(collection_cases::Builder),
}

impl Builder {
    pub fn new(projection: Projection) -> Builder {
        match projection {
            Projection::Receivables => Builder::Receivables(Default::default()),
            Projection::ImportLog => Builder::ImportLog(Default::default()),
            Projection::AuditTrail => Builder::AuditTrail(Default::default()),
            Projection::CollectionCases => Builder::CollectionCases(Default::default()),
        }
    }

    pub fn add(&mut self, event: &StoredEvent) -> Result<(), ProjectionError> {
        match self {
            Builder::Receivables(b) => b.add(event),
            Builder::ImportLog(b) => b.add(event),
            Builder::AuditTrail(b) => b.add(event),
            Builder::CollectionCases(b) => b.add(event),
        }
    }

    pub async fn write(self, conn: &mut PgConnection, generation: i32) -> Result<u64, ProjectionError> {
        match self {
            Builder::Receivables(b) => b.write(conn, generation).await,
            Builder::ImportLog(b) => b.write(conn, generation).await,
            Builder::AuditTrail(b) => b.write(conn, generation).await,
            Builder::CollectionCases(b) => b.write(conn, generation).await,
        }
    }
}
