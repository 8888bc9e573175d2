//! Claims about to prescribe, the import log and the audit trail, on hand-made histories.

use chrono::NaiveTime;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;
use vordering::domain::administration::Administration;
use vordering::domain::{AdministrationId, ImportId};
use vordering::events::administration::{
    AdministrationEvent as A, ImportCounts, ImportIssue, ImportTrigger, IssueSeverity,
};
use vordering::events::debtor_account::DebtorKind;
use vordering::events::Metadata;
use vordering::internals::store::{self, PendingAppend};
use vordering::Engine;

use crate::projections_history::{append, append_raw, caught_up, date, debtor, euro, invoice, today, write_acme};
use crate::support::at;

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn claims_that_prescribe_within_90_days(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    let meta = Metadata::new("scheduler", "import:test", at("2025-06-15T06:00:00Z"));
    append(
        &pool,
        "old:D1",
        0,
        vec![
            debtor("old", "D1", "Oud BV", DebtorKind::Business),
            // Due 2020-08-01: the term runs from 2020-08-02 and ends 2025-08-02, within 90 days of 2025-06-15.
            invoice("old", "G1", date(2020, 7, 1), date(2020, 8, 1), 10),
            // Due 2020-06-01: prescribed since 2025-06-02 already; not "within 90 days".
            invoice("old", "G2", date(2020, 5, 1), date(2020, 6, 1), 20),
            // Due 2020-07-15 would end 2025-07-16, but the reminder of 2020-12-01 restarted the term: 2025-12-02.
            invoice("old", "G3", date(2020, 6, 15), date(2020, 7, 15), 30),
            // Due 2020-09-01: ends 2025-09-02, also within 90 days (2025-09-13 is the last day counted).
            invoice("old", "G4", date(2020, 8, 1), date(2020, 9, 1), 40),
        ],
        meta,
    )
    .await;
    append_raw(
        &pool,
        "old:D1",
        6,
        "ReminderSent",
        json!({
        "reminder_id": Uuid::from_u128(9), "step": "Reminder1", "invoices": ["G3"], "channel": "letter",
        "sent_on": "2020-12-01", "announced_costs": null }),
    )
    .await;
    caught_up(&pool).await;
    let old = AdministrationId::new("old").unwrap();
    let soon = engine.prescribing_soon(&old, today(), 90, 50).await.unwrap();
    let found: Vec<_> = soon.iter().map(|l| (l.invoice_number.as_str(), l.prescribes_on, l.open)).collect();
    assert_eq!(found, vec![("G1", Some(date(2025, 8, 2)), euro(10)), ("G4", Some(date(2025, 9, 2)), euro(40))]);
    let d1 = engine
        .debtor_invoices(&old, &vordering::domain::DebtorCode::new("D1").unwrap(), today())
        .await
        .unwrap()
        .unwrap();
    let g3 = d1.invoices.iter().find(|l| l.invoice_number == "G3").unwrap();
    assert_eq!(g3.prescribes_on, Some(date(2025, 12, 2)));
}

