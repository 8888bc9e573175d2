//! One import run: the lock, the import log events, reading the books in their order
//! (docs/ARCHITECTURE.md §3.1), the
//! diff, the writes, and what a failure means for the link.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Days, NaiveDate, Utc};
use log::LevelFilter;
use sqlx::{ConnectOptions, Connection, PgConnection};
use tokio::sync::mpsc;
use tracing::{info, instrument, warn};
use uuid::Uuid;

use super::apply::{add, decide_page, Writers};
use super::map::{Mapper, StagedRow};
use super::stage::{StageFeed, Staged, Stager, STAGE_PARTS};
use super::{diff, ImportContext, ImportError, ImportSettings, PgCallBudget, Progress};
use crate::domain::administration::AdministrationCommand;
use crate::domain::{AdministrationId, Cents, ImportId};
use crate::eboekhouden::parse::Record;
use crate::eboekhouden::records::Mutatie;
use crate::eboekhouden::{self, Client, FactuurFilter, MutatieSync, Records, RelatieFilter, SaldiFilter};
use crate::events::administration::{ImportCounts, ImportIssue, ImportTrigger, IssueSeverity};
use crate::events::Metadata;

/// What to import and on whose behalf.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    pub administration: AdministrationId,
    pub trigger: ImportTrigger,
    /// The business date of the run (payments are linked as of this day; the quota month).
    pub today: NaiveDate,
    pub actor: String,
}

/// What a completed import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    pub import_id: ImportId,
    pub counts: ImportCounts,
    pub issues: Vec<ImportIssue>,
}

/// A statement on the stage's connections slower than this is logged as a warning.
const STAGE_SLOW_STATEMENT: std::time::Duration = std::time::Duration::from_secs(60);

/// How often a debtor that another writer changed meanwhile is loaded and decided again.
const MAX_RETRIES: usize = 3;

/// Runs one import of `request.administration` with `client`, start to end.
#[instrument(skip_all, fields(administration = %request.administration))]
pub async fn run_import(
    context: ImportContext<'_>,
    client: &Client,
    request: &ImportRequest,
    settings: &ImportSettings,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    let admin = &request.administration;
    // Connections of their own, outside the pool: if the process dies their sessions end, and with
    // them the advisory lock and the staging tables. The lock has a connection to itself, so that
    // it is released explicitly however the run ends (a dropped connection releases it only once
    // the server notices, and an immediate rerun would find it still held).
    let mut lock = PgConnection::connect_with(&context.pool.connect_options()).await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
        .bind(lock_key(admin))
        .fetch_one(&mut lock)
        .await?;
    if !locked {
        return Err(ImportError::AlreadyRunning(admin.clone()));
    }
    let outcome = locked_run(context, client, request, settings, progress).await;
    let unlocked = sqlx::query("SELECT pg_advisory_unlock(hashtextextended($1, 0))")
        .bind(lock_key(admin))
        .execute(&mut lock)
        .await;
    if let Err(error) = unlocked {
        warn!(%error, "could not release the import lock; it goes with the connection");
    }
    if let Err(error) = lock.close().await {
        warn!(%error, "could not close the import lock's connection");
    }
    outcome
}

/// The run itself, under the administration's import lock.
async fn locked_run(
    context: ImportContext<'_>,
    client: &Client,
    request: &ImportRequest,
    settings: &ImportSettings,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    let admin = &request.administration;
    // The stage's connections run the diff, whose sort takes seconds on a large administration by
    // design: only a statement slower than `STAGE_SLOW_STATEMENT` is worth a warning there.
    let stage_options =
        (*context.pool.connect_options()).clone().log_slow_statements(LevelFilter::Warn, STAGE_SLOW_STATEMENT);
    let mut conns = Vec::new();
    for _ in 0..STAGE_PARTS {
        conns.push(PgConnection::connect_with(&stage_options).await?);
    }
    let import_id = ImportId::from_uuid(Uuid::now_v7());
    let metadata = Metadata::new(request.actor.clone(), format!("import:{import_id}"), Utc::now());
    let start = AdministrationCommand::StartImport { import_id, trigger: request.trigger };
    context.record(admin, start, &metadata).await?;
    let result = read_and_write(context, client, request, settings, progress, conns, &metadata).await;
    if let Err(error) = client.close_session().await {
        warn!(%error, "could not close the e-Boekhouden session");
    }
    finish(context, admin, import_id, &metadata, result).await
}

