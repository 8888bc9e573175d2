//! Command-line parsing and dispatch. Output for people by default, `--json` for machines.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod simulator;

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
    /// Serve a simulated e-Boekhouden SOAP service until Ctrl-C; prints one JSON line with its endpoint.
    Simulator(simulator::SimulatorArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Version => Ok(()),
        Command::Simulator(args) => simulator::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
