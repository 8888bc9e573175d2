//! One debtor's account, and payments linked and unlinked by hand through the API.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use vordering::events::administration::ImportTrigger;
use vordering::internals::import::{ImportRequest, Quiet};

use super::setup::{assert_error, Server};

/// Imports the books, and returns an automatic link: (debtor code, link id, payment, invoice).
async fn imported_link(server: &Server) -> (String, String, String, String) {
    let request = ImportRequest {
        administration: server.id.clone(),
        trigger: ImportTrigger::Manual,
        today: server.simulator.today(),
        actor: "tester".to_owned(),
    };
    server.engine.import(&request, None, &Quiet).await.unwrap();
    let (aggregate, link, payment, invoice): (String, String, String, String) = sqlx::query_as(
        "SELECT aggregate_id, payload -> 'PaymentLinked' ->> 'link_id', payload -> 'PaymentLinked' ->> 'payment_ref', \
         payload -> 'PaymentLinked' ->> 'invoice_number' FROM events WHERE event_type = 'PaymentLinked' \
         AND aggregate_id LIKE 'sim-bv:%' ORDER BY aggregate_id, sequence LIMIT 1",
    )
    .fetch_one(server.engine.pool())
    .await
    .unwrap();
    let code = aggregate.split_once(':').unwrap().1.to_owned();
    (code, link, payment, invoice)
}

fn invoice<'a>(account: &'a Value, number: &str) -> &'a Value {
    account["invoices"].as_array().unwrap().iter().find(|i| i["number"] == number).unwrap()
}

fn payment<'a>(account: &'a Value, reference: &str) -> &'a Value {
    account["payments"].as_array().unwrap().iter().find(|p| p["payment_ref"] == reference).unwrap()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn unlink_and_link_a_payment_by_hand_and_see_it_on_the_account(pool: PgPool) {
    let server = Server::start(pool).await;
    let (code, link, payment_ref, number) = imported_link(&server).await;
    let token = server.token(&["sim-bv"], true, "alice@example.nl").await;
    let account_path = format!("/api/administrations/sim-bv/debtors/{code}");

    let (status, before) = server.get(&account_path, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before["debtor_code"], code.as_str());
    let allocations = &invoice(&before, &number)["allocations"];
    assert!(allocations
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["link_id"] == link.as_str() && a["payment"] == payment_ref.as_str()));
    let amount = payment(&before, &payment_ref)["amount"].clone();

    let unlink_path = format!("/api/administrations/sim-bv/payment-links/{link}/unlink");
    let (status, body) = server.post(&unlink_path, Some(&token), &json!({ "reason": "wrong invoice" })).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "unlinked": link })));
    let (_, after_unlink) = server.get(&account_path, Some(&token)).await;
    assert_eq!(payment(&after_unlink, &payment_ref)["unallocated"], amount, "the whole payment is free again");
    assert!(invoice(&after_unlink, &number)["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["link_id"] != link.as_str()));
    assert_error(
        &server.post(&unlink_path, Some(&token), &json!({ "reason": "again" })).await,
        StatusCode::CONFLICT,
        "already_unlinked",
    );

    let body = json!({ "payment": payment_ref, "invoice": number, "reason": "customer called" });
    let (status, created) = server.post("/api/administrations/sim-bv/payment-links", Some(&token), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let new_link = created["link_id"].as_str().unwrap().to_owned();
    let (_, after_link) = server.get(&account_path, Some(&token)).await;
    let allocation = invoice(&after_link, &number)["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["link_id"] == new_link.as_str())
        .cloned()
        .unwrap();
    assert_eq!(allocation["payment"], payment_ref.as_str());

    // The token's label is the actor, the reason is kept.
    let metadata: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT event_type, metadata ->> 'actor', metadata ->> 'reason' FROM events \
         WHERE event_type IN ('PaymentUnlinked', 'PaymentLinked') AND metadata ->> 'source' = 'http' ORDER BY sequence",
    )
    .fetch_all(server.engine.pool())
    .await
    .unwrap();
    assert_eq!(
        metadata,
        [
            ("PaymentUnlinked".to_owned(), "alice@example.nl".to_owned(), Some("wrong invoice".to_owned())),
            ("PaymentLinked".to_owned(), "alice@example.nl".to_owned(), Some("customer called".to_owned())),
        ]
    );
    server.stop().await;
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn account_and_link_errors_have_the_one_shape(pool: PgPool) {
    let server = Server::start(pool).await;
    let (_, _, payment_ref, number) = imported_link(&server).await;
    let token = server.token(&["sim-bv"], true, "alice").await;
    let links = "/api/administrations/sim-bv/payment-links";
    assert_error(
        &server.get("/api/administrations/sim-bv/debtors/NOPE", Some(&token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let cases = [
        (
            json!({ "payment": payment_ref, "invoice": number, "reason": "  " }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason_required",
        ),
        (json!({ "payment": "999999999", "invoice": number, "reason": "r" }), StatusCode::NOT_FOUND, "unknown_payment"),
        (
            json!({ "payment": payment_ref, "invoice": number, "amount": "12,5x", "reason": "r" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_amount",
        ),
        (
            json!({ "payment": payment_ref, "invoice": number, "amount": "0.00", "reason": "r" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_amount",
        ),
        (json!({ "payment": payment_ref, "reason": "r" }), StatusCode::UNPROCESSABLE_ENTITY, "bad_request_body"),
        (
            json!({ "payment": payment_ref, "invoice": "NO-SUCH-INVOICE", "reason": "r" }),
            StatusCode::NOT_FOUND,
            "unknown_invoice",
        ),
    ];
    for (body, status, code) in cases {
        assert_error(&server.post(links, Some(&token), &body).await, status, code);
    }
    let unknown = "/api/administrations/sim-bv/payment-links/01923f4e-5a6b-7c8d-9eaf-b0c1d2e3f405/unlink";
    assert_error(
        &server.post(unknown, Some(&token), &json!({ "reason": "r" })).await,
        StatusCode::NOT_FOUND,
        "unknown_link",
    );
    server.stop().await;
}
