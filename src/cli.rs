//! Command-line parsing and dispatch. Output for people by default, `--json` for machines.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod costs;

#[derive(Debug, Parser)]
#[command(name = "vordering", version, about = "Event-sourced receivables engine linked to e-Boekhouden.nl")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the version and exit (placeholder until the other commands land).
    Version,
    /// Legal calculator: collection costs (WIK), statutory interest, payment allocation.
    Costs(costs::CostsArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => ExitCode::SUCCESS,
        Command::Costs(args) => costs::run(args),
    }
}
