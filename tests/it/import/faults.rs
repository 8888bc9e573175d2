//! Faults during an import end it cleanly, say why, and lose or duplicate nothing.

use sqlx::PgPool;
use vordering::domain::administration::AdministrationError;
use vordering::domain::AdministrationId;
use vordering::engine::Refusal;
use vordering::events::administration::{AdministrationEvent, IssueSeverity};
use vordering::internals::eboekhouden::simulator::{Fault, FaultKind, Simulator, SimulatorConfig};
use vordering::internals::eboekhouden::Operation;
use vordering::{EngineError, Settings};

use super::setup::{small, Books};

async fn last_import_event(books: &Books) -> AdministrationEvent {
    let history = books.engine.history("Administration", books.id.as_str()).await.unwrap();
    history.last().unwrap().decode().unwrap()
}

/// The `error_kind` of the import that failed last.
async fn failed_kind(books: &Books) -> String {
    match last_import_event(books).await {
        AdministrationEvent::ImportFailed { error_kind, .. } => error_kind,
        other => panic!("the last import did not fail: {other:?}"),
    }
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn refused_codes_fail_the_import_and_break_the_link(pool: PgPool) {
    let books = Books::new(pool, small()).await;
    // The user changed his password: another set of books answers with other codes.
    let other = Simulator::start(SimulatorConfig::new(5, 10, 99)).await.unwrap();
    let error = books
        .engine
        .import(&books.request_for(&books.id), Some(&other.endpoint()), &vordering::internals::import::Quiet)
        .await
        .unwrap_err();
    assert!(matches!(error, EngineError::Refused(Refusal::CredentialsRefused { .. })), "{error}");
    assert!(error.to_string().contains("must be reconnected"), "says what to do: {error}");
    let state = books.engine.administration(&books.id).await.unwrap();
    assert!(state.link.unwrap().broken.is_some(), "the link is marked broken");
    assert!(
        matches!(last_import_event(&books).await, AdministrationEvent::ImportFailed { ref error_kind, .. } if error_kind == "credentials_rejected")
    );
    assert_eq!(books.event_count().await, 0);
    // A broken link refuses the next import until it is repaired.
    assert!(matches!(
        books.import().await,
        Err(EngineError::Refused(Refusal::Administration(AdministrationError::LinkBroken { .. })))
    ));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn an_expired_session_is_reopened_and_the_totals_match_an_undisturbed_import(pool: PgPool) {
    let books = Books::new(pool, small()).await;
    let undisturbed = books.import().await.unwrap();
    let other = AdministrationId::new("twin-bv").unwrap();
    books.add_administration(&other).await;
    books.simulator.inject(Fault::new(FaultKind::SessionExpired).on(Operation::GetFacturen).nth(1));
    let disturbed = books.import_into(&other).await.unwrap();
    assert_eq!(disturbed.counts, undisturbed.counts);
    assert_eq!(books.events_of(&other).await, books.event_count().await);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_spent_quota_skips_mutations_with_a_warning_and_reads_the_rest(pool: PgPool) {
    let mut config = small();
    config.mutaties_quota = 0;
    let books = Books::new(pool, config).await;
    let report = books.import().await.unwrap();
    assert!(
        report.issues.iter().any(|i| i.severity == IssueSeverity::Warning && i.message.contains("quota")),
        "{:?}",
        report.issues
    );
    assert_eq!(report.counts.payments_added, 0);
    assert!(report.counts.invoices_added > 0 && report.counts.open_amounts_adjusted > 0, "{:?}", report.counts);
    let exhausted: bool =
        sqlx::query_scalar("SELECT exhausted FROM soap_call_budget").fetch_one(books.engine.pool()).await.unwrap();
    assert!(exhausted, "the month is marked spent, so no more calls are made");
    books.import().await.unwrap();
    assert_eq!(books.simulator.calls(Operation::GetMutaties), 1, "the spent month is respected");
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn our_own_budget_stops_get_mutaties_before_the_service_does(pool: PgPool) {
    let mut settings = Settings::default();
    settings.import.monthly_call_limit = 0;
    let books = Books::with_settings(pool, small(), settings).await;
    let report = books.import().await.unwrap();
    assert!(report.issues.iter().any(|i| i.message.contains("call budget")), "{:?}", report.issues);
    assert_eq!(books.simulator.calls(Operation::GetMutaties), 0);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_bad_record_is_an_error_in_the_log_and_the_rest_is_imported(pool: PgPool) {
    let books = Books::new(pool, small()).await;
    books.simulator.inject(Fault::new(FaultKind::BadRecord).on(Operation::GetFacturen));
    let report = books.import().await.unwrap();
    let errors: Vec<_> = report.issues.iter().filter(|i| i.severity == IssueSeverity::Error).collect();
    assert_eq!(errors.len(), 1, "{:?}", report.issues);
    assert!(
        errors[0].message.contains("record 2") && errors[0].message.contains("TotaalInclBTW"),
        "{}",
        errors[0].message
    );
    assert_eq!(report.counts.errors, 1);
    assert!(report.counts.invoices_added > 100);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn transport_failures_write_nothing_and_a_rerun_completes(pool: PgPool) {
    let books = Books::new(pool, small()).await;
    let faults = [
        (FaultKind::Http500, "transport"),
        (FaultKind::SoapFault, "transport"),
        (FaultKind::MalformedXml, "malformed_response"),
        (FaultKind::CutOff { after_bytes: 2_000 }, "transport"),
    ];
    for (kind, expected) in faults {
        books.simulator.inject(Fault::new(kind).on(Operation::GetOpenPosten));
        let error = books.import().await.unwrap_err();
        assert_eq!(failed_kind(&books).await, expected, "{kind:?}: {error}");
        assert_eq!(books.event_count().await, 0, "{kind:?} left nothing half written");
        assert!(matches!(last_import_event(&books).await, AdministrationEvent::ImportFailed { .. }));
    }
    let state = books.engine.administration(&books.id).await.unwrap();
    assert_eq!(state.link.unwrap().broken, None, "a transport failure does not break the link");
    let report = books.import().await.unwrap();
    assert!(report.counts.events_written > 0);
}

/// The readers run side by side: when one fails, the other stops at its next window, and the
/// GetMutaties calls it took from the budget and did not make are given back.
#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn a_failing_reader_stops_the_other_and_the_budget_counts_only_calls_made(pool: PgPool) {
    let books = Books::new(pool, SimulatorConfig::new(100, 5_000, 7)).await;
    books.simulator.inject(Fault::new(FaultKind::Http500).on(Operation::GetFacturen));
    let error = books.import().await.unwrap_err();
    assert_eq!(failed_kind(&books).await, "transport", "{error}");
    assert_eq!(books.event_count().await, 0);
    let counted = || async {
        let calls: Option<i32> =
            sqlx::query_scalar("SELECT calls FROM soap_call_budget").fetch_optional(books.engine.pool()).await.unwrap();
        usize::try_from(calls.unwrap_or(0)).unwrap()
    };
    let made = books.simulator.calls(Operation::GetMutaties);
    assert_eq!(counted().await, made, "calls counted are calls made");
    books.import().await.unwrap();
    let undisturbed = books.simulator.calls(Operation::GetMutaties) - made;
    assert!(made < undisturbed, "the failed run stopped early: {made} of {undisturbed} windows");
    assert_eq!(counted().await, made + undisturbed);
}
