//! `vordering collection start|waive|close`.

use anyhow::anyhow;
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use uuid::Uuid;
use vordering::domain::debtor_account::DunningCommand;
use vordering::domain::{DebtorCode, InvoiceNumber};
use vordering::Engine;

use super::administration::Who;
use super::dunning::administration_id;
use super::{settings, Context, Failure, Outcome};

#[derive(Debug, Subcommand)]
pub enum CollectionCommand {
    /// Open a collection case by hand for invoices of one debtor, with the statutory costs and
    /// interest as of the date (a consumer only after the 14-day term ran out unpaid).
    Start {
        /// The administration's id, as registered with `administration add`.
        #[arg(long)]
        administration: String,
        /// The debtor's code in the books.
        #[arg(long)]
        debtor: String,
        /// An invoice of that debtor to collect; repeat for more.
        #[arg(long = "invoice", required = true)]
        invoices: Vec<String>,
        /// The start date (YYYY-MM-DD); default today.
        #[arg(long)]
        date: Option<NaiveDate>,
        #[command(flatten)]
        who: Who,
    },
    /// Waive the collection costs of a case.
    Waive(CaseArgs),
    /// Close a case by hand.
    Close(CaseArgs),
}

#[derive(Debug, Args)]
pub struct CaseArgs {
    /// The administration's id, as registered with `administration add`.
    #[arg(long)]
    administration: String,
    /// The case's id, as `collection start` printed it.
    #[arg(long = "case")]
    case_id: Uuid,
    /// Why, for the audit trail.
    #[arg(long)]
    reason: String,
    /// Who does it, for the audit trail (default: the login name).
    #[arg(long)]
    actor: Option<String>,
}

fn bad(error: impl Into<anyhow::Error>) -> Failure {
    Failure::BadInput(error.into())
}

pub async fn run(context: &Context, command: CollectionCommand) -> Outcome {
    let engine = settings::engine(context).await?;
    let result = execute(context, &engine, command).await;
    engine.shutdown().await;
    result
}

async fn execute(context: &Context, engine: &Engine, command: CollectionCommand) -> Outcome {
    match command {
        CollectionCommand::Start { administration, debtor, invoices, date, who } => {
            let id = administration_id(&administration)?;
            let debtor = DebtorCode::new(&debtor).map_err(bad)?;
            let invoices = invoices.iter().map(InvoiceNumber::new).collect::<Result<Vec<_>, _>>().map_err(bad)?;
            let today = date.unwrap_or_else(|| Utc::now().date_naive());
            let case_id = engine.start_collection(&id, &debtor, invoices, today, &who.metadata()).await?;
            let account = engine.debtor_account(&id, &debtor).await?;
            let case = account.dunning.cases.get(&case_id).ok_or_else(|| anyhow!("case {case_id} was not stored"))?;
            if context.json {
                say!(
                    "{}",
                    serde_json::json!({
                        "case_id": case_id, "debtor": debtor, "invoices": case.invoices, "principal_cents": case.principal,
                        "costs_cents": case.costs, "vat_surcharge_cents": case.vat_surcharge, "interest_cents": case.interest,
                        "interest_from": case.interest_from, "started_on": case.started_on, "rates_verified": case.rates_verified,
                    })
                );
            } else {
                say!(
                    "collection case {case_id} started on {}: principal {}, costs {}, VAT {}, interest {}{}",
                    case.started_on,
                    case.principal,
                    case.costs,
                    case.vat_surcharge,
                    case.interest,
                    if case.rates_verified { "" } else { " (uses an unverified interest rate)" }
                );
            }
        }
        CollectionCommand::Waive(args) => {
            let waive = |case_id, reason| DunningCommand::WaiveCosts { case_id, reason };
            on_case(context, engine, args, "costs waived", waive).await?;
        }
        CollectionCommand::Close(args) => {
            let close = |case_id, reason| DunningCommand::CloseCollection { case_id, reason };
            on_case(context, engine, args, "closed", close).await?;
        }
    }
    Ok(())
}

/// Runs a command on the case's account (found by the case id) and says what was done.
async fn on_case(
    context: &Context,
    engine: &Engine,
    args: CaseArgs,
    done: &str,
    command: impl FnOnce(Uuid, String) -> DunningCommand,
) -> Outcome {
    let administration = administration_id(&args.administration)?;
    let case_id = args.case_id;
    let debtor = engine
        .debtor_of_case(&administration, case_id)
        .await?
        .ok_or_else(|| bad(anyhow!("no collection case {case_id} in {administration}")))?;
    let metadata = Who { actor: args.actor, reason: Some(args.reason.clone()) }.metadata();
    engine.debtor_command(&administration, &debtor, command(case_id, args.reason), &metadata).await?;
    if context.json {
        say!("{}", serde_json::json!({ "case_id": case_id, "done": done }));
    } else {
        say!("case {case_id}: {done}");
    }
    Ok(())
}
