//! `vordering pause|resume --administration A (--invoice N | --debtor D [--reminders-only]) --reason R`.

use anyhow::anyhow;
use clap::Args;
use vordering::domain::debtor_account::DunningCommand;
use vordering::domain::{DebtorCode, InvoiceNumber};
use vordering::events::debtor_account::PauseScope;

use super::administration::Who;
use super::dunning::administration_id;
use super::{settings, Context, Failure, Outcome};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["invoice", "debtor"]).multiple(true))]
pub struct PauseArgs {
    #[command(flatten)]
    target: Target,
    /// Pause only the reminders; collection cases still start and run.
    #[arg(long, conflicts_with = "invoice")]
    reminders_only: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["invoice", "debtor"]).multiple(true))]
pub struct ResumeArgs {
    #[command(flatten)]
    target: Target,
}

#[derive(Debug, Args)]
struct Target {
    /// The administration's id, as registered with `administration add`.
    #[arg(long)]
    administration: String,
    /// One invoice (its debtor is looked up unless `--debtor` is given too).
    #[arg(long)]
    invoice: Option<String>,
    /// The whole debtor.
    #[arg(long)]
    debtor: Option<String>,
    /// Why, for the audit trail.
    #[arg(long)]
    reason: String,
    /// Who does it, for the audit trail (default: the login name).
    #[arg(long)]
    actor: Option<String>,
}

pub async fn pause(context: &Context, args: PauseArgs) -> Outcome {
    let scope = if args.reminders_only { PauseScope::RemindersOnly } else { PauseScope::All };
    apply(context, args.target, |invoice, reason| match invoice {
        Some(invoice_number) => DunningCommand::PauseInvoice { invoice_number, reason },
        None => DunningCommand::PauseDebtor { scope, reason },
    })
    .await
}

pub async fn resume(context: &Context, args: ResumeArgs) -> Outcome {
    apply(context, args.target, |invoice, reason| match invoice {
        Some(invoice_number) => DunningCommand::ResumeInvoice { invoice_number, reason },
        None => DunningCommand::ResumeDebtor { reason },
    })
    .await
}

async fn apply(
    context: &Context,
    target: Target,
    command: impl FnOnce(Option<InvoiceNumber>, String) -> DunningCommand,
) -> Outcome {
    let bad = |e: anyhow::Error| Failure::BadInput(e);
    let id = administration_id(&target.administration)?;
    let invoice = target.invoice.as_deref().map(InvoiceNumber::new).transpose().map_err(|e| bad(e.into()))?;
    let debtor = target.debtor.as_deref().map(DebtorCode::new).transpose().map_err(|e| bad(e.into()))?;
    let engine = settings::engine(context).await?;
    let debtor = match (debtor, &invoice) {
        (Some(debtor), _) => Some(debtor),
        (None, Some(invoice)) => engine.debtor_of_invoice(&id, invoice).await?,
        (None, None) => None,
    };
    let Some(debtor) = debtor else {
        engine.shutdown().await;
        return Err(bad(anyhow!("no invoice {} in {id}", target.invoice.unwrap_or_default())));
    };
    let metadata = Who { actor: target.actor, reason: Some(target.reason.clone()) }.metadata();
    let what = invoice.as_ref().map_or_else(|| format!("debtor {debtor}"), |i| format!("invoice {i}"));
    let result = engine.debtor_command(&id, &debtor, command(invoice, target.reason), &metadata).await;
    engine.shutdown().await;
    result?;
    say!(
        "{}",
        if context.json {
            serde_json::json!({ "debtor": debtor, "done": true }).to_string()
        } else {
            format!("done for {what}")
        }
    );
    Ok(())
}
