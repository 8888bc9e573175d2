//! An outside check of the simulator: Python zeep (an independent SOAP client) loads the published WSDL,
//! calls the simulator, and must read the same data as our client does.
//!
//! CI sets `VORDERING_ZEEP_PYTHON` to a venv's python with zeep installed
//! (`python3 -m venv target/zeep-venv && target/zeep-venv/bin/pip install zeep`).

use serde_json::{json, Value};
use vordering::internals::eboekhouden::simulator::{Simulator, SimulatorConfig};
use vordering::internals::eboekhouden::{
    Client, ClientSettings, FactuurFilter, InMemoryCallBudget, MutatieFilter, RelatieFilter,
};

const WSDL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/eboekhouden/fixtures/eboekhouden.wsdl");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/zeep/check_simulator.py");

fn zeep_python() -> Option<String> {
    match std::env::var("VORDERING_ZEEP_PYTHON") {
        Ok(python) if !python.is_empty() => Some(python),
        _ if std::env::var("CI").is_ok_and(|ci| ci == "true") => panic!(
            "VORDERING_ZEEP_PYTHON is not set: CI must create a venv with zeep \
             (python3 -m venv target/zeep-venv && target/zeep-venv/bin/pip install zeep) and point the variable at its python"
        ),
        _ => None,
    }
}

/// Our client's reading of the simulator, in the script's JSON layout.
async fn ours(client: &Client, today: chrono::NaiveDate) -> Value {
    let mut relaties = Vec::new();
    let mut records = client.get_relaties(&RelatieFilter::default()).await.unwrap();
    while let Some(r) = records.next().await.unwrap() {
        let bp = if r.kind == vordering::internals::eboekhouden::RelatieKind::Consumer { "P" } else { "B" };
        relaties.push(json!([r.code, r.bedrijf, bp, r.email]));
    }
    let mut posten = Vec::new();
    let mut records = client.get_open_posten().await.unwrap();
    while let Some(p) = records.next().await.unwrap() {
        posten.push(json!([
            p.mut_factuur,
            p.rel_code,
            p.mut_datum.to_string(),
            p.bedrag.get(),
            p.voldaan.get(),
            p.openstaand.get()
        ]));
    }
    let mut facturen = Vec::new();
    let mut records = client.get_facturen(&FactuurFilter::default()).await.unwrap();
    while let Some(f) = records.next().await.unwrap() {
        facturen.push(json!([
            f.factuurnummer,
            f.relatiecode,
            f.datum.to_string(),
            f.betalingstermijn,
            f.totaal_incl_btw.get()
        ]));
    }
    let mut mutaties = Vec::new();
    let filter = MutatieFilter::numbers(0, 0, chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap());
    let mut records = client.get_mutaties(&filter, &InMemoryCallBudget::default(), today).await.unwrap();
    while let Some(m) = records.next().await.unwrap() {
        let incl = m.regels[0].bedrag_incl_btw.get();
        mutaties.push(json!([m.mutatie_nr, m.soort.as_str(), m.datum.to_string(), m.factuurnummer, incl]));
    }
    json!({"relaties": relaties, "open_posten": posten, "facturen": facturen, "mutaties": mutaties})
}

#[tokio::test]
async fn zeep_reads_the_same_data_from_the_simulator_as_our_client() {
    let Some(python) = zeep_python() else {
        eprintln!("note: VORDERING_ZEEP_PYTHON is not set; skipping the zeep check of the simulator");
        return;
    };
    let sim = Simulator::start(SimulatorConfig::new(8, 40, 21)).await.unwrap();
    let credentials = sim.credentials();
    use secrecy::ExposeSecret;
    let output = tokio::process::Command::new(&python)
        .args([
            SCRIPT,
            WSDL,
            &sim.endpoint(),
            &credentials.username,
            credentials.security_code_1.expose_secret(),
            credentials.security_code_2.expose_secret(),
        ])
        .output()
        .await
        .expect("running the zeep script");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the zeep script failed: {stderr}");
    let theirs: Value = serde_json::from_slice(&output.stdout).expect("the zeep script prints JSON");
    let client = Client::new(&ClientSettings::with_endpoint(sim.endpoint()), credentials).unwrap();
    let ours = ours(&client, sim.today()).await;
    for key in ["relaties", "open_posten", "facturen", "mutaties"] {
        assert!(!ours[key].as_array().unwrap().is_empty(), "{key} is empty");
        assert_eq!(theirs[key], ours[key], "{key} differs between zeep and our client");
    }
    let zeep_requests = sim.requests().iter().filter(|r| r.get("Source") == Some("zeep")).count();
    assert_eq!(zeep_requests, 1, "zeep opened its own session");
}
