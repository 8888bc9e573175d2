//! The command bus decides on cached states: another writer's events (another process here, the
//! import elsewhere) make it decide again on the stored state, so nothing stale is appended,
//! refused or skipped.

use sqlx::PgPool;
use vordering::domain::debtor_account::{DebtorAccount, DebtorAccountCommand, DebtorAccountError, DunningCommand};
use vordering::events::debtor_account::PauseScope;
use vordering::events::Metadata;
use vordering::internals::store::{CommandBus, CommandError};

use crate::support::at;

const ACCOUNT: &str = "acme:D001";

fn pause() -> DebtorAccountCommand {
    DebtorAccountCommand::Dunning(DunningCommand::PauseDebtor { scope: PauseScope::All, reason: "plan".to_owned() })
}

fn resume() -> DebtorAccountCommand {
    DebtorAccountCommand::Dunning(DunningCommand::ResumeDebtor { reason: "paid".to_owned() })
}

async fn run(
    bus: &CommandBus<DebtorAccount>,
    command: DebtorAccountCommand,
) -> Result<(), CommandError<DebtorAccountError>> {
    bus.execute(ACCOUNT, command, &Metadata::new("alice", "test", at("2026-11-24T09:00:00Z"))).await
}

async fn stored(pool: &PgPool) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT sequence, event_type FROM events WHERE aggregate_id = $1 ORDER BY sequence")
        .bind(ACCOUNT)
        .fetch_all(pool)
        .await
        .unwrap()
}

fn expected(types: &[&str]) -> Vec<(i64, String)> {
    types.iter().zip(1..).map(|(t, sequence)| (sequence, (*t).to_owned())).collect()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_cached_state_another_writer_changed_conflicts_and_is_decided_again(pool: PgPool) {
    let (ours, theirs) = (CommandBus::new(pool.clone()), CommandBus::new(pool.clone()));
    run(&ours, pause()).await.unwrap();
    assert_eq!(ours.cached_sequence(ACCOUNT), Some(1));
    run(&theirs, resume()).await.unwrap();
    assert_eq!((ours.cached_sequence(ACCOUNT), theirs.cached_sequence(ACCOUNT)), (Some(1), Some(2)));
    // Our cache still says "paused": the resume it decides there conflicts at sequence 2, and on
    // the stored state the debtor is no longer paused.
    let refused = run(&ours, resume()).await;
    assert!(matches!(refused, Err(CommandError::Rejected(DebtorAccountError::DebtorNotPaused))), "{refused:?}");
    assert_eq!(stored(&pool).await, expected(&["DebtorPaused", "DebtorResumed"]));
    assert_eq!(ours.cached_sequence(ACCOUNT), None, "a refused state is not kept");
    run(&ours, pause()).await.unwrap();
    assert_eq!(stored(&pool).await, expected(&["DebtorPaused", "DebtorResumed", "DebtorPaused"]));
    assert_eq!(ours.cached_sequence(ACCOUNT), Some(3));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn nothing_to_do_or_a_refusal_on_a_cached_state_is_checked_against_the_store(pool: PgPool) {
    let (ours, theirs) = (CommandBus::new(pool.clone()), CommandBus::new(pool.clone()));
    run(&ours, pause()).await.unwrap();
    run(&theirs, resume()).await.unwrap();
    // Cached "paused": pausing again looks like nothing to do, but the stored debtor was resumed.
    run(&ours, pause()).await.unwrap();
    assert_eq!(stored(&pool).await, expected(&["DebtorPaused", "DebtorResumed", "DebtorPaused"]));
    // Their cache says "not paused": a resume looks refused, but the stored debtor is paused.
    run(&theirs, resume()).await.unwrap();
    assert_eq!(stored(&pool).await, expected(&["DebtorPaused", "DebtorResumed", "DebtorPaused", "DebtorResumed"]));
    // And a refusal that holds on the stored state is still a refusal.
    let refused = run(&theirs, resume()).await;
    assert!(matches!(refused, Err(CommandError::Rejected(DebtorAccountError::DebtorNotPaused))), "{refused:?}");
    assert_eq!(stored(&pool).await.len(), 4);
}
