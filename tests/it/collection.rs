//! Collection cases and pauses from the command line: start by hand (with the consumer check),
//! waive, close; pause and resume an invoice or a debtor. Exit code 2 for what the user must fix.

use serde_json::Value;
use sqlx::PgPool;
use vordering::domain::dunning::case_id;
use vordering::events::debtor_account::{CollectionOutcome, DebtorKind, PauseScope};
use vordering::events::DebtorAccountEvent as E;

use crate::dunning_support::*;

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_case_started_by_hand_has_costs_and_interest_and_can_be_waived_and_closed(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, None).await;
    invoice(&engine, "B1", "F1", 10_000, date(2025, 1, 31)).await;
    let start = [
        "--json",
        "collection",
        "start",
        "--administration",
        ADMIN,
        "--debtor",
        "B1",
        "--invoice",
        "F1",
        "--date",
        "2025-03-01",
    ];
    let (code, out, err) = cli(&pool, &start);
    assert_eq!(code, Some(0), "{err}");
    let case: Value = serde_json::from_str(&out).unwrap();
    let id = case_id(&admin(), &code_of("B1"), &[inv("F1")]);
    assert_eq!(case["case_id"], id.to_string());
    // WIK minimum €40; 11.15 % commercial interest over €100 for 2025-02-01 ..= 2025-03-01 (29 days): 0.8859 → 0.89.
    let amounts =
        (&case["principal_cents"], &case["costs_cents"], &case["vat_surcharge_cents"], &case["interest_cents"]);
    assert_eq!(amounts, (&Value::from(10_000), &Value::from(4_000), &Value::from(0), &Value::from(89)));
    assert_eq!(case["interest_from"], "2025-02-01");
    let (code, _, err) = cli(&pool, &start);
    assert_eq!(code, Some(2), "already in collection: {err}");

    let id_text = id.to_string();
    let waive = ["collection", "waive", "--administration", ADMIN, "--case", &id_text, "--reason", "goodwill"];
    assert_eq!(cli(&pool, &waive).0, Some(0));
    let close = ["collection", "close", "--administration", ADMIN, "--case", &id_text, "--reason", "bailiff"];
    assert_eq!(cli(&pool, &close).0, Some(0));
    assert_eq!(cli(&pool, &close).0, Some(2), "a closed case cannot close again");
    let events = events_of(&engine, "B1").await;
    let tail: Vec<&E> = events.iter().rev().take(2).collect();
    assert_eq!(
        tail,
        vec![
            &E::CollectionClosed { case_id: id, outcome: CollectionOutcome::ClosedByHand("bailiff".to_owned()) },
            &E::CollectionCostsWaived { case_id: id, reason: "goodwill".to_owned() },
        ]
    );
}

fn code_of(text: &str) -> vordering::domain::DebtorCode {
    code(text)
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_consumer_case_needs_a_fourteen_day_letter(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "C1", DebtorKind::Consumer, None).await;
    invoice(&engine, "C1", "K1", 10_000, date(2025, 1, 31)).await;
    let start =
        ["collection", "start", "--administration", ADMIN, "--debtor", "C1", "--invoice", "K1", "--date", "2025-04-01"];
    let (code, _, err) = cli(&pool, &start);
    assert_eq!(code, Some(2));
    assert!(err.contains("14-day letter"), "{err}");
    assert_eq!(events_of(&engine, "C1").await.len(), 2);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn pause_and_resume_an_invoice_and_a_debtor(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, None).await;
    invoice(&engine, "B1", "F1", 10_000, date(2025, 1, 31)).await;
    let run = |args: &[&str]| cli(&pool, args);
    assert_eq!(run(&["pause", "--administration", ADMIN, "--invoice", "F1", "--reason", "disputed"]).0, Some(0));
    assert_eq!(run(&["resume", "--administration", ADMIN, "--invoice", "F1", "--reason", "settled"]).0, Some(0));
    assert_eq!(run(&["resume", "--administration", ADMIN, "--invoice", "F1", "--reason", "again"]).0, Some(2));
    assert_eq!(
        run(&["pause", "--administration", ADMIN, "--debtor", "B1", "--reminders-only", "--reason", "plan"]).0,
        Some(0)
    );
    assert_eq!(run(&["pause", "--administration", ADMIN, "--invoice", "NOPE", "--reason", "x"]).0, Some(2));
    let events = events_of(&engine, "B1").await;
    assert_eq!(
        events[2..].to_vec(),
        vec![
            E::InvoicePaused { invoice_number: inv("F1"), reason: "disputed".to_owned() },
            E::InvoiceResumed { invoice_number: inv("F1"), reason: "settled".to_owned() },
            E::DebtorPaused { scope: PauseScope::RemindersOnly, reason: "plan".to_owned() },
        ]
    );
}
