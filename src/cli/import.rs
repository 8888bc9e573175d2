//! `vordering import` (run an import now, with progress) and `vordering import log`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::{Duration, NaiveDate, Utc};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use vordering::events::administration::ImportTrigger;
use vordering::internals::import::{ImportRequest, Progress};

use super::link::administration_id;
use super::{settings, Context, Failure, Outcome};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ImportArgs {
    #[command(subcommand)]
    log: Option<ImportLog>,
    /// The administration's id, as registered with `administration add`.
    #[arg(long)]
    administration: Option<String>,
    /// The SOAP endpoint (default: the `eboekhouden.endpoint` setting).
    #[arg(long)]
    endpoint: Option<String>,
    /// The business date of the run (default: today, UTC).
    #[arg(long)]
    date: Option<NaiveDate>,
    /// Who runs it (default: the login name).
    #[arg(long)]
    actor: Option<String>,
}

#[derive(Debug, Subcommand)]
enum ImportLog {
    /// The imports of the last month with their status and counts.
    Log {
        /// The administration's id, as registered with `administration add`.
        #[arg(long)]
        administration: String,
        /// How many days back (1 to 36500).
        #[arg(long, default_value_t = 31, value_parser = clap::value_parser!(u16).range(1..=36_500))]
        days: u16,
    },
}

pub async fn run(context: &Context, args: ImportArgs) -> Outcome {
    if let Some(ImportLog::Log { administration, days }) = args.log {
        return log(context, &administration, days).await;
    }
    let administration = args
        .administration
        .ok_or_else(|| Failure::BadInput(anyhow::anyhow!("name the administration with --administration")))?;
    let request = ImportRequest {
        administration: administration_id(&administration)?,
        trigger: ImportTrigger::Manual,
        today: args.date.unwrap_or_else(|| Utc::now().date_naive()),
        actor: args.actor.or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "cli".to_owned()),
    };
    let engine = settings::engine(context).await?;
    let progress = Bar::new();
    let result = engine.import(&request, args.endpoint.as_deref(), &progress).await;
    progress.done();
    engine.shutdown().await;
    let report = result?;
    if context.json {
        say!(
            "{}",
            serde_json::json!({ "import_id": report.import_id.to_string(), "counts": report.counts, "issues": report.issues })
        );
    } else {
        let c = report.counts;
        say!(
            "import {} completed: {} debtors added, {} updated; {} invoices added, {} corrected; {} credit notes; {} payments ({} links); {} open amounts adjusted; {} events; {} warnings, {} errors",
            report.import_id, c.debtors_added, c.debtors_updated, c.invoices_added, c.invoices_updated, c.credit_notes_added,
            c.payments_added, c.payments_linked, c.open_amounts_adjusted, c.events_written, c.warnings, c.errors
        );
        for issue in report.issues.iter().take(20) {
            say!("  {:?}: {} {}", issue.severity, issue.document, issue.message);
        }
    }
    Ok(())
}

async fn log(context: &Context, administration: &str, days: u16) -> Outcome {
    let id = administration_id(administration)?;
    let engine = settings::engine(context).await?;
    let log = engine.import_history(&id, Some(Utc::now() - Duration::days(i64::from(days)))).await;
    engine.shutdown().await;
    let log = log?;
    if context.json {
        say!("{}", serde_json::to_string(&log).map_err(|e| Failure::Failed(e.into()))?);
        return Ok(());
    }
    if log.is_empty() {
        say!("no imports of {id} in the last {days} days");
    }
    for entry in log {
        let detail = match (&entry.counts, &entry.error_kind, &entry.message) {
            (Some(c), _, _) => format!("{} events, {} warnings, {} errors", c.events_written, c.warnings, c.errors),
            (None, Some(kind), Some(message)) => format!("{kind}: {message}"),
            _ => String::new(),
        };
        say!(
            "{}  {:<9} {}  {}",
            entry.started_at.format("%Y-%m-%d %H:%M"),
            entry.status.as_str(),
            entry.import_id,
            detail
        );
    }
    Ok(())
}

/// A spinner with counts on a terminal; plain lines on stderr otherwise (logs, CI).
struct Bar {
    bar: Option<ProgressBar>,
    parsed: AtomicU64,
    written: AtomicU64,
    phase: Mutex<String>,
}

impl Bar {
    fn new() -> Bar {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Bar { bar, parsed: AtomicU64::new(0), written: AtomicU64::new(0), phase: Mutex::new(String::new()) }
    }

    fn show(&self) {
        let phase = self.phase.lock().map(|p| p.clone()).unwrap_or_default();
        let message = format!(
            "{phase}: {} records read, {} events written",
            self.parsed.load(Ordering::Relaxed),
            self.written.load(Ordering::Relaxed)
        );
        match &self.bar {
            Some(bar) => bar.set_message(message),
            None => eprintln!("import: {message}"),
        }
    }

    fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn phase(&self, name: &str) {
        if let Ok(mut phase) = self.phase.lock() {
            *phase = name.to_owned();
        }
        self.show();
    }

    fn parsed(&self, records: u64) {
        let total = self.parsed.fetch_add(records, Ordering::Relaxed) + records;
        // On a terminal every update; in a log one line per 50,000 records.
        if self.bar.is_some() || total / 50_000 != (total - records) / 50_000 {
            self.show();
        }
    }

    fn written(&self, events: u64) {
        self.written.fetch_add(events, Ordering::Relaxed);
        self.show();
    }
}