/// One import per administration at a time, across processes.
fn lock_key(administration: &AdministrationId) -> String {
    format!("vordering:import:{administration}")
}

/// Records how the run ended: `ImportCompleted`, or `ImportFailed` (and a broken link when the
/// package refused the codes).
async fn finish(
    context: ImportContext<'_>,
    admin: &AdministrationId,
    import_id: ImportId,
    metadata: &Metadata,
    result: Result<Tally, ImportError>,
) -> Result<ImportReport, ImportError> {
    let now = Utc::now();
    match result {
        Ok(Tally { counts, issues }) => {
            let command = AdministrationCommand::CompleteImport { import_id, counts, issues: issues.clone() };
            context.record(admin, command, &metadata.caused(now)).await?;
            info!(events = counts.events_written, "import completed");
            Ok(ImportReport { import_id, counts, issues })
        }
        Err(error) => {
            if let ImportError::Package(eboekhouden::Error::CredentialsRejected { code, .. }) = &error {
                let broken = AdministrationCommand::MarkLinkBroken { error_code: code.clone(), detected_at: now };
                context.record(admin, broken, &metadata.caused(now)).await?;
            }
            let failed = AdministrationCommand::FailImport {
                import_id,
                error_kind: error.kind().to_owned(),
                message: error.to_string(),
            };
            context.record(admin, failed, &metadata.caused(now)).await?;
            Err(error)
        }
    }
}

/// What a run counted and noticed.
struct Tally {
    counts: ImportCounts,
    issues: Vec<ImportIssue>,
}

async fn read_and_write(
    context: ImportContext<'_>,
    client: &Client,
    request: &ImportRequest,
    settings: &ImportSettings,
    progress: &dyn Progress,
    conns: Vec<PgConnection>,
    metadata: &Metadata,
) -> Result<Tally, ImportError> {
    let mapper =
        Mapper { administration: request.administration.clone(), default_term_days: settings.default_term_days };
    let mut issues = Vec::new();
    let started = std::time::Instant::now();
    let stager = Stager::start(conns).await?;
    let mutatie_cursor = read_books(context, client, request, settings, &mapper, &stager, &mut issues, progress).await;
    // The stage's connections come back (or their own error is the one to report) before a read
    // error is returned.
    let staged = stager.finish().await;
    let mutatie_cursor = mutatie_cursor?;
    let mut staged = staged?;
    info!(elapsed_ms = started.elapsed().as_millis(), "the books are read and staged");
    let mut counts = write_changes(&mut staged, context, settings, request, metadata, &mut issues, progress).await?;
    save_cursor(context, &request.administration, mutatie_cursor).await?;
    for conn in staged.conns {
        conn.close().await?;
    }
    counts.warnings = count(&issues, IssueSeverity::Warning);
    counts.errors = count(&issues, IssueSeverity::Error);
    Ok(Tally { counts, issues })
}

fn count(issues: &[ImportIssue], severity: IssueSeverity) -> u64 {
    crate::convert::u64_of(issues.iter().filter(|i| i.severity == severity).count())
}

/// `seq` of the first mutation and of the first invoice staged: the relations are numbered from 0,
/// the mutations above them and the invoices and open items above those, so the stage holds the
/// order of reading the books one call after the other (docs/ARCHITECTURE.md §3.1) whichever reader reads them.
const MUTATIONS_SEQ_BASE: i64 = 10_000_000_000;
const LEDGER_SEQ_BASE: i64 = 100_000_000_000;

