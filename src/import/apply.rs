//! Deciding the changed documents, debtor by debtor, with the same pure `decide` a single command
//! uses, and writing the events with their `import_document` rows in one transaction per batch.
//! Deciding and writing overlap: writers on pooled connections of their own take the batches in
//! turn, each behind a channel of one batch, so the database ingests on more than one backend
//! while the decider keeps its own core busy (two writers shorten the write phase:
//! docs/perf/RESULTS.md, "Two writers").

use chrono::{NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::diff::ChangedRow;
use super::map::StagedDocument;
use super::ImportError;
use crate::domain::debtor_account::{decide, DebtorAccount, DebtorAccountCommand as C, DocumentKey, LocalDocumentKey};
use crate::domain::{AccountId, AdministrationId};
use crate::events::administration::{ImportCounts, ImportIssue, IssueSeverity};
use crate::events::debtor_account::DebtorAccountEvent as E;
use crate::events::Metadata;
use crate::store::copy_text::escape_into;
use crate::store::{self, PendingAppend, PreparedBatch, MAX_BATCH_EVENTS};

/// Link ids of automatic links derive from this namespace and the document key, so that deciding
/// the same document again (a rerun after a crash) makes the same ids.
const LINK_NAMESPACE: Uuid = Uuid::from_u128(0x6f1d_3b7a_52c4_4e0b_9a51_c8d2_77e4_1a05);
/// Events per batch. The store takes up to `MAX_BATCH_EVENTS`, but every batch in flight is held
/// serialized (five are in flight): with two writers, half-size batches keep the import's peak
/// RSS where one writer with full batches had it, and full ones raised it well above that; the
/// COPY text held in pieces lowered it again (the figures: docs/perf/RESULTS.md, "Half-size import
/// batches").
const EVENTS_PER_BATCH: usize = MAX_BATCH_EVENTS / 2;
/// Batches decided ahead of each writer.
const BATCHES_IN_FLIGHT: usize = 1;

/// A document as `import_document` records it.
#[derive(Debug)]
struct Document {
    key: String,
    content_hash: String,
    precedence: i16,
    /// The account an earlier version is stored under: its row is updated (or moved), not inserted.
    stored_in: Option<String>,
}

/// `import_document` rows as the arrays one statement takes.
#[derive(Debug, Default)]
struct DocumentRows {
    keys: Vec<String>,
    hashes: Vec<String>,
    precedences: Vec<i16>,
    aggregates: Vec<String>,
}

impl DocumentRows {
    /// Inserts documents imported for the first time, with COPY: they are most of a first import's
    /// rows, and COPY spends less of the database's time on each than `INSERT … FROM UNNEST`.
    async fn insert(&self, tx: &mut PgConnection) -> Result<(), sqlx::Error> {
        if self.keys.is_empty() {
            return Ok(());
        }
        let mut text = String::with_capacity(self.keys.len() * 96);
        let mut number = itoa::Buffer::new();
        for (((key, hash), precedence), aggregate) in
            self.keys.iter().zip(&self.hashes).zip(&self.precedences).zip(&self.aggregates)
        {
            for field in [key.as_str(), hash, number.format(*precedence), aggregate] {
                escape_into(&mut text, field);
                text.push('\t');
            }
            text.pop();
            text.push('\n');
        }
        let mut copy = tx
            .copy_in_raw("COPY import_document (key, content_hash, source, aggregate_id) FROM STDIN WITH (FORMAT text)")
            .await?;
        copy.send(text.as_bytes()).await?;
        copy.finish().await?;
        Ok(())
    }

    /// Inserts or updates documents imported before.
    async fn upsert(&self, tx: &mut PgConnection) -> Result<(), sqlx::Error> {
        if self.keys.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO import_document (key, content_hash, source, aggregate_id) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::int2[], $4::text[]) \
             ON CONFLICT (aggregate_id, key) DO UPDATE SET content_hash = EXCLUDED.content_hash, \
             source = EXCLUDED.source, imported_at = now()",
        )
        .bind(&self.keys)
        .bind(&self.hashes)
        .bind(&self.precedences)
        .bind(&self.aggregates)
        .execute(tx)
        .await?;
        Ok(())
    }

    /// Deletes the rows of these (account, key) pairs.
    async fn forget(&self, tx: &mut PgConnection) -> Result<(), sqlx::Error> {
        if self.keys.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "DELETE FROM import_document d USING UNNEST($1::text[], $2::text[]) AS m(a, k) \
             WHERE d.aggregate_id = m.a AND d.key = m.k",
        )
        .bind(&self.aggregates)
        .bind(&self.keys)
        .execute(tx)
        .await?;
        Ok(())
    }
}

