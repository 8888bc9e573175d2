//! `vordering dunning policy set|show`, `dunning run` and `dunning deliver` (the outbox).

use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use vordering::domain::AdministrationId;
use vordering::events::Metadata;

use super::administration::Who;
use super::{settings, Context, Failure, Outcome};

mod deliver;
mod policy;
mod report;

#[derive(Debug, Subcommand)]
pub enum DunningCommand {
    /// The administration's reminder schedule.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Take every dunning step due on a date: reminders (bundled per debtor), 14-day letters,
    /// collection cases. Running it twice on the same date appends nothing the second time.
    Run {
        /// The administration's id, as registered with `administration add`.
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

pub fn administration_id(text: &str) -> Result<AdministrationId, Failure> {
    AdministrationId::new(text).map_err(|e| Failure::BadInput(e.into()))
}

pub async fn run(context: &Context, command: DunningCommand) -> Outcome {
    match command {
        DunningCommand::Policy(command) => policy::run(context, command).await,
        DunningCommand::Run { administration, date, dry_run, who } => {
            let id = administration_id(&administration)?;
            let today = date.unwrap_or_else(|| Utc::now().date_naive());
            let metadata = Metadata { source: format!("dunning:{today}"), ..who.metadata() };
            let engine = settings::engine(context).await?;
            let result = engine.run_dunning(&id, today, dry_run, &metadata).await;
            engine.shutdown().await;
            let report = result?;
            report::print(context, today, dry_run, &report);
            Ok(())
        }
        DunningCommand::Deliver(args) => deliver::run(context, args).await,
    }
}