/// Reads the books into the stage; returns the new mutation cursor. Two readers run side by side:
/// the journal (the mutations) and the ledger (relations, invoices, then open items and the check
/// against GetSaldi). The mutations are many small calls, each waiting for the service, so the
/// other reader's large responses are parsed and staged meanwhile; with the relations the ledger
/// takes as long as the mutations (the reading times: docs/perf/RESULTS.md, "Relations on the
/// ledger reader"). Numbered from their own bases, the rows keep the order of reading
/// for the diff.
#[allow(clippy::too_many_arguments, reason = "one call site; the arguments are the run's context")]
async fn read_books(
    context: ImportContext<'_>,
    client: &Client,
    request: &ImportRequest,
    settings: &ImportSettings,
    mapper: &Mapper,
    stager: &Stager,
    issues: &mut Vec<ImportIssue>,
    progress: &dyn Progress,
) -> Result<i64, ImportError> {
    progress.phase("reading the books");
    // When one reader fails, the other stops at its next record or window (the error is the first
    // reader's); the journal still gives back the GetMutaties calls it took and did not make.
    let halt = AtomicBool::new(false);
    let halting = |error: ImportError| {
        halt.store(true, Ordering::Relaxed);
        error
    };
    let journal = async {
        let mut feed = stager.feed(MUTATIONS_SEQ_BASE);
        let mut issues = Vec::new();
        let started = std::time::Instant::now();
        let cursor = read_journal(context, client, request, settings, mapper, &mut feed, &mut issues, progress, &halt)
            .await
            .map_err(halting)?;
        feed.finish().await;
        info!(elapsed_ms = started.elapsed().as_millis(), "mutations read");
        Ok::<_, ImportError>((cursor, issues))
    };
    let ledger = async {
        let mut issues = Vec::new();
        let started = std::time::Instant::now();
        let (mut relations, mut feed) = (stager.feed(0), stager.feed(LEDGER_SEQ_BASE));
        read_ledger(client, mapper, &mut relations, &mut feed, &mut issues, progress, &halt).await.map_err(halting)?;
        relations.finish().await;
        feed.finish().await;
        info!(elapsed_ms = started.elapsed().as_millis(), "relations, invoices and open items read");
        Ok::<_, ImportError>(issues)
    };
    let (journal, ledger) = tokio::join!(journal, ledger);
    let ((cursor, journal_issues), ledger_issues) = (journal?, ledger?);
    issues.extend(journal_issues);
    issues.extend(ledger_issues);
    Ok(cursor)
}

/// The mutations since the cursor (or from the first import's start date).
#[allow(clippy::too_many_arguments, reason = "one call site; the arguments are the run's context")]
async fn read_journal(
    context: ImportContext<'_>,
    client: &Client,
    request: &ImportRequest,
    settings: &ImportSettings,
    mapper: &Mapper,
    feed: &mut StageFeed,
    issues: &mut Vec<ImportIssue>,
    progress: &dyn Progress,
    halt: &AtomicBool,
) -> Result<i64, ImportError> {
    let admin = request.administration.as_str();
    let cursor: Option<i64> = sqlx::query_scalar("SELECT mutatie_nr FROM import_cursor WHERE administration = $1")
        .bind(admin)
        .fetch_optional(context.pool)
        .await?;
    let from = match cursor {
        Some(_) => NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or_default(),
        None => {
            request.today.checked_sub_days(Days::new(u64::from(settings.first_import_days))).unwrap_or(request.today)
        }
    };
    let budget = PgCallBudget::new(context.pool.clone(), admin, settings.monthly_call_limit);
    let sync = MutatieSync::new(client, &budget, request.today, cursor.unwrap_or(0), from);
    let read = read_mutations(sync, mapper, feed, issues, progress, halt).await;
    if let Err(error) = budget.give_back_unused().await {
        warn!(%error, "could not give back the GetMutaties calls taken and not made");
    }
    read
}

