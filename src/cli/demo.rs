//! `vordering demo`: the first thing a new user runs. On its own embedded database (recreated each
//! run, so running it twice works) it starts a simulated e-Boekhouden, registers and links an
//! administration, imports, and lives through a quarter of daily imports.

use std::time::Instant;

use anyhow::Context as _;
use chrono::Utc;
use clap::Args;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::AdministrationId;
use vordering::engine::SoapVerifier;
use vordering::events::administration::ImportTrigger;
use vordering::events::Metadata;
use vordering::internals::credentials::{SecurityCodes, Vault};
use vordering::internals::eboekhouden::simulator::{Simulator, SimulatorConfig, SimulatorHandle};
use vordering::internals::embedded_pg::{self, EmbeddedPostgres};
use vordering::internals::import::{ImportReport, ImportRequest, Quiet};
use vordering::internals::store::{self, PoolSettings};
use vordering::Engine;

mod audit;
mod dashboard;

use super::{settings, Context, Outcome};

/// The demo's own database in the embedded cluster; dropped and made anew on every run.
const DEMO_DATABASE: &str = "vordering_demo";

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Debtors in the simulated books.
    #[arg(long, default_value_t = 200)]
    debtors: u64,
    /// Invoices in the simulated books before the first day.
    #[arg(long, default_value_t = 2_000)]
    invoices: u64,
    /// Days to live through after the first import.
    #[arg(long, default_value_t = 91)]
    days: u32,
    /// The simulated books are drawn from this seed: the same seed, the same books.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Exit when the demo is done instead of serving its dashboard until Ctrl-C.
    #[arg(long)]
    no_serve: bool,
    /// Where the dashboard is served.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
}

pub async fn run(context: &Context, args: DemoArgs) -> Outcome {
    let settings = settings::load(context)?;
    let data_dir = settings.data_dir.clone().unwrap_or_else(settings::default_data_dir);
    say!("vordering demo: embedded database in {} (database {DEMO_DATABASE}, made anew)", data_dir.display());
    let cluster_dir = data_dir.clone();
    let cluster = tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&cluster_dir))
        .await?
        .context("starting the embedded database")?;
    recreate(&cluster).await?;
    let pool = store::connect(cluster.connect_options(DEMO_DATABASE), &PoolSettings::default()).await?;
    let vault = Vault::from_key_file(&data_dir.join("secrets.key"))?;
    let simulator = Simulator::start(SimulatorConfig::new(args.debtors, args.invoices, args.seed)).await?;
    let mut engine_settings = settings.clone();
    engine_settings.eboekhouden.endpoint = simulator.endpoint();
    let engine = Engine::from_pool(pool).await?.with_vault(vault).with_settings(engine_settings);
    say!(
        "simulated e-Boekhouden at {} ({} debtors, {} invoices, seed {})",
        simulator.endpoint(),
        args.debtors,
        args.invoices,
        args.seed
    );

    let id = AdministrationId::new("demo-bv").map_err(anyhow::Error::from)?;
    link(&engine, &simulator, &id).await?;
    let first = timed_import(&engine, &simulator, &id).await?;
    say!("{}: first import: {}", simulator.today(), summary(&first.0, first.1));
    let started = Instant::now();
    let (mut events, mut dunning) = (0, Dunning::default());
    for day in 0..=args.days {
        if day > 0 {
            simulator.advance_days(1);
            let (report, _) = timed_import(&engine, &simulator, &id).await?;
            events += report.counts.events_written;
            if day % 7 == 0 || day == args.days {
                say!("{}: daily import {day}: {}", simulator.today(), summary(&report, 0.0));
            }
        }
        let meta = Metadata::new("scheduler", format!("dunning:{}", simulator.today()), Utc::now());
        dunning.add(engine.run_dunning(&id, simulator.today(), false, &meta).await?);
    }
    say!(
        "{} days of daily imports and dunning runs: {events} import events in {:.1} s",
        args.days,
        started.elapsed().as_secs_f64()
    );
    dunning.print();
    audit::show_one_debtor(&engine, &id).await?;
    dashboard::print(&engine, &id, simulator.today()).await?;
    let engine = std::sync::Arc::new(engine);
    if !args.no_serve {
        serve(&engine, &id, simulator.today(), args.listen).await?;
    }
    simulator.shutdown().await;
    if let Ok(engine) = std::sync::Arc::try_unwrap(engine) {
        engine.shutdown().await;
    }
    drop(cluster);
    Ok(())
}

