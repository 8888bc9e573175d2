//! Import goals: end-to-end throughput as a ratio to `L_copy` (`G1-import`), a re-import of the
//! same books at least as fast in invoices/s (`G1-reimport`), linear cost from N to 10N
//! (`G6-import`), and the peak RSS of an import process (`G5-import-rss`, `G5-import-rss-growth`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use secrecy::SecretString;
use serde::Serialize;
use sqlx::PgPool;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::AdministrationId;
use vordering::engine::SoapVerifier;
use vordering::events::administration::ImportTrigger;
use vordering::events::Metadata;
use vordering::internals::credentials::{SecurityCodes, Vault};
use vordering::internals::eboekhouden::simulator::{Simulator, SimulatorConfig, SimulatorHandle};
use vordering::internals::import::{ImportRequest, Progress, Quiet};
use vordering::{Engine, Settings};

use crate::report::{Direction, GoalResult};

/// The key the benchmark's stored codes are sealed with; the child process uses it too.
const KEY: &str = "4242424242424242424242424242424242424242424242424242424242424242";

/// What importing N invoices took: medians over the measured runs, and the live import's time.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Figures {
    pub invoices: u64,
    pub events: u64,
    pub first_seconds: f64,
    pub reimport_seconds: f64,
    /// The same first import with the simulator rendering every response as it is asked for.
    pub live_seconds: f64,
    /// Responses the simulator rendered during the measured imports (0: all served from memory).
    pub rendered_during_first: u64,
}

pub(crate) fn config(invoices: u64) -> SimulatorConfig {
    let mut config = SimulatorConfig::new((invoices / 10).max(1), invoices, 4_711);
    config.session_lifetime = Duration::from_secs(24 * 3600);
    config.mutaties_quota = 1_000_000;
    config
}

pub(crate) fn settings(simulator: &SimulatorHandle) -> Settings {
    let mut settings = Settings::default();
    settings.eboekhouden.endpoint = simulator.endpoint();
    settings.import.monthly_call_limit = 1_000_000;
    settings
}

async fn engine(pool: &PgPool, simulator: &SimulatorHandle) -> anyhow::Result<Engine> {
    let vault = Vault::from_hex(&SecretString::from(KEY))?;
    Ok(Engine::from_pool(pool.clone()).await?.with_vault(vault).with_settings(settings(simulator)))
}

async fn register_and_link(engine: &Engine, simulator: &SimulatorHandle, id: &AdministrationId) -> anyhow::Result<()> {
    let meta = Metadata::new("perfbench", "perfbench", Utc::now());
    let register = AdministrationCommand::Register { name: id.to_string(), registered_by: "perfbench".to_owned() };
    engine.administration_command(id, register, &meta).await?;
    link(engine, simulator, id).await
}

/// Links a registered administration to the simulator's books.
pub(crate) async fn link(engine: &Engine, simulator: &SimulatorHandle, id: &AdministrationId) -> anyhow::Result<()> {
    let meta = Metadata::new("perfbench", "perfbench", Utc::now());
    let c = simulator.credentials();
    let codes = SecurityCodes { code1: c.security_code_1.clone(), code2: c.security_code_2.clone() };
    engine.link(id, &c.username, &codes, &SoapVerifier { settings: engine.client_settings(None) }, &meta).await?;
    Ok(())
}

pub(crate) fn request(id: &AdministrationId, simulator: &SimulatorHandle) -> ImportRequest {
    ImportRequest {
        administration: id.clone(),
        trigger: ImportTrigger::Manual,
        today: simulator.today(),
        actor: "perfbench".to_owned(),
    }
}

/// Imports N invoices, then the same books again, `crate::RUNS` times; the medians.
pub async fn measure(pool: &PgPool, invoices: u64) -> anyhow::Result<Figures> {
    measure_with(pool, invoices, crate::RUNS, &Quiet).await
}

/// Each measured import starts from what `L_copy` starts from, an empty event store: a database of
/// its own beside `pool`'s, dropped afterwards.
///
/// The goal G1 has the mock server stream a generated file. The simulator renders each response
/// when it is asked for, and on two cores that rendering would take CPU from the importer being
/// measured. So a first, live import has every response rendered and kept, and the measured imports
/// are served the same bytes from memory; the live import's time is reported beside them.
async fn measure_with(pool: &PgPool, invoices: u64, runs: usize, progress: &dyn Progress) -> anyhow::Result<Figures> {
    let simulator = Simulator::start(SimulatorConfig { keep_rendered: true, ..config(invoices) }).await?;
    let scratch = Scratch::beside(pool).await?;
    let live = scratch.run(|db| import_twice(db, &simulator, &Quiet, false)).await?;
    let mut measured = Vec::with_capacity(runs);
    for _ in 0..runs {
        measured.push(scratch.run(|db| import_twice(db, &simulator, progress, true)).await?);
    }
    simulator.shutdown().await;
    let median = |seconds: fn(&Run) -> f64| crate::median(measured.iter().map(seconds).collect());
    Ok(Figures {
        invoices,
        events: live.events,
        first_seconds: median(|run| run.first_seconds),
        reimport_seconds: median(|run| run.reimport_seconds),
        live_seconds: live.first_seconds,
        rendered_during_first: measured.iter().map(|run| run.rendered_during_first).sum(),
    })
}

