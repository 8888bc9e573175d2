//! `vordering demo`: the first thing a new user runs. Starts the embedded database, registers a
//! sample administration and prints its event history. Running it twice works.

use chrono::Utc;
use clap::Args;
use vordering::domain::administration::{AdministrationCommand, AdministrationError};
use vordering::domain::AdministrationId;
use vordering::engine::EngineError;
use vordering::events::Metadata;
use vordering::store::CommandError;

use super::{settings, Context, Outcome};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The sample administration's id.
    #[arg(long, default_value = "demo-bv")]
    administration: String,
}

pub async fn run(context: &Context, args: DemoArgs) -> Outcome {
    let engine = settings::engine(context).await?;
    let id = AdministrationId::new(&args.administration).map_err(|e| super::Failure::BadInput(e.into()))?;
    let metadata = Metadata::new("demo", "cli", Utc::now()).with_reason("sample administration");
    let register = AdministrationCommand::Register { name: "Demo B.V.".to_owned(), registered_by: "demo".to_owned() };
    match engine.administration_command(&id, register, &metadata).await {
        Ok(()) => say!("registered administration {id}"),
        Err(EngineError::Administration(CommandError::Rejected(AdministrationError::AlreadyRegistered))) => {
            say!("administration {id} was registered by an earlier run");
        }
        Err(other) => return Err(other.into()),
    }
    let history = engine.history("Administration", id.as_str()).await?;
    say!("\nevent history of {id}:");
    for event in &history {
        let metadata = event.metadata_map()?;
        say!(
            "  #{:<3} {:<26} at {}  by {:<8} {}",
            event.sequence,
            event.event_type,
            event.recorded_at.format("%Y-%m-%d %H:%M:%S%.3f UTC"),
            metadata.get("actor").map_or("?", String::as_str),
            event.payload
        );
    }
    engine.shutdown().await;
    Ok(())
}
