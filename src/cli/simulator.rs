//! `vordering simulator`: serves a generated e-Boekhouden administration until Ctrl-C. Prints one
//! JSON line at start with the endpoint and the credentials to use.

use anyhow::Context;
use clap::Args;
use secrecy::ExposeSecret;
use vordering::internals::eboekhouden::simulator::{Simulator, SimulatorConfig};

/// Options of `vordering simulator`.
#[derive(Debug, Args)]
pub struct SimulatorArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Number of debtors (relations).
    #[arg(long, default_value_t = 100)]
    debtors: u64,
    /// Number of invoices and credit notes before the first day.
    #[arg(long, default_value_t = 1_000)]
    invoices: u64,
    /// Seed of the generated administration (same seed, same data).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// GetMutaties calls allowed per month (the real service allows 5,000).
    #[arg(long, default_value_t = 5_000)]
    mutaties_quota: u32,
}

/// The start line, fields in this order.
#[derive(serde::Serialize)]
struct StartLine<'a> {
    endpoint: String,
    username: String,
    security_code_1: &'a str,
    security_code_2: &'a str,
}

pub async fn run(args: SimulatorArgs) -> super::Outcome {
    serve(args).await.map_err(super::Failure::Failed)
}

async fn serve(args: SimulatorArgs) -> anyhow::Result<()> {
    let mut config = SimulatorConfig::new(args.debtors, args.invoices, args.seed);
    config.port = args.port;
    config.mutaties_quota = args.mutaties_quota;
    let handle = Simulator::start(config).await.context("starting the simulator")?;
    let credentials = handle.credentials();
    let line = StartLine {
        endpoint: handle.endpoint(),
        username: credentials.username.clone(),
        security_code_1: credentials.security_code_1.expose_secret(),
        security_code_2: credentials.security_code_2.expose_secret(),
    };
    // The one line a script reads to find the simulator; printing the codes is the point here, since
    // they are the simulator's own throwaway credentials.
    println!("{}", serde_json::to_string(&line).context("writing the start line")?);
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    handle.shutdown().await;
    Ok(())
}
