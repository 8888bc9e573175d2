//! The replay of one account folds its rows as they stream in (`store::rows_of`), borrowed, with
//! metadata read only for the events it reports: it must answer exactly what a replay of the
//! fully read stream (`store::stream_of` + `audit::replay_stream`) answers.

use futures::TryStreamExt;
use sqlx::PgPool;
use vordering::audit::{replay_stream, Until};
use vordering::domain::{AdministrationId, DebtorCode};
use vordering::engine::ReplayQuery;
use vordering::{store, Engine};

use crate::projections_history::write_acme;

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_streamed_account_replay_answers_what_the_stored_stream_answers(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    write_acme(&pool).await;
    let mut shapes = Vec::new();
    for debtor in ["D1", "D2", "D3"] {
        let stored = store::stream_of(&pool, "DebtorAccount", &format!("acme:{debtor}")).await.unwrap();
        let middle = stored[stored.len() / 2].position.pos;
        for until in [Until::End, Until::Position(middle)] {
            for only_links in [true, false] {
                let query = ReplayQuery {
                    administration: AdministrationId::new("acme").unwrap(),
                    debtor: Some(DebtorCode::new(debtor).unwrap()),
                    until,
                    only_links,
                };
                let streamed = engine.audit_replay(&query).await.unwrap();
                assert_eq!(streamed, replay_stream(&stored, until, only_links).unwrap(), "{debtor} {until:?}");
                shapes.push((streamed.events_folded, streamed.skipped, streamed.entries.len()));
            }
        }
    }
    // (folded, skipped, reported) for D1 (7 events, 1 link), D2 (11, 2: its middle event is the credit
    // note, before both links) and D3 (5, 2): to the end, then to the middle event; links only, then all.
    assert_eq!(
        shapes,
        [
            (7, 0, 1),
            (7, 0, 7),
            (4, 0, 0),
            (4, 0, 4),
            (11, 0, 2),
            (11, 0, 11),
            (6, 0, 0),
            (6, 0, 6),
            (5, 0, 2),
            (5, 0, 5),
            (3, 0, 0),
            (3, 0, 3)
        ]
    );
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn rows_of_sends_metadata_only_for_the_types_asked_for(pool: PgPool) {
    let _engine = Engine::from_pool(pool.clone()).await.unwrap();
    write_acme(&pool).await;
    let links = ["PaymentLinked", "PaymentUnlinked"];
    let rows: Vec<store::EventRow> =
        store::rows_of(&pool, "DebtorAccount", "acme:D3", Some(&links[..])).try_collect().await.unwrap();
    let seen: Vec<(i64, String, bool)> = rows
        .iter()
        .map(|row| {
            let view = row.view().unwrap();
            (view.sequence, view.event_type.to_owned(), view.metadata.is_some_and(|m| m.contains("actor")))
        })
        .collect();
    let expected = [
        (1, "DebtorImported", false),
        (2, "InvoiceImported", false),
        (3, "PaymentReceived", false),
        (4, "PaymentLinked", true),
        (5, "PaymentUnlinked", true),
    ];
    assert_eq!(seen, expected.map(|(s, t, m)| (s, t.to_owned(), m)));
    let all: Vec<store::EventRow> =
        store::rows_of(&pool, "DebtorAccount", "acme:D3", None).try_collect().await.unwrap();
    assert!(all.iter().all(|row| row.view().unwrap().metadata.is_some()));
    assert_eq!(all.len(), 5);
}
