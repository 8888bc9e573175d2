//! The import log (`GET …/imports`) and "import now" (`POST …/imports`): 202 with the import id
//! once the import has started in the background, 409 while another import of it runs.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access::Params;
use super::{Api, ApiError, Caller};
use crate::domain::administration::{AdministrationError, Link};
use crate::engine::EngineError;
use crate::events::administration::{AdministrationEvent, ImportCounts, ImportIssue, ImportTrigger};
use crate::import::ImportRequest;
use crate::store::{CommandError, StoreError, StoredEvent};

/// How many issues of one import the log shows; the counts say how many there were.
const ISSUES_SHOWN: usize = 100;

/// `started` (no end recorded yet, or the process died), `completed` or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Started,
    Completed,
    Failed,
}

/// One import as the log shows it: from its `ImportStarted` and its `ImportCompleted`/`ImportFailed`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportLogEntry {
    pub import_id: String,
    pub status: ImportStatus,
    /// `Scheduled` or `Manual`.
    #[schema(value_type = String)]
    pub trigger: ImportTrigger,
    pub actor: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<Object>)]
    pub counts: Option<ImportCounts>,
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<ImportIssue>,
    pub error_kind: Option<String>,
    pub message: Option<String>,
}

/// The imports in `history` (oldest first), those started at or after `since` when given.
pub(super) fn import_log(
    history: &[StoredEvent],
    since: Option<DateTime<Utc>>,
) -> Result<Vec<ImportLogEntry>, StoreError> {
    let mut log: Vec<ImportLogEntry> = Vec::new();
    for event in history.iter().filter(|e| e.event_type.starts_with("Import")) {
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

#[derive(Debug, Deserialize, IntoParams)]
pub struct LogQuery {
    /// How many days back (default 31).
    pub days: Option<u16>,
}

/// The imports of the last month (or `days`), oldest first.
#[utoipa::path(get, path = "/api/administrations/{id}/imports", tag = "imports", security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id"), LogQuery),
    responses((status = 200, body = [ImportLogEntry]), (status = 401, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody)))]
pub async fn log(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    Params(query): Params<LogQuery>,
) -> Result<Json<Vec<ImportLogEntry>>, ApiError> {
    let id = caller.may_read(&id)?;
    let history = api.engine.history("Administration", id.as_str()).await?;
    if history.is_empty() {
        return Err(ApiError::NotFound(format!("administration {id}")));
    }
    let since = api.clock.now() - Duration::days(i64::from(query.days.unwrap_or(31)));
    Ok(Json(import_log(&history, Some(since))?))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportAccepted {
    pub import_id: String,
}

/// Imports now, in the background, with the stored codes; the log shows how it ended.
#[utoipa::path(post, path = "/api/administrations/{id}/imports", tag = "imports", security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id")),
    responses((status = 202, body = ImportAccepted), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, description = "An import runs (`import_running`) or the link is missing or broken",
            body = super::ErrorBody)))]
pub async fn start(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ImportAccepted>), ApiError> {
    let import_id = start_import(&api, &caller, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(ImportAccepted { import_id })))
}

/// Starts an import of `id` in the background for `caller`; the API and the dashboard page use it.
pub(super) async fn start_import(api: &Api, caller: &Caller, id: &str) -> Result<String, ApiError> {
    let id = caller.may_write(id)?;
    let state = api.engine.administration(&id).await?;
    if !state.is_registered() {
        return Err(ApiError::NotFound(format!("administration {id}")));
    }
    // The import would refuse too, but only after a lock and a connection; say it at once.
    let refusal = match &state.link {
        None => Some(AdministrationError::NotLinked),
        Some(Link { broken: Some(error_code), .. }) => {
            Some(AdministrationError::LinkBroken { error_code: error_code.clone() })
        }
        Some(_) => None,
    };
    if let Some(refusal) = refusal {
        return Err(EngineError::Administration(CommandError::Rejected(refusal)).into());
    }
    let request = ImportRequest {
        administration: id,
        trigger: ImportTrigger::Manual,
        today: api.clock.now().date_naive(),
        actor: caller.scope.label.clone(),
    };
    let launched = api.launch(request).await?;
    Ok(launched.import_id.to_string())
}
