//! Token scopes: no token 401, another administration 404, read-only writes 403, in scope 200; the
//! administration endpoints and the OpenAPI document.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use super::setup::{assert_error, Server};

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn no_token_or_an_unknown_one_is_401(pool: PgPool) {
    let server = Server::start(pool).await;
    assert_error(&server.get("/api/administrations", None).await, StatusCode::UNAUTHORIZED, "unauthorized");
    let forged = format!("vrd_{}", "0".repeat(64));
    assert_error(&server.get("/api/administrations", Some(&forged)).await, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_error(
        &server.post("/api/administrations/sim-bv/imports", None, &json!({})).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    server.stop().await;
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_token_sees_only_its_administrations_and_gets_404_on_others(pool: PgPool) {
    let server = Server::start(pool).await;
    let token = server.token(&["sim-bv"], true, "alice").await;
    let (status, list) = server.get("/api/administrations", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!([{ "id": "sim-bv", "name": "sim-bv B.V." }]));
    for path in [
        "/api/administrations/other-bv",
        "/api/administrations/other-bv/imports",
        "/api/administrations/other-bv/debtors/1001",
        "/api/administrations/other-bv/dashboard",
        "/api/administrations/other-bv/invoices",
        "/api/administrations/other-bv/audit",
        "/api/administrations/no-such-bv",
    ] {
        assert_error(&server.get(path, Some(&token)).await, StatusCode::NOT_FOUND, "not_found");
    }
    assert_error(
        &server.post("/api/administrations/other-bv/imports", Some(&token), &json!({})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let both = server.token(&["sim-bv", "other-bv"], false, "bob").await;
    let (_, list) = server.get("/api/administrations", Some(&both)).await;
    assert_eq!(list, json!([{ "id": "other-bv", "name": "other-bv B.V." }, { "id": "sim-bv", "name": "sim-bv B.V." }]));
    server.stop().await;
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_read_only_token_reads_and_gets_403_on_writes(pool: PgPool) {
    let server = Server::start(pool).await;
    let token = server.token(&["sim-bv"], false, "viewer").await;
    let (status, _) = server.get("/api/administrations/sim-bv", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    let writes = [
        ("/api/administrations/sim-bv/imports", json!({})),
        ("/api/administrations/sim-bv/payment-links", json!({ "payment": "1", "invoice": "F1", "reason": "r" })),
        (
            "/api/administrations/sim-bv/payment-links/01923f4e-5a6b-7c8d-9eaf-b0c1d2e3f405/unlink",
            json!({ "reason": "r" }),
        ),
    ];
    for (path, body) in writes {
        assert_error(&server.post(path, Some(&token), &body).await, StatusCode::FORBIDDEN, "read_only_token");
    }
    server.stop().await;
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn one_administration_shows_its_link_schedule_and_last_import(pool: PgPool) {
    let server = Server::start(pool).await;
    let token = server.token(&["sim-bv"], false, "viewer").await;
    let (status, view) = server.get("/api/administrations/sim-bv", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["id"], "sim-bv");
    assert_eq!(view["name"], "sim-bv B.V.");
    assert_eq!(view["link"]["status"], "linked");
    assert_eq!(view["link"]["username"], server.simulator.credentials().username);
    assert_eq!(view["link"]["error_code"], json!(null));
    assert_eq!(view["auto_import_at"], json!(null));
    assert_eq!(view["last_import"], json!(null));
    server.stop().await;
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_openapi_document_is_served_and_lists_every_path(pool: PgPool) {
    let server = Server::start(pool).await;
    let (status, document) = server.get("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["openapi"], "3.1.0");
    let mut paths: Vec<&str> = document["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "/api/administrations",
            "/api/administrations/{id}",
            "/api/administrations/{id}/audit",
            "/api/administrations/{id}/collection-cases",
            "/api/administrations/{id}/dashboard",
            "/api/administrations/{id}/debtors/{code}",
            "/api/administrations/{id}/imports",
            "/api/administrations/{id}/invoices",
            "/api/administrations/{id}/invoices/{number}/collection-preview",
            "/api/administrations/{id}/payment-links",
            "/api/administrations/{id}/payment-links/{link}/unlink",
            "/api/administrations/{id}/webhooks",
            "/api/administrations/{id}/webhooks/{webhook}",
            "/api/administrations/{id}/webhooks/{webhook}/deliveries",
            "/api/administrations/{id}/webhooks/{webhook}/disable",
            "/api/administrations/{id}/webhooks/{webhook}/enable",
            "/api/administrations/{id}/webhooks/{webhook}/replay",
            "/api/administrations/{id}/webhooks/{webhook}/rotate",
        ]
    );
    let import_now = &document["paths"]["/api/administrations/{id}/imports"]["post"];
    assert!(import_now["responses"]["202"].is_object() && import_now["responses"]["409"].is_object());
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    server.stop().await;
}
