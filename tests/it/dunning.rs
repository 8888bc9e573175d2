//! The dunning run through the engine: reminders with their outbox rows in one transaction,
//! idempotent runs, dry runs, warnings.

use sqlx::PgPool;
use vordering::domain::dunning::{reminder_id, DunningStep, DunningWarning};
use vordering::events::debtor_account::DebtorKind;
use vordering::events::DebtorAccountEvent as E;

use crate::dunning_support::*;

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_run_writes_reminders_with_their_outbox_rows_and_a_second_run_nothing(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, Some("b1@example.nl")).await;
    invoice(&engine, "B1", "F1", 10_000, date(2025, 1, 31)).await;
    invoice(&engine, "B1", "F2", 20_000, date(2025, 1, 31)).await;
    let report = engine.run_dunning(&admin(), date(2025, 2, 7), false, &metadata()).await.unwrap();
    let id = reminder_id(&admin(), &code("B1"), DunningStep::Reminder1, &[inv("F1"), inv("F2")]);
    assert_eq!(report.accounts, 1);
    assert_eq!(report.decided.len(), 1);
    assert!(matches!(&report.decided[0].1, E::ReminderSent { reminder_id, .. } if *reminder_id == id));
    assert_eq!(outbox_rows(&pool).await, 1);
    let again = engine.run_dunning(&admin(), date(2025, 2, 7), false, &metadata()).await.unwrap();
    assert_eq!(again.decided, vec![]);
    assert_eq!((events_of(&engine, "B1").await.len(), outbox_rows(&pool).await), (4, 1));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_dry_run_writes_nothing(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, None).await;
    invoice(&engine, "B1", "F1", 10_000, date(2025, 1, 31)).await;
    let report = engine.run_dunning(&admin(), date(2025, 2, 7), true, &metadata()).await.unwrap();
    assert_eq!(report.decided.len(), 1);
    assert_eq!((events_of(&engine, "B1").await.len(), outbox_rows(&pool).await), (2, 0));
}

/// The events and their outbox rows commit together or not at all: when the row cannot be
/// written (here a row with the reminder's id is already there), no `ReminderSent` is stored.
#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn events_and_outbox_rows_commit_together(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, None).await;
    invoice(&engine, "B1", "F1", 10_000, date(2025, 1, 31)).await;
    let id = reminder_id(&admin(), &code("B1"), DunningStep::Reminder1, &[inv("F1")]);
    sqlx::query(
        "INSERT INTO outbox (reminder_id, administration, aggregate_id, channel, message_id, message) \
         VALUES ($1, 'acme-bv', 'acme-bv:B1', 'email', 'x', '{}')",
    )
    .bind(id)
    .execute(&pool)
    .await
    .unwrap();
    let error = engine.run_dunning(&admin(), date(2025, 2, 7), false, &metadata()).await.unwrap_err();
    assert!(error.to_string().contains("outbox"), "{error}");
    assert_eq!(events_of(&engine, "B1").await.len(), 2, "no ReminderSent without its row");
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_run_warns_of_claims_that_prescribe_within_ninety_days(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, None).await;
    invoice(&engine, "B1", "OLD", 10_000, date(2020, 5, 15)).await;
    let report = engine.run_dunning(&admin(), date(2025, 3, 1), true, &metadata()).await.unwrap();
    let warning = DunningWarning::PrescribesSoon { invoice: inv("OLD"), prescribes_on: date(2025, 5, 16) };
    assert_eq!(report.warnings, vec![(code("B1"), warning)]);
}
