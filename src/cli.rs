//! Command-line parsing and dispatch. Output for people by default, `--json` for machines.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

pub fn main() -> ExitCode {
    let _cli = Cli::parse();
    ExitCode::SUCCESS
}
