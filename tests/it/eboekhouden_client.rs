//! The SOAP client against the in-process simulator: every operation, every injected fault (each
//! ending in the documented error or a successful retry), the wire contract, windowing and redaction.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use secrecy::ExposeSecret;
use vordering::domain::Cents;
use vordering::internals::eboekhouden::budget::{BudgetMonth, CallBudget, InMemoryCallBudget};
use vordering::internals::eboekhouden::records::MutatieSoort;
use vordering::internals::eboekhouden::simulator::{
    DateShape, DoubleShape, ErrorMsgShape, Fault, FaultKind, Shape, Simulator, SimulatorConfig, SimulatorHandle,
};
use vordering::internals::eboekhouden::{
    Client, ClientSettings, Credentials, Error, FactuurFilter, MutatieFilter, MutatieSync, Operation, Records,
    RelatieFilter, SaldiFilter,
};

async fn start(config: SimulatorConfig) -> (SimulatorHandle, Client) {
    let sim = Simulator::start(config).await.unwrap();
    let client = Client::new(&settings(&sim), sim.credentials()).unwrap();
    (sim, client)
}

fn settings(sim: &SimulatorHandle) -> ClientSettings {
    ClientSettings { request_timeout: Duration::from_secs(5), ..ClientSettings::with_endpoint(sim.endpoint()) }
}

async fn drain<T: vordering::internals::eboekhouden::parse::Record>(mut records: Records<T>) -> Result<Vec<T>, Error> {
    let mut all = Vec::new();
    while let Some(record) = records.next().await? {
        all.push(record);
    }
    Ok(all)
}

fn today(sim: &SimulatorHandle) -> NaiveDate {
    sim.today()
}

