//! Collection cases over the API: the preview shows exactly what the start books (same figures,
//! same case id), read tokens may preview but not start, refusals have their own codes, and the
//! open case appears in the list from the `collection_cases` projection.

use std::sync::Arc;

use chrono::NaiveTime;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::sync::oneshot;
use vordering::domain::dunning::case_id;
use vordering::events::debtor_account::DebtorKind;
use vordering::http::{ManualClock, ServeOptions};
use vordering::internals::auth::TokenScope;
use vordering::internals::projections::{self, RunnerOptions};
use vordering::Engine;

use super::setup::{answer, assert_error};
use crate::dunning_support::*;
use crate::support::eventually;

pub struct Running {
    pub base: String,
    client: reqwest::Client,
    pub stop: oneshot::Sender<()>,
}

impl Running {
    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        answer(self.client.get(format!("{}{path}", self.base)).bearer_auth(token).send().await.unwrap()).await
    }

    async fn post(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string());
        answer(request.send().await.unwrap()).await
    }
}

/// A server over `engine` whose clock stands at noon on 2025-03-01.
pub async fn serve(engine: Arc<Engine>) -> Running {
    let noon = date(2025, 3, 1).and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap()).and_utc();
    let api = engine.api().with_clock(Arc::new(ManualClock::new(noon)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let options = ServeOptions { schedule: false, grace: std::time::Duration::from_secs(5) };
    tokio::spawn(vordering::http::serve(listener, api, options, async move {
        let _ = stopped.await;
    }));
    Running { base, client: reqwest::Client::new(), stop }
}

pub async fn token(engine: &Engine, can_write: bool) -> String {
    let scope = TokenScope { administrations: vec![admin()], can_write, label: "clerk".to_owned() };
    engine.create_token(&scope).await.unwrap()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_preview_shows_what_the_start_books_and_the_case_is_listed(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, None).await;
    invoice(&engine, "B1", "F1", 10_000, date(2025, 1, 31)).await;
    let engine = Arc::new(engine);
    let server = serve(engine.clone()).await;
    let (reader, writer) = (token(&engine, false).await, token(&engine, true).await);

    let (status, preview) = server.get("/api/administrations/acme-bv/invoices/F1/collection-preview", &reader).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    // WIK minimum €40 on €100; 11.15 % commercial interest for 2025-02-01 ..= 2025-03-01 (29 days) = 0.8859 → 0.89.
    let id = case_id(&admin(), &code("B1"), &[inv("F1")]);
    let expected = json!({
        "case_id": id, "debtor_code": "B1", "debtor_name": "Debiteur B1", "debtor_kind": "business",
        "interest_kind": "commercial", "invoices": ["F1"], "principal": 10_000, "costs": 4_000, "vat_surcharge": 0,
        "interest": 89, "total": 14_089, "interest_from": "2025-02-01", "started_on": "2025-03-01",
        "rates_verified": true, "unallocated_credit": 0,
    });
    assert_eq!(preview, expected);

    let start = json!({ "invoices": ["F1"] });
    assert_error(
        &server.post("/api/administrations/acme-bv/collection-cases", &reader, &start).await,
        StatusCode::FORBIDDEN,
        "read_only_token",
    );
    let (status, started) = server.post("/api/administrations/acme-bv/collection-cases", &writer, &start).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started, expected, "the start books exactly what the preview showed");
    assert_error(
        &server.get("/api/administrations/acme-bv/invoices/F1/collection-preview", &reader).await,
        StatusCode::CONFLICT,
        "already_in_collection",
    );

    let head = vordering::internals::store::head(&pool).await.unwrap();
    eventually("the case in the read model", || async {
        projections::catch_up(&pool, &projections::ALL, &RunnerOptions::default()).await.unwrap();
        // Every projection: the case row names its debtor from `debtor_balance`.
        let mut conn = pool.acquire().await.unwrap();
        for p in projections::ALL {
            if projections::live_position(&mut conn, p).await.unwrap() < head {
                return None;
            }
        }
        Some(())
    })
    .await;
    let (status, cases) = server.get("/api/administrations/acme-bv/collection-cases", &reader).await;
    assert_eq!(status, StatusCode::OK, "{cases}");
    assert_eq!(
        cases,
        json!([{
            "case_id": id, "debtor_code": "B1", "debtor_name": "Debiteur B1", "invoices": ["F1"], "principal": 10_000,
            "costs": 4_000, "vat_surcharge": 0, "interest": 89, "total": 14_089, "costs_waived": false,
            "interest_from": "2025-02-01", "started_on": "2025-03-01",
        }])
    );
    let _ = server.stop.send(());
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn refusals_have_their_own_codes(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "C1", DebtorKind::Consumer, None).await;
    invoice(&engine, "C1", "K1", 10_000, date(2025, 1, 31)).await;
    debtor(&engine, "B2", DebtorKind::Business, None).await;
    invoice(&engine, "B2", "F2", 5_000, date(2025, 1, 31)).await;
    payment(&engine, "B2", "P2", 5_000, date(2025, 2, 10), "F2").await;
    invoice(&engine, "B2", "F3", 5_000, date(2025, 3, 31)).await;
    let engine = Arc::new(engine);
    let server = serve(engine.clone()).await;
    let reader = token(&engine, false).await;
    let preview = |number: &str| format!("/api/administrations/acme-bv/invoices/{number}/collection-preview");
    let cases = [
        ("K1", StatusCode::UNPROCESSABLE_ENTITY, "no_fourteen_day_letter"),
        ("F2", StatusCode::UNPROCESSABLE_ENTITY, "nothing_open"),
        ("F3", StatusCode::UNPROCESSABLE_ENTITY, "not_overdue"),
        ("NOPE", StatusCode::NOT_FOUND, "not_found"),
    ];
    for (number, status, code) in cases {
        assert_error(&server.get(&preview(number), &reader).await, status, code);
    }
    // The debtor can be named; a date moves the start (and the interest with it).
    let (status, later) = server.get(&format!("{}?debtor=B2&date=2025-04-30", preview("F3")), &reader).await;
    assert_eq!(status, StatusCode::OK, "{later}");
    assert_eq!(
        (&later["principal"], &later["costs"], &later["started_on"]),
        (&json!(5_000), &json!(4_000), &json!("2025-04-30"))
    );
    let outside = TokenScope {
        administrations: vec![vordering::domain::AdministrationId::new("other-bv").unwrap()],
        can_write: true,
        label: "x".to_owned(),
    };
    let stranger = engine.create_token(&outside).await.unwrap();
    assert_error(&server.get(&preview("K1"), &stranger).await, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(events_of(&engine, "C1").await.len(), 2, "a preview writes nothing");
    let _ = server.stop.send(());
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_case_list_follows_waives_and_closes_and_a_rebuild_gives_the_same(pool: PgPool) {
    use vordering::domain::debtor_account::DunningCommand;

    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, None).await;
    invoice(&engine, "B1", "F1", 10_000, date(2025, 1, 31)).await;
    debtor(&engine, "B2", DebtorKind::Business, None).await;
    invoice(&engine, "B2", "F2", 20_000, date(2025, 1, 31)).await;
    let today = date(2025, 3, 1);
    let one = engine.start_collection(&admin(), &code("B1"), vec![inv("F1")], today, &metadata()).await.unwrap();
    // One event per batch: the waive and the close find the case row an earlier batch wrote.
    let one_by_one = RunnerOptions { batch: 1, ..RunnerOptions::default() };
    let caught_up = || async {
        let head = vordering::internals::store::head(&pool).await.unwrap();
        eventually("the projections at the head", || async {
            projections::catch_up(&pool, &projections::ALL, &one_by_one).await.unwrap();
            let mut conn = pool.acquire().await.unwrap();
            for p in projections::ALL {
                if projections::live_position(&mut conn, p).await.unwrap() < head {
                    return None;
                }
            }
            Some(())
        })
        .await;
    };
    caught_up().await;
    let two = engine.start_collection(&admin(), &code("B2"), vec![inv("F2")], today, &metadata()).await.unwrap();
    let waive = DunningCommand::WaiveCosts { case_id: one, reason: "goodwill".to_owned() };
    engine.debtor_command(&admin(), &code("B1"), waive, &metadata()).await.unwrap();
    let close = DunningCommand::CloseCollection { case_id: two, reason: "settled outside".to_owned() };
    engine.debtor_command(&admin(), &code("B2"), close, &metadata()).await.unwrap();
    caught_up().await;

    let listed = engine.collection_cases(&admin(), 10).await.unwrap();
    let summary: Vec<_> = listed
        .iter()
        .map(|c| (c.case_id, c.principal.get(), c.costs.get(), c.interest.get(), c.total.get(), c.costs_waived))
        .collect();
    // B1's case without its €40 costs; B2's closed case is gone from the open list.
    assert_eq!(summary, vec![(one, 10_000, 0, 89, 10_089, true)]);
    projections::rebuild(&pool, projections::Projection::CollectionCases).await.unwrap();
    assert_eq!(engine.collection_cases(&admin(), 10).await.unwrap(), listed);
}