/// One first import and, if asked, a re-import of the same books.
struct Run {
    events: u64,
    first_seconds: f64,
    reimport_seconds: f64,
    rendered_during_first: u64,
}

async fn import_twice(
    pool: PgPool,
    simulator: &SimulatorHandle,
    progress: &dyn Progress,
    again: bool,
) -> anyhow::Result<Run> {
    let engine = engine(&pool, simulator).await?;
    let id = AdministrationId::new(format!("bench-{}", simulator.today()))?;
    register_and_link(&engine, simulator, &id).await?;
    let before = simulator.response_counts().rendered;
    let started = Instant::now();
    let first = engine.import(&request(&id, simulator), None, progress).await?;
    let first_seconds = started.elapsed().as_secs_f64();
    let rendered_during_first = simulator.response_counts().rendered - before;
    let mut reimport_seconds = f64::NAN;
    if again {
        let started = Instant::now();
        let again = engine.import(&request(&id, simulator), None, &Quiet).await?;
        reimport_seconds = started.elapsed().as_secs_f64();
        anyhow::ensure!(
            again.counts.events_written == 0,
            "the re-import appended {} events",
            again.counts.events_written
        );
    }
    Ok(Run { events: first.counts.events_written, first_seconds, reimport_seconds, rendered_during_first })
}

/// A throwaway database on the benchmark's server, made afresh for each run.
pub(crate) struct Scratch {
    server: sqlx::postgres::PgConnectOptions,
    name: String,
}

impl Scratch {
    pub(crate) async fn beside(pool: &PgPool) -> anyhow::Result<Scratch> {
        let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await?;
        Ok(Scratch { server: (*pool.connect_options()).clone(), name: format!("{database}_import") })
    }

    /// `work` on a fresh, migrated database with no dirty pages left by the run before; then drops it.
    pub(crate) async fn run<T, F, Fut>(&self, work: F) -> anyhow::Result<T>
    where
        F: FnOnce(PgPool) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<T>>,
    {
        let pool = crate::fresh_database(&self.server, &self.name).await?;
        vordering::MIGRATOR.run(&pool).await?;
        sqlx::query("CHECKPOINT").execute(&pool).await?;
        let outcome = work(pool.clone()).await;
        pool.close().await;
        crate::drop_database(&self.server, &self.name).await?;
        outcome
    }
}

/// The throughput, re-import and growth goals for the sizes measured.
pub fn goals(small: Figures, large: Option<Figures>, l_copy: f64) -> Vec<GoalResult> {
    let rate = |f: Figures| f.events as f64 / f.first_seconds;
    let per_invoice = |f: Figures| f.first_seconds / f.invoices as f64;
    let main = large.unwrap_or(small);
    let mut results = vec![
        GoalResult::new(
            &format!("G1-import@{}", main.invoices),
            rate(main),
            "events/s",
            "L_copy",
            l_copy,
            0.5,
            Direction::AtLeast,
        ),
        GoalResult::new(
            &format!("G1-reimport@{}", main.invoices),
            main.invoices as f64 / main.reimport_seconds,
            "invoices/s",
            "first import invoices/s",
            main.invoices as f64 / main.first_seconds,
            1.0,
            Direction::AtLeast,
        ),
    ];
    if let Some(large) = large {
        results.push(GoalResult::new(
            &format!("G6-import@{}/{}", large.invoices, small.invoices),
            per_invoice(large) * 1e6,
            "µs/invoice",
            &format!("µs/invoice at {}", small.invoices),
            per_invoice(small) * 1e6,
            1.15,
            Direction::AtMost,
        ));
    }
    results
}

/// The median peak RSS of `crate::RUNS` import children of `invoices` (as the goals ask: 3 runs each, the median).
pub async fn median_child_peak_rss(pool: &PgPool, url: &str, exe: &PathBuf, invoices: u64) -> anyhow::Result<f64> {
    let mut peaks = Vec::with_capacity(crate::RUNS);
    for _ in 0..crate::RUNS {
        peaks.push(child_peak_rss(pool, url, exe, invoices).await?);
    }
    println!("  import child of {invoices} invoices: peak RSS {peaks:.1?} MiB");
    Ok(crate::median(peaks))
}

