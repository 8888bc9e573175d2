//! The dashboard figures over the API: totals, ageing, phases, DSO, top debtors and claims that
//! prescribe soon (`GET …/dashboard`), a page of the invoice list (`GET …/invoices`) and the audit
//! trail (`GET …/audit`). All read the projections; the business date is `date` (default today).

use axum::extract::{Path, State};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access::Params;
use super::{Api, ApiError, Caller};
use crate::engine::{
    AgeBucket, AgeingBoundaries, Cursor, DebtorLine, Dso, InvoiceFilter, InvoiceLine, InvoicePage, Phase, PhaseTotal,
    Totals,
};
use crate::projections::AuditRow;

/// How far ahead the dashboard looks for claims that prescribe (art. 3:307 BW).
const PRESCRIBING_WITHIN_DAYS: u32 = 90;

#[derive(Debug, Deserialize, IntoParams)]
pub struct DateQuery {
    /// The business date (ISO); default today (UTC).
    date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub date: NaiveDate,
    #[schema(value_type = Object)]
    pub totals: Totals,
    #[schema(value_type = Vec<Object>)]
    pub ageing: Vec<AgeBucket>,
    #[schema(value_type = Vec<Object>)]
    pub phases: Vec<PhaseTotal>,
    #[schema(value_type = Object)]
    pub dso: Dso,
    #[schema(value_type = Vec<Object>)]
    pub top_debtors: Vec<DebtorLine>,
    #[schema(value_type = Vec<Object>)]
    pub prescribing_soon: Vec<InvoiceLine>,
}

fn date(api: &Api, query: Option<NaiveDate>) -> NaiveDate {
    query.unwrap_or_else(|| api.clock.now().date_naive())
}

/// The dashboard figures of one administration.
#[utoipa::path(get, path = "/api/administrations/{id}/dashboard", params(("id" = String, Path), DateQuery),
    responses((status = 200, body = Dashboard), (status = 404, body = super::error::ErrorBody)), security(("bearer" = [])))]
pub async fn dashboard(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    Params(query): Params<DateQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    let id = caller.may_read(&id)?;
    let today = date(&api, query.date);
    let engine = &api.engine;
    Ok(Json(Dashboard {
        date: today,
        totals: engine.outstanding(&id, today).await?,
        ageing: engine.ageing(&id, today, &AgeingBoundaries::default()).await?,
        phases: engine.phase_totals(&id, today).await?,
        dso: engine.dso(&id, today).await?,
        top_debtors: engine.top_debtors(&id, today, 20).await?,
        prescribing_soon: engine.prescribing_soon(&id, today, PRESCRIBING_WITHIN_DAYS, 50).await?,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct InvoiceQuery {
    date: Option<NaiveDate>,
    /// A phase: NotDue, Overdue, Reminder1, Reminder2, Reminder3, FourteenDayLetter, Collection, Paused, Paid, Credited.
    phase: Option<String>,
    /// Continue after this due date and invoice number (the `next` of the previous page).
    after_due_date: Option<NaiveDate>,
    after_invoice: Option<String>,
    /// Rows per page (at most 200).
    limit: Option<i64>,
}

/// A page of the invoice list, filtered by phase.
#[utoipa::path(get, path = "/api/administrations/{id}/invoices", params(("id" = String, Path), InvoiceQuery),
    responses((status = 200, body = Object), (status = 404, body = super::error::ErrorBody)), security(("bearer" = [])))]
pub async fn invoices(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    Params(query): Params<InvoiceQuery>,
) -> Result<Json<InvoicePage>, ApiError> {
    let id = caller.may_read(&id)?;
    let phase_name = query.phase.as_deref().unwrap_or("Overdue");
    let phase = Phase::ALL
        .into_iter()
        .find(|p| format!("{p:?}") == phase_name)
        .ok_or_else(|| ApiError::bad("bad_query", format!("unknown phase `{phase_name}`")))?;
    let cursor = match (query.after_due_date, query.after_invoice) {
        (Some(due_date), Some(invoice_number)) => Some(Cursor { due_date, invoice_number }),
        _ => None,
    };
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let page = api
        .engine
        .invoice_page(&id, date(&api, query.date), InvoiceFilter::Phase(phase), cursor.as_ref(), limit)
        .await?;
    Ok(Json(page))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Newest first; how many (at most 500).
    limit: Option<i64>,
}

/// The audit trail: every link and unlink, newest first, with actor, reason and ids.
#[utoipa::path(get, path = "/api/administrations/{id}/audit", params(("id" = String, Path), AuditQuery),
    responses((status = 200, body = Vec<Object>), (status = 404, body = super::error::ErrorBody)), security(("bearer" = [])))]
pub async fn audit(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    Params(query): Params<AuditQuery>,
) -> Result<Json<Vec<AuditRow>>, ApiError> {
    let id = caller.may_read(&id)?;
    Ok(Json(api.engine.audit_trail(&id, query.limit.unwrap_or(100).clamp(1, 500)).await?))
}
