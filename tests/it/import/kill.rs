//! A killed import leaves whole batches only; the rerun finishes with the same totals as an
//! undisturbed import, and nothing is stored twice.

use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::process::Command;
use vordering::domain::AdministrationId;
use vordering::internals::eboekhouden::simulator::SimulatorConfig;

use super::setup::Books;
use crate::support::database_url;

fn import_command(books: &Books, url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vordering"));
    command
        .args([
            "import",
            "--administration",
            books.id.as_str(),
            "--date",
            &books.simulator.today().to_string(),
            "--json",
        ])
        .env("DATABASE_URL", url)
        .env("VORDERING__SECRETS__KEY", "22".repeat(32))
        .env("VORDERING__EBOEKHOUDEN__ENDPOINT", books.simulator.endpoint())
        // Many small pages, so the first commit comes long before the last one.
        .env("VORDERING__IMPORT__DEBTORS_PER_PAGE", "40")
        .kill_on_drop(true);
    command
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_killed_import_is_completed_by_the_rerun_without_loss_or_duplicates(pool: PgPool) {
    let mut config = SimulatorConfig::new(1_200, 12_000, 21);
    config.mutaties_quota = 100_000;
    let books = Books::new(pool.clone(), config).await;
    let url = database_url(&pool);

    let mut child = import_command(&books, &url).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    // Kill it as soon as the first batches are committed, in the middle of writing.
    while books.event_count().await == 0 {
        assert!(Instant::now() < deadline, "the import never started writing");
        assert!(child.try_wait().unwrap().is_none(), "the import ended before it could be killed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let partial = books.event_count().await;

    let rerun = import_command(&books, &url).output().await.unwrap();
    assert!(rerun.status.success(), "{}", String::from_utf8_lossy(&rerun.stderr));
    let total = books.event_count().await;

    let twin = AdministrationId::new("twin-bv").unwrap();
    books.add_administration(&twin).await;
    books.import_into(&twin).await.unwrap();
    let undisturbed = books.events_of(&twin).await;
    assert!(partial > 0 && partial < undisturbed, "killed mid-import: {partial} of {undisturbed} events");
    assert_eq!(total, undisturbed, "the rerun completes the same totals");
    let documents = |id: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM import_document WHERE aggregate_id LIKE $1 || ':%'")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(documents("sim-bv").await, documents("twin-bv").await);
}
