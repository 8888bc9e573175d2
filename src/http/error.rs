//! One error shape for every endpoint, `{"error": {"code": "…", "message": "…"}}`, with the status
//! and the stable code decided in one place: [`ApiError::classify`].

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use tracing::error;
use utoipa::ToSchema;

use crate::engine::EngineError;

/// The body of every error response.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The stable code and a message for people.
    pub error: ErrorDetail,
}

/// One error: the code clients branch on and a message for people.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case; clients branch on it.
    pub code: String,
    /// For people; may change.
    pub message: String,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No usable bearer token (missing, malformed or unknown): 401 `unauthorized`.
    #[error("send a bearer token: `Authorization: Bearer vrd_…` (make one with `vordering token create`)")]
    Unauthorized,
    /// Unknown, or outside the token's administrations: the two look the same on purpose.
    #[error("{0} not found")]
    NotFound(String),
    /// A write with a token that may only read: 403 `read_only_token`.
    #[error("this token may only read; make one with `--write` to change data")]
    ReadOnly,
    /// The request's path, query or body does not hold what the endpoint needs: 422 with `code`.
    #[error("{message}")]
    BadRequest {
        /// The stable code of what is wrong (`bad_amount`, `reason_required`, `bad_query`, …).
        code: &'static str,
        /// What is wrong, for people; the response's `message`.
        message: String,
    },
    /// The engine call failed; [`ApiError::classify`] maps each outcome to its status and code.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A bug or a lost task; the message goes to the log.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// An [`ApiError::BadRequest`] (422) with `code` and `message`.
    pub fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest { code, message: message.into() }
    }

    /// The status and the stable code of every error.
    pub fn classify(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::ReadOnly => (StatusCode::FORBIDDEN, "read_only_token"),
            ApiError::BadRequest { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::Engine(EngineError::NotFound(missing)) => (StatusCode::NOT_FOUND, missing.code()),
            ApiError::Engine(EngineError::Refused(refusal)) if refusal.is_conflict() => {
                (StatusCode::CONFLICT, refusal.code())
            }
            ApiError::Engine(EngineError::Refused(refusal)) => (StatusCode::UNPROCESSABLE_ENTITY, refusal.code()),
            ApiError::Engine(EngineError::Contended { .. }) => (StatusCode::SERVICE_UNAVAILABLE, "contended"),
            ApiError::Engine(EngineError::PackageUnavailable(_)) => (StatusCode::BAD_GATEWAY, "package_error"),
            ApiError::Engine(EngineError::DatabaseUnavailable(_)) => {
                (StatusCode::SERVICE_UNAVAILABLE, "database_unavailable")
            }
            ApiError::Engine(EngineError::Misconfigured(_)) => (StatusCode::INTERNAL_SERVER_ERROR, "misconfigured"),
            ApiError::Engine(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// Seconds after which a refusal that passes by itself is worth asking again (`Retry-After`).
    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Engine(error) => error.retry_after().map(|after| after.as_secs()),
            _ => None,
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        ApiError::Engine(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.classify();
        let message = if status.is_server_error() && status != StatusCode::BAD_GATEWAY {
            // The detail goes to the log, not to the caller (it may name tables or hosts).
            error!(error = &self as &dyn std::error::Error, code, "request failed");
            "the server failed; the log has the details".to_owned()
        } else {
            self.to_string()
        };
        let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), message } };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
