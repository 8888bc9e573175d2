//! Reminder delivery through the outbox to a real SMTP server on loopback: the received messages,
//! the PDF letter's wording, permanent failures, and crashes at each point.

use std::path::Path;

use chrono::Utc;
use sqlx::PgPool;
use vordering::domain::dunning::{reminder_id, DunningStep};
use vordering::engine::{AfterAccept, DeliveryOptions};
use vordering::events::debtor_account::DebtorKind;
use vordering::events::DebtorAccountEvent as E;
use vordering::internals::delivery::{Channels, SmtpSettings};
use vordering::internals::outbox::{message_id, status, OutboxStatus};
use vordering::Engine;

use crate::dunning_support::*;
use crate::outbox_smtp::SmtpServer;

fn channels(server: &SmtpServer, letters: Option<&Path>) -> Channels {
    let smtp = SmtpSettings {
        host: "127.0.0.1".to_owned(),
        port: server.port,
        starttls: false,
        credentials: None,
        from: "Acme Debiteuren <debiteuren@acme.example>".to_owned(),
    };
    Channels { smtp: Some(smtp), letters_dir: letters.map(Path::to_path_buf) }
}

/// The deliverer's clock: the real one, since the rows were created by the database's clock.
fn now() -> chrono::DateTime<Utc> {
    Utc::now()
}

/// A business debtor with an e-mail address whose first reminder was decided on 2025-02-07.
async fn one_reminder(pool: &PgPool) -> (Engine, uuid::Uuid) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, Some("b1@example.nl")).await;
    invoice(&engine, "B1", "F1", 10_000, date(2025, 1, 31)).await;
    engine.run_dunning(&admin(), date(2025, 2, 7), false, &metadata()).await.unwrap();
    (engine, reminder_id(&admin(), &code("B1"), DunningStep::Reminder1, &[inv("F1")]))
}

fn delivered_events(events: &[E]) -> Vec<&E> {
    events.iter().filter(|e| matches!(e, E::ReminderDelivered { .. })).collect()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_reminder_is_delivered_once_with_its_stable_message_id(pool: PgPool) {
    let Some(server) = SmtpServer::start(None) else { return };
    let (engine, id) = one_reminder(&pool).await;
    let at = now();
    let report = engine
        .deliver_reminders(&admin(), &channels(&server, None), &DeliveryOptions::at(at), &metadata())
        .await
        .unwrap();
    assert_eq!(report.delivered, vec![id]);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].header("message-id"), Some(message_id(id).as_str()));
    assert_eq!(received[0].header("to"), Some("b1@example.nl"));
    assert_eq!(received[0].header("subject"), Some("Herinnering: factuur F1 staat nog open"));
    let expected = E::ReminderDelivered { reminder_id: id, delivered_at: at, message_id: message_id(id) };
    assert_eq!(events_of(&engine, "B1").await.last(), Some(&expected));
    assert_eq!(status(&pool, id).await.unwrap(), Some(OutboxStatus::Delivered));
    let again = engine
        .deliver_reminders(&admin(), &channels(&server, None), &DeliveryOptions::at(now()), &metadata())
        .await
        .unwrap();
    assert_eq!((again.delivered.len(), server.received().len()), (0, 1));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_refused_message_is_recorded_as_failed(pool: PgPool) {
    let Some(server) = SmtpServer::start(Some("550 5.1.1 mailbox unavailable")) else { return };
    let (engine, id) = one_reminder(&pool).await;
    let report = engine
        .deliver_reminders(&admin(), &channels(&server, None), &DeliveryOptions::at(now()), &metadata())
        .await
        .unwrap();
    assert_eq!(report.failed.len(), 1);
    let last = events_of(&engine, "B1").await.pop().unwrap();
    assert!(
        matches!(&last, E::ReminderDeliveryFailed { reminder_id, reason } if *reminder_id == id && reason.contains("mailbox unavailable")),
        "{last:?}"
    );
    assert_eq!(status(&pool, id).await.unwrap(), Some(OutboxStatus::Failed));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_fourteen_day_letter_is_a_pdf_with_the_statutory_wording_and_the_costs(pool: PgPool) {
    let Some(server) = SmtpServer::start(None) else { return };
    let engine = engine(pool.clone()).await;
    debtor(&engine, "C1", DebtorKind::Consumer, Some("c1@example.nl")).await;
    invoice(&engine, "C1", "K1", 175_279, date(2025, 1, 31)).await;
    for day in [date(2025, 2, 7), date(2025, 2, 21), date(2025, 3, 7)] {
        engine.run_dunning(&admin(), day, false, &metadata()).await.unwrap();
    }
    let letters = tempfile::tempdir().unwrap();
    let report = engine
        .deliver_reminders(&admin(), &channels(&server, Some(letters.path())), &DeliveryOptions::at(now()), &metadata())
        .await
        .unwrap();
    assert_eq!(report.delivered.len(), 3, "two e-mail reminders and the letter");
    let id = reminder_id(&admin(), &code("C1"), DunningStep::FourteenDayLetter, &[inv("K1")]);
    let pdf = std::fs::read(letters.path().join(format!("{id}.pdf"))).unwrap();
    let document = lopdf::Document::load_mem(&pdf).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    let text = document.extract_text(&pages).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    for wording in [
        "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd",
        "totaalbedrag van EUR 1.752,79",
        "incassokosten verschuldigd van EUR 262,92",
        "tot en met 25-03-2025",
        "bij u is bezorgd; de termijn",
    ] {
        assert!(text.contains(wording), "the letter lacks `{wording}`: {text}");
    }
    let letter_mail =
        server.received().into_iter().find(|m| m.header("message-id") == Some(message_id(id).as_str())).unwrap();
    assert!(letter_mail.raw.contains("application/pdf"), "the e-mailed letter carries the PDF");
}

/// A crash between the server's acceptance and the outbox update: the message goes again, with
/// the same Message-ID, and the delivery is recorded once.
#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_crash_after_acceptance_resends_with_the_same_message_id(pool: PgPool) {
    let Some(server) = SmtpServer::start(None) else { return };
    let (engine, id) = one_reminder(&pool).await;
    let mut crashing = DeliveryOptions::at(now());
    crashing.lease = chrono::Duration::zero();
    crashing.after_accept = Some(std::sync::Arc::new(|_| AfterAccept::Abandon));
    let report = engine.deliver_reminders(&admin(), &channels(&server, None), &crashing, &metadata()).await.unwrap();
    assert_eq!(report.abandoned, vec![id]);
    assert_eq!(status(&pool, id).await.unwrap(), Some(OutboxStatus::Pending), "never lost");
    assert_eq!(delivered_events(&events_of(&engine, "B1").await).len(), 0);
    let report = engine
        .deliver_reminders(&admin(), &channels(&server, None), &DeliveryOptions::at(now()), &metadata())
        .await
        .unwrap();
    assert_eq!(report.delivered, vec![id]);
    let ids: Vec<Option<String>> =
        server.received().iter().map(|m| m.header("message-id").map(str::to_owned)).collect();
    assert_eq!(ids, vec![Some(message_id(id)), Some(message_id(id))]);
    assert_eq!(delivered_events(&events_of(&engine, "B1").await).len(), 1);
}

