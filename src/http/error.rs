//! One error shape for every endpoint, `{"error": {"code": "…", "message": "…"}}`, with the status
//! and the stable code decided in one place: [`ApiError::classify`].

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use tracing::error;
use utoipa::ToSchema;

use crate::credentials::CredentialsError as K;
use crate::domain::administration::AdministrationError as A;
use crate::domain::debtor_account::DebtorAccountError as D;
use crate::engine::{EngineError as E, LinkRejected, RunError, UnknownDocument};
use crate::import::ImportError;
use crate::store::CommandError as C;

/// The body of every error response.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case; clients branch on it.
    pub code: String,
    /// For people; may change.
    pub message: String,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("send a bearer token: `Authorization: Bearer vrd_…` (make one with `vordering token create`)")]
    Unauthorized,
    /// Unknown, or outside the token's administrations: the two look the same on purpose.
    #[error("{0} not found")]
    NotFound(String),
    #[error("this token may only read; make one with `--write` to change data")]
    ReadOnly,
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error(transparent)]
    Engine(#[from] E),
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A bug or a lost task; the message goes to the log.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest { code, message: message.into() }
    }

    /// The status and the stable code of every error.
    pub fn classify(&self) -> (StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            ApiError::Unauthorized => (S::UNAUTHORIZED, "unauthorized"),
            ApiError::NotFound(_) => (S::NOT_FOUND, "not_found"),
            ApiError::ReadOnly => (S::FORBIDDEN, "read_only_token"),
            ApiError::BadRequest { code, .. } => (S::UNPROCESSABLE_ENTITY, code),
            ApiError::Internal(_) => (S::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::Import(ImportError::AlreadyRunning(_)) => (S::CONFLICT, "import_running"),
            ApiError::Import(ImportError::Package(_)) => (S::BAD_GATEWAY, "package_error"),
            ApiError::Import(ImportError::Database(_) | ImportError::Store(_)) => {
                (S::INTERNAL_SERVER_ERROR, "database")
            }
            ApiError::Import(ImportError::WriterStopped | ImportError::Join(_)) => {
                (S::INTERNAL_SERVER_ERROR, "internal")
            }
            ApiError::Engine(error) | ApiError::Import(ImportError::Engine(error)) => match error {
                E::Administration(C::Rejected(A::NotRegistered)) => (S::NOT_FOUND, "not_found"),
                E::Administration(C::Rejected(A::NotLinked)) => (S::CONFLICT, "not_linked"),
                E::Administration(C::Rejected(A::LinkBroken { .. })) => (S::CONFLICT, "link_broken"),
                E::Administration(C::Rejected(A::NotTheRunningImport(_))) => (S::CONFLICT, "import_superseded"),
                E::Administration(C::Rejected(A::AlreadyRegistered | A::AlreadyLinked { .. })) => {
                    (S::CONFLICT, "conflict")
                }
                E::Administration(C::Rejected(A::OtherUsername { .. })) => (S::CONFLICT, "other_username"),
                E::Administration(C::Rejected(A::Empty(_))) => (S::UNPROCESSABLE_ENTITY, "empty_field"),
                E::Administration(C::Rejected(A::InvalidPolicy(_))) => (S::UNPROCESSABLE_ENTITY, "invalid_policy"),
                E::Account(C::Rejected(D::StaleVersion { .. })) => (S::CONFLICT, "stale_version"),
                E::Account(C::Rejected(D::ReasonRequired)) => (S::UNPROCESSABLE_ENTITY, "reason_required"),
                E::Account(C::Rejected(D::ZeroAmount | D::NegativeAmount { .. } | D::AmountTooLarge { .. })) => {
                    (S::UNPROCESSABLE_ENTITY, "bad_amount")
                }
                E::Account(C::Rejected(D::UnknownInvoice(_))) => (S::NOT_FOUND, "unknown_invoice"),
                E::Account(C::Rejected(D::UnknownPayment(_))) => (S::NOT_FOUND, "unknown_payment"),
                E::Account(C::Rejected(D::UnknownCreditNote(_))) => (S::NOT_FOUND, "unknown_credit_note"),
                E::Account(C::Rejected(D::UnknownLink { .. })) => (S::NOT_FOUND, "unknown_link"),
                E::Account(C::Rejected(D::AlreadyUnlinked(_))) => (S::CONFLICT, "already_unlinked"),
                E::Account(C::Rejected(
                    D::OverAllocation { .. } | D::PaymentOverAllocated { .. } | D::CreditNoteOverAllocated { .. },
                )) => (S::UNPROCESSABLE_ENTITY, "over_allocation"),
                E::Account(C::Rejected(D::AlreadyInCollection { .. })) => (S::CONFLICT, "already_in_collection"),
                E::Account(C::Rejected(refused)) => (S::UNPROCESSABLE_ENTITY, collection_refusal(refused)),
                E::UnknownDocument(UnknownDocument::Payment(_)) => (S::NOT_FOUND, "unknown_payment"),
                E::UnknownDocument(UnknownDocument::Invoice(_)) => (S::NOT_FOUND, "unknown_invoice"),
                E::UnknownDocument(UnknownDocument::Link(_)) => (S::NOT_FOUND, "unknown_link"),
                E::Administration(C::Contended { .. }) | E::Account(C::Contended { .. }) => {
                    (S::SERVICE_UNAVAILABLE, "contended")
                }
                E::LinkRejected(LinkRejected::Refused { .. }) => (S::UNPROCESSABLE_ENTITY, "credentials_refused"),
                E::LinkRejected(LinkRejected::Unreachable(_)) | E::Package(_) => (S::BAD_GATEWAY, "package_error"),
                E::Credentials(K::NotStored(_) | K::WrongKey(..) | K::Undecryptable(_)) => {
                    (S::CONFLICT, "credentials_unavailable")
                }
                E::Connect(_) => (S::SERVICE_UNAVAILABLE, "database_unavailable"),
                E::Dunning(RunError::NotRegistered(_)) => (S::NOT_FOUND, "not_found"),
                E::Dunning(RunError::KeptChanging(_)) => (S::SERVICE_UNAVAILABLE, "contended"),
                E::Dunning(RunError::Refused(_)) => (S::UNPROCESSABLE_ENTITY, "rejected"),
                E::Dunning(RunError::Store(_) | RunError::Outbox(_)) => (S::INTERNAL_SERVER_ERROR, "internal"),
                E::Embedded(_)
                | E::BadUrl(_)
                | E::Migrate(_)
                | E::Store(_)
                | E::NoDataDir
                | E::Credentials(K::BadKey | K::MissingKey | K::KeyFile { .. } | K::Database(_))
                | E::Administration(C::Store(_))
                | E::Account(C::Store(_))
                | E::Projection(_)
                | E::Audit(_) => (S::INTERNAL_SERVER_ERROR, "internal"),
            },
        }
    }
}

/// Seconds after which a refusal that passes by itself is worth asking again (`Retry-After`): a
/// running import, a contended dunning run, a database that is away.
fn retry_after(code: &str) -> Option<u64> {
    match code {
        "import_running" | "database_unavailable" => Some(5),
        "contended" => Some(1),
        _ => None,
    }
}

/// The stable code of a refused collection start (and of any other refusal: `rejected`).
fn collection_refusal(error: &D) -> &'static str {
    match error {
        D::TermRunning { .. } => "term_running",
        D::NoFourteenDayLetter(_) => "no_fourteen_day_letter",
        D::PaidWithinTerm => "paid_within_term",
        D::NothingOpen(_) => "nothing_open",
        D::NotOverdue { .. } => "not_overdue",
        D::InvoicePaused(_) => "invoice_paused",
        _ => "rejected",
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        ApiError::Engine(E::Store(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.classify();
        let message = if status.is_server_error() && status != StatusCode::BAD_GATEWAY {
            // The detail goes to the log, not to the caller (it may name tables or hosts).
            error!(error = %self, code, "request failed");
            "the server failed; the log has the details".to_owned()
        } else {
            self.to_string()
        };
        let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), message } };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after(code) {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
