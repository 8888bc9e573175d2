//! Command-line parsing and dispatch. Output for people by default, `--json` for machines;
//! exit code 2 for bad input, 1 when the work itself failed.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` that ignores a closed pipe (`vordering … | head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod administration;
mod audit;
mod collection;
mod costs;
mod db;
mod demo;
mod dunning;
mod import;
mod link;
mod pause;
mod payment;
mod projections;
mod serve;
mod settings;
mod simulator;
mod telemetry;
mod token;
mod webhook;

const DATA_DIR_HELP: &str = "Without a database URL (DATABASE_URL, VORDERING__DATABASE__URL or the settings file), \
commands start a private PostgreSQL cluster from the installed server binaries in the data directory: \
$VORDERING__DATA_DIR, else /var/lib/vordering when run as root, else $XDG_DATA_HOME/vordering \
(~/.local/share/vordering).";

#[derive(Debug, Parser)]
#[command(name = "vordering", version, about = "Event-sourced receivables engine linked to e-Boekhouden.nl", after_help = DATA_DIR_HELP)]
struct Cli {
    /// A TOML settings file (values there are overridden by VORDERING__… variables).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text for people.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the embedded database, register a sample administration and show its event history.
    Demo(demo::DemoArgs),
    /// Register and list administrations (sets of books).
    #[command(subcommand)]
    Administration(administration::AdministrationCommand),
    /// Operate the embedded private PostgreSQL cluster.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Link an administration to e-Boekhouden (codes from VORDERING_SECURITY_CODE1/2 or a prompt); again to replace the codes.
    Link(link::LinkArgs),
    /// Remove the link and erase the stored codes.
    Unlink(link::UnlinkArgs),
    /// Switch the daily automatic import on or off.
    AutoImport(link::AutoImportArgs),
    /// Import from e-Boekhouden now; `import log` shows the imports of the last month.
    Import(import::ImportArgs),
    /// Link or unlink payments to invoices by hand.
    #[command(subcommand)]
    Payment(payment::PaymentCommand),
    /// Link or unlink credit notes to invoices by hand.
    #[command(subcommand)]
    CreditNote(payment::CreditNoteCommand),
    /// Legal calculator: collection costs (WIK), statutory interest, payment allocation.
    Costs(costs::CostsArgs),
    /// Replay an administration's history with every link decision, or verify the balances.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Read models: status, blue/green rebuild, and the runner that keeps them up to date.
    #[command(subcommand)]
    Projections(projections::ProjectionsCommand),
    /// Dunning policies, the dunning run and reminder delivery.
    #[command(subcommand)]
    Dunning(dunning::DunningCommand),
    /// Collection cases: start by hand, waive costs, close.
    #[command(subcommand)]
    Collection(collection::CollectionCommand),
    /// Pause dunning for an invoice or a debtor.
    Pause(pause::PauseArgs),
    /// Resume dunning for an invoice or a debtor.
    Resume(pause::ResumeArgs),
    /// Serve a simulated e-Boekhouden SOAP service until Ctrl-C; prints one JSON line with its endpoint.
    Simulator(simulator::SimulatorArgs),
    /// Serve the HTTP API (with the daily import scheduler) until SIGTERM or Ctrl-C.
    Serve(serve::ServeArgs),
    /// Bearer tokens for the HTTP API.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Signed webhooks: subscribe URLs to the business events, see their deliveries, replay them.
    #[command(subcommand)]
    Webhook(webhook::WebhookCommand),
}

/// What a failed command tells its caller through the exit code.
#[derive(Debug)]
pub enum Failure {
    /// The input was wrong (exit code 2).
    BadInput(anyhow::Error),
    /// The work failed (exit code 1).
    Failed(anyhow::Error),
}

/// An engine error is bad input when the person can fix it (not found, refused, misconfigured) and
/// a failure otherwise; every other error is a failure.
impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        let error = error.into();
        match error.downcast_ref::<vordering::EngineError>() {
            Some(
                vordering::EngineError::NotFound(_)
                | vordering::EngineError::Refused(_)
                | vordering::EngineError::Misconfigured(_),
            ) => Failure::BadInput(error),
            _ => Failure::Failed(error),
        }
    }
}

pub type Outcome = Result<(), Failure>;

/// Global options every command sees.
#[derive(Debug)]
pub struct Context {
    pub config: Option<PathBuf>,
    pub json: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::install();
    let context = Context { config: cli.config, json: cli.json };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return report(Failure::Failed(error.into())),
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Demo(args) => demo::run(&context, args).await,
            Command::Administration(command) => administration::run(&context, command).await,
            Command::Db(command) => db::run(&context, command).await,
            Command::Link(args) => link::link(&context, args).await,
            Command::Unlink(args) => link::unlink(&context, args).await,
            Command::AutoImport(args) => link::auto_import(&context, args).await,
            Command::Import(args) => import::run(&context, args).await,
            Command::Payment(command) => payment::payment(&context, command).await,
            Command::CreditNote(command) => payment::credit_note(&context, command).await,
            Command::Costs(args) => costs::run(&context, args),
            Command::Audit(command) => audit::run(&context, command).await,
            Command::Projections(command) => projections::run(&context, command).await,
            Command::Dunning(command) => dunning::run(&context, command).await,
            Command::Collection(command) => collection::run(&context, command).await,
            Command::Pause(args) => pause::pause(&context, args).await,
            Command::Resume(args) => pause::resume(&context, args).await,
            Command::Simulator(args) => simulator::run(args).await,
            Command::Serve(args) => serve::run(&context, args).await,
            Command::Token(command) => token::run(&context, command).await,
            Command::Webhook(command) => webhook::run(&context, command).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(failure),
    }
}

fn report(failure: Failure) -> ExitCode {
    let (error, code) = match failure {
        Failure::BadInput(error) => (error, 2),
        Failure::Failed(error) => (error, 1),
    };
    eprintln!("error: {error:#}");
    ExitCode::from(code)
}