fn wide() -> MutatieFilter {
    MutatieFilter::numbers(0, 0, NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
}

#[tokio::test]
async fn every_operation_returns_consistent_simulated_data() {
    let (sim, client) = start(SimulatorConfig::new(20, 120, 7)).await;
    client.open_session().await.unwrap();
    let administraties = drain(client.get_administraties().await.unwrap()).await.unwrap();
    assert_eq!(administraties.len(), 1);
    assert_eq!(administraties[0].bedrijf, "Simulatie 7");
    let relaties = drain(client.get_relaties(&RelatieFilter::default()).await.unwrap()).await.unwrap();
    let codes: Vec<String> = relaties.iter().map(|r| r.code.clone()).collect();
    assert_eq!(codes, (1..=20).map(|i| format!("DEB{i:05}")).collect::<Vec<_>>());
    let posten = drain(client.get_open_posten().await.unwrap()).await.unwrap();
    assert!(posten.iter().all(|p| codes.contains(&p.rel_code)));
    assert!(posten.iter().all(|p| p.bedrag.checked_sub(p.voldaan).unwrap() == p.openstaand && !p.openstaand.is_zero()));
    assert!(posten.iter().any(|p| p.voldaan.is_positive()), "a partial payment");
    assert!(posten.iter().any(|p| p.bedrag.is_negative()), "a credit note");
    let facturen = drain(client.get_facturen(&FactuurFilter::default()).await.unwrap()).await.unwrap();
    assert!(facturen.iter().all(|f| f.totaal_excl_btw.checked_add(f.totaal_btw).unwrap() == f.totaal_incl_btw));
    assert!(facturen.iter().all(|f| !f.factuurnummer.starts_with('W')), "mutation-only invoices stay out");
    let mutaties =
        drain(client.get_mutaties(&wide(), &InMemoryCallBudget::default(), today(&sim)).await.unwrap()).await.unwrap();
    let sent: Vec<&str> = mutaties
        .iter()
        .filter(|m| m.soort == MutatieSoort::FactuurVerstuurd)
        .map(|m| m.factuurnummer.as_str())
        .collect();
    assert!(sent.iter().any(|n| n.starts_with('W')), "mutation-only invoices exist as FactuurVerstuurd");
    assert!(facturen.iter().all(|f| sent.contains(&f.factuurnummer.as_str())));
    let saldi = drain(client.get_saldi(&SaldiFilter::categorie("DEB")).await.unwrap()).await.unwrap();
    let open_total = Cents::checked_sum(posten.iter().map(|p| p.openstaand)).unwrap();
    assert_eq!(saldi.len(), 1);
    assert_eq!(saldi[0].saldo, open_total, "Σ Openstaand equals the DEB balance");
    client.close_session().await.unwrap();
    assert_eq!(sim.calls(Operation::OpenSession), 1);
    assert_eq!(sim.calls(Operation::CloseSession), 1);
}

#[tokio::test]
async fn requests_carry_every_element_in_wsdl_order() {
    let (sim, client) = start(SimulatorConfig::new(3, 10, 1)).await;
    drain(client.get_mutaties(&wide(), &InMemoryCallBudget::default(), today(&sim)).await.unwrap()).await.unwrap();
    drain(client.get_relaties(&RelatieFilter::default()).await.unwrap()).await.unwrap();
    let requests = sim.requests();
    assert_eq!(requests[0].paths(), vec!["Username", "SecurityCode1", "SecurityCode2", "Source"]);
    assert_eq!(requests[0].get("Source"), Some("vordering"));
    assert_eq!(
        requests[1].paths(),
        vec![
            "SessionID",
            "SecurityCode2",
            "cFilter/MutatieNr",
            "cFilter/MutatieNrVan",
            "cFilter/MutatieNrTm",
            "cFilter/Factuurnummer",
            "cFilter/DatumVan",
            "cFilter/DatumTm"
        ]
    );
    assert_eq!(requests[1].get("cFilter/MutatieNr"), Some("0"));
    assert_eq!(
        requests[2].paths(),
        vec!["SessionID", "SecurityCode2", "cFilter/Trefwoord", "cFilter/Code", "cFilter/ID"]
    );
}

#[tokio::test]
async fn every_response_shape_parses_to_the_same_records() {
    let (sim, client) = start(SimulatorConfig::new(10, 60, 3)).await;
    let reference = drain(client.get_open_posten().await.unwrap()).await.unwrap();
    let reference_f = drain(client.get_facturen(&FactuurFilter::default()).await.unwrap()).await.unwrap();
    let reference_m =
        drain(client.get_mutaties(&wide(), &InMemoryCallBudget::default(), today(&sim)).await.unwrap()).await.unwrap();
    assert!(!reference.is_empty());
    for error_msg in [ErrorMsgShape::EmptyChildren, ErrorMsgShape::Empty, ErrorMsgShape::Absent] {
        for dates in [DateShape::DateTime, DateShape::DateOnly, DateShape::WithOffset, DateShape::WithFraction] {
            for doubles in [DoubleShape::Plain, DoubleShape::Exponent, DoubleShape::FloatArtefacts] {
                sim.set_shape(Shape { error_msg, dates, doubles });
                let posten = drain(client.get_open_posten().await.unwrap()).await.unwrap();
                assert_eq!(posten, reference, "{error_msg:?} {dates:?} {doubles:?}");
                let facturen = drain(client.get_facturen(&FactuurFilter::default()).await.unwrap()).await.unwrap();
                assert_eq!(
                    without_line_text(facturen),
                    without_line_text(reference_f.clone()),
                    "{error_msg:?} {dates:?} {doubles:?}"
                );
            }
            let budget = InMemoryCallBudget::default();
            let mutaties = drain(client.get_mutaties(&wide(), &budget, today(&sim)).await.unwrap()).await.unwrap();
            assert_eq!(mutaties, reference_m, "{error_msg:?} {dates:?}");
        }
    }
}

/// Quantity and unit price of invoice lines keep their wire text (they may carry more than two
/// decimals), so they differ per shape by design; everything else must be identical.
fn without_line_text(
    mut facturen: Vec<vordering::internals::eboekhouden::Factuur>,
) -> Vec<vordering::internals::eboekhouden::Factuur> {
    for regel in facturen.iter_mut().flat_map(|f| f.regels.iter_mut()) {
        regel.aantal.clear();
        regel.prijs_per_eenheid.clear();
    }
    facturen
}

#[tokio::test]
async fn wrong_credentials_are_rejected_without_retry() {
    let sim = Simulator::start(SimulatorConfig::new(2, 2, 1)).await.unwrap();
    let good = sim.credentials();
    let wrong_1 = Credentials::new(good.username.clone(), "nope".into(), good.security_code_2.clone());
    let client = Client::new(&settings(&sim), wrong_1).unwrap();
    let error = client.get_open_posten().await.unwrap_err();
    assert!(matches!(&error, Error::CredentialsRejected { code, .. } if code == "E001.1"), "{error:?}");
    let wrong_2 = Credentials::new(good.username.clone(), good.security_code_1.clone(), "nope".into());
    let error = Client::new(&settings(&sim), wrong_2).unwrap().open_session().await.unwrap_err();
    assert!(matches!(&error, Error::CredentialsRejected { code, .. } if code == "E001.3"), "{error:?}");
    assert_eq!(sim.calls(Operation::OpenSession), 2);
    assert_eq!(sim.calls(Operation::GetOpenPosten), 0);
}

#[tokio::test]
async fn an_expired_session_is_reopened_once_and_the_call_retried() {
    let (sim, client) = start(SimulatorConfig::new(5, 20, 2)).await;
    let budget = InMemoryCallBudget::default();
    client.open_session().await.unwrap();
    sim.inject(Fault::new(FaultKind::SessionExpired).on(Operation::GetMutaties).nth(2));
    for _ in 0..3 {
        drain(client.get_mutaties(&wide(), &budget, today(&sim)).await.unwrap()).await.unwrap();
    }
    assert_eq!(sim.calls(Operation::OpenSession), 2);
    assert_eq!(sim.calls(Operation::GetMutaties), 4);
    assert_eq!(budget.used(BudgetMonth::of(today(&sim))), 4, "the retry is counted in the budget");
}

#[tokio::test]
async fn a_session_that_stays_invalid_ends_in_session_expired() {
    let (sim, client) = start(SimulatorConfig::new(5, 20, 2)).await;
    sim.inject(Fault::new(FaultKind::SessionExpired).on(Operation::GetRelaties).times(2));
    let error = client.get_relaties(&RelatieFilter::default()).await.unwrap_err();
    assert!(matches!(&error, Error::SessionExpired { code, .. } if code == "E002.3"), "{error:?}");
    assert_eq!(sim.calls(Operation::GetRelaties), 2);
}

#[tokio::test]
async fn the_session_lifetime_expires_and_the_client_recovers() {
    let mut config = SimulatorConfig::new(5, 20, 2);
    config.session_lifetime = Duration::from_millis(100);
    let (sim, client) = start(config).await;
    drain(client.get_open_posten().await.unwrap()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    drain(client.get_open_posten().await.unwrap()).await.unwrap();
    assert_eq!(sim.calls(Operation::OpenSession), 2);
}

#[tokio::test]
async fn http_500_soap_fault_and_malformed_xml_are_typed() {
    let (sim, client) = start(SimulatorConfig::new(5, 40, 4)).await;
    client.open_session().await.unwrap();
    sim.inject(Fault::new(FaultKind::Http500).on(Operation::GetOpenPosten));
    let error = client.get_open_posten().await.unwrap_err();
    assert!(matches!(error, Error::HttpStatus { operation: Operation::GetOpenPosten, status: 500 }), "{error:?}");
    sim.inject(Fault::new(FaultKind::SoapFault).on(Operation::GetFacturen));
    let error = client.get_facturen(&FactuurFilter::default()).await.unwrap_err();
    assert!(matches!(&error, Error::SoapFault { code, .. } if code == "soap:Server"), "{error:?}");
    sim.inject(Fault::new(FaultKind::MalformedXml).on(Operation::GetRelaties));
    let mut records = client.get_relaties(&RelatieFilter::default()).await.unwrap();
    assert!(records.next().await.unwrap().is_some());
    let error = records.next().await.unwrap_err();
    assert!(matches!(error, Error::Malformed { operation: Operation::GetRelaties, record: Some(2), .. }), "{error:?}");
    // The faults were used up: the same calls succeed again.
    assert_eq!(drain(client.get_relaties(&RelatieFilter::default()).await.unwrap()).await.unwrap().len(), 5);
}

#[tokio::test]
async fn a_body_cut_off_mid_stream_is_a_transport_error_after_the_records_read() {
    let (sim, client) = start(SimulatorConfig::new(50, 3000, 5)).await;
    client.open_session().await.unwrap();
    sim.inject(Fault::new(FaultKind::CutOff { after_bytes: 100_000 }).on(Operation::GetOpenPosten));
    let mut records = client.get_open_posten().await.unwrap();
    let mut read = 0u64;
    let error = loop {
        match records.next().await {
            Ok(Some(_)) => read += 1,
            Ok(None) => panic!("the body should have been cut off"),
            Err(error) => break error,
        }
    };
    assert!(read > 100, "records before the cut are delivered ({read})");
    assert!(
        matches!(error, Error::Transport { operation: Operation::GetOpenPosten, records, .. } if records == read),
        "{error:?}"
    );
}

#[tokio::test]
async fn latency_within_the_timeout_succeeds_and_beyond_it_times_out() {
    let sim = Simulator::start(SimulatorConfig::new(3, 5, 6)).await.unwrap();
    let settings = ClientSettings { request_timeout: Duration::from_millis(300), ..settings(&sim) };
    let client = Client::new(&settings, sim.credentials()).unwrap();
    client.open_session().await.unwrap();
    sim.inject(Fault::new(FaultKind::Latency { millis: 50 }).on(Operation::GetRelaties));
    assert_eq!(drain(client.get_relaties(&RelatieFilter::default()).await.unwrap()).await.unwrap().len(), 3);
    sim.inject(Fault::new(FaultKind::Latency { millis: 1_000 }).on(Operation::GetRelaties));
    let error = client.get_relaties(&RelatieFilter::default()).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { operation: Operation::GetRelaties, .. }), "{error:?}");
}

