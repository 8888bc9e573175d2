//! Subscriptions: targets inside the network refused (before and after DNS), another
//! administration's subscription not found, and the command line that prints the secret once.

use std::process::Command;

use sqlx::PgPool;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::AdministrationId;
use vordering::engine::{NotFound, Refusal, TargetRefused, Vault, WebhookEventType};
use vordering::events::Metadata;
use vordering::{Engine, EngineError, Settings};

use super::receiver::{engine, Receiver};
use crate::support::database_url;

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn targets_inside_the_network_are_refused_unless_allowed(pool: PgPool) {
    let vault = Vault::from_hex(&secrecy::SecretString::from("33".repeat(32))).unwrap();
    let engine = Engine::from_pool(pool).await.unwrap().with_vault(vault).with_settings(Settings::default());
    let id = AdministrationId::new("acme").unwrap();
    let register = AdministrationCommand::Register { name: "Acme".to_owned(), registered_by: "t".to_owned() };
    engine.administration_command(&id, register, &Metadata::new("t", "test", chrono::Utc::now())).await.unwrap();
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.7/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ] {
        let refused = engine.add_webhook(&id, url, &[]).await.unwrap_err();
        assert!(
            matches!(refused, EngineError::Refused(Refusal::WebhookTarget(TargetRefused::Inward { .. }))),
            "{url}: {refused}"
        );
    }
    let ftp = engine.add_webhook(&id, "ftp://example.com/x", &[]).await.unwrap_err();
    assert!(matches!(ftp, EngineError::Refused(Refusal::WebhookTarget(TargetRefused::Scheme(_)))));
    assert!(engine.webhooks(&id).await.unwrap().is_empty(), "nothing stored");
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn another_administrations_subscription_is_not_found(pool: PgPool) {
    let (engine, id) = engine(pool, 5).await;
    let receiver = Receiver::start().await;
    let created = engine.add_webhook(&id, &receiver.url(), &[WebhookEventType::LinkBroken]).await.unwrap();
    let other = AdministrationId::new("other").unwrap();
    let missing = engine.remove_webhook(&other, created.subscription.id).await.unwrap_err();
    assert!(matches!(missing, EngineError::NotFound(NotFound::Webhook(_))), "{missing}");
    let unknown = engine.add_webhook(&other, &receiver.url(), &[]).await.unwrap_err();
    assert!(matches!(unknown, EngineError::NotFound(NotFound::Administration(_))), "{unknown}");
    assert_eq!(engine.webhooks(&id).await.unwrap()[0].event_types, ["link.broken"]);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_command_line_prints_the_secret_once_and_lists_without_it(pool: PgPool) {
    // registers `acme`; the command line opens an engine of its own
    drop(engine(pool.clone(), 5).await);
    let receiver = Receiver::start().await;
    let cli = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_vordering"))
            .args(args)
            .env("DATABASE_URL", database_url(&pool))
            .env("VORDERING__SECRETS__KEY", "33".repeat(32))
            .env("VORDERING__WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true")
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let url = receiver.url();
    let (code, out, err) =
        cli(&["--json", "webhook", "add", "--administration", "acme", "--url", &url, "--event", "invoice.paid"]);
    assert_eq!(code, Some(0), "{err}");
    let added: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let secret = added["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    let (code, listed, _) = cli(&["webhook", "list", "--administration", "acme"]);
    assert_eq!(code, Some(0));
    assert!(listed.contains(added["subscription"]["id"].as_str().unwrap()) && !listed.contains(&secret[6..]));
    let (code, _, err) =
        cli(&["webhook", "add", "--administration", "acme", "--url", &url, "--event", "invoice.payed"]);
    assert_eq!(code, Some(2), "an unknown type is bad input: {err}");
    // An overlap past the calendar's end would make a rotation panic: refused when read.
    let endless = Command::new(env!("CARGO_BIN_EXE_vordering"))
        .args(["webhook", "list", "--administration", "acme"])
        .env("DATABASE_URL", database_url(&pool))
        .env("VORDERING__SECRETS__KEY", "33".repeat(32))
        .env("VORDERING__WEBHOOKS__ROTATION_OVERLAP_HOURS", "4294967295")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&endless.stderr);
    assert_eq!(endless.status.code(), Some(2), "{said}");
    assert!(said.to_lowercase().contains("rotation_overlap_hours"), "{said}");
    let stored: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT ciphertext FROM webhook_subscription").fetch_all(&pool).await.unwrap();
    let key = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &secret[6..]).unwrap();
    assert!(
        stored.iter().all(|sealed| !sealed.windows(key.len()).any(|w| w == key.as_slice())),
        "sealed, not stored plain"
    );
}
