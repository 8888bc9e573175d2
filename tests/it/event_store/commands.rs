//! Single commands: metadata on every event, typed rejections, and conflicts retried.

use chrono::NaiveTime;
use sqlx::PgPool;
use vordering::domain::administration::{AdministrationCommand, AdministrationError, VerifiedCredentials};
use vordering::domain::AdministrationId;
use vordering::engine::{EngineError, Refusal};
use vordering::events::Metadata;
use vordering::Engine;

use crate::support::at;

async fn linked_engine(pool: PgPool) -> (Engine, AdministrationId) {
    let engine = Engine::from_pool(pool).await.unwrap();
    let id = AdministrationId::new("acme").unwrap();
    let meta = Metadata::new("alice", "cli", at("2026-11-24T09:00:00Z"));
    let register = AdministrationCommand::Register { name: "Acme".to_owned(), registered_by: "alice".to_owned() };
    engine.administration_command(&id, register, &meta).await.unwrap();
    let verified = VerifiedCredentials { credentials_key_id: "k1".to_owned(), verified_at: at("2026-11-24T09:00:00Z") };
    let link = AdministrationCommand::EstablishLink { username: "acme".to_owned(), verified };
    engine
        .administration_command(&id, link, &meta.caused(at("2026-11-24T09:00:01Z")).with_reason("onboarding"))
        .await
        .unwrap();
    (engine, id)
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn every_event_carries_who_why_and_which_command(pool: PgPool) {
    let (engine, id) = linked_engine(pool).await;
    let history = engine.history("Administration", id.as_str()).await.unwrap();
    assert_eq!(
        history.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>(),
        ["AdministrationRegistered", "LinkEstablished"]
    );
    let first = Metadata::from_map(&history[0].metadata_map().unwrap()).unwrap();
    let second = Metadata::from_map(&history[1].metadata_map().unwrap()).unwrap();
    assert_eq!(
        (second.actor.as_str(), second.source.as_str(), second.reason.as_deref()),
        ("alice", "cli", Some("onboarding"))
    );
    assert_eq!(second.correlation_id, first.command_id);
    assert_eq!(second.causation_id, Some(first.command_id));
    let state = engine.administration(&id).await.unwrap();
    assert_eq!((state.version, state.link.map(|l| l.username)), (2, Some("acme".to_owned())));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_refused_command_is_a_typed_error_and_writes_nothing(pool: PgPool) {
    let (engine, id) = linked_engine(pool).await;
    let verified = VerifiedCredentials { credentials_key_id: "k2".to_owned(), verified_at: at("2026-11-25T09:00:00Z") };
    let again = AdministrationCommand::EstablishLink { username: "acme".to_owned(), verified };
    let result =
        engine.administration_command(&id, again, &Metadata::new("bob", "cli", at("2026-11-25T09:00:00Z"))).await;
    assert!(matches!(
        result,
        Err(EngineError::Refused(Refusal::Administration(AdministrationError::AlreadyLinked { ref username }))) if username == "acme"
    ));
    assert_eq!(engine.history("Administration", id.as_str()).await.unwrap().len(), 2);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn concurrent_commands_on_one_aggregate_are_retried_not_lost(pool: PgPool) {
    let (engine, id) = linked_engine(pool).await;
    let engine = std::sync::Arc::new(engine);
    let tasks: Vec<_> = (0..4)
        .map(|hour| {
            let (engine, id) = (engine.clone(), id.clone());
            tokio::spawn(async move {
                let daily_at = NaiveTime::from_hms_opt(hour + 1, 0, 0).unwrap();
                let meta = Metadata::new("scheduler", "test", at("2026-11-24T10:00:00Z"));
                engine.administration_command(&id, AdministrationCommand::EnableAutoImport { daily_at }, &meta).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let history = engine.history("Administration", id.as_str()).await.unwrap();
    let sequences: Vec<i64> = history.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, [1, 2, 3, 4, 5, 6], "all four commands landed, one after another");
}