async fn append_admin(pool: &PgPool, id: &str, after: u64, events: Vec<A>, metadata: Metadata) {
    let appends =
        vec![PendingAppend::<Administration> { aggregate_id: id.to_owned(), after_sequence: after, events, metadata }];
    assert!(store::append_batch(pool, appends).await.unwrap().conflicts.is_empty());
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_import_log_shows_the_last_month(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    let (done, failed) = (ImportId::from_uuid(Uuid::from_u128(1)), ImportId::from_uuid(Uuid::from_u128(2)));
    let counts = ImportCounts { invoices_added: 12, events_written: 15, warnings: 1, ..ImportCounts::default() };
    let issue = ImportIssue {
        severity: IssueSeverity::Warning,
        document: "invoice F1".to_owned(),
        message: "no due date".to_owned(),
    };
    let meta = Metadata::new("scheduler", "import", at("2025-06-15T06:00:00Z"));
    append_admin(
        &pool,
        "acme",
        0,
        vec![
            A::AdministrationRegistered { name: "Acme".to_owned(), registered_by: "alice".to_owned() },
            A::ImportStarted { import_id: done, trigger: ImportTrigger::Scheduled },
            A::ImportCompleted { import_id: done, counts, issues: vec![issue.clone()] },
            A::ImportStarted { import_id: failed, trigger: ImportTrigger::Manual },
        ],
        meta.clone(),
    )
    .await;
    caught_up(&pool).await;
    let acme = AdministrationId::new("acme").unwrap();
    let log = engine.import_log(&acme, chrono::Utc::now().date_naive()).await.unwrap();
    let statuses: Vec<_> = log.iter().map(|r| (r.import_id, r.status.as_str())).collect();
    assert_eq!(statuses, vec![(failed.as_uuid(), "running"), (done.as_uuid(), "completed")]);
    assert_eq!(
        (log[1].counts, log[1].issues.clone(), log[1].trigger.as_deref()),
        (Some(counts), vec![issue], Some("Scheduled"))
    );

    append_admin(
        &pool,
        "acme",
        4,
        vec![A::ImportFailed { import_id: failed, error_kind: "auth".to_owned(), message: "E001".to_owned() }],
        meta,
    )
    .await;
    caught_up(&pool).await;
    let log = engine.import_log(&acme, chrono::Utc::now().date_naive()).await.unwrap();
    assert_eq!(
        (log[0].status.as_str(), log[0].error_kind.as_deref(), log[0].message.as_deref()),
        ("failed", Some("auth"), Some("E001"))
    );
    assert!(log[0].finished_at.is_some());
    // A month later the log is empty.
    let later = chrono::Utc::now().date_naive() + chrono::Days::new(40);
    assert_eq!(engine.import_log(&acme, later).await.unwrap().len(), 0);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_audit_trail_lists_links_and_unlinks_with_who_and_why(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    let bob = Metadata::new("bob", "cli", at("2025-06-01T08:00:00Z")).with_reason("new bookkeeper");
    append_admin(
        &pool,
        "acme",
        0,
        vec![
            A::AdministrationRegistered { name: "Acme".to_owned(), registered_by: "bob".to_owned() },
            A::LinkEstablished {
                package: "e-boekhouden".to_owned(),
                username: "acme-user".to_owned(),
                credentials_key_id: "k1".to_owned(),
                verified_at: at("2025-06-01T08:00:00Z"),
            },
            A::AutoImportEnabled { daily_at: NaiveTime::from_hms_opt(6, 0, 0).unwrap() },
        ],
        bob.clone(),
    )
    .await;
    write_acme(&pool).await;
    caught_up(&pool).await;
    let acme = AdministrationId::new("acme").unwrap();
    let trail = engine.audit_trail(&acme, 100).await.unwrap();
    let summary: Vec<_> = trail
        .iter()
        .map(|r| {
            (r.event_type.as_str(), r.invoice_number.as_deref(), r.document.as_deref(), r.principal, r.actor.as_deref())
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("PaymentUnlinked", Some("F8"), Some("P3"), Some(euro(500)), Some("alice")),
            ("PaymentLinked", Some("F8"), Some("P3"), Some(euro(500)), Some("scheduler")),
            ("PaymentLinked", Some("F6"), Some("P2"), Some(euro(60)), Some("scheduler")),
            ("CreditNoteLinked", Some("F5"), Some("C1"), Some(euro(80)), Some("scheduler")),
            ("PaymentLinked", Some("F2"), Some("P1"), Some(euro(50)), Some("scheduler")),
            ("AutoImportEnabled", None, None, None, Some("bob")),
            ("LinkEstablished", None, Some("acme-user"), None, Some("bob")),
        ]
    );
    let unlink = &trail[0];
    assert_eq!(
        (unlink.event_reason.as_deref(), unlink.reason.as_deref()),
        (Some("wrong debtor"), Some("paid by another debtor"))
    );
    assert!(unlink.command_id.is_some() && unlink.correlation_id.is_some());
    assert_eq!(trail[6].reason.as_deref(), Some("new bookkeeper"));
    assert_eq!(engine.audit_trail(&acme, 2).await.unwrap().len(), 2);
}