#[tokio::test]
async fn the_quota_and_the_budget_stop_get_mutaties() {
    let mut config = SimulatorConfig::new(3, 10, 8);
    config.mutaties_quota = 2;
    let (sim, client) = start(config).await;
    let month = BudgetMonth::of(today(&sim));
    let budget = InMemoryCallBudget::new(100);
    for _ in 0..2 {
        drain(client.get_mutaties(&wide(), &budget, today(&sim)).await.unwrap()).await.unwrap();
    }
    let error = client.get_mutaties(&wide(), &budget, today(&sim)).await.unwrap_err();
    assert!(matches!(&error, Error::QuotaExceeded { code, .. } if code == "E003.1"), "{error:?}");
    let error = client.get_mutaties(&wide(), &budget, today(&sim)).await.unwrap_err();
    assert!(matches!(error, Error::BudgetExhausted { month: m } if m == month), "{error:?}");
    assert_eq!(sim.calls(Operation::GetMutaties), 3, "an exhausted budget sends nothing");
    let small = InMemoryCallBudget::new(0);
    assert!(!small.try_spend(month).await.unwrap());
}

async fn sync_all(client: &Client, budget: &InMemoryCallBudget, today: NaiveDate, from: NaiveDate) -> (Vec<i64>, u32) {
    let mut sync = MutatieSync::new(client, budget, today, 0, from);
    let mut numbers = Vec::new();
    while let Some(batch) = sync.next_batch().await.unwrap() {
        assert!(batch.len() <= 500);
        numbers.extend(batch.iter().map(|m| m.mutatie_nr));
        assert_eq!(sync.cursor(), *numbers.last().unwrap());
    }
    (numbers, sync.calls())
}

