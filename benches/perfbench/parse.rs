//! Parse goals: typed GetOpenPosten parse throughput against a raw quick-xml pull over the same bytes
//! (`G1-parse`), and the peak RSS of a child process that streams and parses a 1 GB GetOpenPosten from
//! the simulator (`G5-parse-rss`, `G5-parse-rss-growth` against a 10 MB response).
//!
//! The full run calls `parse::run(&ParseOptions::default())`; `cargo bench --bench perfbench --
//! parse-goals` runs the same alone. Both start this executable again as the hidden child
//! `parse-only --bytes N --endpoint URL` ([`ParseOnlyArgs`], [`parse_only_main`]), which prints one
//! JSON line and must run in its own process.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use quick_xml::events::Event;
use secrecy::ExposeSecret;
use vordering::internals::eboekhouden::simulator::{Simulator, SimulatorConfig, SimulatorHandle};
use vordering::internals::eboekhouden::{Client, ClientSettings, Credentials, OpenPost, Records};

use crate::report::{Direction, GoalResult};

/// The seed of the benchmark's simulator; the child derives the credentials from it.
const SEED: u64 = 5_005;
const MIB: f64 = 1024.0 * 1024.0;

/// What to measure.
#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// The perfbench executable, started again as the `parse-only` child for the RSS goals.
    pub exe: PathBuf,
    /// Size of the in-memory sample for the throughput ratio.
    pub sample_bytes: u64,
    pub small_bytes: u64,
    pub big_bytes: u64,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            exe: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("perfbench")),
            sample_bytes: 50_000_000,
            small_bytes: 10_000_000,
            big_bytes: 1_000_000_000,
        }
    }
}

fn config(invoices: u64) -> SimulatorConfig {
    let mut config = SimulatorConfig::new((invoices / 10).max(1), invoices, SEED);
    config.session_lifetime = Duration::from_secs(24 * 3600);
    config
}

fn credentials() -> Credentials {
    let c = config(1);
    Credentials::new(c.username, c.security_code_1, c.security_code_2)
}

/// Runs the three goals; the simulator is served from this process, the child only parses.
pub async fn run(options: &ParseOptions) -> Vec<GoalResult> {
    let per_invoice = open_posten_bytes_per_invoice().await;
    let invoices_for = |bytes: u64| bytes.div_ceil(per_invoice);
    let mut results = vec![throughput(invoices_for(options.sample_bytes)).await];

    let small = child_peak(options, invoices_for(options.small_bytes), options.small_bytes).await;
    let big = child_peak(options, invoices_for(options.big_bytes), options.big_bytes).await;
    if let (Some(small), Some(big)) = (small, big) {
        results.push(GoalResult::new("G5-parse-rss", big, "MiB", "limit 64 MiB", 64.0, 1.0, Direction::AtMost));
        results.push(GoalResult::new(
            "G5-parse-rss-growth",
            big,
            "MiB",
            "peak RSS at 10 MB",
            small,
            1.1,
            Direction::AtMost,
        ));
    }
    results
}

/// `G1-parse`: the typed parse of a GetOpenPosten of `invoices` against the raw pull over its bytes.
async fn throughput(invoices: u64) -> GoalResult {
    let sim = Simulator::start(config(invoices)).await.expect("starting the simulator");
    let body = fetch_body(&sim).await;
    sim.shutdown().await;
    let raw = median(3, || raw_pull_seconds(&body)).await;
    let typed = median(3, || typed_parse_seconds(&body)).await;
    let mb = body.len() as f64 / 1e6;
    GoalResult::new("G1-parse", mb / typed, "MB/s", "L_xml raw quick-xml pull", mb / raw, 0.35, Direction::AtLeast)
}

/// `cargo bench --bench perfbench -- parse-goals`: the parse goals alone (`G1-parse`, then the RSS of
/// a 10 MB and a 1 GB parse).
pub async fn goals_main() {
    for r in run(&ParseOptions::default()).await {
        println!(
            "{:<20} {:>8.1} {:<6} {:<26} {:>8.1}  ratio {:.3}",
            r.goal, r.value, r.unit, r.denominator, r.denominator_value, r.ratio
        );
    }
}

/// The bytes a GetOpenPosten response spends per invoice, from a 20,000-invoice probe.
pub async fn open_posten_bytes_per_invoice() -> u64 {
    let probe_invoices = 20_000;
    let probe = Simulator::start(config(probe_invoices)).await.expect("starting the simulator");
    let sample = fetch_body(&probe).await;
    probe.shutdown().await;
    (u64::try_from(sample.len()).unwrap_or(u64::MAX) / probe_invoices).max(1)
}

