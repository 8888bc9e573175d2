//! The daily import scheduler on an injected clock: fires once a day at or after `daily_at` for an
//! administration with automatic import on, skips one whose import completed today, and takes a
//! held import lock as "someone else is on it".

use chrono::{NaiveTime, TimeDelta, Utc};
use sqlx::{Connection, PgConnection, PgPool};
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::AdministrationId;
use vordering::events::administration::{AdministrationEvent, ImportTrigger};
use vordering::events::Metadata;
use vordering::http::Scheduled;

use super::setup::Server;
use crate::support::eventually;

/// Switches the daily import of `sim-bv` on at 06:00 and sets the clock to `hh:mm` today (real
/// today: "completed today" is read from the events' recording time).
async fn six_oclock_import(server: &Server, hour: u32, minute: u32) -> AdministrationId {
    let id = AdministrationId::new("sim-bv").unwrap();
    let enable = AdministrationCommand::EnableAutoImport { daily_at: NaiveTime::from_hms_opt(6, 0, 0).unwrap() };
    server.engine.administration_command(&id, enable, &Metadata::new("t", "test", Utc::now())).await.unwrap();
    let at = Utc::now().date_naive().and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap()).and_utc();
    server.clock.set(at);
    id
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_days_import_fires_once_at_its_time_for_enabled_administrations(pool: PgPool) {
    let server = Server::start(pool).await;
    let id = six_oclock_import(&server, 5, 59).await;
    let mut scheduler = server.api.scheduler();
    assert_eq!(scheduler.tick().await.unwrap(), [], "not yet six");

    server.advance(TimeDelta::minutes(1));
    let fired = scheduler.tick().await.unwrap();
    let [(who, Scheduled::Completed(import_id))] = fired.as_slice() else { panic!("one completed import: {fired:?}") };
    assert_eq!(who, &id, "other-bv has no daily import");
    let history = server.engine.history("Administration", "sim-bv").await.unwrap();
    let started: Vec<_> = history
        .iter()
        .filter_map(|e| match e.decode::<AdministrationEvent>().unwrap() {
            AdministrationEvent::ImportStarted { import_id, trigger } => {
                Some((import_id, trigger, e.metadata_map().unwrap()["actor"].clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(started, [(*import_id, ImportTrigger::Scheduled, "scheduler".to_owned())]);

    server.advance(TimeDelta::hours(3));
    assert_eq!(scheduler.tick().await.unwrap(), [], "at most once a day");
    let mut restarted = server.api.scheduler();
    assert_eq!(restarted.tick().await.unwrap(), [(id.clone(), Scheduled::DoneToday)], "a restart sees today's import");
    assert_eq!(restarted.tick().await.unwrap(), []);

    server.advance(TimeDelta::days(1));
    let next_day = scheduler.tick().await.unwrap();
    assert!(
        matches!(next_day.as_slice(), [(who, Scheduled::Completed(next))] if who == &id && next != import_id),
        "{next_day:?}"
    );
    server.stop().await;
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn an_import_another_process_runs_is_left_to_it(pool: PgPool) {
    let server = Server::start(pool.clone()).await;
    let id = six_oclock_import(&server, 7, 0).await;
    let mut other = PgConnection::connect_with(&pool.connect_options()).await.unwrap();
    let _: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
        .bind("vordering:import:sim-bv")
        .fetch_one(&mut other)
        .await
        .unwrap();
    let mut scheduler = server.api.scheduler();
    assert_eq!(scheduler.tick().await.unwrap(), [(id, Scheduled::Busy)]);
    other.close().await.unwrap();
    assert_eq!(scheduler.tick().await.unwrap(), [], "someone else was on it today");
    let imports: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'ImportStarted'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(imports, 0);
    server.stop().await;
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_server_runs_the_scheduler_and_stops_it_gracefully(pool: PgPool) {
    let server = Server::start_with(pool.clone(), Some(NaiveTime::MIN)).await;
    let token = server.token(&["sim-bv"], false, "viewer").await;
    let entry = eventually("the scheduled import to end", || async {
        let (_, log) = server.get("/api/administrations/sim-bv/imports", Some(&token)).await;
        log.as_array()?.iter().find(|e| e["status"] != "started").cloned()
    })
    .await;
    assert_eq!(
        (entry["status"].as_str(), entry["trigger"].as_str()),
        (Some("completed"), Some("Scheduled")),
        "{entry}"
    );
    server.stop().await;
    let started: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'ImportStarted'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(started, 1, "once a day");
}
