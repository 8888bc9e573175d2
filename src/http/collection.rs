//! Collection cases over the API: what a case on an invoice would claim
//! (`GET …/invoices/{number}/collection-preview`, read scope), starting one
//! (`POST …/collection-cases`, write scope) and the open cases (`GET …/collection-cases`).
//! The preview and the start run the same decision; a refusal is 422 (409 when the invoice is
//! already in a case) with a code per reason: `term_running`, `no_fourteen_day_letter`,
//! `nothing_open`, `not_overdue`, `invoice_paused`, `paid_within_term`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access::{Body, Params};
use super::{Api, ApiError, Caller};
use crate::domain::{AdministrationId, DebtorCode, InvoiceNumber};
use crate::engine::{CaseLine, CollectionPreview};
use crate::events::debtor_account::DebtorKind;

/// What a collection case claims (or would claim), amounts in cents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CollectionClaim {
    pub case_id: uuid::Uuid,
    pub debtor_code: String,
    pub debtor_name: String,
    /// `consumer` or `business`.
    pub debtor_kind: String,
    /// `statutory` (art. 6:119 BW, consumers) or `commercial` (art. 6:119a BW, businesses).
    pub interest_kind: String,
    pub invoices: Vec<String>,
    pub principal: i64,
    /// WIK collection costs, without the VAT surcharge.
    pub costs: i64,
    pub vat_surcharge: i64,
    pub interest: i64,
    /// principal + costs + VAT surcharge + interest.
    pub total: i64,
    pub interest_from: NaiveDate,
    pub started_on: NaiveDate,
    /// False when the interest used a rate past the end of the shipped table.
    pub rates_verified: bool,
    /// Credit of the debtor linked to no invoice (cents): the automatic start waits for it; a
    /// start by hand does not, so check it first.
    pub unallocated_credit: i64,
}