async fn fetch_body(sim: &SimulatorHandle) -> Vec<u8> {
    let client = Client::new(&ClientSettings::with_endpoint(sim.endpoint()), sim.credentials()).expect("client");
    client.open_session().await.expect("opening a session");
    // Read the raw bytes over plain HTTP with the session the client would use.
    let c = sim.credentials();
    let session = raw_session(sim, &c).await;
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetOpenPosten xmlns="http://www.e-boekhouden.nl/soap"><SessionID>{session}</SessionID><SecurityCode2>{}</SecurityCode2><OpSoort>Debiteuren</OpSoort></GetOpenPosten></soap:Body></soap:Envelope>"#,
        c.security_code_2.expose_secret()
    );
    post(sim, "GetOpenPosten", body).await
}

async fn raw_session(sim: &SimulatorHandle, c: &Credentials) -> String {
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><OpenSession xmlns="http://www.e-boekhouden.nl/soap"><Username>{}</Username><SecurityCode1>{}</SecurityCode1><SecurityCode2>{}</SecurityCode2><Source>perfbench</Source></OpenSession></soap:Body></soap:Envelope>"#,
        c.username,
        c.security_code_1.expose_secret(),
        c.security_code_2.expose_secret()
    );
    let text = String::from_utf8(post(sim, "OpenSession", body).await).unwrap_or_default();
    text.split("<SessionID>").nth(1).and_then(|s| s.split("</SessionID>").next()).unwrap_or_default().to_owned()
}

async fn post(sim: &SimulatorHandle, action: &str, body: String) -> Vec<u8> {
    let response = reqwest::Client::new()
        .post(sim.endpoint())
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", format!("\"http://www.e-boekhouden.nl/soap/{action}\""))
        .body(body)
        .send()
        .await
        .expect("posting to the simulator");
    response.bytes().await.expect("reading the body").to_vec()
}

async fn median<F, Fut>(runs: usize, mut f: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = f64>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(f().await);
    }
    crate::median(times)
}

/// The denominator: quick-xml's synchronous pull (the reader the client uses) over the bytes, with
/// no typed mapping.
async fn raw_pull_seconds(body: &[u8]) -> f64 {
    let start = Instant::now();
    let mut reader = quick_xml::Reader::from_reader(body);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::with_capacity(8 * 1024);
    let mut events = 0u64;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => events += 1,
        }
        buf.clear();
    }
    std::hint::black_box(events);
    start.elapsed().as_secs_f64()
}

/// The project's path: typed `OpenPost` records with `Cents` and `NaiveDate`, parsed on the
/// client's parsing thread and handed over in batches.
async fn typed_parse_seconds(body: &[u8]) -> f64 {
    let source = std::io::Cursor::new(body.to_vec());
    let start = Instant::now();
    let mut records = Records::<OpenPost>::open(source).await.expect("a GetOpenPosten response");
    let mut total = 0i64;
    while let Some(post) = records.next().await.expect("a well-formed record") {
        total = total.wrapping_add(post.openstaand.get());
    }
    std::hint::black_box(total);
    start.elapsed().as_secs_f64()
}

/// Serves `invoices` from this process and lets a child stream and parse them; its VmHWM in MiB.
async fn child_peak(options: &ParseOptions, invoices: u64, bytes: u64) -> Option<f64> {
    let sim = Simulator::start(config(invoices)).await.ok()?;
    let output = tokio::process::Command::new(&options.exe)
        .args(["parse-only", "--bytes", &bytes.to_string(), "--endpoint", &sim.endpoint()])
        .output()
        .await
        .ok()?;
    sim.shutdown().await;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    report["vm_hwm_kib"].as_f64().map(|kib| kib * 1024.0 / MIB)
}

/// The hidden `parse-only` child's arguments, as [`child_peak`] passes them.
#[derive(Debug, clap::Args)]
pub struct ParseOnlyArgs {
    /// The simulator's SOAP endpoint, serving the benchmark's seeded books.
    #[arg(long, value_name = "URL")]
    endpoint: String,
    /// The response size the parent asked the simulator for; only echoed in the JSON line.
    #[arg(long, value_name = "N", default_value_t = 0)]
    bytes: u64,
}

/// The hidden `parse-only` subcommand: streams GetOpenPosten from `--endpoint` through the client and
/// prints `{"records": n, "bytes_requested": N, "vm_hwm_kib": peak}`.
pub async fn parse_only_main(args: &ParseOnlyArgs) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = args.bytes;
    let client = Client::new(&ClientSettings::with_endpoint(args.endpoint.as_str()), credentials())?;
    let mut records = client.get_open_posten().await?;
    let mut count = 0u64;
    while records.next().await?.is_some() {
        count += 1;
    }
    let status = std::fs::read_to_string("/proc/self/status")?;
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .ok_or("no VmHWM in /proc/self/status")?;
    println!("{}", serde_json::json!({"records": count, "bytes_requested": bytes, "vm_hwm_kib": hwm}));
    Ok(())
}
