//! `vordering dunning policy set|show`, `dunning run` and `dunning deliver` (the outbox).

use std::path::PathBuf;

use anyhow::anyhow;
use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::dunning::DunningPolicy;
use vordering::domain::AdministrationId;
use vordering::events::Metadata;

use super::administration::Who;
use super::{settings, Context, Failure, Outcome};

mod deliver;
mod report;

#[derive(Debug, Subcommand)]
pub enum DunningCommand {
    /// The administration's reminder schedule.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Take every dunning step due on a date: reminders (bundled per debtor), 14-day letters,
    /// collection cases. Running it twice on the same date appends nothing the second time.
    Run {
        #[arg(long)]
        administration: String,
        /// The day to run for (YYYY-MM-DD); default today.
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Show what would be decided without writing anything.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        who: Who,
    },
    /// Deliver the pending reminders in the outbox (e-mail over SMTP, letters as PDF).
    Deliver(deliver::DeliverArgs),
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Set the policy from a TOML file (see data/default_policy.toml for the format).
    Set {
        #[arg(long)]
        administration: String,
        #[arg(long)]
        file: PathBuf,
        #[command(flatten)]
        who: Who,
    },
    /// Print the policy in force (the shipped default until one is set).
    Show {
        #[arg(long)]
        administration: String,
    },
}

pub fn administration_id(text: &str) -> Result<AdministrationId, Failure> {
    AdministrationId::new(text).map_err(|e| Failure::BadInput(e.into()))
}

pub async fn run(context: &Context, command: DunningCommand) -> Outcome {
    match command {
        DunningCommand::Policy(PolicyCommand::Set { administration, file, who }) => {
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
        DunningCommand::Policy(PolicyCommand::Show { administration }) => {
            let id = administration_id(&administration)?;
            let engine = settings::engine(context).await?;
            let policy = engine.dunning_policy(&id).await;
            engine.shutdown().await;
            say!("{}", serde_json::to_string_pretty(&policy?)?);
            Ok(())
        }
        DunningCommand::Run { administration, date, dry_run, who } => {
            let id = administration_id(&administration)?;
            let today = date.unwrap_or_else(|| Utc::now().date_naive());
            let metadata = Metadata { source: format!("dunning:{today}"), ..who.metadata() };
            let engine = settings::engine(context).await?;
            let result = engine.run_dunning(&id, today, dry_run, &metadata).await;
            engine.shutdown().await;
            let report = result.map_err(|e| match e {
                vordering::EngineError::Dunning(vordering::engine::RunError::NotRegistered(_)) => {
                    Failure::BadInput(e.into())
                }
                other => Failure::Failed(other.into()),
            })?;
            report::print(context, today, dry_run, &report);
            Ok(())
        }
        DunningCommand::Deliver(args) => deliver::run(context, args).await,
    }
}
