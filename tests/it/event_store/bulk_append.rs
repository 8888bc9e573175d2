//! The bulk path writes the rows postgres-es writes, and reports conflicts per aggregate.

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::EventStore;
use postgres_es::PostgresEventRepository;
use sqlx::PgPool;
use vordering::events::Metadata;
use vordering::internals::store::{
    append_batch, load_many, BulkReport, CommandBus, Conflict, ConflictKind, PendingAppend, StoreError,
    MAX_BATCH_EVENTS,
};

use super::test_account::{invoice, TestAccount, TestEvent};
use crate::support::at;

fn metadata() -> Metadata {
    let mut metadata = Metadata::new("importer", "import:test", at("2026-11-24T06:00:00Z"));
    metadata.command_id = uuid::Uuid::from_u128(1);
    metadata.correlation_id = metadata.command_id;
    metadata
}

fn append(id: &str, after_sequence: u64, events: Vec<TestEvent>) -> PendingAppend<TestAccount> {
    PendingAppend { aggregate_id: id.to_owned(), after_sequence, events, metadata: metadata() }
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn many_aggregates_in_one_transaction_read_back_through_postgres_es(pool: PgPool) {
    let appends: Vec<_> = (0..50)
        .map(|i| {
            append(
                &format!("acme:{i}"),
                0,
                vec![invoice(&format!("acme|e-boekhouden|invoice|{i}"), i), TestEvent::Noted { text: format!("n{i}") }],
            )
        })
        .collect();
    let report = append_batch(&pool, appends).await.unwrap();
    assert_eq!(report, BulkReport { events_written: 100, aggregates_written: 50, conflicts: vec![] });

    let store = PersistedEventStore::<_, TestAccount>::new_event_store(PostgresEventRepository::new(pool.clone()));
    for i in [0, 17, 49] {
        let envelopes = store.load_events(&format!("acme:{i}")).await.unwrap();
        let events: Vec<(usize, TestEvent)> = envelopes.iter().map(|e| (e.sequence, e.payload.clone())).collect();
        assert_eq!(
            events,
            [
                (1, invoice(&format!("acme|e-boekhouden|invoice|{i}"), i)),
                (2, TestEvent::Noted { text: format!("n{i}") })
            ]
        );
        assert_eq!(envelopes[0].metadata, metadata().to_map());
    }
    let positions: Vec<i64> = sqlx::query_scalar("SELECT global_position FROM events ORDER BY global_position")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(positions, (1..=100).collect::<Vec<i64>>(), "one transaction, contiguous positions");
    let one_tx: i64 = sqlx::query_scalar("SELECT count(DISTINCT tx_id) FROM events").fetch_one(&pool).await.unwrap();
    assert_eq!(one_tx, 1);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn bulk_rows_equal_the_rows_postgres_es_writes(pool: PgPool) {
    let bus = CommandBus::<TestAccount>::new(pool.clone());
    bus.execute("single", invoice("k-single", 5), &metadata()).await.unwrap();
    append_batch(&pool, vec![append("bulk", 0, vec![invoice("k-bulk", 5)])]).await.unwrap();
    type Row = (String, i64, String, String, String, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT aggregate_id, sequence, event_type, event_version, payload::text, metadata::text FROM events ORDER BY aggregate_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    // postgres-es binds a JSON value (stored with jsonb's spacing), we send text: compare the JSON itself.
    let json = |text: &str| {
        serde_json::from_str::<serde_json::Value>(&text.replace("k-bulk", "k").replace("k-single", "k")).unwrap()
    };
    let comparable = |(_, sequence, kind, version, payload, metadata): &Row| {
        (*sequence, kind.clone(), version.clone(), json(payload), json(metadata))
    };
    assert_eq!(comparable(&rows[0]), comparable(&rows[1]));
    // The dedup column too: the bulk path writes it, a trigger fills it for postgres-es.
    let keys: Vec<Option<String>> =
        sqlx::query_scalar("SELECT document_key FROM events ORDER BY aggregate_id").fetch_all(&pool).await.unwrap();
    assert_eq!(keys, [Some("k-bulk".to_owned()), Some("k-single".to_owned())]);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_document_stored_by_a_single_command_is_a_conflict_for_the_bulk_path(pool: PgPool) {
    let bus = CommandBus::<TestAccount>::new(pool.clone());
    bus.execute("acme:1", invoice("acme|e-boekhouden|invoice|F1", 100), &metadata()).await.unwrap();
    let report = append_batch(&pool, vec![append("acme:2", 0, vec![invoice("acme|e-boekhouden|invoice|F1", 100)])])
        .await
        .unwrap();
    assert_eq!(
        report.conflicts,
        [Conflict {
            aggregate_id: "acme:2".to_owned(),
            kind: ConflictKind::DuplicateDocument { document_key: "acme|e-boekhouden|invoice|F1".to_owned() },
        }]
    );
    assert_eq!(report.events_written, 0);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_stale_aggregate_is_reported_and_the_rest_is_written(pool: PgPool) {
    let bus = CommandBus::<TestAccount>::new(pool.clone());
    bus.execute("acme:2", TestEvent::Noted { text: "another writer".to_owned() }, &metadata()).await.unwrap();

    let report = append_batch(
        &pool,
        vec![
            append("acme:1", 0, vec![invoice("k1", 1)]),
            append("acme:2", 0, vec![invoice("k2", 2)]),
            append("acme:3", 0, vec![invoice("k3", 3)]),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        report.conflicts,
        [Conflict { aggregate_id: "acme:2".to_owned(), kind: ConflictKind::Sequence { expected: 0, actual: 1 } }]
    );
    assert_eq!((report.events_written, report.aggregates_written), (2, 2));

    // The caller reloads the conflicting aggregate and decides again.
    let loaded = load_many::<TestAccount>(&pool, &["acme:2".to_owned()]).await.unwrap();
    assert_eq!(loaded["acme:2"].last_sequence, 1);
    let retry = append_batch(&pool, vec![append("acme:2", 1, vec![invoice("k2", 2)])]).await.unwrap();
    assert_eq!((retry.events_written, retry.conflicts.len()), (1, 0));
    let all = load_many::<TestAccount>(&pool, &["acme:1".to_owned(), "acme:2".to_owned(), "acme:3".to_owned()])
        .await
        .unwrap();
    assert_eq!(all["acme:2"].state.invoices, ["k2"]);
    assert_eq!(all["acme:3"].state.invoices, ["k3"]);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_batch_of_many_copy_pieces_less_a_stale_aggregate_reads_back_whole(pool: PgPool) {
    let bus = CommandBus::<TestAccount>::new(pool.clone());
    bus.execute("acme:2", TestEvent::Noted { text: "another writer".to_owned() }, &metadata()).await.unwrap();
    // About 400 KB of COPY text: several pieces, lines and a three-byte `€` cut at their borders.
    let notes = |aggregate: usize| -> Vec<TestEvent> {
        (0..40).map(|n| TestEvent::Noted { text: format!("{aggregate}/{n}\t€\\\n{}", "€x".repeat(800 + n)) }).collect()
    };
    let appends: Vec<_> = (1..=3).map(|a| append(&format!("acme:{a}"), 0, notes(a))).collect();

    let report = append_batch(&pool, appends).await.unwrap();
    assert_eq!(report.conflicts.len(), 1, "acme:2 moved on: {:?}", report.conflicts);
    assert_eq!((report.events_written, report.aggregates_written), (80, 2));
    let store = PersistedEventStore::<_, TestAccount>::new_event_store(PostgresEventRepository::new(pool.clone()));
    for aggregate in [1, 3] {
        let events: Vec<TestEvent> =
            store.load_events(&format!("acme:{aggregate}")).await.unwrap().into_iter().map(|e| e.payload).collect();
        assert_eq!(events, notes(aggregate));
    }
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_document_is_stored_once_across_aggregates_and_batches(pool: PgPool) {
    append_batch(&pool, vec![append("acme:1", 0, vec![invoice("acme|e-boekhouden|invoice|F1", 100)])]).await.unwrap();

    let report = append_batch(
        &pool,
        vec![
            append("acme:2", 0, vec![invoice("acme|e-boekhouden|invoice|F1", 100)]),
            append("acme:3", 0, vec![invoice("acme|e-boekhouden|invoice|F3", 300)]),
            append("acme:4", 0, vec![invoice("acme|e-boekhouden|invoice|F3", 300)]),
        ],
    )
    .await
    .unwrap();
    let duplicate = |id: &str, key: &str| Conflict {
        aggregate_id: id.to_owned(),
        kind: ConflictKind::DuplicateDocument { document_key: key.to_owned() },
    };
    let mut conflicts = report.conflicts.clone();
    conflicts.sort_by(|a, b| a.aggregate_id.cmp(&b.aggregate_id));
    assert_eq!(
        conflicts,
        [duplicate("acme:2", "acme|e-boekhouden|invoice|F1"), duplicate("acme:4", "acme|e-boekhouden|invoice|F3")]
    );
    assert_eq!(report.events_written, 1);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 2);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_batch_over_the_limit_is_refused_before_anything_is_written(pool: PgPool) {
    let events: Vec<TestEvent> = (0..=MAX_BATCH_EVENTS).map(|i| TestEvent::Noted { text: i.to_string() }).collect();
    let result = append_batch(&pool, vec![append("big", 0, events)]).await;
    assert!(
        matches!(result, Err(StoreError::BatchTooLarge { events, limit }) if events == MAX_BATCH_EVENTS + 1 && limit == MAX_BATCH_EVENTS)
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 0);
}
