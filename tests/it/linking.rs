//! Linking an administration: verified first, codes stored encrypted and never in events, rotated,
//! repaired and removed, with typed errors.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;
use vordering::domain::administration::{AdministrationCommand, AdministrationError};
use vordering::domain::AdministrationId;
use vordering::engine::{EngineError, LinkOutcome, LinkRejected, LinkVerifier, NotFound, Refusal};
use vordering::events::Metadata;
use vordering::internals::credentials::{CredentialsError, SecurityCodes, Vault};
use vordering::Engine;

use crate::support::at;

/// Accepts `secret-1`/`secret-2` for any username, like a package that knows one pair of codes.
#[derive(Default)]
struct FakePackage {
    calls: AtomicUsize,
}

impl LinkVerifier for FakePackage {
    async fn verify(&self, _username: &str, codes: &SecurityCodes) -> Result<DateTime<Utc>, LinkRejected> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if codes.code1.expose_secret() == "secret-1" && codes.code2.expose_secret() == "secret-2" {
            Ok(at("2026-11-24T09:00:00Z"))
        } else {
            Err(LinkRejected::Refused {
                code: "E001.1".to_owned(),
                message: "Username/SecurityCode onjuist".to_owned(),
            })
        }
    }
}

fn codes(code1: &str) -> SecurityCodes {
    SecurityCodes { code1: SecretString::from(code1), code2: SecretString::from("secret-2") }
}

fn meta() -> Metadata {
    Metadata::new("alice", "cli", at("2026-11-24T09:00:00Z")).with_reason("onboarding")
}

async fn registered(pool: PgPool) -> (Engine, AdministrationId) {
    let vault = Vault::from_hex(&SecretString::from("11".repeat(32))).unwrap();
    let engine = Engine::from_pool(pool).await.unwrap().with_vault(vault);
    let id = AdministrationId::new("acme").unwrap();
    let register = AdministrationCommand::Register { name: "Acme".to_owned(), registered_by: "alice".to_owned() };
    engine.administration_command(&id, register, &meta()).await.unwrap();
    (engine, id)
}

async fn all_stored_text(pool: &PgPool) -> String {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT payload::text || metadata::text FROM events").fetch_all(pool).await.unwrap();
    let sealed: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT ciphertext FROM link_credentials").fetch_all(pool).await.unwrap();
    rows.join("\n") + &sealed.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect::<String>()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn links_with_encrypted_codes_that_no_event_contains(pool: PgPool) {
    let (engine, id) = registered(pool.clone()).await;
    let package = FakePackage::default();
    assert_eq!(
        engine.link(&id, "acme", &codes("secret-1"), &package, &meta()).await.unwrap(),
        LinkOutcome::Established
    );
    let (username, stored) = engine.stored_credentials(&id).await.unwrap();
    assert_eq!(
        (username.as_str(), stored.code1.expose_secret(), stored.code2.expose_secret()),
        ("acme", "secret-1", "secret-2")
    );
    let everything = all_stored_text(&pool).await;
    assert!(everything.contains("LinkEstablished"));
    assert!(!everything.contains("secret-1") && !everything.contains("secret-2"), "codes leaked: {everything}");
    assert!(!format!("{stored:?}").contains("secret"), "Debug shows no codes");
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn linking_again_rotates_the_codes_and_repairs_a_broken_link(pool: PgPool) {
    let (engine, id) = registered(pool).await;
    let package = FakePackage::default();
    engine.link(&id, "acme", &codes("secret-1"), &package, &meta()).await.unwrap();
    let broken = AdministrationCommand::MarkLinkBroken {
        error_code: "E001.1".to_owned(),
        detected_at: at("2026-11-25T06:00:00Z"),
    };
    engine.administration_command(&id, broken, &meta()).await.unwrap();
    assert_eq!(engine.link(&id, "acme", &codes("secret-1"), &package, &meta()).await.unwrap(), LinkOutcome::Rotated);
    let state = engine.administration(&id).await.unwrap();
    assert_eq!(state.link.unwrap().broken, None);
    let types: Vec<String> =
        engine.history("Administration", "acme").await.unwrap().into_iter().map(|e| e.event_type).collect();
    assert_eq!(types, ["AdministrationRegistered", "LinkEstablished", "LinkBroken", "LinkCredentialsRotated"]);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn refused_codes_change_nothing(pool: PgPool) {
    let (engine, id) = registered(pool.clone()).await;
    let result = engine.link(&id, "acme", &codes("wrong"), &FakePackage::default(), &meta()).await;
    assert!(
        matches!(result, Err(EngineError::Refused(Refusal::CredentialsRefused { ref code, .. })) if code == "E001.1")
    );
    assert_eq!(engine.history("Administration", "acme").await.unwrap().len(), 1);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM link_credentials").fetch_one(&pool).await.unwrap();
    assert_eq!(stored, 0);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_link_that_cannot_be_recorded_never_asks_the_package(pool: PgPool) {
    let (engine, _) = registered(pool).await;
    let package = FakePackage::default();
    let unknown = AdministrationId::new("nobody-bv").unwrap();
    let result = engine.link(&unknown, "x", &codes("secret-1"), &package, &meta()).await;
    assert!(matches!(
        result,
        Err(EngineError::NotFound(NotFound::Administration(ref missing))) if missing == &unknown
    ));
    assert_eq!(package.calls.load(Ordering::SeqCst), 0);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn unlinking_erases_the_codes(pool: PgPool) {
    let (engine, id) = registered(pool.clone()).await;
    let not_linked = engine.unlink(&id, "moved", &meta()).await;
    assert!(matches!(not_linked, Err(EngineError::Refused(Refusal::Administration(AdministrationError::NotLinked)))));
    engine.link(&id, "acme", &codes("secret-1"), &FakePackage::default(), &meta()).await.unwrap();
    engine.unlink(&id, "customer left", &meta()).await.unwrap();
    assert!(matches!(
        engine.stored_credentials(&id).await,
        Err(EngineError::Refused(Refusal::CredentialsUnavailable(CredentialsError::NotStored(_))))
    ));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn without_a_key_linking_says_which_setting_is_missing(pool: PgPool) {
    let engine = Engine::from_pool(pool).await.unwrap();
    let id = AdministrationId::new("acme").unwrap();
    let error = engine.link(&id, "acme", &codes("secret-1"), &FakePackage::default(), &meta()).await.unwrap_err();
    assert!(error.to_string().contains("VORDERING__SECRETS__KEY"), "{error}");
}