/// A debtor's decided events, the documents they came from, and what they count for the log.
#[derive(Debug)]
pub struct Decided {
    aggregate_id: String,
    after_sequence: u64,
    events: Vec<E>,
    documents: Vec<Document>,
    counts: ImportCounts,
    issues: Vec<ImportIssue>,
}

/// What the writer committed, and the debtors another writer got to first.
#[derive(Debug, Default)]
pub struct Written {
    pub counts: ImportCounts,
    pub issues: Vec<ImportIssue>,
    pub conflicted: Vec<String>,
}

impl Written {
    fn absorb(&mut self, other: Written) {
        add(&mut self.counts, &other.counts);
        self.issues.extend(other.issues);
        self.conflicted.extend(other.conflicted);
    }
}

/// A decided batch, its events already serialized so the writer only talks to the database.
#[derive(Debug)]
pub struct Prepared {
    events: PreparedBatch,
    decided: Vec<Decided>,
}

impl Prepared {
    fn new(mut batch: Vec<Decided>, metadata: &Metadata) -> Result<Prepared, ImportError> {
        let now = Utc::now();
        let appends: Vec<PendingAppend<DebtorAccount>> = batch
            .iter_mut()
            .map(|decided| PendingAppend {
                aggregate_id: decided.aggregate_id.clone(),
                after_sequence: decided.after_sequence,
                events: std::mem::take(&mut decided.events),
                metadata: metadata.caused(now),
            })
            .collect();
        Ok(Prepared { events: PreparedBatch::new(&appends)?, decided: batch })
    }
}

/// The writers of one pass: batches go to them in turn, except the parts of a debtor too large for
/// one batch, which all go to one writer so that they commit in order.
pub struct Writers {
    senders: Vec<mpsc::Sender<Prepared>>,
    next: usize,
}

impl Writers {
    /// Starts `count` writers (at least one); drop the returned `Writers` when every batch is sent,
    /// then await the handle for what they wrote together.
    pub fn spawn(pool: &PgPool, count: usize) -> (Writers, tokio::task::JoinHandle<Result<Written, ImportError>>) {
        let (senders, tasks): (Vec<_>, Vec<_>) = (0..count.max(1))
            .map(|_| {
                let (sender, mut receiver) = mpsc::channel::<Prepared>(BATCHES_IN_FLIGHT);
                let pool = pool.clone();
                let task = tokio::spawn(async move {
                    let mut conn = pool.acquire().await?;
                    let mut written = Written::default();
                    while let Some(batch) = receiver.recv().await {
                        write(&mut conn, batch, &mut written).await?;
                    }
                    Ok::<_, ImportError>(written)
                });
                (sender, task)
            })
            .collect();
        let joined = tokio::spawn(async move {
            let mut all = Written::default();
            for task in tasks {
                all.absorb(task.await.map_err(ImportError::Join)??);
            }
            Ok(all)
        });
        (Writers { senders, next: 0 }, joined)
    }

    /// The writer the next batch goes to; `send_to` it to keep batches in order.
    fn pick(&mut self) -> usize {
        self.next = (self.next + 1) % self.senders.len();
        self.next
    }

    /// Sends `batch` to the next writer.
    async fn send(&mut self, batch: Prepared) -> Result<(), ImportError> {
        let writer = self.pick();
        self.send_to(writer, batch).await
    }

    async fn send_to(&self, writer: usize, batch: Prepared) -> Result<(), ImportError> {
        self.senders[writer].send(batch).await.map_err(|_| ImportError::WriterStopped)
    }
}

/// Decides one page of changed rows and hands the batches to the writers.
pub async fn decide_page(
    conn: &mut PgConnection,
    rows: Vec<ChangedRow>,
    administration: &AdministrationId,
    today: NaiveDate,
    metadata: &Metadata,
    writers: &mut Writers,
) -> Result<(), ImportError> {
    let mut by_debtor: Vec<(String, Vec<ChangedRow>)> = Vec::new();
    for row in rows {
        match by_debtor.last_mut() {
            Some((code, rows)) if *code == row.debtor_code => rows.push(row),
            _ => by_debtor.push((row.debtor_code.clone(), vec![row])),
        }
    }
    let ids: Vec<String> = by_debtor.iter().map(|(code, _)| AccountId::text_of(administration, code)).collect();
    let mut loaded = store::load_many::<DebtorAccount>(&mut *conn, &ids).await?;
    let mut batch: Vec<Decided> = Vec::new();
    let mut batch_events = 0;
    let prepare = |batch: Vec<Decided>| Prepared::new(batch, metadata);
    for ((_, rows), id) in by_debtor.into_iter().zip(ids) {
        let entry = loaded.remove(&id).unwrap_or_default();
        let mut decided = decide_debtor(administration, id, entry.state, entry.last_sequence, rows, today);
        if batch_events + decided.events.len() > EVENTS_PER_BATCH && !batch.is_empty() {
            writers.send(prepare(std::mem::take(&mut batch))?).await?;
            batch_events = 0;
        }
        // A debtor with more events than a batch holds goes in batches of its own, all to one
        // writer, in order; its documents are recorded with its last part (a rerun in between
        // finds the events and adds none).
        if decided.events.len() > EVENTS_PER_BATCH {
            let writer = writers.pick();
            while decided.events.len() > EVENTS_PER_BATCH {
                let rest = decided.events.split_off(EVENTS_PER_BATCH);
                let head = Decided {
                    aggregate_id: decided.aggregate_id.clone(),
                    after_sequence: decided.after_sequence,
                    events: std::mem::replace(&mut decided.events, rest),
                    documents: vec![],
                    counts: ImportCounts::default(),
                    issues: vec![],
                };
                decided.after_sequence += crate::convert::u64_of(EVENTS_PER_BATCH);
                writers.send_to(writer, prepare(vec![head])?).await?;
            }
            writers.send_to(writer, prepare(vec![decided])?).await?;
            continue;
        }
        batch_events += decided.events.len();
        batch.push(decided);
    }
    if !batch.is_empty() {
        writers.send(prepare(batch)?).await?;
    }
    Ok(())
}

