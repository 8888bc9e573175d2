//! The dashboard page: a token given once becomes an HTTP-only cookie, the page shows the same
//! figures as the API in Dutch or English, escapes what it shows, and "import now" starts an import.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use sqlx::PgPool;

use super::setup::Server;
use crate::support::eventually;

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_page_shows_the_apis_figures_behind_a_cookie_and_imports_on_request(pool: PgPool) {
    let server = Server::start(pool.clone()).await;
    let token = server.token(&["sim-bv"], true, "alice").await;
    let client = client();

    let login = client.get(format!("{}/", server.base)).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    assert!(login.text().await.unwrap().contains("name=\"token\""));

    let handed = client.get(format!("{}/?token={token}&lang=en", server.base)).send().await.unwrap();
    assert_eq!(handed.status(), StatusCode::SEE_OTHER);
    assert_eq!(handed.headers()[LOCATION], "/?lang=en");
    let cookie = handed.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let cookie = cookie.split(';').next().unwrap().to_owned();

    // Import now from the page, then the figures match the API's.
    let posted = client
        .post(format!("{}/ui/import", server.base))
        .header(COOKIE, &cookie)
        .form(&[("administration", "sim-bv"), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    assert!(posted.headers()[LOCATION].to_str().unwrap().contains("notice=Import%20started"), "{:?}", posted.headers());
    let today = server.simulator.today();
    let (html, api) = eventually("the import folded into the projections", || async {
        vordering::internals::projections::catch_up(
            &pool,
            &vordering::internals::projections::ALL,
            &Default::default(),
        )
        .await
        .unwrap();
        let (_, api) = server.get(&format!("/api/administrations/sim-bv/dashboard?date={today}"), Some(&token)).await;
        let outstanding = api["totals"]["outstanding"].as_i64().unwrap_or(0);
        let html = client
            .get(format!("{}/?lang=en&date={today}", server.base))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (outstanding > 0 && html.contains(&format!("data-cents=\"{outstanding}\""))).then_some((html, api))
    })
    .await;
    assert!(html.contains("Outstanding") && html.contains("<svg id=\"ageing\""), "English labels and the chart");
    assert!(html.contains(&format!("id=\"overdue\" data-cents=\"{}\"", api["totals"]["overdue"])));
    assert!(html.contains("id=\"import-now\""), "a write token sees the button");

    let dutch =
        client.get(format!("{}/?lang=nl&date={today}", server.base)).header(COOKIE, &cookie).send().await.unwrap();
    assert!(dutch.text().await.unwrap().contains("Openstaand"));
    let other =
        client.get(format!("{}/?administration=other-bv", server.base)).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND, "a token sees only its own administrations");
    server.stop().await;
}