impl From<CollectionPreview> for CollectionClaim {
    fn from(p: CollectionPreview) -> Self {
        let (debtor_kind, interest_kind) = match p.debtor_kind {
            DebtorKind::Consumer => ("consumer", "statutory"),
            DebtorKind::Business => ("business", "commercial"),
        };
        CollectionClaim {
            case_id: p.case_id,
            debtor_code: p.debtor_code,
            debtor_name: p.debtor_name,
            debtor_kind: debtor_kind.to_owned(),
            interest_kind: interest_kind.to_owned(),
            invoices: p.invoices.iter().map(ToString::to_string).collect(),
            principal: p.principal.get(),
            costs: p.costs.get(),
            vat_surcharge: p.vat_surcharge.get(),
            interest: p.interest.get(),
            total: p.total.get(),
            interest_from: p.interest_from,
            started_on: p.started_on,
            rates_verified: p.rates_verified,
            unallocated_credit: p.unallocated_credit.get(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PreviewQuery {
    /// The start date (ISO); default today (UTC).
    date: Option<NaiveDate>,
    /// The debtor's code; found from the invoice when left out.
    debtor: Option<String>,
}

/// The request to start a case by hand.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StartCollectionRequest {
    /// The debtor's code; found from the first invoice when left out.
    pub debtor: Option<String>,
    /// One or more invoices of that debtor.
    pub invoices: Vec<String>,
    /// The start date (ISO); default today (UTC).
    pub date: Option<NaiveDate>,
}

/// The debtor named, or the one whose account holds `invoice`; 404 when there is none.
pub(super) async fn debtor_of(
    api: &Api,
    administration: &AdministrationId,
    debtor: Option<&str>,
    invoice: &InvoiceNumber,
) -> Result<DebtorCode, ApiError> {
    if let Some(code) = debtor {
        return DebtorCode::new(code).map_err(|e| ApiError::bad("bad_debtor", e.to_string()));
    }
    api.engine
        .debtor_of_invoice(administration, invoice)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("invoice {invoice}")))
}

fn invoice(text: &str) -> Result<InvoiceNumber, ApiError> {
    InvoiceNumber::new(text).map_err(|e| ApiError::bad("bad_invoice", e.to_string()))
}

/// What a collection case on this invoice, started on `date`, would claim: principal, WIK costs
/// (+ VAT surcharge where declared), statutory or commercial interest, total. Nothing is written.
#[utoipa::path(get, path = "/api/administrations/{id}/invoices/{number}/collection-preview",
    params(("id" = String, Path), ("number" = String, Path), PreviewQuery),
    responses((status = 200, body = CollectionClaim), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn preview(
    State(api): State<Api>,
    caller: Caller,
    Path((id, number)): Path<(String, String)>,
    Params(query): Params<PreviewQuery>,
) -> Result<Json<CollectionClaim>, ApiError> {
    let id = caller.may_read(&id)?;
    let number = invoice(&number)?;
    let debtor = debtor_of(&api, &id, query.debtor.as_deref(), &number).await?;
    let today = query.date.unwrap_or_else(|| api.clock.now().date_naive());
    Ok(Json(api.engine.collection_preview(&id, &debtor, vec![number], today).await?.into()))
}

/// Starts a collection case by hand (write scope): the same figures as the preview.
#[utoipa::path(post, path = "/api/administrations/{id}/collection-cases", params(("id" = String, Path)),
    request_body = StartCollectionRequest,
    responses((status = 201, body = CollectionClaim), (status = 403, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn start(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    Body(request): Body<StartCollectionRequest>,
) -> Result<(StatusCode, Json<CollectionClaim>), ApiError> {
    let id = caller.may_write(&id)?;
    let invoices = request.invoices.iter().map(|n| invoice(n)).collect::<Result<Vec<_>, _>>()?;
    let first = invoices.first().ok_or_else(|| ApiError::bad("no_invoices", "name at least one invoice"))?;
    let debtor = debtor_of(&api, &id, request.debtor.as_deref(), first).await?;
    let today = request.date.unwrap_or_else(|| api.clock.now().date_naive());
    let metadata = caller.metadata(&api, Some("collection started by hand"));
    let claim = start_case(&api, &id, &debtor, invoices, today, &metadata).await?;
    Ok((StatusCode::CREATED, Json(claim)))
}

/// Starts the case and reads back what was booked (the page uses it too).
pub(super) async fn start_case(
    api: &Api,
    id: &AdministrationId,
    debtor: &DebtorCode,
    invoices: Vec<InvoiceNumber>,
    today: NaiveDate,
    metadata: &crate::events::Metadata,
) -> Result<CollectionClaim, ApiError> {
    let case_id = api.engine.start_collection(id, debtor, invoices, today, metadata).await?;
    let account = api.engine.debtor_account(id, debtor).await?;
    let case = account
        .dunning
        .cases
        .get(&case_id)
        .ok_or_else(|| ApiError::Internal(format!("case {case_id} was not stored")))?;
    let total = crate::domain::Cents::checked_sum([case.principal, case.costs, case.vat_surcharge, case.interest])
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let (name, kind) =
        account.debtor.as_ref().map_or((String::new(), DebtorKind::Consumer), |d| (d.name.clone(), d.kind));
    Ok(CollectionPreview {
        case_id,
        debtor_code: debtor.to_string(),
        debtor_name: name,
        debtor_kind: kind,
        invoices: case.invoices.clone(),
        principal: case.principal,
        costs: case.costs,
        vat_surcharge: case.vat_surcharge,
        interest: case.interest,
        interest_from: case.interest_from,
        started_on: case.started_on,
        rates_verified: case.rates_verified,
        total,
        unallocated_credit: account.summary(today).unallocated_credit,
    }
    .into())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CasesQuery {
    /// Newest first; how many (at most 500).
    limit: Option<i64>,
}

/// The open collection cases, newest first, with what each claimed when it started.
#[utoipa::path(get, path = "/api/administrations/{id}/collection-cases", params(("id" = String, Path), CasesQuery),
    responses((status = 200, body = Vec<Object>), (status = 404, body = super::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn cases(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    Params(query): Params<CasesQuery>,
) -> Result<Json<Vec<CaseLine>>, ApiError> {
    let id = caller.may_read(&id)?;
    let limit = query.limit.unwrap_or(100).clamp(1, 500);
    Ok(Json(api.engine.collection_cases(&id, limit).await?))
}
