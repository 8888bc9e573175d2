//! One debtor's account (`GET …/debtors/{code}`), and linking payments to invoices by hand
//! (`POST …/payment-links`, `POST …/payment-links/{link}/unlink`), with the token's label as the
//! actor and a required reason.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::access::Body;
use super::account_view::AccountView;
use super::{Api, ApiError, Caller};
use crate::domain::debtor_account::DebtorAccount;
use crate::domain::{Cents, DebtorCode, InvoiceNumber, LinkId, PaymentRef};

/// A debtor's invoices (amounts, open principal, allocations), credit notes and payments.
#[utoipa::path(get, path = "/api/administrations/{id}/debtors/{code}", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id"),
        ("code" = String, Path, description = "The debtor code in the books")),
    responses((status = 200, body = AccountView), (status = 401, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody)))]
pub async fn account(
    State(api): State<Api>,
    caller: Caller,
    Path((id, code)): Path<(String, String)>,
) -> Result<Json<AccountView>, ApiError> {
    let id = caller.may_read(&id)?;
    let code = DebtorCode::new(&code).map_err(|_| ApiError::NotFound(format!("debtor {code}")))?;
    let account = api.engine.account(&DebtorAccount::aggregate_id(&id, &code)).await?;
    if account.version == 0 {
        return Err(ApiError::NotFound(format!("debtor {code}")));
    }
    Ok(Json(AccountView::new(&id, &account, api.clock.now().date_naive())))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkPaymentRequest {
    /// The payment's reference (its mutation number).
    pub payment: String,
    pub invoice: String,
    /// In euros with a decimal point (`"12.50"`); default: as much as both allow.
    pub amount: Option<String>,
    /// Why; the audit trail keeps it.
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkCreated {
    pub link_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnlinkRequest {
    /// Why; the audit trail keeps it.
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Unlinked {
    pub unlinked: String,
}

fn reason(text: &str) -> Result<&str, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::bad("reason_required", "say why in `reason`; the audit trail keeps it"));
    }
    Ok(text)
}

fn amount(text: Option<&str>) -> Result<Option<Cents>, ApiError> {
    let Some(text) = text else { return Ok(None) };
    let cents = Cents::parse(text).map_err(|e| ApiError::bad("bad_amount", e.to_string()))?;
    if !cents.is_positive() {
        return Err(ApiError::bad("bad_amount", format!("the amount must be more than zero, not {text}")));
    }
    Ok(Some(cents))
}

/// Links (part of) a payment to an invoice of the same debtor.
#[utoipa::path(post, path = "/api/administrations/{id}/payment-links", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id")),
    request_body = LinkPaymentRequest,
    responses((status = 201, body = LinkCreated), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody)))]
pub async fn link_payment(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<LinkPaymentRequest>,
) -> Result<(StatusCode, Json<LinkCreated>), ApiError> {
    let id = caller.may_write(&id)?;
    let reason = reason(&body.reason)?;
    let payment = PaymentRef::new(&body.payment).map_err(|e| ApiError::bad("bad_payment", e.to_string()))?;
    let invoice = InvoiceNumber::new(&body.invoice).map_err(|e| ApiError::bad("bad_invoice", e.to_string()))?;
    let amount = amount(body.amount.as_deref())?;
    let metadata = caller.metadata(&api, Some(reason));
    let link = api.engine.link_payment(&id, &payment, &invoice, amount, &metadata).await?;
    Ok((StatusCode::CREATED, Json(LinkCreated { link_id: link.to_string() })))
}

/// Undoes a payment (or credit-note) link.
#[utoipa::path(post, path = "/api/administrations/{id}/payment-links/{link}/unlink", tag = "accounts",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The administration id"), ("link" = String, Path, description = "The link id")),
    request_body = UnlinkRequest,
    responses((status = 200, body = Unlinked), (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody)))]
pub async fn unlink_payment(
    State(api): State<Api>,
    caller: Caller,
    Path((id, link)): Path<(String, String)>,
    Body(body): Body<UnlinkRequest>,
) -> Result<Json<Unlinked>, ApiError> {
    let id = caller.may_write(&id)?;
    let reason = reason(&body.reason)?;
    let link = LinkId::parse(&link).map_err(|_| ApiError::NotFound(format!("link {link}")))?;
    let metadata = caller.metadata(&api, Some(reason));
    api.engine.unlink_document(&id, link, &metadata).await?;
    Ok(Json(Unlinked { unlinked: link.to_string() }))
}
