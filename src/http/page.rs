//! The dashboard page at `/`: server-rendered HTML (no JavaScript) over the same engine queries as
//! the API. A token given once as `/?token=…` is kept in an HTTP-only cookie and taken out of the
//! address; "import now" is a plain form post.

mod render;

use axum::extract::{Query, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{Api, ApiError, Caller};
use crate::engine::AgeingBoundaries;

const COOKIE_NAME: &str = "vordering_token";

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    token: Option<String>,
    date: Option<NaiveDate>,
    lang: Option<String>,
    administration: Option<String>,
    notice: Option<String>,
}

/// `nl` (default) or `en`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    fn of(text: Option<&str>) -> Lang {
        if text == Some("en") {
            Lang::En
        } else {
            Lang::Nl
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }
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
        can_write: caller.scope.can_write,
        notice: query.notice,
        totals: engine.outstanding(&id, today).await?,
        ageing: engine.ageing(&id, today, &AgeingBoundaries::default()).await?,
        phases: engine.phase_totals(&id, today).await?,
        dso: engine.dso(&id, today).await?,
        top: engine.top_debtors(&id, today, 10).await?,
        overdue: engine
            .invoice_page(&id, today, crate::engine::InvoiceFilter::Phase(crate::engine::Phase::Overdue), None, 20)
            .await?,
        prescribing: engine.prescribing_soon(&id, today, 90, 20).await?,
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
        Ok(import_id) => format!("import {import_id} started"),
        Err(error) => error.to_string(),
    };
    let location =
        format!("/?lang={}&administration={}&notice={}", lang.code(), form.administration, urlencode(&notice));
    Ok((StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response())
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
