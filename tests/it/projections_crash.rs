//! A runner killed in the middle of a batch (rows written, not committed) loses and doubles
//! nothing: the next runner starts from the last committed checkpoint, and the result equals a
//! rebuild and the hand-computed figures.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use sqlx::PgPool;
use vordering::domain::AdministrationId;
use vordering::internals::projections::{self, BatchOutcome, Projection, RunnerOptions};
use vordering::Engine;

use crate::projections_history::{caught_up, euro, today, write_acme};
use crate::projections_rebuild::dump;
use crate::support::eventually;

/// `DATABASE_URL` with the test's own database in place of the configured one.
pub async fn url_of(pool: &PgPool) -> String {
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    let url = std::env::var("DATABASE_URL").expect("DB tests run with DATABASE_URL");
    let (base, query) = url.split_once('?').map_or((url.as_str(), None), |(b, q)| (b, Some(q)));
    let (server, _) = base.rsplit_once('/').expect("the URL names a database");
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

async fn checkpoint(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT last_pos FROM projection_checkpoint WHERE name = 'receivables' AND live")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_runner_killed_mid_batch_resumes_without_loss_or_double_counting(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    write_acme(&pool).await;
    // One committed batch of 5 events first, so the crash happens in the middle of the log.
    let five = RunnerOptions { batch: 5, ..RunnerOptions::default() };
    let committed = eventually("a first batch", || async {
        match projections::run_batch(&pool, Projection::Receivables, &five).await.unwrap() {
            BatchOutcome::Applied { to, .. } => Some(to.pos),
            _ => None,
        }
    })
    .await;
    assert_eq!(checkpoint(&pool).await, committed);

    let mut child = Command::new(env!("CARGO_BIN_EXE_vordering"))
        .args(["projections", "run", "--once", "--batch", "5", "--hold-before-commit-ms", "60000"])
        .env("DATABASE_URL", url_of(&pool).await)
        .env("VORDERING_LOG", "vordering=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let holding = tokio::task::spawn_blocking(move || {
        stderr.lines().map_while(Result::ok).any(|line| line.contains("holding before commit"))
    });
    assert!(holding.await.unwrap(), "the runner wrote a batch and is holding it");
    // The written rows are not committed: nobody sees them, the checkpoint has not moved.
    assert_eq!(checkpoint(&pool).await, committed);
    child.kill().unwrap();
    child.wait().unwrap();

    // The server rolls the dead runner's transaction back and frees its lock; then we resume.
    caught_up(&pool).await;
    let acme = AdministrationId::new("acme").unwrap();
    let totals = engine.outstanding(&acme, today()).await.unwrap();
    assert_eq!((totals.outstanding, totals.open_invoices), (euro(1210), 6));
    let resumed = dump(&pool).await;
    projections::rebuild(&pool, Projection::Receivables).await.unwrap();
    assert_eq!(dump(&pool).await, resumed);
}