/// Serves the API (and the dashboard) with a fresh token until Ctrl-C.
async fn serve(
    engine: &std::sync::Arc<Engine>,
    id: &AdministrationId,
    today: chrono::NaiveDate,
    listen: std::net::SocketAddr,
) -> anyhow::Result<()> {
    let scope = vordering::internals::auth::TokenScope {
        administrations: vec![id.clone()],
        can_write: true,
        label: "demo".to_owned(),
    };
    let token = engine.create_token(&scope).await?;
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(listener) => listener,
        // Something else holds the port: any free one will do for a demo.
        Err(_) => tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?,
    };
    let address = listener.local_addr()?;
    say!("\ndashboard: http://{address}/?token={token}&lang=en&date={today}   (Nederlands: lang=nl)");
    say!("API:       curl -H 'Authorization: Bearer {token}' http://{address}/api/administrations/{id}/dashboard?date={today}");
    say!("stop with Ctrl-C");
    let options = vordering::http::ServeOptions { schedule: false, grace: std::time::Duration::from_secs(10) };
    vordering::http::serve(listener, engine.api(), options, super::serve::stop_signal()).await?;
    Ok(())
}

/// What the dunning runs of the demo decided.
#[derive(Debug, Default)]
struct Dunning {
    reminders: std::collections::BTreeMap<String, u64>,
    cases: u64,
    costs: i64,
    vat: i64,
    interest: i64,
    principal: i64,
}

impl Dunning {
    fn add(&mut self, report: vordering::engine::DunningReport) {
        use vordering::events::DebtorAccountEvent as E;
        for (_, event) in report.decided {
            match event {
                E::ReminderSent { step, .. } => *self.reminders.entry(format!("{step:?}")).or_default() += 1,
                E::CollectionStarted { principal, costs, vat_surcharge, interest, .. } => {
                    self.cases += 1;
                    self.principal += principal.get();
                    self.costs += costs.get();
                    self.vat += vat_surcharge.get();
                    self.interest += interest.get();
                }
                _ => {}
            }
        }
    }

    fn print(&self) {
        let sent: Vec<String> = self.reminders.iter().map(|(step, n)| format!("{n} × {step}")).collect();
        say!("dunning: {}", if sent.is_empty() { "no reminders".to_owned() } else { sent.join(", ") });
        let euro = |cents: i64| vordering::domain::Cents::new(cents).to_string();
        say!(
            "collection: {} cases opened for € {} principal, claiming € {} costs (WIK) + € {} VAT surcharge + € {} interest",
            self.cases, euro(self.principal), euro(self.costs), euro(self.vat), euro(self.interest)
        );
    }
}

async fn recreate(cluster: &EmbeddedPostgres) -> anyhow::Result<()> {
    embedded_pg::ensure_database(cluster, "postgres").await?;
    let admin = store::connect(cluster.connect_options("postgres"), &PoolSettings::default()).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {DEMO_DATABASE} WITH (FORCE)")).execute(&admin).await?;
    sqlx::query(&format!("CREATE DATABASE {DEMO_DATABASE}")).execute(&admin).await?;
    admin.close().await;
    Ok(())
}

async fn link(engine: &Engine, simulator: &SimulatorHandle, id: &AdministrationId) -> anyhow::Result<()> {
    let meta = Metadata::new("demo", "cli", Utc::now()).with_reason("demo administration");
    let register = AdministrationCommand::Register { name: "Demo B.V.".to_owned(), registered_by: "demo".to_owned() };
    engine.administration_command(id, register, &meta).await?;
    let credentials = simulator.credentials();
    let codes =
        SecurityCodes { code1: credentials.security_code_1.clone(), code2: credentials.security_code_2.clone() };
    let verifier = SoapVerifier { settings: engine.client_settings(None) };
    engine.link(id, &credentials.username, &codes, &verifier, &meta.caused(Utc::now())).await?;
    say!(
        "registered {id} and linked it as `{}` (codes verified with OpenSession, stored encrypted)",
        credentials.username
    );
    Ok(())
}

async fn timed_import(
    engine: &Engine,
    simulator: &SimulatorHandle,
    id: &AdministrationId,
) -> anyhow::Result<(ImportReport, f64)> {
    let request = ImportRequest {
        administration: id.clone(),
        trigger: ImportTrigger::Scheduled,
        today: simulator.today(),
        actor: "scheduler".to_owned(),
    };
    let started = Instant::now();
    let report = engine.import(&request, None, &Quiet).await?;
    Ok((report, started.elapsed().as_secs_f64()))
}

fn summary(report: &ImportReport, seconds: f64) -> String {
    let c = report.counts;
    let timing = if seconds > 0.0 { format!(" in {seconds:.2} s") } else { String::new() };
    format!(
        "{} debtors, {} invoices (+{} corrected), {} credit notes, {} payments ({} links), {} adjustments; {} events{timing}, {} warnings",
        c.debtors_added, c.invoices_added, c.invoices_updated, c.credit_notes_added, c.payments_added, c.payments_linked,
        c.open_amounts_adjusted, c.events_written, c.warnings
    )
}
