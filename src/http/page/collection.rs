//! "Start collection case" on the page: a preview (GET `/ui/collection`) that shows exactly what
//! the case will claim — the engine's `collection_preview`, the same decision the start runs — and
//! a confirm button (POST `/ui/collection`, write tokens only) that starts it and goes back to the
//! dashboard with a message. Refusals are shown as sentences in the reader's language.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;

use super::html::{day, document, esc, euro, t};
use super::refusal::refusal;
use super::{back_with, caller, render};
use crate::domain::{DebtorCode, InvoiceNumber};
use crate::engine::{CollectionPreview, Lang};
use crate::events::debtor_account::DebtorKind;
use crate::http::collection::start_case;
use crate::http::{Api, ApiError};

#[derive(Debug, Deserialize)]
pub struct CaseForm {
    administration: String,
    debtor: String,
    invoice: String,
    lang: Option<String>,
    date: Option<NaiveDate>,
}

fn parse(form: &CaseForm) -> Result<(DebtorCode, InvoiceNumber), ApiError> {
    let debtor = DebtorCode::new(&form.debtor).map_err(|e| ApiError::bad("bad_debtor", e.to_string()))?;
    let invoice = InvoiceNumber::new(&form.invoice).map_err(|e| ApiError::bad("bad_invoice", e.to_string()))?;
    Ok((debtor, invoice))
}

/// The preview page of a case on one invoice.
pub async fn preview_collection(
    State(api): State<Api>,
    headers: HeaderMap,
    Query(form): Query<CaseForm>,
) -> Result<Response, ApiError> {
    let lang = Lang::of(form.lang.as_deref());
    let Some(caller) = caller(&api, &headers).await? else {
        return Ok((StatusCode::UNAUTHORIZED, Html(render::login(lang, false))).into_response());
    };
    let id = caller.may_read(&form.administration)?;
    let today = form.date.unwrap_or_else(|| api.clock.now().date_naive());
    let answer = match parse(&form) {
        Ok((debtor, invoice)) => {
            api.engine.collection_preview(&id, &debtor, vec![invoice], today).await.map_err(ApiError::from)
        }
        Err(error) => Err(error),
    };
    let (status, body) = match answer {
        Ok(preview) => (StatusCode::OK, claim(lang, &preview, caller.scope.can_write, &form)),
        Err(error) => match refusal(lang, &error) {
            Some(message) => (error.classify().0, format!("<p class=\"refusal\" id=\"refusal\">{}</p>", esc(&message))),
            None => return Err(error),
        },
    };
    let date = form.date.map_or(String::new(), |d| format!("&date={d}"));
    let page = format!(
        "<h1>{}</h1><p>{} · {} {}</p>{body}<p><a id=\"back\" href=\"/?lang={}&administration={}{date}\">{}</a></p>",
        t(lang, "Incassozaak starten", "Start a collection case"),
        esc(&form.administration),
        t(lang, "factuur", "invoice"),
        esc(&form.invoice),
        lang.code(),
        esc(&super::html::urlencode(&form.administration)),
        t(lang, "← Terug naar het overzicht", "← Back to the dashboard")
    );
    Ok((status, Html(document(lang, t(lang, "Incassozaak starten", "Start a collection case"), &page))).into_response())
}

fn row(lang: Lang, id: &str, label: &str, amount: crate::domain::Cents) -> String {
    format!(
        "<tr id=\"{id}\" data-cents=\"{}\"><td>{}</td><td class=\"n\">{}</td></tr>",
        amount.get(),
        esc(label),
        euro(amount, lang)
    )
}

