//! A transaction that takes a smaller `global_position` but commits after a later one is still
//! delivered, and in commit order.

use sqlx::{PgConnection, PgPool};
use vordering::internals::store::{read_batch, Position, StoredEvent};

use crate::support::eventually;

async fn insert(conn: &mut PgConnection, aggregate_id: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('Probe', $1, 1, 'Probed', '1.0', '{}', '{}') RETURNING global_position",
    )
    .bind(aggregate_id)
    .fetch_one(conn)
    .await
    .unwrap()
}

async fn ids(pool: &PgPool, after: Position) -> Vec<String> {
    read_batch(pool, after, 100).await.unwrap().into_iter().map(|e: StoredEvent| e.aggregate_id).collect()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_late_committer_with_a_smaller_position_is_not_skipped(pool: PgPool) {
    let mut slow = pool.begin().await.unwrap();
    let slow_position = insert(&mut slow, "A").await;
    let mut fast = pool.begin().await.unwrap();
    let fast_position = insert(&mut fast, "B").await;
    fast.commit().await.unwrap();
    assert!(slow_position < fast_position, "A took the smaller position");

    // B is committed, but A could still commit before it in the order: the reader must hold back.
    assert_eq!(ids(&pool, Position::default()).await, Vec::<String>::new());

    slow.commit().await.unwrap();
    let delivered = eventually("both events below the horizon", || async {
        let batch = read_batch(&pool, Position::default(), 100).await.unwrap();
        (batch.len() == 2).then_some(batch)
    })
    .await;
    let order: Vec<&str> = delivered.iter().map(|e| e.aggregate_id.as_str()).collect();
    assert_eq!(order, ["A", "B"]);
    assert!(delivered[0].position < delivered[1].position);
    assert_eq!(ids(&pool, delivered[1].position).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_reader_that_already_passed_a_later_transaction_still_gets_the_earlier_position(pool: PgPool) {
    // B gets its transaction id first (by an unrelated write), then A inserts (position 1), then B (position 2).
    let mut b = pool.begin().await.unwrap();
    sqlx::query("SELECT pg_current_xact_id()").execute(&mut *b).await.unwrap();
    let mut a = pool.begin().await.unwrap();
    let a_position = insert(&mut a, "A").await;
    let b_position = insert(&mut b, "B").await;
    b.commit().await.unwrap();
    assert!(a_position < b_position);

    // B's transaction is older than every running one: it is delivered now, A is not yet.
    let first = eventually("B below the horizon", || async {
        let batch = read_batch(&pool, Position::default(), 100).await.unwrap();
        (!batch.is_empty()).then_some(batch)
    })
    .await;
    assert_eq!(first.iter().map(|e| e.aggregate_id.as_str()).collect::<Vec<_>>(), ["B"]);
    let checkpoint = first[0].position;

    a.commit().await.unwrap();
    let rest = eventually("A below the horizon", || async {
        let batch = read_batch(&pool, checkpoint, 100).await.unwrap();
        (!batch.is_empty()).then_some(batch)
    })
    .await;
    assert_eq!(rest.iter().map(|e| (e.aggregate_id.as_str(), e.position.pos)).collect::<Vec<_>>(), [("A", a_position)]);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn batches_resume_from_the_checkpoint_without_repeats(pool: PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    for i in 0..25 {
        insert(&mut conn, &format!("agg-{i:02}")).await;
    }
    drop(conn);
    let mut seen = Vec::new();
    let mut checkpoint = Position::default();
    while seen.len() < 25 {
        let batch = eventually("a batch", || async {
            let batch = read_batch(&pool, checkpoint, 10).await.unwrap();
            (!batch.is_empty()).then_some(batch)
        })
        .await;
        assert!(batch.len() <= 10);
        checkpoint = batch.last().unwrap().position;
        seen.extend(batch.into_iter().map(|e| e.aggregate_id));
    }
    let expected: Vec<String> = (0..25).map(|i| format!("agg-{i:02}")).collect();
    assert_eq!(seen, expected);
}
