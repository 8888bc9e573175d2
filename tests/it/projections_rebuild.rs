//! A rebuilt projection equals the incrementally built one row for row; readers keep reading while
//! it is swapped in; `status` shows positions and lag; the runner goes on with the new build.

use sqlx::PgPool;
use vordering::domain::AdministrationId;
use vordering::engine::{InvoiceFilter, Phase};
use vordering::events::debtor_account::DebtorAccountEvent as E;
use vordering::events::Metadata;
use vordering::internals::projections::{self, BatchOutcome, Projection, RunnerOptions};
use vordering::Engine;

use crate::projections_history::{append, caught_up, date, euro, invoice, today, write_acme};
use crate::support::at;

/// Every row of every table of the live builds, as JSON text in a stable order.
pub async fn dump(pool: &PgPool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in projections::ALL {
        for (table, _) in p.tables() {
            let sql = format!("SELECT coalesce(json_agg(t ORDER BY t::text), '[]')::text FROM {table} t");
            out.push((table.to_string(), sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap()));
        }
    }
    out
}

async fn generations(pool: &PgPool) -> Vec<i32> {
    projections::status(pool).await.unwrap().iter().map(|s| s.generation).collect()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_rebuilt_projection_equals_the_incremental_one_row_for_row(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    write_acme(&pool).await;
    // One event per batch: every fold continues from the state the previous batch stored.
    let one_by_one = RunnerOptions { batch: 1, ..RunnerOptions::default() };
    crate::support::eventually("one-event batches to reach the head", || async {
        projections::catch_up(&pool, &projections::ALL, &one_by_one).await.unwrap();
        projections::status(&pool).await.unwrap().iter().all(|s| s.lag_events == 0).then_some(())
    })
    .await;
    let incremental = dump(&pool).await;
    assert_eq!(generations(&pool).await, vec![1, 1, 1, 1]);
    let invoices = incremental.iter().find(|(t, _)| t == "invoice_list").unwrap();
    assert_eq!(serde_json::from_str::<Vec<serde_json::Value>>(&invoices.1).unwrap().len(), 9);

    for p in projections::ALL {
        let report = projections::rebuild(&pool, p).await.unwrap();
        assert_eq!((report.generation, report.replaced), (2, Some(1)));
    }
    assert_eq!(generations(&pool).await, vec![2, 2, 2, 2]);
    assert_eq!(dump(&pool).await, incremental);
    let old: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('invoice_list_v1')::text").fetch_one(&pool).await.unwrap();
    assert_eq!(old, None, "the replaced build is dropped");

    // The runner carries on with the new build.
    let meta = Metadata::new("scheduler", "import:test", at("2025-06-16T06:00:00Z"));
    append(&pool, "acme:D1", 7, vec![invoice("acme", "F10", date(2025, 6, 1), date(2025, 6, 10), 5)], meta).await;
    caught_up(&pool).await;
    let acme = AdministrationId::new("acme").unwrap();
    assert_eq!(engine.outstanding(&acme, today()).await.unwrap().outstanding, euro(1215));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn an_engine_rebuilds_a_build_an_older_fold_made_before_it_reads(pool: PgPool) {
    let older = Engine::from_pool(pool.clone()).await.unwrap();
    write_acme(&pool).await;
    caught_up(&pool).await;
    let current = dump(&pool).await;
    let acme = AdministrationId::new("acme").unwrap();
    let overdue = InvoiceFilter::Phase(Phase::Overdue);
    let page = older.invoice_page(&acme, today(), overdue, None, 50).await.unwrap();
    assert_eq!(page.invoices.len(), 2);
    // What an older binary left: fold 3 wrote no dashboard line.
    sqlx::raw_sql(
        "ALTER TABLE invoice_list_v1 DROP COLUMN line CASCADE; \
         CREATE VIEW invoice_list AS SELECT * FROM invoice_list_v1; \
         UPDATE projection_checkpoint SET fold_version = 3 WHERE name = 'receivables' AND live",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert!(projections::status(&pool).await.unwrap()[0].stale);

    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    let status = projections::status(&pool).await.unwrap();
    assert_eq!(
        status.iter().map(|s| (s.generation, s.stale)).collect::<Vec<_>>(),
        vec![(2, false), (1, false), (1, false), (1, false)]
    );
    assert_eq!(dump(&pool).await, current);
    assert_eq!(engine.invoice_page(&acme, today(), overdue, None, 50).await.unwrap(), page);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn readers_keep_reading_while_a_rebuild_swaps_in(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    write_acme(&pool).await;
    caught_up(&pool).await;
    let acme = AdministrationId::new("acme").unwrap();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (engine, acme, done) = (Engine::from_pool(pool.clone()).await.unwrap(), acme.clone(), done.clone());
        tokio::spawn(async move {
            let mut reads = 0u32;
            while !done.load(std::sync::atomic::Ordering::Relaxed) || reads == 0 {
                let totals = engine.outstanding(&acme, today()).await.expect("reads never fail during a swap");
                assert_eq!(totals.outstanding, euro(1210));
                let ageing = engine.ageing(&acme, today(), &Default::default()).await.expect("reads never fail");
                assert_eq!(ageing[4].open, euro(800));
                reads += 1;
                tokio::task::yield_now().await;
            }
            reads
        })
    };
    for _ in 0..5 {
        projections::rebuild(&pool, Projection::Receivables).await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.await.unwrap() > 0);
    assert_eq!(engine.outstanding(&acme, today()).await.unwrap().outstanding, euro(1210));
    assert_eq!(generations(&pool).await, vec![6, 1, 1, 1]);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn status_shows_position_and_lag(pool: PgPool) {
    let _engine = Engine::from_pool(pool.clone()).await.unwrap();
    let meta = Metadata::new("scheduler", "import:test", at("2025-06-15T06:00:00Z"));
    let events: Vec<E> =
        (1..=4).map(|n| invoice("acme", &format!("F{n}"), date(2025, 5, 1), date(2025, 5, 31), n)).collect();
    append(&pool, "acme:D1", 0, events, meta).await;
    let before = projections::status(&pool).await.unwrap();
    let names: Vec<_> = before.iter().map(|s| (s.name, s.lag_events, s.position.pos, s.stale)).collect();
    let expected = vec![
        ("receivables", 4, 0, false),
        ("import_log", 4, 0, false),
        ("audit_trail", 4, 0, false),
        ("collection_cases", 4, 0, false),
    ];
    assert_eq!(names, expected);
    let options = RunnerOptions { batch: 3, ..RunnerOptions::default() };
    let outcome = crate::support::eventually("a batch below the horizon", || async {
        match projections::run_batch(&pool, Projection::Receivables, &options).await.unwrap() {
            BatchOutcome::Applied { events, .. } => Some(events),
            _ => None,
        }
    })
    .await;
    assert_eq!(outcome, 3);
    let after = projections::status(&pool).await.unwrap();
    assert_eq!(after[0].lag_events, 1);
    assert_eq!(Some(after[0].position), {
        let head = after[0].head.unwrap();
        Some(vordering::internals::store::Position { tx: head.tx, pos: head.pos - 1 })
    });
}