#[tokio::test]
async fn windowed_sync_reads_every_mutation_once_and_splits_saturated_windows() {
    let (sim, client) = start(SimulatorConfig::new(40, 3000, 9)).await;
    let mut reference_config = SimulatorConfig::new(40, 3000, 9);
    reference_config.row_cap = usize::MAX;
    let (reference_sim, reference_client) = start(reference_config).await;
    let from = today(&sim) - chrono::Days::new(40);
    let budget = InMemoryCallBudget::default();
    let filter = MutatieFilter::numbers(0, 0, from);
    let everything = drain(
        reference_client.get_mutaties(&filter, &InMemoryCallBudget::default(), today(&reference_sim)).await.unwrap(),
    )
    .await
    .unwrap();
    assert!(everything.len() > 1000, "enough to need several windows ({})", everything.len());
    let (numbers, calls) = sync_all(&client, &budget, today(&sim), from).await;
    assert_eq!(numbers, everything.iter().map(|m| m.mutatie_nr).collect::<Vec<_>>());
    assert_eq!(budget.used(BudgetMonth::of(today(&sim))), calls);
    let windows: Vec<(i64, i64)> = sim
        .requests()
        .iter()
        .filter(|r| r.operation == Operation::GetMutaties)
        .map(|r| {
            (
                r.get("cFilter/MutatieNrVan").unwrap().parse().unwrap(),
                r.get("cFilter/MutatieNrTm").unwrap().parse().unwrap(),
            )
        })
        .collect();
    // The halves are asked for after the window already in flight behind the saturated one.
    let split = windows.iter().enumerate().any(|(i, wide)| {
        wide.1 - wide.0 > 500 && windows[i + 1..].iter().any(|half| half.0 == wide.0 && half.1 < wide.1)
    });
    assert!(split, "a saturated wide window was split: {windows:?}");
}

