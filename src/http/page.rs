//! The dashboard page at `/`: server-rendered HTML (no JavaScript) over the same engine queries as
//! the API. A token given once as `/?token=…` is kept in an HTTP-only, `SameSite=Strict` cookie
//! and taken out of the address; the forms ("import now", "start collection") are plain posts that
//! carry that cookie, which a browser never sends with a post from another site.

mod collection;
mod html;
mod refusal;
mod render;
mod tables;

use axum::extract::{Query, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;

pub use collection::{confirm_collection, preview_collection};

use super::{Api, ApiError, Caller};
use crate::engine::{AgeingBoundaries, EngineError, InvoiceFilter, Lang, Phase, Refusal};

const COOKIE_NAME: &str = "vordering_token";
/// Rows in each invoice list and in the collection cases.
const LIST_ROWS: i64 = 20;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    token: Option<String>,
    date: Option<NaiveDate>,
    lang: Option<String>,
    administration: Option<String>,
    notice: Option<String>,
}

async fn caller(api: &Api, headers: &HeaderMap) -> Result<Option<Caller>, ApiError> {
    let token = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(&format!("{COOKIE_NAME}=")).map(str::to_owned));
    let Some(token) = token else { return Ok(None) };
    Ok(api.engine.token_scope(&token).await?.map(|scope| Caller { scope }))
}

/// Back to the dashboard of `administration` with a message on top.
fn back_with(lang: Lang, administration: &str, date: Option<NaiveDate>, notice: &str) -> Response {
    let date = date.map_or(String::new(), |d| format!("&date={d}"));
    let location = format!(
        "/?lang={}&administration={}{date}&notice={}",
        lang.code(),
        html::urlencode(administration),
        html::urlencode(notice)
    );
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

pub async fn page(
    State(api): State<Api>,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let lang = Lang::of(query.lang.as_deref());
    if let Some(token) = query.token.as_deref() {
        // Keep the token out of the address bar, the history and the logs of anything in between.
        if api.engine.token_scope(token).await?.is_none() {
            return Ok((StatusCode::UNAUTHORIZED, Html(render::login(lang, true))).into_response());
        }
        let cookie = format!("{COOKIE_NAME}={token}; HttpOnly; SameSite=Strict; Path=/");
        let date = query.date.map_or(String::new(), |d| format!("&date={d}"));
        let mut response =
            (StatusCode::SEE_OTHER, [(LOCATION, format!("/?lang={}{date}", lang.code()))]).into_response();
        response
            .headers_mut()
            .insert(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?);
        return Ok(response);
    }
    let Some(caller) = caller(&api, &headers).await? else {
        return Ok((StatusCode::UNAUTHORIZED, Html(render::login(lang, false))).into_response());
    };
    let wanted = query.administration.or_else(|| caller.scope.administrations.first().map(|a| a.to_string()));
    let Some(wanted) = wanted else { return Ok(Html(render::login(lang, true)).into_response()) };
    let id = caller.may_read(&wanted)?;
    let today = query.date.unwrap_or_else(|| api.clock.now().date_naive());
    let engine = &api.engine;
    let figures = render::Figures {
        administration: id.to_string(),
        others: caller.scope.administrations.iter().map(ToString::to_string).collect(),
        today,
        asked_date: query.date,
        can_write: caller.scope.can_write,
        notice: query.notice,
        totals: engine.outstanding(&id, today).await?,
        ageing: engine.ageing(&id, today, &AgeingBoundaries::default()).await?,
        phases: engine.phase_totals(&id, today).await?,
        dso: engine.dso(&id, today).await?,
        top: engine.top_debtors(&id, today, 10).await?,
        overdue: engine.invoice_page(&id, today, InvoiceFilter::Phase(Phase::Overdue), None, LIST_ROWS).await?,
        letters: engine
            .invoice_page(&id, today, InvoiceFilter::Phase(Phase::FourteenDayLetter), None, LIST_ROWS)
            .await?,
        cases: engine.collection_cases(&id, LIST_ROWS).await?,
        prescribing: engine.prescribing_soon(&id, today, 90, LIST_ROWS).await?,
        imports: engine.import_log(&id, today).await?,
        audit: engine.audit_trail(&id, 15).await?,
    };
    Ok(Html(render::dashboard(lang, &figures)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ImportForm {
    administration: String,
    lang: Option<String>,
}

/// "Import now" from the page: starts the import in the background and goes back to the page.
pub async fn import_now(
    State(api): State<Api>,
    headers: HeaderMap,
    Form(form): Form<ImportForm>,
) -> Result<Response, ApiError> {
    let caller = caller(&api, &headers).await?.ok_or(ApiError::Unauthorized)?;
    let lang = Lang::of(form.lang.as_deref());
    let notice = match super::imports::start_import(&api, &caller, &form.administration).await {
        Ok(import_id) => format!("{} {import_id}", lang.pick("Import gestart:", "Import started:")),
        Err(ApiError::Engine(EngineError::Refused(Refusal::ImportRunning(_)))) => {
            lang.pick("Er loopt al een import.", "An import is already running.").to_owned()
        }
        Err(error) => error.to_string(),
    };
    Ok(back_with(lang, &form.administration, None, &notice))
}
