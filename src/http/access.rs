//! Who is calling: the bearer token, looked up by its hash, and what its scope allows.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::{Api, ApiError};
use crate::auth::TokenScope;
use crate::domain::AdministrationId;
use crate::events::Metadata;

/// The authenticated caller of a request. Extracting it answers 401 without a valid token.
#[derive(Clone, Debug)]
pub struct Caller {
    /// What the presented token may do: its administrations, whether it may write, and its label.
    pub scope: TokenScope,
}

impl FromRequestParts<Api> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Caller, ApiError> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(ApiError::Unauthorized)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        let scope = api.engine.token_scope(token).await?.ok_or(ApiError::Unauthorized)?;
        Ok(Caller { scope })
    }
}

impl Caller {
    /// The administration, when the token may read it; 404 otherwise, so that a token cannot
    /// tell another administration's data from a missing one.
    pub fn may_read(&self, id: &str) -> Result<AdministrationId, ApiError> {
        AdministrationId::new(id)
            .ok()
            .filter(|id| self.scope.covers(id))
            .ok_or_else(|| ApiError::NotFound(format!("administration {id}")))
    }

    /// As `may_read`, and 403 when the token may only read.
    pub fn may_write(&self, id: &str) -> Result<AdministrationId, ApiError> {
        let id = self.may_read(id)?;
        if !self.scope.can_write {
            return Err(ApiError::ReadOnly);
        }
        Ok(id)
    }

    /// The metadata of a command this caller issues: the token's label is the actor.
    pub fn metadata(&self, api: &Api, reason: Option<&str>) -> Metadata {
        let metadata = Metadata::new(self.scope.label.clone(), "http", api.clock.now());
        match reason {
            Some(reason) => metadata.with_reason(reason),
            None => metadata,
        }
    }
}

/// A JSON body whose rejection has the API's error shape (422 `bad_request_body`).
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Body<T>, ApiError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(ApiError::bad("bad_request_body", rejection.body_text())),
        }
    }
}

/// Query parameters whose rejection has the API's error shape (422 `bad_query`).
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Params<T>, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Params(value)),
            Err(rejection) => Err(ApiError::bad("bad_query", rejection.body_text())),
        }
    }
}