#[tokio::test]
async fn an_incremental_sync_after_advancing_reads_exactly_the_new_mutations_in_one_call() {
    let (sim, client) = start(SimulatorConfig::new(10, 200, 10)).await;
    let budget = InMemoryCallBudget::default();
    let from = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let (numbers, _) = sync_all(&client, &budget, today(&sim), from).await;
    let cursor = *numbers.last().unwrap();
    let changes = sim.advance_days(10);
    let mut sync = MutatieSync::new(&client, &budget, today(&sim), cursor, from);
    let batch = sync.next_batch().await.unwrap().unwrap();
    assert_eq!(sync.next_batch().await.unwrap(), None);
    assert_eq!(sync.calls(), 1);
    use vordering::internals::eboekhouden::simulator::{ChangeAction, DocumentKind};
    let mut expected: Vec<String> =
        changes.iter().filter(|c| c.action == ChangeAction::Added).map(|c| c.id.clone()).collect();
    let mut seen: Vec<String> = batch
        .iter()
        .map(|m| match m.soort {
            MutatieSoort::FactuurbetalingOntvangen => m.mutatie_nr.to_string(),
            _ => m.factuurnummer.clone(),
        })
        .collect();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected);
    assert!(changes.iter().any(|c| c.kind == DocumentKind::Payment));
}

/// A `MakeWriter` target that keeps everything written.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn security_codes_never_reach_the_logs_or_debug_output() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let (sim, client) = start(SimulatorConfig::new(5, 30, 11)).await;
    let credentials = sim.credentials();
    sim.inject(Fault::new(FaultKind::SessionExpired).on(Operation::GetOpenPosten));
    drain(client.get_relaties(&RelatieFilter::default()).await.unwrap()).await.unwrap();
    drain(client.get_open_posten().await.unwrap()).await.unwrap();
    let administraties = drain(client.get_administraties().await.unwrap()).await.unwrap();
    client.close_session().await.unwrap();
    tracing::debug!(?client, ?credentials, ?administraties, "state at the end");
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("opened an e-Boekhouden session"), "{logs}");
    assert!(logs.contains("reopening it once"), "{logs}");
    assert!(logs.contains("[REDACTED]"), "{logs}");
    for secret in [credentials.security_code_1.expose_secret(), credentials.security_code_2.expose_secret()] {
        assert!(!logs.contains(secret), "a security code leaked into the logs");
    }
}
