//! Bucket pages come from the covering open-due index (an index-only scan) with the limit written
//! into the statement: walking a bucket one invoice at a time must give the one-page answer, and
//! every line must equal the same invoice read from the heap by `debtor_invoices`.

use std::collections::BTreeMap;

use sqlx::PgPool;
use vordering::domain::{AdministrationId, DebtorCode};
use vordering::engine::{AgeingBoundaries, InvoiceFilter, InvoiceLine};
use vordering::Engine;

use crate::projections_history::{caught_up, date, today, write_acme};

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_bucket_walked_page_by_page_is_the_bucket_read_at_once(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    write_acme(&pool).await;
    caught_up(&pool).await;
    let acme = AdministrationId::new("acme").unwrap();
    let mut open: Vec<InvoiceLine> = Vec::new();
    for debtor in ["D1", "D2", "D3"] {
        let detail = engine.debtor_invoices(&acme, &DebtorCode::new(debtor).unwrap(), today()).await.unwrap().unwrap();
        open.extend(detail.invoices.into_iter().filter(|i| i.open.is_positive()));
    }
    open.sort_by(|a, b| (a.due_date, &a.invoice_number).cmp(&(b.due_date, &b.invoice_number)));

    let mut listed: Vec<InvoiceLine> = Vec::new();
    for range in AgeingBoundaries::default().ranges() {
        let filter = InvoiceFilter::Bucket(range);
        let whole = engine.invoice_page(&acme, today(), filter, None, 50).await.unwrap();
        let mut walked = Vec::new();
        let mut after = None;
        loop {
            let page = engine.invoice_page(&acme, today(), filter, after.as_ref(), 1).await.unwrap();
            walked.extend(page.invoices);
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!((walked.clone(), whole.next), (whole.invoices, None), "{range:?}");
        listed.extend(walked);
    }
    // The buckets partition the open invoices; each line equals the debtor view's line.
    listed.sort_by(|a, b| (a.due_date, &a.invoice_number).cmp(&(b.due_date, &b.invoice_number)));
    assert_eq!(listed, open);
    let numbers: Vec<&str> = listed.iter().map(|l| l.invoice_number.as_str()).collect();
    assert_eq!(numbers, ["F8", "F4", "F1", "F2", "F7", "F3"]);
    // F1 had its first reminder on 10 April 2025 (`write_acme`): a non-empty steps map survives.
    let f1 = listed.iter().find(|l| l.invoice_number == "F1").unwrap();
    assert_eq!(f1.steps, BTreeMap::from([("Reminder1".to_owned(), date(2025, 4, 10))]));
}

/// The dashboard's sessions keep one generic plan per statement: with the dates of the first calls
/// a custom plan looks cheaper for claims that prescribe soon, and PostgreSQL would then plan that
/// statement again on every call.
#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn dashboard_statements_are_planned_once(pool: PgPool) {
    let single = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let engine = Engine::from_pool(single).await.unwrap();
    write_acme(&pool).await;
    caught_up(&pool).await;
    let acme = AdministrationId::new("acme").unwrap();
    let first: chrono::NaiveDate =
        sqlx::query_scalar("SELECT min(prescribes_on) - 60 FROM invoice_list WHERE administration = 'acme'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let mut answers = Vec::new();
    for days in 0..8 {
        let day = first.checked_add_days(chrono::Days::new(days * 3)).unwrap();
        answers.push(engine.prescribing_soon(&acme, day, 90, 50).await.unwrap().len());
    }
    let plans: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT current_setting('plan_cache_mode'), generic_plans, custom_plans FROM pg_prepared_statements \
         WHERE statement LIKE '%prescribes_on > $2%' AND statement NOT LIKE '%pg_prepared_statements%'",
    )
    .fetch_all(engine.reads())
    .await
    .unwrap();
    assert_eq!(plans, [("force_generic_plan".to_owned(), 8, 0)]);
    assert!(answers.iter().all(|n| *n > 0), "every day has claims about to prescribe: {answers:?}");
}
