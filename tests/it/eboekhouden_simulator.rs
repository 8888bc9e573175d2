//! The simulator on its own: determinism, the control API, strictness on the wire, the row cap and the
//! `vordering simulator` command.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use secrecy::ExposeSecret;
use vordering::internals::eboekhouden::simulator::{
    Change, Fault, FaultKind, ResponseCounts, Simulator, SimulatorConfig, SimulatorHandle,
};
use vordering::internals::eboekhouden::{Client, ClientSettings, Error, Operation, RelatieFilter};

async fn open_posten(sim: &SimulatorHandle) -> Vec<vordering::internals::eboekhouden::OpenPost> {
    let client = Client::new(&ClientSettings::with_endpoint(sim.endpoint()), sim.credentials()).unwrap();
    let mut records = client.get_open_posten().await.unwrap();
    let mut all = Vec::new();
    while let Some(p) = records.next().await.unwrap() {
        all.push(p);
    }
    all
}

/// Posts a raw SOAP request and returns (status, body).
async fn raw(sim: &SimulatorHandle, action: &str, inner: &str) -> (u16, String) {
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>{inner}</soap:Body></soap:Envelope>"#
    );
    let response = reqwest::Client::new()
        .post(sim.endpoint())
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", format!("\"http://www.e-boekhouden.nl/soap/{action}\""))
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn session(sim: &SimulatorHandle) -> String {
    let c = sim.credentials();
    let (_, body) = raw(
        sim,
        "OpenSession",
        &format!(
            r#"<OpenSession xmlns="http://www.e-boekhouden.nl/soap"><Username>{}</Username><SecurityCode1>{}</SecurityCode1><SecurityCode2>{}</SecurityCode2><Source>t</Source></OpenSession>"#,
            c.username,
            c.security_code_1.expose_secret(),
            c.security_code_2.expose_secret()
        ),
    )
    .await;
    body.split("<SessionID>").nth(1).unwrap().split("</SessionID>").next().unwrap().to_owned()
}

#[tokio::test]
async fn the_same_seed_gives_the_same_administration_and_another_seed_another() {
    let a = Simulator::start(SimulatorConfig::new(10, 80, 31)).await.unwrap();
    let b = Simulator::start(SimulatorConfig::new(10, 80, 31)).await.unwrap();
    let c = Simulator::start(SimulatorConfig::new(10, 80, 32)).await.unwrap();
    let (pa, pb, pc) = (open_posten(&a).await, open_posten(&b).await, open_posten(&c).await);
    assert!(!pa.is_empty());
    assert_eq!(pa, pb);
    assert_ne!(pa, pc);
    assert_eq!(a.credentials().security_code_2.expose_secret(), b.credentials().security_code_2.expose_secret());
}

#[tokio::test]
async fn advancing_over_http_equals_advancing_in_process_and_changes_the_open_items() {
    let a = Simulator::start(SimulatorConfig::new(10, 150, 33)).await.unwrap();
    let b = Simulator::start(SimulatorConfig::new(10, 150, 33)).await.unwrap();
    let before = open_posten(&a).await;
    let in_process = a.advance_days(12);
    let url = format!("{}/advance?days=12", b.control_url());
    let body = reqwest::Client::new().post(url).send().await.unwrap().bytes().await.unwrap();
    let over_http: Vec<Change> = serde_json::from_slice(&body).unwrap();
    assert_eq!(in_process, over_http);
    assert_eq!(a.today(), b.today());
    let after = open_posten(&a).await;
    assert_eq!(after, open_posten(&b).await);
    assert_ne!(before, after);
    let added: Vec<&str> = in_process.iter().filter(|c| c.id.starts_with('F')).map(|c| c.id.as_str()).collect();
    assert!(added.iter().any(|id| after.iter().any(|p| p.mut_factuur == *id)), "new invoices are open items");
}

#[tokio::test]
async fn faults_can_be_injected_over_http() {
    let sim = Simulator::start(SimulatorConfig::new(3, 5, 34)).await.unwrap();
    let fault = Fault::new(FaultKind::SoapFault).on(Operation::GetRelaties);
    let status = reqwest::Client::new()
        .post(format!("{}/fault", sim.control_url()))
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&fault).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(status.status().as_u16(), 204);
    let client = Client::new(&ClientSettings::with_endpoint(sim.endpoint()), sim.credentials()).unwrap();
    let error = client.get_relaties(&RelatieFilter::default()).await.unwrap_err();
    assert!(matches!(error, Error::SoapFault { operation: Operation::GetRelaties, .. }), "{error:?}");
}

