//! `vordering audit replay|verify`: fold an administration's or one debtor's history with the write
//! side's `apply` and show every link decision with the figures before and after; recompute the
//! balances from the events and compare them with the dashboard projection.

use anyhow::anyhow;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use vordering::domain::{AdministrationId, DebtorCode};
use vordering::engine::ReplayQuery;
use vordering::internals::audit::{InvoiceChange, InvoiceFigures, ReplayEntry, Until};

use super::{settings, Context, Failure, Outcome};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Replay the history and print each decision with the state before and after.
    Replay(ReplayArgs),
    /// Recompute balances from the events and compare them with the dashboard projection.
    Verify {
        /// The administration's id, as registered with `administration add`.
        #[arg(long)]
        administration: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Only {
    /// Links and unlinks of the administration, of payments and of credit notes.
    Links,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The administration's id, as registered with `administration add`.
    #[arg(long)]
    administration: String,
    /// One debtor's account only.
    #[arg(long)]
    debtor: Option<String>,
    /// Stop at events recorded after this time (RFC 3339).
    #[arg(long, conflicts_with = "until_position")]
    as_of: Option<DateTime<Utc>>,
    /// Stop after this global position.
    #[arg(long)]
    until_position: Option<i64>,
    #[arg(long, value_enum)]
    only: Option<Only>,
}

fn bad(error: impl std::fmt::Display) -> Failure {
    Failure::BadInput(anyhow!("{error}"))
}

pub async fn run(context: &Context, command: AuditCommand) -> Outcome {
    match command {
        AuditCommand::Replay(args) => replay(context, args).await,
        AuditCommand::Verify { administration } => {
            let administration = AdministrationId::new(&administration).map_err(bad)?;
            let engine = settings::engine(context).await?;
            let report = engine.audit_verify(&administration).await;
            engine.shutdown().await;
            let report = report?;
            if context.json {
                say!("{}", serde_json::to_string(&report)?);
            } else {
                say!(
                    "verified {} accounts, {} invoices up to position {}",
                    report.accounts,
                    report.invoices,
                    report.position.pos
                );
                for d in &report.differences {
                    let show = |c: Option<vordering::domain::Cents>| c.map_or("missing".to_owned(), |c| c.to_string());
                    let invoice = d.invoice_number.as_deref().unwrap_or("(account)");
                    say!(
                        "  DIFFERENT {} {invoice} {}: events {} projection {}",
                        d.aggregate_id,
                        d.figure,
                        show(d.from_events),
                        show(d.in_projection)
                    );
                }
            }
            if report.differences.is_empty() {
                Ok(())
            } else {
                Err(Failure::Failed(anyhow!(
                    "{} differences between the events and the projection",
                    report.differences.len()
                )))
            }
        }
    }
}

async fn replay(context: &Context, args: ReplayArgs) -> Outcome {
    let administration = AdministrationId::new(&args.administration).map_err(bad)?;
    let debtor = args.debtor.as_deref().map(DebtorCode::new).transpose().map_err(bad)?;
    let until = match (args.as_of, args.until_position) {
        (Some(time), _) => Until::AsOf(time),
        (None, Some(position)) => Until::Position(position),
        (None, None) => Until::End,
    };
    let query = ReplayQuery { administration, debtor, until, only_links: args.only == Some(Only::Links) };
    let engine = settings::engine(context).await?;
    let report = engine.audit_replay(&query).await;
    engine.shutdown().await;
    let report = report?;
    if context.json {
        say!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    for entry in &report.entries {
        print_entry(entry);
    }
    say!(
        "{} events folded, {} entries shown, {} of unknown types skipped",
        report.events_folded,
        report.entries.len(),
        report.skipped
    );
    Ok(())
}

/// A field as the listing shows it: `-` where it is absent.
fn text(field: &Option<impl std::fmt::Display>) -> String {
    field.as_ref().map_or_else(|| "-".to_owned(), ToString::to_string)
}

fn print_entry(e: &ReplayEntry) {
    say!(
        "@{} {} {}#{} {} by {} (reason: {}; command {}; correlation {}; source {})",
        e.global_position,
        e.recorded_at.format("%Y-%m-%d %H:%M:%S%.3f"),
        e.aggregate_id,
        e.sequence,
        e.event_type,
        text(&e.actor),
        text(&e.reason),
        text(&e.command_id),
        text(&e.correlation_id),
        text(&e.source)
    );
    if let Some(link) = &e.link {
        let cents = |c: Option<vordering::domain::Cents>| c.map_or("-".to_owned(), |c| c.to_string());
        say!(
            "    link {}: {} -> {}; principal {} costs {} interest {}; {}",
            link.link_id.map_or("-".to_owned(), |id| id.to_string()),
            text(&link.document),
            text(&link.invoice_number),
            cents(link.principal),
            cents(link.costs),
            cents(link.interest),
            text(&link.reason)
        );
    }
    for change in &e.invoices {
        say!("    {}", describe(change));
    }
}

fn describe(change: &InvoiceChange) -> String {
    let show = |f: &Option<InvoiceFigures>| match f {
        Some(f) => format!(
            "open {} costs {} interest {} allocations [{}]",
            f.open_principal,
            f.costs,
            f.interest,
            f.allocations.iter().map(|a| format!("{} {}", a.source, a.principal)).collect::<Vec<_>>().join(", ")
        ),
        None => "(none)".to_owned(),
    };
    format!("{}: before {} | after {}", change.invoice_number, show(&change.before), show(&change.after))
}