fn decide_debtor(
    administration: &AdministrationId,
    aggregate_id: String,
    mut state: DebtorAccount,
    after_sequence: u64,
    rows: Vec<ChangedRow>,
    today: NaiveDate,
) -> Decided {
    let mut decided = Decided {
        aggregate_id,
        after_sequence,
        events: Vec::new(),
        documents: Vec::new(),
        counts: ImportCounts::default(),
        issues: Vec::new(),
    };
    for row in rows {
        let command = match command(&row, administration, today) {
            Ok(command) => command,
            Err(message) => {
                decided.issues.push(problem(IssueSeverity::Error, &row.key, message));
                continue;
            }
        };
        match decide(&state, command) {
            Ok(events) => {
                for event in events {
                    count(&mut decided.counts, &event);
                    state.apply(event.clone());
                    decided.events.push(event);
                }
            }
            // Recorded as imported all the same: the same document would be refused the same way
            // on every run; when the books change it, its new hash brings it back.
            Err(error) => decided.issues.push(problem(IssueSeverity::Warning, &row.key, error.to_string())),
        }
        decided.documents.push(Document {
            key: row.key.into(),
            content_hash: row.content_hash,
            precedence: row.precedence,
            stored_in: row.stored_in,
        });
    }
    decided
}

fn command(row: &ChangedRow, administration: &AdministrationId, today: NaiveDate) -> Result<C, String> {
    let document = row.staged_document()?;
    let key = || row.key.in_administration(administration).map_err(|e| e.to_string());
    let link_id_seed = |key: &DocumentKey| Uuid::new_v5(&LINK_NAMESPACE, key.as_str().as_bytes());
    Ok(match document {
        StagedDocument::Debtor(debtor) => C::ImportDebtor { key: key()?, debtor },
        StagedDocument::Invoice(invoice) => {
            let key = key()?;
            C::ImportInvoice { link_id_seed: link_id_seed(&key), key, invoice }
        }
        StagedDocument::Payment(payment) => {
            let key = key()?;
            C::ReceivePayment { link_id_seed: link_id_seed(&key), key, payment, today }
        }
        StagedDocument::OpenAmount { invoice_number, books_open } => {
            C::ReconcileOpenAmount { invoice_number, books_open }
        }
    })
}

fn problem(severity: IssueSeverity, key: &LocalDocumentKey, message: String) -> ImportIssue {
    ImportIssue { severity, document: key.name(), message }
}

fn count(counts: &mut ImportCounts, event: &E) {
    let counter = match event {
        E::DebtorImported { .. } => &mut counts.debtors_added,
        E::DebtorUpdated { .. } => &mut counts.debtors_updated,
        E::InvoiceImported { .. } => &mut counts.invoices_added,
        E::InvoiceCorrected { .. } => &mut counts.invoices_updated,
        E::CreditNoteImported { .. } => &mut counts.credit_notes_added,
        E::PaymentReceived { .. } => &mut counts.payments_added,
        E::PaymentLinked { .. } => &mut counts.payments_linked,
        E::OpenAmountAdjusted { .. } => &mut counts.open_amounts_adjusted,
        _ => return,
    };
    *counter += 1;
}

/// Adds the document counts and events written of `part` to `total`.
pub(super) fn add(total: &mut ImportCounts, part: &ImportCounts) {
    total.events_written += part.events_written;
    total.debtors_added += part.debtors_added;
    total.debtors_updated += part.debtors_updated;
    total.invoices_added += part.invoices_added;
    total.invoices_updated += part.invoices_updated;
    total.credit_notes_added += part.credit_notes_added;
    total.payments_added += part.payments_added;
    total.payments_linked += part.payments_linked;
    total.open_amounts_adjusted += part.open_amounts_adjusted;
}

