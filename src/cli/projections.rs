//! `vordering projections status|rebuild|run`: where each read model stands, blue/green rebuilds,
//! and the runner that keeps them up to date.

use std::time::Duration;

use clap::{Args, Subcommand};
use vordering::internals::projections::{self, Projection, RunnerOptions};

use super::{settings, Context, Failure, Outcome};

#[derive(Debug, Subcommand)]
pub enum ProjectionsCommand {
    /// Each projection's build, checkpoint and lag behind the log.
    Status,
    /// Build a new generation beside the live one with bulk writes, catch up, and swap it in.
    Rebuild {
        /// One projection (`receivables`, `import_log`, `audit_trail`, or a table name such as
        /// `invoice_list`); all when left out.
        #[arg(long)]
        name: Option<String>,
    },
    /// Keep the projections up to date (wakes on new events, polls as a fallback).
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Catch up once and exit instead of running until interrupted.
    #[arg(long)]
    once: bool,
    /// Events per transaction.
    #[arg(long, default_value_t = projections::DEFAULT_BATCH)]
    batch: i64,
    /// Hold every batch this long before committing (for crash tests).
    #[arg(long, hide = true)]
    hold_before_commit_ms: Option<u64>,
}

fn selected(name: Option<&str>) -> Result<Vec<Projection>, Failure> {
    match name {
        Some(name) => Ok(vec![Projection::parse(name).map_err(|e| Failure::BadInput(e.into()))?]),
        None => Ok(projections::ALL.to_vec()),
    }
}

pub async fn run(context: &Context, command: ProjectionsCommand) -> Outcome {
    if let ProjectionsCommand::Rebuild { name: Some(name) } = &command {
        selected(Some(name))?;
    }
    let engine = settings::engine(context).await?;
    let result = execute(context, engine.pool(), command).await;
    engine.shutdown().await;
    result
}

async fn execute(context: &Context, pool: &sqlx::PgPool, command: ProjectionsCommand) -> Outcome {
    match command {
        ProjectionsCommand::Status => {
            let status = projections::status(pool).await?;
            if context.json {
                say!("{}", serde_json::to_string(&status)?);
                return Ok(());
            }
            say!("{:<12} {:>4} {:>22} {:>10}  stale  tables", "projection", "gen", "position (tx/pos)", "lag");
            for s in status {
                let position = format!("{}/{}", s.position.tx, s.position.pos);
                let stale = if s.stale { "yes" } else { "no" };
                say!(
                    "{:<12} {:>4} {:>22} {:>10}  {:<5}  {}",
                    s.name,
                    s.generation,
                    position,
                    s.lag_events,
                    stale,
                    s.tables.join(", ")
                );
            }
        }
        ProjectionsCommand::Rebuild { name } => {
            for p in selected(name.as_deref())? {
                let report = projections::rebuild(pool, p).await?;
                if context.json {
                    say!("{}", serde_json::to_string(&report)?);
                } else {
                    say!(
                        "rebuilt {} as generation {} (replaced {}): {} events folded, {} rows written, {} caught up, {:.2} s",
                        report.name,
                        report.generation,
                        report.replaced.map_or("none".to_owned(), |g| g.to_string()),
                        report.events_folded,
                        report.rows_written,
                        report.caught_up_events,
                        report.total.as_secs_f64()
                    );
                }
            }
        }
        ProjectionsCommand::Run(args) => {
            let options = RunnerOptions {
                batch: args.batch,
                hold_before_commit: args.hold_before_commit_ms.map(Duration::from_millis),
                ..RunnerOptions::default()
            };
            if args.once {
                let folded = projections::catch_up(pool, &projections::ALL, &options).await?;
                say!("{folded} events folded");
            } else {
                let interrupted = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                projections::run(pool, &projections::ALL, &options, interrupted).await;
            }
        }
    }
    Ok(())
}
