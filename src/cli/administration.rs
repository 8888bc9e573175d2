//! `vordering administration add|list`.

use anyhow::anyhow;
use chrono::Utc;
use clap::{Args, Subcommand};
use vordering::domain::administration::AdministrationCommand as Command;
use vordering::domain::AdministrationId;
use vordering::events::Metadata;

use super::{settings, Context, Failure, Outcome};

#[derive(Debug, Subcommand)]
pub enum AdministrationCommand {
    /// Register an administration under an id of your choosing (lowercase letters, digits, `-`, `_`).
    Add {
        /// The id, e.g. `acme-bv`.
        id: String,
        /// The name people see.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        who: Who,
    },
    /// List the registered administrations.
    List,
}

/// Who acts and why; recorded in the event metadata.
#[derive(Debug, Args)]
pub struct Who {
    /// Who performs the action (default: the login name).
    #[arg(long)]
    pub actor: Option<String>,
    /// Why, for the audit trail.
    #[arg(long)]
    pub reason: Option<String>,
}

impl Who {
    pub fn metadata(&self) -> Metadata {
        let actor = self.actor.clone().or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "cli".to_owned());
        let metadata = Metadata::new(actor, "cli", Utc::now());
        match &self.reason {
            Some(reason) => metadata.with_reason(reason.clone()),
            None => metadata,
        }
    }
}

pub async fn run(context: &Context, command: AdministrationCommand) -> Outcome {
    match command {
        AdministrationCommand::Add { id, name, who } => {
            let id = AdministrationId::new(&id).map_err(|e| Failure::BadInput(e.into()))?;
            let engine = settings::engine(context).await?;
            let metadata = who.metadata();
            let command = Command::Register { name, registered_by: metadata.actor.clone() };
            let result = engine.administration_command(&id, command, &metadata).await;
            engine.shutdown().await;
            result.map_err(|e| Failure::BadInput(anyhow!(e)))?;
            if context.json {
                say!("{}", serde_json::json!({ "administration": id.as_str(), "registered": true }));
            } else {
                say!("registered {id}");
            }
        }
        AdministrationCommand::List => {
            let engine = settings::engine(context).await?;
            let list = engine.administrations().await;
            engine.shutdown().await;
            let list = list?;
            if context.json {
                let rows: Vec<_> =
                    list.iter().map(|(id, name)| serde_json::json!({ "id": id, "name": name })).collect();
                say!("{}", serde_json::Value::Array(rows));
            } else {
                for (id, name) in list {
                    say!("{id}\t{name}");
                }
            }
        }
    }
    Ok(())
}
