//! The replay of one account folds its rows as they stream in (`store::rows_of`), borrowed, with
//! metadata read only for the events it reports: it must answer exactly what a replay of the
//! fully read stream (`store::stream_of` + `audit::replay_stream`) answers.

use futures::TryStreamExt;
use sqlx::PgPool;
use vordering::domain::{AdministrationId, DebtorCode};
use vordering::engine::ReplayQuery;
use vordering::internals::audit::{replay_stream, Until};
use vordering::internals::store;
use vordering::Engine;

use crate::projections_history::{append, append_raw, debtor, invoice, linked, payment, write_acme};

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

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_long_account_replays_whole_and_a_corrupt_row_late_in_it_fails_it(pool: PgPool) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(u64::from(d));
    let mut events = vec![debtor("acme", "D9", "Lang BV", vordering::events::debtor_account::DebtorKind::Business)];
    for n in 0..400u32 {
        let (number, reference) = (format!("F{n}"), format!("P{n}"));
        events.push(invoice("acme", &number, day(n), day(n + 30), 100));
        events.push(payment("acme", &reference, day(n + 10), 40));
        events.push(linked(u128::from(n) + 1, &reference, &number, 40));
    }
    let metadata =
        vordering::events::Metadata::new("importer", "import:test", crate::support::at("2025-06-15T06:00:00Z"));
    for (part, chunk) in events.chunks(1_000).enumerate() {
        append(&pool, "acme:D9", u64::try_from(part * 1_000).unwrap(), chunk.to_vec(), metadata.clone()).await;
    }
    let query = ReplayQuery {
        administration: AdministrationId::new("acme").unwrap(),
        debtor: Some(DebtorCode::new("D9").unwrap()),
        until: Until::End,
        only_links: true,
    };
    let streamed = engine.audit_replay(&query).await.unwrap();
    let stored = store::stream_of(&pool, "DebtorAccount", "acme:D9").await.unwrap();
    assert_eq!(streamed, replay_stream(&stored, Until::End, true).unwrap());
    assert_eq!((streamed.events_folded, streamed.entries.len()), (1_201, 400));

    // A row the replay cannot decode, after 1,201 good ones, fails it: no half report.
    append_raw(&pool, "acme:D9", 1_202, "InvoiceImported", serde_json::json!({ "amount": "not a number" })).await;
    let error = engine.audit_replay(&query).await.unwrap_err().to_string();
    assert!(error.contains("DebtorAccount/acme:D9#1202"), "{error}");
}
