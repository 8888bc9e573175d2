//! The import log read straight from the administration's stream: one entry per import, from its
//! `ImportStarted` and its `ImportCompleted`/`ImportFailed`. Always current, so the command line
//! (which runs no projections) and the API show the same; the dashboard reads the `import_log`
//! projection instead.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Engine, EngineError};
use crate::domain::AdministrationId;
use crate::events::administration::{AdministrationEvent, ImportCounts, ImportIssue, ImportTrigger};
use crate::store::{StoreError, StoredEvent};

/// How many issues of one import the log shows; the counts say how many there were.
const ISSUES_SHOWN: usize = 100;

/// `started` (no end recorded yet, or the process died), `completed` or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// `ImportStarted` is recorded and no end yet: the import runs, or its process died.
    Started,
    /// The import recorded `ImportCompleted`.
    Completed,
    /// The import recorded `ImportFailed`.
    Failed,
}

impl ImportStatus {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Started => "started",
            ImportStatus::Completed => "completed",
            ImportStatus::Failed => "failed",
        }
    }
}

/// One import as the log shows it: from its `ImportStarted` and its `ImportCompleted`/`ImportFailed`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportLogEntry {
    /// The import's id (a UUID), as in its events.
    pub import_id: String,
    /// Whether the import is running, completed or failed.
    pub status: ImportStatus,
    /// `Scheduled` or `Manual`.
    #[schema(value_type = String)]
    pub trigger: ImportTrigger,
    /// Who started it: the `actor` in the metadata of `ImportStarted` (a token's label, `scheduler`).
    pub actor: String,
    /// When `ImportStarted` was recorded (UTC).
    pub started_at: DateTime<Utc>,
    /// When `ImportCompleted` or `ImportFailed` was recorded (UTC); `None` while it runs, or when
    /// its process died.
    pub ended_at: Option<DateTime<Utc>>,
    /// What a completed import added and changed; `None` unless it completed.
    #[schema(value_type = Option<Object>)]
    pub counts: Option<ImportCounts>,
    /// The warnings and validation errors of a completed import, at most the first 100.
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<ImportIssue>,
    /// Why a failed import failed, a stable code (`credentials_rejected`, `quota`, `transport`, …);
    /// `None` unless it failed.
    pub error_kind: Option<String>,
    /// The failed import's error message; `None` unless it failed.
    pub message: Option<String>,
}

/// The imports in `history` (oldest first), those started at or after `since` when given.
pub fn fold_import_log(
    history: &[StoredEvent],
    since: Option<DateTime<Utc>>,
) -> Result<Vec<ImportLogEntry>, StoreError> {
    let mut log: Vec<ImportLogEntry> = Vec::new();
    for event in history.iter().filter(|e| AdministrationEvent::IMPORT_LOG.contains(&e.event_type.as_str())) {
        let at = event.recorded_at;
        match event.decode::<AdministrationEvent>()? {
            AdministrationEvent::ImportStarted { import_id, trigger } => {
                let actor = event.metadata_map()?.remove("actor").unwrap_or_default();
                log.push(ImportLogEntry {
                    import_id: import_id.to_string(),
                    status: ImportStatus::Started,
                    trigger,
                    actor,
                    started_at: at,
                    ended_at: None,
                    counts: None,
                    issues: Vec::new(),
                    error_kind: None,
                    message: None,
                });
            }
            AdministrationEvent::ImportCompleted { import_id, counts, mut issues } => {
                if let Some(entry) = log.iter_mut().rev().find(|e| e.import_id == import_id.to_string()) {
                    issues.truncate(ISSUES_SHOWN);
                    (entry.status, entry.ended_at, entry.counts, entry.issues) =
                        (ImportStatus::Completed, Some(at), Some(counts), issues);
                }
            }
            AdministrationEvent::ImportFailed { import_id, error_kind, message } => {
                if let Some(entry) = log.iter_mut().rev().find(|e| e.import_id == import_id.to_string()) {
                    (entry.status, entry.ended_at, entry.error_kind, entry.message) =
                        (ImportStatus::Failed, Some(at), Some(error_kind), Some(message));
                }
            }
            _ => {}
        }
    }
    log.retain(|entry| since.is_none_or(|since| entry.started_at >= since));
    Ok(log)
}

impl Engine {
    /// The imports of `administration` started at or after `since` (all when `None`), oldest first.
    pub async fn import_history(
        &self,
        administration: &AdministrationId,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<ImportLogEntry>, EngineError> {
        let history = self.history("Administration", administration.as_str()).await?;
        Ok(fold_import_log(&history, since)?)
    }
}
