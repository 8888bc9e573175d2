//! Given/when/then: exact events and exact typed errors.

use chrono::{DateTime, NaiveTime, Utc};
use cqrs_es::test::TestFramework;
use uuid::Uuid;

use super::*;
use crate::events::administration::IssueSeverity;

type Given = TestFramework<Administration>;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn verified(key: &str) -> VerifiedCredentials {
    VerifiedCredentials { credentials_key_id: key.to_owned(), verified_at: at("2026-11-24T09:00:00Z") }
}

fn registered() -> AdministrationEvent {
    AdministrationEvent::AdministrationRegistered { name: "Acme B.V.".to_owned(), registered_by: "alice".to_owned() }
}

fn linked() -> AdministrationEvent {
    AdministrationEvent::LinkEstablished {
        package: "e-boekhouden".to_owned(),
        username: "acme".to_owned(),
        credentials_key_id: "k1".to_owned(),
        verified_at: at("2026-11-24T09:00:00Z"),
    }
}

fn broken() -> AdministrationEvent {
    AdministrationEvent::LinkBroken { error_code: "E001.1".to_owned(), detected_at: at("2026-11-25T06:00:00Z") }
}

fn import_id(n: u128) -> ImportId {
    ImportId::from_uuid(Uuid::from_u128(n))
}

#[test]
fn registers_once_with_a_trimmed_name() {
    let register =
        |name: &str| AdministrationCommand::Register { name: name.to_owned(), registered_by: "alice".to_owned() };
    Given::with(()).given_no_previous_events().when(register("  Acme B.V. ")).then_expect_events(vec![registered()]);
    Given::with(())
        .given(vec![registered()])
        .when(register("Acme"))
        .then_expect_error(AdministrationError::AlreadyRegistered);
    Given::with(())
        .given_no_previous_events()
        .when(register("  "))
        .then_expect_error(AdministrationError::Empty("the name"));
}

#[test]
fn every_other_command_needs_a_registered_administration() {
    let link = AdministrationCommand::EstablishLink { username: "acme".to_owned(), verified: verified("k1") };
    Given::with(()).given_no_previous_events().when(link).then_expect_error(AdministrationError::NotRegistered);
    let disable = AdministrationCommand::DisableAutoImport { reason: "x".to_owned() };
    Given::with(()).given_no_previous_events().when(disable).then_expect_error(AdministrationError::NotRegistered);
}

#[test]
fn links_with_verified_credentials() {
    let link = |username: &str| AdministrationCommand::EstablishLink {
        username: username.to_owned(),
        verified: verified("k1"),
    };
    Given::with(()).given(vec![registered()]).when(link("acme")).then_expect_events(vec![linked()]);
    Given::with(())
        .given(vec![registered()])
        .when(link(" "))
        .then_expect_error(AdministrationError::Empty("the username"));
    Given::with(())
        .given(vec![registered(), linked()])
        .when(link("acme"))
        .then_expect_error(AdministrationError::AlreadyLinked { username: "acme".to_owned() });
}

#[test]
fn rotating_credentials_repairs_a_broken_link() {
    let rotate = |username: &str| AdministrationCommand::RotateCredentials {
        username: username.to_owned(),
        verified: verified("k2"),
    };
    let rotated = AdministrationEvent::LinkCredentialsRotated {
        credentials_key_id: "k2".to_owned(),
        verified_at: at("2026-11-24T09:00:00Z"),
    };
    Given::with(())
        .given(vec![registered(), linked(), broken()])
        .when(rotate("acme"))
        .then_expect_events(vec![rotated]);
    Given::with(()).given(vec![registered()]).when(rotate("acme")).then_expect_error(AdministrationError::NotLinked);
    Given::with(())
        .given(vec![registered(), linked()])
        .when(rotate("other"))
        .then_expect_error(AdministrationError::OtherUsername { linked: "acme".to_owned(), given: "other".to_owned() });

    let mut state = Administration::default();
    for event in [registered(), linked(), broken()] {
        state.apply_event(event);
    }
    assert_eq!(state.link.as_ref().and_then(|l| l.broken.clone()), Some("E001.1".to_owned()));
    state.apply_event(AdministrationEvent::LinkCredentialsRotated {
        credentials_key_id: "k2".to_owned(),
        verified_at: at("2026-11-26T09:00:00Z"),
    });
    let link = state.link.unwrap();
    assert_eq!((link.broken, link.credentials_key_id.as_str(), state.version), (None, "k2", 4));
}

