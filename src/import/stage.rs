//! Staging: parsed records go through bounded channels to a task that maps and formats them and
//! on into `COPY … FROM STDIN` on the import's own connection, into a temporary table. The reading
//! thread only parses; mapping, hashing and formatting (about a quarter of its time before) run
//! beside it, and PostgreSQL ingests on what is left. Nothing the size of the administration is
//! held in memory. The table dies with the import's own connection, so a killed import leaves
//! nothing behind.
//!
//! One COPY per second at most: a statement that writes holds a transaction id, and the global-order
//! readers of every administration wait for the oldest one (the horizon). A single COPY through the
//! whole read phase held every projection back for as long as the books took to read.

use std::time::Duration;

use sqlx::PgConnection;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{timeout_at, Instant};

use super::map::{Mapper, StagedDocument, StagedRow};
use crate::eboekhouden::{Factuur, Mutatie, OpenPost, Relatie};
use crate::events::administration::ImportIssue;

/// Records per batch handed to the mapping task, and batches in flight.
const RECORDS_PER_BATCH: usize = 250;
const BATCHES_IN_FLIGHT: usize = 4;
/// Rows per COPY chunk, and chunks in flight: with the batches, the bound on what parsing may run ahead.
const ROWS_PER_CHUNK: usize = 1_000;
const CHUNKS_IN_FLIGHT: usize = 4;
/// How long one COPY statement (one transaction) may stay open, waiting for chunks or not.
const STATEMENT_SPAN: Duration = Duration::from_secs(1);

const COPY_STAGE: &str = "COPY import_stage (seq, kind, key, debtor_code, precedence, content_hash, invoice_number, \
     document) FROM STDIN WITH (FORMAT text)";

pub const CREATE_STAGE: &str = "CREATE TEMP TABLE IF NOT EXISTS import_stage (\
     seq bigint NOT NULL, kind smallint NOT NULL, key text NOT NULL, debtor_code text NOT NULL, \
     precedence smallint NOT NULL, content_hash text NOT NULL, invoice_number text NOT NULL, document text NOT NULL)";

/// A record as read from the books, before it is mapped.
#[derive(Debug)]
pub enum Parsed {
    /// Boxed: a relation has many fields, and relations are few beside the other records.
    Relation(Box<Relatie>),
    Mutation(Mutatie),
    Invoice(Factuur),
    OpenItem(OpenPost),
}

/// What the staging task hands back: the connection holding the stage, and the records that could
/// not be mapped.
type Staged = (PgConnection, Vec<ImportIssue>);

/// Feeds records to the mapping task; `finish` returns the connection when everything is in.
#[derive(Debug)]
pub struct Stager {
    sender: mpsc::Sender<Vec<Parsed>>,
    batch: Vec<Parsed>,
    task: JoinHandle<Result<Staged, sqlx::Error>>,
}

impl Stager {
    /// Starts `COPY` into a fresh `import_stage` on `conn`, of the records `mapper` maps.
    pub async fn start(mut conn: PgConnection, mapper: Mapper) -> Result<Stager, sqlx::Error> {
        sqlx::query(CREATE_STAGE).execute(&mut conn).await?;
        sqlx::query("TRUNCATE import_stage").execute(&mut conn).await?;
        let (sender, receiver) = mpsc::channel(BATCHES_IN_FLIGHT);
        let task = tokio::spawn(map_records(mapper, receiver, conn));
        Ok(Stager { sender, batch: Vec::with_capacity(RECORDS_PER_BATCH), task })
    }

    pub async fn push(&mut self, record: Parsed) {
        self.batch.push(record);
        if self.batch.len() == RECORDS_PER_BATCH {
            self.flush().await;
        }
    }

    async fn flush(&mut self) {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(RECORDS_PER_BATCH));
        // If the task ended early, its own error is what `finish` reports.
        let _ = self.sender.send(batch).await;
    }

    /// Sends what is left, ends the COPY and hands the connection back with the mapping issues.
    pub async fn finish(mut self) -> Result<Staged, sqlx::Error> {
        if !self.batch.is_empty() {
            self.flush().await;
        }
        drop(self.sender);
        self.task.await.map_err(|e| sqlx::Error::Protocol(format!("the staging task failed: {e}")))?
    }
}

/// Maps each record and formats its rows into COPY chunks for `copy_chunks`.
async fn map_records(
    mapper: Mapper,
    mut receiver: mpsc::Receiver<Vec<Parsed>>,
    conn: PgConnection,
) -> Result<Staged, sqlx::Error> {
    let (sender, chunks) = mpsc::channel::<String>(CHUNKS_IN_FLIGHT);
    let copy = tokio::spawn(copy_chunks(conn, chunks));
    let mut chunk = Chunk::default();
    let mut issues = Vec::new();
    'records: while let Some(batch) = receiver.recv().await {
        for record in batch {
            let mapped = match &record {
                Parsed::Relation(r) => mapper.relation(r),
                Parsed::Mutation(m) => mapper.mutation(m),
                Parsed::Invoice(f) => mapper.invoice(f),
                Parsed::OpenItem(o) => mapper.open_item(o),
            };
            match mapped {
                Ok(rows) => {
                    for row in rows {
                        if let Some(full) = chunk.push(&row)? {
                            if sender.send(full).await.is_err() {
                                break 'records;
                            }
                        }
                    }
                }
                Err(issue) => issues.push(issue),
            }
        }
    }
    if chunk.rows > 0 {
        // A send error means the COPY task ended; its error is what is reported below.
        let _ = sender.send(chunk.text).await;
    }
    drop(sender);
    let conn = copy.await.map_err(|e| sqlx::Error::Protocol(format!("the COPY task failed: {e}")))??;
    Ok((conn, issues))
}

