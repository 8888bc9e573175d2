//! `vordering payment link|unlink` and `vordering credit-note link|unlink`: allocations by hand,
//! each with the actor and the reason the audit trail keeps.

use anyhow::anyhow;
use clap::{Args, Subcommand};
use vordering::domain::{Cents, InvoiceNumber, LinkId, PaymentRef};

use super::administration::Who;
use super::link::administration_id;
use super::{settings, Context, Failure, Outcome};

#[derive(Debug, Subcommand)]
pub enum PaymentCommand {
    /// Link (part of) a payment to an invoice of the same debtor.
    Link {
        /// The administration's id, as registered with `administration add`.
        #[arg(long)]
        administration: String,
        /// The payment's reference (its mutation number).
        #[arg(long)]
        payment: String,
        /// The invoice's number, as the books show it.
        #[arg(long)]
        invoice: String,
        /// How much, in euros (default: as much as both allow).
        #[arg(long)]
        amount: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Undo a link (of a payment or a credit note) by its id.
    Unlink(UnlinkArgs),
}

/// Which link to undo, and who does it why.
#[derive(Debug, Args)]
pub struct UnlinkArgs {
    /// The administration's id, as registered with `administration add`.
    #[arg(long)]
    administration: String,
    /// The link's id, as `audit replay --only links` shows it.
    #[arg(long)]
    link: String,
    #[command(flatten)]
    who: Who,
}

#[derive(Debug, Subcommand)]
pub enum CreditNoteCommand {
    /// Link (part of) a credit note to an invoice of the same debtor; credit notes are never linked automatically.
    Link {
        /// The administration's id, as registered with `administration add`.
        #[arg(long)]
        administration: String,
        /// The credit note's number, as the books show it.
        #[arg(long = "credit-note")]
        credit_note: String,
        /// The invoice's number, as the books show it.
        #[arg(long)]
        invoice: String,
        /// How much, in euros (default: as much as both allow).
        #[arg(long)]
        amount: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Undo a credit-note link by its id.
    Unlink(UnlinkArgs),
}

fn bad(error: impl Into<anyhow::Error>) -> Failure {
    Failure::BadInput(error.into())
}

fn amount(text: Option<String>) -> Result<Option<Cents>, Failure> {
    let Some(text) = text else { return Ok(None) };
    let cents = Cents::parse(&text).map_err(bad)?;
    if !cents.is_positive() {
        return Err(bad(anyhow!("--amount must be more than zero, not {text}")));
    }
    Ok(Some(cents))
}

fn require_reason(who: &Who) -> Result<(), Failure> {
    match &who.reason {
        Some(reason) if !reason.trim().is_empty() => Ok(()),
        _ => Err(bad(anyhow!("say why with --reason; the audit trail keeps it"))),
    }
}

pub async fn payment(context: &Context, command: PaymentCommand) -> Outcome {
    match command {
        PaymentCommand::Link { administration, payment, invoice, amount: text, who } => {
            require_reason(&who)?;
            let (id, payment, invoice) = (
                administration_id(&administration)?,
                PaymentRef::new(payment).map_err(bad)?,
                InvoiceNumber::new(invoice).map_err(bad)?,
            );
            let amount = amount(text)?;
            let engine = settings::engine(context).await?;
            let result = engine.link_payment(&id, &payment, &invoice, amount, &who.metadata()).await;
            engine.shutdown().await;
            linked(context, result?);
        }
        PaymentCommand::Unlink(args) => unlink(context, args).await?,
    }
    Ok(())
}

pub async fn credit_note(context: &Context, command: CreditNoteCommand) -> Outcome {
    match command {
        CreditNoteCommand::Link { administration, credit_note, invoice, amount: text, who } => {
            require_reason(&who)?;
            let id = administration_id(&administration)?;
            let (credit_note, invoice) =
                (InvoiceNumber::new(credit_note).map_err(bad)?, InvoiceNumber::new(invoice).map_err(bad)?);
            let amount = amount(text)?;
            let engine = settings::engine(context).await?;
            let result = engine.link_credit_note(&id, &credit_note, &invoice, amount, &who.metadata()).await;
            engine.shutdown().await;
            linked(context, result?);
        }
        CreditNoteCommand::Unlink(args) => unlink(context, args).await?,
    }
    Ok(())
}

async fn unlink(context: &Context, args: UnlinkArgs) -> Outcome {
    let UnlinkArgs { administration, link, who } = args;
    require_reason(&who)?;
    let (id, link) = (administration_id(&administration)?, LinkId::parse(&link).map_err(bad)?);
    let engine = settings::engine(context).await?;
    let result = engine.unlink_document(&id, link, &who.metadata()).await;
    engine.shutdown().await;
    result?;
    if context.json {
        say!("{}", serde_json::json!({ "unlinked": link.to_string() }));
    } else {
        say!("unlinked {link}");
    }
    Ok(())
}

fn linked(context: &Context, link: LinkId) {
    if context.json {
        say!("{}", serde_json::json!({ "link_id": link.to_string() }));
    } else {
        say!("linked as {link}");
    }
}
