//! `vordering dunning policy set|override|show`.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::Subcommand;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::dunning::DunningPolicy;

use super::administration_id;
use crate::cli::administration::Who;
use crate::cli::{settings, Context, Failure, Outcome};

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Set the policy from a TOML file (see src/domain/dunning/default_policy.toml for the format).
    Set {
        /// The administration's id, as registered with `administration add`.
        #[arg(long)]
        administration: String,
        /// The policy's TOML file.
        #[arg(long)]
        file: PathBuf,
        #[command(flatten)]
        who: Who,
    },
    /// Give one debtor its own exceptions (a TOML file like an `[overrides.CODE]` table), or `--clear` them.
    Override {
        /// The administration's id, as registered with `administration add`.
        #[arg(long)]
        administration: String,
        /// The debtor's code in the books.
        #[arg(long)]
        debtor: String,
        /// The exceptions' TOML file.
        #[arg(long, required_unless_present = "clear")]
        file: Option<PathBuf>,
        /// Remove the debtor's exceptions: the administration's policy applies again.
        #[arg(long, conflicts_with = "file")]
        clear: bool,
        #[command(flatten)]
        who: Who,
    },
    /// Print the policy in force (the shipped default until one is set).
    Show {
        /// The administration's id, as registered with `administration add`.
        #[arg(long)]
        administration: String,
    },
}

fn read_override(file: &std::path::Path) -> Result<vordering::domain::dunning::PolicyOverride, Failure> {
    let text =
        std::fs::read_to_string(file).map_err(|e| Failure::BadInput(anyhow!("cannot read {}: {e}", file.display())))?;
    vordering::domain::dunning::PolicyOverride::from_toml(&text).map_err(|e| Failure::BadInput(e.into()))
}

pub async fn run(context: &Context, command: PolicyCommand) -> Outcome {
    match command {
        PolicyCommand::Set { administration, file, who } => {
            let id = administration_id(&administration)?;
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::BadInput(anyhow!("cannot read {}: {e}", file.display())))?;
            let policy = DunningPolicy::from_toml(&text).map_err(|e| Failure::BadInput(e.into()))?;
            let engine = settings::engine(context).await?;
            let result = engine
                .administration_command(&id, AdministrationCommand::SetDunningPolicy { policy }, &who.metadata())
                .await;
            engine.shutdown().await;
            result.map_err(|e| Failure::BadInput(anyhow!(e)))?;
            say!(
                "{}",
                if context.json {
                    serde_json::json!({ "administration": id.as_str(), "policy_set": true }).to_string()
                } else {
                    format!("dunning policy of {id} set from {}", file.display())
                }
            );
            Ok(())
        }
        PolicyCommand::Override { administration, debtor, file, clear: _, who } => {
            let id = administration_id(&administration)?;
            let debtor = vordering::domain::DebtorCode::new(&debtor).map_err(|e| Failure::BadInput(e.into()))?;
            let policy = match file {
                Some(file) => Some(read_override(&file)?),
                None => None,
            };
            let engine = settings::engine(context).await?;
            let command = vordering::domain::debtor_account::DunningCommand::OverridePolicy { policy };
            let result = engine.debtor_command(&id, &debtor, command, &who.metadata()).await;
            engine.shutdown().await;
            result?;
            say!(
                "{}",
                if context.json {
                    serde_json::json!({ "debtor": debtor, "overridden": true }).to_string()
                } else {
                    format!("policy override of {debtor} recorded")
                }
            );
            Ok(())
        }
        PolicyCommand::Show { administration } => {
            let id = administration_id(&administration)?;
            let engine = settings::engine(context).await?;
            let policy = engine.dunning_policy(&id).await;
            engine.shutdown().await;
            say!("{}", serde_json::to_string_pretty(&policy?)?);
            Ok(())
        }
    }
}