#[tokio::test]
async fn the_wire_is_checked_like_an_asmx_service() {
    let sim = Simulator::start(SimulatorConfig::new(3, 5, 35)).await.unwrap();
    let id = session(&sim).await;
    let code_2 = sim.credentials().security_code_2.expose_secret().to_owned();
    let posten = format!(
        r#"<GetOpenPosten xmlns="http://www.e-boekhouden.nl/soap"><SessionID>{id}</SessionID><SecurityCode2>{code_2}</SecurityCode2><OpSoort>Debiteuren</OpSoort></GetOpenPosten>"#
    );
    let (status, body) = raw(&sim, "GetRelaties", &posten).await;
    assert_eq!(status, 500);
    assert!(body.contains("did not recognize the value of HTTP Header SOAPAction"), "{body}");
    let missing = posten.replace("<OpSoort>Debiteuren</OpSoort>", "");
    let (status, body) = raw(&sim, "GetOpenPosten", &missing).await;
    assert_eq!(status, 500);
    assert!(body.contains("The element OpSoort is missing"), "{body}");
    let unqualified = posten.replace(r#" xmlns="http://www.e-boekhouden.nl/soap""#, "");
    let (status, _) = raw(&sim, "GetOpenPosten", &unqualified).await;
    assert_eq!(status, 500);
    let (status, body) = raw(&sim, "GetOpenPosten", &posten).await;
    assert_eq!((status, body.contains("<Openposten>")), (200, true));
    let close =
        format!(r#"<CloseSession xmlns="http://www.e-boekhouden.nl/soap"><SessionID>{id}</SessionID></CloseSession>"#);
    assert_eq!(raw(&sim, "CloseSession", &close).await.0, 200);
    let (_, body) = raw(&sim, "GetOpenPosten", &posten).await;
    assert!(body.contains("<LastErrorCode>E002.4</LastErrorCode>"), "{body}");
}

#[tokio::test]
async fn get_mutaties_returns_only_the_last_500_rows() {
    let sim = Simulator::start(SimulatorConfig::new(5, 700, 36)).await.unwrap();
    let id = session(&sim).await;
    let code_2 = sim.credentials().security_code_2.expose_secret().to_owned();
    let request = format!(
        r#"<GetMutaties xmlns="http://www.e-boekhouden.nl/soap"><SessionID>{id}</SessionID><SecurityCode2>{code_2}</SecurityCode2><cFilter><MutatieNr>0</MutatieNr><MutatieNrVan>0</MutatieNrVan><MutatieNrTm>0</MutatieNrTm><Factuurnummer></Factuurnummer><DatumVan>1970-01-01</DatumVan><DatumTm>2050-12-31</DatumTm></cFilter></GetMutaties>"#
    );
    let (status, body) = raw(&sim, "GetMutaties", &request).await;
    assert_eq!(status, 200);
    let numbers: Vec<i64> =
        body.split("<MutatieNr>").skip(1).map(|s| s.split('<').next().unwrap().parse().unwrap()).collect();
    assert_eq!(numbers.len(), 500);
    assert!(numbers.windows(2).all(|w| w[0] < w[1]));
    // Invoice k is booked as 2k + 1 (its payment, if any, as 2k + 2): the last invoice is 1399.
    assert!(*numbers.last().unwrap() >= 1399, "{numbers:?}");
    let older =
        request.replace("<MutatieNrTm>0</MutatieNrTm>", &format!("<MutatieNrTm>{}</MutatieNrTm>", numbers[0] - 1));
    let (_, body) = raw(&sim, "GetMutaties", &older).await;
    assert!(body.matches("<cMutatieList>").count() > 0, "older rows exist and were left out by the cap");
}

#[tokio::test]
async fn kept_responses_are_the_bytes_rendered_once_and_never_damaged_or_stale() {
    let sim =
        Simulator::start(SimulatorConfig { keep_rendered: true, ..SimulatorConfig::new(5, 60, 37) }).await.unwrap();
    let code_2 = sim.credentials().security_code_2.expose_secret().to_owned();
    let posten = |id: &str| {
        format!(
            r#"<GetOpenPosten xmlns="http://www.e-boekhouden.nl/soap"><SessionID>{id}</SessionID><SecurityCode2>{code_2}</SecurityCode2><OpSoort>Debiteuren</OpSoort></GetOpenPosten>"#
        )
    };
    let (first_session, second_session) = (session(&sim).await, session(&sim).await);
    let (_, rendered) = raw(&sim, "GetOpenPosten", &posten(&first_session)).await;
    let (_, kept) = raw(&sim, "GetOpenPosten", &posten(&second_session)).await;
    assert!(rendered.matches("<cOpenPost>").count() > 10, "{rendered}");
    assert_eq!(kept, rendered, "another session is served the same bytes");
    assert_eq!(sim.response_counts(), ResponseCounts { rendered: 1, from_memory: 1 });

    sim.inject(Fault::new(FaultKind::MalformedXml).on(Operation::GetOpenPosten));
    let (_, damaged) = raw(&sim, "GetOpenPosten", &posten(&first_session)).await;
    assert!(damaged.contains("<Broken>"), "{damaged}");
    let (_, after_fault) = raw(&sim, "GetOpenPosten", &posten(&first_session)).await;
    assert_eq!(after_fault, rendered, "a damaged response is not kept");
    assert_eq!(sim.response_counts(), ResponseCounts { rendered: 2, from_memory: 2 });

    let changes = sim.advance_days(20);
    assert!(!changes.is_empty());
    let (_, advanced) = raw(&sim, "GetOpenPosten", &posten(&first_session)).await;
    assert_ne!(advanced, rendered, "moving the calendar on forgets what was kept");
    assert_eq!(sim.response_counts().rendered, 3);
}

#[test]
fn the_simulator_command_prints_one_json_line_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vordering"))
        .args(["simulator", "--port", "0", "--debtors", "4", "--invoices", "12", "--seed", "37"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let start: serde_json::Value = serde_json::from_str(&line).unwrap();
    let keys: Vec<&str> = start.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 4, "{line}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let count = runtime.block_on(async {
        let credentials = vordering::internals::eboekhouden::Credentials::new(
            start["username"].as_str().unwrap(),
            start["security_code_1"].as_str().unwrap().into(),
            start["security_code_2"].as_str().unwrap().into(),
        );
        let settings = ClientSettings::with_endpoint(start["endpoint"].as_str().unwrap());
        let client = Client::new(&settings, credentials).unwrap();
        let mut records = client.get_relaties(&RelatieFilter::default()).await.unwrap();
        let mut count = 0;
        while records.next().await.unwrap().is_some() {
            count += 1;
        }
        count
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(count, 4);
}