/// One transaction: the events (bulk path) and, for every aggregate written, its documents.
async fn write(conn: &mut PgConnection, batch: Prepared, written: &mut Written) -> Result<(), ImportError> {
    let code = |id: &str| AccountId::split(id).map_or(id, |(_, code)| code).to_owned();
    // A later part of a split debtor whose earlier part conflicted would leave a gap in its
    // stream: it waits for the retry with the rest of that debtor.
    if let [only] = batch.decided.as_slice() {
        if written.conflicted.contains(&code(&only.aggregate_id)) {
            return Ok(());
        }
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    // The import's batches commit without waiting for their WAL to reach the disk. A crash may lose
    // the last ones, events and documents together, and the rerun imports them again; anything
    // that commits after them (the import's end, a projection that read them) waits for the WAL up
    // to its own commit, theirs included, so nothing durable ever rests on a lost batch.
    sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut *tx).await?;
    let report = store::append_prepared(&mut tx, &batch.events).await?;
    let conflicted: Vec<String> = report.conflicts.iter().map(|c| c.aggregate_id.clone()).collect();
    // Documents imported for the first time are inserted; only a changed one pays for the upsert.
    // One that the books now give another debtor leaves its old account's row.
    let (mut new, mut changed) = (DocumentRows::default(), DocumentRows::default());
    let mut moved = DocumentRows::default();
    let mut counts = ImportCounts { events_written: report.events_written, ..ImportCounts::default() };
    let mut issues = Vec::new();
    for decided in batch.decided.into_iter().filter(|d| !conflicted.contains(&d.aggregate_id)) {
        add(&mut counts, &ImportCounts { events_written: 0, ..decided.counts });
        issues.extend(decided.issues);
        for document in decided.documents {
            let rows = match document.stored_in {
                None => &mut new,
                Some(stored_in) => {
                    if stored_in != decided.aggregate_id {
                        moved.keys.push(document.key.clone());
                        moved.aggregates.push(stored_in);
                    }
                    &mut changed
                }
            };
            rows.keys.push(document.key);
            rows.hashes.push(document.content_hash);
            rows.precedences.push(document.precedence);
            rows.aggregates.push(decided.aggregate_id.clone());
        }
    }
    new.insert(&mut tx).await?;
    changed.upsert(&mut tx).await?;
    moved.forget(&mut tx).await?;
    tx.commit().await?;
    written.absorb(Written { counts, issues, conflicted: conflicted.iter().map(|id| code(id)).collect() });
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use sqlx::PgPool;

    use super::{write, Decided, Document, Prepared, Written};
    use crate::events::administration::ImportCounts;
    use crate::events::Metadata;

    fn document(number: &str, hash: &str, stored_in: Option<&str>) -> Document {
        Document {
            key: format!("e-boekhouden|open-amount|{number}"),
            content_hash: hash.to_owned(),
            precedence: 1,
            stored_in: stored_in.map(str::to_owned),
        }
    }

    /// A changed document is updated in place; one the books now give another debtor moves to that
    /// debtor's account, so the next diff still finds it once.
    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn changed_documents_are_updated_and_moved_ones_leave_their_old_account(pool: PgPool) {
        sqlx::query(
            "INSERT INTO import_document (key, content_hash, source, aggregate_id) VALUES \
             ('e-boekhouden|open-amount|F1', '1000', 1, 'adm:D1'), \
             ('e-boekhouden|open-amount|F2', '2000', 1, 'adm:D2')",
        )
        .execute(&pool)
        .await
        .unwrap();
        let decided = Decided {
            aggregate_id: "adm:D2".to_owned(),
            after_sequence: 0,
            events: vec![],
            documents: vec![
                document("F1", "900", Some("adm:D1")),
                document("F2", "1500", Some("adm:D2")),
                document("F3", "300", None),
            ],
            counts: ImportCounts::default(),
            issues: vec![],
        };
        let batch = Prepared::new(vec![decided], &Metadata::new("test", "test", Utc::now())).unwrap();
        let mut conn = pool.acquire().await.unwrap();
        write(&mut conn, batch, &mut Written::default()).await.unwrap();

        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT key, aggregate_id, content_hash FROM import_document ORDER BY key")
                .fetch_all(&pool)
                .await
                .unwrap();
        let row = |number: &str, account: &str, hash: &str| {
            (format!("e-boekhouden|open-amount|{number}"), account.to_owned(), hash.to_owned())
        };
        assert_eq!(rows, [row("F1", "adm:D2", "900"), row("F2", "adm:D2", "1500"), row("F3", "adm:D2", "300")]);
    }
}