/// Peak RSS of a child process that runs one whole import of `invoices` (the simulator and the
/// database stay in other processes), in MiB.
async fn child_peak_rss(pool: &PgPool, url: &str, exe: &PathBuf, invoices: u64) -> anyhow::Result<f64> {
    let simulator = Simulator::start(config(invoices)).await?;
    let engine = engine(pool, &simulator).await?;
    let id = AdministrationId::new(format!("rss-{invoices}-{}", Utc::now().timestamp_micros()))?;
    register_and_link(&engine, &simulator, &id).await?;
    let output = tokio::process::Command::new(exe)
        .args(["import-only", "--url", url, "--endpoint", &simulator.endpoint(), "--administration", id.as_str()])
        .args(["--date", &simulator.today().to_string()])
        .output()
        .await?;
    simulator.shutdown().await;
    anyhow::ensure!(output.status.success(), "the import child failed: {}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    report["vm_hwm_kib"].as_f64().map(|kib| kib / 1024.0).ok_or_else(|| anyhow::anyhow!("no vm_hwm_kib from the child"))
}

/// The hidden `import-only` child's arguments, as [`child_peak_rss`] passes them.
#[derive(Debug, clap::Args)]
pub struct ImportOnlyArgs {
    /// The benchmark database, where the parent registered and linked the administration.
    #[arg(long)]
    url: String,
    /// The simulator's SOAP endpoint.
    #[arg(long, value_name = "URL")]
    endpoint: String,
    /// The administration to import.
    #[arg(long, value_name = "ID")]
    administration: String,
    /// The import's today, the simulator's (YYYY-MM-DD).
    #[arg(long)]
    date: NaiveDate,
}

/// The hidden `import-only` subcommand: one import, then `{"events": n, "vm_hwm_kib": peak}`.
pub async fn import_only_main(args: &ImportOnlyArgs) -> anyhow::Result<()> {
    let pool =
        vordering::internals::store::connect(args.url.parse()?, &vordering::internals::store::PoolSettings::default())
            .await?;
    let mut settings = Settings::default();
    settings.eboekhouden.endpoint.clone_from(&args.endpoint);
    settings.import.monthly_call_limit = 1_000_000;
    let engine =
        Engine::from_pool(pool).await?.with_vault(Vault::from_hex(&SecretString::from(KEY))?).with_settings(settings);
    let id = AdministrationId::new(args.administration.as_str())?;
    let today = args.date;
    let request =
        ImportRequest { administration: id, trigger: ImportTrigger::Manual, today, actor: "perfbench".to_owned() };
    let report = engine.import(&request, None, &Quiet).await?;
    let status = std::fs::read_to_string("/proc/self/status")?;
    let hwm: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmHWM in /proc/self/status"))?;
    println!("{}", serde_json::json!({ "events": report.counts.events_written, "vm_hwm_kib": hwm }));
    Ok(())
}

/// `cargo bench --bench perfbench -- import-profile [INVOICES]`.
#[derive(Debug, clap::Args)]
pub struct ProfileArgs {
    /// Invoices of the books imported (debtors: a tenth).
    #[arg(default_value_t = 100_000)]
    invoices: u64,
}

/// `cargo bench --bench perfbench -- import-profile N`: one first import and one re-import of N
/// invoices, with the import's own stage timings in the log (`VORDERING_LOG=vordering=info`).
pub async fn import_profile_main(args: &ProfileArgs) -> anyhow::Result<()> {
    let invoices = args.invoices;
    let url = std::env::var("DATABASE_URL")?;
    let pool =
        vordering::internals::store::connect(url.parse()?, &vordering::internals::store::PoolSettings::default())
            .await?;
    vordering::MIGRATOR.run(&pool).await?;
    let figures = measure_with(&pool, invoices, 1, &PhaseClock::default()).await?;
    println!("{figures:?}: {:.0} events/s", figures.events as f64 / figures.first_seconds);
    Ok(())
}

/// Prints how long each phase of the first import took and how many records it read.
#[derive(Default)]
struct PhaseClock {
    current: std::sync::Mutex<Option<(String, Instant, u64)>>,
}

impl PhaseClock {
    fn end_phase(&self, next: Option<&str>) {
        let mut current = self.current.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((name, started, records)) = current.take() {
            eprintln!("  {name:<12} {:>8.3} s {records:>9} records", started.elapsed().as_secs_f64());
        }
        *current = next.map(|name| (name.to_owned(), Instant::now(), 0));
    }
}

impl Progress for PhaseClock {
    fn phase(&self, name: &str) {
        self.end_phase(Some(name));
    }
    fn parsed(&self, records: u64) {
        if let Some((_, _, count)) = self.current.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_mut() {
            *count += records;
        }
    }
    fn written(&self, _: u64) {
        self.end_phase(None);
    }
}
