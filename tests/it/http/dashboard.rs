//! The dashboard routes return what the engine's dashboard queries compute, for the token's
//! administration only.

use reqwest::StatusCode;
use sqlx::PgPool;
use vordering::engine::AgeingBoundaries;
use vordering::internals::import::{ImportRequest, Quiet};
use vordering::internals::projections::{self, RunnerOptions};

use super::setup::{assert_error, Server};
use crate::support::eventually;

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_dashboard_invoices_and_audit_match_the_engine(pool: PgPool) {
    let server = Server::start(pool.clone()).await;
    let request = ImportRequest {
        administration: server.id.clone(),
        trigger: vordering::events::administration::ImportTrigger::Manual,
        today: server.simulator.today(),
        actor: "t".to_owned(),
    };
    server.engine.import(&request, None, &Quiet).await.unwrap();
    // Other tests' transactions may hold the horizon back for a moment: wait until the read model
    // has reached the last event (the server's own runner may get there first).
    let head = vordering::internals::store::head(&pool).await.unwrap();
    eventually("the projections at the head", || async {
        projections::catch_up(&pool, &projections::ALL, &RunnerOptions::default()).await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        let at = projections::live_position(&mut conn, projections::Projection::Receivables).await.unwrap();
        (at >= head).then_some(())
    })
    .await;
    let token = server.token(&["sim-bv"], false, "reader").await;
    let today = server.simulator.today();

    let (status, body) = server.get(&format!("/api/administrations/sim-bv/dashboard?date={today}"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let totals = server.engine.outstanding(&server.id, today).await.unwrap();
    assert_eq!(body["totals"], serde_json::to_value(totals).unwrap());
    let ageing = server.engine.ageing(&server.id, today, &AgeingBoundaries::default()).await.unwrap();
    assert_eq!(body["ageing"], serde_json::to_value(&ageing).unwrap());
    assert!(totals.outstanding.is_positive());

    let (status, page) = server
        .get(&format!("/api/administrations/sim-bv/invoices?date={today}&phase=Overdue&limit=5"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let rows = page["invoices"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.len() <= 5);
    assert!(rows.iter().all(|r| r["phase"] == "Overdue"), "{page}");
    assert_error(
        &server.get("/api/administrations/sim-bv/invoices?phase=Sideways", Some(&token)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_query",
    );

    let (status, trail) = server.get("/api/administrations/sim-bv/audit?limit=3", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    assert!(trail.as_array().unwrap().len() <= 3);
    server.stop().await;
}