/// The same with real processes: `dunning run` decides and exits, `dunning deliver` aborts right
/// after the server accepted the message, and the next `dunning deliver` sends it again.
#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_killed_deliverer_loses_nothing_and_the_resend_keeps_the_message_id(pool: PgPool) {
    let Some(server) = SmtpServer::start(None) else { return };
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B1", DebtorKind::Business, Some("b1@example.nl")).await;
    invoice(&engine, "B1", "F1", 10_000, date(2025, 1, 31)).await;
    let (code_run, _, err) = cli(&pool, &["dunning", "run", "--administration", ADMIN, "--date", "2025-02-07"]);
    assert_eq!(code_run, Some(0), "{err}");
    let port = server.port.to_string();
    let deliver = [
        "dunning",
        "deliver",
        "--administration",
        ADMIN,
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--lease-seconds",
        "0",
    ];
    let (crashed, _, _) = cli(&pool, &[&deliver[..], &["--crash-after-accept"]].concat());
    assert_ne!(crashed, Some(0), "the deliverer was aborted");
    let id = reminder_id(&admin(), &code("B1"), DunningStep::Reminder1, &[inv("F1")]);
    assert_eq!(server.received().len(), 1);
    assert_eq!(status(&pool, id).await.unwrap(), Some(OutboxStatus::Pending));
    let (code_deliver, out, err) = cli(&pool, &deliver);
    assert_eq!(code_deliver, Some(0), "{out}{err}");
    let ids: Vec<Option<String>> =
        server.received().iter().map(|m| m.header("message-id").map(str::to_owned)).collect();
    assert_eq!(ids, vec![Some(message_id(id)), Some(message_id(id))]);
    assert_eq!(delivered_events(&events_of(&engine, "B1").await).len(), 1);
    assert_eq!(status(&pool, id).await.unwrap(), Some(OutboxStatus::Delivered));
}

/// Without an e-mail address the reminder goes as a letter (Payt's fallback); no SMTP server needed.
#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_debtor_without_an_address_gets_a_letter(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B2", DebtorKind::Business, None).await;
    invoice(&engine, "B2", "F9", 10_000, date(2025, 1, 31)).await;
    engine.run_dunning(&admin(), date(2025, 2, 7), false, &metadata()).await.unwrap();
    let letters = tempfile::tempdir().unwrap();
    let channels = Channels { smtp: None, letters_dir: Some(letters.path().to_path_buf()) };
    let report = engine.deliver_reminders(&admin(), &channels, &DeliveryOptions::at(now()), &metadata()).await.unwrap();
    let id = reminder_id(&admin(), &code("B2"), DunningStep::Reminder1, &[inv("F9")]);
    assert_eq!(report.delivered, vec![id]);
    let pdf = std::fs::read(letters.path().join(format!("{id}.pdf"))).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(status(&pool, id).await.unwrap(), Some(OutboxStatus::Delivered));
}

/// With no channel configured for it, a reminder stays pending (a configuration to fix, not a failure).
#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn without_a_channel_the_reminder_waits(pool: PgPool) {
    let engine = engine(pool.clone()).await;
    debtor(&engine, "B3", DebtorKind::Business, Some("b3@example.nl")).await;
    invoice(&engine, "B3", "F3", 10_000, date(2025, 1, 31)).await;
    engine.run_dunning(&admin(), date(2025, 2, 7), false, &metadata()).await.unwrap();
    let report = engine
        .deliver_reminders(&admin(), &Channels::default(), &DeliveryOptions::at(now()), &metadata())
        .await
        .unwrap();
    let id = reminder_id(&admin(), &code("B3"), DunningStep::Reminder1, &[inv("F3")]);
    assert_eq!(report.postponed, vec![(id, "no SMTP server configured".to_owned())]);
    assert_eq!(status(&pool, id).await.unwrap(), Some(OutboxStatus::Pending));
}
