//! "Start collection case" on the page without a browser: the preview shows the claim in Dutch
//! amounts, a read token sees no confirm button and is refused with a sentence, a refusal is a
//! page (422) and not a server error, and a write token starts the case.

use std::sync::Arc;

use reqwest::header::{COOKIE, LOCATION};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use sqlx::PgPool;
use vordering::events::debtor_account::DebtorKind;

use super::collection::{serve, token};
use crate::dunning_support::*;

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_page_previews_refuses_in_words_and_starts_with_a_write_token(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, None).await;
    invoice(&engine, "B1", "F1", 10_000, date(2025, 1, 31)).await;
    debtor(&engine, "C1", DebtorKind::Consumer, None).await;
    invoice(&engine, "C1", "K1", 10_000, date(2025, 1, 31)).await;
    let engine = Arc::new(engine);
    let server = serve(engine.clone()).await;
    let client = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let reader = format!("vordering_token={}", token(&engine, false).await);
    let writer = format!("vordering_token={}", token(&engine, true).await);
    let url = |debtor: &str, number: &str| {
        format!("{}/ui/collection?administration=acme-bv&debtor={debtor}&invoice={number}&lang=nl", server.base)
    };

    let preview = client.get(url("B1", "F1")).header(COOKIE, &reader).send().await.unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    let html = preview.text().await.unwrap();
    for expected in [
        "id=\"preview-principal\" data-cents=\"10000\"><td>Hoofdsom</td><td class=\"n\">€\u{a0}100,00</td>",
        "id=\"preview-costs\" data-cents=\"4000\"><td>Incassokosten (WIK)</td><td class=\"n\">€\u{a0}40,00</td>",
        "Wettelijke handelsrente (art. 6:119a BW), van 01-02-2025 t/m 01-03-2025</td><td class=\"n\">€\u{a0}0,89</td>",
        "id=\"preview-total\" data-cents=\"14089\"><td>Totaal</td><td class=\"n\">€\u{a0}140,89</td>",
        "Dit token mag alleen lezen: starten kan niet.",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert!(!html.contains("preview-vat") && !html.contains("confirm-collection"), "{html}");

    let form = [("administration", "acme-bv"), ("debtor", "B1"), ("invoice", "F1"), ("lang", "nl")];
    let post =
        |cookie: String| client.post(format!("{}/ui/collection", server.base)).header(COOKIE, cookie).form(&form);
    let refused = post(reader.clone()).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        refused.headers()[LOCATION],
        "/?lang=nl&administration=acme-bv&notice=Niet%20gestart%3A%20Dit%20token%20mag%20alleen%20lezen."
    );

    let consumer = client.get(url("C1", "K1")).header(COOKIE, &writer).send().await.unwrap();
    assert_eq!(consumer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(consumer.text().await.unwrap().contains(
        "<p class=\"refusal\" id=\"refusal\">Voor factuur K1 is nog geen veertiendagenbrief verstuurd (of de bezorging is nog niet bekend)"
    ));

    let started = post(writer.clone()).send().await.unwrap();
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        started.headers()[LOCATION],
        "/?lang=nl&administration=acme-bv&notice=Incassozaak%20gestart%20voor%20factuur%20F1%3A%20totaal%20%E2%82%AC%20140%2C89."
    );
    let again = post(writer).send().await.unwrap();
    assert_eq!(
        again.headers()[LOCATION],
        "/?lang=nl&administration=acme-bv&notice=Niet%20gestart%3A%20Factuur%20F1%20zit%20al%20in%20een%20incassozaak."
    );
    let _ = server.stop.send(());
}