/// Rows in COPY's text format, numbered in the order they were read.
#[derive(Debug, Default)]
struct Chunk {
    text: String,
    rows: usize,
    seq: i64,
}

impl Chunk {
    /// Adds `row`; returns the chunk's text when it is full.
    fn push(&mut self, row: &StagedRow) -> Result<Option<String>, sqlx::Error> {
        self.seq += 1;
        let invoice_number = match &row.document {
            StagedDocument::Invoice(invoice) => invoice.invoice_number.as_str(),
            StagedDocument::Payment(payment) => payment.reference_invoice.as_ref().map_or("", |n| n.as_str()),
            StagedDocument::OpenAmount { invoice_number, .. } => invoice_number.as_str(),
            StagedDocument::Debtor(_) => "",
        };
        let document = serde_json::to_string(&row.document).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let fields = [
            &self.seq.to_string(),
            &row.document.order().to_string(),
            &row.key,
            &row.debtor_code,
            &row.precedence.to_string(),
            &row.content_hash,
            invoice_number,
            &document,
        ];
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.text.push('\t');
            }
            escape_into(&mut self.text, field);
        }
        self.text.push('\n');
        self.rows += 1;
        if self.rows < ROWS_PER_CHUNK {
            return Ok(None);
        }
        self.rows = 0;
        Ok(Some(std::mem::replace(&mut self.text, String::with_capacity(ROWS_PER_CHUNK * 400))))
    }
}

/// Copies the chunks as they come, in statements of at most `STATEMENT_SPAN`; between statements
/// the connection waits for the next chunk outside any transaction.
async fn copy_chunks(
    mut conn: PgConnection,
    mut receiver: mpsc::Receiver<String>,
) -> Result<PgConnection, sqlx::Error> {
    while let Some(first) = receiver.recv().await {
        let deadline = Instant::now() + STATEMENT_SPAN;
        let mut copy = conn.copy_in_raw(COPY_STAGE).await?;
        copy.send(first.as_bytes()).await?;
        let more = loop {
            // `timeout_at` polls the channel first: under a steady flow it would never time out.
            if Instant::now() >= deadline {
                break true;
            }
            match timeout_at(deadline, receiver.recv()).await {
                Ok(Some(chunk)) => copy.send(chunk.as_bytes()).await?,
                Ok(None) => break false,
                Err(_) => break true,
            };
        };
        copy.finish().await?;
        if !more {
            break;
        }
    }
    Ok(conn)
}

/// COPY's text format: backslash, tab, newline and carriage return are escaped.
fn escape_into(out: &mut String, field: &str) {
    for c in field.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use sqlx::PgPool;

    use super::*;
    use crate::domain::{AdministrationId, Cents};

    /// An open item of invoice `F{n}`; staged as two rows (the invoice and its open amount).
    fn open_item(n: usize) -> Parsed {
        Parsed::OpenItem(OpenPost {
            mut_datum: NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
            mut_factuur: format!("F{n}"),
            rel_code: "D1".to_owned(),
            rel_bedrijf: "Debtor".to_owned(),
            bedrag: Cents::new(100),
            voldaan: Cents::ZERO,
            openstaand: Cents::new(100),
        })
    }

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn a_slow_read_holds_no_transaction_between_chunks_and_loses_no_row(pool: PgPool) {
        let mut conn = pool.acquire().await.unwrap().detach();
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut conn).await.unwrap();
        let mapper = Mapper { administration: AdministrationId::new("adm").unwrap(), default_term_days: 14 };
        let mut stager = Stager::start(conn, mapper).await.unwrap();
        let first = ROWS_PER_CHUNK / 2;
        for n in 0..first {
            stager.push(open_item(n)).await;
        }
        // The books are slow to send the rest: the COPY that took the first chunk has ended, and
        // with it the transaction that would hold every projection runner back.
        tokio::time::sleep(STATEMENT_SPAN * 3).await;
        let holding: Option<bool> =
            sqlx::query_scalar("SELECT backend_xid IS NOT NULL FROM pg_stat_activity WHERE pid = $1")
                .bind(pid)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(holding, Some(false));
        let total = 2 * first + 5;
        for n in first..total {
            stager.push(open_item(n)).await;
        }
        // A record that does not map is an issue, not a row, and the rest goes on.
        let Parsed::OpenItem(mut bad) = open_item(0) else { unreachable!() };
        bad.mut_factuur = String::new();
        stager.push(Parsed::OpenItem(bad)).await;
        let (mut conn, issues) = stager.finish().await.unwrap();
        assert_eq!(issues.len(), 1, "{issues:?}");
        let (rows, distinct): (i64, i64) = sqlx::query_as("SELECT count(*), count(DISTINCT seq) FROM import_stage")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        let expected = i64::try_from(2 * total).unwrap();
        assert_eq!((rows, distinct), (expected, expected));
    }
}