/// Relations, invoices, then open items, then Σ open items against the receivables ledger.
async fn read_ledger(
    client: &Client,
    mapper: &Mapper,
    relations_feed: &mut StageFeed,
    feed: &mut StageFeed,
    issues: &mut Vec<ImportIssue>,
    progress: &dyn Progress,
    halt: &AtomicBool,
) -> Result<(), ImportError> {
    let halted = || halt.load(Ordering::Relaxed);
    let mut relations = client.get_relaties(&RelatieFilter::default()).await?;
    while let Some(relation) = next(&mut relations, issues).await? {
        if halted() {
            return Ok(());
        }
        stage(relations_feed, mapper.relation(&relation), issues).await?;
        progress.parsed(1);
    }
    let mut invoices = client.get_facturen(&FactuurFilter::default()).await?;
    while let Some(invoice) = next(&mut invoices, issues).await? {
        if halted() {
            return Ok(());
        }
        stage(feed, mapper.invoice(&invoice), issues).await?;
        progress.parsed(1);
    }
    // `None` once the sum passes what cents can hold: then there is nothing to compare.
    let mut open_total = Some(Cents::ZERO);
    let mut open_items = client.get_open_posten().await?;
    while let Some(item) = next(&mut open_items, issues).await? {
        if halted() {
            return Ok(());
        }
        open_total = open_total.and_then(|total| total.checked_add(item.openstaand).ok());
        stage(feed, mapper.open_item(&item), issues).await?;
        progress.parsed(1);
    }
    compare_with_ledger(client, open_total, issues).await?;
    Ok(())
}

/// Reads the mutations window by window and stages them; returns the new cursor. The next window
/// is asked for (and parsed, on the parser's thread) while this one is staged: the windows are
/// small, so one after the other the two would each wait for the other once per call.
async fn read_mutations(
    mut sync: MutatieSync<'_>,
    mapper: &Mapper,
    feed: &mut StageFeed,
    issues: &mut Vec<ImportIssue>,
    progress: &dyn Progress,
    halt: &AtomicBool,
) -> Result<i64, ImportError> {
    let (batches, mut received) = mpsc::channel::<Vec<Mutatie>>(1);
    let fetching = async {
        let outcome = loop {
            if halt.load(Ordering::Relaxed) {
                break Ok(());
            }
            match sync.next_batch().await {
                Ok(Some(batch)) => {
                    if batches.send(batch).await.is_err() {
                        break Ok(());
                    }
                }
                Ok(None) => break Ok(()),
                Err(error) => break Err(error),
            }
        };
        sync.settle().await;
        drop(batches);
        outcome
    };
    let staging = async {
        while let Some(batch) = received.recv().await {
            for mutation in &batch {
                stage(feed, mapper.mutation(mutation), issues).await?;
            }
            progress.parsed(crate::convert::u64_of(batch.len()));
        }
        Ok::<(), sqlx::Error>(())
    };
    let (fetched, staged) = tokio::join!(fetching, staging);
    staged?;
    match fetched {
        Ok(()) => {}
        Err(error @ (eboekhouden::Error::QuotaExceeded { .. } | eboekhouden::Error::BudgetExhausted { .. })) => {
            // The rest of the books is still read; payments not seen show up as open-amount changes.
            issues.push(ImportIssue {
                severity: IssueSeverity::Warning,
                document: String::new(),
                message: error.to_string(),
            });
        }
        Err(error) => return Err(error.into()),
    }
    for spoiled in sync.take_spoiled() {
        issues.push(ImportIssue {
            severity: IssueSeverity::Error,
            document: String::new(),
            message: spoiled.to_string(),
        });
    }
    Ok(sync.cursor())
}

/// The next record; a record with a bad field becomes an error in the import log and the rest
/// of the response is still read.
async fn next<T: Record>(
    records: &mut Records<T>,
    issues: &mut Vec<ImportIssue>,
) -> Result<Option<T>, eboekhouden::Error> {
    loop {
        match records.next().await {
            Err(error) if error.is_record_error() => {
                issues.push(ImportIssue {
                    severity: IssueSeverity::Error,
                    document: String::new(),
                    message: error.to_string(),
                });
            }
            other => return other,
        }
    }
}

async fn stage(
    feed: &mut StageFeed,
    mapped: Result<Vec<StagedRow>, ImportIssue>,
    issues: &mut Vec<ImportIssue>,
) -> Result<(), sqlx::Error> {
    match mapped {
        Ok(rows) => {
            for row in rows {
                feed.push(row).await?;
            }
        }
        Err(issue) => issues.push(issue),
    }
    Ok(())
}

