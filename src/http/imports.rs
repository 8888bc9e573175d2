//! The import log (`GET …/imports`) and "import now" (`POST …/imports`): 202 with the import id
//! once the import has started in the background, 409 while another import of it runs.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access::Params;
use super::{Api, ApiError, Caller};
use crate::domain::administration::{AdministrationError, Link};
pub use crate::engine::import_log::{fold_import_log, ImportLogEntry, ImportStatus};
use crate::engine::{EngineError, Refusal};
use crate::events::administration::ImportTrigger;
use crate::import::ImportRequest;

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
    Ok(Json(fold_import_log(&history, Some(since))?))
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
        (status = 409, description = "An import runs (`import_running`, with `Retry-After`) or the link is missing or broken",
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
        return Err(EngineError::from(Refusal::Administration(refusal)).into());
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