#[test]
fn a_broken_link_is_reported_once_and_blocks_imports() {
    let mark = AdministrationCommand::MarkLinkBroken {
        error_code: "E001.1".to_owned(),
        detected_at: at("2026-11-25T06:00:00Z"),
    };
    Given::with(()).given(vec![registered(), linked()]).when(mark.clone()).then_expect_events(vec![broken()]);
    Given::with(()).given(vec![registered(), linked(), broken()]).when(mark.clone()).then_expect_events(vec![]);
    Given::with(()).given(vec![registered()]).when(mark).then_expect_error(AdministrationError::NotLinked);
    let start = AdministrationCommand::StartImport { import_id: import_id(1), trigger: ImportTrigger::Scheduled };
    Given::with(())
        .given(vec![registered(), linked(), broken()])
        .when(start)
        .then_expect_error(AdministrationError::LinkBroken { error_code: "E001.1".to_owned() });
}

#[test]
fn unlinks_only_what_is_linked_and_says_why() {
    let unlink = |reason: &str| AdministrationCommand::RemoveLink { reason: reason.to_owned() };
    Given::with(()).given(vec![registered()]).when(unlink("moved")).then_expect_error(AdministrationError::NotLinked);
    Given::with(())
        .given(vec![registered(), linked()])
        .when(unlink(""))
        .then_expect_error(AdministrationError::Empty("the reason"));
    Given::with(())
        .given(vec![registered(), linked()])
        .when(unlink("customer left"))
        .then_expect_events(vec![AdministrationEvent::LinkRemoved { reason: "customer left".to_owned() }]);
}

#[test]
fn automatic_import_toggles_idempotently() {
    let six = NaiveTime::from_hms_opt(6, 0, 0).unwrap();
    let enable = AdministrationCommand::EnableAutoImport { daily_at: six };
    let enabled = AdministrationEvent::AutoImportEnabled { daily_at: six };
    Given::with(()).given(vec![registered()]).when(enable.clone()).then_expect_error(AdministrationError::NotLinked);
    Given::with(()).given(vec![registered(), linked()]).when(enable.clone()).then_expect_events(vec![enabled.clone()]);
    Given::with(()).given(vec![registered(), linked(), enabled.clone()]).when(enable).then_expect_events(vec![]);
    let disable = AdministrationCommand::DisableAutoImport { reason: "holiday".to_owned() };
    Given::with(()).given(vec![registered(), linked()]).when(disable.clone()).then_expect_events(vec![]);
    Given::with(())
        .given(vec![registered(), linked(), enabled])
        .when(disable)
        .then_expect_events(vec![AdministrationEvent::AutoImportDisabled { reason: "holiday".to_owned() }]);
}

#[test]
fn imports_finish_only_as_the_running_import() {
    let started = AdministrationEvent::ImportStarted { import_id: import_id(7), trigger: ImportTrigger::Manual };
    let issues = vec![ImportIssue {
        severity: IssueSeverity::Warning,
        document: String::new(),
        message: "open items differ from GetSaldi by 1.00".to_owned(),
    }];
    let counts = ImportCounts { invoices_added: 3, warnings: 1, ..ImportCounts::default() };
    let complete =
        |n| AdministrationCommand::CompleteImport { import_id: import_id(n), counts, issues: issues.clone() };
    Given::with(()).given(vec![registered(), linked(), started.clone()]).when(complete(7)).then_expect_events(vec![
        AdministrationEvent::ImportCompleted { import_id: import_id(7), counts, issues: issues.clone() },
    ]);
    Given::with(())
        .given(vec![registered(), linked(), started.clone()])
        .when(complete(8))
        .then_expect_error(AdministrationError::NotTheRunningImport(import_id(8)));
    let fail = AdministrationCommand::FailImport {
        import_id: import_id(7),
        error_kind: "transport".to_owned(),
        message: "timed out".to_owned(),
    };
    Given::with(())
        .given(vec![registered(), linked()])
        .when(fail)
        .then_expect_error(AdministrationError::NotTheRunningImport(import_id(7)));
}
