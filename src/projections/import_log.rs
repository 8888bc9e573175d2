//! `import_log`: one row per import run — trigger, start and end, status, counts, warnings and
//! errors — from `ImportStarted`, `ImportCompleted` and `ImportFailed` of the administration.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::copy;
use super::decode::ADMINISTRATION;
use super::write::{self, TableRow};
use super::ProjectionError;
use crate::events::administration::{AdministrationEvent as A, ImportCounts, ImportIssue};
use crate::events::AdministrationEvent;
use crate::store::StoredEvent;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub administration: String,
    pub import_id: Uuid,
    pub trigger: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `completed` or `failed`.
    pub status: String,
    pub counts: Option<ImportCounts>,
    pub issues: Vec<ImportIssue>,
    pub error_kind: Option<String>,
    pub message: Option<String>,
}

impl TableRow for ImportRow {
    const TABLE: &'static str = "import_log";
    const COLUMNS: &'static [&'static str] = &[
        "administration",
        "import_id",
        "trigger",
        "started_at",
        "finished_at",
        "status",
        "counts",
        "issues",
        "error_kind",
        "message",
    ];
    const KEY: &'static [&'static str] = &["administration", "import_id"];
}

fn import_event(event: &StoredEvent) -> Result<Option<A>, ProjectionError> {
    if event.aggregate_type != ADMINISTRATION || !AdministrationEvent::IMPORT_LOG.contains(&event.event_type.as_str()) {
        return Ok(None);
    }
    Ok(Some(event.decode::<A>()?))
}

fn import_id(event: &A) -> Option<Uuid> {
    match event {
        A::ImportStarted { import_id, .. }
        | A::ImportCompleted { import_id, .. }
        | A::ImportFailed { import_id, .. } => Some(import_id.as_uuid()),
        _ => None,
    }
}

fn fold(row: &mut ImportRow, event: A, at: DateTime<Utc>) {
    match event {
        A::ImportStarted { trigger, .. } => {
            row.trigger = Some(format!("{trigger:?}"));
            row.started_at = Some(at);
        }
        A::ImportCompleted { counts, issues, .. } => {
            row.status = "completed".to_owned();
            row.counts = Some(counts);
            row.issues = issues;
            row.finished_at = Some(at);
        }
        A::ImportFailed { error_kind, message, .. } => {
            row.status = "failed".to_owned();
            row.error_kind = Some(error_kind);
            row.message = Some(message);
            row.finished_at = Some(at);
        }
        _ => {}
    }
}

fn empty(administration: &str, import_id: Uuid) -> ImportRow {
    ImportRow {
        administration: administration.to_owned(),
        import_id,
        trigger: None,
        started_at: None,
        finished_at: None,
        status: "running".to_owned(),
        counts: None,
        issues: Vec::new(),
        error_kind: None,
        message: None,
    }
}

type Rows = HashMap<(String, Uuid), ImportRow>;

/// Folds an import event into `rows`, keyed by (administration, import id).
fn fold_into(rows: &mut Rows, event: &StoredEvent) -> Result<(), ProjectionError> {
    let Some(decoded) = import_event(event)? else { return Ok(()) };
    let Some(id) = import_id(&decoded) else { return Ok(()) };
    let row = rows.entry((event.aggregate_id.clone(), id)).or_insert_with(|| empty(&event.aggregate_id, id));
    fold(row, decoded, event.recorded_at);
    Ok(())
}

pub async fn apply_batch(
    conn: &mut PgConnection,
    generation: i32,
    events: &[StoredEvent],
) -> Result<(), ProjectionError> {
    let mut ids = Vec::new();
    for event in events {
        if let Some(id) = import_event(event)?.as_ref().and_then(import_id) {
            ids.push(id);
        }
    }
    write::refold(
        conn,
        generation,
        "import_id",
        &ids,
        |row: &ImportRow| (row.administration.clone(), row.import_id),
        events,
        fold_into,
    )
    .await
}

/// Folds a whole log in memory for a rebuild. Imports are few (one a day per administration).
#[derive(Debug, Default)]
pub struct Builder {
    rows: Rows,
}

impl Builder {
    pub fn add(&mut self, event: &StoredEvent) -> Result<(), ProjectionError> {
        fold_into(&mut self.rows, event)
    }

    pub async fn write(self, conn: &mut PgConnection, generation: i32) -> Result<u64, ProjectionError> {
        copy::fill(conn, generation, &self.rows.into_values().collect::<Vec<_>>()).await
    }
}
