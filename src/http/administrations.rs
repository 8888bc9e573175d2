//! `GET /api/administrations` and `GET /api/administrations/{id}`: what the token may see, and one
//! administration's link status, daily import time and last import.

use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::imports::{fold_import_log, ImportLogEntry};
use super::{Api, ApiError, Caller};
use crate::domain::administration::Link;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdministrationItem {
    pub id: String,
    pub name: String,
}

/// `linked`, `broken` (the package refused the stored codes) or `not_linked`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    Linked,
    Broken,
    NotLinked,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkView {
    pub status: LinkStatus,
    pub username: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    /// The package's error code when the link is broken.
    pub error_code: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdministrationView {
    pub id: String,
    pub name: String,
    pub link: LinkView,
    /// The daily import time (UTC, `HH:MM`), or `null` when automatic import is off.
    pub auto_import_at: Option<String>,
    pub last_import: Option<ImportLogEntry>,
}

fn link_view(link: Option<&Link>) -> LinkView {
    match link {
        None => LinkView { status: LinkStatus::NotLinked, username: None, verified_at: None, error_code: None },
        Some(link) => LinkView {
            status: if link.broken.is_some() { LinkStatus::Broken } else { LinkStatus::Linked },
            username: Some(link.username.clone()),
            verified_at: Some(link.verified_at),
            error_code: link.broken.clone(),
        },
    }
}

/// The administrations the token may read.
#[utoipa::path(get, path = "/api/administrations", tag = "administrations", security(("bearer" = [])),
    responses((status = 200, body = [AdministrationItem]), (status = 401, body = super::ErrorBody)))]
pub async fn list(State(api): State<Api>, caller: Caller) -> Result<Json<Vec<AdministrationItem>>, ApiError> {
    let all = api.engine.administrations().await?;
    let visible = all
        .into_iter()
        .filter(|(id, _)| caller.may_read(id).is_ok())
        .map(|(id, name)| AdministrationItem { id, name })
        .collect();
    Ok(Json(visible))
}

/// One administration: link status, daily import time, last import.
#[utoipa::path(get, path = "/api/administrations/{id}", tag = "administrations", security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id")),
    responses((status = 200, body = AdministrationView), (status = 401, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody)))]
pub async fn one(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AdministrationView>, ApiError> {
    let id = caller.may_read(&id)?;
    let state = api.engine.administration(&id).await?;
    let name = state.name.clone().ok_or_else(|| ApiError::NotFound(format!("administration {id}")))?;
    let history = api.engine.history("Administration", id.as_str()).await?;
    let last_import = fold_import_log(&history, None)?.pop();
    Ok(Json(AdministrationView {
        id: id.to_string(),
        name,
        link: link_view(state.link.as_ref()),
        auto_import_at: state.auto_import_at.map(|t| t.format("%H:%M").to_string()),
        last_import,
    }))
}