/// The claim as a table, and the confirm button for a write token.
fn claim(lang: Lang, p: &CollectionPreview, can_write: bool, form: &CaseForm) -> String {
    let (kind, interest) = match p.debtor_kind {
        DebtorKind::Consumer => (
            t(lang, "consument", "consumer"),
            t(lang, "Wettelijke rente (art. 6:119 BW)", "Statutory interest (art. 6:119 BW)"),
        ),
        DebtorKind::Business => (
            t(lang, "zakelijk", "business"),
            t(lang, "Wettelijke handelsrente (art. 6:119a BW)", "Commercial interest (art. 6:119a BW)"),
        ),
    };
    let period = format!(
        "{interest}, {} {} {} {}",
        t(lang, "van", "from"),
        day(p.interest_from, lang),
        t(lang, "t/m", "to"),
        day(p.started_on, lang)
    );
    let mut rows = row(lang, "preview-principal", t(lang, "Hoofdsom", "Principal"), p.principal);
    rows.push_str(&row(lang, "preview-costs", t(lang, "Incassokosten (WIK)", "Collection costs (WIK)"), p.costs));
    if p.vat_surcharge.is_positive() {
        rows.push_str(&row(
            lang,
            "preview-vat",
            t(lang, "Btw over de incassokosten", "VAT on the collection costs"),
            p.vat_surcharge,
        ));
    }
    rows.push_str(&row(lang, "preview-interest", &period, p.interest));
    rows.push_str(
        &row(lang, "preview-total", t(lang, "Totaal", "Total"), p.total).replace("<tr ", "<tr class=\"total\" "),
    );
    let credit = if p.unallocated_credit.is_positive() {
        let amount = euro(p.unallocated_credit, lang);
        let text = match lang {
            Lang::Nl => format!("Let op: de debiteur heeft {amount} aan creditnota's die aan geen factuur gekoppeld zijn. De automatische incasso wacht daarop; koppel ze eerst als ze bij deze factuur horen."),
            Lang::En => format!("Note: the debtor has {amount} of credit notes linked to no invoice. The automatic collection waits for them; link them first if they belong to this invoice."),
        };
        format!("<p class=\"warning\" id=\"credit-warning\" data-cents=\"{}\">{text}</p>", p.unallocated_credit.get())
    } else {
        String::new()
    };
    let unverified = if p.rates_verified {
        String::new()
    } else {
        format!(
            "<p class=\"muted\">{}</p>",
            t(
                lang,
                "De rente gebruikt een percentage na het einde van de rentetabel (niet geverifieerd).",
                "The interest uses a rate past the end of the rate table (not verified)."
            )
        )
    };
    let confirm = if can_write {
        format!(
            "<form method=\"post\" action=\"/ui/collection\"><input type=\"hidden\" name=\"administration\" value=\"{}\">\
             <input type=\"hidden\" name=\"debtor\" value=\"{}\"><input type=\"hidden\" name=\"invoice\" value=\"{}\">\
             <input type=\"hidden\" name=\"lang\" value=\"{}\">{}<button id=\"confirm-collection\">{}</button></form>",
            esc(&form.administration),
            esc(&form.debtor),
            esc(&form.invoice),
            lang.code(),
            form.date.map_or(String::new(), |d| format!("<input type=\"hidden\" name=\"date\" value=\"{d}\">")),
            t(lang, "Incassozaak starten", "Start the collection case")
        )
    } else {
        format!(
            "<p class=\"muted\">{}</p>",
            t(
                lang,
                "Dit token mag alleen lezen: starten kan niet.",
                "This token may only read: it cannot start a case."
            )
        )
    };
    format!(
        "<section id=\"preview\" data-case=\"{}\"><p>{} <b>{}</b> {} ({kind}) · {} {} · {} {}</p>{credit}<table>{rows}</table>{unverified}{confirm}</section>",
        p.case_id,
        t(lang, "Debiteur", "Debtor"),
        esc(&p.debtor_code),
        esc(&p.debtor_name),
        t(lang, "factuur", "invoice"),
        esc(&p.invoices.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        t(lang, "startdatum", "start date"),
        day(p.started_on, lang)
    )
}

/// Starts the case and goes back to the dashboard with what was started, or why not.
pub async fn confirm_collection(
    State(api): State<Api>,
    headers: HeaderMap,
    Form(form): Form<CaseForm>,
) -> Result<Response, ApiError> {
    let caller = caller(&api, &headers).await?.ok_or(ApiError::Unauthorized)?;
    let lang = Lang::of(form.lang.as_deref());
    let today = form.date.unwrap_or_else(|| api.clock.now().date_naive());
    let started = async {
        let id = caller.may_write(&form.administration)?;
        let (debtor, invoice) = parse(&form)?;
        let metadata = caller.metadata(&api, Some("collection started from the dashboard"));
        start_case(&api, &id, &debtor, vec![invoice], today, &metadata).await
    }
    .await;
    let notice = match started {
        Ok(claim) => format!(
            "{} {}: {} {}.",
            t(lang, "Incassozaak gestart voor factuur", "Collection case started for invoice"),
            claim.invoices.join(", "),
            t(lang, "totaal", "total"),
            euro(crate::domain::Cents::new(claim.total), lang).replace('\u{a0}', " ")
        ),
        Err(error) => match refusal(lang, &error) {
            Some(message) => format!("{} {message}", t(lang, "Niet gestart:", "Not started:")),
            None => return Err(error),
        },
    };
    Ok(back_with(lang, &form.administration, form.date, &notice))
}