/// Σ open items against the receivables ledger (`DEB`) of GetSaldi; a difference is a warning,
/// and so is a sum too large to compare.
async fn compare_with_ledger(
    client: &Client,
    open_total: Option<Cents>,
    issues: &mut Vec<ImportIssue>,
) -> Result<(), eboekhouden::Error> {
    let filter = SaldiFilter::categorie("DEB");
    let mut saldi = client.get_saldi(&filter).await?;
    let mut ledger = Some(Cents::ZERO);
    while let Some(saldo) = saldi.next().await? {
        ledger = ledger.and_then(|sum| sum.checked_add(saldo.saldo).ok());
    }
    let message = match (open_total, ledger) {
        (Some(open_total), Some(ledger)) if ledger == open_total => return Ok(()),
        (Some(open_total), Some(ledger)) => match ledger.checked_sub(open_total) {
            Ok(difference) => format!(
                "the open items add up to {open_total}, the receivables ledger says {ledger} (difference {difference})"
            ),
            Err(_) => format!("the open items add up to {open_total}, the receivables ledger says {ledger}"),
        },
        _ => "the open items or the receivables ledger add up to more than can be counted; they were not compared"
            .to_owned(),
    };
    issues.push(ImportIssue { severity: IssueSeverity::Warning, document: String::new(), message });
    Ok(())
}

async fn write_changes(
    staged: &mut Staged,
    context: ImportContext<'_>,
    settings: &ImportSettings,
    request: &ImportRequest,
    metadata: &Metadata,
    issues: &mut Vec<ImportIssue>,
    progress: &dyn Progress,
) -> Result<ImportCounts, ImportError> {
    progress.phase("comparing");
    let started = std::time::Instant::now();
    let admin = &request.administration;
    let conns = staged.conns.as_mut_slice();
    let mut changes = diff::changed(conns, admin, staged.payments_without_debtor).await?;
    info!(elapsed_ms = started.elapsed().as_millis(), "the changes are known");
    for key in &changes.orphans {
        issues.push(ImportIssue {
            severity: IssueSeverity::Error,
            document: key.name(),
            message: "no relation is known for this payment".to_owned(),
        });
    }
    let unlisted = changes.orphan_count.saturating_sub(changes.orphans.len() as u64);
    if unlisted > 0 {
        issues.push(ImportIssue {
            severity: IssueSeverity::Error,
            document: String::new(),
            message: format!("no relation is known for {unlisted} more payments"),
        });
    }
    progress.phase("writing");
    let started = std::time::Instant::now();
    let mut retry = Vec::new();
    let mut counts = ImportCounts::default();
    for attempt in 0..=MAX_RETRIES {
        let (mut writers, written) = Writers::spawn(context.pool, settings.writers);
        let decided = async {
            if attempt == 0 {
                loop {
                    let rows = changes.next_page(conns, settings.debtors_per_page).await?;
                    if rows.is_empty() {
                        break;
                    }
                    decide_page(&mut conns[0], rows, admin, request.today, metadata, &mut writers).await?;
                    progress.parsed(0);
                }
            } else {
                let rows = changes.rows_of(conns, &retry).await?;
                decide_page(&mut conns[0], rows, admin, request.today, metadata, &mut writers).await?;
            }
            drop(writers);
            Ok::<(), ImportError>(())
        }
        .await;
        let written = written.await.map_err(ImportError::Join)??;
        decided?;
        add(&mut counts, &written.counts);
        progress.written(written.counts.events_written);
        issues.extend(written.issues);
        retry = written.conflicted;
        if retry.is_empty() {
            break;
        }
    }
    let changed = changes.read;
    changes.finish(conns).await?;
    for code in retry {
        issues.push(ImportIssue {
            severity: IssueSeverity::Error,
            document: format!("debtor {code}"),
            message: "kept changing during the import; run it again".to_owned(),
        });
    }
    info!(changed, events = counts.events_written, elapsed_ms = started.elapsed().as_millis(), "changes written");
    Ok(counts)
}

async fn save_cursor(context: ImportContext<'_>, admin: &AdministrationId, cursor: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO import_cursor (administration, mutatie_nr) VALUES ($1, $2) \
         ON CONFLICT (administration) DO UPDATE SET mutatie_nr = GREATEST(import_cursor.mutatie_nr, $2), updated_at = now()",
    )
    .bind(admin.as_str())
    .bind(cursor)
    .execute(context.pool)
    .await?;
    Ok(())
}
